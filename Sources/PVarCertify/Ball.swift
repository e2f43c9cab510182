// One Arb ball, owned by Swift: the only place in PVarCertify that touches Arb's memory.

import CArb

/// A real number enclosed in a ball `[m ± r]` (Arb's `arb_t`), owned by this object.
///
/// Every operation returns a *new* ball that contains every result of the exact operation on
/// every pair of points of the operands (Arb's containment guarantee); the midpoint is rounded
/// to `precision` bits and the rounding error goes into the radius. So a chain of operations on
/// balls that contain the exact inputs ends in a ball that contains the exact output: this is
/// the whole reason the certificate is rigorous.
///
/// Memory: `arb_init` when created, `arb_clear` (which frees the midpoint's limbs, if any) in
/// `deinit`; the `arb_struct` itself lives in a one-element allocation that `deinit` frees.
/// `raw` is read only inside `Ball`'s own methods, on `self` or on parameters, which Swift keeps
/// alive for the whole call: a `raw` pointer read from a temporary or from a local after its last
/// use could outlive its ball (Swift may release an object right after its last use). A
/// ball is never shared across tasks (`Ball` is deliberately not `Sendable`): each
/// certification builds its own balls and drops them when it returns.
///
/// Exactness: a ball made from a `Double` (`init(exactly:)`) is exact (radius 0); Arb keeps
/// exact results exact whenever they are representable (`0 * x = 0`, `x - x = 0` for an exact
/// `x`, `tanh(0) = 0`, `log(1) = 0`, `sqrt(0) = 0`), which is how exact zeros of the theory
/// (PVar of a policy at its reference) survive as exact zeros.
final class Ball {
    /// The `arb_struct` this object owns.
    private let raw: UnsafeMutablePointer<arb_struct>
    /// The working precision, in bits, of every operation that produces a ball from this one.
    let precision: Int

    /// The exact zero at the given working precision.
    init(precision: Int) {
        self.precision = precision
        raw = .allocate(capacity: 1)
        arb_init(raw)
    }

    deinit {
        arb_clear(raw)
        raw.deallocate()
    }

    /// The double `x` as an exact ball (every finite double is a dyadic rational).
    convenience init(exactly x: Double, precision: Int) {
        precondition(x.isFinite, "Ball(exactly:): \(x) is not a finite number")
        self.init(precision: precision)
        arb_set_d(raw, x)
    }

    /// The ball `[centre ± halfWidth]`, both doubles taken exactly (the radius is rounded up
    /// if it needs more bits than Arb's 30-bit radius holds, which only widens the ball).
    static func interval(centre: Double, halfWidth: Double, precision: Int) -> Ball {
        precondition(halfWidth >= 0, "Ball.interval: negative half-width \(halfWidth)")
        let out = Ball(exactly: centre, precision: precision)
        out.widen(by: Ball(exactly: halfWidth, precision: precision))
        return out
    }

    /// The integer `n` as an exact ball.
    convenience init(exactly n: Int, precision: Int) {
        self.init(precision: precision)
        arb_set_si(raw, n)
    }

    /// A new ball at this precision, filled by `body(result)`.
    private func make(_ body: (UnsafeMutablePointer<arb_struct>) -> Void) -> Ball {
        let out = Ball(precision: precision)
        body(out.raw)
        return out
    }

    // MARK: Arithmetic (each result encloses the exact result; see the type's comment)

    static func + (x: Ball, y: Ball) -> Ball { x.make { arb_add($0, x.raw, y.raw, x.precision) } }
    static func - (x: Ball, y: Ball) -> Ball { x.make { arb_sub($0, x.raw, y.raw, x.precision) } }
    static func * (x: Ball, y: Ball) -> Ball { x.make { arb_mul($0, x.raw, y.raw, x.precision) } }
    /// Division; if `y` contains 0 the result is the whole real line (Arb's convention).
    static func / (x: Ball, y: Ball) -> Ball { x.make { arb_div($0, x.raw, y.raw, x.precision) } }

    /// `x * 2^e`, exact (only the exponent changes).
    func timesPowerOfTwo(_ e: Int) -> Ball { make { arb_mul_2exp_si($0, raw, e) } }

    /// `x^2` (a square, so the enclosure is never below 0).
    var squared: Ball { make { arb_sqr($0, raw, precision) } }

