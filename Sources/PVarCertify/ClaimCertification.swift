// Claims (PVarCore's `Claim`) evaluated rigorously in Arb ball arithmetic, with exact rationals
// wherever the value is a known rational, and decided as statements about real numbers.

import CArb
import PVarCore

/// The certified outcome of a claim `smaller <= larger` (or `smaller < larger`), as a statement
/// about the exact real numbers of the instance (its input doubles taken as exact rationals).
public enum ClaimVerdict: String, Sendable, Codable {
    /// Proved: every point of the smaller side's enclosure is `<=` (strict claim: `<`) every
    /// point of the larger side's, or both sides are exact rationals in that order.
    case holds
    /// Refuted: the smaller side is proved `>` the larger one (strict claim: `>=`).
    case violated
    /// Not decided at the largest precision tried: the sides are equal (or too close to
    /// separate) without being exact rationals, a side is undefined somewhere in its enclosure
    /// (`sqrt` or `log` of a possibly negative number, division by a ball containing 0, ...), or
    /// the claim uses the free constant `C` and no value was given.
    case undecided
}

/// A claim evaluated in balls on one instance (`certifyClaim`).
public struct ClaimCertificate: Sendable {
    /// The precision (bits) at which the verdict was decided, or the largest one tried; 0 when
    /// nothing was evaluated (the claim uses `C` and no finite value was given).
    public let precisionBits: Int
    /// The side claimed smaller (`Claim.smaller`): `[lo, hi]` rounded outward to doubles;
    /// `[-inf, +inf]` where the expression is undefined somewhere in its enclosure; `[nan, nan]`
    /// when nothing was evaluated.
    public let smaller: Enclosure
    /// The side claimed larger (`Claim.larger`), likewise.
    public let larger: Enclosure
    /// The claim's ratio, an enclosure of `Claim.ratio(smaller:larger:)` of the exact sides:
    /// - `smaller / larger` when `larger` is proved > 0 (an exact rational when both sides are);
    /// - `[0, 0]` when both sides are exact zeros (`0/0 := 0`, Proofs/setting.md §10; a strict
    ///   claim `0 < 0` is nonetheless `violated`: the verdict, not the ratio, decides);
    /// - `[+inf, +inf]` when `larger` is proved <= 0 and `smaller` proved above it (e.g.
    ///   `smaller > 0 = larger`), `[0, 0]` when `larger` is proved <= 0 and `smaller` proved at
    ///   most it (the conventions of `Claim.ratio` for a larger side `<= 0`);
    /// - `[-inf, +inf]` (no information; `json` writes `[null, null]`) otherwise: the larger
    ///   side's enclosure straddles 0, or a side is undefined;
    /// - `[nan, nan]` when nothing was evaluated.
    public let ratio: Enclosure
    /// `violated`: certified `smaller > larger` (strict claim: `smaller >= larger`); `holds`:
    /// certified `smaller <= larger` (strict: `<`); else `undecided`.
    public let verdict: ClaimVerdict

    /// `{"precisionBits": 128, "smaller": [lo, hi], "larger": [lo, hi], "ratio": [lo, hi],
    /// "verdict": "holds"}`, non-finite ends written `null` (`Enclosure.json`).
    public func json() -> String {
        "{\"precisionBits\": \(precisionBits), \"smaller\": \(smaller.json), \"larger\": \(larger.json), "
            + "\"ratio\": \(ratio.json), \"verdict\": \"\(verdict.rawValue)\"}"
    }
}

