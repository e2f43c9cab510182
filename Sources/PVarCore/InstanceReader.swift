// A fast reader for the common instance files: one pass over the bytes, numbers by strtod.

import Foundation

/// Reads a well-formed instance file of the common forms (`beta`, `features` or null, `theta`,
/// `reference`, `rewards`, `pairs`) in one pass over the bytes, numbers converted by the
/// Eisel-Lemire algorithm (`eiselLemireDouble`) or, where it does not decide, the C library's
/// `strtod` (both correctly rounded, as `JSONDecoder` is, so the same doubles). Anything
/// else (a `policy` or `sequence` block, an unknown or repeated key, a string escape, a value of
/// the wrong type, a number outside the double range, malformed JSON) returns nil and the file
/// goes to the full path (`InstanceFile.scanTopLevel` + `JSONDecoder`), which reads every form
/// and words every error; so the fast reader never decides an error and never changes a number.
/// Why: `JSONDecoder` reads about 13 MB/s here, 7 s for a K = 65,536, d = 64 file; this reads it
/// in well under a second. Suite `InstanceReader` checks that both paths give the same instance,
/// bit for bit, on every instance file in the repository and on generated ones.
enum FastInstanceReader {
    /// From this many bytes on, the `features` rows are parsed concurrently (`featureRows`):
    /// below, starting the threads costs more than it saves (a K = 65,536, d = 64 file: 85 MB of
    /// features, 0.3 s to parse on one core).
    static let parallelFeatureBytes = 1 << 20

