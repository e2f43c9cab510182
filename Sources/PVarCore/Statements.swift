// The statement table: every bound on ||grad L|| written once, as data, evaluated in any arithmetic.

import Foundation

/// A positive constant `radicand^(1/degree)` of a statement: `1`, `sqrt(2)`, `3`.
///
/// Kept symbolic (a double `radicand` taken exactly and an integer `degree`), so doubles round it
/// once (`value`) and balls enclose it rigorously (the claim text, `Statement.claim`, writes it as `sqrt(2)`, `3`, ... which both arithmetics read exactly).
public struct StatementConstant: Sendable, Equatable, CustomStringConvertible {
    /// A positive, finite double taken as an exact rational.
    public let radicand: Double
    /// The root taken: 1 (the radicand itself), 2 (square root), ...
    public let degree: Int

    public init(_ radicand: Double, root degree: Int = 1) {
        precondition(radicand.isFinite && radicand > 0 && degree >= 1,
                     "StatementConstant: radicand \(radicand) must be finite and > 0, degree \(degree) >= 1")
        self.radicand = radicand
        self.degree = degree
    }

    /// Whether the constant is exactly 1 (then it is no factor at all).
    public var isOne: Bool { radicand == 1 }

    /// The constant as the nearest double (correctly rounded for degrees 1 and 2).
    public var value: Double { nthRoot(radicand, degree: degree) }

    /// `1`, `3`, `sqrt(2)`, `cbrt(5)`, `5^(1/4)`.
    public var description: String {
        let r = shortDecimal(radicand)
        switch degree {
        case 1: return r
        case 2: return "sqrt(\(r))"
        case 3: return "cbrt(\(r))"
        default: return "\(r)^(1/\(degree))"
        }
    }
}

/// A quantity of one instance that a right-hand side is built from (Proofs/setting.md).
public enum StatementQuantity: String, Sendable, CaseIterable {
    /// `beta`.
    case beta
    /// `D = sqrt(E_mu ||phi_i - phi_j||^2)`.
    case scoreSpread = "D"
    /// `delta = sqrt(E_mu (p - q)^2)`.
    case disagreement = "delta"
    /// `G = max_y ||s_y||`.
    case scoreBound = "G"
    /// `PVar_policy = E_{i,j~pi} (p - 1/2)^2`.
    case pvarPolicy = "PVar_policy"
    /// `PVar_labels = E_{i,j~mu} (q - 1/2)^2`.
    case pvarLabels = "PVar_labels"

    /// The symbol used in statement texts.
    public var symbol: String { rawValue }

    /// The same quantity in the claim language (`pvar conjecture`).
    public var claimQuantity: ClaimQuantity {
        switch self {
        case .beta: .beta
        case .scoreSpread: .scoreSpread
        case .disagreement: .disagreement
        case .scoreBound: .scoreBound
        case .pvarPolicy: .pvarPolicy
        case .pvarLabels: .pvarLabels
        }
    }
}

/// One factor of a right-hand side: a quantity, or a sum of equal roots of PVars.
public enum StatementFactor: Sendable, Equatable {
    /// `beta`, `D`, `delta` or `G` itself.
    case quantity(StatementQuantity)
    /// `PVar_a^(1/degree) + PVar_b^(1/degree) + ...` (one term: the root alone).
    case roots(of: [StatementQuantity], degree: Int)

    /// `beta`, `sqrt(PVar_labels)`, `PVar_labels^(1/3)`, `(sqrt(PVar_policy) + sqrt(PVar_labels))`.
    public var text: String {
        switch self {
        case .quantity(let q):
            return q.symbol
        case .roots(let qs, let degree):
            let terms = qs.map { degree == 2 ? "sqrt(\($0.symbol))" : "\($0.symbol)^(1/\(degree))" }
            return terms.count == 1 ? terms[0] : "(" + terms.joined(separator: " + ") + ")"
        }
    }
}

/// A hypothesis under which a statement is claimed; decided on each instance by `Evaluation`.
public enum StatementHypothesis: String, Sendable, CaseIterable {
    /// `mu = pi_theta` (`Evaluation.pairsArePolicy`).
    case pairsArePolicy
    /// All implicit rewards equal, i.e. `pi_theta = pi_ref` (`Evaluation.atReference`).
    case atReference
}

