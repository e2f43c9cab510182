// T1: when B0 is an equality. Proofs/T1-b0-equality.md.
//
// With v_ij = (p_ij - q_ij)(s_i - s_j), f_ij = |p_ij - q_ij|, g_ij = ||s_i - s_j|| (so ||v_ij|| = f g),
// u = grad L / ||grad L||:
//   beta D delta - ||grad L|| = beta E[||v|| - <u, v>]  +  beta (delta D - E[f g])
//                               (triangle gap, 0 iff (a))   (Cauchy-Schwarz gap, 0 iff D = 0 or (b))
// and both gaps vanish on every K = 2 instance. Each step of that argument is checked below, link by
// link, on random instances of all six families (any pair distribution), and the two conditions are
// shown to be needed on constructed K = 3 instances.

import Foundation
import PVarCertify
import PVarCore
import PVarGSL
import PVarVerify
import PVarTestSupport
import Testing

/// Accuracy of the library's evaluation (gradient, D, delta): 1e-12 relative, the documented
/// agreement with the independent 50-digit evaluation (`Evaluation`'s doc comment).
private let t1LibraryAccuracy = 1e-12

/// Rounding units in the ratio `||grad L|| / (beta D delta)` of a K = 2 instance, whose exact value
/// is 1 for the weights the evaluation uses (up to `mu_1 + mu_2 = 1`).
///
/// Reason (u = eps/2): each side is a product of correctly rounded factors and one Euclidean norm of
/// a d-vector. ||grad L||: w = mu_1 mu_2, w (p - q), each coordinate times a rounded feature
/// difference (4 roundings) and the norm of d coordinates (d/2 + 2 by Higham's bound on sums of
/// squares and the square root), times beta: d/2 + 7. beta D delta: delta = sqrt(2 w e^2) (4),
/// D from d-coordinate centred rows (3 per coordinate, norm d/2 + 2, weighted sum and root 4), the
/// product (2), and |mu_1 + mu_2 - 1| <= 4u inside D (2): d/2 + 17. Their sum plus the division:
/// d + 25; rounded up to 2d + 32 to leave the norms' constants a factor 2.
private func twoResponseRoundings(dimension d: Int) -> Double { Double(2 * d + 32) }

/// One instance with every pair-level quantity of the T1 argument.
private struct T1Pairs {
    let e: Evaluation
    let table: PairTable
    let k: Int
    let d: Int
    let beta: Double
    let message: String

    init(_ e: Evaluation, _ message: String) {
        self.e = e
        table = PairTable(e)
        k = e.problem.responseCount
        d = e.problem.dimension
        beta = e.problem.beta
        self.message = message
    }

    func v(_ i: Int, _ j: Int) -> [Double] {
        let r = table.residual(i, j)
        return table.featureDifference(i, j).map { r * $0 }
    }
    func f(_ i: Int, _ j: Int) -> Double { abs(table.residual(i, j)) }
    func g(_ i: Int, _ j: Int) -> Double { euclideanNorm(table.featureDifference(i, j)) }

    /// `u = grad L / ||grad L||` (library gradient).
    var u: [Double] { e.gradient.map { $0 / e.gradientNorm } }
    /// `E[f g] = E ||v||`.
    var meanFG: Double { table.expectation { f($0, $1) * g($0, $1) } }
    /// `E <u, v>`.
    func meanProjection(_ u: [Double]) -> Double { table.expectation { dot(u, v($0, $1)) } }
    /// `E[||v|| - <u, v>]`, the triangle gap over beta.
    func triangleGap(_ u: [Double]) -> Double { table.expectation { f($0, $1) * g($0, $1) - dot(u, v($0, $1)) } }

    /// Pairs of the support of mu x mu.
    var support: [(Int, Int)] {
        (0..<k).flatMap { i in (0..<k).map { (i, $0) } }.filter { table.mu[$0.0] != 0 && table.mu[$0.1] != 0 }
    }
}

private func dot(_ a: [Double], _ b: [Double]) -> Double {
    var s = AccurateDotAccumulator()
    for (x, y) in zip(a, b) { s.add(x, y) }
    return s.value
}

