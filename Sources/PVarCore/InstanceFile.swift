// The `pvar evaluate` input schema (JSON), read and written.

import Foundation

/// Reads and writes one-prompt instances as JSON.
///
/// Keys (exact; any other key is an error, so a typo is never silently ignored):
/// - `beta`: number > 0;
/// - `features`: K x d array of numbers, or absent / `null` for the tabular policy;
/// - `theta`: d numbers (K for the tabular policy);
/// - `reference`: K probabilities, each > 0, summing to 1 within 1e-9;
/// - `rewards`: K Bradley–Terry rewards;
/// - `pairs`: `"policy"` (default), `"reference"`, or K weights >= 0 summing to 1 within 1e-9.
///
/// In place of `features`/`theta`, the policy may be given as
/// - `policy`: `{"logProbabilities": [K numbers], "scores": [K x d numbers]}`, the exported form
///   of any differentiable policy at one theta (`log pi_theta(y)` and `grad_theta log pi_theta(y)`);
/// - `sequence`: `{"vocabulary": V, "length": T, "tokenFeatures": [T x (V+1) x V x d], "theta": [d]}`,
///   a token-level log-linear sequence policy (see `SequencePolicy`), K = V^T responses.
public enum InstanceFile {
    public static let keys = ["beta", "features", "theta", "policy", "sequence", "reference", "rewards", "pairs"]

    /// Parses and validates an instance. Every failure is an `InputError` naming the field.
    ///
    /// Numbers are read with `JSONDecoder`, which rounds decimal input correctly (to the nearest
    /// double); `JSONSerialization` on Linux does not (it is off by an ulp on some inputs), which
    /// would make a witness file evaluate a different instance than the one written.
    ///
    /// The common forms are read by `FastInstanceReader` (the same doubles, far faster); every
    /// other input, and every error, takes the full path. `reader: .decoder` forces the full
    /// path (the tests compare the two).
    public static func parse(_ data: Data, reader: Reader = .fast) throws(InputError) -> Problem {
        let raw: RawInstance
        if reader == .fast, let fast = FastInstanceReader.read(data) {
            raw = fast
        } else {
            raw = try decode(data)
        }
        if let e = raw.exported {
            return try Problem(beta: raw.beta, logProbabilities: e.logProbabilities, scores: e.scores,
                               reference: raw.reference, rewards: raw.rewards, pairs: raw.pairs)
        }
        if let q = raw.sequence {
            let sequence = try SequencePolicy(vocabulary: q.vocabulary, length: q.length,
                                              tokenFeatures: q.tokenFeatures, theta: q.theta)
            return try Problem(beta: raw.beta, sequence: sequence, reference: raw.reference,
                               rewards: raw.rewards, pairs: raw.pairs)
        }
        return try Problem(beta: raw.beta, features: raw.features, theta: raw.theta,
                           reference: raw.reference, rewards: raw.rewards, pairs: raw.pairs)
    }

    /// Whether `parse` reads `data` by the fast reader (the tests check it does on the common
    /// forms, so that comparing the two readers compares something).
    public static func fastReaderAccepts(_ data: Data) -> Bool { FastInstanceReader.read(data) != nil }

    /// Which reader `parse` uses.
    public enum Reader: Sendable {
        /// `FastInstanceReader` where it applies, else the full path.
        case fast
        /// Always the full path (`scanTopLevel` and `JSONDecoder`).
        case decoder
    }

    /// The full path: the lexical checks, then `JSONDecoder` (every form, every error message).
    static func decode(_ data: Data) throws(InputError) -> RawInstance {
        try scanTopLevel(data)
        do {
            return try JSONDecoder().decode(RawInstance.self, from: data)
        } catch let e as InputError {
            throw e
        } catch let e as DecodingError {
            throw inputError(e)
        } catch {
            throw InputError(.malformed, field: "input", problem: "could not be read (\(error))",
                             fix: "give one JSON object with keys \(keys.joined(separator: ", "))")
        }
    }

