// Digit-safe scalar and vector kernels shared by every formula in pvar.
//
// Each function states its formula, the identity that makes it stable, its
// edge cases and its accuracy. Nothing here allocates per call except where an
// array is returned.

import CPairKernel
import Foundation

/// The logistic function `sigmoid(x) = 1 / (1 + exp(-x))`.
///
/// - Stability: evaluates `exp` only of a non-positive number, so it never
///   overflows; `sigmoid(x)` for `x <= 0` is `exp(x) / (1 + exp(x))`.
/// - Properties: `sigmoid(-x) = 1 - sigmoid(x)`; `sigmoid(0) = 1/2` exactly.
/// - Edge cases: `sigmoid(+inf) = 1`, `sigmoid(-inf) = 0`; NaN propagates.
/// - Accuracy: a few ulps relative, for every finite x (including the tail
///   `sigmoid(-700) ~ 1e-304`, which the naive `1 / (1 + exp(700))` also gets,
///   but `1 - sigmoid(700)` would not: use `sigmoid(-x)` for complements).
@inlinable
public func sigmoid(_ x: Double) -> Double {
    if x >= 0 {
        return 1 / (1 + exp(-x))
    }
    let e = exp(x)
    return e / (1 + e)
}

/// The centred sigmoid `sigmoid(x) - 1/2 = tanh(x/2) / 2`.
///
/// - Stability: computing `sigmoid(x) - 0.5` loses all relative accuracy for
///   small x (the result is `x/4 + O(x^3)` but the subtraction leaves an
///   absolute error of 1e-17); `tanh` keeps full relative accuracy.
/// - Properties: odd; `|centredSigmoid(x)| < 1/2`; `centredSigmoid(0) = 0` exactly.
/// - Edge cases: `±inf -> ±1/2`.
/// - Accuracy: a few ulps relative.
@inlinable
public func centredSigmoid(_ x: Double) -> Double {
    tanh(0.5 * x) * 0.5
}

/// The softplus `log(1 + exp(x))`, so that `-log sigmoid(x) = softplus(-x)`.
///
/// - Stability: `max(x, 0) + log1p(exp(-|x|))` never overflows and keeps
///   relative accuracy in the far negative tail (`softplus(-800) = exp(-800)`
///   underflows to 0 only where the true value is below the double range).
/// - Edge cases: `softplus(0) = log 2`; `softplus(+inf) = +inf`; `softplus(-inf) = 0`.
/// - Accuracy: a few ulps relative.
@inlinable
public func softplus(_ x: Double) -> Double {
    if x == .infinity { return .infinity }
    return max(x, 0) + log1p(exp(-abs(x)))
}

/// The difference of two sigmoids, `sigmoid(a) - sigmoid(b)`, to full relative accuracy.
///
/// Identity (with `a >= b`): `sigmoid(a) - sigmoid(b) = -sigmoid(a) * sigmoid(-b) * expm1(b - a)`,
/// because `sigmoid(b) sigmoid(-a) / (sigmoid(a) sigmoid(-b)) = exp(b - a)`. The case `a < b`
/// is the mirror image. Every factor is evaluated without cancellation and `expm1` takes a
/// non-positive argument, so nothing overflows.
///
/// - Why: in DPO the residual `p - q` is small exactly when the model fits the labels; the naive
///   difference of two numbers near 1 then has only absolute accuracy 1e-16.
/// - Edge cases: returns exactly 0 when `a == b` (including equal infinities).
/// - Accuracy: a few ulps relative to the exact value at the given a, b (the only error beyond
///   that is the rounding of `b - a`).
@inlinable
public func sigmoidDifference(_ a: Double, _ b: Double) -> Double {
    if a == b { return 0 }
    if a > b {
        return -sigmoid(a) * sigmoid(-b) * expm1(b - a)
    }
    return sigmoid(b) * sigmoid(-a) * expm1(a - b)
}

