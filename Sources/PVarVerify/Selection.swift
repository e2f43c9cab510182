// `pvar select` (issue 7, section 2): the unbiased PVar estimate of every prompt in a JSON Lines
// file of reward-model scores, and the top N or top p% of the prompts by it, in constant memory.
//
// Pipeline: one pass over the input parses and validates each line, computes its estimate
// (`unbiasedPVarEstimate(rewards:)`, PVarCore) and spools the estimate (8 bytes) and the id (as
// written) to two anonymous temporary files; the exact threshold is found from the estimates spool
// by a radix selection on the bit patterns (`SelectionThreshold`); a last pass over the two
// spools writes the output. The input is read once, so standard input needs no separate spool.

import Foundation
import PVarCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// MARK: - Options

/// How many prompts to select: `--top N` or `--top P%`.
public enum SelectionSize: Equatable, Sendable, CustomStringConvertible {
    /// The `N` highest-ranked prompts (all of them if there are fewer).
    case count(Int)
    /// `ceil(M p / 100)` of `M` prompts, `p = numerator / 10^decimals` percent in `(0, 100]`:
    /// at least `p` percent, so a non-empty input always selects at least one prompt. Kept as a
    /// decimal fraction so that `10%` of `1000` is exactly 100, not one more by rounding.
    case percent(numerator: UInt64, decimals: Int)

    /// The most digits accepted after the decimal point of a percentage.
    public static let maximumDecimals = 9

    /// Parses `"1000"` (a count >= 1) or `"10%"`, `"12.5%"` (a percentage in `(0, 100]`);
    /// nil for anything else.
    public init?(parsing text: String) {
        if text.hasSuffix("%") {
            let number = text.dropLast()
            let parts = number.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
            guard let whole = parts.first, !whole.isEmpty, whole.allSatisfy(\.isASCIIDigit), whole.count <= 3 else { return nil }
            let fraction = parts.count == 2 ? parts[1] : ""
            guard parts.count == 1 || !fraction.isEmpty, fraction.allSatisfy(\.isASCIIDigit),
                  fraction.count <= Self.maximumDecimals,
                  let n = UInt64(whole + fraction) else { return nil }
            let scale = Self.power10(fraction.count)
            guard n > 0, n <= 100 * scale else { return nil }
            self = .percent(numerator: n, decimals: fraction.count)
        } else {
            guard !text.isEmpty, text.allSatisfy(\.isASCIIDigit), let n = Int(text), n >= 1 else { return nil }
            self = .count(n)
        }
    }

    /// The number of prompts selected out of `total`: `min(N, total)`, or `ceil(total p / 100)`
    /// in exact integer arithmetic (128-bit intermediate).
    public func count(of total: Int) -> Int {
        precondition(total >= 0, "SelectionSize.count: total must be >= 0")
        switch self {
        case .count(let n):
            return min(n, total)
        case .percent(let numerator, let decimals):
            let divisor = 100 * Self.power10(decimals)
            let product = numerator.multipliedFullWidth(by: UInt64(total))
            let (quotient, remainder) = divisor.dividingFullWidth(product)
            return min(total, Int(quotient) + (remainder > 0 ? 1 : 0))
        }
    }

    public var description: String {
        switch self {
        case .count(let n): return "\(n)"
        case .percent(let numerator, let decimals):
            let digits = String(numerator)
            guard decimals > 0 else { return digits + "%" }
            let padded = String(repeating: "0", count: max(0, decimals + 1 - digits.count)) + digits
            return String(padded.dropLast(decimals)) + "." + String(padded.suffix(decimals)) + "%"
        }
    }

    static func power10(_ k: Int) -> UInt64 { (0..<k).reduce(1) { p, _ in p * 10 } }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}

/// What a malformed line does.
public enum MalformedLinePolicy: String, Sendable, CaseIterable {
    /// The run fails at the first malformed line (`SelectionError.malformedLine`), before any
    /// output is written.
    case strict
    /// Malformed lines are skipped and counted (`SelectionSummary.skipped`); the first is kept
    /// for the message.
    case lenient
}

/// Lines read so far, for a progress display.
public struct SelectionProgress: Sendable, Equatable {
    public let lines: Int
    public let prompts: Int
    public let skipped: Int
}

