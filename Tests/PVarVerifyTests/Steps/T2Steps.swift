// T2: B2 on two responses at the reference, in closed form. Proofs/T2-b2-two-responses.md.
//
// K = 2, mu = pi = pi_ref = (a, b), b = 1 - a, Delta = phi_1 - phi_2 (tabular: e_1 - e_2, norm sqrt 2),
// X = q(1,2) - 1/2 = sigmoid(r_1 - r_2) - 1/2:
//   s_1 = b Delta, s_2 = -a Delta, G = max(a, b) ||Delta||      (step 1)
//   PVar_labels = 2 a b X^2                                     (step 2)
//   grad L = -2 beta a b X Delta                                (step 3)
//   B2's value = 2 beta max(a, b) sqrt(a b) |X| ||Delta||       (step 4)
//   ratio = sqrt(min(a, b) / max(a, b))                         (step 5)
//   ratio = 1 iff a = 1/2, for every reward gap and beta        (step 6)
// Each identity is checked on three sets: a tabular grid (`twoResponsesAtReference`), the same
// grid with feature rows (the column trick), and random K = 2 at-reference instances of all six
// families.

import Foundation
import PVarCertify
import PVarCore
import PVarGSL
import PVarVerify
import PVarTestSupport
import Testing

/// One two-response instance at the reference, with the closed-form ingredients.
private struct TwoResponses {
    let e: Evaluation
    let table: PairTable
    let message: String

    init(_ e: Evaluation, _ message: String) {
        self.e = e
        table = PairTable(e)
        self.message = message
    }

    /// `a, b`: the pair weights (the gradient and PVar use them) ...
    var a: Double { e.pairWeights[0] }
    var b: Double { e.pairWeights[1] }
    /// ... and the policy (the scores and G use it); equal to the pair weights up to rounding.
    var piMax: Double { max(e.policy[0], e.policy[1]) }
    var piMin: Double { min(e.policy[0], e.policy[1]) }
    /// `X = q(1,2) - 1/2`.
    var x: Double { table.centredQ(0, 1) }
    /// `Delta = phi_1 - phi_2 = s_1 - s_2`.
    var delta: [Double] { table.featureDifference(0, 1) }
    var deltaNorm: Double { euclideanNorm(delta) }

    /// Relative effect of being off the reference on `|p - q|` (and so on the gradient):
    /// `|p - 1/2| / |q - 1/2|`, with `|p - 1/2| = |tanh((h_1 - h_2)/2)| / 2 <= |h_1 - h_2| / 4`.
    ///
    /// Reason: `theta = fl(log pi_ref)` (or a feature column `fl(log pi_ref)`) puts the exact instance
    /// off the reference by the rounding of the logs, `h_1 - h_2 ~ 1e-17 beta`; then
    /// `p - q = -X + (p - 1/2)` and `|p - q| = |X| (1 +- |p - 1/2| / |X|)`. For small gaps
    /// `|X| ~ gap/4` and this is `|h_1 - h_2| / gap`; the exact quotient is used because for large
    /// gaps `|X| -> 1/2` stays below `gap/4`, where `|h_1 - h_2| / (gap/4)` would understate it.
    var offReference: Double { (abs(e.implicitRewardDifference(0, 1)) / 4) / abs(x) }

    /// Relative rounding of the policy against the pair weights (for `pairs: reference` they are
    /// computed apart): `pi_y = exp(log pi_y)` with `log pi_y` accurate to about 4 ulps of
    /// `1 + |log pi_y|` (anchored logit, normaliser, difference), and exp turns that absolute error
    /// into a relative one.
    var policyRounding: Double { 4 * Double.ulpOfOne * (1 + e.logPolicy.map { abs($0) }.max()!) }
}

/// Sixteen ulps: the closed forms and the library's values are each a product of a few
/// correctly rounded factors and one Euclidean norm of a d-vector (d <= 16: at most 10 roundings,
/// Higham's bound on sums of squares); 16 ulps = 32 roundings leaves room for both sides.
private let sixteenUlps = 16 * Double.ulpOfOne

@Suite("T2")
struct T2Tests {
    static let firsts = [0.5, 0.3, 0.1, 1e-3, 0.9, 1 - 1e-6]
    static let gaps = [1e-3, 0.7, 5.0, 40.0]
    static let betas = [1e-3, 1.0, 50.0]
    /// Feature rows for the column-trick versions (d = 1 near-identical, 2, 4).
    static let featureSets: [[[Double]]] = [
        [[1.0], [1.0 + 1e-9]],
        [[0.3, -1.2], [1.1, 0.4]],
        [[2.0, -0.5, 0.25, 1.5], [-1.0, 0.75, 3.0, -2.0]],
    ]

