// The statements B0–B3, each evaluated on one instance.

import Foundation

/// Largest `||grad L|| / bound` still reported as "holds" by a double-precision evaluation.
///
/// Reason: B0 (K = 2) and B2 (two uniform responses) are attained with equality, where the
/// computed ratio is 1 up to the evaluation's rounding. That rounding, measured against an
/// independent 50-digit evaluation on the pinned and random instances of the test suite, stays
/// below 1e-13 relative per quantity; 1e-10 covers it a thousand times over and is still far
/// below any violation worth the name. A double evaluation never *decides* a violation: a ratio
/// above `1 + ratioTolerance` is a candidate that rigorous (ball) arithmetic must confirm.
public let ratioTolerance = 1e-10

/// Smallest magnitude at which a double evaluation of `||grad L||` or a bound's value is trusted
/// to relative accuracy.
///
/// Reason: below the normal range (2.2e-308) doubles lose relative precision, and the pair sums
/// form their terms as products `mu_i mu_j (...)` that underflow first. A sum that ends at or
/// above 1e-290 can carry at most K^2 subnormal terms (< 2.2e-308 each), i.e. a relative error
/// below 1e-14 for K <= 4096; a sum that ends below it may be dominated by underflowed terms.
/// Near-one-hot policies (probabilities like e^-700) reach this regime.
public let resolutionFloor = 1e-290

/// The bounds on `||grad L||` this project checks.
public enum BoundID: String, CaseIterable, Sendable, Codable, Comparable {
    case B0, B1, B2, B3

    public static func < (lhs: BoundID, rhs: BoundID) -> Bool { lhs.rawValue < rhs.rawValue }

    /// The statement's definition in `statementTable`: constant, factors, hypotheses.
    public var definition: Statement {
        guard let s = statementTable.first(where: { $0.id == self }) else {
            preconditionFailure("statementTable has no row for \(rawValue)")
        }
        return s
    }

    /// The statement, in one line (`Statement.text`).
    public var statement: String { definition.text }

    /// The hypothesis under which the statement is claimed, in words.
    public var hypothesis: String { definition.hypothesisText }

    /// Whether the statement's hypotheses hold for this evaluation.
    public func applies(to e: Evaluation) -> Bool {
        definition.hypotheses.allSatisfy { h in
            switch h {
            case .pairsArePolicy: e.pairsArePolicy
            case .atReference: e.atReference
            }
        }
    }

    /// The bound's value on this evaluation: the statement's claim (`Statement.claim`) evaluated in
    /// doubles (`ClaimDoubles`), the path a user's claim takes: PVar roots taken before the pair
    /// sums are scaled back, products by `safeProduct`.
    public func value(_ e: Evaluation) -> Double { definition.rightHandSide(in: ClaimDoubles(e)) }
}

/// One statement evaluated on one instance: `lhs = ||grad L||`, the bound's `value`, and
/// `ratio = lhs / value`.
///
/// Conventions: `0 / 0 := 0` (a zero gradient under a zero bound: the bound holds with
/// equality, e.g. K = 1); `x / 0 = +infinity` for `x > 0` (possible only where the statement does
/// not apply, e.g. B2 away from the reference with equal rewards).
public struct BoundEvaluation: Sendable, Equatable {
    public let id: BoundID
    public let lhs: Double
    public let value: Double
    public let ratio: Double
    /// Whether doubles resolve the comparison: `value >= resolutionFloor` (see there), or both
    /// sides exactly 0 with no policy probability underflowed (else the zeros may be tiny numbers). Unresolved instances are neither confirmations nor
    /// violations; checks count them separately.
    public let resolved: Bool
    /// Not refuted at double precision: `ratio <= 1 + ratioTolerance`, or not `resolved`.
    public let holds: Bool
    /// Whether the statement's hypotheses hold for the instance.
    public let applies: Bool

    public init(_ id: BoundID, on e: Evaluation) {
        self.id = id
        lhs = e.gradientNorm
        value = id.value(e)
        ratio = lhs == 0 ? 0 : (value == 0 ? .infinity : lhs / value)
        // value >= floor: the value is accurate, and an lhs below the floor is then certainly
        // far smaller; both exactly 0 (e.g. K = 1): 0 <= 0. Otherwise doubles cannot compare.
        resolved = value >= resolutionFloor || (lhs == 0 && value == 0 && !e.policyUnderflows)
        holds = ratio <= 1 + ratioTolerance || !resolved
        applies = id.applies(to: e)
    }
}

extension Evaluation {
    /// Every statement evaluated on this instance, in order B0..B3.
    public var bounds: [BoundEvaluation] { BoundID.allCases.map { BoundEvaluation($0, on: self) } }

    public func bound(_ id: BoundID) -> BoundEvaluation { BoundEvaluation(id, on: self) }
}