/// Certifies `claim` on `problem`: both sides evaluated in Arb ball arithmetic from the
/// definitions of their quantities (`ClaimBalls`), the verdict read off the balls.
///
/// - `freeConstant`: the value of `C` (a double taken exactly). A claim that uses `C` with no
///   value (nil) or a non-finite one is not evaluated: the result is `undecided`, precision 0,
///   every enclosure `[nan, nan]` (no precondition failure: claims come from users). A value
///   given for a claim without `C` is ignored.
/// - Precision: `certifiedStartingPrecision` bits (128), doubled while undecided, up to
///   `maxPrecision` (the schedule of `certify`). A side that is an exact rational (literals,
///   `K`, `d`, `beta`, `maxRewardGap`, exact zeros such as `pvarPolicy` at the reference, and
///   `+ - * /`, integer powers, `abs`, `min`, `max` and exact square roots of those) is compared
///   exactly, so `0.1 * 10 <= 1` holds and `0.1 * 10 < 1` is violated at the first precision.
///   An equality between irrational numbers (B2's `sqrt(2) beta G sqrt(PVar)` where it is
///   attained) can never be decided and stays `undecided` at `maxPrecision`.
///
/// Why rigorous: every ball contains the exact real value of its expression for the input
/// doubles taken as exact rationals (Arb's containment guarantee; the rules for literals,
/// powers, roots and undefined values are those of `ClaimBalls`), an exact rational is exact,
/// and a verdict is read off only from facts true of every point of the balls.
public func certifyClaim(_ problem: Problem, _ claim: Claim, freeConstant: Double? = nil, maxPrecision: Int = 1024) -> ClaimCertificate {
    var constant = 0.0
    if claim.hasFreeConstant {
        guard let c = freeConstant, c.isFinite else {
            let nan = Enclosure(lo: .nan, hi: .nan, relativeRadius: .infinity)
            return ClaimCertificate(precisionBits: 0, smaller: nan, larger: nan, ratio: nan, verdict: .undecided)
        }
        constant = c
    }
    return withRisingPrecision(upTo: maxPrecision) { precision in
        let arithmetic = ClaimBalls(problem, precision: precision, freeConstant: constant)
        let smaller = claim.smaller.evaluate(in: arithmetic)
        let larger = claim.larger.evaluate(in: arithmetic)
        let verdict = decideClaim(smaller, larger, strict: claim.isStrict)
        let certificate = ClaimCertificate(
            precisionBits: precision,
            smaller: smaller.enclosure,
            larger: larger.enclosure,
            ratio: claimRatio(smaller, larger),
            verdict: verdict)
        return (certificate, verdict != .undecided)
    }
}

/// The verdict from the two sides: exactly, if both are exact rationals; else from the balls.
func decideClaim(_ smaller: ClaimBall, _ larger: ClaimBall, strict: Bool) -> ClaimVerdict {
    if let s = smaller.exact, let l = larger.exact {
        let c = Rational.compare(s, l)
        if strict { return c < 0 ? .holds : .violated }
        return c <= 0 ? .holds : .violated
    }
    let s = smaller.ball, l = larger.ball
    guard s.isFinite && l.isFinite else { return .undecided }
    if strict {
        if s.isBelow(l) { return .holds }
        if s.isAtLeast(l) { return .violated }
    } else {
        if s.isAtMost(l) { return .holds }
        if s.isAbove(l) { return .violated }
    }
    return .undecided
}

/// The enclosure of the claim's ratio (see `ClaimCertificate.ratio`).
func claimRatio(_ smaller: ClaimBall, _ larger: ClaimBall) -> Enclosure {
    let infinite = Enclosure(lo: .infinity, hi: .infinity, relativeRadius: 0)
    let unknown = Enclosure(lo: -.infinity, hi: .infinity, relativeRadius: .infinity)
    if let s = smaller.exact, let l = larger.exact {
        if l.sign > 0, let r = s / l {
            return Enclosure(Ball(rational: r, precision: smaller.ball.precision), nonnegative: r.sign >= 0)
        }
        if l.sign > 0 { return unknown }   // the exact quotient was too large to form: not expected
        if s.sign == 0 && l.sign == 0 { return .zero }
        return Rational.compare(s, l) > 0 ? infinite : .zero
    }
    let s = smaller.ball, l = larger.ball
    guard s.isFinite && l.isFinite else { return unknown }
    if l.isPositive {
        return Enclosure(s / l, nonnegative: smaller.nonnegative)
    }
    if l.isNonpositive {
        if s.isAbove(l) { return infinite }
        if s.isAtMost(l) { return .zero }
    }
    return unknown
}

/// A number of a claim in ball arithmetic: a ball that contains it, the exact rational it is
/// when that is known, and whether it is known to be >= 0 by construction.
///
/// Invariants: the ball contains the exact real value; `exact`, when present, *is* that value
/// (and lies in the ball); `nonnegative` is a fact about the real value (every quantity is >= 0
/// by definition, and sums, products, quotients, square roots, `exp`, `abs` of such stay so),
/// in which case the ball's impossible negative part has been cut off (`arb_nonnegative_part`).
/// A value undefined somewhere (`sqrt(-1)`, `log(0)`, `1/0`) is an indeterminate ball
/// (`nan ± inf`), and every operation with one gives one again.
struct ClaimBall {
    let ball: Ball
    let exact: Rational?
    let nonnegative: Bool

