// The unbiased estimate of a prompt's PVar from the reward-model scores of n sampled responses:
// the one implementation behind `pvar select` and the `Estimators` study.

/// The PVar kernel `h(d) = (sigmoid(d) - 1/2)^2 = tanh(d/2)^2 / 4`, for a score difference
/// `d = r_a - r_b`.
///
/// - Formula: `centredSigmoid(d)^2`, so the centred preference keeps its relative accuracy for
///   small `d` (the naive `sigmoid(d) - 0.5` has an absolute error of 1e-17, which is all of a
///   value like `d / 4 = 2.5e-17`).
/// - Properties: even, `h(-d) = h(d)` (`centredSigmoid` is odd); `0 <= h(d) < 1/4` for finite
///   `d`; `h(0) = 0` exactly; increasing in `|d|`.
/// - Edge cases: `h(±inf) = 1/4`; squares below the double range (`|d| < 1e-154`) underflow to
///   0 or a subnormal; NaN propagates.
/// - Accuracy: a few ulps relative (two for the square, a few for `tanh`).
@inlinable
public func preferenceKernel(_ d: Double) -> Double {
    let c = centredSigmoid(d)
    return c * c
}

/// The unbiased PVar estimate from the sum over unordered pairs, `S = sum_{a < b} h(y_a, y_b)`:
/// `U = (1 / (n (n-1))) sum_{a != b} h = 2 S / (n (n-1))` (the kernel is symmetric, so each
/// unordered pair appears twice among the ordered ones).
///
/// The normalisation shared by `unbiasedPVarEstimate(rewards:)` and the `Estimators` study,
/// which forms `S` from counts of sampled response indices. Programmer error unless `n >= 2`.
@inlinable
public func unbiasedPVarEstimate(unorderedPairSum s: Double, sampleSize n: Int) -> Double {
    precondition(n >= 2, "unbiasedPVarEstimate: needs n >= 2 responses")
    let nn = Double(n)
    return 2 * s / (nn * (nn - 1))
}

/// The unbiased estimate of a prompt's preference variance from the reward-model scores
/// `r_1, ..., r_n` of `n` responses sampled i.i.d. for it (the U-statistic of degree 2):
///
///     U = (1 / (n (n-1))) sum_{a != b} (sigmoid(r_a - r_b) - 1/2)^2
///       = (2 / (n (n-1))) sum_{a < b} h(r_a - r_b),    h = preferenceKernel.
///
/// `E[U] = PVar = E_{i,j}[(sigmoid(r_i - r_j) - 1/2)^2]` over two independent responses for every
/// `n >= 2` (each term is `h` of two independent draws); the plug-in over all `n^2` pairs is
/// `((n-1)/n) U`, biased low by that factor (see `PVarEstimand` in `PVarGSL`).
///
/// - Properties: `0 <= U < 1/4` (`U <= 1/4` in doubles); `U = 0` exactly when all scores are
///   equal; symmetric in the scores; invariant under a common shift of the scores (only
///   differences enter); `n = 2`: `U = h(r_1 - r_2)` (the one pair, counted in both orders).
/// - Result is never `-0.0`: the sum starts at `+0` and adds squares, so the bit pattern of `U`
///   orders like its value (`pvar select` relies on this).
/// - Edge cases: a difference that overflows (`|r_a - r_b| > 1.8e308`, scores near the double
///   range) is `±inf` and contributes `h = 1/4`, which is its value to within 1e-300. Non-finite
///   scores are the caller's to reject (`pvar select` does): an infinity or NaN gives NaN.
/// - Accuracy: relative error at most about `(n (n-1)/2 + 8) u`, `u = 2^-53`, against the exact
///   `U` of the given doubles: each difference is rounded once (relative `u`; `h`'s relative
///   condition number in `d` is at most 2), each `h` carries a few ulps, and the `n (n-1)/2`
///   non-negative terms are added recursively (Higham, eq. 4.4). No cancellation anywhere.
/// - Cost: `n (n-1)/2` hyperbolic tangents, no allocation.
///
/// Programmer error (precondition) unless `n >= 2`.
public func unbiasedPVarEstimate(rewards r: UnsafeBufferPointer<Double>) -> Double {
    let n = r.count
    precondition(n >= 2, "unbiasedPVarEstimate: needs n >= 2 rewards")
    var s = 0.0
    for a in 0..<(n - 1) {
        let ra = r[a]
        var row = 0.0
        for b in (a + 1)..<n { row += preferenceKernel(ra - r[b]) }
        s += row
    }
    return unbiasedPVarEstimate(unorderedPairSum: s, sampleSize: n)
}

/// `unbiasedPVarEstimate(rewards:)` of an array.
public func unbiasedPVarEstimate(rewards: [Double]) -> Double {
    rewards.withUnsafeBufferPointer { unbiasedPVarEstimate(rewards: $0) }
}