    static func read(_ data: Data) -> InstanceFile.RawInstance? {
        data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> InstanceFile.RawInstance? in
            var reader = Cursor(bytes: raw.bindMemory(to: UInt8.self))
            return reader.instance()
        }
    }

    private struct Cursor {
        let bytes: UnsafeBufferPointer<UInt8>
        var i = 0

        init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

        mutating func skipSpace() {
            while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x0D || bytes[i] == 0x09 { i += 1 }
        }

        mutating func take(_ c: UInt8) -> Bool {
            skipSpace()
            guard i < bytes.count, bytes[i] == c else { return false }
            i += 1
            return true
        }

        /// A string without escapes.
        mutating func string() -> String? {
            guard take(UInt8(ascii: "\"")) else { return nil }
            let start = i
            while i < bytes.count, bytes[i] != UInt8(ascii: "\"") {
                if bytes[i] == UInt8(ascii: "\\") || bytes[i] < 0x20 { return nil }
                i += 1
            }
            guard i < bytes.count else { return nil }
            defer { i += 1 }
            return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self)
        }

        mutating func literal(_ word: String) -> Bool {
            skipSpace()
            let w = Array(word.utf8)
            guard i + w.count <= bytes.count, Array(bytes[i..<(i + w.count)]) == w else { return false }
            i += w.count
            return true
        }

        /// A JSON number (the grammar checked here), converted by `eiselLemireDouble` or strtod;
        /// nil outside the double range (overflow, or a nonzero number that would round to 0: the
        /// full path reports it).
        mutating func number() -> Double? {
            skipSpace()
            let start = i
            func digits() -> Int {
                let s = i
                while i < bytes.count, bytes[i] >= 0x30, bytes[i] <= 0x39 { i += 1 }
                return i - s
            }
            if i < bytes.count, bytes[i] == UInt8(ascii: "-") { i += 1 }
            let first = i
            let integer = digits()
            guard integer > 0, integer == 1 || bytes[first] != 0x30 else { return nil }
            if i < bytes.count, bytes[i] == UInt8(ascii: ".") {
                i += 1
                guard digits() > 0 else { return nil }
            }
            let mantissaEnd = i
            if i < bytes.count, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
                i += 1
                if i < bytes.count, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") { i += 1 }
                guard digits() > 0 else { return nil }
            }
            if let x = eiselLemireDouble(UnsafeBufferPointer(rebasing: bytes[start..<i])) { return x }
            let length = i - start
            guard length < 64 else { return nil }
            var buffer = (UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0))
            let x = withUnsafeMutableBytes(of: &buffer) { b -> Double in
                b.copyMemory(from: UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(bytes)[start..<i]))
                b[length] = 0
                return strtod(b.baseAddress!.assumingMemoryBound(to: CChar.self), nil)
            }
            guard x.isFinite else { return nil }
            if x == 0 {
                for k in start..<mantissaEnd where bytes[k] >= 0x31 && bytes[k] <= 0x39 { return nil }
            }
            return x
        }

        /// `[x, x, ...]`, each `x` read by `element`.
        mutating func array<T>(_ element: (inout Cursor) -> T?) -> [T]? {
            guard take(UInt8(ascii: "[")) else { return nil }
            var out: [T] = []
            if take(UInt8(ascii: "]")) { return out }
            repeat {
                guard let x = element(&self) else { return nil }
                out.append(x)
            } while take(UInt8(ascii: ","))
            return take(UInt8(ascii: "]")) ? out : nil
        }

        mutating func numbers() -> [Double]? { array { $0.number() } }

        mutating func rows() -> [[Double]]? { array { $0.numbers() } }

        /// `rows()` for the `features` array: from `parallelFeatureBytes` bytes on, its rows are
        /// found by one scan of the brackets and parsed concurrently (`parallelMap`), then the
        /// separators between them are checked as `rows()` would; the same doubles either way,
        /// and anything that is not the plain form (a string, deeper nesting) returns nil.
        mutating func featureRows() -> [[Double]]? {
            skipSpace()
            let open = i
            guard open < bytes.count, bytes[open] == UInt8(ascii: "[") else { return nil }
            var starts: [Int] = [], depth = 0, k = open
            while k < bytes.count {
                switch bytes[k] {
                case UInt8(ascii: "["):
                    depth += 1
                    if depth == 2 { starts.append(k) } else if depth > 2 { return nil }
                case UInt8(ascii: "]"):
                    depth -= 1
                case UInt8(ascii: "\""):
                    return nil
                default:
                    break
                }
                if depth == 0 { break }
                k += 1
            }
            guard depth == 0, k < bytes.count else { return nil }
            let close = k
            if close - open < FastInstanceReader.parallelFeatureBytes { return rows() }
            let bytes = self.bytes
            let parsed = parallelMap(starts.count, minimum: 2) { r -> (row: [Double], end: Int)? in
                var cursor = Cursor(bytes: bytes)
                cursor.i = starts[r]
                guard let row = cursor.numbers() else { return nil }
                return (row, cursor.i)
            }
            var out: [[Double]] = []
            out.reserveCapacity(parsed.count)
            i = open + 1
            for (r, p) in parsed.enumerated() {
                guard let p, r == 0 || take(UInt8(ascii: ",")) else { return nil }
                skipSpace()
                guard i == starts[r] else { return nil }
                out.append(p.row)
                i = p.end
            }
            guard take(UInt8(ascii: "]")), i == close + 1 else { return nil }
            return out
        }

        mutating func instance() -> InstanceFile.RawInstance? {
            var raw = InstanceFile.RawInstance()
            var seen = Set<String>()
            guard take(UInt8(ascii: "{")) else { return nil }
            repeat {
                guard let key = string(), seen.insert(key).inserted, take(UInt8(ascii: ":")) else { return nil }
                switch key {
                case "beta":
                    guard let x = number() else { return nil }
                    raw.beta = x
                case "features":
                    if literal("null") { raw.features = nil } else {
                        guard let f = featureRows() else { return nil }
                        raw.features = f
                    }
                case "theta", "reference", "rewards":
                    guard let v = numbers() else { return nil }
                    if key == "theta" { raw.theta = v } else if key == "reference" { raw.reference = v } else { raw.rewards = v }
                case "pairs":
                    skipSpace()
                    if literal("null") { raw.pairs = .policy } else if i < bytes.count, bytes[i] == UInt8(ascii: "\"") {
                        switch string() {
                        case "policy": raw.pairs = .policy
                        case "reference": raw.pairs = .reference
                        default: return nil
                        }
                    } else {
                        guard let w = numbers() else { return nil }
                        raw.pairs = .weights(w)
                    }
                default:
                    return nil
                }
            } while take(UInt8(ascii: ","))
            guard take(UInt8(ascii: "}")) else { return nil }
            skipSpace()
            guard i == bytes.count, seen.isSuperset(of: ["beta", "theta", "reference", "rewards"]) else { return nil }
            return raw
        }
    }
}