    /// From a ball: an exact ball is turned into its rational (`Ball.exactRational`); a
    /// number known to be >= 0 has the negative part of a finite ball cut off.
    init(_ ball: Ball, nonnegative: Bool) {
        let exact = ball.exactRational
        let known = nonnegative || (exact.map { $0.sign >= 0 } ?? false) || ball.isNonnegative
        self.ball = known && ball.isFinite && !ball.isNonnegative ? ball.nonnegativePart() : ball
        self.exact = exact
        self.nonnegative = known && ball.isFinite
    }

    /// From an exact rational.
    init(_ q: Rational, precision: Int) {
        ball = Ball(rational: q, precision: precision)
        exact = q
        nonnegative = q.sign >= 0
    }

    /// An exact rational if the operation gave one, else the ball (and its sign knowledge).
    init(_ q: Rational?, precision: Int, orElse ball: () -> Ball, nonnegative: Bool) {
        if let q {
            self.init(q, precision: precision)
        } else {
            self.init(ball(), nonnegative: nonnegative)
        }
    }

    static func indeterminate(precision: Int) -> ClaimBall {
        ClaimBall(Ball.indeterminate(precision: precision), nonnegative: false)
    }

    var precision: Int { ball.precision }
    var isDefined: Bool { ball.isFinite }

    /// The enclosure (lower end clamped at 0 for a number known to be >= 0).
    var enclosure: Enclosure { Enclosure(ball, nonnegative: nonnegative) }
}

/// The ball arithmetic of claims on one `Problem` at one precision.
///
/// Quantities, each enclosed from its definition (Proofs/setting.md; inputs as exact rationals),
/// built lazily so a claim pays only for what it uses:
/// - `gradientNorm`, `pvarPolicy`, `pvarLabels`, `disagreement`, `scoreSpread`, `scoreBound`,
///   `fisherTrace = sum_y pi_y ||s_y||^2`: `BallEvaluation`;
/// - `noise` (`E||g - grad L||^2` from the definition), `labelNoise`
///   (`beta^2 E_mu[q (1 - q) ||phi_i - phi_j||^2]`), `snr = ||grad L||^2 / noise` (`0` when the
///   signal is exactly 0, `0/0 := 0`): `BallNoise`;
/// - `loss = E_mu[q softplus(-a) + (1 - q) softplus(a)]`, `softplus(x) = log1p(exp(x))`, `a` the
///   implicit-reward difference (`BallPairs.rewardGaps`), all ordered pairs (`i = j` gives `log 2`);
/// - `minPolicyProbability`, `maxPolicyProbability`: `arb_min` / `arb_max` of the balls of pi;
/// - `beta`, `K`, `d`, `maxRewardGap` (`max r - min r` of the input doubles): exact rationals.
/// All quantities are >= 0 by definition (`ClaimBall.nonnegative`).
///
/// Rules (each keeps the invariants of `ClaimBall`):
/// - literal: the exact decimal as written, as a rational (`Rational(decimal:)`), and the ball
///   `arb_set_str` reads from the text (which contains it); `0.1` is 1/10, not a double.
/// - `+ - * /`: exact rationals when both operands are (`/` by an exact 0: undefined); else
///   Arb's ball operations (division by a ball containing 0: undefined).
/// - `x ^ y`: if `y` is an exact integer `n`, `x^n` (exactly for a rational `x`; else
///   `arb_pow_fmpz`, any sign of `x`; `x^0 = 1`; `0^n` for `n < 0` undefined). Otherwise
///   `x^y = exp(y log x)` needs `x > 0` (proved by the ball), or `x = 0` exactly with `y > 0`
///   (exact 0), or `x` known >= 0 by construction with `y > 0` proved, when the ball `[0, u]`
///   gives `[0, u^y]` (`x^y` is increasing in `x` for `y > 0`); anything else (a possibly
///   negative base: `(-8)^(1/3)` is NaN in doubles too) is undefined.
/// - `sqrt`: exact if the rational is a square of a rational; `arb_sqrtpos` for a number known
///   >= 0 by construction (its ball may straddle 0 only by rounding, and cutting the negative part
///   removes only impossible values: this is how `sqrt(pvarPolicy)` near the reference stays
///   decidable); otherwise `arb_sqrt`, undefined if the ball reaches below 0 at all. So
///   `sqrt(x - y)` with `x = y` never decides anything, even though its double is 0.
/// - `log`, `exp`, `abs`, `min`, `max`: `arb_log` (undefined unless the ball is > 0), `arb_exp`,
///   `arb_abs`, `arb_min`, `arb_max` (exact where the argument is an exact rational and the value
///   is: `log 1 = 0`, `exp 0 = 1`, `abs`, `min`, `max`).
/// - an operation with an undefined operand is undefined.
final class ClaimBalls: ClaimArithmetic {
    let problem: Problem
    let precision: Int
    let freeConstant: ClaimBall

