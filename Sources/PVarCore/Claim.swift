// Claims: inequalities between expressions in the named quantities of one instance, posed by a
// user (`pvar conjecture --claim "..."`) and evaluated in doubles here and in balls in PVarCertify.

import Foundation

/// A named quantity of one instance that a claim may use (Proofs/setting.md for each).
public enum ClaimQuantity: String, Sendable, CaseIterable {
    /// `||grad L||`.
    case gradientNorm
    /// `L`, the per-prompt DPO loss.
    case loss
    /// `PVar_theta = E_{i,j~pi}(p - 1/2)^2`.
    case pvarPolicy
    /// `PVar_labels = E_{i,j~mu}(q - 1/2)^2`.
    case pvarLabels
    /// `delta = sqrt(E_mu (p - q)^2)`.
    case disagreement
    /// `D = sqrt(E_mu ||s_i - s_j||^2)`.
    case scoreSpread
    /// `G = max_y ||s_y||`.
    case scoreBound
    /// `tr F = E_pi ||s_y||^2`.
    case fisherTrace
    /// `E||g - grad L||^2` of the one-pair stochastic gradient.
    case noise
    /// Its label part `beta^2 E[q(1-q) ||s_i - s_j||^2]`.
    case labelNoise
    /// `||grad L||^2 / noise` (`0/0 := 0`).
    case snr
    /// `beta`.
    case beta
    /// The number of responses.
    case K
    /// The parameter dimension (`K` for a tabular policy).
    case d
    /// `min_y pi_theta(y)`.
    case minPolicyProbability
    /// `max_y pi_theta(y)`.
    case maxPolicyProbability
    /// `max_{i,j} |r_i - r_j|`.
    case maxRewardGap

    /// One line for error messages and `--help`.
    public var meaning: String {
        switch self {
        case .gradientNorm: "||grad L||"
        case .loss: "the DPO loss L"
        case .pvarPolicy: "PVar of the policy, E_{i,j~pi}(p - 1/2)^2"
        case .pvarLabels: "PVar of the labels, E_{i,j~mu}(q - 1/2)^2"
        case .disagreement: "delta = sqrt(E_mu (p - q)^2)"
        case .scoreSpread: "D = sqrt(E_mu ||s_i - s_j||^2)"
        case .scoreBound: "G = max_y ||s_y||"
        case .fisherTrace: "tr F = E_pi ||s_y||^2"
        case .noise: "E||g - grad L||^2 of the one-pair stochastic gradient"
        case .labelNoise: "beta^2 E[q(1-q) ||s_i - s_j||^2]"
        case .snr: "||grad L||^2 / noise"
        case .beta: "beta"
        case .K: "the number of responses"
        case .d: "the parameter dimension"
        case .minPolicyProbability: "min_y pi_theta(y)"
        case .maxPolicyProbability: "max_y pi_theta(y)"
        case .maxRewardGap: "max_{i,j} |r_i - r_j|"
        }
    }
}

/// A function a claim may call.
public enum ClaimFunction: String, Sendable, CaseIterable {
    case sqrt, log, exp, abs, min, max

    /// How many arguments it takes: one, or (min, max) two or more.
    var arity: ClosedRange<Int> {
        switch self {
        case .min, .max: 2...Int.max
        default: 1...1
        }
    }
}

/// A binary operator: `+ - * / ^`.
public enum ClaimOperator: String, Sendable, CaseIterable {
    case add = "+", subtract = "-", multiply = "*", divide = "/", power = "^"
}

