// I3, the score-spread identity, checked step by step (Proofs/I3-score-spread.md).
//
// Steps 1-6 hold for every theta and every pair distribution mu: regime `.general`. Steps 7-8
// need mu = pi_theta: regime `.onPolicy`. All six families, `i3PerFamily` instances each.

import Foundation
import PVarCore
import PVarGSL
import PVarVerify
import PVarTestSupport
import Testing

/// Instances per family in each step: 6 families x 25 = 150 instances per step (>= 120).
private let i3PerFamily = 25




private func eachInstance(_ regime: Regime, _ body: (Family, Int, Evaluation) -> Void) {
    for f in Family.allCases {
        for n in 0..<i3PerFamily { body(f, n, evaluate(generator.instance(regime, f, index: n))) }
    }
}

/// `R_c = max_y phi_yc - min_y phi_yc`: every anchored difference `phi_yc - phi_ac` and every
/// weighted mean of such differences is at most `R_c` in magnitude.
private func featureRanges(_ t: PairTable) -> [Double] {
    (0..<t.dimension).map { c in
        let column = (0..<t.responses).map { t.feature($0)[c] }
        return (column.max() ?? 0) - (column.min() ?? 0)
    }
}

private func squaredNorm(_ x: [Double]) -> Double { x.reduce(0) { $0 + $1 * $1 } }

private func difference(_ x: [Double], _ y: [Double]) -> [Double] { zip(x, y).map { $0 - $1 } }

/// `sum_y w_y`, compensated.
private func total(_ w: [Double]) -> Double {
    var s = CompensatedSum()
    for x in w { s.add(x) }
    return s.value
}