/// `log(sum_i exp(x_i))`, the log-sum-exp, shifted by the maximum.
///
/// - Stability: `m + log(sum exp(x_i - m))` with `m = max x`; no term exceeds 1, the sum is
///   at least 1, so nothing overflows and the log is well conditioned.
/// - Edge cases: an empty input returns `-inf` (the log of an empty sum).
/// - Accuracy: about `(n + 2)` ulps of `max(|m|, 1)` absolute.
public func logSumExp(_ x: [Double]) -> Double {
    guard let m = x.max() else { return -.infinity }
    if m == -.infinity { return -.infinity }
    var s = 0.0
    for v in x { s += exp(v - m) }
    return m + log(s)
}

/// Neumaier's compensated summation: the running sum of doubles with the rounding error of each
/// addition carried in a second accumulator.
///
/// - Accuracy: the result has error at most `2 eps |sum| + O(n eps^2) sum |x_i|`, i.e. it is as
///   good as summing in twice the precision, so a sum of terms that nearly cancel (the residual
///   row sums `c_i`, whose total is 0) keeps its digits.
public struct CompensatedSum: Sendable {
    @usableFromInline var sum = 0.0
    @usableFromInline var compensation = 0.0

    @inlinable public init() {}

    @inlinable
    public mutating func add(_ x: Double) {
        let t = sum + x
        if abs(sum) >= abs(x) {
            compensation += (sum - t) + x
        } else {
            compensation += (x - t) + sum
        }
        sum = t
    }

    @inlinable public var value: Double { sum + compensation }
}

/// The running state of Ogita, Rump and Oishi's `Dot2`: the dot product `sum_k x_k y_k`
/// accumulated as an unevaluated pair `s + c`, where `s` is the ordinary floating-point sum of the
/// rounded products and `c` collects the exact error of every product (`fma`) and of every
/// addition (`twoSum`).
///
/// - Accuracy: `|(s + c) - exact| <= gamma_n^2 sum_k |x_k y_k|` with `gamma_n = n eps / (1 - n eps)`
///   (`n` products added), so the pair carries about twice the working precision; rounding it to
///   one double adds `eps |exact|`.
/// - Edge cases: an overflowing product or sum makes `value` infinite or NaN (never a silent
///   finite number); products below about `1e-292` lose the exactness of their error term
///   (the error then is absolute, of the order of the smallest subnormal).
/// - Cost: 10 flops per product, no allocation.
public struct AccurateDotAccumulator: Sendable {
    @usableFromInline var s = 0.0
    @usableFromInline var c = 0.0

    @inlinable public init() {}

    /// Adds `x * y`.
    @inlinable
    public mutating func add(_ x: Double, _ y: Double) {
        let p = x * y
        let pe = fma(x, y, -p)                // exact error of the product
        let t = s + p
        let z = t - s
        let se = (s - (t - z)) + (p - z)      // exact error of the sum (TwoSum)
        s = t
        c += pe + se
    }

    /// The accumulated dot product rounded to one double, `s + c`.
    @inlinable public var value: Double { s + c }

    /// The accumulated dot product as an unrounded, normalised double-double
    /// (`hi = fl(s + c)`, `hi + lo = s + c` exactly).
    @inlinable public var doubleDouble: DoubleDouble { twoSum(s, c) }
}

/// The dot product `sum_k x[k] * y[k]` evaluated as if in twice the working precision
/// (Ogita, Rump and Oishi's `Dot2`: an exact product by `fma` plus compensated summation).
///
/// - Accuracy: `|computed - exact| <= eps |exact| + gamma_n^2 sum |x_k y_k|`, so the result is
///   accurate even when the products nearly cancel (logits of near-identical features).
/// - Precondition: equal lengths (a programmer error otherwise).
/// - See `accurateDotDoubleDouble` for the same sum before its final rounding.
public func accurateDot(_ x: UnsafeBufferPointer<Double>, _ y: UnsafeBufferPointer<Double>) -> Double {
    precondition(x.count == y.count, "accurateDot: length mismatch")
    var acc = AccurateDotAccumulator()
    for k in 0..<x.count { acc.add(x[k], y[k]) }
    return acc.value
}