/// The settings of one selection run.
public struct SelectionOptions {
    public var size: SelectionSize
    public var policy: MalformedLinePolicy
    /// Called every `progressInterval` lines of the input and once at its end.
    public var progress: ((SelectionProgress) -> Void)?
    public var progressInterval: Int
    /// The largest threshold bin whose estimates are collected and sorted in memory; a larger
    /// bin is refined by one more pass over the estimates spool (`SelectionThreshold`). Bounds
    /// the memory of the selection (8 bytes per value). 0 forces refinement to the last bit
    /// (tests use it to exercise every level).
    public var candidateLimit: Int

    public init(size: SelectionSize, policy: MalformedLinePolicy = .strict,
                progress: ((SelectionProgress) -> Void)? = nil, progressInterval: Int = 100_000,
                candidateLimit: Int = 1 << 16) {
        precondition(progressInterval >= 1 && candidateLimit >= 0, "SelectionOptions: bad limits")
        self.size = size
        self.policy = policy
        self.progress = progress
        self.progressInterval = progressInterval
        self.candidateLimit = candidateLimit
    }
}

/// What a finished run did.
public struct SelectionSummary: Sendable, Equatable {
    /// Physical lines read (blank ones included).
    public let lines: Int
    /// Well-formed prompt lines, each one output line.
    public let prompts: Int
    public let selected: Int
    /// Malformed lines skipped (lenient mode; 0 in strict mode).
    public let skipped: Int
    /// The first skipped line's error (lenient mode).
    public let firstSkipped: SelectionError?
    /// The estimate of the lowest-ranked selected prompt; nil when nothing is selected.
    public let threshold: Double?
    /// Passes over the estimates spool to resolve the threshold (0 to 3).
    public let refinementPasses: Int
}

/// Why a run failed; `description` is the one-line message.
public enum SelectionError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A malformed input line (1-based physical line number) and what is wrong with it.
    case malformedLine(line: Int, InputError)
    /// A file could not be read or written: the option, the path and the reason.
    case io(String)

    public var description: String {
        switch self {
        case .malformedLine(let line, let e): "line \(line): \(e.description)"
        case .io(let message): message
        }
    }
}

// MARK: - One line

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

// MARK: - The threshold

/// Which prompts are selected, found without holding the estimates in memory.
///
/// Ranking: by estimate descending, then by input order ascending (the earlier line first); the
/// first `K` prompts in this order are selected. So with `T` the estimate of the `K`-th prompt,
/// every prompt with estimate `> T` is selected, and of those with estimate `= T` the first
/// `tiesSelected` in input order (all equal estimates included: all-equal rewards give 0 for
/// every prompt, and the first `K` lines are selected).
///
/// Resolution (a radix selection): estimates are doubles in `[0, 1/4]`, never `-0.0`, so their
/// IEEE bit patterns, as unsigned integers, order exactly like their values. The first pass
/// counts the top 16 bits of every pattern (65,536 bins); walking the bins from the top gives the
/// bin holding the `K`-th prompt, the number of prompts above it, and `K`'s rank inside it. If
/// that bin holds at most `candidateLimit` prompts, one pass collects and sorts them; otherwise one
/// pass counts the next 16 bits of the prompts in it, and so on. After at most 3 passes all 64
/// bits are fixed (or the bin has been sorted), so `T` is exact in every case, all-ties included.
///
/// Memory: one 65,536-bin histogram (512 KiB) and at most `candidateLimit` values, whatever the
/// number of prompts; time: at most 3 passes over the 8-byte-per-prompt estimates spool, usually 1.
public struct SelectionThreshold: Sendable, Equatable {
    /// `T`, the estimate of the lowest-ranked selected prompt.
    public let value: Double
    /// How many prompts have an estimate `> T` (all selected).
    public let greater: Int
    /// How many of the prompts with estimate `= T` are selected (the first ones in input order).
    public let tiesSelected: Int
    /// Passes over the estimates that the resolution took after the first histogram.
    public let passes: Int

    /// Bits per radix digit, and the bins of one histogram.
    public static let digitBits = 16
    static let binCount = 1 << digitBits

    /// The first digit of an estimate's bit pattern (its histogram bin in the first pass).
    @inline(__always)
    public static func topBin(_ value: Double) -> Int { Int(truncatingIfNeeded: value.bitPattern >> 48) }

