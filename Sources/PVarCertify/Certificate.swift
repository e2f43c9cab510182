// Certified verdicts: ||grad L||, the PVars and the bounds B0–B3 enclosed in balls, and each
// statement decided as a claim about real numbers.

import PVarCore

/// The outcome of comparing `||grad L||` with a bound's value, as a statement about the exact
/// real numbers of the instance (its input doubles taken as exact rationals).
public enum CertifiedVerdict: String, Sendable, CaseIterable, Codable {
    /// `||grad L|| < value` is proved (the ratio's upper end is below 1), or `||grad L|| = 0`
    /// exactly.
    case holds
    /// `||grad L|| > value` is proved (the ratio's lower end is above 1): a real violation.
    case violated
    /// The ratio's enclosure contains 1 and lies within `certifiedTightnessWindow` of 1: no
    /// precision can exclude equality, and no violation larger than the window exists.
    case tight
    /// Not decided at the largest precision tried.
    case undecided
}

/// Half-width of the window around ratio 1 inside which an enclosure containing 1 is reported
/// `tight`: `2^-100`.
///
/// Reason: equality cases (B0 with K = 2, B2 with two uniform responses) have ratio exactly 1,
/// which no finite precision can separate from 1; `2^-100` is far below any violation worth the
/// name and far above the enclosure width at 128 bits (about `2^-120` on such instances).
public let certifiedTightnessWindow = 0x1p-100

/// The working precision (bits) of the first attempt; each further attempt doubles it.
public let certifiedStartingPrecision = 128

/// A rigorous enclosure of a real number by two doubles: `lo <= x <= hi`.
///
/// Made from a ball by rounding its lower end down and its upper end up to doubles, so it is as
/// rigorous as the ball (and, being doubles, at least a few ulps wide unless exact). An exact
/// ball gives `lo == hi` (an exact zero gives `[0, 0]`); a ball beyond the double range gives an
/// infinite end; a quantity known to be >= 0 has its lower end clamped at 0 (rigorous: the
/// clamp removes only impossible values).
public struct Enclosure: Sendable, Equatable, CustomStringConvertible {
    public let lo: Double
    public let hi: Double
    /// An upper bound on the underlying ball's `radius / |midpoint|` (0 for an exact ball;
    /// +infinity when the midpoint is 0 and the radius is not). It measures how well the ball
    /// pins the number down, below the resolution of the double ends `lo`, `hi`.
    public let relativeRadius: Double

    public init(lo: Double, hi: Double, relativeRadius: Double = 0) {
        precondition(!(lo > hi), "Enclosure: lo \(lo) > hi \(hi)")
        self.lo = lo
        self.hi = hi
        self.relativeRadius = relativeRadius
    }

    init(_ ball: Ball, nonnegative: Bool) {
        let (lo, hi) = ball.outwardBounds
        self.init(lo: nonnegative ? max(lo, 0) : lo, hi: hi, relativeRadius: ball.relativeRadius)
    }

    /// The exact zero, `[0, 0]`.
    public static let zero = Enclosure(lo: 0, hi: 0)

    /// Whether `x` lies in `[lo, hi]`.
    public func contains(_ x: Double) -> Bool { lo <= x && x <= hi }

    /// Whether the enclosure is the single exact value 0.
    public var isExactZero: Bool { lo == 0 && hi == 0 }

    public var description: String { "[\(lo), \(hi)]" }

    /// `[lo, hi]` as a JSON array; a non-finite end (the enclosure reaches beyond the double
    /// range, or the ball is indeterminate) is written `null`, as JSON has no infinity.
    public var json: String {
        func number(_ x: Double) -> String { x.isFinite ? InstanceFile.format(x) : "null" }
        return "[\(number(lo)), \(number(hi))]"
    }
}

/// One statement certified on one instance.
public struct CertifiedBound: Sendable, Equatable {
    public let id: BoundID
    /// The bound's value (with the replaced constant, for `certifyBound(_:_:constant:)`).
    public let value: Enclosure
    /// `||grad L|| / value`: `[0, 0]` when `||grad L||` is exactly 0; `[+inf, +inf]` when the
    /// value is exactly 0 and `||grad L||` is proved positive.
    public let ratio: Enclosure
    public let verdict: CertifiedVerdict
}

