// S2 step by step (Proofs/S2-descent.md): a step on a low-PVar prompt moves every other
// objective little. Checked on pairs of instances sharing theta: L from an at-reference instance
// of each family, L' from a `general` instance of the same family and dimension evaluated at the
// same theta (its pair distribution frozen, as DPO holds mu fixed when differentiating).

import Foundation
import PVarCore
import PVarGSL
import PVarVerify
import PVarTestSupport
import Testing

@Suite("S2")
struct S2Tests {
    typealias Kit = StepsB1B2C1
    typealias S = StepsS1S2

    /// One pair: `L` (this prompt, at the reference) and `L'` (another prompt sharing theta).
    struct Pair {
        let this: Evaluation
        let table: PairTable
        let other: Evaluation
        let message: String
    }

    /// The other objective for instance `index` of `family`: instance `index` of the `general`
    /// regime drawn with the first instance's dimension (tabular: `K = d`), its `theta` replaced
    /// by the first instance's and its pair weights frozen at that theta. `nil` if that instance
    /// is out of the double range at the shared theta (counted as skipped).
    static func other(sharing a: Problem, family: Family, index: Int) -> (Problem, String)? {
        let d = a.dimension
        let limits = family == .tabular
            ? GeneratorLimits(responses: d...d, dimension: d...d)
            : GeneratorLimits(responses: GeneratorLimits().responses, dimension: d...d)
        let b = InstanceGenerator(runSeed: runSeed, limits: limits).instance(.general, family, index: index)
        guard let shared = try? Problem(beta: b.beta, features: b.features, theta: a.theta, reference: b.reference,
                                        rewards: b.rewards, pairs: b.pairs),
              let mu = try? Evaluation(shared).pairWeights,
              let frozen = try? Problem(beta: b.beta, features: b.features, theta: a.theta, reference: b.reference,
                                        rewards: b.rewards, pairs: .weights(mu))
        else { return nil }
        return (frozen, replayCommand(seed: runSeed, regime: .general, family: family, index: index, limits: limits))
    }

    /// Runs `check` on `Kit.perFamily` pairs per family (180 in all) and expects enough checked.
    static func forEachPair(sourceLocation: SourceLocation = #_sourceLocation, _ check: (Pair) -> Bool) {
        var tally = Kit.Tally()
        for f in Family.allCases {
            for i in 0..<Kit.perFamily {
                let a = generator.instance(.atReference, f, index: i)
                guard let (b, command) = Self.other(sharing: a, family: f, index: i),
                      let eb = try? Evaluation(b)
                else {
                    tally.skipped += 1
                    continue
                }
                let ea = evaluate(a)
                let pair = Pair(this: ea, table: PairTable(ea), other: eb,
                                message: replay(.atReference, f, i) + "; L' (theta replaced by L's, mu frozen): " + command)
                if check(pair) { tally.checked += 1 } else { tally.skipped += 1 }
            }
        }
        Kit.expectEnough(tally, sourceLocation: sourceLocation)
    }

    static func dot(_ x: [Double], _ y: [Double]) -> Double {
        var s = CompensatedSum()
        for (a, b) in zip(x, y) { s.add(a * b) }
        return s.value
    }

