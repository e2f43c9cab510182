// Statement S1: PVar bounds the signal-to-noise ratio of the one-pair stochastic gradient.

import Foundation

extension Evaluation {
    /// `E_{i,j~mu}[q(i,j) (1 - q(i,j))]`: the mean Bernoulli variance of the label `z`, which
    /// equals `1/4 - PVar_labels` (because `q (1 - q) = 1/4 - (q - 1/2)^2`).
    ///
    /// Computed as its own sum of nonnegative terms, `sum_i mu_i^2 / 4 + 2 sum_{i<j} mu_i mu_j
    /// sigmoid(b) sigmoid(-b)` with `b = r_i - r_j`, never as `1/4 - PVar_labels`: PVar can come
    /// within `1/(4K)` of `1/4` (many responses, near-deterministic labels), where the
    /// subtraction would lose up to `log10(4K)` digits.
    ///
    /// - Range: `sum_i mu_i^2 / 4 <= E[q(1-q)] <= 1/4`; it is at least `1/(4K)`, never 0.
    /// - Accuracy: `gamma_{K^2}` relative plus a few ulps (nonnegative terms, one sigmoid each).
    /// - Cost: O(K^2), one pass over the pairs `i < j` in the support of `mu`.
    public var meanLabelVariance: Double {
        let k = problem.responseCount
        let mu = pairWeights
        var sum = CompensatedSum()
        var diagonal = 0.0
        for y in 0..<k { diagonal += mu[y] * mu[y] }
        for i in 0..<k where mu[i] != 0 {
            for j in (i + 1)..<max(k, i + 1) where mu[j] != 0 {
                let b = problem.rewards[i] - problem.rewards[j]
                sum.add(mu[i] * mu[j] * (sigmoid(b) * sigmoid(-b)))
            }
        }
        return diagonal / 4 + 2 * sum.value
    }

    /// Statement S1 (`Proofs/S1-snr.md`): at the reference, the signal-to-noise ratio of the
    /// one-pair stochastic gradient is at most
    ///
    /// `snrBound = 4 PVar_labels / (1 - 4 PVar_labels) = PVar_labels / E[q (1 - q)]`,
    ///
    /// i.e. the variance of the label probability over the mean variance of the label itself.
    /// `nil` away from the reference (`atReference` false), where the statement makes no claim.
    ///
    /// - Why it holds (the proof in brief): at the reference `p = 1/2`, so `|p - z| = 1/2` for
    ///   both labels and `E||g||^2 = beta^2 D^2 / 4` exactly; the noise is therefore
    ///   `beta^2 D^2 / 4 - ||grad L||^2`, and `||grad L||^2 <= beta^2 D^2 PVar_labels` (B0 with
    ///   `delta^2 = PVar_labels`) gives `SNR = S / (beta^2 D^2 / 4 - S) <= PVar / (1/4 - PVar)`.
    /// - Any pair distribution `mu` (the labels' PVar is taken over `mu`, as everywhere), not only
    ///   `mu = pi_theta`; no condition on `G` or `D`: `PVar_labels < 1/4` always.
    /// - Sharp: equality on every two-response instance at the reference (any reference, reward
    ///   gap, `beta`, `mu`); in general `SNR / snrBound = rho^2 (1 - 4 PVar) / (1 - 4 rho^2 PVar)`
    ///   with `rho` B0's ratio, so it is attained exactly where B0 is (Proofs/T1).
    /// - Low PVar means low SNR: `snrBound = 4 PVar + O(PVar^2)`.
    /// - Weaker forms implied (Proofs/S1, step 14): `4 PVar / (1 - 16 (G^2/D^2) PVar)` and
    ///   `8 (G^2/D^2) PVar / (1 - 16 (G^2/D^2) PVar)` where `16 G^2 PVar < D^2`, which is what the
    ///   label-noise floor (`labelNoiseFloor`) with B0 or B2 gives.
    /// - Edge cases: `K = 1` or all rewards equal: `0` (and the SNR is 0). Identical features:
    ///   the SNR is 0 (`0/0 := 0`), the bound is still `4 PVar / (1 - 4 PVar)`.
    /// - Accuracy: `PVar_labels` within the evaluation's 1e-12 relative, `meanLabelVariance` within
    ///   `gamma_{K^2}`: about 1e-12 relative; subnormal only where `PVar_labels` itself is.
    ///   "At the reference" is `atReference` (log-ratio constant within `referenceTolerance`):
    ///   an instance off the exact reference by `eps` in `h` can exceed the bound by terms of
    ///   order `eps / |q - 1/2|` (relative), which matters only when PVar is below about `eps^2`.
    public var snrBound: Double? {
        guard atReference else { return nil }
        // S1 as a claim, the path of a user's claim: numerator * PVar / (4 E[q (1 - q)]).
        return snrClaim.larger.evaluate(in: ClaimDoubles(self))
    }

    /// The noise floor at the reference: `E||g - grad L||^2 >= beta^2 D^2 (1/4 - PVar_labels)
    /// = beta^2 D^2 E[q (1 - q)]` (Proofs/S1, step 12), with equality on two responses; `nil` away
    /// from the reference. Computed as a product of nonnegative factors (`safeProduct`).
    public var noiseFloorAtReference: Double? {
        guard atReference else { return nil }
        return safeProduct(problem.beta, problem.beta, scoreSpread, scoreSpread, meanLabelVariance)
    }

    /// The label-noise floor in PVar terms, for any `theta` and any `mu` (Proofs/S1, steps 4–8):
    /// `E||g - grad L||^2 >= beta^2 E[q (1 - q) ||s_i - s_j||^2] >= beta^2 (D^2/4 - 4 G^2 PVar_labels)`,
    /// the floor of Proofs/S1-snr.md, steps 4-8 (Proofs/setting.md, section 9). Negative (vacuous) where `16 G^2 PVar_labels >= D^2`.
    ///
    /// Computed as `beta^2 (D/2 - 2 G sqrt(PVar)) (D/2 + 2 G sqrt(PVar))`, so neither square
    /// overflows and the difference of squares is formed from its two factors.
    public var labelNoiseFloor: Double {
        let a = scoreSpread / 2, b = 2 * scoreBound * rootPVarLabels
        return safeProduct(problem.beta, problem.beta, a - b, a + b)
    }
}
