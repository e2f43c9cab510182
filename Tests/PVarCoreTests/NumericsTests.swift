// Checks of the scalar kernels against closed forms and series that hold to full precision.

import Foundation
import PVarCore
import Testing

/// Relative agreement expected of a kernel documented as "a few ulps": 16 ulps.
let kernelTolerance = 16 * Double.ulpOfOne

func relativeError(_ a: Double, _ b: Double) -> Double {
    a == b ? 0 : abs(a - b) / max(abs(a), abs(b))
}

@Suite("Numerics")
struct NumericsTests {
    @Test("centredSigmoid equals sigmoid - 1/2 where the subtraction is exact, and x/4 - x^3/48 + x^5/480 near 0")
    func centredSigmoidMatchesDefinition() {
        for x in [-30.0, -3, -1, -0.5, 0.5, 1, 3, 30] {
            #expect(relativeError(centredSigmoid(x), sigmoid(x) - 0.5) < kernelTolerance, "x = \(x)")
        }
        for x in [1e-3, 1e-8, 1e-300, -1e-12] {
            let series = x / 4 - x * x * x / 48 + x * x * x * x * x / 480
            #expect(relativeError(centredSigmoid(x), series) < kernelTolerance, "x = \(x)")
        }
        #expect(centredSigmoid(0) == 0)
        #expect(centredSigmoid(.infinity) == 0.5)
    }

    @Test("sigmoidDifference keeps relative accuracy when the two sigmoids nearly coincide")
    func sigmoidDifferenceIsRelativelyAccurate() {
        // sigma(a + h) - sigma(a) = h sigma'(a) + h^2 sigma''(a)/2 + O(h^3), sigma' = s(1-s), sigma'' = s(1-s)(1-2s).
        for a in [-40.0, -5, 0, 2, 35] {
            for step in [1e-9, -1e-12, 1e-15] {
                let h = (a + step) - a   // the step actually taken (exact: Sterbenz)
                let s = sigmoid(a), t = sigmoid(-a)
                let series = h * s * t + h * h * s * t * (t - s) / 2
                #expect(relativeError(sigmoidDifference(a + h, a), series) < 1e-6 * abs(h) + 64 * Double.ulpOfOne,
                        "a = \(a), h = \(h)")
            }
        }
        #expect(sigmoidDifference(3, 3) == 0)
        #expect(sigmoidDifference(.infinity, -.infinity) == 1)
        // Far tails: sigma(-700) - sigma(-710) = e^-700 (1 - e^-10) to first order.
        let tail = exp(-700.0) * -expm1(-10.0)
        #expect(relativeError(sigmoidDifference(-700, -710), tail) < kernelTolerance)
        // Antisymmetry.
        #expect(sigmoidDifference(1.5, -2) == -sigmoidDifference(-2, 1.5))
    }

    @Test("softplus = log(1 + e^x) without overflow; softplus(-x) = -log sigmoid(x)")
    func softplusIsStable() {
        #expect(softplus(0) == log(2.0))
        #expect(softplus(800) == 800)
        #expect(relativeError(softplus(-800), exp(-800.0)) < kernelTolerance)
        // softplus(x) - softplus(-x) = x, and the series softplus(-x) = e^-x - e^-2x / 2 + ... for large x.
        for x in [-20.0, -1, 0.3, 5, 30] {
            #expect(relativeError(softplus(x) - softplus(-x), x) < kernelTolerance, "x = \(x)")
        }
        #expect(relativeError(softplus(-40), exp(-40.0) - exp(-80.0) / 2) < kernelTolerance)
    }

    @Test("logSumExp is shift-equivariant and does not overflow at +-700")
    func logSumExpIsStable() {
        #expect(relativeError(logSumExp([700, 700]), 700 + log(2.0)) < kernelTolerance)
        #expect(relativeError(logSumExp([-745, -745]), -745 + log(2.0)) < kernelTolerance)
        #expect(logSumExp([]) == -.infinity)
    }

    @Test("accurateDot is exact where the naive dot product cancels to nothing")
    func accurateDotSurvivesCancellation() {
        let x = [1e16, 1.0, -1e16]
        let y = [1.0, 1.0, 1.0]
        let naive = zip(x, y).reduce(0) { $0 + $1.0 * $1.1 }
        let accurate = x.withUnsafeBufferPointer { xb in y.withUnsafeBufferPointer { accurateDot(xb, $0) } }
        #expect(naive != 1)   // the reason the kernel exists
        #expect(accurate == 1)
    }

    @Test("euclideanNorm neither overflows nor underflows")
    func euclideanNormIsScaled() {
        #expect(relativeError(euclideanNorm([3e200, 4e200]), 5e200) < kernelTolerance)
        #expect(relativeError(euclideanNorm([3e-200, 4e-200]), 5e-200) < kernelTolerance)
        #expect(euclideanNorm([0, 0]) == 0)
    }
}

@Suite("SafeProduct")
struct SafeProductTests {
    @Test("safeProduct equals the plain product where that is exact, keeps signs, and avoids intermediate overflow")
    func productWithoutSpuriousOverflow() {
        #expect(safeProduct(2, 3, -0.5) == -3)
        #expect(safeProduct(-2, -3) == 6)
        #expect(safeProduct(1e300, 1e10, 1e-20) == 1e300 * (1e10 * 1e-20))
        #expect(relativeError(safeProduct(2, 1e308, -0.05776464465750121), -(1e308 * 0.05776464465750121) * 2) < kernelTolerance)
        #expect(safeProduct(1e308, 0) == 0)
        #expect(safeProduct(1e200, 1e200) == .infinity)   // only a true overflow overflows
        #expect(safeProduct(3e-200, 3e-200) == 0)         // and a true underflow underflows
    }

    @Test("safeProduct of non-finite factors: NaN gives NaN, then a zero gives 0, then an infinity the signed infinity (no trap)")
    func nonFiniteFactors() {
        #expect(safeProduct(2, .nan, 3).isNaN)
        #expect(safeProduct(0, .nan).isNaN)
        #expect(safeProduct(0, .infinity) == 0)
        #expect(safeProduct(-2, .infinity) == -.infinity)
        #expect(safeProduct(-2, -.infinity, 1e-300) == .infinity)
    }
}

@Suite("Log1pUnit")
struct Log1pUnitTests {
    /// The documented accuracy of `log1pUnit`, plus the half ulp of `Foundation.log1p` itself.
    static let tolerance = 4.5 * Double.ulpOfOne

    @Test("log1pUnit agrees with Foundation.log1p within 4 ulps on [2^-1021, 1] (its documented domain) and at 0")
    func agreesWithLibraryLog1p() {
        var u = 0x1p-1021
        var worst = 0.0
        while u <= 1 {   // every binade down to the smallest subnormal, 64 points each
            for k in 0..<64 {
                let x = min(1, u * (1 + Double(k) / 64))
                worst = max(worst, relativeError(log1pUnit(x), log1p(x)))
            }
            u *= 2
        }
        for x in [0.41421356237309503, 0.41421356237309509, 0.5, 0.999999999, 1.0] {
            worst = max(worst, relativeError(log1pUnit(x), log1p(x)))
        }
        #expect(worst <= Self.tolerance, "worst relative error \(worst)")
        #expect(log1pUnit(0) == 0)
    }
}