    @Test("S2 step 1: d/deta L'(theta - eta grad L) at eta = 0 equals -<grad L', grad L> (chain rule; checked against gsl_deriv_central)")
    func step1DirectionalDerivative() {
        Self.forEachPair { pair in
            let l = pair.this, o = pair.other
            let norm = l.gradientNorm
            let inner = Self.dot(o.gradient, l.gradient)
            if norm == 0 {
                // No step at all (K = 1, or equal rewards exactly at the reference): nothing moves.
                #expect(inner == 0, "\(pair.message): grad L = 0 but <grad L', grad L> = \(inner)")
                return !l.policyUnderflows
            }
            guard norm >= resolutionFloor, o.gradientNorm == 0 || o.gradientNorm >= resolutionFloor else { return false }
            // Differentiate along the unit direction u = grad L / ||grad L|| (step scaled like the
            // Gradient suite's), then multiply by ||grad L||.
            let u = l.gradient.map { $0 / norm }
            let p = o.problem
            let scale = max(1, o.scoreBound) * max(1, p.beta)
            guard let d = centralDerivative(at: 0, step: 1e-3 / scale, of: { t in
                let theta = zip(p.theta, u).map { $0 - t * $1 }
                let moved = try? Problem(beta: p.beta, features: p.features, theta: theta, reference: p.reference,
                                         rewards: p.rewards, pairs: p.pairs)
                return moved.flatMap { try? Evaluation($0).loss } ?? .nan
            }) else {
                Issue.record("\(pair.message): gsl_deriv_central failed")
                return false
            }
            // GSL's estimate with the Gradient suite's safety factor; the inner product of two
            // library gradients, each within acc of its norm, summed compensated (2 u).
            let tolerance = norm * derivativeSafetyFactor * d.errorEstimate
                + (2 * Kit.evaluationAccuracy + 2 * Double.ulpOfOne) * o.gradientNorm * norm
            #expect(abs(d.value * norm + inner) <= tolerance,
                    "\(pair.message): numerical \(d.value * norm) +- \(d.errorEstimate * norm), -<grad L', grad L> = \(-inner)")
            return true
        }
    }

    @Test("S2 step 2: |<grad L', grad L>| <= ||grad L'|| ||grad L|| (Cauchy-Schwarz in R^d)")
    func step2CauchySchwarz() {
        var closest = 0.0
        Self.forEachPair { pair in
            let inner = abs(Self.dot(pair.other.gradient, pair.this.gradient))
            let rhs = pair.other.gradientNorm * pair.this.gradientNorm
            guard Kit.resolved(pair.this, rhs) else { return false }
            // The compensated inner product within 2 u of sum |a_c b_c| <= rhs; each norm within 2 u.
            #expect(inner <= rhs * (1 + 6 * Double.ulpOfOne), "\(pair.message): |<grad L', grad L>| = \(inner) > \(rhs)")
            closest = max(closest, inner / rhs)
            return true
        }
        #expect(closest > 0.5, "no pair comes near Cauchy-Schwarz's equality (largest cosine \(closest))")
    }

    @Test("S2 step 3: at the reference ||grad L|| <= beta D sqrt(PVar_labels) (B0 with delta^2 = PVar_labels; S1 step 11)")
    func step3GradientAtReference() {
        Self.forEachPair { pair in
            let e = pair.this
            let rhs = safeProduct(e.problem.beta, e.scoreSpread, e.rootPVarLabels)
            guard Kit.resolved(e, rhs, e.gradientNorm) else { return false }
            let allowance = Kit.offReferenceAllowance(e, pair.table)
            #expect(e.gradientNorm <= (rhs + allowance) * (1 + Kit.libraryInequalityTolerance),
                    "\(pair.message): ||grad L|| = \(e.gradientNorm) > beta D sqrt(PVar) = \(rhs) (+ \(allowance))")
            return true
        }
    }

    @Test("S2 step 4: D <= sqrt(2) G for any mu (I3), so beta D sqrt(PVar) <= sqrt(2) beta G sqrt(PVar) = B2's value")
    func step4SpreadAtMostRootTwoG() {
        Self.forEachPair { pair in
            let e = pair.this
            let rhs = 2.0.squareRoot() * e.scoreBound
            guard Kit.resolved(e, e.scoreSpread, rhs) else { return false }
            #expect(e.scoreSpread <= rhs * (1 + Kit.libraryInequalityTolerance), "\(pair.message): D = \(e.scoreSpread) > sqrt(2) G = \(rhs)")
            return true
        }
    }

    @Test("S2 step 5: |first-order change of L'| per unit step = |<grad L', grad L>| <= ||grad L'|| sqrt(2) beta G sqrt(PVar_labels)")
    func step5DescentBound() {
        Self.forEachPair { pair in
            let e = pair.this, o = pair.other
            let inner = abs(Self.dot(o.gradient, e.gradient))
            let b2 = safeProduct(2.0.squareRoot(), e.problem.beta, e.scoreBound, e.rootPVarLabels)
            let allowance = Kit.offReferenceAllowance(e, pair.table)
            let rhs = o.gradientNorm * (b2 + allowance)
            guard Kit.resolved(e, rhs, inner) else { return false }
            // Steps 2-4 together: Cauchy-Schwarz (6 u) and two library inequalities.
            #expect(inner <= rhs * (1 + 6 * Double.ulpOfOne + 2 * Kit.libraryInequalityTolerance),
                    "\(pair.message): |<grad L', grad L>| = \(inner) > ||grad L'|| sqrt(2) beta G sqrt(PVar) = \(rhs)")
            return true
        }
    }

    @Test("S2 is attained: L' = L on two responses with a uniform reference, |<grad L, grad L>| = (sqrt(2) beta G sqrt(PVar))^2")
    func equalityWithItself() throws {
        for gap in [1e-3, 0.7, 5.0] {
            for beta in [1e-2, 1.0, 30.0] {
                let e = try Evaluation(twoResponsesAtReference(first: 0.5, rewardGap: gap, beta: beta))
                let inner = Self.dot(e.gradient, e.gradient)
                let b2 = safeProduct(2.0.squareRoot(), beta, e.scoreBound, e.rootPVarLabels)
                // Library values within acc each; B2 is an equality here (suite B2), up to the
                // off-reference rounding of log(1/2) (T2's allowance, far below acc here).
                #expect(relativeError(inner, e.gradientNorm * b2) <= 4 * Kit.evaluationAccuracy,
                        "gap \(gap), beta \(beta): <grad L, grad L> = \(inner), ||grad L|| B2 = \(e.gradientNorm * b2)")
            }
        }
    }

    @Test("S2 edge cases: PVar_labels = 0 at the reference gives grad L = 0, so no other objective moves to first order")
    func edgeCases() throws {
        let flat = try Evaluation(Problem(beta: 1, features: [[1, 0], [0, 2], [3, 1]], theta: [0, 0],
                                          reference: [1.0 / 3, 1.0 / 3, 1.0 / 3], rewards: [0.4, 0.4, 0.4]))
        #expect(flat.pvarLabels == 0 && flat.gradient.allSatisfy { $0 == 0 })
        let other = try Evaluation(Problem(beta: 2, features: [[1, 1], [0, -1]], theta: [0, 0],
                                           reference: [0.5, 0.5], rewards: [1, 0]))
        #expect(Self.dot(other.gradient, flat.gradient) == 0)
    }
}
