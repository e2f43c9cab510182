// B0, ||grad L|| <= beta D delta, checked link by link (Proofs/B0-cauchy-schwarz.md).
//
// The chain ||grad L|| = beta ||E[(p - q)(s_i - s_j)]|| <= beta E[|p - q| ||s_i - s_j||]
// <= beta sqrt(E (p - q)^2) sqrt(E ||s_i - s_j||^2) = beta delta D is checked one link at a time on
// the regime `.general` (any theta, any mu), all six families, `b0PerFamily` instances each, with
// every expectation formed here from the pair table (s_i - s_j = phi_i - phi_j, I3 step 1). The
// whole bound on 10,000 instances and its K = 2 equality are in BoundTests.swift.

import Foundation
import PVarCore
import PVarGSL
import PVarVerify
import PVarTestSupport
import Testing

/// Instances per family in each step: 6 families x 25 = 150 instances per step (>= 120).
private let b0PerFamily = 25



/// The links of the chain, each side formed from the pair table.
private struct Chain {
    /// `E[(p - q)(phi_i - phi_j)]`, the vector whose norm times beta is `||grad L||`.
    let direction: [Double]
    /// `||E[(p - q)(phi_i - phi_j)]||`.
    let normOfMean: Double
    /// `E[|p - q| ||phi_i - phi_j||]`.
    let meanOfNorm: Double
    /// `sqrt(E (p - q)^2) sqrt(E ||phi_i - phi_j||^2)`.
    let cauchySchwarz: Double
    /// Per coordinate, `gamma_{K^2} (A_c + 2 R_c B)`: how far the library's gradient divided by beta and
    /// `direction` may differ (I1 step 3, where it is derived).
    let directionTolerance: [Double]
    /// Relative error of each positive sum of K^2 terms, each term a d-coordinate norm: gamma_{K^2 + d}.
    let sumAccuracy: Double

    init(_ t: PairTable) {
        let k = t.responses, dim = t.dimension
        // Each pair's p - q and phi_i - phi_j, formed once from the pair table (row-major K x K).
        let residual = (0..<(k * k)).map { t.residual($0 / k, $0 % k) }
        let featureDifference = (0..<(k * k)).map { t.featureDifference($0 / k, $0 % k) }
        let differenceNorm = featureDifference.map(euclideanNorm)
        direction = t.vectorExpectation { i, j in featureDifference[i * k + j].map { residual[i * k + j] * $0 } }
        normOfMean = euclideanNorm(direction)
        meanOfNorm = t.expectation { abs(residual[$0 * k + $1]) * differenceNorm[$0 * k + $1] }
        let squaredDisagreement = t.expectation { residual[$0 * k + $1] * residual[$0 * k + $1] }
        let squaredSpread = t.expectation { featureDifference[$0 * k + $1].reduce(0) { $0 + $1 * $1 } }
        cauchySchwarz = squaredDisagreement.squareRoot() * squaredSpread.squareRoot()
        let ranges = (0..<dim).map { c in
            let column = (0..<k).map { t.feature($0)[c] }
            return (column.max() ?? 0) - (column.min() ?? 0)
        }
        let magnitudes = t.vectorExpectation { i, j in
            let r = abs(residual[i * k + j])
            return featureDifference[i * k + j].enumerated().map { r * (abs($0.element) + 2 * ranges[$0.offset]) }
        }
        directionTolerance = magnitudes.map { summationBound(terms: k * k) * $0 }
        sumAccuracy = summationBound(terms: k * k + dim)
    }

    /// Inequality links a <= b: each side is within `sumAccuracy` of its exact value, relative to
    /// the larger side (for `normOfMean` the error of the vector sum is at most `sumAccuracy` times
    /// `meanOfNorm`), so a <= b gives computed a <= computed b (1 + e) / (1 - e) <= b (1 + 3 e).
    var linkTolerance: Double { 3 * sumAccuracy }
}