/// `accurateDot` without its final rounding: the `Dot2` pair `s + c` as a double-double.
///
/// - Accuracy: `|(hi + lo) - exact| <= gamma_n^2 sum |x_k y_k|` (no `eps |exact|` term), so a
///   dot product that cancels to a tiny value keeps its relative accuracy until the cancellation
///   exceeds about `1e-32 / (n^2)` of `sum |x_k y_k|`.
/// - Precondition: equal lengths (a programmer error otherwise).
public func accurateDotDoubleDouble(_ x: UnsafeBufferPointer<Double>, _ y: UnsafeBufferPointer<Double>) -> DoubleDouble {
    precondition(x.count == y.count, "accurateDotDoubleDouble: length mismatch")
    var acc = AccurateDotAccumulator()
    for k in 0..<x.count { acc.add(x[k], y[k]) }
    return acc.doubleDouble
}

// MARK: - Double-double arithmetic

/// A double-double ("double-word") number: the unevaluated sum `hi + lo` of two doubles with
/// `hi = fl(hi + lo)` (so `|lo| <= ulp(hi) / 2`), about 106 significant bits.
///
/// Used where a quantity is the small difference of two larger ones that are each known only to
/// double precision: the anchored log-ratio `v_y = w_y - (log pi_ref_y - log pi_ref_b)` at the
/// reference is about `1e-16` of its terms, so both terms are carried as double-doubles and
/// only the (tiny) result is rounded.
///
/// - Arithmetic: `+`, `-` and `*` are the algorithms of Joldes, Muller and Popescu, "Tight and
///   rigorous error bounds for basic building blocks of double-word arithmetic" (ACM TOMS 2017):
///   `+` is AccurateDWPlusDW (relative error `<= 3u^2 + 13u^3`, `u = 2^-53`, relative to the
///   *exact sum*, so it survives cancellation), `*` is DWTimesDW with `fma` (`<= 5u^2`),
///   `/` is DWDivDW (`<= 15u^2 + 56u^3`).
/// - Edge cases: the bounds assume no overflow and no underflow of intermediate results
///   (magnitudes between about `1e-292` and `1e308`); beyond that the result degrades to
///   double accuracy or becomes infinite/NaN, never a wrong finite number of large size.
public struct DoubleDouble: Sendable, Equatable, CustomStringConvertible {
    /// The leading double, `fl(hi + lo)`.
    public var hi: Double
    /// The trailing double, `|lo| <= ulp(hi) / 2`.
    public var lo: Double

    /// The pair as given; the caller guarantees `hi = fl(hi + lo)` (use `twoSum` otherwise).
    @inlinable
    public init(hi: Double, lo: Double) {
        self.hi = hi
        self.lo = lo
    }

    /// A double, exactly.
    @inlinable
    public init(_ x: Double) {
        hi = x
        lo = 0
    }

    public static let zero = DoubleDouble(0)

    /// The value rounded to the nearest double, `hi + lo` (equal to `hi` when normalised).
    @inlinable public var value: Double { hi + lo }

    public var description: String { "(\(hi), \(lo))" }

    @inlinable
    public static prefix func - (x: DoubleDouble) -> DoubleDouble {
        DoubleDouble(hi: -x.hi, lo: -x.lo)
    }

    /// AccurateDWPlusDW: relative error `<= 3u^2 + 13u^3` of the exact sum.
    @inlinable
    public static func + (x: DoubleDouble, y: DoubleDouble) -> DoubleDouble {
        let s = twoSum(x.hi, y.hi)
        let t = twoSum(x.lo, y.lo)
        let v = fastTwoSum(s.hi, s.lo + t.hi)
        return fastTwoSum(v.hi, t.lo + v.lo)
    }