    /// Two responses at the reference with feature rows `[log ref_y, phi_y]` and theta = [1, 0, ...]:
    /// the logits are fl(log ref_y) exactly, as for the tabular `theta = fl(log pi_ref)`.
    static func withFeatures(first a: Double, rewardGap gap: Double, beta: Double, _ phi: [[Double]]) throws -> Problem {
        let reference = [a, 1 - a]
        let rows = zip(reference, phi).map { [log($0.0)] + $0.1 }
        return try Problem(beta: beta, features: rows, theta: [1] + [Double](repeating: 0, count: phi[0].count),
                           reference: reference, rewards: [gap, 0])
    }

    /// Every instance of the three sets whose gradient and B2 value are in the double range;
    /// counts those that are not (near-one-hot references) and requires them to be at most 5%.
    fileprivate static func forEachInstance(_ check: (TwoResponses) -> Void) throws {
        var all: [TwoResponses] = []
        for a in firsts {
            for gap in gaps {
                for beta in betas {
                    all.append(TwoResponses(try Evaluation(twoResponsesAtReference(first: a, rewardGap: gap, beta: beta)),
                                            "tabular a \(a) gap \(gap) beta \(beta)"))
                }
                for (n, phi) in featureSets.enumerated() {
                    all.append(TwoResponses(try Evaluation(withFeatures(first: a, rewardGap: gap, beta: 1, phi)),
                                            "features #\(n) a \(a) gap \(gap)"))
                }
            }
        }
        let limits = GeneratorLimits(responses: 2...2, dimension: 1...16)
        let twoResponses = InstanceGenerator(runSeed: runSeed, limits: limits)
        for fam in Family.allCases {
            for i in 0..<30 {
                all.append(TwoResponses(evaluate(twoResponses.instance(.atReference, fam, index: i)),
                                        "seed \(runSeed); replay: \(replayCommand(seed: runSeed, regime: .atReference, family: fam, index: i, limits: limits))"))
            }
        }
        var checked = 0, skipped = 0
        for t in all {
            #expect(t.e.bound(.B2).applies, "\(t.message)")
            guard t.e.gradientNorm > resolutionFloor, t.e.bound(.B2).value > resolutionFloor else {
                skipped += 1
                continue
            }
            check(t)
            checked += 1
        }
        #expect(checked >= 120 + 72, "only \(checked) checked")
        #expect(skipped * 20 <= checked + skipped, "\(skipped) of \(checked + skipped) below the double range")
    }