/// One bound `||grad L|| <= constant * product of factors`, with its hypotheses: the single
/// definition that doubles (`Evaluation`), balls (`PVarCertify`), the beta limits and every text
/// are read from.
public struct Statement: Sendable {
    public let id: BoundID
    public let constant: StatementConstant
    /// The factors after the constant, multiplied left to right in this order.
    public let factors: [StatementFactor]
    /// The instance must satisfy all of these for the statement to make a claim.
    public let hypotheses: [StatementHypothesis]
    /// The hypotheses in words.
    public let hypothesisText: String
    /// A short gloss printed after the formula (`Cauchy-Schwarz, any mu`).
    public let gloss: String
    /// The statement as a claim of `pvar conjecture` (`claimText` parsed): the form every
    /// arithmetic evaluates, the same path as a user's claim.
    public let claim: Claim

    public init(id: BoundID, constant: StatementConstant, factors: [StatementFactor], hypotheses: [StatementHypothesis],
                hypothesisText: String, gloss: String) {
        self.id = id
        self.constant = constant
        self.factors = factors
        self.hypotheses = hypotheses
        self.hypothesisText = hypothesisText
        self.gloss = gloss
        let text = Statement.claimText(constant: constant, factors: factors)
        do { claim = try Claim.parse(text) } catch {
            preconditionFailure("statement \(id): its claim text does not parse: \(error.oneLine)")
        }
    }

    /// The right-hand side as text: `sqrt(2) * beta * G * sqrt(PVar_labels)`.
    public var rightHandSideText: String {
        ((constant.isOne ? [] : [constant.description]) + factors.map(\.text)).joined(separator: " * ")
    }

    /// The statement in one line: `||grad L|| <= RHS  (gloss)`.
    public var text: String { "||grad L|| <= \(rightHandSideText)  (\(gloss))" }

    /// The statement in the claim language of `pvar conjecture`, read off the same data:
    /// `gradientNorm <= sqrt(2) * beta * scoreBound * sqrt(pvarLabels)`.
    public var claimText: String { claim.text }

    /// The claim text of a right-hand side: the constant (omitted when 1; a radicand that is not an
    /// integer written as its shortest round-tripping decimal, which the claim language reads as that
    /// exact decimal), then each factor, joined by ` * `; roots of degree 2 as `sqrt(q)`, others as
    /// `q^(1/n)`.
    static func claimText(constant: StatementConstant, factors: [StatementFactor]) -> String {
        func root(_ q: StatementQuantity, _ degree: Int) -> String {
            degree == 2 ? "sqrt(\(q.claimQuantity.rawValue))" : "\(q.claimQuantity.rawValue)^(1/\(degree))"
        }
        var terms: [String] = []
        if !constant.isOne {
            let r = shortDecimal(constant.radicand)
            terms.append(constant.degree == 1 ? r : constant.degree == 2 ? "sqrt(\(r))" : "\(r)^(1/\(constant.degree))")
        }
        for f in factors {
            switch f {
            case .quantity(let q): terms.append(q.claimQuantity.rawValue)
            case .roots(let qs, let degree):
                let parts = qs.map { root($0, degree) }
                terms.append(parts.count == 1 ? parts[0] : "(" + parts.joined(separator: " + ") + ")")
            }
        }
        return "gradientNorm <= " + terms.joined(separator: " * ")
    }

    /// The degree `k` of the PVar roots (`PVar^(1/k)`), or `nil` when the bound has none (B0).
    public var rootDegree: Int? {
        for f in factors { if case .roots(_, let degree) = f { return degree } }
        return nil
    }

    /// The same statement with another constant (e.g. B2 with 1 instead of sqrt(2)).
    public func with(constant: StatementConstant) -> Statement {
        Statement(id: id, constant: constant, factors: factors, hypotheses: hypotheses,
                  hypothesisText: hypothesisText, gloss: gloss)
    }

