// The estimand of the PVar estimators: exact moments of the unbiased (U) and plug-in (V) estimates
// of PVar from n sampled responses, in closed form.

import Foundation
import PVarCore
import PVarGSL
import PVarSelect

// MARK: - The estimand

/// Which preference variance is estimated, and from which responses.
public enum PVarTarget: String, CaseIterable, Sendable {
    /// `PVar_labels = E_{i,j~mu}[(q(i,j) - 1/2)^2]`, responses drawn from the pair distribution
    /// `mu` (`Evaluation.pairWeights`); this is what a practitioner computes from a reward model's
    /// preferences over responses sampled from the (starting) policy.
    case labels
    /// `PVar_policy = E_{i,j~pi_theta}[(p(i,j) - 1/2)^2]`, responses drawn from `pi_theta`
    /// (`Evaluation.policy`).
    case policy
}

/// One prompt's PVar as the mean of a degree-2 kernel: responses `Y ~ w` i.i.d.,
/// `theta = E[h(Y, Y')]` with `h(i, j) = (pref(i, j) - 1/2)^2`.
///
/// Properties of the kernel (used throughout):
/// - symmetric, `h(i, j) = h(j, i)` (because `pref(j, i) = 1 - pref(i, j)`);
/// - `0 <= h < 1/4`, and `h(i, i) = 0` exactly (`centredSigmoid(0) = 0`);
/// - ties count: two independent draws coincide with probability `sum_y w_y^2` and contribute 0,
///   exactly as the pairs `i = j` do in PVar's definition.
///
/// Exact moments (closed form, O(K^2), no sampling), with `g(y) = E_{Y'}[h(y, Y')] = sum_j w_j h(y, j)`:
/// - `zeta1 = Var g(Y) = sum_y w_y (g(y) - theta)^2` (centred sums: no cancellation);
/// - `zeta2 = Var h(Y, Y') = sum_{i,j} w_i w_j (h(i, j) - theta)^2`;
/// - `0 <= 2 zeta1 <= zeta2` (Hoeffding, 1948).
public struct PVarEstimand: Sendable {
    public let target: PVarTarget
    /// The sampling distribution `w` (`mu` for labels, `pi_theta` for the policy).
    public let weights: [Double]
    /// `h(i, j)`, row-major `K x K`.
    let kernelTable: [Double]
    public let responseCount: Int
    /// The exact PVar from `Evaluation` (`pvarLabels` or `pvarPolicy`): what the estimators estimate.
    public let exact: Double
    /// `sum_{i,j} w_i w_j h(i, j)` recomputed here from the kernel (compensated); the moments are
    /// centred at it. Agrees with `exact` to rounding (the `Estimators` suite checks it).
    public let kernelMean: Double
    /// `zeta1 = Var_Y E_{Y'}[h(Y, Y')]`.
    public let zeta1: Double
    /// `zeta2 = Var h(Y, Y')`.
    public let zeta2: Double
    /// `max h(i, j)` over pairs with `w_i w_j > 0`: every estimate lies in `[0, kernelMax]`.
    public let kernelMax: Double
    /// `sum_y w_y h(y, y)` (0 for PVar; kept so the plug-in formulas read in general form).
    public let diagonalMean: Double

    /// The estimand of `target` on an evaluated instance.
    public init(_ e: Evaluation, target: PVarTarget) {
        let k = e.problem.responseCount
        var table = [Double](repeating: 0, count: k * k)
        for i in 0..<k {
            for j in 0..<k where j != i {
                table[i * k + j] = switch target {
                case .labels: preferenceKernel(e.problem.rewards[i] - e.problem.rewards[j])
                case .policy: preferenceKernel(e.implicitRewardDifference(i, j))
                }
            }
        }
        let w = target == .labels ? e.pairWeights : e.policy
        self.init(target: target, weights: w, kernel: table, exact: target == .labels ? e.pvarLabels : e.pvarPolicy)
    }

    /// An estimand from its parts (`kernel` row-major `K x K`, symmetric, entries in `[0, 1/4]`).
    init(target: PVarTarget, weights w: [Double], kernel h: [Double], exact: Double) {
        let k = w.count
        precondition(h.count == k * k, "PVarEstimand: kernel must be K x K")
        self.target = target
        self.weights = w
        self.kernelTable = h
        self.responseCount = k
        self.exact = exact
        var g = [Double](repeating: 0, count: k)
        var hmax = 0.0, diagonal = 0.0
        for i in 0..<k {
            var s = CompensatedSum()
            for j in 0..<k {
                s.add(w[j] * h[i * k + j])
                if w[i] > 0 && w[j] > 0 { hmax = max(hmax, h[i * k + j]) }
            }
            g[i] = s.value
            diagonal += w[i] * h[i * k + i]
        }
        var theta = CompensatedSum()
        for i in 0..<k { theta.add(w[i] * g[i]) }
        let mean = theta.value
        var z1 = CompensatedSum(), z2 = CompensatedSum()
        for i in 0..<k where w[i] > 0 {
            let d = g[i] - mean
            z1.add(w[i] * d * d)
            for j in 0..<k where w[j] > 0 {
                let e = h[i * k + j] - mean
                z2.add(w[i] * w[j] * e * e)
            }
        }
        self.kernelMean = mean
        self.zeta1 = z1.value
        self.zeta2 = z2.value
        self.kernelMax = hmax
        self.diagonalMean = diagonal
    }

