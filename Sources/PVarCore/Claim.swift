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
    /// `E_{i,j~mu}[q (1 - q)] = 1/4 - PVar_labels`, the label's mean Bernoulli variance (computed
    /// as its own sum, without the cancellation of `1/4 - PVar_labels`).
    case labelVariance
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
        case .labelVariance: "E_{i,j~mu}[q (1 - q)] = 1/4 - pvarLabels"
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

    /// The expression with the free constant `C` replaced by `value` (e.g. the literal a user
    /// gave for it, so `0.1` stays the exact decimal).
    public func substituting(freeConstant value: ClaimExpression) -> ClaimExpression {
        switch self {
        case .freeConstant: value
        case .number, .quantity: self
        case .negate(let x): .negate(x.substituting(freeConstant: value))
        case .binary(let op, let a, let b): .binary(op, a.substituting(freeConstant: value), b.substituting(freeConstant: value))
        case .call(let f, let args): .call(f, args.map { $0.substituting(freeConstant: value) })
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
    ///
    /// Roots (`sqrt(x)`, `x ^ (1/n)`: `rootDegree`) go to `a.root`, chains of `*` to `a.product`
    /// with their factors in order; everything else operation by operation.
    public func evaluate<A: ClaimArithmetic>(in a: A) -> A.Number {
        if let (x, n) = rootForm { return a.root(x, degree: n) }
        switch self {
        case .number(let t): return a.literal(t)
        case .quantity(let q): return a.quantity(q)
        case .freeConstant: return a.freeConstant
        case .negate(let x): return a.negate(x.evaluate(in: a))
        case .binary(.multiply, _, _): return a.product(productFactors.map { $0.evaluate(in: a) })
        case .binary(let op, let x, let y): return a.apply(op, x.evaluate(in: a), y.evaluate(in: a))
        case .call(let f, let args): return a.call(f, args.map { $0.evaluate(in: a) })
        }
    }

    /// `(x, n)` when this is a root written `sqrt(x)` (`n = 2`) or `x ^ (1/n)` with `n` an integer
    /// literal `>= 2` (the exponent exactly the rational `1/n`, so the value is exactly the
    /// `n`-th root of `x >= 0`; a double `pow(x, 1.0/3)` is not).
    public var rootForm: (ClaimExpression, Int)? {
        switch self {
        case .call(.sqrt, let args) where args.count == 1:
            return (args[0], 2)
        case .binary(.power, let x, .binary(.divide, .number(let one), .number(let n))):
            guard one == "1", n.allSatisfy(\.isASCII), n.allSatisfy(\.isNumber), let k = Int(n), k >= 2, k <= 1024 else { return nil }
            return (x, k)
        default:
            return nil
        }
    }

    /// The factors of a chain of `*`, left to right (`(a * b) * (c * d)` gives `[a, b, c, d]`);
    /// `[self]` for anything else.
    public var productFactors: [ClaimExpression] {
        if case .binary(.multiply, let x, let y) = self { return x.productFactors + y.productFactors }
        return [self]
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
    /// `x^(1/degree)` where the claim writes a root: `sqrt(x)` (degree 2) or `x ^ (1/n)` with `n`
    /// an integer literal >= 2 (`pvarLabels^(1/3)`). The expression is passed unevaluated so an
    /// arithmetic can take the root of a named quantity more accurately than of its value (the
    /// doubles take PVar's root before scaling back, where the PVar itself may underflow). The
    /// default: `sqrt`, or `x ^ (1/n)` through `apply`.
    func root(_ x: ClaimExpression, degree: Int) -> Number
    /// The product of the factors of a chain of `*` (`a * b * (c * d)` gives `[a, b, c, d]`), left
    /// to right. The default multiplies left to right with `apply`; the doubles use `safeProduct`
    /// (no spurious overflow or underflow of partial products).
    func product(_ factors: [Number]) -> Number
}

extension ClaimArithmetic {
    public func root(_ x: ClaimExpression, degree: Int) -> Number {
        let v = x.evaluate(in: self)
        if degree == 2 { return call(.sqrt, [v]) }
        return apply(.power, v, apply(.divide, literal("1"), literal(String(degree))))
    }

    public func product(_ factors: [Number]) -> Number {
        factors.dropFirst().reduce(factors[0]) { apply(.multiply, $0, $1) }
    }
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
    /// The claim with `C` replaced by the decimal `text` (`2`, `0.1`, `-1.5e-3`), read as that
    /// exact decimal in balls; nil if `text` is not a decimal number. The text keeps the claim's
    /// wording with ` [C = text]` appended.
    public func substituting(freeConstant text: String) -> Claim? {
        let t = text.trimmingCharacters(in: .whitespaces)
        let negative = t.hasPrefix("-")
        let digits = negative ? String(t.dropFirst()) : t
        guard let value = try? Claim.parse("0 <= " + digits), case .number(let n) = value.rhs, Double(n)?.isFinite == true else { return nil }
        let literal: ClaimExpression = negative ? .negate(.number(n)) : .number(n)
        return Claim(lhs: lhs.substituting(freeConstant: literal), relation: relation, rhs: rhs.substituting(freeConstant: literal),
                     text: "\(self.text) [C = \(t)]")
    }

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
        // The caret line copies the tabs before the position, so the caret sits under it however
        // the terminal expands tabs; line breaks in the text are shown as spaces.
        let shown = String(text.map { $0.isNewline ? " " : $0 })
        let pad = String(text.prefix(position).map { $0 == "\t" ? "\t" : " " })
        return "claim: \(message) at character \(position + 1)\(hint.map { "; \($0)" } ?? "")\n  \(shown)\n  \(pad)^"
    }

    /// One line: `claim: expected ')' at character 14 in "..."`.
    public var oneLine: String { "claim: \(message) at character \(position + 1) in \"\(text)\"\(hint.map { "; \($0)" } ?? "")" }
}

/// The deepest expression a claim may be (nested parentheses, unary minus, `^`, function calls
/// and chains of binary operators all count one level each), and its longest text.
///
/// Why: claims are parsed and evaluated by recursion, and evaluations run on worker threads with
/// small stacks (512 KiB), so a claim 10,000 parentheses deep would overflow the stack and kill
/// the process (exit 139) instead of getting a message. 64 levels and 4,096 characters are far
/// beyond any bound one writes (B1, the deepest statement, is 6 levels deep) and far below what
/// the stack holds. A claim beyond either is a parse error (exit 64).
public let maxClaimDepth = 64
public let maxClaimLength = 4096

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
        guard text.count <= maxClaimLength else {
            throw ClaimParseError(text: String(text.prefix(80)) + "...", position: 0,
                                  message: "the claim is \(text.count) characters long; at most \(maxClaimLength) are accepted")
        }
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

    /// The nesting level of the node being parsed: every recursion passes through `unary` (one
    /// level) and each binary operator of a chain adds one, so `level` bounds both the parser's
    /// recursion and the depth of the tree it builds; checked against `maxClaimDepth`.
    var level = 0

    mutating func deeper(_ start: Int) throws(ClaimParseError) {
        level += 1
        guard level <= maxClaimDepth else {
            throw error("the claim nests deeper than \(maxClaimDepth) levels (parentheses, operators, functions); write it more simply", at: start)
        }
    }

    mutating func expression() throws(ClaimParseError) -> ClaimExpression {
        let saved = level
        defer { level = saved }
        var x = try term()
        while true {
            skipSpaces()
            let at0 = at
            if accept("+") { try deeper(at0); x = .binary(.add, x, try term()) }
            else if accept("-") { try deeper(at0); x = .binary(.subtract, x, try term()) }
            else { return x }
        }
    }

    mutating func term() throws(ClaimParseError) -> ClaimExpression {
        let saved = level
        defer { level = saved }
        var x = try unary()
        while true {
            skipSpaces()
            let at0 = at
            if accept("*") { try deeper(at0); x = .binary(.multiply, x, try unary()) }
            else if accept("/") { try deeper(at0); x = .binary(.divide, x, try unary()) }
            else { return x }
        }
    }

    mutating func unary() throws(ClaimParseError) -> ClaimExpression {
        skipSpaces()
        let saved = level
        defer { level = saved }
        try deeper(at)
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
            guard accept(")") else { throw error("expected ')' to match the '(' of character \(start + 1),") }
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
        guard let v = Double(t), t.filter({ $0 == "." }).count <= 1 else {
            throw error("'\(t)' is not a decimal number", at: start)
        }
        guard v.isFinite else {
            throw error("the number '\(t)' is beyond the double range (about 1.8e308); write a power such as 10^\(t.split(whereSeparator: { $0 == "e" || $0 == "E" }).last ?? "400") if you mean it", at: start)
        }
        return .number(t)
    }
}
