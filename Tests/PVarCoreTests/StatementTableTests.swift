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
            try Problem(beta: 1.5, features: nil, theta: [0, 0, 0], reference: [1.0 / 3, 1.0 / 3, 1.0 / 3],
                        rewards: [0, 2, -1], pairs: .weights([0.5, 0.3, 0.2])),
        ]
    }

    @Test("each statement is a claim in pvar conjecture's language with the documented text; the same text typed by a user gives the statement's value bit for bit")
    func statementsAsClaims() throws {
        #expect(BoundID.B0.definition.claimText == "gradientNorm <= beta * scoreSpread * disagreement")
        #expect(BoundID.B1.definition.claimText == "gradientNorm <= sqrt(2) * beta * scoreBound * (sqrt(pvarPolicy) + sqrt(pvarLabels))")
        #expect(BoundID.B2.definition.claimText == "gradientNorm <= sqrt(2) * beta * scoreBound * sqrt(pvarLabels)")
        #expect(BoundID.B3.definition.claimText == "gradientNorm <= 3 * beta * scoreBound * pvarLabels^(1/3)")
        #expect(BoundID.B2.definition.with(constant: StatementConstant(1.3)).claimText
                == "gradientNorm <= 1.3 * beta * scoreBound * sqrt(pvarLabels)")
        var compared = 0
        for p in try Self.instances() {
            let e = try Evaluation(p)
            for id in BoundID.allCases {
                let typed = try Claim.parse(id.definition.claimText)
                let r = e.claimRatio(typed)
                #expect(r.larger.bitPattern == e.bound(id).value.bitPattern, "\(id): typed claim \(r.larger), statement \(e.bound(id).value)")
                #expect(r.smaller == e.gradientNorm)
                compared += 1
            }
        }
        #expect(compared == 20)
    }

    @Test("S1 is the claim snr <= 4 * pvarLabels / (4 * labelVariance); the text typed by a user gives snrBound bit for bit, and the stated form 4 PVar / (1 - 4 PVar) within the cancellation allowance")
    func snrAsClaim() throws {
        #expect(snrClaim.text == "snr <= 4 * pvarLabels / (4 * labelVariance)")
        #expect(snrClaimWith(numerator: 3.9).text == "snr <= 3.9 * pvarLabels / (4 * labelVariance)")
        let typed = try Claim.parse("snr <= 4 * pvarLabels / (4 * labelVariance)")
        let stated = try Claim.parse("snr <= 4 * pvarLabels / (1 - 4 * pvarLabels)")
        var compared = 0
        for p in try Self.instances() {
            let e = try Evaluation(p)
            guard let bound = e.snrBound else { continue }
            let r = e.claimRatio(typed)
            #expect(r.larger.bitPattern == bound.bitPattern, "typed \(r.larger), snrBound \(bound)")
            #expect(r.smaller == e.signalToNoise())
            // 1 - 4 PVar loses up to log2(4K) bits to cancellation (4 E[q(1-q)] >= 1/K).
            let k = Double(p.responseCount)
            let s = e.claimRatio(stated).larger
            #expect(abs(s - bound) <= (8 + 4 * k) * Double.ulpOfOne * bound, "stated form \(s), claim \(bound)")
            compared += 1
        }
        #expect(compared >= 2)
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
            let one = BoundID.B2.definition.with(constant: StatementConstant(1)).rightHandSide(in: ClaimDoubles(e))
            let stated = BoundID.B2.value(e)
            #expect(abs(one * 2.0.squareRoot() - stated) <= 4 * stated.ulp, "\(one) vs \(stated)")
        }
    }
}