@Suite("T1")
struct T1Tests {
    /// 6 families x 30 = 180 instances of the general regime (pairs from the policy, the reference
    /// or explicit weights with zeros) per step.
    static let perFamily = 30

    /// Runs `check` on every general instance whose gradient and bound are resolvable in doubles
    /// (both above 1e-290, so u is defined and the gaps are relative to a representable scale);
    /// counts the others and requires them to be at most 5%.
    fileprivate static func forEachInstance(_ check: (T1Pairs) -> Void) {
        var checked = 0, skipped = 0
        for fam in Family.allCases {
            for i in 0..<perFamily {
                let x = T1Pairs(evaluate(generator.instance(.general, fam, index: i)), replay(.general, fam, i))
                // Both sides exactly 0 (K = 1, or mu on one response: D = 0): the trivial equality
                // case D delta = 0, where u is undefined; not a rounding skip.
                if x.e.gradientNorm == 0 && x.e.bound(.B0).value == 0 && !x.e.policyUnderflows {
                    #expect(x.e.scoreSpread == 0 || x.e.disagreement == 0, "\(x.message)")
                    continue
                }
                guard x.e.gradientNorm > resolutionFloor, x.e.bound(.B0).value > resolutionFloor else {
                    skipped += 1
                    continue
                }
                check(x)
                checked += 1
            }
        }
        #expect(checked >= 120, "only \(checked) instances checked")
        #expect(skipped * 20 <= checked + skipped, "\(skipped) of \(checked + skipped) instances below the double range")
    }

    @Test("T1 step 1: grad L = beta E[v], v = (p - q)(s_i - s_j) (I1)")
    func step1GradientIsMeanOfV() {
        Self.forEachInstance { x in
            let pairSum = x.table.vectorExpectation { x.v($0, $1) }.map { x.beta * $0 }
            let diff = euclideanNorm(zip(x.e.gradient, pairSum).map { $0 - $1 })
            // Library gradient to 1e-12; the pair sum: K^2 vector terms, each a product and a
            // difference, partial sums bounded by beta E ||v|| (gamma_{K^2 + d}).
            let tol = t1LibraryAccuracy * x.e.gradientNorm + summationBound(terms: x.k * x.k + x.d) * x.beta * x.meanFG
            #expect(diff <= tol, "||grad L - beta E v|| = \(diff), tol \(tol); \(x.message)")
        }
    }

    @Test("T1 step 2: ||grad L|| = <u, grad L> = beta E<u, v> with u = grad L / ||grad L||")
    func step2NormAsProjection() {
        Self.forEachInstance { x in
            let lhs = x.e.gradientNorm
            let rhs = x.beta * x.meanProjection(x.u)
            // Step 1's tolerance, plus the d-term dot products (gamma_d of E||v||).
            let tol = t1LibraryAccuracy * lhs + summationBound(terms: x.k * x.k + 2 * x.d) * x.beta * x.meanFG
            #expect(abs(lhs - rhs) <= tol, "\(lhs) vs \(rhs), tol \(tol); \(x.message)")
        }
    }

    @Test("T1 step 3: <u, v_ij> <= ||v_ij|| for every pair of the support (Cauchy-Schwarz in R^d)")
    func step3PointwiseProjection() {
        Self.forEachInstance { x in
            let u = x.u
            for (i, j) in x.support {
                let vij = x.v(i, j)
                let proj = dot(u, vij), norm = euclideanNorm(vij)
                // A d-term dot product against a norm of the same d numbers, with ||u|| = 1 to the
                // d-term norm's rounding: 2 gamma_d.
                #expect(proj <= norm * (1 + 2 * summationBound(terms: x.d)), "pair (\(i), \(j)): \(proj) > \(norm); \(x.message)")
            }
        }
    }