/// An expression of a claim.
public indirect enum ClaimExpression: Sendable, Equatable, CustomStringConvertible {
    /// A decimal literal, kept as written so balls can enclose it exactly (`0.1` is not a double).
    case number(String)
    /// A named quantity of the instance.
    case quantity(ClaimQuantity)
    /// The free constant `C` of a claim posed with `--fit C`.
    case freeConstant
    case negate(ClaimExpression)
    case binary(ClaimOperator, ClaimExpression, ClaimExpression)
    case call(ClaimFunction, [ClaimExpression])

    /// Fully parenthesised text, e.g. `((sqrt(2) * beta) * scoreBound)`.
    public var description: String {
        switch self {
        case .number(let t): t
        case .quantity(let q): q.rawValue
        case .freeConstant: "C"
        case .negate(let x): "(-\(x))"
        case .binary(let op, let a, let b): "(\(a) \(op.rawValue) \(b))"
        case .call(let f, let args): "\(f.rawValue)(\(args.map(\.description).joined(separator: ", ")))"
        }
    }

    /// Whether the free constant `C` occurs.
    public var hasFreeConstant: Bool {
        switch self {
        case .freeConstant: true
        case .number, .quantity: false
        case .negate(let x): x.hasFreeConstant
        case .binary(_, let a, let b): a.hasFreeConstant || b.hasFreeConstant
        case .call(_, let args): args.contains { $0.hasFreeConstant }
        }
    }

    /// The quantities used, each once, in order of first use.
    public var quantities: [ClaimQuantity] {
        var seen: [ClaimQuantity] = []
        func walk(_ e: ClaimExpression) {
            switch e {
            case .quantity(let q): if !seen.contains(q) { seen.append(q) }
            case .number, .freeConstant: break
            case .negate(let x): walk(x)
            case .binary(_, let a, let b): walk(a); walk(b)
            case .call(_, let args): args.forEach(walk)
            }
        }
        walk(self)
        return seen
    }

    /// The expression evaluated in arithmetic `a` (doubles: `ClaimDoubles`; balls: PVarCertify).
    public func evaluate<A: ClaimArithmetic>(in a: A) -> A.Number {
        switch self {
        case .number(let t): a.literal(t)
        case .quantity(let q): a.quantity(q)
        case .freeConstant: a.freeConstant
        case .negate(let x): a.negate(x.evaluate(in: a))
        case .binary(let op, let x, let y): a.apply(op, x.evaluate(in: a), y.evaluate(in: a))
        case .call(let f, let args): a.call(f, args.map { $0.evaluate(in: a) })
        }
    }
}

/// The relation of a claim.
public enum ClaimRelation: String, Sendable, CaseIterable {
    case lessOrEqual = "<=", less = "<", greaterOrEqual = ">=", greater = ">"
}

/// An arithmetic a claim is evaluated in: doubles (`ClaimDoubles`) or balls (PVarCertify).
public protocol ClaimArithmetic {
    associatedtype Number
    /// A decimal literal as written (`2`, `0.5`, `1e-3`).
    func literal(_ text: String) -> Number
    func quantity(_ q: ClaimQuantity) -> Number
    /// The value of the free constant `C`.
    var freeConstant: Number { get }
    func negate(_ x: Number) -> Number
    func apply(_ op: ClaimOperator, _ x: Number, _ y: Number) -> Number
    func call(_ f: ClaimFunction, _ args: [Number]) -> Number
}

/// A parsed claim `lhs RELATION rhs`.
public struct Claim: Sendable, Equatable, CustomStringConvertible {
    /// The text as given.
    public let text: String
    public let lhs: ClaimExpression
    public let relation: ClaimRelation
    public let rhs: ClaimExpression

    public init(lhs: ClaimExpression, relation: ClaimRelation, rhs: ClaimExpression, text: String? = nil) {
        self.lhs = lhs
        self.relation = relation
        self.rhs = rhs
        self.text = text ?? "\(lhs) \(relation.rawValue) \(rhs)"
    }

    public var description: String { text }

    /// The side claimed to be the smaller one (`lhs` for `<=` and `<`, `rhs` for `>=` and `>`).
    public var smaller: ClaimExpression { relation == .lessOrEqual || relation == .less ? lhs : rhs }
    /// The side claimed to be the larger one.
    public var larger: ClaimExpression { relation == .lessOrEqual || relation == .less ? rhs : lhs }
    /// Whether equality violates the claim (`<` or `>`).
    public var isStrict: Bool { relation == .less || relation == .greater }
    /// Whether the free constant `C` occurs.
    public var hasFreeConstant: Bool { lhs.hasFreeConstant || rhs.hasFreeConstant }
    /// The quantities used, each once.
    public var quantities: [ClaimQuantity] {
        var all = lhs.quantities
        for q in rhs.quantities where !all.contains(q) { all.append(q) }
        return all
    }