    /// `h(i, j) = (pref(i, j) - 1/2)^2`.
    public func kernel(_ i: Int, _ j: Int) -> Double { kernelTable[i * responseCount + j] }

    // MARK: Estimators

    /// Both estimators from the responses `y_1..y_n` (`n >= 2`; indices in `0..<K`):
    ///
    /// - unbiased (U-statistic): `U = (1 / (n (n-1))) sum_{a != b} h(y_a, y_b)`;
    /// - plug-in (V-statistic, the PVar of the empirical distribution):
    ///   `V = (1 / n^2) sum_{a, b} h(y_a, y_b)`.
    ///
    /// Computed from the counts `c_y` of the distinct responses: `sum_{a != b} h = 2 S` with
    /// `S = sum_{y < y'} c_y c_y' h(y, y') + sum_y C(c_y, 2) h(y, y)`, and the diagonal
    /// `sum_a h(y_a, y_a) = sum_y c_y h(y, y)`. Because `h(y, y) = 0`, `V = ((n-1)/n) U` exactly
    /// for every sample: the two estimators rank prompts with the same `n` identically. `U` is
    /// `unbiasedPVarEstimate(unorderedPairSum: S, sampleSize: n)` (PVarCore), the normalisation
    /// `pvar select` uses; for the `labels` target it is `unbiasedPVarEstimate(rewards:)` of the
    /// sampled responses' rewards up to the order of summation (suite `Select` checks this).
    public func estimate(responses: [Int]) -> PVarEstimate {
        precondition(responses.count >= 2, "estimate: needs n >= 2 responses")
        var scratch = EstimatorScratch(responseCount: responseCount)
        return responses.withUnsafeBufferPointer { estimate($0, &scratch) }
    }

    /// The estimators from a buffer of responses, reusing `scratch` (no allocation).
    func estimate(_ y: UnsafeBufferPointer<Int>, _ scratch: inout EstimatorScratch) -> PVarEstimate {
        let n = y.count, k = responseCount
        var offDiagonal = 0.0, diagonal = 0.0
        scratch.counts.withUnsafeMutableBufferPointer { counts in
            scratch.distinct.withUnsafeMutableBufferPointer { distinct in
                kernelTable.withUnsafeBufferPointer { h in
                    var m = 0
                    for a in 0..<n {
                        let v = y[a]
                        if counts[v] == 0 { distinct[m] = v; m += 1 }
                        counts[v] += 1
                    }
                    for s in 0..<m {
                        let i = distinct[s], ci = Double(counts[i])
                        var row = 0.0
                        for t in (s + 1)..<max(m, s + 1) {
                            let j = distinct[t]
                            row += Double(counts[j]) * h[i * k + j]
                        }
                        let hii = h[i * k + i]
                        offDiagonal += ci * row + 0.5 * ci * (ci - 1) * hii
                        diagonal += ci * hii
                    }
                    for s in 0..<m { counts[distinct[s]] = 0 }
                }
            }
        }
        let nn = Double(n)
        return PVarEstimate(sampleSize: n, unbiased: unbiasedPVarEstimate(unorderedPairSum: offDiagonal, sampleSize: n),
                            plugIn: (2 * offDiagonal + diagonal) / (nn * nn))
    }

    /// `n` responses drawn with `sampler` (built from `weights`) and both estimates.
    public func sampleEstimate(sampleSize n: Int, sampler: ResponseSampler, _ rng: RandomSource) -> PVarEstimate {
        estimate(responses: sampler.draw(count: n, rng))
    }

    // MARK: Exact moments

    /// `E[U] = theta` (unbiased, every `n >= 2`): each term of `U` is `h` of two independent draws.
    public func unbiasedExpectation(sampleSize n: Int) -> Double { exact }

    /// Hoeffding's variance of the U-statistic of degree 2 (Hoeffding 1948, Theorem 5.2):
    ///
    ///     Var U = (4 (n-2) / (n (n-1))) zeta1 + (2 / (n (n-1))) zeta2,   n >= 2.
    ///
    /// - `n = 2`: `Var U = zeta2` (one pair); as `n -> inf`, `n Var U -> 4 zeta1`.
    /// - Exact in real arithmetic; in doubles, a few ulps of `zeta1` and `zeta2` (each a centred
    ///   compensated sum of non-negative terms).
    public func unbiasedVariance(sampleSize n: Int) -> Double {
        precondition(n >= 2, "unbiasedVariance: n >= 2")
        let nn = Double(n)
        return 4 * (nn - 2) / (nn * (nn - 1)) * zeta1 + 2 / (nn * (nn - 1)) * zeta2
    }

