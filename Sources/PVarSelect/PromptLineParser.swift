// One line of `pvar select` input: `{"id": ..., "rewards": [...]}`, parsed and validated.

import Foundation
import PVarCore

/// Parses one line of `pvar select` input: a JSON object with exactly the keys
///
/// - `id`: a string or a number, echoed back byte for byte as written (escapes and all; a number
///   keeps its spelling, `1.50` stays `1.50`);
/// - `rewards`: an array of at least 2 finite numbers (the reward-model scores of n sampled
///   responses), read with correct rounding (`Double(String)`).
///
/// Malformed (an `InputError` naming the field): not a JSON object, a key given twice, a key other
/// than these two (a typo is never silently ignored; strip extra fields first, e.g.
/// `jq -c '{id, rewards}'`), a missing key, an `id` that is not a string or a number (or a string
/// with invalid escapes, raw control characters or invalid UTF-8), `rewards` that is not an array
/// of numbers, a number outside the double range (`1e400`, or `1e-400`, which would round to 0),
/// `NaN` or `Infinity` (not JSON), and fewer than 2 rewards. Keys are compared after decoding
/// JSON escapes. JSON whitespace (space, tab, CR) is allowed around every token, so CRLF files
/// read as well. Lines containing only whitespace are not prompts and are skipped in both modes
/// (they still count for line numbers).
public struct PromptLineParser {
    /// The rewards of the last parsed line (capacity reused between lines).
    public private(set) var rewards: [Double] = []

    public init() {}

    /// Fields of the schema, in the order they are reported missing.
    public static let keys = ["id", "rewards"]

    static let example = #"{"id": "p1", "rewards": [0.5, 1.25]}"#

    /// True when the line holds only JSON whitespace.
    public static func isBlank(_ line: UnsafeBufferPointer<UInt8>) -> Bool {
        line.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D || $0 == 0x0A }
    }

    /// Parses `line` (without its `\n`); returns the byte range of the id as written, with the
    /// rewards in `rewards`.
    public mutating func parse(_ line: UnsafeBufferPointer<UInt8>) throws(InputError) -> Range<Int> {
        rewards.removeAll(keepingCapacity: true)
        var cursor = Cursor(bytes: line)
        cursor.skipWhitespace()
        guard cursor.peek == UInt8(ascii: "{") else {
            throw cursor.syntax("expected '{' at column \(cursor.column)", found: true)
        }
        cursor.i += 1
        var id: Range<Int>? = nil
        var sawRewards = false
        cursor.skipWhitespace()
        if cursor.peek != UInt8(ascii: "}") {
            while true {
                cursor.skipWhitespace()
                guard cursor.peek == UInt8(ascii: "\"") else {
                    throw cursor.syntax("expected a key in double quotes at column \(cursor.column)", found: true)
                }
                let key = try cursor.string(field: "key")
                let name = key.escaped ? Self.decodeKey(line, key.range) : String(decoding: UnsafeBufferPointer(rebasing: line[key.range]), as: UTF8.self)
                cursor.skipWhitespace()
                guard cursor.peek == UInt8(ascii: ":") else {
                    throw cursor.syntax("expected ':' after the key \"\(name)\" at column \(cursor.column)", found: true)
                }
                cursor.i += 1
                cursor.skipWhitespace()
                switch name {
                case "id":
                    guard id == nil else { throw Self.duplicate("id") }
                    id = try cursor.id()
                case "rewards":
                    guard !sawRewards else { throw Self.duplicate("rewards") }
                    try cursor.rewards(into: &rewards)
                    sawRewards = true
                default:
                    throw InputError(.unknownKey, field: name,
                                     problem: "is not a key of pvar select input (keys: id, rewards)",
                                     fix: "remove it, e.g. with jq -c '{id, rewards}'")
                }
                cursor.skipWhitespace()
                if cursor.peek == UInt8(ascii: ",") { cursor.i += 1; continue }
                if cursor.peek == UInt8(ascii: "}") { break }
                throw cursor.syntax("expected ',' or '}' at column \(cursor.column)", found: true)
            }
        }
        cursor.i += 1
        cursor.skipWhitespace()
        guard cursor.atEnd else {
            throw cursor.syntax("unexpected text after the object at column \(cursor.column)", found: true)
        }
        guard let idRange = id else {
            throw InputError(.missingKey, field: "id", problem: "is missing",
                             fix: "give each line an \"id\" (a string or a number), e.g. \(Self.example)")
        }
        guard sawRewards else {
            throw InputError(.missingKey, field: "rewards", problem: "is missing",
                             fix: "give each line \"rewards\", the scores of n >= 2 responses, e.g. \(Self.example)")
        }
        guard rewards.count >= 2 else {
            throw InputError(.sizeMismatch, field: "rewards",
                             problem: "has \(rewards.count) number\(rewards.count == 1 ? "" : "s") but the estimate needs at least 2 (it averages over distinct pairs)",
                             fix: "give the scores of at least two sampled responses")
        }
        return idRange
    }

    static func duplicate(_ key: String) -> InputError {
        InputError(.malformed, field: key, problem: "appears twice", fix: "give each key once")
    }

    /// A key with escapes, decoded by `JSONSerialization` (rare: keys are plain ASCII in practice).
    static func decodeKey(_ line: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> String {
        let quoted = Data(line[(range.lowerBound - 1)..<(range.upperBound + 1)])
        return (try? JSONSerialization.jsonObject(with: quoted, options: .fragmentsAllowed)) as? String
            ?? String(decoding: UnsafeBufferPointer(rebasing: line[range]), as: UTF8.self)
    }
}