    /// `self += x * y`, in place: the accumulator of every sum below.
    func addProduct(_ x: Ball, _ y: Ball) { arb_addmul(raw, x.raw, y.raw, precision) }

    /// `self = [m ± (r + |x|)]`: the radius grows by an upper bound of `|x|`, in place.
    func widen(by x: Ball) { arb_add_error(raw, x.raw) }

    /// `self += x`, in place.
    func add(_ x: Ball) { arb_add(raw, raw, x.raw, precision) }

    // MARK: Elementary functions (Arb's rigorous enclosures)

    func exp() -> Ball { make { arb_exp($0, raw, precision) } }
    /// Natural logarithm; exact 0 for an exact 1; the whole line if the ball reaches 0 or below.
    func log() -> Ball { make { arb_log($0, raw, precision) } }
    /// Hyperbolic tangent; exact 0 for an exact 0.
    func tanh() -> Ball { make { arb_tanh($0, raw, precision) } }

    /// Square root of a quantity known to be >= 0: the negative part of the ball is discarded
    /// (`arb_sqrtpos`), so `[0 ± eps]` gives `[0, sqrt(eps)]`-ish instead of an indeterminate ball.
    func squareRootOfNonnegative() -> Ball { make { arb_sqrtpos($0, raw, precision) } }

    /// The `k`-th root of a quantity known to be >= 0.
    ///
    /// The negative part of the ball is discarded first (`arb_nonnegative_part`). Arb 2.23's
    /// `arb_root_ui` returns an indeterminate ball (`nan ± inf`) for the exact 0 and for a ball
    /// that touches 0, so those cases are handled here: the exact 0 has root exactly 0, and a
    /// ball `[0, u]` has its root in `[0, u^(1/k)]` (the root is increasing), enclosed as the
    /// union of 0 and the root of the exact upper end `u`.
    func rootOfNonnegative(_ k: UInt) -> Ball {
        precondition(k >= 1, "rootOfNonnegative: k must be >= 1")
        let part = make { arb_nonnegative_part($0, raw) }
        if part.isExactZero { return part }
        if part.isPositive { return part.make { arb_root_ui($0, part.raw, k, precision) } }
        let upper = part.make { arb_get_ubound_arf(pvar_arb_mid($0), part.raw, precision) }   // exact u
        let root = upper.make { arb_root_ui($0, upper.raw, k, precision) }
        return Ball.union(Ball(precision: precision), root)
    }

    /// A ball containing both balls (`arb_union`).
    static func union(_ x: Ball, _ y: Ball) -> Ball { x.make { arb_union($0, x.raw, y.raw, x.precision) } }

    /// A ball containing `max(a, b)` for every `a` in `x` and `b` in `y` (`arb_max`).
    static func maximum(_ x: Ball, _ y: Ball) -> Ball { x.make { arb_max($0, x.raw, y.raw, x.precision) } }

    // MARK: Predicates (each a statement about every point of the ball)

    /// Radius 0 and midpoint 0: the exact number 0.
    var isExactZero: Bool { arb_is_zero(raw) != 0 }
    /// Every point is > 0.
    var isPositive: Bool { arb_is_positive(raw) != 0 }
    /// Midpoint and radius are finite.
    var isFinite: Bool { arb_is_finite(raw) != 0 }
    /// Every point is < every point of `y`.
    func isBelow(_ y: Ball) -> Bool { arb_lt(raw, y.raw) != 0 }
    /// Every point is > every point of `y`.
    func isAbove(_ y: Ball) -> Bool { arb_gt(raw, y.raw) != 0 }
    /// The ball contains the integer `n`.
    func contains(_ n: Int) -> Bool { arb_contains_si(raw, n) != 0 }
    /// The ball contains every point of `y`.
    func contains(_ y: Ball) -> Bool { arb_contains(raw, y.raw) != 0 }

    // MARK: Reading out

