// The window that turns an undecidable ratio into `tight`, tested on both sides of its documented
// value: a ratio ball containing 1 and inside [1 - w, 1 + w] is tight, one reaching beyond is
// undecided (and the precision is raised), one wholly above or below 1 is decided.

import Foundation
@testable import PVarCertify
import PVarCore
import Testing

@Suite("VerdictBoundaries")
struct VerdictBoundaryTests {
    /// The documented window, written here as a literal so a changed constant cannot move the
    /// test balls with it.
    static let window = 0x1p-100

    /// `decide` on a gradient-norm ball `[c - h, c + h]`, `c = 1 + offset` exactly (at 256 bits,
    /// where `1 + 2^-100` is representable), against the exact value 1.
    static func verdict(halfWidth h: Double, offset: Double = 0) -> CertifiedVerdict {
        let lhs = Ball(exactly: 1, precision: 256) + Ball(exactly: offset, precision: 256)
        lhs.widen(by: Ball(exactly: h, precision: 256))
        return decide(.B0, lhs: lhs, value: Ball(exactly: 1, precision: 256)).verdict
    }

    @Test("certifiedTightnessWindow: a ratio ball around 1 of half-width 0.5x the window is tight, 2x is undecided; balls off 1 are holds or violated")
    func tightnessWindowBoundary() {
        #expect(certifiedTightnessWindow == Self.window)
        #expect(Self.verdict(halfWidth: 0.5 * Self.window) == .tight)
        #expect(Self.verdict(halfWidth: 2 * Self.window) == .undecided)
        // Decided whatever the window: wholly below or above 1.
        #expect(Self.verdict(halfWidth: 0.25 * Self.window, offset: -Self.window) == .holds)
        #expect(Self.verdict(halfWidth: 0.25 * Self.window, offset: Self.window) == .violated)
        // An exact 1 is tight, an exact 0 holds.
        #expect(Self.verdict(halfWidth: 0) == .tight)
        #expect(decide(.B0, lhs: Ball(exactly: 0, precision: 128), value: Ball(exactly: 1, precision: 128)).verdict == .holds)
    }

    @Test("certifiedStartingPrecision: the first attempt is at 128 bits")
    func startingPrecision() throws {
        #expect(certifiedStartingPrecision == 128)
        let p = try Problem(beta: 1, features: nil, theta: [0, 1], reference: [0.5, 0.5], rewards: [1, 0], pairs: .policy)
        #expect(certify(p).precisionBits == 128)
    }
}