    @Test("T1 step 4: beta E[f g] - ||grad L|| = beta E[||v|| - <u, v>] >= 0 (the triangle gap; 0 iff (a))")
    func step4TriangleGap() {
        Self.forEachInstance { x in
            let efg = x.meanFG
            let lhs = x.beta * efg - x.e.gradientNorm
            let rhs = x.beta * x.triangleGap(x.u)
            // Step 2's tolerance (the only other term, beta E[f g], is a sum over the same pairs).
            let tol = t1LibraryAccuracy * x.e.gradientNorm + 2 * summationBound(terms: x.k * x.k + 2 * x.d) * x.beta * efg
            #expect(abs(lhs - rhs) <= tol, "\(lhs) vs \(rhs), tol \(tol); \(x.message)")
            #expect(x.e.gradientNorm <= x.beta * efg * (1 + t1LibraryAccuracy + summationBound(terms: x.k * x.k + x.d)),
                    "||grad L|| \(x.e.gradientNorm) > beta E[f g] \(x.beta * efg); \(x.message)")
        }
    }

    @Test("T1 step 5: with kappa = E[f g] / D^2, E[(f - kappa g)^2] = delta^2 - (E[f g])^2 / D^2 (E f^2 = delta^2, E g^2 = D^2)")
    func step5CauchySchwarzGapIdentity() {
        Self.forEachInstance { x in
            let ef2 = x.table.expectation { x.f($0, $1) * x.f($0, $1) }
            let eg2 = x.table.expectation { x.g($0, $1) * x.g($0, $1) }
            let efg = x.meanFG
            let kappa = efg / eg2
            let lhs = x.table.expectation { let r = x.f($0, $1) - kappa * x.g($0, $1); return r * r }
            let rhs = ef2 - kappa * efg   // = E f^2 - (E fg)^2 / E g^2, without squaring E fg (underflow)
            // Both sides are at most E f^2; the three sums and kappa carry gamma_{K^2 + d} each, which
            // the squares and the cancellation in rhs amplify at most 16-fold (see the Proofs file).
            #expect(abs(lhs - rhs) <= 16 * summationBound(terms: x.k * x.k + x.d) * ef2,
                    "\(lhs) vs \(rhs) (E f^2 = \(ef2)); \(x.message)")
            // The definitions: delta and D from the library (1e-12 relative each, so 2e-12 on squares).
            let tol = 2 * t1LibraryAccuracy + summationBound(terms: x.k * x.k + x.d)
            #expect(relativeError(ef2, x.e.disagreement * x.e.disagreement) <= tol, "E f^2 \(ef2) vs delta^2; \(x.message)")
            #expect(relativeError(eg2, x.e.scoreSpread * x.e.scoreSpread) <= tol, "E g^2 \(eg2) vs D^2; \(x.message)")
        }
    }

    @Test("T1 step 6: E[f g] <= delta D (Cauchy-Schwarz; equality iff D = 0 or f = kappa g on the support: (b))")
    func step6CauchySchwarz() {
        Self.forEachInstance { x in
            let lhs = x.meanFG
            let rhs = x.e.disagreement * x.e.scoreSpread
            let tol = 2 * t1LibraryAccuracy + summationBound(terms: x.k * x.k + x.d)
            #expect(lhs <= rhs * (1 + tol), "E[f g] \(lhs) vs delta D \(rhs); \(x.message)")
        }
    }

    @Test("T1 step 7: beta D delta - ||grad L|| = (triangle gap) + beta (delta D - E[f g]), both gaps >= 0")
    func step7GapDecomposition() {
        Self.forEachInstance { x in
            let value = x.e.bound(.B0).value
            let efg = x.meanFG
            let triangle = x.beta * x.triangleGap(x.u)
            let cauchySchwarz = x.beta * (x.e.disagreement * x.e.scoreSpread - efg)
            // The library's three quantities (1e-12 each) and the two pair sums of step 4.
            let tol = 2 * t1LibraryAccuracy * value + t1LibraryAccuracy * x.e.gradientNorm
                + 2 * summationBound(terms: x.k * x.k + 2 * x.d) * x.beta * efg
            #expect(abs((value - x.e.gradientNorm) - (triangle + cauchySchwarz)) <= tol,
                    "gap \(value - x.e.gradientNorm) vs \(triangle) + \(cauchySchwarz), tol \(tol); \(x.message)")
            #expect(triangle >= -tol && cauchySchwarz >= -tol, "\(triangle), \(cauchySchwarz); \(x.message)")
        }
    }

    @Test("T1 step 8: every K = 2 instance satisfies (a) and (b), so B0's ratio is 1 (any theta, rewards, beta, mu)")
    func step8TwoResponsesAreEqualities() {
        let limits = GeneratorLimits(responses: 2...2, dimension: 1...16)
        let twoResponses = InstanceGenerator(runSeed: runSeed, limits: limits)
        var checked = 0, skipped = 0
        for fam in Family.allCases {
            for i in 0..<40 {
                let e = evaluate(twoResponses.instance(.general, fam, index: i))
                let msg = "seed \(runSeed); replay: \(replayCommand(seed: runSeed, regime: .general, family: fam, index: i, limits: limits))"
                let x = T1Pairs(e, msg)
                // (a): v_12 = v_21 and (b): f_12 = f_21, g_12 = g_21, exactly (p - q and phi_i - phi_j
                // are computed antisymmetrically); the diagonal has v = 0, f = 0, g = 0.
                #expect(x.v(0, 1) == x.v(1, 0) && x.f(0, 1) == x.f(1, 0) && x.g(0, 1) == x.g(1, 0), "\(msg)")
                #expect(x.v(0, 0).allSatisfy { $0 == 0 } && x.f(1, 1) == 0 && x.g(1, 1) == 0, "\(msg)")
                let b = e.bound(.B0)
                if b.lhs == 0 && b.value == 0 && !e.policyUnderflows { continue }   // D = 0: 0 = 0
                guard b.value > resolutionFloor else {
                    skipped += 1
                    continue
                }
                let tol = twoResponseRoundings(dimension: e.problem.dimension) * Double.ulpOfOne / 2
                #expect(abs(b.ratio - 1) <= tol, "ratio \(b.ratio), tol \(tol); \(msg)")
                checked += 1
            }
        }
        #expect(checked >= 120)
        #expect(skipped * 20 <= checked + skipped, "\(skipped) of \(checked + skipped) below the double range")
    }

    // MARK: The two conditions are needed (constructed K = 3 instances)

    /// Three responses, uniform reference, rewards (0, 1, 2), feature rows `[log(1/3), phi_y...]`
    /// with theta = [1, 0, ...]: the logits equal log pi_ref exactly, so p = 1/2 and
    /// p - q = -(q - 1/2) on every pair; s_i - s_j = (0, phi_i - phi_j).
    static func threeResponses(_ phi: [[Double]]) throws -> Problem {
        let reference = [1.0 / 3, 1.0 / 3, 1.0 / 3]
        let rows = zip(phi, reference).map { [log($0.1)] + $0.0 }
        return try Problem(beta: 1, features: rows, theta: [1] + [Double](repeating: 0, count: phi[0].count),
                           reference: reference, rewards: [0, 1, 2])
    }

    @Test("T1 (a) is needed: K = 3, |p - q| = ||s_i - s_j|| on every pair ((b) holds) but the v_ij span a plane: ratio < 1")
    func conditionAIsNeeded() throws {
        // m_ij = |q_ij - 1/2|: m_12 = m_23 = tanh(1/2)/2, m_13 = tanh(1)/2. Features: a triangle
        // with these side lengths (isosceles), so f = g (kappa = 1) and the v_ij are not parallel.
        let m1 = centredSigmoid(1), m2 = centredSigmoid(2)
        let h = (m1 * m1 - m2 * m2 / 4).squareRoot()
        let x = T1Pairs(try Evaluation(Self.threeResponses([[0, 0], [m2 / 2, h], [m2, 0]])), "K = 3, (a) violated")
        let b = x.e.bound(.B0)
        // Closed form: ||E v|| / E||v|| = m_13 (m_12 + m_13) / (2 m_12^2 + m_13^2), and E[f g] = delta D.
        let expected = m2 * (m1 + m2) / (2 * m1 * m1 + m2 * m2)
        // The constructed features and the closed form carry a few roundings each (16) on top of the
        // ratio's own (d = 3).
        let tol = (twoResponseRoundings(dimension: 3) + 16) * Double.ulpOfOne / 2
        #expect(relativeError(b.ratio, expected) <= tol, "ratio \(b.ratio) vs \(expected)")
        #expect(b.ratio < 0.93, "ratio \(b.ratio): a margin of 0.07, 10^13 times the rounding")
        // (b) holds (to rounding), (a) fails by a margin:
        let ef2 = x.table.expectation { x.f($0, $1) * x.f($0, $1) }
        let kappa = x.meanFG / x.table.expectation { x.g($0, $1) * x.g($0, $1) }
        let cs = x.table.expectation { let r = x.f($0, $1) - kappa * x.g($0, $1); return r * r }
        // f = kappa g up to the rounding of the constructed sides and of kappa (well under 64 ulps
        // relative each); the Cauchy-Schwarz gap is quadratic in that deviation.
        let rounding = 64 * Double.ulpOfOne
        #expect(cs <= rounding * rounding * ef2, "Cauchy-Schwarz gap \(cs) should be rounding only")
        #expect(x.triangleGap(x.u) >= 0.05 * x.meanFG, "triangle gap \(x.triangleGap(x.u))")
        // Rigorous: the exact instance satisfies B0 strictly.
        #expect(certify(x.e.problem).bounds[.B0]?.verdict == .holds)
    }

    @Test("T1 (b) is needed: K = 3, collinear features ordered like the rewards ((a) holds) but |p - q| not proportional to ||s_i - s_j||: ratio < 1")
    func conditionBIsNeeded() throws {
        // phi = (0, 1, 10), rewards (0, 1, 2): every v_ij points along -e_2, (a) holds; f = (m_1, m_2, m_1)
        // against g = (1, 10, 9) on the pairs (1,2), (1,3), (2,3) is not proportional.
        let m1 = centredSigmoid(1), m2 = centredSigmoid(2)
        let x = T1Pairs(try Evaluation(Self.threeResponses([[0], [1], [10]])), "K = 3, (b) violated")
        let b = x.e.bound(.B0)
        // Closed form: E[f g] / (delta D) = (10 m_1 + 10 m_2) / sqrt((2 m_1^2 + m_2^2) 182).
        let expected = (10 * m1 + 10 * m2) / ((2 * m1 * m1 + m2 * m2) * 182).squareRoot()
        let tol = (twoResponseRoundings(dimension: 2) + 16) * Double.ulpOfOne / 2
        #expect(relativeError(b.ratio, expected) <= tol, "ratio \(b.ratio) vs \(expected)")
        #expect(b.ratio < 0.91, "ratio \(b.ratio)")
        // (a) holds exactly: every v_ij is a nonnegative multiple of u; (b) fails by a margin.
        // Per pair ||v|| and <u, v> agree to the d-term norm and dot (||u|| = 1 to a d-term norm),
        // then 9 terms are summed: 8 gamma_{9 + d} of E||v|| covers it.
        #expect(abs(x.triangleGap(x.u)) <= 8 * summationBound(terms: 9 + 2) * x.meanFG, "triangle gap \(x.triangleGap(x.u))")
        let ef2 = x.table.expectation { x.f($0, $1) * x.f($0, $1) }
        let kappa = x.meanFG / x.table.expectation { x.g($0, $1) * x.g($0, $1) }
        let cs = x.table.expectation { let r = x.f($0, $1) - kappa * x.g($0, $1); return r * r }
        #expect(cs >= 0.1 * ef2, "Cauchy-Schwarz gap \(cs) of E f^2 = \(ef2)")
        #expect(certify(x.e.problem).bounds[.B0]?.verdict == .holds)
    }

    @Test("T1 at K = 2 the certified verdict is tight (equality cannot be excluded), at K = 1 both sides are 0")
    func twoResponseEqualityIsCertified() throws {
        let p = try Problem(beta: 0.7, features: [[0.3, -1.2], [1.1, 0.4]], theta: [0.5, -0.25],
                            reference: [0.6, 0.4], rewards: [0.9, -0.3])
        #expect(certify(p).bounds[.B0]?.verdict == .tight)
        let one = try Evaluation(Problem(beta: 1, features: [[2.0]], theta: [1], reference: [1], rewards: [0]))
        #expect(one.gradientNorm == 0 && one.bound(.B0).value == 0 && one.bound(.B0).ratio == 0)
    }
}