    @Test("T2 step 1: s_1 = b Delta, s_2 = -a Delta, so G = max(a, b) ||Delta|| (tabular: sqrt2 max(a, b))")
    func step1Scores() throws {
        try Self.forEachInstance { t in
            let pi = t.e.policy
            let s1 = t.delta.map { pi[1] * $0 }, s2 = t.delta.map { -pi[0] * $0 }
            let err1 = euclideanNorm(zip(t.e.scores[0], s1).map { $0 - $1 })
            let err2 = euclideanNorm(zip(t.e.scores[1], s2).map { $0 - $1 })
            #expect(err1 <= sixteenUlps * pi[1] * t.deltaNorm, "s_1 off by \(err1); \(t.message)")
            #expect(err2 <= sixteenUlps * pi[0] * t.deltaNorm, "s_2 off by \(err2); \(t.message)")
            #expect(relativeError(t.e.scoreBound, t.piMax * t.deltaNorm) <= sixteenUlps,
                    "G \(t.e.scoreBound) vs \(t.piMax * t.deltaNorm); \(t.message)")
            if t.e.problem.isTabular {
                #expect(relativeError(t.e.scoreBound, 2.0.squareRoot() * t.piMax) <= sixteenUlps, "\(t.message)")
            }
        }
    }

    @Test("T2 step 2: PVar_labels = 2 a b X^2 (X_11 = X_22 = 0, X_21 = -X_12)")
    func step2PVar() throws {
        try Self.forEachInstance { t in
            #expect(t.table.centredQ(0, 0) == 0 && t.table.centredQ(1, 0) == -t.x, "\(t.message)")
            let closed = safeProduct(2, t.a, t.b, t.x, t.x)
            #expect(relativeError(t.e.pvarLabels, closed) <= sixteenUlps, "\(t.e.pvarLabels) vs \(closed); \(t.message)")
        }
    }

    @Test("T2 step 3: grad L = -2 beta a b X Delta, so ||grad L|| = 2 beta a b |X| ||Delta|| (tabular: 2 sqrt2 beta a b |X|)")
    func step3Gradient() throws {
        try Self.forEachInstance { t in
            let beta = t.e.problem.beta
            let closed = t.delta.map { safeProduct(-2, beta, t.a, t.b, t.x, $0) }
            let err = euclideanNorm(zip(t.e.gradient, closed).map { $0 - $1 })
            let norm = safeProduct(2, beta, t.a, t.b, abs(t.x), t.deltaNorm)
            let tol = sixteenUlps + 2 * t.offReference
            #expect(err <= tol * norm, "||grad L - closed form|| = \(err) of \(norm); \(t.message)")
            #expect(relativeError(t.e.gradientNorm, norm) <= tol, "\(t.e.gradientNorm) vs \(norm); \(t.message)")
            if t.e.problem.isTabular {
                #expect(relativeError(t.e.gradientNorm, safeProduct(2 * 2.0.squareRoot(), beta, t.a, t.b, abs(t.x))) <= tol, "\(t.message)")
            }
        }
    }

    @Test("T2 step 4: B2's value sqrt2 beta G sqrt(PVar) = 2 beta max(a, b) sqrt(a b) |X| ||Delta||")
    func step4BoundValue() throws {
        try Self.forEachInstance { t in
            let closed = safeProduct(2, t.e.problem.beta, t.piMax, t.a.squareRoot(), t.b.squareRoot(), abs(t.x), t.deltaNorm)
            let value = t.e.bound(.B2).value
            #expect(relativeError(value, closed) <= sixteenUlps, "\(value) vs \(closed); \(t.message)")
        }
    }

    @Test("T2 step 5: B2's ratio = a b / (max(a, b) sqrt(a b)) = sqrt(min(a, b) / max(a, b))")
    func step5Ratio() throws {
        try Self.forEachInstance { t in
            let closed = (t.piMin / t.piMax).squareRoot()
            let ratio = t.e.bound(.B2).ratio
            // Steps 3 and 4 (the off-reference term enters the gradient only), and a, b (pair
            // weights) against the policy's min and max.
            let tol = sixteenUlps + 2 * t.offReference + t.policyRounding
            #expect(relativeError(ratio, closed) <= tol, "ratio \(ratio) vs \(closed), tol \(tol); \(t.message)")
            if t.message.hasPrefix("tabular") {   // the grid: reference (a, 1 - a)
                let a = t.e.problem.reference[0]
                #expect(relativeError(ratio, twoResponseB2Ratio(first: a)) <= tol, "\(t.message)")
            }
        }
    }

    @Test("T2 step 6: the ratio is 1 iff the reference is uniform, for every reward gap and beta (certified tight; otherwise certified holds)")
    func step6EqualityIffUniform() throws {
        for gap in Self.gaps + [-3.0] {
            for beta in Self.betas {
                // a = 1/2: both logits fl(log 1/2), so the instance is exactly at the reference.
                let tabular = twoResponsesAtReference(first: 0.5, rewardGap: gap, beta: beta)
                let e = try Evaluation(tabular)
                #expect(abs(e.bound(.B2).ratio - 1) <= sixteenUlps, "gap \(gap) beta \(beta): \(e.bound(.B2).ratio)")
                #expect(certify(tabular).bounds[.B2]?.verdict == .tight, "gap \(gap) beta \(beta)")
            }
            for phi in Self.featureSets {
                let p = try Self.withFeatures(first: 0.5, rewardGap: gap, beta: 1, phi)
                #expect(abs(try Evaluation(p).bound(.B2).ratio - 1) <= sixteenUlps, "gap \(gap) features \(phi)")
                #expect(certify(p).bounds[.B2]?.verdict == .tight, "gap \(gap) features \(phi)")
            }
        }
        // Not uniform: the ratio sqrt(min/max) < 1, decided rigorously, and its enclosure is
        // sqrt(3/7) (a = 0.3) to the off-reference term (1e-17 relative) and the double ends.
        for a in [0.3, 0.7, 1e-3] {
            let p = twoResponsesAtReference(first: a, rewardGap: 1.5, beta: 2)
            let c = try #require(certify(p).bounds[.B2])
            #expect(c.verdict == .holds, "a \(a): \(c.verdict)")
            let closed = twoResponseB2Ratio(first: a)
            #expect(c.ratio.hi < 1 && relativeError(c.ratio.lo, closed) <= sixteenUlps && relativeError(c.ratio.hi, closed) <= sixteenUlps,
                    "a \(a): certified ratio \(c.ratio) vs \(closed)")
        }
    }

    @Test("T2 edge case: equal rewards (X = 0) give PVar = 0 and, up to the off-reference rounding, a zero gradient")
    func equalRewards() throws {
        let e = try Evaluation(twoResponsesAtReference(first: 0.3, rewardGap: 0, beta: 1))
        #expect(e.pvarLabels == 0 && e.bound(.B2).value == 0)
        // grad L = -2 beta a b (p - 1/2) Delta, |p - 1/2| <= |h_1 - h_2| / 4.
        let bound = 2 * e.pairWeights[0] * e.pairWeights[1] * abs(e.implicitRewardDifference(0, 1)) / 4 * 2.0.squareRoot()
        #expect(e.gradientNorm <= bound * (1 + sixteenUlps), "\(e.gradientNorm) vs \(bound)")
        let uniform = try Evaluation(twoResponsesAtReference(first: 0.5, rewardGap: 0, beta: 1))
        #expect(uniform.gradientNorm == 0 && uniform.bound(.B2).ratio == 0)
    }
}