    @inlinable
    public static func - (x: DoubleDouble, y: DoubleDouble) -> DoubleDouble {
        x + (-y)
    }

    /// DWTimesDW (with `fma`): relative error `<= 5u^2`.
    @inlinable
    public static func * (x: DoubleDouble, y: DoubleDouble) -> DoubleDouble {
        let c = twoProduct(x.hi, y.hi)
        let tl0 = x.lo * y.lo
        let tl1 = fma(x.hi, y.lo, tl0)
        let cl2 = fma(x.lo, y.hi, tl1)
        return fastTwoSum(c.hi, c.lo + cl2)
    }

    /// DWDivDW: relative error `<= 15u^2 + 56u^3`.
    @inlinable
    public static func / (x: DoubleDouble, y: DoubleDouble) -> DoubleDouble {
        let th = x.hi / y.hi
        let r = y * DoubleDouble(th)
        let pih = x.hi - r.hi                 // exact (Sterbenz: x.hi ~ r.hi)
        let deltaL = x.lo - r.lo
        let delta = pih + deltaL
        return fastTwoSum(th, delta / y.hi)
    }
}

/// Knuth's TwoSum: `hi = fl(a + b)` and `lo` the exact rounding error, so `hi + lo = a + b` exactly.
///
/// - Edge cases: exact for every pair of finite doubles whose sum does not overflow; an
///   overflowing sum gives `hi = ±inf` and a NaN `lo`.
/// - Cost: 6 flops, no branch.
@inlinable
public func twoSum(_ a: Double, _ b: Double) -> DoubleDouble {
    let s = a + b
    let bb = s - a
    let e = (a - (s - bb)) + (b - bb)
    return DoubleDouble(hi: s, lo: e)
}

/// Dekker's FastTwoSum: `hi + lo = a + b` exactly, provided `a == 0` or `|a| >= |b|`
/// (more precisely: the exponent of `a` is at least that of `b`). 3 flops.
@inlinable
public func fastTwoSum(_ a: Double, _ b: Double) -> DoubleDouble {
    let s = a + b
    let e = b - (s - a)
    return DoubleDouble(hi: s, lo: e)
}

/// The exact product `a * b = hi + lo` with `hi = fl(a * b)` and `lo = fma(a, b, -hi)`.
///
/// - Edge cases: exact unless `a * b` overflows or `lo` falls below the normal range
///   (`|a b| < 2^-969`, about `1e-292`), where `lo` is rounded to a subnormal.
@inlinable
public func twoProduct(_ a: Double, _ b: Double) -> DoubleDouble {
    let p = a * b
    return DoubleDouble(hi: p, lo: fma(a, b, -p))
}

/// `log 2` as a double-double: `ln2Hi + ln2Lo` differs from `log 2` by `8.2e-34` relative.
let ln2DoubleDouble = DoubleDouble(hi: 0.6931471805599453, lo: 2.3190468138462996e-17)

/// `1 / (2k + 1)` for `k = 0 ..< 22`, each as a double-double to `u^2` relative
/// (`hi = fl(1/n)`, the remainder `1 - hi n` is exact by `fma`).
let atanhSeriesCoefficients: [DoubleDouble] = (0..<22).map { k in
    let n = Double(2 * k + 1)
    let hi = 1 / n
    return fastTwoSum(hi, fma(-hi, n, 1) / n)
}