    /// `freeConstant`: the value of `C` (a finite double taken exactly), or nil (then `C` is undefined).
    init(_ problem: Problem, precision: Int, freeConstant: Double?) {
        self.problem = problem
        self.precision = precision
        self.freeConstant = freeConstant.map { ClaimBall(Ball(exactly: $0, precision: precision), nonnegative: false) }
            ?? .indeterminate(precision: precision)
    }

    /// Over an evaluation already made (the statements B0–B3 in `certify`); no free constant.
    init(_ evaluation: BallEvaluation) {
        self.problem = evaluation.pairs.problem
        self.precision = evaluation.precision
        self.freeConstant = .indeterminate(precision: evaluation.precision)
        self.pairs = evaluation.pairs
        self.evaluation = evaluation
    }

    private lazy var pairs = BallPairs(problem, precision: precision)
    private lazy var evaluation = BallEvaluation(pairs)
    private lazy var noise = BallNoise(pairs)
    /// The noise balls (signal, noise, PVar of the labels) of S1's certificate.
    var noiseBalls: BallNoise { noise }

    private func exact(_ x: Double) -> Ball { Ball(exactly: x, precision: precision) }

    /// `E_mu[q softplus(-a) + (1 - q) softplus(a)]` over all ordered pairs.
    private lazy var loss: Ball = {
        let mu = pairs.mu, k = mu.count
        let half = exact(0.5)
        let total = Ball(precision: precision)
        for i in 0..<k {
            for j in 0..<k {
                let a = pairs.rewardGaps[i][j]
                let q = half + pairs.centredQ[i][j], notQ = half - pairs.centredQ[i][j]
                let softplusMinus = a.negated().exp().log1p(), softplusPlus = a.exp().log1p()
                total.addProduct(mu[i] * mu[j], q * softplusMinus + notQ * softplusPlus)
            }
        }
        return total
    }()

    // MARK: ClaimArithmetic

    func literal(_ text: String) -> ClaimBall {
        let q = Rational(decimal: text)
        guard let ball = Ball(decimal: text, precision: precision) else {
            return q.map { ClaimBall($0, precision: precision) } ?? .indeterminate(precision: precision)
        }
        if let q {
            precondition(ball.contains(q), "literal \(text): arb_set_str and the exact decimal disagree")
            return ClaimBall(ball: ball, exact: q)
        }
        return ClaimBall(ball, nonnegative: false)
    }

    func quantity(_ q: ClaimQuantity) -> ClaimBall {
        let ball: Ball
        switch q {
        case .gradientNorm: ball = evaluation.gradientNorm
        case .loss: ball = loss
        case .pvarPolicy: ball = evaluation.pvarPolicy
        case .pvarLabels: ball = evaluation.pvarLabels
        case .labelVariance: ball = exact(0.25) - evaluation.pvarLabels
        case .disagreement: ball = evaluation.disagreement
        case .scoreSpread: ball = evaluation.scoreSpread
        case .scoreBound: ball = evaluation.scoreBound
        case .fisherTrace: ball = evaluation.fisherTrace
        case .noise: ball = noise.noise
        case .labelNoise: ball = noise.labelNoise
        case .snr: ball = noise.signal.isExactZero ? Ball(precision: precision) : noise.signal / noise.noise
        case .beta: ball = pairs.beta
        case .K: ball = Ball(exactly: problem.responseCount, precision: precision)
        case .d: ball = Ball(exactly: problem.dimension, precision: precision)
        case .minPolicyProbability:
            ball = pairs.pi.dropFirst().reduce(pairs.pi.first ?? .indeterminate(precision: precision), Ball.minimum)
        case .maxPolicyProbability:
            ball = pairs.pi.dropFirst().reduce(pairs.pi.first ?? .indeterminate(precision: precision), Ball.maximum)
        case .maxRewardGap:
            // The difference of two doubles, exact at `exactSumBits` bits.
            let bits = Ball.exactSumBits
            let top = Ball(exactly: problem.rewards.max() ?? 0, precision: bits)
            let bottom = Ball(exactly: problem.rewards.min() ?? 0, precision: bits)
            guard let gap = (top - bottom).exactRational else { preconditionFailure("maxRewardGap: not exact") }
            return ClaimBall(gap, precision: precision)
        }
        return ClaimBall(ball, nonnegative: true)
    }

