// End to end: the certified balls of an evaluation at 128 bits contain the independent
// 40-digit reference values (Tests/Reference/reference_eval.py), and are narrow.

import Foundation
@testable import PVarCertify
import PVarCore
import PVarGSL
import PVarTestSupport
import Testing

/// Largest relative radius accepted for a certified ball at 128 bits on these instances (edge
/// cases and generated ones with K <= 8, d <= 4). One rounding at 128 bits is 3e-39 relative;
/// an evaluation's few thousand operations with mild cancellation stay far below 1e-30
/// (measured: below 1e-34, printed by the test).
let maximalRelativeRadiusAt128Bits = 1e-30

/// The exception: PVar_policy of an instance at the reference only up to rounding (logits
/// `fl(log pi_ref)`). Its centred preferences `p - 1/2` are about 1e-17, the remainders of
/// logit differences of order 1, so the 128-bit rounding of those logits (3e-39) is about 3e-22
/// of them: the ball is as narrow in absolute terms as any other, and about 1e-22 wide
/// relative to the tiny PVar (measured: below 3e-22). 1e-20 leaves a factor 30.
let maximalRelativeRadiusNearReference = 1e-20

@Suite("CertifiedAgainstReference")
struct CertifiedAgainstReferenceTests {
    @Test("end to end: the certified balls of ||grad L||, both PVars and the B0-B3 values at 128 bits contain the 40-digit reference values, with relative radius below 1e-30 (PVar_policy at the reference up to rounding: below 1e-20)")
    func certifiedBallsContainTheReference() throws {
        // Instances: the pinned edge cases and generated ones of every regime and family.
        let edge = packageRoot.appendingPathComponent("Tests/Reference/edge-cases")
        var problems: [(String, Problem)] = try FileManager.default.contentsOfDirectory(at: edge, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "json" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
            .map { ($0.lastPathComponent, try InstanceFile.parse(Data(contentsOf: $0))) }
        let g = InstanceGenerator(runSeed: runSeed, limits: GeneratorLimits(responses: 2...8, dimension: 1...4))
        for regime in Regime.allCases {
            for family in Family.allCases {
                for i in 0..<2 { problems.append(("\(regime.rawValue)-\(family.rawValue)-\(i)", g.instance(regime, family, index: i))) }
            }
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pvar-ball-rigour-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var paths: [String] = []
        for (n, (_, p)) in problems.enumerated() {
            let url = dir.appendingPathComponent("\(n).json")
            try Data(InstanceFile.encode(p).utf8).write(to: url)
            paths.append(url.path)
        }
        let script = packageRoot.appendingPathComponent("Tests/Reference/reference_eval.py").path
        let reference = try runProcess("/usr/bin/env", ["python3", script] + paths)
        try #require(reference.status == 0, "reference evaluator failed (is mpmath installed? `make deps`): \(reference.stderr)")
        let lines = reference.stdout.split(separator: "\n")
        try #require(lines.count == problems.count)
        var checked = 0, widest = 0.0, widestNearReference = 0.0
        for ((name, p), line) in zip(problems, lines) {
            let ref = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let e = BallEvaluation(p, precision: 128)
            let nearReference = try Evaluation(p).atReference
            let bounds = ref["bounds"] as? [String: [String: Any]] ?? [:]
            var pairs: [(String, Ball, Any?)] = [("gradientNorm", e.gradientNorm, ref["gradientNorm"]),
                                                 ("pvarPolicy", e.pvarPolicy, ref["pvarPolicy"]),
                                                 ("pvarLabels", e.pvarLabels, ref["pvarLabels"])]
            for id in BoundID.allCases { pairs.append(("\(id).value", e.boundValue(id), bounds[id.rawValue]?["value"])) }
            for (quantity, ball, value) in pairs {
                guard let text = value as? String, let q = Rational(decimal: text.hasPrefix("-") ? String(text.dropFirst()) : text) else {
                    Issue.record("\(name): \(quantity) missing from the reference"); continue
                }
                // The reference is rounded to 40 significant digits (relative 5e-40); the ball's
                // radius at 128 bits is far larger unless the value is exact, when both are exact.
                #expect(ball.contains(q), "\(name): \(quantity) reference \(text) outside the 128-bit ball \(ball.outwardBounds)")
                if q.sign != 0 {
                    let r = ball.relativeRadius
                    if quantity == "pvarPolicy" && nearReference {
                        widestNearReference = max(widestNearReference, r)
                        #expect(r <= maximalRelativeRadiusNearReference, "\(name): \(quantity) relative radius \(r) at 128 bits")
                    } else {
                        widest = max(widest, r)
                        #expect(r <= maximalRelativeRadiusAt128Bits, "\(name): \(quantity) relative radius \(r) at 128 bits")
                    }
                }
                checked += 1
            }
        }
        #expect(checked == 7 * problems.count)
        print("CertifiedAgainstReference: \(checked) certified balls of \(problems.count) instances contain the 40-digit reference; "
              + "widest relative radius \(widest) (PVar_policy at the reference up to rounding: \(widestNearReference))")
    }
}