    /// A lexical pass over the JSON text for what `JSONDecoder` accepts silently or reports
    /// without a field: a top-level key given twice (the decoder keeps one of them), and a
    /// number outside the double range (`1e400` overflows, `1e-400` would round to 0). Both
    /// errors name the top-level key. Strings and escapes are skipped; the text is not otherwise
    /// validated here (the decoder does that).
    static func scanTopLevel(_ data: Data) throws(InputError) {
        let bytes = [UInt8](data)
        var depth = 0
        var i = 0
        var seen = Set<String>()
        var currentKey = "input"
        var lastString: String? = nil
        while i < bytes.count {
            let b = bytes[i]
            switch b {
            case UInt8(ascii: "\""):
                var j = i + 1
                while j < bytes.count && bytes[j] != UInt8(ascii: "\"") {
                    j += bytes[j] == UInt8(ascii: "\\") ? 2 : 1
                }
                lastString = String(decoding: bytes[(i + 1)..<min(j, bytes.count)], as: UTF8.self)
                i = j + 1
                continue
            case UInt8(ascii: ":"):
                if depth == 1, let key = lastString {
                    guard seen.insert(key).inserted else {
                        throw InputError(.malformed, field: key, problem: "appears twice",
                                         fix: "give each key once")
                    }
                    currentKey = key
                }
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                depth += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                var j = i
                while j < bytes.count, "+-.eE0123456789".utf8.contains(bytes[j]) { j += 1 }
                let token = String(decoding: bytes[i..<j], as: UTF8.self)
                if let x = Double(token) {
                    let nonzeroDigits = token.prefix { $0 != "e" && $0 != "E" }.contains { ("1"..."9").contains($0) }
                    if !x.isFinite || (x == 0 && nonzeroDigits) {
                        throw InputError(.outOfRange, field: currentKey,
                                         problem: "holds the number \(token), outside the double range",
                                         fix: "give numbers between 1e-308 and 1.8e308 in magnitude (or 0)")
                    }
                }
                i = j
                continue
            default:
                break
            }
            i += 1
        }
    }

    /// The instance as decoded, before validation.
    struct RawInstance: Decodable {
        var beta = 0.0
        var features: [[Double]]?
        var theta: [Double] = []
        var reference: [Double] = []
        var rewards: [Double] = []
        var pairs = PairDistribution.policy
        var exported: ExportedBlock?
        var sequence: SequenceBlock?

        struct ExportedBlock: Decodable {
            var logProbabilities: [Double]
            var scores: [[Double]]
        }
        struct SequenceBlock: Decodable {
            var vocabulary: Int
            var length: Int
            var tokenFeatures: [[[[Double]]]]
            var theta: [Double]
        }

        /// An empty instance, filled by `FastInstanceReader`.
        init() {}

        struct Key: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }

