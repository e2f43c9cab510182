// I1, the gradient identity, checked step by step (Proofs/I1-gradient-identity.md).
//
// Every step runs on the regime `.general` (any theta, any mu: the identity has no hypothesis),
// all six families, `i1PerFamily` instances each. The analytic gradient as a whole is checked
// against GSL's derivative of L by the `Gradient` suite (GradientTests.swift); these tests check
// each link of the derivation on its own, so a wrong step fails its own test.

import Foundation
import PVarCore
import PVarGSL
import PVarVerify
import PVarTestSupport
import Testing

/// Instances per family in each step: 6 families x 25 = 150 instances per step (>= 120).
private let i1PerFamily = 25



/// The instances of one step: every family, indices `0..<i1PerFamily`, regime `.general`.
private func eachGeneralInstance(_ body: (Family, Int, Evaluation) -> Void) {
    for f in Family.allCases {
        for n in 0..<i1PerFamily { body(f, n, evaluate(generator.instance(.general, f, index: n))) }
    }
}

/// Up to `count` ordered pairs (i, j), spread over the K x K grid (diagonal pairs included).
private func samplePairs(_ k: Int, count: Int) -> [(Int, Int)] {
    if k * k <= count { return (0..<k).flatMap { i in (0..<k).map { (i, $0) } } }
    return (0..<count).map { m in ((m * 7 + 1) % k, (m * 13 + m / k) % k) }
}

/// `R_c = max_y phi_yc - min_y phi_yc`, the range of feature column c over all responses: every
/// anchored difference `phi_yc - phi_ac` the library forms is at most `R_c` in magnitude.
private func featureRanges(_ t: PairTable) -> [Double] {
    (0..<t.dimension).map { c in
        let column = (0..<t.responses).map { t.feature($0)[c] }
        return (column.max() ?? 0) - (column.min() ?? 0)
    }
}

/// The O(K^2 d) double sum `sum_{i,j} mu_i mu_j (p - q)(i,j) (phi_i - phi_j)`, one coordinate per
/// entry, straight from the pair table (no antisymmetry used).
private func doublePairSum(_ t: PairTable) -> [Double] {
    t.vectorExpectation { i, j in
        let r = t.residual(i, j)
        return t.featureDifference(i, j).map { r * $0 }
    }
}

