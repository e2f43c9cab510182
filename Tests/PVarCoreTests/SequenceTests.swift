// Sequence-level policies and the exported policy form.

import Foundation
import PVarCore
import Testing

@Suite("Sequence")
struct SequenceTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    func load(_ name: String) throws -> Problem {
        try InstanceFile.parse(Data(contentsOf: Self.root.appendingPathComponent("Tests/Reference/edge-cases/\(name)")))
    }

    @Test("a sequence instance and its flattened (exported) form evaluate to identical numbers")
    func sequenceAndFlattenedFormsAgree() throws {
        for name in ["sequence-v2-t2.json", "sequence-v3-t3.json"] {
            let p = try load(name)
            let flat = try InstanceFile.parse(Data(InstanceFile.encode(p.exportedForm()).utf8))
            #expect(try Evaluation(p).json() == Evaluation(flat).json(), "\(name)")
        }
    }

    @Test("the exported form of a log-linear instance evaluates like the instance (C1, tabular: to a few ulps)")
    func exportedFormOfTabularInstanceAgrees() throws {
        // Tabular: the score norms come from their closed forms (`FeatureMatrix.centredRowNorms`),
        // the exported form's from its K x K score rows: the same numbers to a few ulps.
        let p = try load("c1.json")
        let (a, b) = (try Evaluation(p).json(), try Evaluation(p.exportedForm()).json())
        #expect(numbersAgree(a, b, ulps: tabularClosedFormUlps), "\(a)\n\(b)")
        // The check can fail: a number moved by 100 ulps does not agree.
        let moved = a.replacingOccurrences(of: "0.7071067811865476", with: "\(0.7071067811865476 + 100 * (0.7071067811865476).ulp)")
        #expect(moved != a && !numbersAgree(moved, b, ulps: tabularClosedFormUlps))
    }

    @Test("sequence log-probabilities sum to 1 and scores have E_pi[s] = 0 (within the rounding of V^T terms)")
    func sequencePolicyIsADistributionWithCentredScores() throws {
        let p = try load("sequence-v3-t3.json")
        let e = try Evaluation(p)
        let k = p.responseCount
        let total = e.policy.reduce(0, +)
        #expect(abs(total - 1) <= Double(k) * Double.ulpOfOne * 4)
        let d = p.dimension
        for c in 0..<d {
            var s = CompensatedSum(), scale = 0.0
            for y in 0..<k { s.add(e.policy[y] * e.scores[y][c]); scale += e.policy[y] * abs(e.scores[y][c]) }
            #expect(abs(s.value) <= Double(k + 3 * 3) * Double.ulpOfOne * max(scale, 1), "coordinate \(c): \(s.value)")
        }
    }

    @Test("bad sequence and policy blocks are rejected by field")
    func badBlocksAreNamed() {
        func field(_ json: String) -> String? {
            do { _ = try InstanceFile.parse(Data(json.utf8)); return nil } catch { return error.field }
        }
        #expect(field(#"{"beta": 1, "policy": {"logProbabilities": [-1, -1], "scores": [[1], [2]]}, "reference": [0.5, 0.5], "rewards": [0, 1]}"#) == "policy.logProbabilities")
        #expect(field(#"{"beta": 1, "policy": {"logProbabilities": [-0.6931471805599453, -0.6931471805599453], "scores": [[1], [2, 3]]}, "reference": [0.5, 0.5], "rewards": [0, 1]}"#) == "policy.scores[1]")
        #expect(field(#"{"beta": 1, "theta": [0, 0], "policy": {"logProbabilities": [0], "scores": [[1]]}, "reference": [0.5, 0.5], "rewards": [0, 1]}"#) == "theta+policy")
        #expect(field(#"{"beta": 1, "sequence": {"vocabulary": 2, "length": 1, "tokenFeatures": [[[[1], [2]], [[1], [2]]]], "theta": [1]}, "reference": [0.5, 0.5], "rewards": [0, 1]}"#) == "sequence.tokenFeatures[0]")
        // V^T against maximumResponses = 2^20 on each side: 2^20 passes the size check (and fails on
        // the missing features), 2^21 and 10^7 do not.
        #expect(maximumResponses == 1 << 20)
        #expect(field(#"{"beta": 1, "sequence": {"vocabulary": 2, "length": 20, "tokenFeatures": [], "theta": [1]}, "reference": [1], "rewards": [0]}"#) == "sequence.tokenFeatures")
        #expect(field(#"{"beta": 1, "sequence": {"vocabulary": 2, "length": 21, "tokenFeatures": [], "theta": [1]}, "reference": [1], "rewards": [0]}"#) == "sequence.length")
        #expect(field(#"{"beta": 1, "sequence": {"vocabulary": 10, "length": 7, "tokenFeatures": [], "theta": [1]}, "reference": [1], "rewards": [0]}"#) == "sequence.length")
        #expect(field(#"{"beta": 1, "reference": [1], "rewards": [0]}"#) == "theta")
    }
}

/// How far (in units of the last place) a tabular quantity built from the score norms' closed
/// forms may sit from the same quantity built from the materialised score rows: each norm is a
/// few correctly rounded operations either way (4 ulps each side, and the bound's product).
let tabularClosedFormUlps = 8.0

/// Two JSON texts with the same structure whose numbers agree to `ulps` units in the last place
/// (relative to the larger magnitude; exact zeros must match exactly).
func numbersAgree(_ a: String, _ b: String, ulps: Double) -> Bool {
    let pattern = /-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?/
    func split(_ s: String) -> (skeleton: String, numbers: [Double]) {
        (s.replacing(pattern, with: "#"), s.matches(of: pattern).map { Double(String($0.output.0))! })
    }
    let (x, y) = (split(a), split(b))
    guard x.skeleton == y.skeleton, x.numbers.count == y.numbers.count else { return false }
    return zip(x.numbers, y.numbers).allSatisfy { u, v in
        u == v || abs(u - v) <= ulps * max(abs(u), abs(v)).ulp
    }
}
