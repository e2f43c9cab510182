// GSL's derivative-free simplex minimiser (Nelder–Mead, `nmsimplex2`).

import CGSL

/// The outcome of one simplex run.
public struct MinimizationResult: Sendable {
    /// The best point found.
    public let point: [Double]
    /// `f(point)`.
    public let value: Double
    /// Iterations taken.
    public let iterations: Int
    /// Whether the simplex size fell below the requested tolerance (else the iteration cap was hit).
    public let converged: Bool
}

private final class ObjectiveContext {
    let f: ([Double]) -> Double
    let dimension: Int
    init(_ f: @escaping ([Double]) -> Double, dimension: Int) {
        self.f = f
        self.dimension = dimension
    }
}

/// Minimises `f` from `start` with GSL's `gsl_multimin_fminimizer_nmsimplex2`.
///
/// - `f` must not throw; return `+infinity` (or any large number) for points outside the
///   domain. GSL stops with `GSL_EBADFUNC` on a non-finite value, so non-finite values are
///   replaced by `Double.greatestFiniteMagnitude` before GSL sees them.
/// - `step`: initial simplex size in every coordinate.
/// - Stops when the simplex's characteristic size falls below `sizeTolerance` or after
///   `maxIterations`.
/// - Returns nil only if GSL cannot allocate the minimiser or `start` is empty.
public func minimizeSimplex(
    _ f: @escaping ([Double]) -> Double,
    start: [Double],
    step: Double,
    maxIterations: Int,
    sizeTolerance: Double = 1e-10
) -> MinimizationResult? {
    _ = gslSetUp
    let n = start.count
    guard n > 0, let minimizer = gsl_multimin_fminimizer_alloc(pvar_gsl_nmsimplex2(), n) else { return nil }
    defer { gsl_multimin_fminimizer_free(minimizer) }
    let x = gsl_vector_alloc(n)!, steps = gsl_vector_alloc(n)!
    defer { gsl_vector_free(x); gsl_vector_free(steps) }
    for i in 0..<n {
        gsl_vector_set(x, i, start[i])
        gsl_vector_set(steps, i, step)
    }
    let context = Unmanaged.passRetained(ObjectiveContext(f, dimension: n))
    defer { context.release() }
    var function = gsl_multimin_function(
        f: { v, params in
            let ctx = Unmanaged<ObjectiveContext>.fromOpaque(params!).takeUnretainedValue()
            var point = [Double](repeating: 0, count: ctx.dimension)
            for i in 0..<ctx.dimension { point[i] = gsl_vector_get(v, i) }
            let value = ctx.f(point)
            return value.isFinite ? value : .greatestFiniteMagnitude
        },
        n: n,
        params: context.toOpaque())
    guard gsl_multimin_fminimizer_set(minimizer, &function, x, steps) == GSL_SUCCESS else { return nil }
    var iterations = 0
    var converged = false
    while iterations < maxIterations {
        iterations += 1
        if gsl_multimin_fminimizer_iterate(minimizer) != GSL_SUCCESS { break }
        let size = gsl_multimin_fminimizer_size(minimizer)
        if gsl_multimin_test_size(size, sizeTolerance) == GSL_SUCCESS {
            converged = true
            break
        }
    }
    let best = minimizer.pointee.x!
    let point = (0..<n).map { gsl_vector_get(best, $0) }
    return MinimizationResult(point: point, value: minimizer.pointee.fval, iterations: iterations, converged: converged)
}
