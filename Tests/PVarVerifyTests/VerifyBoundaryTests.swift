// The tolerances of PVarVerify that decide a verdict, tested at 0.5x and 2x their documented
// values (written as literals, so a changed constant is caught).

import Foundation
import PVarCertify
import PVarCore
import PVarVerify
import Testing

@Suite("VerifyBoundaries")
struct VerifyBoundaryTests {
    @Test("attainedRatioTolerance: a search whose best ratio is 1 - 0.5x the tolerance attained its bound, 1 - 2x did not")
    func attainedBoundary() {
        let tolerance = 1e-6   // documented in Tightness.swift
        #expect(attainedRatioTolerance == tolerance)
        #expect(searchAttainsBound(bestRatio: 1 - 0.5 * tolerance))
        #expect(!searchAttainsBound(bestRatio: 1 - 2 * tolerance))
        #expect(searchAttainsBound(bestRatio: 1))
    }

    @Test("the edge-case catalogue's agreement tolerances: edgeCaseAccuracy (1e-12 relative), the near-one-hot (1e-12) and zero-weight (2e-12) agreements and the underflow slack (4 x 2^-1074 per term), each at 0.5x and 2x")
    func edgeCaseToleranceBoundaries() {
        let accuracy = 1e-12, slack = 4 * 0x1p-1074   // documented in EdgeCases/EdgeCase.swift
        #expect(edgeCaseAccuracy == accuracy && edgeCaseUnderflowSlackPerTerm == slack)
        #expect(nearOneHotTolerance == accuracy && zeroWeightAgreement == 2 * accuracy)
        // Relative agreement with a closed form.
        #expect(agreesWithClosedForm(1 + 0.5 * accuracy, 1, terms: 0))
        #expect(!agreesWithClosedForm(1 + 2 * accuracy, 1, terms: 0))
        #expect(agreesWithClosedForm(1 + 0.5 * 2 * accuracy, 1, relative: zeroWeightAgreement, terms: 0))
        #expect(!agreesWithClosedForm(1 + 2 * 2 * accuracy, 1, relative: zeroWeightAgreement, terms: 0))
        // Absolute slack per pair term near the subnormal range.
        #expect(agreesWithClosedForm(0, 0.5 * slack, terms: 1))
        #expect(!agreesWithClosedForm(0, 2 * slack, terms: 1))
        #expect(agreesWithClosedForm(0, 2 * slack, terms: 3), "the slack grows with the number of terms")
        // Agreement with a certified enclosure [1, 1].
        let one = Enclosure(lo: 1, hi: 1)
        #expect(agreesWithEnclosure(1 + 0.5 * accuracy, one, terms: 0))
        #expect(!agreesWithEnclosure(1 + 2 * accuracy, one, terms: 0))
    }
}
