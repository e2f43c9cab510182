// Responses drawn i.i.d. from a distribution: GSL's Walker alias method.

import CGSL

/// Draws responses i.i.d. from a distribution `w` on `{0, ..., K-1}` with GSL's Walker alias
/// method: `gsl_ran_discrete_preproc` builds the table once (O(K)), `gsl_ran_discrete` draws in O(1).
///
/// - Weights need not sum to 1 (GSL normalises); zero weights are allowed and never drawn.
/// - Resolution: `gsl_ran_discrete` reads one `gsl_rng_uniform`, which for mt19937 is a multiple of
///   `2^-32`, and compares it with the table's rounded bucket thresholds. Each outcome is a union of
///   at most `1 + (buckets aliased to it)` intervals, `2K` interval ends in all, each misplaced by at
///   most `2^-32` (plus the table's rounding, about `K eps`): the realised distribution `w'` has
///   `||w' - w||_1 <= samplerL1Error(K) = (2K + 1) 2^-32`. The statistical checks add the effect of
///   this to their tolerances (`samplerAllowance`).
/// - Thread safety: the table is immutable after construction and `gsl_ran_discrete` only reads
///   it, so one sampler may serve several tasks, each with its own `RandomSource`.
public final class ResponseSampler: @unchecked Sendable {
    let table: UnsafeMutablePointer<gsl_ran_discrete_t>
    /// The weights the sampler was built from.
    public let weights: [Double]

    /// Builds the alias table. Programmer error (precondition) unless every weight is finite and
    /// `>= 0` and at least one is `> 0`: callers pass validated distributions (`Evaluation`).
    public init(weights: [Double]) {
        precondition(!weights.isEmpty && weights.allSatisfy { $0.isFinite && $0 >= 0 } && weights.contains { $0 > 0 },
                     "ResponseSampler: weights must be finite, >= 0, not all 0")
        _ = gslSetUp
        let t = weights.withUnsafeBufferPointer { gsl_ran_discrete_preproc($0.count, $0.baseAddress) }
        guard let t else { fatalError("gsl_ran_discrete_preproc failed (out of memory)") }
        table = t
        self.weights = weights
    }

    deinit { gsl_ran_discrete_free(table) }

    /// One response.
    @inline(__always)
    public func draw(_ rng: RandomSource) -> Int { Int(gsl_ran_discrete(rng.rng, table)) }

    /// `n` i.i.d. responses.
    public func draw(count n: Int, _ rng: RandomSource) -> [Int] { (0..<n).map { _ in draw(rng) } }
}

/// `(2K + 1) 2^-32`: a bound on `||w' - w||_1` between the distribution `ResponseSampler` realises
/// and the requested one (see `ResponseSampler`).
public func samplerL1Error(responses k: Int) -> Double { Double(2 * k + 1) * 0x1p-32 }