    /// The claim's ratio in doubles: `smaller / larger`, above 1 (at least 1 for a strict claim)
    /// exactly where the claim fails. `0/0 := 0`; `x/0 = +inf` for `x > 0`; a larger side `<= 0`
    /// gives `+inf` if the smaller side exceeds it (the claim fails) and 0 otherwise; NaN gives NaN
    /// (no claim can be decided on it).
    public static func ratio(smaller: Double, larger: Double) -> Double {
        if smaller.isNaN || larger.isNaN { return .nan }
        if larger > 0 { return smaller / larger }
        if smaller == 0 && larger == 0 { return 0 }
        return smaller > larger ? .infinity : 0
    }

    /// This claim's ratio: `Claim.ratio(smaller:larger:)`, except that a strict claim whose larger
    /// side is `<= 0` and not above the smaller one (`0 < 0`, `-1 < -1`) fails, so its ratio is
    /// `+inf` (the ratio alone cannot tell `0 <= 0`, which holds, from `0 < 0`, which does not).
    public func ratio(smaller: Double, larger: Double) -> Double {
        if isStrict && larger <= 0 && smaller >= larger { return .infinity }
        return Claim.ratio(smaller: smaller, larger: larger)
    }

    /// Whether a double ratio refutes the claim: `> 1`, or `>= 1` for a strict claim (before any
    /// tolerance; verdicts are decided in balls).
    public func isRefuted(byRatio r: Double) -> Bool { isStrict ? r >= 1 : r > 1 }
}

/// A claim that does not parse: where, and what was expected.
public struct ClaimParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The claim text.
    public let text: String
    /// The 0-based character offset of the problem.
    public let position: Int
    public let message: String
    /// What to do instead, printed after the position (the known names, for an unknown one).
    public let hint: String?

    public init(text: String, position: Int, message: String, hint: String? = nil) {
        self.text = text
        self.position = position
        self.message = message
        self.hint = hint
    }

    /// `claim: expected ')' at character 14` with the text and a caret on the next two lines.
    public var description: String {
        "claim: \(message) at character \(position + 1)\(hint.map { "; \($0)" } ?? "")\n  \(text)\n  \(String(repeating: " ", count: position))^"
    }

    /// One line: `claim: expected ')' at character 14 in "..."`.
    public var oneLine: String { "claim: \(message) at character \(position + 1) in \"\(text)\"\(hint.map { "; \($0)" } ?? "")" }
}

extension Claim {
    /// Parses `EXPR (<= | < | >= | >) EXPR`. Grammar (usual precedence, `^` right-associative and
    /// binding tighter than unary minus, so `-x^2 = -(x^2)`):
    ///
    ///     claim  := expr relation expr
    ///     expr   := term (('+' | '-') term)*
    ///     term   := unary (('*' | '/') unary)*
    ///     unary  := '-' unary | power
    ///     power  := atom ('^' unary)?
    ///     atom   := number | name | function '(' expr (',' expr)* ')' | '(' expr ')'
    ///
    /// Names are the `ClaimQuantity` cases and `C` (the free constant); functions `sqrt log exp
    /// abs min max`. Numbers are decimal (`2`, `0.5`, `1e-3`).
    public static func parse(_ text: String) throws(ClaimParseError) -> Claim {
        var p = ClaimParser(text)
        let lhs = try p.expression()
        guard let relation = p.relation() else {
            throw p.error(p.atEnd ? "expected a relation (<=, <, >=, >) after the left side, found the end"
                                  : "expected a relation (<=, <, >=, >) or an operator, found '\(p.peekText)'")
        }
        let rhs = try p.expression()
        if !p.atEnd {
            if p.relation() != nil {
                throw p.error("a claim has one relation; found a second one")
            }
            throw p.error("expected an operator or the end, found '\(p.peekText)'")
        }
        return Claim(lhs: lhs, relation: relation, rhs: rhs, text: text)
    }
}