    func negate(_ x: ClaimBall) -> ClaimBall {
        guard x.isDefined else { return .indeterminate(precision: precision) }
        return ClaimBall(x.exact.map { -$0 }, precision: precision, orElse: { x.ball.negated() }, nonnegative: false)
    }

    func apply(_ op: ClaimOperator, _ x: ClaimBall, _ y: ClaimBall) -> ClaimBall {
        guard x.isDefined && y.isDefined else { return .indeterminate(precision: precision) }
        switch op {
        case .add:
            return ClaimBall(both(x, y, +), precision: precision, orElse: { x.ball + y.ball },
                             nonnegative: x.nonnegative && y.nonnegative)
        case .subtract:
            return ClaimBall(both(x, y, -), precision: precision, orElse: { x.ball - y.ball }, nonnegative: false)
        case .multiply:
            return ClaimBall(both(x, y, *), precision: precision, orElse: { x.ball * y.ball },
                             nonnegative: x.nonnegative && y.nonnegative)
        case .divide:
            if let b = y.exact, b.sign == 0 { return .indeterminate(precision: precision) }
            return ClaimBall(both(x, y, /), precision: precision, orElse: { x.ball / y.ball },
                             nonnegative: x.nonnegative && y.nonnegative)
        case .power:
            return power(x, y)
        }
    }

    /// `op` on two exact rationals, or nil (an operand is not exact, or the result is too large).
    private func both(_ x: ClaimBall, _ y: ClaimBall, _ op: (Rational, Rational) -> Rational?) -> Rational? {
        guard let a = x.exact, let b = y.exact else { return nil }
        return op(a, b)
    }

    /// `x ^ y` (rules in the type's comment).
    private func power(_ x: ClaimBall, _ y: ClaimBall) -> ClaimBall {
        if let n = y.exact?.integerValue {
            if let a = x.exact {
                if n == 0 { return ClaimBall(Rational(1), precision: precision) }
                if a.sign == 0 && n < 0 { return .indeterminate(precision: precision) }
                if let r = a.power(n) { return ClaimBall(r, precision: precision) }
            }
            return ClaimBall(x.ball.power(n), nonnegative: x.nonnegative || n % 2 == 0)
        }
        if let a = x.exact, a.sign == 0 {
            return y.ball.isPositive ? ClaimBall(Rational(), precision: precision) : .indeterminate(precision: precision)
        }
        if x.ball.isPositive { return ClaimBall(x.ball.power(y.ball), nonnegative: true) }
        if x.nonnegative && y.ball.isPositive {
            // x in [0, u] (negative part already cut off), y > 0: x^y in [0, u^y].
            let u = x.ball.upperEnd
            if u.isExactZero { return ClaimBall(Rational(), precision: precision) }
            return ClaimBall(Ball.union(Ball(precision: precision), u.power(y.ball)), nonnegative: true)
        }
        return .indeterminate(precision: precision)
    }

    /// `x^(1/n)` written as a root: `sqrt` for `n = 2` (`call`); for `n >= 3` an exact rational
    /// root where there is one is not sought (`x^(1/n)` of a rational is rarely rational), and the
    /// ball is `arb_root_ui` of a number known >= 0 by construction (its impossible negative part
    /// cut off, as for `sqrt`), else `x^(1/n)` by the rules of `^`.
    func root(_ x: ClaimExpression, degree: Int) -> ClaimBall {
        let v = x.evaluate(in: self)
        if degree == 2 { return call(.sqrt, [v]) }
        guard v.isDefined else { return .indeterminate(precision: precision) }
        if let a = v.exact, a.sign == 0 { return ClaimBall(Rational(), precision: precision) }
        if v.nonnegative { return ClaimBall(v.ball.rootOfNonnegative(UInt(degree)), nonnegative: true) }
        return apply(.power, v, apply(.divide, literal("1"), literal(String(degree))))
    }