/// The natural logarithm of a positive finite double, as a double-double accurate to about
/// `3e-31` relative (one hundred times finer than a double).
///
/// Method: `x = m 2^e` with `m` in `[sqrt(1/2), sqrt(2)]` (exact, also for subnormal x, whose
/// `exponent` is the true one); `log x = e log 2 + log m`. With the nearest `c = j/64` to `m`,
/// `log m = log c + 2 atanh(s)`, `s = (m - c)/(m + c)` (`m - c` exact by Sterbenz,
/// `|s| <= 1/(128 * 1.4) < 0.0056`), so 8 terms of `2 (s + s^3/3 + s^5/5 + ...)` leave a
/// truncation error below `s^16/17 < 1e-36` relative; `log c` comes from a table of the 47
/// values `log(j/64)`, each computed once by the plain series (`logDoubleDoubleBySeries`). All
/// operations are double-double (`DoubleDouble`), so the error is a few `u^2 = 1.2e-32`: the
/// division about `15u^2`, the series a few `u^2`, `log c + 2 atanh(s)` cancels by at most a
/// factor 2, and `e log 2 + log m` too (`|log m| <= log(2)/2`).
///
/// - Properties: `logDoubleDouble(1) = (0, 0)` exactly; `logDoubleDouble(2^e) = e log 2` to the
///   accuracy of the constant (`8e-34` relative); the `hi` part is the correctly rounded log
///   except in rare near-halfway cases.
/// - Edge cases (like `log`): `0 -> -inf`, `+inf -> +inf`, negative or NaN `-> NaN`
///   (each with `lo = 0`).
/// - Accuracy: checked against 40-digit mpmath values in `DoubleDoubleTests`, including the
///   smallest subnormal `5e-324`, `1e-300`, values next to 1 and the largest double, and
///   against the plain series on a grid of `m`.
public func logDoubleDouble(_ x: Double) -> DoubleDouble {
    guard x > 0, x.isFinite else { return DoubleDouble(log(x)) }
    let (e, m) = logReduction(x)
    let j = Int((m * 64).rounded())           // 45 ... 91
    let d = m - Double(j) / 64                // exact (Sterbenz: c/2 <= m <= 2c)
    var logM = logTableOfSixtyFourths[j - 45]
    if d != 0 {
        let s = DoubleDouble(d) / twoSum(m, Double(j) / 64)
        let t = s * s
        var series = atanhSeriesCoefficients[7]
        for k in stride(from: 6, through: 0, by: -1) { series = atanhSeriesCoefficients[k] + t * series }
        let atanh = s * series
        logM = logM + DoubleDouble(hi: 2 * atanh.hi, lo: 2 * atanh.lo)   // exact scaling
    }
    if e == 0 { return logM }
    let ed = Double(e)
    let eLog2 = twoProduct(ed, ln2DoubleDouble.hi) + DoubleDouble(ed * ln2DoubleDouble.lo)
    return eLog2 + logM
}

/// `x = m 2^e` with `m` in `[sqrt(1/2), sqrt(2)]`, exact (also for subnormal x).
@inline(__always)
func logReduction(_ x: Double) -> (e: Int, m: Double) {
    var e = Int(x.exponent)
    var m = x.significand                     // in [1, 2), exact
    if m > 1.4142135623730951 {               // sqrt(2) rounded up
        m *= 0.5
        e += 1
    }
    return (e, m)
}

/// `log(j/64)` for `j = 45 ... 91` (the `c` of `logDoubleDouble`), by the plain series.
let logTableOfSixtyFourths: [DoubleDouble] = (45...91).map { logDoubleDoubleBySeries(Double($0) / 64) }

/// `log m` for `m` in `[sqrt(1/2), sqrt(2)]` by the plain series: `log m = 2 atanh(s)` with
/// `s = f / (2 + f)`, `f = m - 1` (exact by Sterbenz), `|s| <= 0.1716`, 22 terms (truncation
/// below `s^44 / 45 < 1e-34` relative; every term has the sign of `s`, no cancellation).
/// Slow (22 double-double steps): it fills `logTableOfSixtyFourths` once.
func logDoubleDoubleBySeries(_ m: Double) -> DoubleDouble {
    let f = m - 1
    let s = DoubleDouble(f) / twoSum(2, f)
    let t = s * s
    var series = atanhSeriesCoefficients[atanhSeriesCoefficients.count - 1]
    for k in stride(from: atanhSeriesCoefficients.count - 2, through: 0, by: -1) {
        series = atanhSeriesCoefficients[k] + t * series
    }
    let logM = s * series
    return DoubleDouble(hi: 2 * logM.hi, lo: 2 * logM.lo)   // exact scaling
}