/// Recursive-descent parser over the characters of a claim.
private struct ClaimParser {
    let text: String
    let chars: [Character]
    var at = 0

    init(_ text: String) {
        self.text = text
        chars = Array(text)
    }

    var atEnd: Bool {
        mutating get {
            skipSpaces()
            return at >= chars.count
        }
    }

    /// The next token's text, for messages.
    var peekText: String {
        guard at < chars.count else { return "end" }
        let c = chars[at]
        if c.isLetter {
            var j = at
            while j < chars.count && (chars[j].isLetter || chars[j].isNumber || chars[j] == "_") { j += 1 }
            return String(chars[at..<j])
        }
        return String(c)
    }

    func error(_ message: String, at position: Int? = nil, hint: String? = nil) -> ClaimParseError {
        ClaimParseError(text: text, position: min(position ?? at, chars.count), message: message, hint: hint)
    }

    mutating func skipSpaces() {
        while at < chars.count && chars[at].isWhitespace { at += 1 }
    }

    mutating func accept(_ s: String) -> Bool {
        skipSpaces()
        let c = Array(s)
        guard at + c.count <= chars.count, Array(chars[at..<(at + c.count)]) == c else { return false }
        at += c.count
        return true
    }

    mutating func relation() -> ClaimRelation? {
        for r in [ClaimRelation.lessOrEqual, .greaterOrEqual, .less, .greater] where accept(r.rawValue) { return r }
        return nil
    }

    mutating func expression() throws(ClaimParseError) -> ClaimExpression {
        var x = try term()
        while true {
            if accept("+") { x = .binary(.add, x, try term()) }
            else if accept("-") { x = .binary(.subtract, x, try term()) }
            else { return x }
        }
    }

    mutating func term() throws(ClaimParseError) -> ClaimExpression {
        var x = try unary()
        while true {
            if accept("*") { x = .binary(.multiply, x, try unary()) }
            else if accept("/") { x = .binary(.divide, x, try unary()) }
            else { return x }
        }
    }

    mutating func unary() throws(ClaimParseError) -> ClaimExpression {
        if accept("-") { return .negate(try unary()) }
        return try power()
    }

    mutating func power() throws(ClaimParseError) -> ClaimExpression {
        let base = try atom()
        if accept("^") { return .binary(.power, base, try unary()) }
        return base
    }

    mutating func atom() throws(ClaimParseError) -> ClaimExpression {
        skipSpaces()
        guard at < chars.count else { throw error("expected a number, a name or '(', found the end") }
        let start = at
        let c = chars[at]
        if c == "(" {
            at += 1
            let x = try expression()
            guard accept(")") else { throw error("expected ')' to close the '(' at character \(start + 1)") }
            return x
        }
        if c.isNumber || c == "." { return try number() }
        if c.isLetter || c == "_" {
            while at < chars.count && (chars[at].isLetter || chars[at].isNumber || chars[at] == "_") { at += 1 }
            let name = String(chars[start..<at])
            if let f = ClaimFunction(rawValue: name) {
                guard accept("(") else { throw error("expected '(' after the function \(name)") }
                var args = [try expression()]
                while accept(",") { args.append(try expression()) }
                guard accept(")") else { throw error("expected ',' or ')' in the arguments of \(name)") }
                guard f.arity.contains(args.count) else {
                    throw error("\(name) takes \(f.arity.lowerBound == f.arity.upperBound ? "one argument" : "two or more arguments"), found \(args.count)", at: start)
                }
                return .call(f, args)
            }
            if name == "C" { return .freeConstant }
            if let q = ClaimQuantity(rawValue: name) { return .quantity(q) }
            let known = ClaimQuantity.allCases.map(\.rawValue).joined(separator: ", ")
            let functions = ClaimFunction.allCases.map(\.rawValue).joined(separator: ", ")
            throw error("unknown name '\(name)'", at: start,
                        hint: "the known quantities are \(known), the free constant C, and the functions \(functions)")
        }
        throw error("expected a number, a name or '(', found '\(c)'")
    }

