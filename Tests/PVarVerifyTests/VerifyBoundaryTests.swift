// The tolerances of PVarVerify that decide a verdict, tested at 0.5x and 2x their documented
// values (written as literals, so a changed constant is caught).

import Foundation
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
}