    /// `E[V] = ((n-1)/n) theta + (1/n) E[h(Y, Y)] = ((n-1)/n) theta` (the diagonal term is 0):
    /// the plug-in is biased low by exactly the factor `(n-1)/n`.
    public func plugInExpectation(sampleSize n: Int) -> Double {
        let nn = Double(n)
        return (nn - 1) / nn * exact + diagonalMean / nn
    }

    /// `Var V = ((n-1)/n)^2 Var U` (from `V = ((n-1)/n) U`, which needs `h(y, y) = 0`).
    public func plugInVariance(sampleSize n: Int) -> Double {
        precondition(diagonalMean == 0, "plugInVariance: the identity V = (n-1)/n U needs h(y, y) = 0")
        let f = Double(n - 1) / Double(n)
        return f * f * unbiasedVariance(sampleSize: n)
    }

    /// Mean squared error of the plug-in: `Var V + (theta / n)^2` (that of `U` is `Var U`).
    public func plugInMeanSquaredError(sampleSize n: Int) -> Double {
        let bias = plugInExpectation(sampleSize: n) - exact
        return plugInVariance(sampleSize: n) + bias * bias
    }

    // MARK: Concentration

    /// The largest possible `|U - theta|`: `U` lies in `[0, kernelMax]`, so `max(theta, kernelMax - theta)`.
    public var deviationRange: Double { max(exact, kernelMax - exact) }

    /// Hoeffding's bound for U-statistics (Hoeffding 1963, section 5): with `a <= h <= a + R` and
    /// `k = floor(n/2)`, `P(|U - theta| >= t) <= 2 exp(-2 k t^2 / R^2)`; capped at 1.
    ///
    /// `R = 1/4` by default: the range of `(pref - 1/2)^2` for every instance, i.e. the bound a
    /// practitioner can use without knowing anything about the prompt.
    public func hoeffdingTail(sampleSize n: Int, deviation t: Double, range r: Double = 0.25) -> Double {
        let k = Double(n / 2)
        return min(1, 2 * exp(-2 * k * t * t / (r * r)))
    }

    /// The deviation Hoeffding's bound certifies with probability `confidence` (range `r`):
    /// `P(|U - theta| >= t) <= 1 - confidence` at `t = r sqrt(log(2 / (1 - confidence)) / (2 floor(n/2)))`.
    public func hoeffdingDeviation(sampleSize n: Int, confidence: Double, range r: Double = 0.25) -> Double {
        r * (log(2 / (1 - confidence)) / (2 * Double(n / 2))).squareRoot()
    }

    /// Bernstein's bound for U-statistics through Hoeffding's reduction (`U` is an average over
    /// permutations of means of `k = floor(n/2)` i.i.d. kernel values, and `exp` is convex):
    /// `P(|U - theta| >= t) <= 2 exp(-k t^2 / (2 zeta2 + (2/3) c t))` with `c = deviationRange`
    /// bounding `|h - theta|`; capped at 1. Uses the instance's exact `zeta2`.
    public func bernsteinTail(sampleSize n: Int, deviation t: Double) -> Double {
        let k = Double(n / 2)
        let denominator = 2 * zeta2 + 2 * deviationRange * t / 3
        guard denominator > 0 else { return t > 0 ? 0 : 1 }
        return min(1, 2 * exp(-k * t * t / denominator))
    }

    /// Chebyshev's bound with the exact variance: `P(|U - theta| >= t) <= Var U / t^2`; capped at 1.
    public func chebyshevTail(sampleSize n: Int, deviation t: Double) -> Double {
        min(1, unbiasedVariance(sampleSize: n) / (t * t))
    }
}

/// Both estimates from one sample of `sampleSize` responses.
public struct PVarEstimate: Sendable, Equatable {
    public let sampleSize: Int
    /// The U-statistic (unbiased).
    public let unbiased: Double
    /// The plug-in V-statistic, `((n-1)/n) unbiased`.
    public let plugIn: Double
    public init(sampleSize: Int, unbiased: Double, plugIn: Double) {
        self.sampleSize = sampleSize
        self.unbiased = unbiased
        self.plugIn = plugIn
    }
}

/// Reusable buffers of `PVarEstimand.estimate` (counts all 0 between calls).
struct EstimatorScratch {
    var counts: [Int]
    var distinct: [Int]
    init(responseCount k: Int) {
        counts = [Int](repeating: 0, count: k)
        distinct = [Int](repeating: 0, count: k)
    }
}
