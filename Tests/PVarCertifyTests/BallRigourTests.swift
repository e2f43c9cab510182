// Ball arithmetic tested for rigour, not only for containing the double: every operation the
// certificates use, at a low precision where its rounding is visible, must contain the same
// operation at 2048 bits (and the exact rational where there is one), must have a nonzero radius
// when the result is inexact, and its double ends must be rounded outward (and by no more than
// one step). A ball operation that drops its radius, or an end rounded inward, fails here.

import Foundation
@testable import PVarCertify
import PVarCore
import Testing

@Suite("BallRigour")
struct BallRigourTests {
    /// The precision of the operations under test: low enough that a dropped radius (a result
    /// rounded to 40 bits and called exact) is far outside the 2048-bit value.
    static let low = 40
    /// The precision of the comparison values: the reference ball is about 2^-2000 wide.
    static let high = 2048

    /// Inputs: random doubles of every sign and magnitude (SplitMix64 from the run seed, so a
    /// failure replays with `PVAR_TEST_SEED`; this target links no GSL), plus adversarial ones
    /// (exact powers of two, 1 +- 2^-52, tiny and huge numbers, values whose sums and products
    /// cancel).
    static func inputs() -> [Double] {
        var state = certificationSeed &+ 0x9E37_79B9_7F4A_7C15
        func next() -> UInt64 {
            state = state &+ 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        var xs: [Double] = [1, 2, 0.5, 3, 1 + 0x1p-52, 1 - 0x1p-53, 0x1p-1000, 0x1p900, 1e-300, 7e300, 0.1, 1.0 / 3, 2.0.squareRoot()]
        for _ in 0..<60 {
            let unit = Double(next() >> 11) * 0x1p-53 + 0x1p-54   // in (0, 1)
            xs.append(unit * pow(10, Double(Int(next() % 61) - 30)))
        }
        xs += xs.map { -$0 }
        return xs
    }

    /// `low` contains `high`; `low` is inexact whenever `high` is (a rounded result must carry
    /// a radius); and `low` is exact with the same value when `high` is exact.
    static func checkRigour(_ name: String, _ low: Ball, _ high: Ball, _ inputs: String) {
        guard high.isFinite else { return }   // e.g. log of a negative number: both indeterminate
        #expect(low.contains(high), "\(name)(\(inputs)): the \(Self.low)-bit ball \(low.outwardBounds) misses the 2048-bit value \(high.outwardBounds)")
        let highExact = high.relativeRadius == 0, lowExact = low.relativeRadius == 0
        if !highExact {
            #expect(!lowExact, "\(name)(\(inputs)): an inexact result (radius \(high.relativeRadius) at 2048 bits) came out exact at \(Self.low) bits")
        }
    }

    @Test("+ - * / at 40 bits contain the exact rational result, and carry a radius whenever the result needs more than 40 bits")
    func arithmeticContainsTheExactRational() {
        let xs = Self.inputs()
        var checked = 0
        for (i, x) in xs.enumerated() {
            let y = xs[(i * 7 + 3) % xs.count]
            let bx = Ball(exactly: x, precision: Self.low), by = Ball(exactly: y, precision: Self.low)
            let qx = Ball(exactly: x, precision: Ball.exactSumBits).exactRational!, qy = Ball(exactly: y, precision: Ball.exactSumBits).exactRational!
            for (name, ball, exact) in [("+", bx + by, qx + qy), ("-", bx - by, qx - qy), ("*", bx * by, qx * qy), ("/", bx / by, qx / qy)] {
                guard let q = exact else { continue }
                #expect(ball.contains(q), "\(name)(\(x), \(y)): \(ball.outwardBounds) does not contain the exact result")
                // Exact at 40 bits only if the exact result fits in 40 bits: then the ball is that rational.
                if ball.relativeRadius == 0 {
                    #expect(ball.exactRational.map { Rational.compare($0, q) == 0 } == true, "\(name)(\(x), \(y)): exact ball with a wrong value")
                }
                checked += 1
            }
        }
        #expect(checked >= 4 * xs.count - 10)
    }

    @Test("every transcendental and root operation of the certificates at 40 bits contains its 2048-bit value and is inexact when that is")
    func operationsContainTheHighPrecisionValue() {
        let xs = Self.inputs()
        for (i, x) in xs.enumerated() {
            let y = xs[(i * 5 + 1) % xs.count]
            let lx = Ball(exactly: x, precision: Self.low), hx = Ball(exactly: x, precision: Self.high)
            let ly = Ball(exactly: y, precision: Self.low), hy = Ball(exactly: y, precision: Self.high)
            let args = "\(x)"
            Self.checkRigour("exp", lx.exp(), hx.exp(), args)
            Self.checkRigour("log", lx.absoluteValue().log(), hx.absoluteValue().log(), args)
            Self.checkRigour("log1p", lx.absoluteValue().log1p(), hx.absoluteValue().log1p(), args)
            Self.checkRigour("tanh", lx.tanh(), hx.tanh(), args)
            Self.checkRigour("sqrt", lx.absoluteValue().squareRoot(), hx.absoluteValue().squareRoot(), args)
            Self.checkRigour("sqrtpos", lx.absoluteValue().squareRootOfNonnegative(), hx.absoluteValue().squareRootOfNonnegative(), args)
            Self.checkRigour("cbrt", lx.absoluteValue().rootOfNonnegative(3), hx.absoluteValue().rootOfNonnegative(3), args)
            Self.checkRigour("squared", lx.squared, hx.squared, args)
            Self.checkRigour("power(3)", lx.power(3), hx.power(3), args)
            Self.checkRigour("power(-2)", lx.power(-2), hx.power(-2), args)
            Self.checkRigour("pow(|x|, |y|)", lx.absoluteValue().power(ly.absoluteValue()), hx.absoluteValue().power(hy.absoluteValue()), "\(x), \(y)")
            // Accumulating operations: x + x*y and the running sum with error.
            let la = Ball(exactly: x, precision: Self.low), ha = Ball(exactly: x, precision: Self.high)
            la.addProduct(lx, ly)
            ha.addProduct(hx, hy)
            Self.checkRigour("addmul", la, ha, "\(x), \(y)")
            let ls = Ball(exactly: x, precision: Self.low), hs = Ball(exactly: x, precision: Self.high)
            ls.add(ly.exp())
            hs.add(hy.exp())
            Self.checkRigour("add", ls, hs, "\(x), \(y)")
        }
        // Composition, as in an evaluation: rounding errors accumulate and must stay enclosed.
        var lc = Ball(exactly: 0.1, precision: Self.low), hc = Ball(exactly: 0.1, precision: Self.high)
        for _ in 0..<50 {
            lc = (lc.exp() - lc.squared).tanh() + lc / Ball(exactly: 3, precision: Self.low)
            hc = (hc.exp() - hc.squared).tanh() + hc / Ball(exactly: 3, precision: Self.high)
        }
        Self.checkRigour("50 compositions", lc, hc, "0.1")
    }

    @Test("outward ends at 128 bits: lo is the largest double <= every point of the ball, hi the smallest >= every point; also for balls straddling 0, tiny balls and huge ones")
    func endsAreRoundedOutwardByOneStep() {
        // At 128 bits, the precision of every certificate (a ball of fewer bits than a double has
        // its ends rounded outward to its own precision first, which is sound but can be several
        // double steps out).
        let xs = Self.inputs()
        var balls: [Ball] = []
        for (i, x) in xs.enumerated() {
            let y = xs[(i * 3 + 2) % xs.count]
            let bx = Ball(exactly: x, precision: 128)
            balls.append(bx / Ball(exactly: y, precision: 128))
            balls.append(bx.absoluteValue().squareRoot())
            balls.append(bx.exp())
            balls.append(Ball.interval(centre: x, halfWidth: abs(y) * 1e-20, precision: 128))
        }
        balls.append(Ball.interval(centre: 0, halfWidth: 1e-300, precision: 128))
        for ball in balls where ball.isFinite {
            let (lo, hi) = ball.outwardBounds
            if lo.isFinite {
                #expect(Ball(exactly: lo, precision: Self.high).isAtMost(ball), "lo \(lo) is above a point of the ball")
                #expect(!lo.nextUp.isFinite || !Ball(exactly: lo.nextUp, precision: Self.high).isAtMost(ball) || lo.nextUp == hi,
                        "lo \(lo) is more than one step below the ball's lower end")
            }
            if hi.isFinite {
                #expect(ball.isAtMost(Ball(exactly: hi, precision: Self.high)), "hi \(hi) is below a point of the ball")
                #expect(!hi.nextDown.isFinite || !ball.isAtMost(Ball(exactly: hi.nextDown, precision: Self.high)) || hi.nextDown == lo,
                        "hi \(hi) is more than one step above the ball's upper end")
            }
        }
    }
}