    func call(_ f: ClaimFunction, _ args: [ClaimBall]) -> ClaimBall {
        guard !args.isEmpty, args.allSatisfy(\.isDefined) else { return .indeterminate(precision: precision) }
        let x = args[0]
        switch f {
        case .sqrt:
            if let r = x.exact?.squareRoot { return ClaimBall(r, precision: precision) }
            if x.nonnegative { return ClaimBall(x.ball.squareRootOfNonnegative(), nonnegative: true) }
            return ClaimBall(x.ball.squareRoot(), nonnegative: true)
        case .log:
            if let a = x.exact, a.isOne { return ClaimBall(Rational(), precision: precision) }
            return ClaimBall(x.ball.log(), nonnegative: false)
        case .exp:
            if let a = x.exact, a.sign == 0 { return ClaimBall(Rational(1), precision: precision) }
            return ClaimBall(x.ball.exp(), nonnegative: true)
        case .abs:
            return ClaimBall(x.exact.map { $0.sign < 0 ? -$0 : $0 }, precision: precision,
                             orElse: { x.ball.absoluteValue() }, nonnegative: true)
        case .min, .max:
            let isMin = f == .min
            let exacts = args.compactMap(\.exact)
            if exacts.count == args.count {
                let pick = exacts.dropFirst().reduce(exacts[0]) { best, q in
                    let c = Rational.compare(q, best)
                    return (isMin ? c < 0 : c > 0) ? q : best
                }
                return ClaimBall(pick, precision: precision)
            }
            let ball = args.dropFirst().reduce(x.ball) { isMin ? Ball.minimum($0, $1.ball) : Ball.maximum($0, $1.ball) }
            let nonnegative = isMin ? args.allSatisfy(\.nonnegative) : args.contains(where: \.nonnegative)
            return ClaimBall(ball, nonnegative: nonnegative)
        }
    }
}

extension ClaimBall {
    /// A ball that contains the exact rational `exact` (a literal's `arb_set_str` ball).
    init(ball: Ball, exact: Rational) {
        self.ball = ball
        self.exact = exact
        self.nonnegative = exact.sign >= 0
    }
}

/// An exact rational number (FLINT's `fmpq_t`), owned by this object, for the parts of a claim
/// that are rational: results too large (height above `Rational.heightLimit` bits) are not
/// formed (the operation returns nil and the caller falls back to balls).
///
/// Memory: `fmpq_init` when created, `fmpq_clear` in `deinit`; like `Ball`, never shared across
/// tasks and `raw` read only inside its own methods or `Ball`'s.
final class Rational {
    let raw: UnsafeMutablePointer<fmpq>

    /// Zero.
    init() {
        raw = .allocate(capacity: 1)
        fmpq_init(raw)
    }

    deinit {
        fmpq_clear(raw)
        raw.deallocate()
    }

    convenience init(_ n: Int) {
        self.init()
        fmpq_set_si(raw, n, 1)
    }

    /// Numerator and denominator as `fmpz` pointers (`fmpq` is `{num, den}`; the macros
    /// `fmpq_numref`, `fmpq_denref` are not callable from Swift).
    private var numerator: UnsafeMutablePointer<fmpz> { UnsafeMutableRawPointer(raw).assumingMemoryBound(to: fmpz.self) }
    private var denominator: UnsafeMutablePointer<fmpz> { numerator + 1 }

    /// The largest height (bits of numerator or denominator) a result may have.
    static let heightLimit = 1 << 16