        init(from decoder: Decoder) throws {
            let c: KeyedDecodingContainer<Key>
            do {
                c = try decoder.container(keyedBy: Key.self)
            } catch {
                throw InputError(.malformed, field: "input", problem: "is not a JSON object",
                                 fix: "give one JSON object with keys \(InstanceFile.keys.joined(separator: ", "))")
            }
            for key in c.allKeys.map(\.stringValue).sorted() where !InstanceFile.keys.contains(key) {
                throw InputError(.unknownKey, field: key, problem: "is not a known key",
                                 fix: "the keys are \(InstanceFile.keys.joined(separator: ", "))")
            }
            func required<T: Decodable>(_ name: String, _ type: T.Type) throws -> T {
                let key = Key(stringValue: name)
                guard c.contains(key), try !c.decodeNil(forKey: key) else {
                    throw InputError(.missingKey, field: name, problem: "is missing",
                                     fix: "every instance needs beta, theta, reference and rewards")
                }
                return try c.decode(T.self, forKey: key)
            }
            beta = try required("beta", Double.self)
            let given = ["theta", "policy", "sequence"].filter { name in
                let key = Key(stringValue: name)
                return c.contains(key) && ((try? c.decodeNil(forKey: key)) == false)
            }
            guard given.count == 1 else {
                throw InputError(given.isEmpty ? .missingKey : .malformed, field: given.isEmpty ? "theta" : given.joined(separator: "+"),
                                 problem: given.isEmpty ? "is missing" : "give one policy, not several",
                                 fix: "give the policy as theta (with features, or tabular), as policy {logProbabilities, scores}, or as sequence {...}")
            }
            let featuresKey = Key(stringValue: "features")
            if c.contains(featuresKey), try !c.decodeNil(forKey: featuresKey) {
                guard given == ["theta"] else {
                    throw InputError(.malformed, field: "features", problem: "goes with theta only",
                                     fix: "drop features, or give the policy as theta with features")
                }
                features = try c.decode([[Double]].self, forKey: featuresKey)
            }
            switch given[0] {
            case "policy": exported = try c.decode(ExportedBlock.self, forKey: Key(stringValue: "policy"))
            case "sequence": sequence = try c.decode(SequenceBlock.self, forKey: Key(stringValue: "sequence"))
            default: theta = try required("theta", [Double].self)
            }
            reference = try required("reference", [Double].self)
            rewards = try required("rewards", [Double].self)
            let pairsKey = Key(stringValue: "pairs")
            if c.contains(pairsKey), try !c.decodeNil(forKey: pairsKey) {
                if let s = try? c.decode(String.self, forKey: pairsKey) {
                    switch s {
                    case "policy": pairs = .policy
                    case "reference": pairs = .reference
                    default:
                        throw InputError(.wrongType, field: "pairs", problem: "is \"\(s)\"",
                                         fix: "use \"policy\", \"reference\" or an array of K weights")
                    }
                } else {
                    pairs = .weights(try c.decode([Double].self, forKey: pairsKey))
                }
            }
        }
    }

    /// Turns a decoding failure into an error naming the field (`features[1][0]`).
    public static func inputError(_ e: DecodingError) -> InputError {
        func path(_ p: [CodingKey]) -> String {
            var out = ""
            for k in p {
                if let i = k.intValue { out += "[\(i)]" } else { out += out.isEmpty ? k.stringValue : ".\(k.stringValue)" }
            }
            return out.isEmpty ? "input" : out
        }
        let expected: (String) -> String = { field in
            if field.hasPrefix("features") { return "a K x d array of numbers, or null for a tabular policy" }
            if field == "beta" { return "a number" }
            if field.hasPrefix("pairs") { return "\"policy\", \"reference\" or an array of K numbers" }
            return field.contains("[") ? "a number" : "an array of numbers"
        }
        switch e {
        case .typeMismatch(_, let ctx), .valueNotFound(_, let ctx):
            let field = path(ctx.codingPath)
            return InputError(.wrongType, field: field, problem: "has the wrong type", fix: "expected \(expected(field))")
        case .keyNotFound(let key, let ctx):
            return InputError(.missingKey, field: path(ctx.codingPath + [key]), problem: "is missing",
                              fix: "every instance needs beta, theta, reference and rewards")
        case .dataCorrupted(let ctx):
            let detail = (ctx.underlyingError as NSError?)?.userInfo[NSDebugDescriptionErrorKey] as? String
                ?? ctx.debugDescription
            return InputError(.malformed, field: path(ctx.codingPath), problem: "is not valid JSON (\(detail))",
                              fix: "give one JSON object with finite numbers and keys \(keys.joined(separator: ", "))")
        @unknown default:
            return InputError(.malformed, field: "input", problem: "could not be read (\(e))",
                              fix: "give one JSON object with keys \(keys.joined(separator: ", "))")
        }
    }

    /// Writes an instance as JSON that `parse` reads back to the same doubles (shortest
    /// round-trip decimal form), keys in schema order, one line per key.
    public static func encode(_ p: Problem) -> String {
        var lines: [String] = []
        lines.append("\"beta\": \(format(p.beta))")
        if let lp = p.logProbabilities, let scores = p.features {
            lines.append("\"policy\": {\"logProbabilities\": " + array(lp) + ", \"scores\": ["
                         + scores.map(array).joined(separator: ", ") + "]}")
        } else if let f = p.features {
            lines.append("\"features\": [" + f.map { "[" + $0.map(format).joined(separator: ", ") + "]" }.joined(separator: ", ") + "]")
        } else {
            lines.append("\"features\": null")
        }
        if !p.isExported { lines.append("\"theta\": " + array(p.theta)) }
        lines.append("\"reference\": " + array(p.reference))
        lines.append("\"rewards\": " + array(p.rewards))
        switch p.pairs {
        case .policy: lines.append("\"pairs\": \"policy\"")
        case .reference: lines.append("\"pairs\": \"reference\"")
        case .weights(let w): lines.append("\"pairs\": " + array(w))
        }
        return "{\n  " + lines.joined(separator: ",\n  ") + "\n}\n"
    }

    /// A double in the shortest decimal form that reads back to the same double.
    public static func format(_ x: Double) -> String {
        if x == 0 { return x.sign == .minus ? "-0.0" : "0.0" }
        return "\(x)"
    }

    static func array(_ v: [Double]) -> String { "[" + v.map(format).joined(separator: ", ") + "]" }
}
