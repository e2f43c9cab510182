// The command line: outputs, and one clear line plus a non-zero exit on every bad input.

import Foundation
import Testing

@Suite("CLI")
struct CLITests {
    static let badInputs: [(String, String)] = [
        (#"{"beta": -1, "theta": [0], "reference": [1], "rewards": [0]}"#, "beta"),
        (#"{"beta": 1, "theta": [0, 0], "reference": [0, 1], "rewards": [0, 1]}"#, "reference[0]"),
        (#"{"beta": 1, "theta": [0, 0], "reference": [0.5, 0.6], "rewards": [0, 1]}"#, "reference"),
        (#"{"beta": 1, "theta": [0, 0, 0], "reference": [0.25, 0.25, 0.5], "rewards": [0, 1, 2], "pairs": [0.75, -0.25, 0.5]}"#, "pairs[1]"),
        (#"{"beta": 1, "theta": [0, 0], "reference": [0.5, 0.5], "rewards": [0, 1, 2]}"#, "rewards"),
        (#"{"beta": 1, "features": [[1, 2], [3]], "theta": [0, 0], "reference": [0.5, 0.5], "rewards": [0, 1]}"#, "features[1]"),
        (#"{"beta": 1, "theta": [], "reference": [], "rewards": []}"#, "reference"),
        (#"{"beta": 1, "features": [[]], "theta": [], "reference": [1], "rewards": [0]}"#, "theta"),
        (#"{"beta": NaN, "theta": [0], "reference": [1], "rewards": [0]}"#, "input"),
        (#"{"beta": 1, "theta": [Infinity], "reference": [1], "rewards": [0]}"#, "input"),
        (#"{"beta": 1e999, "theta": [0], "reference": [1], "rewards": [0]}"#, "beta"),
        (#"{"beta": 1, "theta": [0], "reference": [1], "rewards": [0], "pairs": "uniform"}"#, "pairs"),
        (#"{"beta": 0.1, "beta": -1, "theta": [0], "reference": [1], "rewards": [0]}"#, "beta"),
        (#"{"beta": 1, "theta": [0], "reference": [1], "rewards": [-1e-400]}"#, "rewards"),
        (#"{"beta": 1, "theta": [0, 0], "reference": [1e308, 1e308], "rewards": [0, 0]}"#, "reference[0]"),
        (#"not json"#, "input"),
        ("", "input"),
    ]

    @Test("every bad input exits 1 with one line on stderr naming the field", arguments: 0..<badInputs.count)
    func badInputExitsNonZeroNamingTheField(_ i: Int) throws {
        let (json, field) = Self.badInputs[i]
        let r = try pvar(["evaluate", "--input", "-"], stdin: json)
        #expect(r.status == 1, "input \(json): status \(r.status)")
        #expect(r.stdout.isEmpty, "no partial output on failure")
        let lines = r.stderr.split(separator: "\n")
        #expect(lines.count == 1, "stderr: \(r.stderr)")
        #expect(r.stderr.hasPrefix("pvar: error: \(field):"), "stderr: \(r.stderr)")
    }

    @Test("a missing input file is a one-line error, not a crash")
    func missingFileIsReported() throws {
        let r = try pvar(["evaluate", "--input", "/nonexistent/instance.json"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("--input"))
    }

    @Test("bad flags are rejected with a message naming the flag")
    func badFlagsAreRejected() throws {
        for (args, flag) in [(["check", "--instances", "0"], "--instances"),
                             (["check", "--max-responses", "0"], "--max-responses"),
                             (["generate", "--family", "bogus"], "--family"),
                             (["evaluate", "--input", "-", "--format", "xml"], "--format"),
                             (["report", "--out", ""], "--out"),
                             (["tightness", "--bound", "B2", "--restarts", "0"], "--restarts")] {
            let r = try pvar(args, stdin: "{}")
            #expect(r.status != 0, "\(args)")
            #expect(r.stderr.contains(flag), "\(args): \(r.stderr)")
            #expect(r.stderr.split(separator: "\n").count == 1, "\(args): one line, got \(r.stderr)")
        }
    }

    @Test("evaluate prints every documented key; the C1 instance has PVar_policy = 0 and a nonzero gradient")
    func evaluateOutputsTheDocumentedKeys() throws {
        let r = try pvar(["evaluate", "--input", "-"],
                         stdin: #"{"beta": 1, "theta": [0, 0], "reference": [0.5, 0.5], "rewards": [1, 0]}"#)
        #expect(r.status == 0)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        for key in ["loss", "gradient", "gradientNorm", "pvarPolicy", "pvarLabels", "disagreement",
                    "scoreSpread", "scoreBound", "atReference", "bounds"] {
            #expect(json[key] != nil, "missing key \(key)")
        }
        let bounds = try #require(json["bounds"] as? [String: [String: Any]])
        for id in ["B0", "B1", "B2", "B3"] {
            for key in ["value", "lhs", "ratio", "holds", "applies"] {
                #expect(bounds[id]?[key] != nil, "missing \(id).\(key)")
            }
        }
        #expect((json["pvarPolicy"] as? Double) == 0)
        #expect(((json["gradientNorm"] as? Double) ?? 0) > 0)
    }

    @Test("generate | evaluate replays an instance; the same seed gives the same bytes")
    func generateIsDeterministic() throws {
        let args = ["generate", "--seed", "5", "--regime", "at-reference", "--family", "near-identical", "--index", "3"]
        let a = try pvar(args), b = try pvar(args)
        #expect(a.status == 0 && a.stdout == b.stdout && !a.stdout.isEmpty)
        let e = try pvar(["evaluate", "--input", "-"], stdin: a.stdout)
        #expect(e.status == 0)
        #expect(e.stdout.contains("\"atReference\": true"))
    }

    @Test("check prints the table and exits 0 when nothing is violated")
    func checkPrintsTable() throws {
        let r = try pvar(["check", "--instances", "200", "--seed", "3"])
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        for id in ["B0", "B1", "B2", "B3"] { #expect(r.stdout.contains("| \(id) |")) }
    }
}

@Suite("CLIOverflow")
struct CLIOverflowTests {
    @Test("huge beta gives finite numbers or a one-line error, never NaN or infinity in the output")
    func hugeBetaNeverPrintsNaN() throws {
        for json in [#"{"beta": 1e308, "theta": [5], "reference": [1], "rewards": [3]}"#,
                     #"{"beta": 1.5e308, "theta": [0, 0], "reference": [0.5, 0.5], "rewards": [0, 0]}"#,
                     #"{"beta": 1e300, "features": [[1e10], [0]], "theta": [0], "reference": [0.5, 0.5], "rewards": [1e-20, 0]}"#,
                     #"{"beta": 1e308, "theta": [0, 0], "reference": [0.5, 0.5], "rewards": [1, 0]}"#,
                     #"{"beta": 1e308, "theta": [0, 700], "reference": [0.5, 0.5], "rewards": [1, 0]}"#] {
            let r = try pvar(["evaluate", "--input", "-"], stdin: json)
            if r.status == 0 {
                #expect(!r.stdout.lowercased().contains("nan") && !r.stdout.contains("inf"), "\(json): \(r.stdout)")
                #expect((try? JSONDecoder().decode([String: AnyDecodable].self, from: Data(r.stdout.utf8))) != nil, "\(json): invalid JSON")
            } else {
                #expect(r.status == 1 && r.stderr.split(separator: "\n").count == 1, "\(json): \(r.stderr)")
            }
        }
        // The K = 2 equality of B0 survives beta = 1e300 (the product is formed without overflow).
        let r = try pvar(["evaluate", "--input", "-"], stdin: #"{"beta": 1e300, "features": [[1e10], [0]], "theta": [0], "reference": [0.5, 0.5], "rewards": [1e-20, 0]}"#)
        #expect(r.stdout.contains("\"B0\": {\"value\": 1.25e+289"), "\(r.stdout)")
    }
}

/// Accepts any JSON value (to check that a document parses).
struct AnyDecodable: Decodable {
    init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { return }
        if (try? c.decode(Double.self)) != nil { return }
        if (try? c.decode(Bool.self)) != nil { return }
        if (try? c.decode(String.self)) != nil { return }
        if (try? c.decode([AnyDecodable].self)) != nil { return }
        _ = try c.decode([String: AnyDecodable].self)
    }
}

@Suite("CLICertify")
struct CLICertifyTests {
    @Test("evaluate --certify certifies C1 (PVar_policy exactly 0, gradient > 0) and the wrong constant B2=1 as violated")
    func certifyC1AndWrongConstant() throws {
        let c1 = packageRoot.appendingPathComponent("Tests/Reference/edge-cases/c1.json").path
        let r = try pvar(["evaluate", "--input", c1, "--certify", "--constant", "B2=1"])
        #expect(r.status == 0, "\(r.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let certified = try #require(json["certified"] as? [String: Any])
        #expect((certified["pvarPolicy"] as? [Double]) == [0, 0])
        #expect(((certified["gradientNorm"] as? [Double])?.first ?? 0) > 0)
        let bounds = try #require(certified["bounds"] as? [String: [String: Any]])
        #expect(bounds["B2"]?["verdict"] as? String == "tight")
        #expect(bounds["B3"]?["verdict"] as? String == "holds")
        let wrong = try #require(json["certifiedWithConstant"] as? [String: [String: Any]])
        #expect(wrong["B2"]?["verdict"] as? String == "violated")
    }

    @Test("an infinite certified ratio (value exactly 0, gradient > 0) is JSON null, never a bare inf")
    func infiniteRatioIsNull() throws {
        // Equal rewards off the reference: B2's value is exactly 0 and the gradient is not.
        let input = #"{"beta": 2, "features": [[1, 0], [1, 1], [1, -2]], "theta": [0.7, 0.4], "reference": [0.25, 0.25, 0.5], "#
            + #""rewards": [1.5, 1.5, 1.5]}"#
        let r = try pvar(["evaluate", "--input", "-", "--certify", "--constant", "B2=1"], stdin: input)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(!r.stdout.contains("inf"), "\(r.stdout)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let wrong = try #require(json["certifiedWithConstant"] as? [String: [String: Any]])
        // Off the reference B2 makes no claim: no verdict, only its (infinite) ratio.
        #expect(wrong["B2"]?["verdict"] as? String == "not applicable")
        #expect((wrong["B2"]?["ratio"] as? [Any])?.allSatisfy { $0 is NSNull } == true, "\(String(describing: wrong["B2"]))")
        // The same inequality as a claim is decided regardless of hypotheses: violated, ratio null.
        let claim = try pvar(["evaluate", "--input", "-", "--certify", "--claim", "gradientNorm <= beta * scoreBound * sqrt(pvarLabels)"], stdin: input)
        #expect(claim.status == 1 && !claim.stdout.contains("inf"), "\(claim.stdout)")
        let c = try #require((try JSONSerialization.jsonObject(with: Data(claim.stdout.utf8)) as? [String: Any])?["claim"] as? [String: Any])
        let certified = try #require(c["certified"] as? [String: Any])
        #expect(certified["verdict"] as? String == "violated")
        #expect((certified["ratio"] as? [Any])?.allSatisfy { $0 is NSNull } == true)
    }

    @Test("tightness on B2 (K = 2, d = 1, seed 1) reaches 0.999999 with a certified tight or holds witness")
    func tightnessB2IsCertified() throws {
        let r = try pvar(["tightness", "--bound", "B2", "--responses", "2", "--dim", "1", "--seed", "1"])
        #expect(r.status == 0, "\(r.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(((json["bestRatio"] as? Double) ?? 0) >= 0.999999)
        let verdict = (json["certified"] as? [String: Any])?["verdict"] as? String
        #expect(verdict == "tight" || verdict == "holds", "\(String(describing: verdict))")
    }
}

@Suite("ReadmeTour")
struct ReadmeTourTests {
    @Test("the output pasted in README.md is what the command prints today")
    func pastedOutputIsCurrent() throws {
        let readme = try String(contentsOf: packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let command = "$ swift run pvar evaluate --input Tests/Reference/edge-cases/c1.json --format markdown\n"
        let start = try #require(readme.range(of: command))
        let end = try #require(readme.range(of: "```", range: start.upperBound..<readme.endIndex))
        let pasted = String(readme[start.upperBound..<end.lowerBound])
        let r = try pvar(["evaluate", "--input", packageRoot.appendingPathComponent("Tests/Reference/edge-cases/c1.json").path,
                          "--format", "markdown"])
        #expect(r.stdout == pasted)
    }
}

@Suite("CLIScale")
struct CLIScaleTests {
    static let example = packageRoot.appendingPathComponent("Proofs/examples/k3-features.json").path

    @Test("--no-noise writes null for noise, labelNoise and snr, and every other line as without it")
    func noNoise() throws {
        let full = try pvar(["evaluate", "--input", Self.example])
        let skipped = try pvar(["evaluate", "--input", Self.example, "--no-noise"])
        #expect(full.status == 0 && skipped.status == 0)
        let noiseKeys = ["\"noise\"", "\"labelNoise\"", "\"snr\""]
        let (a, b) = (full.stdout.split(separator: "\n"), skipped.stdout.split(separator: "\n"))
        #expect(a.count == b.count)
        for (x, y) in zip(a, b) {
            if let key = noiseKeys.first(where: { x.contains($0 + ":") }) {
                #expect(y == "  \(key): null," && x != y, "\(y)")
            } else {
                #expect(x == y)
            }
        }
        let markdown = try pvar(["evaluate", "--input", Self.example, "--no-noise", "--format", "markdown"])
        #expect(markdown.stdout.contains("| noise of the one-pair gradient | not computed (--no-noise) |"))
    }

    @Test("the progress line: on stderr past progressDelay (here 0 s, forced with PVAR_PROGRESS=1), never otherwise off a terminal")
    func progressLine() throws {
        let forced = try pvar(["evaluate", "--input", Self.example], environment: ["PVAR_PROGRESS": "1", "PVAR_PROGRESS_DELAY": "0"])
        #expect(forced.status == 0)
        #expect(forced.stderr.contains("pvar: ") && forced.stderr.contains("evaluating (the O(K^2) pair sums)")
                && forced.stderr.contains("K = 3, d = 2: the noise"), "\(forced.stderr)")
        let quiet = try pvar(["evaluate", "--input", Self.example], environment: ["PVAR_PROGRESS": "1", "PVAR_PROGRESS_DELAY": "30"])
        #expect(quiet.stderr.isEmpty, "\(quiet.stderr)")
        let plain = try pvar(["evaluate", "--input", Self.example])
        #expect(plain.stderr.isEmpty && plain.stdout == forced.stdout)
    }
}