    /// The ball's ends rounded outward to doubles: `lo <= every point <= hi`.
    ///
    /// `arb_get_lbound_arf` / `arb_get_ubound_arf` give the ends rounded outward at the working
    /// precision, `arf_get_d` rounds them outward again to a double (correctly also on overflow
    /// and underflow: a huge end becomes +-infinity, a tiny positive lower end becomes 0). A ball
    /// with a non-finite midpoint or radius gives `(-inf, +inf)`.
    var outwardBounds: (lo: Double, hi: Double) {
        guard isFinite else { return (-.infinity, .infinity) }
        let end = UnsafeMutablePointer<arf_struct>.allocate(capacity: 1)
        arf_init(end)
        defer {
            arf_clear(end)
            end.deallocate()
        }
        arb_get_lbound_arf(end, raw, precision)
        let lo = arf_get_d(end, pvar_arf_rnd_floor())
        arb_get_ubound_arf(end, raw, precision)
        let hi = arf_get_d(end, pvar_arf_rnd_ceil())
        // arf_get_d of an exact zero is +0.0; normalise a -0.0 lower end the same way.
        return (lo == 0 ? 0 : lo, hi == 0 ? 0 : hi)
    }

    /// An upper bound, as a double, on `radius / |midpoint|`: 0 for an exact ball, +infinity
    /// when the midpoint is 0 but the radius is not (or the ball is not finite).
    var relativeRadius: Double {
        guard isFinite else { return .infinity }
        let radius = make { arb_get_rad_arb($0, raw) }
        if radius.isExactZero { return 0 }
        let midpoint = make { out in
            arb_get_mid_arb(out, raw)
            arb_abs(out, out)
        }
        if midpoint.isExactZero { return .infinity }
        return (radius / midpoint).outwardBounds.hi
    }

    /// Compares two *exact* balls by value (`arf_cmp` of the midpoints): -1, 0 or 1.
    static func compareExact(_ x: Ball, _ y: Ball) -> Int {
        precondition(arb_is_exact(x.raw) != 0 && arb_is_exact(y.raw) != 0, "compareExact: inexact ball")
        return Int(arf_cmp(pvar_arb_mid(x.raw), pvar_arb_mid(y.raw)))
    }
}

extension Ball {
    /// The exact dot product `sum_k x_k y_k` of two double vectors, as an exact ball.
    ///
    /// Why exact: a product of two doubles has at most 106 significant bits, so `arf_mul` at
    /// 128 bits is exact (checked: its inexact flag must be 0). All products are integer
    /// multiples of `2^-2148` (the square of the smallest subnormal) and smaller than `2^2048`, so
    /// their exact sum needs at most `2048 + 2148 + 64` bits for any `n < 2^64` terms;
    /// `arf_sum` rounds once, at the end, at `exactSumBits`, hence not at all (checked again).
    /// Arf stores only the significant limbs, so typical sums stay small.
    static func exactDot(_ x: [Double], _ y: [Double], precision: Int) -> Ball {
        precondition(x.count == y.count, "exactDot: lengths \(x.count) and \(y.count) differ")
        let n = x.count
        let terms = UnsafeMutablePointer<arf_struct>.allocate(capacity: max(n, 1))
        let a = UnsafeMutablePointer<arf_struct>.allocate(capacity: 1)
        let b = UnsafeMutablePointer<arf_struct>.allocate(capacity: 1)
        for i in 0..<n { arf_init(terms + i) }
        arf_init(a)
        arf_init(b)
        defer {
            for i in 0..<n { arf_clear(terms + i) }
            arf_clear(a)
            arf_clear(b)
            terms.deallocate()
            a.deallocate()
            b.deallocate()
        }
        for i in 0..<n {
            precondition(x[i].isFinite && y[i].isFinite, "exactDot: non-finite input")
            arf_set_d(a, x[i])
            arf_set_d(b, y[i])
            let inexact = pvar_arf_mul(terms + i, a, b, 128, pvar_arf_rnd_down())
            precondition(inexact == 0, "exactDot: a product of two doubles was rounded")
        }
        let out = Ball(precision: precision)
        let inexact = arf_sum(pvar_arb_mid(out.raw), terms, n, exactSumBits, pvar_arf_rnd_down())
        precondition(inexact == 0, "exactDot: the exact sum was rounded")
        return out
    }

    /// Bits that hold any exact sum of fewer than 2^64 products of two doubles (see `exactDot`).
    static let exactSumBits = 2048 + 2148 + 64
}

// MARK: - For claims (ClaimCertification.swift)