@Suite("I3")
struct I3Tests {
    @Test("I3 step 1: s_i - s_j = phi_i - phi_j (the policy's mean feature cancels), for every pair")
    func scoreDifferencesAreFeatureDifferences() {
        var tally = StepTally()
        eachInstance(.general) { f, n, e in
            let t = PairTable(e)
            let ranges = featureRanges(t)
            for i in 0..<t.responses {
                for j in 0..<t.responses {
                    let si = t.score(i), sj = t.score(j), diff = t.featureDifference(i, j)
                    for c in 0..<t.dimension {
                        // s_y = (phi_y - phi_b) - m with one computed mean m for every y, so m cancels
                        // exactly in s_i - s_j; left: the rounding of phi_y - phi_b (|.| <= R_c) and of the
                        // subtractions, 2 u (2 R_c + |s_ic| + |s_jc|), and u |phi_ic - phi_jc| here.
                        let tolerance = summationBound(terms: 2) * (2 * ranges[c] + abs(si[c]) + abs(sj[c]))
                        #expect(abs((si[c] - sj[c]) - diff[c]) <= tolerance,
                                "pair (\(i), \(j)) coordinate \(c): s_i - s_j = \(si[c] - sj[c]), phi_i - phi_j = \(diff[c]); \(replay(.general, f, n))")
                    }
                }
            }
            tally.checked += 1
        }
        tally.expectEnough("I3 step 1")
    }

    @Test("I3 step 2: D^2 = E_mu ||s_i - s_j||^2 = 2 E_mu ||s||^2 - 2 ||E_mu s||^2, any mu")
    func spreadIsTwiceTheScoreVariance() {
        var tally = StepTally()
        eachInstance(.general) { f, n, e in
            let t = PairTable(e)
            let k = t.responses, dim = t.dimension
            let pairSpread = t.expectation { squaredNorm(t.featureDifference($0, $1)) }
            let scoreSpread = t.expectation { squaredNorm(difference(t.score($0), t.score($1))) }
            var meanScore = [Double](repeating: 0, count: dim)
            var second = 0.0
            for y in 0..<k {
                let s = t.score(y)
                second += t.mu[y] * squaredNorm(s)
                for c in 0..<dim { meanScore[c] += t.mu[y] * s[c] }
            }
            let expanded = 2 * second - 2 * squaredNorm(meanScore)
            let d2 = e.scoreSpread * e.scoreSpread
            guard tally.admit(pairSpread, d2, second) else { return }
            // (a) The library's D^2 (documented accuracy, twice for the square) against the pair
            // expectation of ||phi_i - phi_j||^2 (K^2 positive terms, each a d-term sum of squares).
            let spreadTolerance = summationBound(terms: k * k + dim) * pairSpread + 2 * evaluationAccuracy * d2
            #expect(abs(d2 - pairSpread) <= spreadTolerance,
                    "D^2 = \(d2), E ||phi_i - phi_j||^2 = \(pairSpread); \(replay(.general, f, n))")
            // (b) The expansion of the square. Left: positive terms, gamma_{K^2 + d}. Right: A = 2 E||s||^2
            // within gamma_{K + d} A; ||E s||^2 <= E||s||^2 and its error at most 2 gamma_K A: together
            // gamma_{K^2 + d} (left + 4 A).
            let expansionTolerance = summationBound(terms: k * k + dim) * (scoreSpread + 4 * 2 * second)
            #expect(abs(scoreSpread - expanded) <= expansionTolerance,
                    "E ||s_i - s_j||^2 = \(scoreSpread), 2 E||s||^2 - 2 ||E s||^2 = \(expanded); \(replay(.general, f, n))")
        }
        tally.expectEnough("I3 step 2")
    }

    @Test("I3 step 3: D^2 <= 2 E_mu ||s||^2 <= 2 G^2, so D <= sqrt(2) G for every mu (link by link)")
    func spreadIsAtMostRootTwoG() {
        var tally = StepTally()
        eachInstance(.general) { f, n, e in
            let t = PairTable(e)
            let k = t.responses, dim = t.dimension
            var second = 0.0
            for y in 0..<k { second += t.mu[y] * squaredNorm(t.score(y)) }
            let d = e.scoreSpread, g = e.scoreBound
            guard tally.admit(d, g, second) else { return }
            // Link a: D^2 = 2 E||s||^2 - 2 ||E s||^2 <= 2 E||s||^2. D^2 from the library (2 x documented
            // accuracy), 2 E||s||^2 a sum of K positive terms of d squares (gamma_{K + d}).
            let linkA = 2 * evaluationAccuracy + summationBound(terms: k + dim)
            #expect(d * d <= 2 * second * (1 + linkA), "D^2 = \(d * d), 2 E||s||^2 = \(2 * second); \(replay(.general, f, n))")
            // Link b: E||s||^2 <= max_y ||s_y||^2 sum_y mu_y = G^2. The squared norms and G come from the
            // same score rows (gamma_d each), the weights add to 1 within gamma_K: 2 gamma_{K + d}.
            let linkB = 2 * summationBound(terms: k + dim)
            #expect(second <= g * g * (1 + linkB), "E||s||^2 = \(second), G^2 = \(g * g); \(replay(.general, f, n))")
            // The conclusion, on the library's own D and G.
            #expect(d <= 2.0.squareRoot() * g * (1 + linkA + linkB),
                    "D = \(d), sqrt(2) G = \(2.0.squareRoot() * g); \(replay(.general, f, n))")
        }
        tally.expectEnough("I3 step 3")
    }

    @Test("I3 step 4: ||s_i - s_j|| <= ||s_i|| + ||s_j|| <= 2 G, so D <= 2 G (the cruder bound), any mu")
    func spreadIsAtMostTwoG() {
        var tally = StepTally()
        eachInstance(.general) { f, n, e in
            let t = PairTable(e)
            let g = e.scoreBound
            guard tally.admit(g, e.scoreSpread) else { return }
            let norms = (0..<t.responses).map { euclideanNorm(t.score($0)) }
            // Features: the same rows and norm function as the library's G = max_y ||s_y||: exact.
            // Tabular: G comes from the norms' closed forms (`centredRowNorms`), a few ulps from
            // `euclideanNorm` of the materialised rows.
            let slack = e.problem.isTabular ? 8 * g.ulp : 0
            for y in 0..<t.responses {
                #expect(norms[y] <= g + slack, "||s_\(y)|| = \(norms[y]) > G = \(g); \(replay(.general, f, n))")
            }
            for i in 0..<t.responses {
                for j in 0..<t.responses {
                    // Triangle inequality on the computed rows: each norm a few ulps, the difference
                    // u (|s_i| + |s_j|) per coordinate: gamma_{d + 2}.
                    let lhs = euclideanNorm(difference(t.score(i), t.score(j)))
                    #expect(lhs <= (norms[i] + norms[j]) * (1 + summationBound(terms: t.dimension + 2)),
                            "pair (\(i), \(j)): ||s_i - s_j|| = \(lhs), ||s_i|| + ||s_j|| = \(norms[i] + norms[j]); \(replay(.general, f, n))")
                }
            }
            #expect(e.scoreSpread <= 2 * g * (1 + evaluationAccuracy),
                    "D = \(e.scoreSpread), 2 G = \(2 * g); \(replay(.general, f, n))")
        }
        tally.expectEnough("I3 step 4")
    }

    @Test("I3 step 5: E_pi[s] = Phi^T (pi - pi) = 0, any theta")
    func scoresHaveMeanZeroUnderThePolicy() {
        var tally = StepTally()
        eachInstance(.general) { f, n, e in
            let t = PairTable(e)
            let k = t.responses
            let ranges = featureRanges(t)
            let gap = abs(1 - total(t.pi))
            for c in 0..<t.dimension {
                var mean = 0.0, magnitude = 0.0
                for y in 0..<k {
                    mean += t.pi[y] * t.score(y)[c]
                    magnitude += t.pi[y] * abs(t.score(y)[c])
                }
                // s_y = d_y - m, d_y = phi_y - phi_b rounded, m = sum_k pi_k d_k (gamma_K R_c): so
                // sum_y pi_y s_y = (m_exact - m) + (1 - sum pi) m + roundings, at most
                // gamma_{2K} (2 R_c + sum pi |s_c|) + R_c |1 - sum pi|.
                let tolerance = summationBound(terms: 2 * k) * (2 * ranges[c] + magnitude) + ranges[c] * gap
                #expect(abs(mean) <= tolerance,
                        "coordinate \(c): E_pi s = \(mean), tolerance \(tolerance); \(replay(.general, f, n))")
            }
            tally.checked += 1
        }
        tally.expectEnough("I3 step 5")
    }

    @Test("I3 step 6: F = E_pi[s s^T] = Phi^T (diag pi - pi pi^T) Phi entrywise, and tr F = E_pi ||s||^2 (the library's fisherTrace)")
    func fisherMatrixFormula() {
        var tally = StepTally()
        eachInstance(.general) { f, n, e in
            let t = PairTable(e)
            let k = t.responses, dim = t.dimension
            let pi = t.pi
            let ranges = featureRanges(t)
            let gap = abs(1 - total(pi))
            // Phi^T (diag pi - pi pi^T) Phi does not change when a fixed row phi_z is subtracted from
            // every row ((diag pi - pi pi^T) 1 = 0): anchor at the most likely response, so the right
            // side is formed from differences (the library's own conditioning).
            var z = 0
            for y in 0..<k where pi[y] > pi[z] { z = y }
            let anchored = (0..<k).map { t.featureDifference($0, z) }
            var mean = [Double](repeating: 0, count: dim)   // Phi~^T pi
            for y in 0..<k { for c in 0..<dim { mean[c] += pi[y] * anchored[y][c] } }
            let scores = (0..<k).map { t.score($0) }
            var traceRight = 0.0, traceTolerance = 0.0
            for a in 0..<dim {
                for b in a..<dim {
                    var left = 0.0, right = 0.0, scale = 0.0
                    for y in 0..<k {
                        left += pi[y] * scores[y][a] * scores[y][b]
                        right += pi[y] * anchored[y][a] * anchored[y][b]
                        scale += pi[y] * (abs(anchored[y][a]) + ranges[a]) * (abs(anchored[y][b]) + ranges[b])
                    }
                    right -= mean[a] * mean[b]
                    // T_ab = sum pi (|phi~_a| + R_a)(|phi~_b| + R_b) bounds every product formed. Left:
                    // each score is off by at most 2 gamma_{K+3} R_c (its anchored difference, the mean),
                    // 2 + 2 for the two factors and 1 for the sum; right: 2 for the two sums; rounded up
                    // to 8. With sum pi != 1 the two sides differ by (1 - sum pi) m_a m_b exactly.
                    let tolerance = 8 * summationBound(terms: k + 3) * scale + gap * abs(mean[a] * mean[b])
                    #expect(abs(left - right) <= tolerance,
                            "F[\(a), \(b)]: E_pi[s s^T] = \(left), Phi^T (diag pi - pi pi^T) Phi = \(right), tolerance \(tolerance); \(replay(.general, f, n))")
                    if a == b {
                        traceRight += right
                        traceTolerance += tolerance
                    }
                }
            }
            guard tally.admit(e.fisherTrace, traceRight) else { return }
            #expect(abs(e.fisherTrace - traceRight) <= traceTolerance + evaluationAccuracy * e.fisherTrace,
                    "tr F: library \(e.fisherTrace), trace of Phi^T (diag pi - pi pi^T) Phi \(traceRight); \(replay(.general, f, n))")
        }
        tally.expectEnough("I3 step 6")
    }

    @Test("I3 step 7: with mu = pi, D^2 = 2 tr F (E_pi s = 0 in step 2)")
    func onPolicySpreadIsTwiceFisherTrace() {
        var tally = StepTally()
        eachInstance(.onPolicy) { f, n, e in
            let t = PairTable(e)
            let k = t.responses, dim = t.dimension
            let pairSpread = t.expectation(overPolicy: true) { squaredNorm(t.featureDifference($0, $1)) }
            let d2 = e.scoreSpread * e.scoreSpread, twoTrace = 2 * e.fisherTrace
            guard tally.admit(pairSpread, d2, twoTrace) else { return }
            // E_pi ||phi_i - phi_j||^2 (gamma_{K^2 + d}) against 2 tr F (documented accuracy).
            #expect(abs(pairSpread - twoTrace) <= summationBound(terms: k * k + dim) * pairSpread + evaluationAccuracy * twoTrace,
                    "E_pi ||phi_i - phi_j||^2 = \(pairSpread), 2 tr F = \(twoTrace); \(replay(.onPolicy, f, n))")
            // The library's D^2 against its 2 tr F: documented accuracy of each (D twice, for the square).
            #expect(abs(d2 - twoTrace) <= evaluationAccuracy * (2 * d2 + twoTrace),
                    "D^2 = \(d2), 2 tr F = \(twoTrace); \(replay(.onPolicy, f, n))")
        }
        tally.expectEnough("I3 step 7")
    }

    @Test("I3 step 8: with mu = pi, tr F = E_pi ||s||^2 <= G^2, so D = sqrt(2 tr F) <= sqrt(2) G")
    func fisherTraceIsAtMostGSquared() {
        var tally = StepTally()
        eachInstance(.onPolicy) { f, n, e in
            let k = e.problem.responseCount
            let g = e.scoreBound
            guard tally.admit(g, e.fisherTrace) else { return }
            // tr F = sum pi_y ||s_y||^2 from the same norms as G = max ||s_y||; the weights add to 1
            // within gamma_K and the K-term sum adds gamma_K.
            let tolerance = 2 * summationBound(terms: k)
            #expect(e.fisherTrace <= g * g * (1 + tolerance), "tr F = \(e.fisherTrace), G^2 = \(g * g); \(replay(.onPolicy, f, n))")
            #expect(e.scoreSpread <= 2.0.squareRoot() * g * (1 + tolerance + evaluationAccuracy),
                    "D = \(e.scoreSpread), sqrt(2) G = \(2.0.squareRoot() * g); \(replay(.onPolicy, f, n))")
        }
        tally.expectEnough("I3 step 8")
    }

    @Test("I3 tightness: D = sqrt(2) G on two responses with mu = pi uniform (tabular and log-linear); D <= sqrt(2) G is sharp, D <= 2 G is not")
    func rootTwoIsAttained() throws {
        let tabular = try Evaluation(Problem(beta: 1, features: nil, theta: [0, 0], reference: [0.5, 0.5], rewards: [1, 0]))
        let logLinear = try Evaluation(Problem(beta: 0.3, features: [[-1.5, 2], [1.5, -2]], theta: [0, 0],
                                               reference: [0.2, 0.8], rewards: [0, 3], pairs: .weights([0.5, 0.5])))
        for e in [tabular, logLinear] {
            // D and G are each a product of a few correctly rounded factors: 16 ulps (as BoundTests).
            #expect(relativeError(e.scoreSpread, 2.0.squareRoot() * e.scoreBound) <= 16 * Double.ulpOfOne,
                    "D = \(e.scoreSpread), sqrt(2) G = \(2.0.squareRoot() * e.scoreBound)")
            #expect(e.scoreSpread < 2 * e.scoreBound)
        }
    }
}