/// `sqrt(sum_k x[k]^2)` without overflow or underflow for any finite input (scaled by the
/// largest magnitude). Returns exactly 0 for the zero vector; NaN if any entry is NaN.
public func euclideanNorm(_ x: [Double]) -> Double {
    var scale = 0.0
    for v in x {
        if v.isNaN { return .nan }
        scale = max(scale, abs(v))
    }
    if scale == 0 || !scale.isFinite { return scale }
    var s = 0.0
    for v in x {
        let t = v / scale
        s += t * t
    }
    return scale * s.squareRoot()
}

/// The product of finite factors without spurious overflow or underflow: the factors are split
/// into significand and exponent (exact), the significands multiplied (each in
/// [1, 2), renormalised after every product, so the running product cannot overflow and loses at most one rounding per
/// factor), and the exponents added as integers; only the final scaling can overflow or
/// underflow, and only when the true product does. A zero factor gives exactly 0.
///
/// Why: `beta * D * delta` with `beta = 1e300` overflows at `beta * D` although the product
/// is 1e289, and `inf * 0` would then be NaN.
///
/// Non-finite factors (never a trap): a NaN factor gives NaN; otherwise a zero factor gives 0,
/// and an infinite one the signed infinity.
public func safeProduct(_ factors: Double...) -> Double { safeProduct(factors) }

/// `safeProduct` of an array of factors.
public func safeProduct(_ factors: [Double]) -> Double {
    if factors.contains(where: \.isNaN) { return .nan }
    if factors.contains(0) { return 0 }
    if factors.contains(where: \.isInfinite) {
        return factors.filter { $0 < 0 }.count % 2 == 1 ? -.infinity : .infinity
    }
    // Note: Foundation's Swift `frexp` drops the sign on Linux, so the sign is tracked apart
    // and only magnitudes are split (`significand` in [1, 2), `exponent` an integer).
    var negative = false
    var significand = 1.0
    var exponent = 0
    for f in factors {
        if f == 0 { return 0 }
        if f < 0 { negative.toggle() }
        let m = abs(f)
        significand *= m.significand
        exponent += Int(m.exponent)
        exponent += Int(significand.exponent)
        significand = significand.significand
    }
    let magnitude = scalbn(significand, exponent)
    return negative ? -magnitude : magnitude
}

/// `log(1 + u)` for `u = 0` or `2^-1021 <= u <= 1` (below, `s = u / 2` would be subnormal),
/// branch-free (the C pair kernel evaluates it on vector lanes once per pair, where a library
/// call would dominate the cost; this is lane 0 of that code, `pvar_log1p_unit`).
///
/// Method: with `s = u / (2 + u)` (for `u <= sqrt(2) - 1`) or `s = (u - 1) / (u + 3)` plus `log 2`
/// (above; `u - 1` is exact there), `log(1 + u) = [log 2] + 2 atanh(s)` and
/// `2 atanh(s) = 2 s q(s^2)` with `|s| <= 3 - 2 sqrt(2) = 0.1716`, where `q` is the near-minimax
/// polynomial of degree 7 for `atanh(s)/s` (fitted error 1.2e-18; coefficients reproduced by
/// `Tests/Reference/kernel_polynomials.py`).
/// - Accuracy: within 4 ulps of the correctly rounded value on [0, 1] (checked against
///   `Foundation.log1p` by the `Numerics` suite).
/// - Edge cases: `log1pUnit(0) = 0` exactly; inputs outside [0, 1] are a programmer error
///   (not checked, for speed).
public func log1pUnit(_ u: Double) -> Double { pvar_log1p_unit(u) }
