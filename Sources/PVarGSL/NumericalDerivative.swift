// GSL's central-difference derivative, with its own error estimate.

import CGSL

/// `gsl_deriv_central`: the derivative of `f` at `x` by a 5-point central difference with
/// initial step `h`, and GSL's estimate of the absolute error (rounding plus truncation).
public struct NumericalDerivative: Sendable {
    public let value: Double
    public let errorEstimate: Double
}

/// Context for the C callback: the closure to differentiate.
private final class DerivativeContext {
    let f: (Double) -> Double
    init(_ f: @escaping (Double) -> Double) { self.f = f }
}

public func centralDerivative(at x: Double, step h: Double, of f: @escaping (Double) -> Double) -> NumericalDerivative? {
    _ = gslSetUp
    let context = DerivativeContext(f)
    let unmanaged = Unmanaged.passRetained(context)
    defer { unmanaged.release() }
    var function = gsl_function(
        function: { t, params in
            Unmanaged<DerivativeContext>.fromOpaque(params!).takeUnretainedValue().f(t)
        },
        params: unmanaged.toOpaque())
    var result = 0.0
    var abserr = 0.0
    let status = gsl_deriv_central(&function, x, h, &result, &abserr)
    guard status == GSL_SUCCESS else { return nil }
    return NumericalDerivative(value: result, errorEstimate: abserr)
}