    /// The threshold of the `k` top-ranked of `total` prompts (`1 <= k <= total`), from the
    /// first-pass histogram `histogram` (65,536 counts of `topBin`) and `pass`, which calls its
    /// argument with the bit pattern of every estimate in input order (once per call of `pass`).
    public static func resolve(k: Int, total: Int, histogram first: [Int], candidateLimit: Int,
                               pass: ((UInt64) -> Void) throws -> Void) rethrows -> SelectionThreshold {
        precondition(k >= 1 && k <= total && first.count == binCount, "SelectionThreshold.resolve: bad arguments")
        var histogram = first
        var prefix: UInt64 = 0
        var shift = 64 - digitBits
        var rank = k, greater = 0, passes = 0
        while true {
            var above = 0, bin = binCount - 1
            while above + histogram[bin] < rank {
                above += histogram[bin]
                bin -= 1
            }
            greater += above
            rank -= above
            prefix |= UInt64(bin) << UInt64(shift)
            let inBin = histogram[bin]
            if shift == 0 {
                return SelectionThreshold(value: Double(bitPattern: prefix), greater: greater, tiesSelected: rank, passes: passes)
            }
            let high = UInt64(shift)
            if inBin <= candidateLimit {
                var candidates: [UInt64] = []
                candidates.reserveCapacity(inBin)
                try pass { bits in if bits >> high == prefix >> high { candidates.append(bits) } }
                passes += 1
                precondition(candidates.count == inBin, "SelectionThreshold: the estimates changed between passes")
                candidates.sort(by: >)
                let t = candidates[rank - 1]
                let above = candidates.prefix { $0 > t }.count
                return SelectionThreshold(value: Double(bitPattern: t), greater: greater + above,
                                          tiesSelected: rank - above, passes: passes)
            }
            shift -= digitBits
            let low = UInt64(shift)
            for b in 0..<binCount { histogram[b] = 0 }
            try histogram.withUnsafeMutableBufferPointer { h in
                try pass { bits in
                    if bits >> high == prefix >> high { h[Int(truncatingIfNeeded: (bits >> low) & 0xFFFF)] += 1 }
                }
            }
            passes += 1
        }
    }
}

// MARK: - Files

/// Reads a file descriptor in chunks and hands out its lines (without `\n`).
private struct LineReader {
    let fd: Int32
    let name: String
    var buffer: [UInt8]
    var start = 0, end = 0
    var eof = false

    init(fd: Int32, name: String, chunk: Int = 1 << 20) {
        self.fd = fd
        self.name = name
        buffer = [UInt8](repeating: 0, count: chunk)
    }

    /// Calls `body` with each line in turn; a last line without `\n` counts.
    mutating func forEachLine(_ body: (UnsafeBufferPointer<UInt8>) throws -> Void) throws {
        while true {
            let found: Int? = buffer.withUnsafeBufferPointer { b in
                guard end > start, let p = memchr(b.baseAddress! + start, 0x0A, end - start) else { return nil }
                return UnsafeRawPointer(p) - UnsafeRawPointer(b.baseAddress!)
            }
            if let nl = found {
                try buffer.withUnsafeBufferPointer { b in try body(UnsafeBufferPointer(rebasing: b[start..<nl])) }
                start = nl + 1
                continue
            }
            if eof {
                if end > start {
                    try buffer.withUnsafeBufferPointer { b in try body(UnsafeBufferPointer(rebasing: b[start..<end])) }
                }
                return
            }
            // Move the partial line to the front, grow if one line fills the buffer, read more.
            if start > 0 {
                buffer.withUnsafeMutableBufferPointer { b in
                    _ = memmove(b.baseAddress!, b.baseAddress! + start, end - start)
                }
                end -= start
                start = 0
            }
            if end == buffer.count { buffer.append(contentsOf: repeatElement(0, count: buffer.count)) }
            let n = try readSome(fd, into: &buffer, at: end, name: name)
            if n == 0 { eof = true } else { end += n }
        }
    }
}

/// One `read(2)` into `buffer[offset...]`, retried on EINTR; 0 at end of file.
private func readSome(_ fd: Int32, into buffer: inout [UInt8], at offset: Int, name: String) throws -> Int {
    while true {
        let n = buffer.withUnsafeMutableBufferPointer { b in read(fd, b.baseAddress! + offset, b.count - offset) }
        if n >= 0 { return n }
        if errno == EINTR { continue }
        throw SelectionError.io("\(name): cannot read (\(String(cString: strerror(errno))))")
    }
}

/// Buffered `write(2)`.
private struct Writer {
    let fd: Int32
    let name: String
    var buffer: [UInt8] = []
    let capacity: Int