    /// The exact value of a decimal literal `[digits][.digits][(e|E)[+|-]digits]`, or nil if the
    /// text is not one or its value would exceed `heightLimit` bits.
    convenience init?(decimal text: String) {
        var mantissa = "", fractionDigits = 0, exponent = 0
        var chars = Substring(text)
        var sawDot = false
        while let c = chars.first, c.isASCII, c.isNumber || (c == "." && !sawDot) {
            if c == "." { sawDot = true } else {
                mantissa.append(c)
                if sawDot { fractionDigits += 1 }
            }
            chars = chars.dropFirst()
        }
        guard !mantissa.isEmpty else { return nil }
        if let e = chars.first, e == "e" || e == "E" {
            chars = chars.dropFirst()
            guard let value = Int(chars), chars.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == "+" || $0 == "-") })
            else { return nil }
            exponent = value
            chars = chars.dropFirst(chars.count)
        }
        guard chars.isEmpty else { return nil }
        let power = exponent - fractionDigits   // value = mantissa * 10^power
        // 10^n has about 3.33 n bits.
        guard mantissa.count <= 10_000, power.magnitude <= UInt(Rational.heightLimit / 4) else { return nil }
        self.init()
        let m = UnsafeMutablePointer<fmpz>.allocate(capacity: 3)
        for i in 0..<3 { fmpz_init(m + i) }
        defer {
            for i in 0..<3 { fmpz_clear(m + i) }
            m.deallocate()
        }
        guard fmpz_set_str(m, mantissa, 10) == 0 else { return nil }
        fmpz_set_si(m + 1, 10)
        fmpz_pow_ui(m + 2, m + 1, UInt(power.magnitude))   // 10^|power|
        if power >= 0 {
            fmpz_mul(m, m, m + 2)
            fmpz_set_si(m + 1, 1)
            fmpq_set_fmpz_frac(raw, m, m + 1)
        } else {
            fmpq_set_fmpz_frac(raw, m, m + 2)
        }
        guard heightBits <= Rational.heightLimit else { return nil }
    }

    /// -1, 0 or 1.
    var sign: Int { Int(fmpq_sgn(raw)) }
    var isOne: Bool { fmpq_is_one(raw) != 0 }
    var heightBits: Int { Int(fmpq_height_bits(raw)) }

    /// The value as an `Int`, if it is an integer that fits.
    var integerValue: Int? {
        guard fmpz_is_one(denominator) != 0, fmpz_fits_si(numerator) != 0 else { return nil }
        return fmpz_get_si(numerator)
    }

    /// `self` with `body(result)` applied, or nil if the result exceeds `heightLimit` bits.
    private static func make(_ body: (UnsafeMutablePointer<fmpq>) -> Void) -> Rational? {
        let out = Rational()
        body(out.raw)
        return out.heightBits <= heightLimit ? out : nil
    }

    static func + (x: Rational, y: Rational) -> Rational? { make { fmpq_add($0, x.raw, y.raw) } }
    static func - (x: Rational, y: Rational) -> Rational? { make { fmpq_sub($0, x.raw, y.raw) } }
    static func * (x: Rational, y: Rational) -> Rational? { make { fmpq_mul($0, x.raw, y.raw) } }
    /// `x / y` for `y != 0`.
    static func / (x: Rational, y: Rational) -> Rational? {
        precondition(y.sign != 0, "Rational: division by zero")
        return make { fmpq_div($0, x.raw, y.raw) }
    }
    static prefix func - (x: Rational) -> Rational {
        let out = Rational()
        fmpq_neg(out.raw, x.raw)
        return out
    }

    /// `x^n` (`x != 0` when `n < 0`), or nil if the result would exceed `heightLimit` bits.
    func power(_ n: Int) -> Rational? {
        precondition(sign != 0 || n >= 0, "Rational: 0 to a negative power")
        guard n.magnitude <= UInt(Rational.heightLimit),
              UInt(max(heightBits, 1)).multipliedReportingOverflow(by: n.magnitude).partialValue
                <= UInt(Rational.heightLimit) else { return nil }
        return Rational.make { fmpq_pow_si($0, raw, n) }
    }

    /// The exact square root, if this is the square of a rational (numerator and denominator
    /// perfect squares; lowest terms make that necessary as well as sufficient); nil otherwise.
    var squareRoot: Rational? {
        guard sign >= 0, fmpz_is_square(numerator) != 0, fmpz_is_square(denominator) != 0 else { return nil }
        let out = Rational()
        fmpz_sqrt(out.numerator, numerator)
        fmpz_sqrt(out.denominator, denominator)
        return out
    }

    /// -1, 0 or 1 as `x <, =, > y`.
    static func compare(_ x: Rational, _ y: Rational) -> Int {
        let c = fmpq_cmp(x.raw, y.raw)
        return c < 0 ? -1 : (c > 0 ? 1 : 0)
    }
}
