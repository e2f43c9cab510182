// B3 (the Chebyshev form of B2), checked step by step: Proofs/B3-chebyshev.md.
//
// At the reference (mu = pi = pi_ref), with X = q - 1/2:
//   ||grad L|| = ||beta E[-X (s_i - s_j)]||                      (step 1)
//             <= beta E[|X| ||s_i - s_j||]                       (step 2)
//             <= 2 beta G E|X|                                   (step 3)
//   E|X| <= t + (1/2) P(|X| > t)                  for every t > 0 (step 4)
//   P(|X| > t) <= PVar / t^2                                     (step 5, Chebyshev)
//   t + PVar / (2 t^2) = (3/2) PVar^(1/3) at t = PVar^(1/3)      (step 6)
// Each link is its own expectation, so a wrong step fails its own test.

import Foundation
import PVarCore
import PVarGSL
import PVarVerify
import PVarTestSupport
import Testing

/// Pair-level quantities of one at-reference instance that the B3 steps need.
private struct B3Pairs {
    let family: Family
    let index: Int
    let e: Evaluation
    let table: PairTable
    let k: Int
    let d: Int
    let beta: Double

    init(_ family: Family, _ index: Int) {
        self.init(evaluate(generator.instance(.atReference, family, index: index)), family, index)
    }

    init(_ e: Evaluation, _ family: Family = .tabular, _ index: Int = -1) {
        self.family = family
        self.index = index
        self.e = e
        table = PairTable(e)
        k = e.problem.responseCount
        d = e.problem.dimension
        beta = e.problem.beta
    }

    var message: String { replay(.atReference, family, index) }

    /// `|X_ij| = |q(i,j) - 1/2|`.
    func absX(_ i: Int, _ j: Int) -> Double { abs(table.centredQ(i, j)) }
    /// `||s_i - s_j|| = ||phi_i - phi_j||`.
    func spread(_ i: Int, _ j: Int) -> Double { euclideanNorm(table.featureDifference(i, j)) }

    /// `E|X|`.
    var meanAbsX: Double { table.expectation { absX($0, $1) } }
    /// `P(|X| > t)`: the pair weights mu_i mu_j of the pairs with |X_ij| > t.
    func tail(_ t: Double) -> Double { table.expectation { absX($0, $1) > t ? 1 : 0 } }

    /// `beta E[|p - 1/2| ||s_i - s_j||]`: how far the instance is from the exact reference.
    ///
    /// The generator's at-reference instances have logits `fl(log pi_ref)` (times an exact power
    /// of two), while the evaluation takes `log pi_ref` in double-double; the implicit rewards then
    /// differ by the rounding of the logs (about 1e-17 beta), and `p - 1/2` is that over 4. By
    /// the triangle inequality the gradient differs from `beta E[-X (s_i - s_j)]` by at most this
    /// amount. It is an exact property of the instance, not a tolerance.
    var offReference: Double {
        beta * table.expectation { abs(table.centredP($0, $1)) * spread($0, $1) }
    }

    /// The values of t at which steps 4 and 5 are checked: the proof's t = PVar^(1/3), the
    /// alternatives sqrt(PVar) and 2 PVar^(1/3), the fixed 1/8, and the |X| of two pairs of the
    /// support (the largest, and one from the middle), where the indicator 1{|X| > t} switches.
    var thresholds: [Double] {
        var ts = [e.claimRoot(.pvarLabels, degree: 3), e.rootPVarLabels, 2 * e.claimRoot(.pvarLabels, degree: 3), 0.125]
        var xs: [Double] = []
        for i in 0..<k where table.mu[i] != 0 {
            for j in 0..<k where table.mu[j] != 0 && i != j { xs.append(absX(i, j)) }
        }
        xs.sort()
        if let m = xs.last { ts.append(m) }
        if !xs.isEmpty { ts.append(xs[xs.count / 2]) }
        return ts.filter { $0 > 0 && $0.isFinite }
    }
}


extension B3Tests {
    /// Instances per family for every step: 6 families x 30 = 180 at-reference instances.
    static let stepInstancesPerFamily = 30

