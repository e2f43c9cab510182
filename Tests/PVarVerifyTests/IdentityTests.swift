// Identities every exact evaluation must satisfy, on random GSL-drawn instances.

import Foundation
import PVarCore
import PVarGSL
import PVarTestSupport
import Testing

@Suite("Identities")
struct IdentityTests {
    static let cases = spread(20)   // 3 regimes x 6 families x 20 = 360 instances

    @Test("E_{i,j~mu}[p(i,j)] = 1/2 (antisymmetry: p(i,j) + p(j,i) = 1, diagonal 1/2)")
    func meanPreferenceIsOneHalf() {
        for (r, f, i) in Self.cases {
            let e = evaluate(generator.instance(r, f, index: i))
            let k = e.problem.responseCount
            var s = 0.0
            for a in 0..<k { for b in 0..<k { s += e.pairWeights[a] * e.pairWeights[b] * e.modelPreference(a, b) } }
            // Terms are positive and sum to 1/2; the weights' own sum is 1 within K ulps.
            let tol = summationBound(terms: k * k) + Double(2 * k) * Double.ulpOfOne
            #expect(abs(s - 0.5) <= tol * 0.5 + tol, "\(replay(r, f, i))")
        }
    }

    @Test("p - q is antisymmetric: (p - q)(i,j) = -(p - q)(j,i), exactly")
    func residualIsAntisymmetric() {
        for (r, f, i) in Self.cases {
            let e = evaluate(generator.instance(r, f, index: i))
            let k = e.problem.responseCount
            for a in 0..<k {
                for b in 0..<k {
                    let ab = sigmoidDifference(e.implicitRewardDifference(a, b), e.problem.rewards[a] - e.problem.rewards[b])
                    let ba = sigmoidDifference(e.implicitRewardDifference(b, a), e.problem.rewards[b] - e.problem.rewards[a])
                    #expect(ab == -ba, "\(replay(r, f, i)) pair (\(a), \(b))")
                }
            }
        }
    }

    @Test("sum_i c_i = 0 and sum_y pi_y = 1")
    func residualSumsToZeroAndPolicyToOne() {
        for (r, f, i) in Self.cases {
            let e = evaluate(generator.instance(r, f, index: i))
            let k = e.problem.responseCount
            // |c_i| terms are mu_i mu_j |p - q| <= mu_i mu_j, summing to <= 1.
            let c = e.residual.reduce(0, +)
            #expect(abs(c) <= summationBound(terms: k * k), "\(replay(r, f, i)) sum c = \(c)")
            let total = e.policy.reduce(0, +)
            #expect(abs(total - 1) <= summationBound(terms: k), "\(replay(r, f, i)) sum pi = \(total)")
        }
    }

    @Test("pairs from the policy: D^2 = 2 tr F")
    func scoreSpreadIsTwiceFisherTrace() {
        for f in Family.allCases {
            for i in 0..<40 {
                let e = evaluate(generator.instance(.onPolicy, f, index: i))
                let d2 = e.scoreSpread * e.scoreSpread
                let k = e.problem.responseCount
                #expect(relativeError(d2, 2 * e.fisherTrace) <= summationBound(terms: 2 * k) * 4,
                        "\(replay(.onPolicy, f, i)) D^2 = \(d2), 2 tr F = \(2 * e.fisherTrace)")
            }
        }
    }

    /// Rounds to a multiple of 2^-20 (with |x| < 2^30 such numbers add exactly).
    static func dyadic(_ x: Double) -> Double { (min(max(x, -1e6), 1e6) * 1_048_576).rounded() / 1_048_576 }

    @Test("invariance under a constant shift of the logits and of the rewards (exact on dyadic inputs)")
    func shiftOfLogitsChangesNothing() throws {
        for f in Family.allCases {
            for i in 0..<30 {
                let p = generator.instance(.general, f, index: i)
                let base = try Problem(beta: p.beta, features: p.features?.map { $0.map(Self.dyadic) },
                                       theta: p.theta.map(Self.dyadic), reference: p.reference,
                                       rewards: p.rewards.map(Self.dyadic), pairs: p.pairs)
                let shift = Double(i % 7 - 3) * 0.375
                // Tabular: theta + c. Log-linear: every feature row + u (so every logit + u . theta).
                let shifted = try Problem(
                    beta: base.beta,
                    features: base.features?.map { row in row.enumerated().map { $0.element + shift * Double($0.offset + 1) } },
                    theta: base.isTabular ? base.theta.map { $0 + shift } : base.theta,
                    reference: base.reference, rewards: base.rewards.map { $0 + shift }, pairs: base.pairs)
                let a = try Evaluation(base), b = try Evaluation(shifted)
                let msg = replay(.general, f, i)
                #expect(a.loss == b.loss, "\(msg)")
                #expect(a.gradient == b.gradient, "\(msg)")
                #expect(a.pvarPolicy == b.pvarPolicy && a.pvarLabels == b.pvarLabels, "\(msg)")
                #expect(a.disagreement == b.disagreement && a.scoreSpread == b.scoreSpread, "\(msg)")
                #expect(a.scoreBound == b.scoreBound && a.policy == b.policy, "\(msg)")
            }
        }
    }

    @Test("invariance under relabelling the responses")
    func relabellingPermutesEverything() throws {
        for f in Family.allCases {
            for i in 0..<30 {
                let p = generator.instance(.general, f, index: i)
                let k = p.responseCount
                let perm = (0..<k).map { (3 * $0 + i) % k }   // a permutation when gcd(3, k) = 1
                guard Set(perm).count == k else { continue }
                func permute(_ v: [Double]) -> [Double] { perm.map { v[$0] } }
                var pairs = p.pairs
                if case .weights(let w) = p.pairs { pairs = .weights(permute(w)) }
                let q = try Problem(beta: p.beta, features: p.features.map { rows in perm.map { rows[$0] } },
                                    theta: p.isTabular ? permute(p.theta) : p.theta,
                                    reference: permute(p.reference), rewards: permute(p.rewards), pairs: pairs)
                let a = try Evaluation(p), b = try Evaluation(q)
                let msg = replay(.general, f, i)
                // Sums of nonnegative terms reordered: each is within gamma_{K^2} of the exact value.
                let tol = 2 * summationBound(terms: k * k)
                for (x, y) in [(a.loss, b.loss), (a.pvarPolicy, b.pvarPolicy), (a.pvarLabels, b.pvarLabels),
                               (a.disagreement, b.disagreement), (a.scoreSpread, b.scoreSpread),
                               (a.scoreBound, b.scoreBound), (a.fisherTrace, b.fisherTrace)] {
                    #expect(relativeError(x, y) <= tol, "\(msg): \(x) vs \(y)")
                }
                for y in 0..<k {
                    #expect(relativeError(a.policy[perm[y]], b.policy[y]) <= tol, "\(msg)")
                }
            }
        }
    }
}
