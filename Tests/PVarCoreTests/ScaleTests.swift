// Beyond 4,096 responses: the response limit on each side, O(K) tabular score norms and noise
// against the general (K x K) forms, and --no-noise.

import Foundation
import PVarCore
import Testing

@Suite("Scale")
struct ScaleTests {
    /// A tabular instance with K responses: logits from a fixed LCG (seeded), optionally spread
    /// far enough that some probabilities are 1e-200 or underflow.
    static func tabular(_ k: Int, seed: UInt64, spread: Double = 3) throws -> Problem {
        var state = seed &* 6364136223846793005 &+ 1442695040888963407
        func next() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 53)
        }
        let theta = (0..<k).map { _ in (next() - 0.5) * 2 * spread }
        let rewards = (0..<k).map { _ in (next() - 0.5) * 4 }
        let weights = (0..<k).map { _ in 0.1 + next() }
        let total = weights.reduce(0, +)
        return try Problem(beta: 0.5 + next(), features: nil, theta: theta, reference: weights.map { $0 / total }, rewards: rewards)
    }

    @Test("the response limit on each side: K = maximumResponses is accepted, one more is refused with what to do")
    func responseLimit() throws {
        #expect(maximumResponses == 1 << 20)
        let k = maximumResponses
        let ok = try Problem(beta: 1, features: nil, theta: [Double](repeating: 0, count: k),
                             reference: [Double](repeating: 1 / Double(k), count: k), rewards: [Double](repeating: 0, count: k))
        #expect(ok.responseCount == k)
        #expect(throws: InputError.self) {
            _ = try Problem(beta: 1, features: nil, theta: [Double](repeating: 0, count: k + 1),
                            reference: [Double](repeating: 1 / Double(k + 1), count: k + 1), rewards: [Double](repeating: 0, count: k + 1))
        }
        do {
            _ = try Problem(beta: 1, logProbabilities: [Double](repeating: -log(Double(k + 1)), count: k + 1),
                            scores: [[Double]](repeating: [0], count: k + 1),
                            reference: [Double](repeating: 1 / Double(k + 1), count: k + 1), rewards: [Double](repeating: 0, count: k + 1))
            Issue.record("K = 2^20 + 1 in the exported form was accepted")
        } catch {
            #expect(error.field == "reference" && error.description.contains("more than the supported K = 1048576")
                    && error.description.contains("pvar select"), "\(error)")
        }
    }

    @Test("tabular score norms (closed form, O(K)) agree with the norms of the K x K score rows to 8 ulps, near one-hot too")
    func tabularNormsMatchTheRows() throws {
        var checked = 0
        for (k, spread) in [(2, 1.0), (3, 3.0), (17, 3.0), (64, 30.0), (200, 300.0), (50, 800.0)] {
            for seed in 0..<4 {
                let e = try Evaluation(Self.tabular(k, seed: UInt64(seed), spread: spread))
                let rows = e.scores.map(euclideanNorm)
                let g = rows.max() ?? 0
                #expect(abs(e.scoreBound - g) <= 8 * g.ulp, "K = \(k), seed \(seed): G = \(e.scoreBound), rows give \(g)")
                var fisher = 0.0
                for y in 0..<k { fisher += e.policy[y] * rows[y] * rows[y] }
                #expect(abs(e.fisherTrace - fisher) <= 1e-15 * max(fisher, 1e-300) + 1e-300, "K = \(k), seed \(seed): Fisher")
                checked += 1
            }
        }
        // A near-certain response: the anchor's norm is the complement S ~ 1e-200, not 0.
        let p = try Problem(beta: 1, features: nil, theta: [0, -460, -470], reference: [0.5, 0.25, 0.25], rewards: [1, 0, 2])
        let e = try Evaluation(p)
        let anchorRow = euclideanNorm(e.scores[0])
        #expect(anchorRow > 0 && abs(e.fisherTrace - (0..<3).map { e.policy[$0] * pow(euclideanNorm(e.scores[$0]), 2) }.reduce(0, +)) <= 1e-15)
        #expect(checked == 24)
    }

    @Test("tabular noise (O(K^2), O(K) memory) agrees with the general kernel on the exported form to 1e-13")
    func tabularNoiseMatchesTheKernel() throws {
        for (k, spread) in [(2, 1.0), (3, 2.0), (9, 3.0), (40, 5.0), (120, 1.0)] {
            for seed in 0..<3 {
                for pairs in [PairDistribution.policy, .reference, .weights([Double](repeating: 1 / Double(k), count: k))] {
                    let t = try Self.tabular(k, seed: UInt64(seed), spread: spread)
                    let p = try Problem(beta: t.beta, features: nil, theta: t.theta, reference: t.reference, rewards: t.rewards, pairs: pairs)
                    let a = try Evaluation(p).noiseDecomposition(), b = try Evaluation(p.exportedForm()).noiseDecomposition()
                    for (x, y, name) in [(a.pairNoise, b.pairNoise, "pair"), (a.labelNoise, b.labelNoise, "label")] {
                        #expect(abs(x - y) <= 1e-13 * max(abs(y), 1e-300), "K = \(k), seed \(seed), \(pairs): \(name) noise \(x) vs \(y)")
                    }
                }
            }
        }
    }

    @Test("K = 5,000 > the old 4,096 limit: a tabular instance evaluates with its noise; --no-noise writes nulls")
    func beyondTheOldLimit() throws {
        let p = try Self.tabular(5000, seed: 7)
        let e = try Evaluation(p)
        #expect(e.gradientNorm.isFinite && e.gradientNorm > 0 && e.scoreBound > 0)
        let json = e.json(noise: .skipped)
        #expect(json.contains("\"noise\": null") && json.contains("\"labelNoise\": null") && json.contains("\"snr\": null"))
        let n = e.noiseDecomposition()
        #expect(n.total.isFinite && n.total > 0)
        #expect(e.json(noise: .given(n)) == e.json())
    }
}
