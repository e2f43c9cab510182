// Digit-safe scalar and vector kernels shared by every formula in pvar.
//
// Each function states its formula, the identity that makes it stable, its
// edge cases and its accuracy. Nothing here allocates per call except where an
// array is returned.

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

/// The dot product `sum_k x[k] * y[k]` evaluated as if in twice the working precision
/// (Ogita, Rump and Oishi's `Dot2`: an exact product by `fma` plus compensated summation).
///
/// - Accuracy: `|computed - exact| <= eps |exact| + gamma_n^2 sum |x_k y_k|`, so the result is
///   accurate even when the products nearly cancel (logits of near-identical features).
/// - Precondition: equal lengths (a programmer error otherwise).
public func accurateDot(_ x: UnsafeBufferPointer<Double>, _ y: UnsafeBufferPointer<Double>) -> Double {
    precondition(x.count == y.count, "accurateDot: length mismatch")
    var s = 0.0
    var c = 0.0
    for k in 0..<x.count {
        let p = x[k] * y[k]
        let pe = fma(x[k], y[k], -p)          // exact error of the product
        let t = s + p
        let z = t - s
        let se = (s - (t - z)) + (p - z)      // exact error of the sum (TwoSum)
        s = t
        c += pe + se
    }
    return s + c
}

/// `sqrt(sum_k x[k]^2)` without overflow or underflow for any finite input (scaled by the
/// largest magnitude). Returns exactly 0 for the zero vector.
public func euclideanNorm(_ x: [Double]) -> Double {
    var scale = 0.0
    for v in x { scale = max(scale, abs(v)) }
    if scale == 0 || !scale.isFinite { return scale }
    var s = 0.0
    for v in x {
        let t = v / scale
        s += t * t
    }
    return scale * s.squareRoot()
}