/// The rigorous re-evaluation of one instance: enclosures of `||grad L||`, both PVars and each
/// bound's value, and a verdict per statement.
public struct Certificate: Sendable {
    /// The precision (bits) at which every verdict was decided, or the largest one tried.
    public let precisionBits: Int
    public let gradientNorm: Enclosure
    public let pvarPolicy: Enclosure
    public let pvarLabels: Enclosure
    /// B0..B3, each with value, ratio and verdict.
    public let bounds: [BoundID: CertifiedBound]

    /// Whether every statement was decided (no `undecided` verdict).
    public var isDecided: Bool { bounds.values.allSatisfy { $0.verdict != .undecided } }

    /// The certificate as one JSON object:
    /// `{"precisionBits": 128, "gradientNorm": [lo, hi], "pvarPolicy": [lo, hi],
    /// "pvarLabels": [lo, hi], "bounds": {"B0": {"value": [lo, hi], "ratio": [lo, hi],
    /// "verdict": "holds"}, ...}}`, numbers written by `InstanceFile.format` (shortest
    /// round-tripping decimal) and non-finite ends as `null`. A statement whose hypotheses fail
    /// (`applies` false) makes no claim on the instance: its verdict is written
    /// `"not applicable"` (its enclosures are kept, for information), never holds or violated.
    public func json(applies: (BoundID) -> Bool = { _ in true }) -> String {
        let entries = BoundID.allCases.compactMap { id -> String? in
            guard let b = bounds[id] else { return nil }
            return "\"\(id.rawValue)\": {\"value\": \(b.value.json), \"ratio\": \(b.ratio.json), "
                + "\"verdict\": \"\(applies(id) ? b.verdict.rawValue : notApplicableVerdict)\"}"
        }
        return "{\"precisionBits\": \(precisionBits), \"gradientNorm\": \(gradientNorm.json), "
            + "\"pvarPolicy\": \(pvarPolicy.json), \"pvarLabels\": \(pvarLabels.json), "
            + "\"bounds\": {\(entries.joined(separator: ", "))}}"
    }
}

/// The verdict written for a statement whose hypotheses fail on the instance: it makes no claim
/// there, so it neither holds nor is violated (`Certificate.json(applies:)`, `pvar evaluate`).
public let notApplicableVerdict = "not applicable"

/// Certifies every statement B0–B3 on `problem`.
///
/// Evaluates the instance in ball arithmetic (`BallEvaluation`) at `certifiedStartingPrecision`
/// bits (or `maxPrecision`, if smaller) and, while some comparison is undecided, again at twice
/// the precision, capped at `maxPrecision` (128, 256, 512, 1024 by default). The verdict of
/// each statement is decided whatever its hypotheses (`BoundID.applies` is a separate,
/// double-level notion); the enclosures come from the last evaluation.
///
/// Why rigorous: every ball contains the exact real value for the input doubles taken as exact
/// rationals, and a verdict is read off only from facts true of every point of the balls.
public func certify(_ problem: Problem, maxPrecision: Int = 1024) -> Certificate {
    withRisingPrecision(upTo: maxPrecision) { precision in
        let e = BallEvaluation(problem, precision: precision)
        var bounds = [BoundID: CertifiedBound]()
        for id in BoundID.allCases {
            bounds[id] = decide(id, lhs: e.gradientNorm, value: e.boundValue(id))
        }
        let certificate = Certificate(
            precisionBits: precision,
            gradientNorm: Enclosure(e.gradientNorm, nonnegative: true),
            pvarPolicy: Enclosure(e.pvarPolicy, nonnegative: true),
            pvarLabels: Enclosure(e.pvarLabels, nonnegative: true),
            bounds: bounds)
        return (certificate, certificate.isDecided)
    }
}