/// A position in one line, with the token scanners.
private struct Cursor {
    let bytes: UnsafeBufferPointer<UInt8>
    var i = 0

    var atEnd: Bool { i >= bytes.count }
    var peek: UInt8? { i < bytes.count ? bytes[i] : nil }
    /// 1-based column (byte offset) of the cursor.
    var column: Int { i + 1 }

    static func isWhitespace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0D || b == 0x0A }
    static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }

    mutating func skipWhitespace() {
        while i < bytes.count && Self.isWhitespace(bytes[i]) { i += 1 }
    }

    /// A syntax error; `found` appends what is at the cursor.
    func syntax(_ problem: String, found: Bool) -> InputError {
        let what = found ? (atEnd ? " (found the end of the line)" : " (found \(excerpt(at: i)))") : ""
        return InputError(.malformed, field: "json", problem: problem + what,
                          fix: "give one JSON object per line, e.g. \(PromptLineParser.example)")
    }

    /// Up to 20 bytes from `start`, quoted, for messages.
    func excerpt(at start: Int, upTo end: Int? = nil) -> String {
        let stop = min(end ?? bytes.count, start + 20, bytes.count)
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<stop]), as: UTF8.self)
        return "`" + text + (stop < (end ?? bytes.count) ? "..." : "") + "`"
    }

    /// A JSON string at the cursor (which is at its opening quote); returns the range of its
    /// contents and whether it holds escapes; the cursor ends after the closing quote.
    mutating func string(field: String) throws(InputError) -> (range: Range<Int>, escaped: Bool) {
        let start = i + 1
        var j = start
        var escaped = false
        while j < bytes.count {
            let b = bytes[j]
            if b == UInt8(ascii: "\"") {
                i = j + 1
                return (start..<j, escaped)
            }
            if b < 0x20 {
                throw InputError(.malformed, field: field, problem: "holds a raw control character at column \(j + 1)",
                                 fix: "escape it (\\n, \\t, \\u0001, ...) as JSON requires")
            }
            if b == UInt8(ascii: "\\") {
                escaped = true
                guard j + 1 < bytes.count else { break }
                let e = bytes[j + 1]
                if e == UInt8(ascii: "u") {
                    guard j + 5 < bytes.count, (j + 2...j + 5).allSatisfy({ Self.isHex(bytes[$0]) }) else {
                        throw InputError(.malformed, field: field, problem: "has a bad \\u escape at column \(j + 1)",
                                         fix: "write \\u followed by four hexadecimal digits")
                    }
                    j += 6
                    continue
                }
                guard "\"\\/bfnrt".utf8.contains(e) else {
                    throw InputError(.malformed, field: field, problem: "has an invalid escape at column \(j + 1)",
                                     fix: "use only the JSON escapes \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX")
                }
                j += 2
                continue
            }
            j += 1
        }
        throw InputError(.malformed, field: field, problem: "is a string without its closing quote",
                         fix: "close the string with \" on the same line")
    }

    static func isHex(_ b: UInt8) -> Bool {
        isDigit(b) || (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "f")) || (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "F"))
    }

    /// The end of a JSON number starting at `start`, or nil if none starts there. Grammar:
    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
    func numberEnd(from start: Int) -> Int? {
        var j = start
        let n = bytes.count
        if j < n && bytes[j] == UInt8(ascii: "-") { j += 1 }
        guard j < n, Self.isDigit(bytes[j]) else { return nil }
        if bytes[j] == UInt8(ascii: "0") {
            j += 1
        } else {
            while j < n && Self.isDigit(bytes[j]) { j += 1 }
        }
        if j < n && bytes[j] == UInt8(ascii: ".") {
            j += 1
            guard j < n, Self.isDigit(bytes[j]) else { return nil }
            while j < n && Self.isDigit(bytes[j]) { j += 1 }
        }
        if j < n && (bytes[j] == UInt8(ascii: "e") || bytes[j] == UInt8(ascii: "E")) {
            j += 1
            if j < n && (bytes[j] == UInt8(ascii: "+") || bytes[j] == UInt8(ascii: "-")) { j += 1 }
            guard j < n, Self.isDigit(bytes[j]) else { return nil }
            while j < n && Self.isDigit(bytes[j]) { j += 1 }
        }
        return j
    }

    /// The end of the value token at the cursor: the next delimiter (`,` `]` `}` or whitespace).
    func tokenEnd() -> Int {
        var j = i
        while j < bytes.count {
            let b = bytes[j]
            if b == UInt8(ascii: ",") || b == UInt8(ascii: "]") || b == UInt8(ascii: "}") || Self.isWhitespace(b) { break }
            j += 1
        }
        return j
    }

    /// What kind of JSON value starts at the cursor, for messages.
    func kind() -> String {
        switch peek {
        case UInt8(ascii: "\"")?: "a string"
        case UInt8(ascii: "{")?: "an object"
        case UInt8(ascii: "[")?: "an array"
        case UInt8(ascii: "n")?: "null"
        case UInt8(ascii: "t")?, UInt8(ascii: "f")?: "a boolean"
        case nil: "missing"
        default: excerpt(at: i, upTo: tokenEnd())
        }
    }

    /// The id: a string (valid escapes, no raw control characters, valid UTF-8) or a JSON number;
    /// its bytes as written.
    mutating func id() throws(InputError) -> Range<Int> {
        let start = i
        if peek == UInt8(ascii: "\"") {
            let s = try string(field: "id")
            let raw = UnsafeBufferPointer(rebasing: bytes[s.range])
            if raw.contains(where: { $0 >= 0x80 }) && !String(decoding: raw, as: UTF8.self).utf8.elementsEqual(raw) {
                throw InputError(.malformed, field: "id", problem: "is not valid UTF-8", fix: "write the file in UTF-8")
            }
            return start..<i
        }
        if let end = numberEnd(from: i), end == tokenEnd() {
            i = end
            return start..<end
        }
        throw InputError(.wrongType, field: "id", problem: "is \(kind()), not a string or a number",
                         fix: "give each prompt an id that is a string or a number, e.g. \"p1\" or 17")
    }

    /// The rewards array into `out`; each element a finite JSON number.
    mutating func rewards(into out: inout [Double]) throws(InputError) {
        guard peek == UInt8(ascii: "[") else {
            throw InputError(.wrongType, field: "rewards", problem: "is \(kind()), not an array",
                             fix: "give an array of at least 2 numbers, e.g. [0.5, 1.25]")
        }
        i += 1
        skipWhitespace()
        if peek == UInt8(ascii: "]") { i += 1; return }
        while true {
            skipWhitespace()
            let index = out.count
            let end = tokenEnd()
            guard end > i else {
                throw InputError(.malformed, field: "rewards[\(index)]",
                                 problem: "expected a number at column \(column)"
                                    + (atEnd ? " (found the end of the line)" : " (found \(excerpt(at: i)))"),
                                 fix: "give a number after each comma (no trailing comma), e.g. [0.5, 1.25]")
            }
            guard let numberEnd = numberEnd(from: i), numberEnd == end else {
                let found = kind()
                let nonFinite = ["NaN", "Infinity", "-Infinity", "inf", "-inf", "nan"].contains(
                    String(decoding: UnsafeBufferPointer(rebasing: bytes[i..<end]), as: UTF8.self))
                throw InputError(nonFinite ? .notFinite : .wrongType, field: "rewards[\(index)]",
                                 problem: nonFinite ? "is \(found), not a finite number" : "is \(found), not a number",
                                 fix: "give finite numbers (the reward-model scores), e.g. [0.5, 1.25]")
            }
            let token = UnsafeBufferPointer(rebasing: bytes[i..<end])
            // `Double(String)` rounds correctly and ignores the locale; the token is a JSON number.
            guard let x = Double(String(decoding: token, as: UTF8.self)) else {
                preconditionFailure("a JSON number token did not parse as Double")
            }
            if !x.isFinite || (x == 0 && Self.mantissaHasNonzeroDigit(token)) {
                throw InputError(.outOfRange, field: "rewards[\(index)]",
                                 problem: "is \(excerpt(at: i, upTo: end)), outside the double range",
                                 fix: "give numbers between 1e-308 and 1.8e308 in magnitude (or 0)")
            }
            out.append(x)
            i = end
            skipWhitespace()
            if peek == UInt8(ascii: ",") { i += 1; continue }
            if peek == UInt8(ascii: "]") { i += 1; return }
            throw InputError(.malformed, field: "rewards",
                             problem: "expected ',' or ']' after rewards[\(index)] at column \(column)"
                                + (atEnd ? " (found the end of the line)" : " (found \(excerpt(at: i)))"),
                             fix: "separate the numbers with commas and close the array with ]")
        }
    }

    /// Whether a number token's digits before its exponent include a nonzero one (`0e5` is 0,
    /// `1e-400` is not).
    static func mantissaHasNonzeroDigit(_ token: UnsafeBufferPointer<UInt8>) -> Bool {
        for b in token {
            if b == UInt8(ascii: "e") || b == UInt8(ascii: "E") { return false }
            if b >= UInt8(ascii: "1") && b <= UInt8(ascii: "9") { return true }
        }
        return false
    }
}