@Suite("I1")
struct I1Tests {
    @Test("I1 step 1: dl/da = sigmoid(a) - q, GSL's central derivative of l(a; q) = q softplus(-a) + (1 - q) softplus(a)")
    func lossDerivativeIsResidual() {
        var tally = StepTally()
        eachGeneralInstance { f, n, e in
            let t = PairTable(e)
            for (i, j) in samplePairs(t.responses, count: 6) {
                let a = e.implicitRewardDifference(i, j)
                let b = e.problem.rewards[i] - e.problem.rewards[j]
                // q and 1 - q as the library forms them (1 - sigmoid(b) = sigmoid(-b), no cancellation).
                let q = sigmoid(b), qBar = sigmoid(-b)
                // The step: l is smooth and varies on the scale 1 (l'' = sigmoid'(a) <= 1/4), and for
                // large |a| it is linear up to exp(-|a|); a step proportional to max(1, |a|) keeps GSL's
                // rounding error at u |l| / h.
                let h = 1e-3 * max(1, abs(a))
                guard let d = centralDerivative(at: a, step: h, of: { x in q * softplus(-x) + qBar * softplus(x) }) else {
                    Issue.record("gsl_deriv_central failed at a = \(a); \(replay(.general, f, n))")
                    continue
                }
                // The exact derivative of the evaluated l is qBar sigmoid(a) - q sigmoid(-a); it equals
                // p - q = residual(i, j) up to the rounding of its four factors (a few ulps each, Numerics.swift):
                // 8 u (qBar sigmoid(a) + q sigmoid(-a)). GSL's part: `derivativeSafetyFactor` (GradientTests.swift)
                // times its own error estimate.
                let exact = t.residual(i, j)
                let tolerance = derivativeSafetyFactor * d.errorEstimate + 8 * u * (qBar * sigmoid(a) + q * sigmoid(-a))
                #expect(abs(d.value - exact) <= tolerance,
                        "pair (\(i), \(j)), a = \(a), q = \(q): GSL \(d.value) +- \(d.errorEstimate), p - q = \(exact); \(replay(.general, f, n))")
            }
            tally.checked += 1
        }
        tally.expectEnough("I1 step 1")
    }

    @Test("I1 step 2: h_i - h_j = beta [(phi_i - phi_j) . theta - log(ref_i / ref_j)] (log Z cancels), and s_i - s_j = phi_i - phi_j")
    func implicitRewardDifferenceIsAffineInTheta() {
        var tally = StepTally()
        eachGeneralInstance { f, n, e in
            let t = PairTable(e)
            let k = t.responses, dim = t.dimension
            let beta = e.problem.beta, theta = e.problem.theta, reference = e.problem.reference
            let logRef = reference.map { log($0) }
            let ranges = featureRanges(t)
            // |v_y| <= M_y: the library's anchored log-ratio v_y = (phi_y - phi_b) . theta
            // - (log ref_y - log ref_b) for its anchor b, bounded over every possible anchor z.
            func dotScale(_ i: Int, _ z: Int) -> Double {
                zip(t.featureDifference(i, z), theta).reduce(0) { $0 + abs($1.0 * $1.1) }
            }
            let anchorScale = (0..<k).map { y in (0..<k).map { z in dotScale(y, z) + abs(logRef[y] - logRef[z]) }.max() ?? 0 }
            for (i, j) in samplePairs(k, count: 64) {
                let diff = t.featureDifference(i, j)
                var dot = 0.0
                for c in 0..<dim { dot += diff[c] * theta[c] }
                let expected = beta * (dot - (logRef[i] - logRef[j]))
                // Test side: a d-term dot product of rounded differences, two logs and two
                // subtractions: gamma_{d+3} of the magnitudes entering. Library side: v_i, v_j are
                // double-double rounded once (u |v|), then v_i - v_j and beta times it: 3 u (M_i + M_j).
                // summationBound(d + 3) = (d + 11) u covers both, times beta.
                let scale = dotScale(i, j) + abs(logRef[i]) + abs(logRef[j]) + anchorScale[i] + anchorScale[j]
                let tolerance = beta * summationBound(terms: dim + 3) * scale
                let got = e.implicitRewardDifference(i, j)
                #expect(abs(got - expected) <= tolerance,
                        "pair (\(i), \(j)): library \(got), formula \(expected), tolerance \(tolerance); \(replay(.general, f, n))")
                // s_y = (phi_y - phi_b) - m with one computed mean m for all y, so m cancels exactly in
                // s_i - s_j; what is left is the rounding of phi_y - phi_b (|.| <= R_c) and of the
                // two subtractions: 2 u (2 R_c + |s_ic| + |s_jc|), plus u |phi_i - phi_j| on the test side.
                let si = t.score(i), sj = t.score(j)
                for c in 0..<dim {
                    let scoreTolerance = summationBound(terms: 2) * (2 * ranges[c] + abs(si[c]) + abs(sj[c]))
                    #expect(abs((si[c] - sj[c]) - diff[c]) <= scoreTolerance,
                            "pair (\(i), \(j)) coordinate \(c): s_i - s_j = \(si[c] - sj[c]), phi_i - phi_j = \(diff[c]); \(replay(.general, f, n))")
                }
            }
            tally.checked += 1
        }
        tally.expectEnough("I1 step 2")
    }

    @Test("I1 step 3: beta sum_{i,j} mu_i mu_j (p - q)(phi_i - phi_j), the O(K^2 d) double sum, equals the library's gradient")
    func doubleSumEqualsGradient() {
        var tally = StepTally()
        eachGeneralInstance { f, n, e in
            let t = PairTable(e)
            let beta = e.problem.beta
            let ranges = featureRanges(t)
            let sum = doublePairSum(t)
            // Conditioning, per coordinate c:
            //   A_c = sum mu_i mu_j |p - q| |phi_ic - phi_jc|  (the double sum's terms; error gamma_{K^2} A_c),
            //   B   = sum mu_i mu_j |p - q|, so the library's 2 Phi^T c = 2 sum_i c_i (phi_i - phi_a) (anchored,
            //   |phi_ic - phi_ac| <= R_c) is off by at most gamma_K 2 R_c B (error of each c_i: gamma_K of its
            //   row's magnitudes). Both sides use the same p - q (same implicitRewardDifference, same kernel).
            let magnitudes = t.vectorExpectation { i, j in
                let r = abs(t.residual(i, j))
                return t.featureDifference(i, j).enumerated().map { r * (abs($0.element) + 2 * ranges[$0.offset]) }
            }
            guard let largest = magnitudes.max(), largest == 0 || beta * largest >= resolutionFloor else {
                tally.skipped += 1
                return
            }
            let k = t.responses
            for c in 0..<t.dimension {
                let expected = beta * sum[c]
                // gamma_{K^2} (A_c + 2 R_c B), times beta; 4 u |g_c| for the products by beta and by 2.
                let tolerance = beta * summationBound(terms: k * k) * magnitudes[c] + 4 * u * abs(e.gradient[c])
                #expect(abs(e.gradient[c] - expected) <= tolerance,
                        "coordinate \(c): gradient \(e.gradient[c]), double sum \(expected), tolerance \(tolerance); \(replay(.general, f, n))")
            }
            tally.checked += 1
        }
        tally.expectEnough("I1 step 3")
    }

    @Test("I1 step 4: w_ij = mu_i mu_j (p_ij - q_ij) is antisymmetric, exactly in doubles (w_ji = -w_ij, w_ii = 0)")
    func pairWeightsAreAntisymmetric() {
        var tally = StepTally()
        eachGeneralInstance { f, n, e in
            let t = PairTable(e)
            let mu = t.mu
            // Exact: implicitRewardDifference(j, i) = -implicitRewardDifference(i, j) and
            // r_j - r_i = -(r_i - r_j) in floating point, sigmoidDifference(-a, -b) evaluates the same
            // three factors as -sigmoidDifference(a, b), and mu_i mu_j = mu_j mu_i. No tolerance.
            for i in 0..<t.responses {
                #expect(mu[i] * mu[i] * t.residual(i, i) == 0, "w_ii != 0 at i = \(i); \(replay(.general, f, n))")
                for j in 0..<t.responses where j != i {
                    let wij = mu[i] * mu[j] * t.residual(i, j)
                    let wji = mu[j] * mu[i] * t.residual(j, i)
                    #expect(wij == -wji, "pair (\(i), \(j)): w_ij = \(wij), w_ji = \(wji); \(replay(.general, f, n))")
                }
            }
            tally.checked += 1
        }
        tally.expectEnough("I1 step 4")
    }

    @Test("I1 step 5: sum_{i,j} w_ij (phi_i - phi_j) = 2 Phi^T c with c_i = sum_j w_ij (c and Phi^T c computed here)")
    func doubleSumCollapsesToRowSums() {
        var tally = StepTally()
        eachGeneralInstance { f, n, e in
            let t = PairTable(e)
            let k = t.responses, dim = t.dimension
            let mu = t.mu
            let sum = doublePairSum(t)
            // The row sums c_i and the plain (unanchored) 2 Phi^T c, from the pair table.
            var c = [Double](repeating: 0, count: k)
            var rowMagnitude = [Double](repeating: 0, count: k)
            for i in 0..<k {
                var s = CompensatedSum()
                for j in 0..<k {
                    let w = mu[i] * mu[j] * t.residual(i, j)
                    s.add(w)
                    rowMagnitude[i] += abs(w)
                }
                c[i] = s.value
            }
            let absoluteTerms = t.vectorExpectation { i, j in
                let r = abs(t.residual(i, j))
                return t.featureDifference(i, j).map { r * abs($0) }
            }
            var scaleMax = 0.0
            for col in 0..<dim {
                var collapsed = 0.0
                var unanchored = 0.0   // P_c = sum_i (sum_j |w_ij|) |phi_ic|
                for i in 0..<k {
                    collapsed += c[i] * t.feature(i)[col]
                    unanchored += rowMagnitude[i] * abs(t.feature(i)[col])
                }
                collapsed *= 2
                // Double sum: gamma_{K^2} A_c. 2 Phi^T c: each c_i is off by gamma_K sum_j |w_ij| and the
                // plain sum of K products by gamma_K sum_i |c_i| |phi_ic|, each at most gamma_K P_c, twice:
                // gamma_{K^2} (A_c + 4 P_c). (Unanchored, so features far from 0 cost accuracy: the
                // identity is checked as the proof states it, with no use of sum_i c_i = 0.)
                let tolerance = summationBound(terms: k * k) * (absoluteTerms[col] + 4 * unanchored)
                scaleMax = max(scaleMax, absoluteTerms[col] + unanchored)
                #expect(abs(sum[col] - collapsed) <= tolerance,
                        "coordinate \(col): double sum \(sum[col]), 2 Phi^T c \(collapsed), tolerance \(tolerance); \(replay(.general, f, n))")
            }
            if scaleMax != 0 && scaleMax < resolutionFloor { tally.skipped += 1 } else { tally.checked += 1 }
        }
        tally.expectEnough("I1 step 5")
    }

    @Test("I1 step 6: sum_i c_i = 0 (antisymmetric weights sum to zero): |sum of the library's residual| <= gamma_{K^2} sum |w_ij|")
    func rowSumsSumToZero() {
        var tally = StepTally()
        eachGeneralInstance { f, n, e in
            let t = PairTable(e)
            let k = t.responses
            let magnitude = t.expectation { i, j in abs(t.residual(i, j)) }   // sum_{i,j} |w_ij|
            if magnitude != 0 && magnitude < resolutionFloor {
                tally.skipped += 1
                return
            }
            var total = 0.0
            for ci in e.residual { total += ci }
            // Each c_i is a compensated sum of K terms (error about 2u |c_i| plus a few ulps per term);
            // the K c_i are then summed here: gamma_{K^2} sum |w_ij| covers both.
            #expect(abs(total) <= summationBound(terms: k * k) * magnitude,
                    "sum c = \(total), sum |w| = \(magnitude); \(replay(.general, f, n))")
            tally.checked += 1
        }
        tally.expectEnough("I1 step 6")
    }
}