    init(fd: Int32, name: String, capacity: Int = 1 << 20) {
        self.fd = fd
        self.name = name
        self.capacity = capacity
        buffer.reserveCapacity(capacity + 4096)
    }

    @inline(__always)
    mutating func append<S: Sequence>(_ bytes: S) throws where S.Element == UInt8 {
        buffer.append(contentsOf: bytes)
        if buffer.count >= capacity { try flush() }
    }

    mutating func flush() throws {
        var offset = 0
        while offset < buffer.count {
            let n = buffer.withUnsafeBufferPointer { b in write(fd, b.baseAddress! + offset, b.count - offset) }
            if n < 0 {
                if errno == EINTR { continue }
                throw SelectionError.io("\(name): cannot write (\(String(cString: strerror(errno))))")
            }
            offset += n
        }
        buffer.removeAll(keepingCapacity: true)
    }
}

/// An anonymous temporary file (created in the temporary directory and unlinked at once, so
/// nothing is left behind even if the process is killed); closed on deinit.
private final class Spool {
    let fd: Int32

    init(_ label: String) throws {
        let directory = FileManager.default.temporaryDirectory.path
        var template = Array((directory + "/pvar-select-\(label)-XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else {
            throw SelectionError.io("cannot create a temporary file in \(directory) (\(String(cString: strerror(errno)))); set TMPDIR to a writable directory")
        }
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        self.fd = fd
    }

    func rewind() throws {
        guard lseek(fd, 0, SEEK_SET) == 0 else {
            throw SelectionError.io("cannot rewind a temporary file (\(String(cString: strerror(errno))))")
        }
    }

    deinit { close(fd) }
}

/// Calls `body` with the bit pattern of every estimate in the spool, in order.
private func forEachEstimate(_ spool: Spool, _ body: (UInt64) throws -> Void) throws {
    try spool.rewind()
    var buffer = [UInt8](repeating: 0, count: 1 << 20)
    var filled = 0
    while true {
        let n = try readSome(spool.fd, into: &buffer, at: filled, name: "temporary file")
        if n == 0 { break }
        filled += n
        let whole = filled / 8 * 8
        try buffer.withUnsafeBytes { raw in
            for o in stride(from: 0, to: whole, by: 8) { try body(raw.loadUnaligned(fromByteOffset: o, as: UInt64.self)) }
        }
        buffer.withUnsafeMutableBufferPointer { b in _ = memmove(b.baseAddress!, b.baseAddress! + whole, filled - whole) }
        filled -= whole
    }
    precondition(filled == 0, "forEachEstimate: truncated temporary file")
}

// MARK: - The run

/// Runs `pvar select`: reads JSON Lines prompts from `input` (a readable file descriptor, e.g. 0),
/// writes one JSON line per well-formed prompt to `output`, in input order:
///
///     {"id": <as given>, "pvar": <unbiasedPVarEstimate(rewards:)>, "selected": <true|false>}
///
/// `pvar` in the shortest form that reads back to the same double (`InstanceFile.format`);
/// selection by `SelectionThreshold` (estimate descending, then input order).
///
/// Memory is constant in the number of prompts: fixed 1 MiB I/O buffers (a line longer than that
/// grows the line buffer to the longest line), the rewards of one line, a 65,536-bin histogram
/// and at most `candidateLimit` estimates. Disk: two unlinked temporary files of 8 bytes plus the
/// id's length plus 1 per prompt. Passes: one over the input, up to 3 over the 8-byte estimates,
/// one over both temporary files to write the output.
///
/// Strict mode throws at the first malformed line, before anything is written to `output`.
public func selectPrompts(input: Int32, inputName: String = "--input", output: Int32, outputName: String = "--output",
                          options: SelectionOptions) throws(SelectionError) -> SelectionSummary {
    do {
        return try runSelection(input: input, inputName: inputName, output: output, outputName: outputName, options: options)
    } catch let e as SelectionError {
        throw e
    } catch {
        throw SelectionError.io("\(error)")
    }
}

private func runSelection(input: Int32, inputName: String, output: Int32, outputName: String,
                          options o: SelectionOptions) throws -> SelectionSummary {
    let estimates = try Spool("estimates"), ids = try Spool("ids")
    var estimateWriter = Writer(fd: estimates.fd, name: "temporary file")
    var idWriter = Writer(fd: ids.fd, name: "temporary file")
    var histogram = [Int](repeating: 0, count: SelectionThreshold.binCount)
    var parser = PromptLineParser()
    var reader = LineReader(fd: input, name: inputName)
    var lines = 0, prompts = 0, skipped = 0
    var firstSkipped: SelectionError? = nil

    // Pass 1: parse, estimate, spool, histogram.
    var first = true
    try reader.forEachLine { rawLine in
        lines += 1
        var line = rawLine
        if first {
            first = false
            if line.count >= 3 && line[0] == 0xEF && line[1] == 0xBB && line[2] == 0xBF {  // UTF-8 byte order mark
                line = UnsafeBufferPointer(rebasing: line[3...])
            }
        }
        if !PromptLineParser.isBlank(line) {
            do {
                let id = try parser.parse(line)
                let u = parser.rewards.withUnsafeBufferPointer { unbiasedPVarEstimate(rewards: $0) }
                withUnsafeBytes(of: u.bitPattern.littleEndian) { estimateWriter.buffer.append(contentsOf: $0) }
                if estimateWriter.buffer.count >= estimateWriter.capacity { try estimateWriter.flush() }
                try idWriter.append(UnsafeBufferPointer(rebasing: line[id]))
                try idWriter.append(CollectionOfOne(UInt8(ascii: "\n")))
                histogram[SelectionThreshold.topBin(u)] += 1
                prompts += 1
            } catch let e as InputError {
                let error = SelectionError.malformedLine(line: lines, e)
                if o.policy == .strict { throw error }
                skipped += 1
                if firstSkipped == nil { firstSkipped = error }
            }
        }
        if lines % o.progressInterval == 0 { o.progress?(SelectionProgress(lines: lines, prompts: prompts, skipped: skipped)) }
    }
    o.progress?(SelectionProgress(lines: lines, prompts: prompts, skipped: skipped))
    try estimateWriter.flush()
    try idWriter.flush()

    // The threshold.
    let k = o.size.count(of: prompts)
    let threshold: SelectionThreshold? = k == 0 ? nil : try SelectionThreshold.resolve(
        k: k, total: prompts, histogram: histogram, candidateLimit: o.candidateLimit) { body in
            try forEachEstimate(estimates) { body($0) }
        }

    // Output pass.
    var out = Writer(fd: output, name: outputName)
    var idReader = LineReader(fd: ids.fd, name: "temporary file")
    try ids.rewind()
    var tiesLeft = threshold?.tiesSelected ?? 0
    var values = [UInt8](repeating: 0, count: 1 << 20)
    var valueCount = 0, valueIndex = 0
    var selected = 0, written = 0
    try estimates.rewind()
    let head = Array(#"{"id": "#.utf8), middle = Array(#", "pvar": "#.utf8)
    let yes = Array(#", "selected": true}"#.utf8 + [0x0A]), no = Array(#", "selected": false}"#.utf8 + [0x0A])
    try idReader.forEachLine { id in
        if valueIndex == valueCount {
            var filled = 0
            while filled < values.count {
                let n = try readSome(estimates.fd, into: &values, at: filled, name: "temporary file")
                if n == 0 { break }
                filled += n
            }
            precondition(filled % 8 == 0 && filled > 0, "selectPrompts: estimates spool out of step with the ids")
            valueCount = filled / 8
            valueIndex = 0
        }
        let u = values.withUnsafeBytes { Double(bitPattern: UInt64(littleEndian: $0.loadUnaligned(fromByteOffset: 8 * valueIndex, as: UInt64.self))) }
        valueIndex += 1
        var isSelected = false
        if let t = threshold {
            if u > t.value {
                isSelected = true
            } else if u == t.value && tiesLeft > 0 {
                isSelected = true
                tiesLeft -= 1
            }
        }
        if isSelected { selected += 1 }
        try out.append(head)
        try out.append(id)
        try out.append(middle)
        try out.append(InstanceFile.format(u).utf8)
        try out.append(isSelected ? yes : no)
        written += 1
    }
    try out.flush()
    precondition(written == prompts && selected == k, "selectPrompts: wrote \(written) of \(prompts), selected \(selected) of \(k)")
    return SelectionSummary(lines: lines, prompts: prompts, selected: selected, skipped: skipped, firstSkipped: firstSkipped,
                            threshold: threshold?.value, refinementPasses: threshold?.passes ?? 0)
}