extension Ball {
    /// The ball Arb reads from a decimal literal (`arb_set_str`: `2`, `0.5`, `.5`, `1e-3`), or
    /// nil if Arb rejects the text. The ball contains the exact decimal number as written (a
    /// decimal that is not dyadic, like `0.1`, gets a radius covering its conversion error).
    convenience init?(decimal text: String, precision: Int) {
        self.init(precision: precision)
        guard arb_set_str(raw, text, precision) == 0 else { return nil }
    }

    /// The exact rational `q`, rounded to `precision` bits (`arb_set_fmpq`: the ball contains `q`).
    convenience init(rational q: Rational, precision: Int) {
        self.init(precision: precision)
        arb_set_fmpq(raw, q.raw, precision)
    }

    /// The indeterminate ball `nan ± inf` (`arb_indeterminate`): no information.
    static func indeterminate(precision: Int) -> Ball {
        let out = Ball(precision: precision)
        arb_indeterminate(out.raw)
        return out
    }

    /// The number this ball pins down, as an exact rational, if the ball is exact (radius 0, so
    /// the enclosed real number *is* the midpoint) and its magnitude lies between
    /// `2^-exactRationalExponentLimit` and `2^exactRationalExponentLimit` (or is 0): nil otherwise.
    var exactRational: Rational? {
        guard arb_is_exact(raw) != 0, arb_is_finite(raw) != 0 else { return nil }
        let mid = pvar_arb_mid(raw)
        let q = Rational()
        if arb_is_zero(raw) != 0 { return q }
        let limit = Ball.exactRationalExponentLimit
        guard arf_cmpabs_2exp_si(mid, limit) < 0, arf_cmpabs_2exp_si(mid, -limit) > 0 else { return nil }
        arf_get_fmpq(q.raw, mid)
        return q
    }

    /// The binary exponent range within which an exact ball is turned into a rational.
    static let exactRationalExponentLimit = 1 << 15

    /// Whether the ball contains the exact rational `q`.
    func contains(_ q: Rational) -> Bool { arb_contains_fmpq(raw, q.raw) != 0 }

    func negated() -> Ball { make { arb_neg($0, raw) } }
    func absoluteValue() -> Ball { make { arb_abs($0, raw) } }
    /// `log(1 + x)`.
    func log1p() -> Ball { make { arb_log1p($0, raw, precision) } }
    /// Square root (`arb_sqrt`): indeterminate if the ball reaches below 0, even by its radius.
    func squareRoot() -> Ball { make { arb_sqrt($0, raw, precision) } }
    /// The intersection with `[0, +inf)` (`arb_nonnegative_part`): rigorous only for a number
    /// known to be >= 0.
    func nonnegativePart() -> Ball { make { arb_nonnegative_part($0, raw) } }
    /// `x^n` for an integer `n` (`arb_pow_fmpz`: any sign of `x`; indeterminate for `n < 0` if
    /// the ball contains 0; `x^0 = 1`).
    func power(_ n: Int) -> Ball {
        make { out in
            let e = UnsafeMutablePointer<fmpz>.allocate(capacity: 1)
            fmpz_init(e)
            defer {
                fmpz_clear(e)
                e.deallocate()
            }
            fmpz_set_si(e, n)
            arb_pow_fmpz(out, raw, e, precision)
        }
    }
    /// `x^y = exp(y log x)` (`arb_pow`): meaningful for a ball of positive numbers.
    func power(_ y: Ball) -> Ball { make { arb_pow($0, raw, y.raw, precision) } }
    /// The upper end of the ball, rounded up to `precision` bits, as an exact ball.
    var upperEnd: Ball { make { arb_get_ubound_arf(pvar_arb_mid($0), raw, precision) } }

    /// A ball containing `min(a, b)` for every `a` in `x` and `b` in `y` (`arb_min`).
    static func minimum(_ x: Ball, _ y: Ball) -> Ball { x.make { arb_min($0, x.raw, y.raw, x.precision) } }

    /// Every point is >= 0.
    var isNonnegative: Bool { arb_is_nonnegative(raw) != 0 }
    /// Every point is <= 0.
    var isNonpositive: Bool { arb_is_nonpositive(raw) != 0 }
    /// Every point is <= every point of `y`.
    func isAtMost(_ y: Ball) -> Bool { arb_le(raw, y.raw) != 0 }
    /// Every point is >= every point of `y`.
    func isAtLeast(_ y: Ball) -> Bool { arb_ge(raw, y.raw) != 0 }
}
