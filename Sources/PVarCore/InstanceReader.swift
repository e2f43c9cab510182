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
    /// When at least this many bytes of the file remain at the `features` array, its rows are
    /// parsed concurrently (`featureRows`): below, starting the threads costs more than it saves
    /// (a K = 65,536, d = 64 file has 85 MB of features, about 0.4 s of parsing on one core).
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

        /// `rows()` for the `features` array: from `parallelFeatureBytes` bytes on, the rows'
        /// starts are found first (each row's end by `memchr` for its `]`, then the separator),
        /// the rows are parsed concurrently (`parallelMap`), and each must end where its `]` was
        /// found: the same doubles as one pass, and anything else (a string, deeper nesting, a
        /// bad separator) returns nil.
        mutating func featureRows() -> [[Double]]? {
            skipSpace()
            let open = i
            guard open < bytes.count, bytes[open] == UInt8(ascii: "["), bytes.count - open >= FastInstanceReader.parallelFeatureBytes
            else { return rows() }
            let base = bytes.baseAddress!
            var starts: [Int] = [], ends: [Int] = []
            i = open + 1
            if take(UInt8(ascii: "]")) { return [] }
            repeat {
                skipSpace()
                guard i < bytes.count, bytes[i] == UInt8(ascii: "[") else { return nil }
                guard let close = memchr(base + i, Int32(UInt8(ascii: "]")), bytes.count - i) else { return nil }
                starts.append(i)
                i = base.distance(to: close.assumingMemoryBound(to: UInt8.self)) + 1
                ends.append(i)
            } while take(UInt8(ascii: ","))
            guard take(UInt8(ascii: "]")) else { return nil }
            let bytes = self.bytes
            let parsed = parallelMap(starts.count, minimum: 2) { r -> [Double]? in
                var cursor = Cursor(bytes: bytes)
                cursor.i = starts[r]
                guard let row = cursor.numbers(), cursor.i == ends[r] else { return nil }
                return row
            }
            var out: [[Double]] = []
            out.reserveCapacity(parsed.count)
            for row in parsed {
                guard let row else { return nil }
                out.append(row)
            }
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
