// `pvar evaluate` against an independent 60-digit evaluation (Tests/Reference/reference_eval.py).

import Foundation
import Testing

/// The agreement the foundation issue requires of `pvar evaluate`: 1e-9 relative.
let agreementTolerance = 1e-9

/// Below this magnitude doubles have lost relative precision (sub-normal range, see
/// `PVarCore.resolutionFloor`): two values both below it agree.
let comparisonFloor = 1e-290

@Suite("ReferenceAgreement")
struct ReferenceAgreementTests {
    /// Instance files: the pinned edge cases plus generated instances of every regime and family.
    static func instanceFiles() throws -> [URL] {
        let edge = packageRoot.appendingPathComponent("Tests/Reference/edge-cases")
        var files = try FileManager.default.contentsOfDirectory(at: edge, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "json" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pvar-agreement-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for regime in ["general", "on-policy", "at-reference"] {
            for family in ["gaussian", "heavy-tailed", "tabular", "near-identical", "near-one-hot", "extreme-beta"] {
                for index in 0..<3 {
                    let r = try pvar(["generate", "--seed", "11", "--regime", regime, "--family", family,
                                      "--index", "\(index)", "--max-responses", "10", "--max-dim", "5"])
                    let url = dir.appendingPathComponent("\(regime)-\(family)-\(index).json")
                    try Data(r.stdout.utf8).write(to: url)
                    files.append(url)
                }
            }
        }
        return files
    }

    @Test("every output of pvar evaluate agrees with the 60-digit reference to 1e-9 relative")
    func evaluateAgreesWithHighPrecision() throws {
        let files = try Self.instanceFiles()
        let script = packageRoot.appendingPathComponent("Tests/Reference/reference_eval.py").path
        let reference = try run("/usr/bin/env", ["python3", script] + files.map(\.path))
        try #require(reference.status == 0, "reference evaluator failed (is mpmath installed? `make deps`): \(reference.stderr)")
        let lines = reference.stdout.split(separator: "\n")
        try #require(lines.count == files.count)
        for (file, line) in zip(files, lines) {
            let ours = try pvar(["evaluate", "--input", file.path])
            try #require(ours.status == 0, "\(file.lastPathComponent): \(ours.stderr)")
            let a = try #require(try JSONSerialization.jsonObject(with: Data(ours.stdout.utf8)) as? [String: Any])
            let b = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            func number(_ x: Any?) -> Double? {
                if let s = x as? String { return s == "inf" ? .infinity : Double(s) }
                return (x as? NSNumber)?.doubleValue ?? (x is NSNull ? .infinity : nil)
            }
            func compare(_ name: String, _ x: Any?, _ y: Any?, scale: Double? = nil) {
                guard let u = number(x), let v = number(y) else {
                    Issue.record("\(file.lastPathComponent): \(name) missing"); return
                }
                if u == v || (abs(u) < comparisonFloor && abs(v) < comparisonFloor) { return }
                let err = abs(u - v) / (scale ?? max(abs(u), abs(v)))
                #expect(err <= agreementTolerance,
                        "\(file.lastPathComponent): \(name) pvar \(u) vs reference \(v) (relative \(err))")
            }
            for key in ["loss", "gradientNorm", "pvarPolicy", "pvarLabels", "disagreement",
                        "scoreSpread", "scoreBound", "fisherTrace", "noise", "snr"] {
                compare(key, a[key], b[key])
            }
            // Gradient coordinates: relative to the gradient's norm (a coordinate may be 0).
            let ga = a["gradient"] as? [Any] ?? [], gb = b["gradient"] as? [Any] ?? []
            #expect(ga.count == gb.count)
            let norm = number(b["gradientNorm"]) ?? 0
            for (k, (x, y)) in zip(ga, gb).enumerated() where norm >= comparisonFloor {
                compare("gradient[\(k)]", x, y, scale: norm)
            }
            let ba = a["bounds"] as? [String: [String: Any]] ?? [:], bb = b["bounds"] as? [String: [String: Any]] ?? [:]
            for id in ["B0", "B1", "B2", "B3"] {
                compare("\(id).value", ba[id]?["value"], bb[id]?["value"])
                // A ratio of two values below the floor is not comparable (0/0 := 0 there).
                if (number(ba[id]?["lhs"]) ?? 0) >= comparisonFloor {
                    compare("\(id).ratio", ba[id]?["ratio"], bb[id]?["ratio"])
                }
            }
        }
    }
}