private func eachGeneralInstance(_ body: (Family, Int, Evaluation, Chain) -> Void) {
    for f in Family.allCases {
        for n in 0..<b0PerFamily {
            let e = evaluate(generator.instance(.general, f, index: n))
            body(f, n, e, Chain(PairTable(e)))
        }
    }
}

extension B0Tests {
    @Test("B0 step 1: ||grad L|| = beta ||E[(p - q)(s_i - s_j)]|| (I1), the library's gradient norm against the pair double sum")
    func stepOneGradientIsBetaTimesPairMean() {
        var tally = StepTally()
        eachGeneralInstance { f, n, e, chain in
            let beta = e.problem.beta
            guard tally.admit(e.gradientNorm, beta * chain.normOfMean, beta * chain.meanOfNorm) else { return }
            // The two vectors differ coordinatewise by at most beta * directionTolerance (I1 step 3), so
            // their norms by the norm of that vector; 4 u for the norms and the products by 2 and beta.
            let tolerance = beta * euclideanNorm(chain.directionTolerance) + 4 * u * e.gradientNorm
            #expect(abs(e.gradientNorm - beta * chain.normOfMean) <= tolerance,
                    "||grad L|| = \(e.gradientNorm), beta ||E[(p - q)(s_i - s_j)]|| = \(beta * chain.normOfMean); \(replay(.general, f, n))")
        }
        tally.expectEnough("B0 step 1")
    }

    @Test("B0 step 2: ||E[(p - q)(s_i - s_j)]|| <= E[|p - q| ||s_i - s_j||] (triangle inequality for the norm of a sum)")
    func stepTwoTriangleInequality() {
        var tally = StepTally()
        eachGeneralInstance { f, n, _, chain in
            guard tally.admit(chain.normOfMean, chain.meanOfNorm) else { return }
            #expect(chain.normOfMean <= chain.meanOfNorm * (1 + chain.linkTolerance),
                    "||E[.]|| = \(chain.normOfMean), E||.|| = \(chain.meanOfNorm); \(replay(.general, f, n))")
        }
        tally.expectEnough("B0 step 2")
    }

    @Test("B0 step 3: E[|p - q| ||s_i - s_j||] <= sqrt(E (p - q)^2) sqrt(E ||s_i - s_j||^2) (Cauchy-Schwarz, weights mu_i mu_j)")
    func stepThreeCauchySchwarz() {
        var tally = StepTally()
        eachGeneralInstance { f, n, _, chain in
            guard tally.admit(chain.meanOfNorm, chain.cauchySchwarz) else { return }
            #expect(chain.meanOfNorm <= chain.cauchySchwarz * (1 + chain.linkTolerance),
                    "E[|p - q| ||s_i - s_j||] = \(chain.meanOfNorm), Cauchy-Schwarz bound \(chain.cauchySchwarz); \(replay(.general, f, n))")
        }
        tally.expectEnough("B0 step 3")
    }

    @Test("B0 step 4: sqrt(E (p - q)^2) sqrt(E ||s_i - s_j||^2) = delta D, the library's disagreement times score spread")
    func stepFourIsDeltaTimesD() {
        var tally = StepTally()
        eachGeneralInstance { f, n, e, chain in
            let value = e.disagreement * e.scoreSpread
            guard tally.admit(chain.cauchySchwarz, value) else { return }
            // Two positive sums and their square roots (gamma_{K^2 + d}) against two library outputs
            // (documented accuracy each).
            let tolerance = chain.sumAccuracy * chain.cauchySchwarz + 2 * evaluationAccuracy * value
            #expect(abs(chain.cauchySchwarz - value) <= tolerance,
                    "sqrt(E(p - q)^2) sqrt(E||s_i - s_j||^2) = \(chain.cauchySchwarz), delta D = \(value); \(replay(.general, f, n))")
            // And beta delta D is the bound B0 reports.
            #expect(relativeError(e.bound(.B0).value, e.problem.beta * value) <= 4 * u,
                    "B0's value \(e.bound(.B0).value), beta delta D \(e.problem.beta * value); \(replay(.general, f, n))")
        }
        tally.expectEnough("B0 step 4")
    }

    @Test("B0 tightness: with K = 2 steps 2 and 3 are both equalities (one unordered pair), for any theta, rewards, beta, mu")
    func twoResponsesMakeBothLinksEqualities() {
        let limits = GeneratorLimits(responses: 2...2, dimension: 1...16)
        let twoResponseGenerator = InstanceGenerator(runSeed: runSeed, limits: limits)
        var tally = StepTally()
        for f in Family.allCases {
            for n in 0..<b0PerFamily {
                let e = evaluate(twoResponseGenerator.instance(.general, f, index: n))
                let chain = Chain(PairTable(e))
                let context = "seed \(runSeed); replay: \(replayCommand(seed: runSeed, regime: .general, family: f, index: n, limits: limits))"
                guard tally.admit(chain.normOfMean, chain.meanOfNorm, chain.cauchySchwarz) else { continue }
                // Equality up to the rounding of each side (the same tolerance as the inequality links).
                #expect(abs(chain.normOfMean - chain.meanOfNorm) <= chain.linkTolerance * chain.meanOfNorm,
                        "step 2: \(chain.normOfMean) vs \(chain.meanOfNorm); \(context)")
                #expect(abs(chain.meanOfNorm - chain.cauchySchwarz) <= chain.linkTolerance * chain.cauchySchwarz,
                        "step 3: \(chain.meanOfNorm) vs \(chain.cauchySchwarz); \(context)")
            }
        }
        tally.expectEnough("B0 K = 2 equality")
    }

    @Test("B0 tightness: K = 3, step 2 is strict for non-collinear feature differences and for collinear ones of mixed direction, an equality for aligned ones")
    func threeResponsesEqualityConditionOfStepTwo() throws {
        func chain(_ features: [[Double]], _ theta: [Double], _ reference: [Double], _ rewards: [Double]) throws -> Chain {
            Chain(PairTable(try Evaluation(Problem(beta: 1, features: features, theta: theta,
                                                   reference: reference, rewards: rewards))))
        }
        // Feature differences (1, 0), (0, 1), (-1, 1): pairwise non-collinear; every p - q nonzero.
        let plane = try chain([[0, 0], [1, 0], [0, 1]], [0.3, -0.2], [0.2, 0.3, 0.5], [0, 1, 2.5])
        // d = 1, phi = (0, 1, 2), theta = 0 and a uniform reference: at the reference, p = 1/2 and
        // p - q = 1/2 - q. Rewards falling along phi, (2, 1, 0), make every (p - q)(phi_i - phi_j)
        // positive (aligned); rewards (0, 2, 1) give mixed signs.
        let third = 1.0 / 3
        let aligned = try chain([[0], [1], [2]], [0], [third, third, third], [2, 1, 0])
        let mixed = try chain([[0], [1], [2]], [0], [third, third, third], [0, 2, 1])
        // Strict means: below the right side by more than the rounding tolerance of the link.
        for (name, c) in [("non-collinear", plane), ("collinear, mixed signs", mixed)] {
            #expect(c.normOfMean < c.meanOfNorm * (1 - c.linkTolerance),
                    "\(name), step 2: \(c.normOfMean) vs \(c.meanOfNorm) (ratio \(c.normOfMean / c.meanOfNorm))")
        }
        #expect(abs(aligned.normOfMean - aligned.meanOfNorm) <= aligned.linkTolerance * aligned.meanOfNorm,
                "aligned, step 2: \(aligned.normOfMean) vs \(aligned.meanOfNorm)")
        // In the aligned case step 3 stays strict: |p - q| is not proportional to ||phi_i - phi_j||
        // (|1/2 - sigmoid(-1)| / 1 != |1/2 - sigmoid(-2)| / 2).
        #expect(aligned.meanOfNorm < aligned.cauchySchwarz * (1 - aligned.linkTolerance),
                "aligned, step 3: \(aligned.meanOfNorm) vs \(aligned.cauchySchwarz) (ratio \(aligned.meanOfNorm / aligned.cauchySchwarz))")
    }
}