/// The precision schedule of `certify` and `certifyBound`: runs `attempt` at
/// `certifiedStartingPrecision` bits (or `maxPrecision`, if smaller), then at twice the
/// precision, capped at `maxPrecision`, until it reports its result decided; returns the first
/// decided result, or the one at `maxPrecision`.
func withRisingPrecision<T>(upTo maxPrecision: Int, _ attempt: (Int) -> (result: T, decided: Bool)) -> T {
    precondition(maxPrecision >= 2, "maxPrecision must be at least 2 bits, got \(maxPrecision)")
    var precision = min(certifiedStartingPrecision, maxPrecision)
    while true {
        let (result, decided) = attempt(precision)
        if decided || precision >= maxPrecision { return result }
        precision = min(2 * precision, maxPrecision)
    }
}

/// Decides `lhs <= value` from two balls (both enclose quantities >= 0).
///
/// - `lhs` exactly 0: `holds` (ratio `[0, 0]`; this includes `0 <= 0`).
/// - `value` exactly 0: `violated` if `lhs` is proved > 0 (ratio `+inf`), else undecided.
/// - otherwise `ratio = lhs / value` as a ball (the whole line if `value` still contains 0):
///   `holds` if every point is < 1, `violated` if every point is > 1, `tight` if it contains 1
///   and lies in `[1 - w, 1 + w]`, `w = certifiedTightnessWindow`; else undecided.
func decide(_ id: BoundID, lhs: Ball, value: Ball) -> CertifiedBound {
    let valueEnclosure = Enclosure(value, nonnegative: true)
    if lhs.isExactZero {
        return CertifiedBound(id: id, value: valueEnclosure, ratio: .zero, verdict: .holds)
    }
    if value.isExactZero {
        let proved = lhs.isPositive
        return CertifiedBound(
            id: id, value: valueEnclosure,
            ratio: proved ? Enclosure(lo: .infinity, hi: .infinity, relativeRadius: 0)
                : Enclosure(lo: 0, hi: .infinity, relativeRadius: .infinity),
            verdict: proved ? .violated : .undecided)
    }
    let ratio = lhs / value
    let one = Ball(exactly: 1, precision: lhs.precision)
    let window = Ball.interval(centre: 1, halfWidth: certifiedTightnessWindow, precision: lhs.precision)
    let verdict: CertifiedVerdict
    if ratio.isFinite && ratio.isBelow(one) {
        verdict = .holds
    } else if ratio.isFinite && ratio.isAbove(one) {
        verdict = .violated
    } else if ratio.isFinite && ratio.contains(1) && window.contains(ratio) {
        verdict = .tight
    } else {
        verdict = .undecided
    }
    return CertifiedBound(id: id, value: valueEnclosure, ratio: Enclosure(ratio, nonnegative: true), verdict: verdict)
}

/// The constant each statement is stated with (`Statement.constant`): 1 (B0), sqrt(2) (B1, B2), 3 (B3).
public func statedConstant(_ id: BoundID) -> String { id.definition.constant.description }

/// Certifies statement `id` with its constant replaced by `constant` (a double taken exactly),
/// e.g. B2 with constant 1 instead of sqrt(2): the statement's right-hand side from the table,
/// evaluated in balls with the new constant.
public func certifyBound(_ problem: Problem, _ id: BoundID, constant: Double, maxPrecision: Int = 1024)
    -> (ratio: Enclosure, verdict: CertifiedVerdict)
{
    precondition(constant.isFinite && constant > 0, "certifyBound: constant must be finite and > 0, got \(constant)")
    let statement = id.definition.with(constant: StatementConstant(constant))
    return withRisingPrecision(upTo: maxPrecision) { precision in
        let e = BallEvaluation(problem, precision: precision)
        let b = decide(id, lhs: e.gradientNorm, value: e.boundValue(statement))
        return ((b.ratio, b.verdict), b.verdict != .undecided)
    }
}

/// One statement certified with another constant (`pvar evaluate --certify --constant ID=C`).
public struct ConstantCertificate: Sendable, Equatable {
    public let id: BoundID
    public let constant: Double
    public let ratio: Enclosure
    public let verdict: CertifiedVerdict

    /// Certifies `id` on `problem` with `constant` (`certifyBound(_:_:constant:)`).
    public init(_ problem: Problem, _ id: BoundID, constant: Double) {
        let r = certifyBound(problem, id, constant: constant)
        self.id = id
        self.constant = constant
        ratio = r.ratio
        verdict = r.verdict
    }
}
