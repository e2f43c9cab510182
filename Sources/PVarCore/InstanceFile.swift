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
public enum InstanceFile {
    public static let keys = ["beta", "features", "theta", "reference", "rewards", "pairs"]

    /// Parses and validates an instance. Every failure is an `InputError` naming the field.
    public static func parse(_ data: Data) throws(InputError) -> Problem {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: data)
        } catch {
            let detail = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? "\(error)"
            throw InputError(.malformed, field: "input", problem: "is not valid JSON (\(detail))",
                             fix: "give one JSON object with keys \(keys.joined(separator: ", "))")
        }
        guard let root = object as? [String: Any] else {
            throw InputError(.malformed, field: "input", problem: "is not a JSON object",
                             fix: "give one JSON object with keys \(keys.joined(separator: ", "))")
        }
        for key in root.keys.sorted() where !keys.contains(key) {
            throw InputError(.unknownKey, field: key, problem: "is not a known key",
                             fix: "the keys are \(keys.joined(separator: ", "))")
        }
        let beta = try number(required(root, "beta"), "beta")
        let features: [[Double]]?
        if let f = root["features"], !(f is NSNull) {
            guard let rows = f as? [Any] else {
                throw wrongType("features", "a K x d array of numbers, or null for a tabular policy")
            }
            features = try rows.enumerated().map { (i, row) throws(InputError) in try vector(row, "features[\(i)]") }
        } else {
            features = nil
        }
        let theta = try vector(required(root, "theta"), "theta")
        let reference = try vector(required(root, "reference"), "reference")
        let rewards = try vector(required(root, "rewards"), "rewards")
        var pairs = PairDistribution.policy
        if let p = root["pairs"], !(p is NSNull) {
            if let s = p as? String {
                switch s {
                case "policy": pairs = .policy
                case "reference": pairs = .reference
                default:
                    throw InputError(.wrongType, field: "pairs", problem: "is \"\(s)\"",
                                     fix: "use \"policy\", \"reference\" or an array of K weights")
                }
            } else {
                pairs = .weights(try vector(p, "pairs"))
            }
        }
        return try Problem(beta: beta, features: features, theta: theta, reference: reference,
                           rewards: rewards, pairs: pairs)
    }

    /// Writes an instance as JSON that `parse` reads back to the same doubles (shortest
    /// round-trip decimal form), keys in schema order, one line per key.
    public static func encode(_ p: Problem) -> String {
        var lines: [String] = []
        lines.append("\"beta\": \(format(p.beta))")
        if let f = p.features {
            lines.append("\"features\": [" + f.map { "[" + $0.map(format).joined(separator: ", ") + "]" }.joined(separator: ", ") + "]")
        } else {
            lines.append("\"features\": null")
        }
        lines.append("\"theta\": " + array(p.theta))
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

    static func required(_ root: [String: Any], _ key: String) throws(InputError) -> Any {
        guard let v = root[key], !(v is NSNull) else {
            throw InputError(.missingKey, field: key, problem: "is missing",
                             fix: "every instance needs beta, theta, reference and rewards")
        }
        return v
    }

    static func wrongType(_ field: String, _ expected: String) -> InputError {
        InputError(.wrongType, field: field, problem: "has the wrong type", fix: "expected \(expected)")
    }

    static func number(_ v: Any, _ field: String) throws(InputError) -> Double {
        guard let n = v as? NSNumber, !(String(cString: n.objCType) == "c") else {
            throw wrongType(field, "a number")
        }
        return n.doubleValue
    }

    static func vector(_ v: Any, _ field: String) throws(InputError) -> [Double] {
        guard let a = v as? [Any] else { throw wrongType(field, "an array of numbers") }
        var out = [Double]()
        out.reserveCapacity(a.count)
        for (i, x) in a.enumerated() { out.append(try number(x, "\(field)[\(i)]")) }
        return out
    }
}