    mutating func number() throws(ClaimParseError) -> ClaimExpression {
        let start = at
        while at < chars.count && (chars[at].isNumber || chars[at] == ".") { at += 1 }
        if at < chars.count && (chars[at] == "e" || chars[at] == "E") {
            var j = at + 1
            if j < chars.count && (chars[j] == "+" || chars[j] == "-") { j += 1 }
            if j < chars.count && chars[j].isNumber {
                at = j
                while at < chars.count && chars[at].isNumber { at += 1 }
            }
        }
        let t = String(chars[start..<at])
        guard let v = Double(t), v.isFinite, t.filter({ $0 == "." }).count <= 1 else {
            throw error("'\(t)' is not a decimal number", at: start)
        }
        return .number(t)
    }
}

/// The double arithmetic of claims: the quantities of one `Evaluation`, IEEE operations.
///
/// `^` is `pow`; `sqrt` of a negative number, `log` of a non-positive one and similar give NaN
/// (or -inf), and a ratio with NaN decides nothing (`Claim.ratio`).
public struct ClaimDoubles: ClaimArithmetic {
    public let evaluation: Evaluation
    public let freeConstant: Double

    public init(_ evaluation: Evaluation, freeConstant: Double = .nan) {
        self.evaluation = evaluation
        self.freeConstant = freeConstant
    }

    public func literal(_ text: String) -> Double { Double(text) ?? .nan }

    public func quantity(_ q: ClaimQuantity) -> Double { evaluation.claimQuantity(q) }

    public func negate(_ x: Double) -> Double { -x }

    public func apply(_ op: ClaimOperator, _ x: Double, _ y: Double) -> Double {
        switch op {
        case .add: x + y
        case .subtract: x - y
        case .multiply: x * y
        case .divide: x / y
        case .power: pow(x, y)
        }
    }

    public func call(_ f: ClaimFunction, _ args: [Double]) -> Double {
        switch f {
        case .sqrt: args[0].squareRoot()
        case .log: Foundation.log(args[0])
        case .exp: Foundation.exp(args[0])
        case .abs: Swift.abs(args[0])
        // NaN in any argument gives NaN, whatever the order (Swift.min(1, .nan) is 1).
        case .min: args.contains { $0.isNaN } ? .nan : args.dropFirst().reduce(args[0]) { Swift.min($0, $1) }
        case .max: args.contains { $0.isNaN } ? .nan : args.dropFirst().reduce(args[0]) { Swift.max($0, $1) }
        }
    }
}

extension Evaluation {
    /// A claim quantity of this instance in doubles (the same values `pvar evaluate` prints).
    public func claimQuantity(_ q: ClaimQuantity) -> Double {
        switch q {
        case .gradientNorm: gradientNorm
        case .loss: loss
        case .pvarPolicy: pvarPolicy
        case .pvarLabels: pvarLabels
        case .disagreement: disagreement
        case .scoreSpread: scoreSpread
        case .scoreBound: scoreBound
        case .fisherTrace: fisherTrace
        case .noise: noiseDecomposition().total
        case .labelNoise: noiseDecomposition().labelNoise
        case .snr: signalToNoise()
        case .beta: problem.beta
        case .K: Double(problem.responseCount)
        case .d: Double(problem.dimension)
        case .minPolicyProbability: policy.min() ?? .nan
        case .maxPolicyProbability: policy.max() ?? .nan
        case .maxRewardGap: (problem.rewards.max() ?? 0) - (problem.rewards.min() ?? 0)
        }
    }

    /// The claim's sides and ratio on this instance in doubles.
    public func claimRatio(_ claim: Claim, freeConstant: Double = .nan) -> (smaller: Double, larger: Double, ratio: Double) {
        let a = ClaimDoubles(self, freeConstant: freeConstant)
        let s = claim.smaller.evaluate(in: a), l = claim.larger.evaluate(in: a)
        return (s, l, claim.ratio(smaller: s, larger: l))
    }
}