    /// Runs `check` on every at-reference instance whose PVar is resolvable in doubles
    /// (PVar > 1e-290, else the cube root, t and the tail are below the double range); counts
    /// the others and requires them to be at most 5%. Instances with PVar = 0 exactly are
    /// the edge case of their own test.
    fileprivate static func forEachInstance(_ check: (B3Pairs) -> Void) {
        var checked = 0, skipped = 0
        for f in Family.allCases {
            for i in 0..<stepInstancesPerFamily {
                let x = B3Pairs(f, i)
                #expect(x.e.bound(.B3).applies, "hypotheses of B3 must hold; \(x.message)")
                if x.e.pvarLabels == 0 { continue }
                guard x.e.pvarLabels > resolutionFloor, x.e.gradientNorm > resolutionFloor || x.e.gradientNorm == 0 else {
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

    @Test("B3 step 1: at the reference p = 1/2, so grad L = beta E[-X (s_i - s_j)] (X = q - 1/2)")
    func step1GradientAtReference() {
        Self.forEachInstance { x in
            let g = x.e.gradient
            let pairSum = x.table.vectorExpectation { i, j in
                let minusX = -x.table.centredQ(i, j)
                return x.table.featureDifference(i, j).map { minusX * $0 }
            }.map { x.beta * $0 }
            let diff = euclideanNorm(zip(g, pairSum).map { $0 - $1 })
            // Scale of the pair sum: beta E[|X| ||s_i - s_j||] bounds every partial sum; K^2 terms,
            // each a product and a difference (gamma_{K^2 + d}); the library gradient to 1e-12.
            let scale = x.beta * x.table.expectation { x.absX($0, $1) * x.spread($0, $1) }
            let tol = evaluationAccuracy * x.e.gradientNorm + summationBound(terms: x.k * x.k + x.d) * scale
            #expect(diff <= x.offReference + tol,
                    "||grad L - beta E[-X ds]|| = \(diff), off-reference \(x.offReference), tol \(tol); \(x.message)")
        }
    }

    @Test("B3 step 2: ||grad L|| <= beta E[|X| ||s_i - s_j||] (triangle inequality)")
    func step2TriangleInequality() {
        Self.forEachInstance { x in
            let lhs = x.e.gradientNorm
            let rhs = x.beta * x.table.expectation { x.absX($0, $1) * x.spread($0, $1) }
            // lhs: library (1e-12); rhs: K^2 nonnegative terms, each with a d-term norm.
            let tol = evaluationAccuracy + summationBound(terms: x.k * x.k + x.d)
            #expect(lhs <= rhs * (1 + tol) + x.offReference, "\(lhs) vs \(rhs); \(x.message)")
        }
    }

    @Test("B3 step 3: beta E[|X| ||s_i - s_j||] <= 2 beta G E|X| (||s_i - s_j|| <= 2G)")
    func step3ScoreBound() {
        Self.forEachInstance { x in
            let lhs = x.table.expectation { x.absX($0, $1) * x.spread($0, $1) }
            let rhs = 2 * x.e.scoreBound * x.meanAbsX
            // G from the library (1e-12); two sums of K^2 nonnegative terms (one with d-term norms).
            let tol = evaluationAccuracy + 2 * summationBound(terms: x.k * x.k + x.d)
            #expect(lhs <= rhs * (1 + tol), "\(lhs) vs \(rhs); \(x.message)")
        }
    }

    @Test("B3 step 4: E|X| <= t + (1/2) P(|X| > t) for every t > 0 (|X| < 1/2)")
    func step4SplitAtT() {
        Self.forEachInstance { x in
            let lhs = x.meanAbsX
            for t in x.thresholds {
                let rhs = t + 0.5 * x.tail(t)
                // Pointwise |X| <= t + (1/2) 1{|X| > t} holds for the computed X themselves, so only
                // the two K^2-term sums round, and the weights mu_i mu_j sum to 1 within 2e-12
                // (each mu_y from the library to 1e-12).
                let tol = 2 * evaluationAccuracy + 2 * summationBound(terms: x.k * x.k)
                #expect(lhs <= rhs * (1 + tol), "t \(t): E|X| \(lhs) vs \(rhs); \(x.message)")
            }
        }
    }

    @Test("B3 step 5: P(|X| > t) <= PVar_labels / t^2 (Chebyshev, E X = 0, E X^2 = PVar)")
    func step5Chebyshev() {
        Self.forEachInstance { x in
            for t in x.thresholds {
                let lhs = x.tail(t)
                let rhs = x.e.pvarLabels / (t * t)
                // 1{|X| > t} <= X^2 / t^2 for the computed X; the library's PVar sums the same X^2
                // (1e-12), the tail is a K^2-term sum, and t^2 and the division round twice.
                let tol = evaluationAccuracy + 2 * summationBound(terms: x.k * x.k) + 2 * Double.ulpOfOne
                #expect(lhs <= rhs * (1 + tol), "t \(t): P \(lhs) vs PVar/t^2 \(rhs); \(x.message)")
            }
        }
    }

    @Test("B3 step 6: at t = PVar^(1/3), t + PVar/(2 t^2) = (3/2) PVar^(1/3), and 2 beta G (3/2) PVar^(1/3) is B3's value")
    func step6ChoiceOfT() {
        Self.forEachInstance { x in
            let pvar = x.e.pvarLabels
            let t = x.e.claimRoot(.pvarLabels, degree: 3)
            let combined = t + 0.5 * pvar / (t * t)
            // t = cbrt(S) 2^-200 and PVar = S 2^-600 from the same scaled sum S, cbrt within 1 ulp
            // (glibc): PVar / t^2 = t (1 +- 3 ulp) after three more roundings; 8 ulps.
            #expect(relativeError(combined, 1.5 * t) <= 8 * Double.ulpOfOne, "\(combined) vs \(1.5 * t); \(x.message)")
            // 2 beta G (3/2) t against the library's safeProduct(3, beta, G, t): four roundings each side.
            let b3 = x.e.bound(.B3).value
            #expect(relativeError(2 * x.beta * x.e.scoreBound * (1.5 * t), b3) <= 8 * Double.ulpOfOne,
                    "\(2 * x.beta * x.e.scoreBound * 1.5 * t) vs B3 \(b3); \(x.message)")
            // t = PVar^(1/3) is the best t: by AM-GM t/2 + t/2 + PVar/(2t^2) >= 3 (PVar/8)^(1/3).
            for s in x.thresholds {
                let other = s + 0.5 * pvar / (s * s)
                #expect(other >= 1.5 * t * (1 - 8 * Double.ulpOfOne), "t \(s): \(other) < (3/2) PVar^(1/3) = \(1.5 * t); \(x.message)")
            }
        }
    }

    @Test("B3 looseness: E|X| <= sqrt(E X^2) = sqrt(PVar) < (3/2) PVar^(1/3), the shortcut that gives B2's exponent 1/2")
    func jensenBeatsChebyshev() {
        Self.forEachInstance { x in
            let m = x.meanAbsX
            // K^2-term sum of nonnegative terms against the library's sqrt(PVar) (1e-12).
            #expect(m <= x.e.rootPVarLabels * (1 + evaluationAccuracy + summationBound(terms: x.k * x.k)),
                    "E|X| \(m) vs sqrt(PVar) \(x.e.rootPVarLabels); \(x.message)")
            // PVar < 1/4 (T3), so sqrt(PVar) = PVar^(1/3) PVar^(1/6) < 4^(-1/6) PVar^(1/3) < (3/2) PVar^(1/3).
            #expect(x.e.rootPVarLabels < 1.5 * x.e.claimRoot(.pvarLabels, degree: 3), "\(x.message)")
        }
    }

    @Test("B3 edge case PVar = 0: X = 0 on the support (t -> 0 in step 4), so both the gradient and the bound are 0")
    func zeroPVarGivesZeroBound() throws {
        var cases: [(B3Pairs, String)] = []
        for f in Family.allCases {
            for i in 0..<Self.stepInstancesPerFamily {
                let x = B3Pairs(f, i)
                if x.e.pvarLabels == 0 && !x.e.policyUnderflows { cases.append((x, x.message)) }
            }
        }
        // Pinned: K = 1, and two responses with equal rewards (theta = fl(log pi_ref)).
        cases.append((B3Pairs(try Evaluation(Problem(beta: 2, features: nil, theta: [0], reference: [1], rewards: [3]))), "K = 1"))
        cases.append((B3Pairs(try Evaluation(twoResponsesAtReference(first: 0.3, rewardGap: 0))), "K = 2, equal rewards"))
        for (x, message) in cases {
            #expect(x.meanAbsX == 0, "\(message)")
            #expect(x.e.bound(.B3).value == 0, "\(message)")
            // With X = 0 the gradient is beta E[(p - 1/2)(s_i - s_j)]: only the off-reference
            // rounding term (exactly 0 at K = 1); library accuracy 1e-12.
            #expect(x.e.gradientNorm <= x.offReference * (1 + evaluationAccuracy), "\(x.e.gradientNorm); \(message)")
        }
    }
}
