// The statement table: each bound written once, read the same way in every arithmetic.

import Foundation
@testable import PVarCore
import Testing

@Suite("StatementTable")
struct StatementTableTests {
    /// Instances on and off the reference, tabular and with features, including a tiny PVar.
    static func instances() throws -> [Problem] {
        [
            try Problem(beta: 1, features: nil, theta: [0, 0], reference: [0.5, 0.5], rewards: [1, 0], pairs: .policy),
            try Problem(beta: 0.7, features: [[1, 0.5], [-0.5, 2], [0.25, -1]], theta: [0.3, -0.2],
                        reference: [0.2, 0.5, 0.3], rewards: [1, -0.5, 2], pairs: .policy),
            try Problem(beta: 2, features: nil, theta: [0, 0, 0], reference: [0.25, 0.25, 0.5], rewards: [0, 1e-160, 3],
                        pairs: .weights([0.2, 0.3, 0.5])),
            try Problem(beta: 1e300, features: nil, theta: [1, 0], reference: [0.5, 0.5], rewards: [2, 0], pairs: .policy),
        ]
    }

    @Test("each statement written as a claim (pvar conjecture's language) has the documented text and evaluates to the statement's value within 8 ulps")
    func statementsAsClaims() throws {
        #expect(BoundID.B0.definition.claimText == "gradientNorm <= beta * scoreSpread * disagreement")
        #expect(BoundID.B1.definition.claimText == "gradientNorm <= sqrt(2) * beta * scoreBound * (sqrt(pvarPolicy) + sqrt(pvarLabels))")
        #expect(BoundID.B2.definition.claimText == "gradientNorm <= sqrt(2) * beta * scoreBound * sqrt(pvarLabels)")
        #expect(BoundID.B3.definition.claimText == "gradientNorm <= 3 * beta * scoreBound * pvarLabels^(1/3)")
        for p in try Self.instances() {
            let e = try Evaluation(p)
            for id in BoundID.allCases {
                let value = e.bound(id).value
                let claimed = e.claimRatio(id.definition.claim).larger
                guard value.isFinite, value > 1e-290, value < 1e290 else { continue }
                // Same factors, plain products instead of safeProduct and pow(x, 1/3) for cbrt:
                // a few roundings apart.
                #expect(abs(claimed - value) <= 8 * Double.ulpOfOne * value, "\(id): claim \(claimed), table \(value)")
            }
        }
    }

    @Test("S1 written as a claim evaluates to snrBound within 8 ulps at the reference")
    func snrAsClaim() throws {
        #expect(snrClaim.text == "snr <= 4.0 * pvarLabels / (1 - 4 * pvarLabels)")
        for p in try Self.instances() {
            let e = try Evaluation(p)
            guard let bound = e.snrBound, bound > 1e-290 else { continue }
            let r = e.claimRatio(snrClaim)
            #expect(abs(r.larger - bound) <= 8 * Double.ulpOfOne * bound, "claim \(r.larger), snrBound \(bound)")
            #expect(r.smaller == e.signalToNoise())
        }
    }

    @Test("the table has one row per BoundID, in order, and each row is found by its id")
    func oneRowPerStatement() {
        #expect(statementTable.map(\.id) == BoundID.allCases)
        for id in BoundID.allCases { #expect(id.definition.id == id) }
    }

    @Test("statement texts, constants and hypotheses read off the table are the documented ones")
    func textsAndConstantsAreTheDocumentedOnes() {
        #expect(BoundID.B0.statement == "||grad L|| <= beta * D * delta  (Cauchy-Schwarz, any mu)")
        #expect(BoundID.B1.statement == "||grad L|| <= sqrt(2) * beta * G * (sqrt(PVar_policy) + sqrt(PVar_labels))  (mu = pi_theta)")
        #expect(BoundID.B2.statement == "||grad L|| <= sqrt(2) * beta * G * sqrt(PVar_labels)  (at the reference, mu = pi_theta)")
        #expect(BoundID.B3.statement == "||grad L|| <= 3 * beta * G * PVar_labels^(1/3)  (at the reference, mu = pi_theta)")
        #expect(BoundID.B0.definition.constant.isOne && BoundID.B0.definition.rootDegree == nil)
        #expect(BoundID.B2.definition.constant.value == 2.0.squareRoot() && BoundID.B2.definition.rootDegree == 2)
        #expect(BoundID.B3.definition.constant.value == 3 && BoundID.B3.definition.rootDegree == 3)
        #expect(BoundID.B0.definition.hypotheses.isEmpty && BoundID.B1.definition.hypotheses == [.pairsArePolicy])
        #expect(Set(BoundID.B2.definition.hypotheses) == [.atReference, .pairsArePolicy])
    }

    @Test("in doubles, each right-hand side is bit for bit the closed form it replaced")
    func doubleValuesAreTheClosedForms() throws {
        for p in try Self.instances() {
            let e = try Evaluation(p)
            let beta = p.beta, sqrt2 = 2.0.squareRoot()
            let cube = PairSums.root(e.scaledPVarLabels, degree: 3)
            #expect(cube == cbrt(e.scaledPVarLabels) * 0x1p-200)
            #expect(PairSums.root(e.scaledPVarLabels, degree: 2) == e.rootPVarLabels)
            #expect(PairSums.root(e.scaledPVarLabels, degree: 1) == e.pvarLabels)
            #expect(BoundID.B0.value(e) == safeProduct(beta, e.scoreSpread, e.disagreement))
            #expect(BoundID.B1.value(e) == safeProduct(sqrt2, beta, e.scoreBound, e.rootPVarPolicy + e.rootPVarLabels))
            #expect(BoundID.B2.value(e) == safeProduct(sqrt2, beta, e.scoreBound, e.rootPVarLabels))
            #expect(BoundID.B3.value(e) == safeProduct(3, beta, e.scoreBound, cube))
        }
    }

    @Test("a changed constant changes only the constant: B2 with constant 1 is B2 / sqrt(2) up to one rounding")
    func changedConstantScalesTheValue() throws {
        for p in try Self.instances() {
            let e = try Evaluation(p)
            let one = BoundID.B2.definition.with(constant: StatementConstant(1)).rightHandSide(in: e.statementInputs)
            let stated = BoundID.B2.value(e)
            #expect(abs(one * 2.0.squareRoot() - stated) <= 4 * stated.ulp, "\(one) vs \(stated)")
        }
    }
}