    /// The right-hand side evaluated in arithmetic `a`: `claim.larger`, as a user's claim is
    /// (`ClaimDoubles` for doubles, the ball arithmetic of PVarCertify for balls): the constant,
    /// then each factor, multiplied left to right (`ClaimArithmetic.product`), roots by
    /// `ClaimArithmetic.root`.
    public func rightHandSide<A: ClaimArithmetic>(in a: A) -> A.Number { claim.larger.evaluate(in: a) }

    /// The left-hand side `||grad L||` evaluated in arithmetic `a` (`claim.smaller`).
    public func leftHandSide<A: ClaimArithmetic>(in a: A) -> A.Number { claim.smaller.evaluate(in: a) }
}

/// The statement table, in order B0..B3 (`Proofs/README.md` has their proofs).
public let statementTable: [Statement] = [
    Statement(id: .B0, constant: StatementConstant(1),
              factors: [.quantity(.beta), .quantity(.scoreSpread), .quantity(.disagreement)],
              hypotheses: [], hypothesisText: "any pair distribution mu",
              gloss: "Cauchy-Schwarz, any mu"),
    Statement(id: .B1, constant: StatementConstant(2, root: 2),
              factors: [.quantity(.beta), .quantity(.scoreBound), .roots(of: [.pvarPolicy, .pvarLabels], degree: 2)],
              hypotheses: [.pairsArePolicy], hypothesisText: "pairs from the policy (mu = pi_theta)",
              gloss: "mu = pi_theta"),
    Statement(id: .B2, constant: StatementConstant(2, root: 2),
              factors: [.quantity(.beta), .quantity(.scoreBound), .roots(of: [.pvarLabels], degree: 2)],
              hypotheses: [.atReference, .pairsArePolicy],
              hypothesisText: "at the reference (all implicit rewards equal) with mu = pi_theta (= pi_ref there)",
              gloss: "at the reference, mu = pi_theta"),
    Statement(id: .B3, constant: StatementConstant(3),
              factors: [.quantity(.beta), .quantity(.scoreBound), .roots(of: [.pvarLabels], degree: 3)],
              hypotheses: [.atReference, .pairsArePolicy],
              hypothesisText: "at the reference (all implicit rewards equal) with mu = pi_theta (= pi_ref there)",
              gloss: "at the reference, mu = pi_theta"),
]

/// A finite double as a decimal a claim reads back exactly: an integer below 2^53 without a
/// fraction (`3`, not `3.0`), else the shortest round-tripping form (`InstanceFile.format`).
func shortDecimal(_ x: Double) -> String {
    x == x.rounded() && abs(x) < 0x1p53 ? String(Int(x)) : InstanceFile.format(x)
}

/// `x^(1/degree)` for `x >= 0`: `x`, `sqrt(x)`, `cbrt(x)`, else `pow(x, 1/degree)`.
public func nthRoot(_ x: Double, degree: Int) -> Double {
    switch degree {
    case 1: x
    case 2: x.squareRoot()
    case 3: cbrt(x)
    default: pow(x, 1 / Double(degree))
    }
}

/// Statement S1's numerator: at the reference, `SNR <= 4 PVar_labels / (1 - 4 PVar_labels)`
/// (Proofs/S1-snr.md). Written here once; `Evaluation.snrBound` and `certifyNoise` read it.
public let snrNumerator = 4.0

/// Statement S1 in the claim language of `pvar conjecture` (it applies at the reference, any mu):
/// `snr <= 4 * pvarLabels / (4 * labelVariance)`, built from `snrNumerator`. The denominator
/// `4 labelVariance = 4 E[q (1 - q)]` equals `1 - 4 PVar_labels` exactly and is computed without
/// its cancellation; `Evaluation.snrBound`, `certifyNoise` and the tests evaluate this claim.
public var snrClaim: Claim { snrClaimWith(numerator: snrNumerator) }

/// S1 with another numerator (e.g. 3.9, to show a wrong constant is refuted): the numerator
/// written as an integer or as its shortest round-tripping decimal.
public func snrClaimWith(numerator: Double) -> Claim {
    let text = "snr <= \(shortDecimal(numerator)) * pvarLabels / (4 * labelVariance)"
    do { return try Claim.parse(text) } catch {
        preconditionFailure("S1's claim text does not parse: \(error.oneLine)")
    }
}
