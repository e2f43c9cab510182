// `pvar select` as a user runs it: the README example, agreement with an independent 60-digit
// mpmath computation, selection against an in-memory sort, strict and lenient modes, atomic output.

import Foundation
import PVarCore
import PVarGSL
import Testing

@Suite("SelectCLI")
struct SelectCLITests {
    /// The run seed: `PVAR_TEST_SEED` if set, else the suites' fixed default.
    static let seed: UInt64 = ProcessInfo.processInfo.environment["PVAR_TEST_SEED"].flatMap { UInt64($0) } ?? 20_261_126
    static let replayLine = "seed \(seed); replay: PVAR_TEST_SEED=\(seed) swift test --filter SelectCLITests"

    /// A fresh temporary directory (removed by the caller).
    static func temporaryDirectory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pvar-select-cli-\(getpid())-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// The `pvar` value of an output line, read with correct rounding (`Double(String)`).
    static func pvarValue(_ line: Substring) -> Double? {
        guard let a = line.range(of: "\"pvar\": "), let b = line.range(of: ", \"selected\"", range: a.upperBound..<line.endIndex)
        else { return nil }
        return Double(line[a.upperBound..<b.lowerBound])
    }

    // MARK: The README example

    static let readmeInput = """
        {"id": "p1", "rewards": [0.1, 2.3, -1.2, 0.8]}
        {"id": "p2", "rewards": [1.5, 1.5, 1.5, 1.5]}
        {"id": 3, "rewards": [4.5, -3.0, 0.2, 2.0]}
        {"id": "p4", "rewards": [0.5, 0.6]}

        """

    static let readmeOutput = """
        {"id": "p1", "pvar": 0.1229325623073645, "selected": true}
        {"id": "p2", "pvar": 0.0, "selected": false}
        {"id": 3, "pvar": 0.20835448936850046, "selected": true}
        {"id": "p4", "pvar": 0.0006239598071080321, "selected": false}

        """

    @Test("the README example: four prompts, --top 50% selects the two with the largest pvar")
    func readmeExample() throws {
        let r = try pvar(["select", "--input", "-", "--top", "50%"], stdin: Self.readmeInput)
        #expect(r.status == 0 && r.stderr.isEmpty, "\(r.stderr)")
        #expect(r.stdout == Self.readmeOutput, "\(r.stdout)")
    }

    // MARK: Agreement with mpmath

    /// The unbiased estimate recomputed from each line's scores by the plain formula
    /// `(1/(n(n-1))) sum_{a != b} (1/(1 + exp(-(r_a - r_b))) - 1/2)^2` in mpmath, with 60 digits
    /// beyond those the subtraction `sigmoid - 1/2` cancels, from the exact doubles of the input.
    static let mpmathScript = """
        import json, sys
        from mpmath import mp, mpf
        mp.dps = 60
        for line in open(sys.argv[1]):
            r = [mpf(x) for x in json.loads(line)["rewards"]]
            n, s = len(r), mpf(0)
            for a in range(n):
                for b in range(n):
                    if a != b:
                        d = r[a] - r[b]
                        extra = int(max(0, -mp.log10(abs(d)))) + 10 if d != 0 else 0
                        with mp.workdps(60 + extra):
                            c = 1 / (1 + mp.exp(-d)) - mpf(1) / 2
                            s += c * c
            print(mp.nstr(s / (n * (n - 1)), 30))
        """

    /// `unbiasedPVarEstimate`'s documented accuracy, `(n(n-1)/2 + 8) u`, plus 8 ulps for the
    /// few ulps of `tanh` and the final normalisation: the agreement every line must meet.
    static func mpmathTolerance(responses n: Int) -> Double { Double(n * (n - 1) / 2 + 16) * Double.ulpOfOne / 2 }

    /// Below this both values have lost relative precision (the squares of differences under
    /// 1e-145 are subnormal or 0): two values both below it agree.
    static let resolutionFloor = 1e-290

    @Test("every pvar agrees with a 60-digit mpmath evaluation of the plain formula within the documented error bound")
    func estimatesAgreeWithMpmath() throws {
        let rng = RandomSource(seed: deriveSeed(Self.seed, [stableLabel("select-cli-mpmath")]))
        var rows: [[Double]] = [
            [1, 1.0000000000000002, 1.0000000000000004], [0, 1e-10, 2e-10], [1e-5, -1e-5],
            [700, -700, 0, 0.5], [1e308, -1e308, 0], [5, 5, 5], [-3.5, 2.25, 8, 8], [0, 1e-150], [36, 0],
        ]
        for _ in 0..<30 {
            let scale = rng.logUniform(1e-4, 50)
            rows.append((0..<rng.integer(2...16)).map { _ in rng.gaussian(scale) })
        }
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("scores.jsonl")
        let text = rows.enumerated().map { i, r in
            "{\"id\": \(i), \"rewards\": [" + r.map { InstanceFile.format($0) }.joined(separator: ", ") + "]}\n"
        }.joined()
        try Data(text.utf8).write(to: file)
        let script = dir.appendingPathComponent("reference.py")
        try Data(Self.mpmathScript.utf8).write(to: script)

        let reference = try run("/usr/bin/env", ["python3", script.path, file.path])
        try #require(reference.status == 0, "mpmath reference failed (is mpmath installed? `make deps`): \(reference.stderr)")
        let ours = try pvar(["select", "--input", file.path, "--top", "1"])
        try #require(ours.status == 0, "\(ours.stderr)")
        let expected = reference.stdout.split(separator: "\n").map { Double(String($0)) }
        let got = ours.stdout.split(separator: "\n").map { Self.pvarValue($0) }
        try #require(expected.count == rows.count && got.count == rows.count)
        for (i, r) in rows.enumerated() {
            let u = try #require(got[i]), v = try #require(expected[i])
            if u == v || (u < Self.resolutionFloor && v < Self.resolutionFloor) { continue }
            let error = abs(u - v) / v
            #expect(error <= Self.mpmathTolerance(responses: r.count),
                    "rewards \(r): pvar \(u) vs mpmath \(v), relative error \(error); \(Self.replayLine)")
        }
    }

    // MARK: Selection

    @Test("10,000 random lines, from a file and from stdin: pvar = unbiasedPVarEstimate, selected = top K of an in-memory sort")
    func selectionMatchesInMemorySort() throws {
        let rng = RandomSource(seed: deriveSeed(Self.seed, [stableLabel("select-cli-sort")]))
        var rewards: [[Double]] = []
        var text = ""
        for i in 0..<10_000 {
            let r: [Double]
            if i > 0 && rng.bernoulli(0.2) {
                r = rewards[rng.integer(0...(i - 1))]          // exact ties
            } else if rng.bernoulli(0.05) {
                r = [0.25, 0.25, 0.25]                        // U = 0
            } else {
                r = (0..<rng.integer(2...10)).map { _ in rng.gaussian(rng.logUniform(1e-2, 5)) }
            }
            rewards.append(r)
            text += "{\"id\": \"p\(i)\", \"rewards\": [" + r.map { InstanceFile.format($0) }.joined(separator: ", ") + "]}\n"
        }
        let estimates = rewards.map { unbiasedPVarEstimate(rewards: $0) }
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("scores.jsonl")
        try Data(text.utf8).write(to: file)
        for (top, k) in [("10%", 1_000), ("2.5%", 250), ("1234", 1_234)] {
            let order = estimates.indices.sorted { estimates[$0] != estimates[$1] ? estimates[$0] > estimates[$1] : $0 < $1 }
            let selected = Set(order.prefix(k))
            let expected = estimates.indices.map {
                "{\"id\": \"p\($0)\", \"pvar\": \(InstanceFile.format(estimates[$0])), \"selected\": \(selected.contains($0))}\n"
            }.joined()
            let fromFile = try pvar(["select", "--input", file.path, "--top", top])
            #expect(fromFile.status == 0 && fromFile.stderr.isEmpty, "\(fromFile.stderr)")
            #expect(fromFile.stdout == expected, "--top \(top): output differs from the in-memory sort; \(Self.replayLine)")
            let fromStdin = try pvar(["select", "--input", "-", "--top", top], stdin: text)
            #expect(fromStdin.stdout == fromFile.stdout, "--top \(top): stdin and file differ")
        }
    }

    @Test("ties: all-equal rewards give pvar 0 for every prompt and the first K lines are selected")
    func allTiesSelectTheFirstLines() throws {
        let text = (0..<10).map { "{\"id\": \($0), \"rewards\": [2, 2, 2]}\n" }.joined()
        let r = try pvar(["select", "--input", "-", "--top", "30%"], stdin: text)
        let expected = (0..<10).map { "{\"id\": \($0), \"pvar\": 0.0, \"selected\": \($0 < 3)}\n" }.joined()
        #expect(r.status == 0 && r.stdout == expected, "\(r.stdout)")
    }

    @Test("ids are echoed as given: strings with escapes and unicode, numbers as spelled")
    func idsAreEchoed() throws {
        let ids = [#""plain""#, #""with \"quotes\" and \\ \u00e9 é""#, "17", "-2.50", "1e3", #""""#, "0"]
        let text = ids.map { "{ \"rewards\" : [0, 1] , \"id\" : \($0) }\n" }.joined()
        let r = try pvar(["select", "--input", "-", "--top", "100%"], stdin: text)
        #expect(r.status == 0, "\(r.stderr)")
        let h = InstanceFile.format(preferenceKernel(1))
        #expect(r.stdout == ids.map { "{\"id\": \($0), \"pvar\": \(h), \"selected\": true}\n" }.joined(), "\(r.stdout)")
    }

    // MARK: Malformed lines

    /// 20 lines, line 5 blank (skipped in both modes), line 17 and line 19 malformed.
    static let linesWithErrors: String = {
        var lines = (0..<20).map { "{\"id\": \($0 + 1), \"rewards\": [0, \(Double($0) / 10)]}" }
        lines[4] = "   "
        lines[16] = #"{"id": 17, "rewards": [1, "x"]}"#
        lines[18] = #"{"id": 19, "rewards": [1]}"#
        return lines.joined(separator: "\n") + "\n"
    }()

    @Test("--strict (default) fails on the first malformed line: one line naming the line and the field, exit 1, no output")
    func strictFailsWithTheLineNumber() throws {
        for mode in [[], ["--strict"]] {
            let r = try pvar(["select", "--input", "-", "--top", "3"] + mode, stdin: Self.linesWithErrors)
            #expect(r.status == 1)
            #expect(r.stdout.isEmpty, "no partial output: \(r.stdout)")
            #expect(r.stderr.hasPrefix("pvar: error: line 17: rewards[1]: is a string, not a number;"), "\(r.stderr)")
            #expect(r.stderr.split(separator: "\n").count == 1, "\(r.stderr)")
        }
    }

    @Test("--output is atomic: written whole on success; on failure an existing file is untouched and nothing is left behind")
    func outputFileIsAtomic() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("selected.jsonl")
        let ok = try pvar(["select", "--input", "-", "--top", "50%", "--output", out.path], stdin: Self.readmeInput)
        #expect(ok.status == 0 && ok.stdout.isEmpty && ok.stderr.isEmpty)
        #expect(try String(contentsOf: out, encoding: .utf8) == Self.readmeOutput)

        let failed = try pvar(["select", "--input", "-", "--top", "3", "--output", out.path], stdin: Self.linesWithErrors)
        #expect(failed.status == 1 && failed.stderr.hasPrefix("pvar: error: line 17:"))
        #expect(try String(contentsOf: out, encoding: .utf8) == Self.readmeOutput, "the earlier output must survive a failed run")
        let fresh = dir.appendingPathComponent("new.jsonl")
        _ = try pvar(["select", "--input", "-", "--top", "3", "--output", fresh.path], stdin: Self.linesWithErrors)
        #expect(!FileManager.default.fileExists(atPath: fresh.path), "no output file on failure")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["selected.jsonl"], "no temporary file left")
    }

    @Test("--lenient skips malformed lines, writes the rest, and reports the count and the first on stderr")
    func lenientSkipsAndCounts() throws {
        let r = try pvar(["select", "--input", "-", "--top", "3", "--lenient"], stdin: Self.linesWithErrors)
        #expect(r.status == 0)
        #expect(r.stderr == "pvar: warning: skipped 2 malformed lines (--lenient); the first: line 17: rewards[1]: "
                + "is a string, not a number; give finite numbers (the reward-model scores), e.g. [0.5, 1.25]\n", "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n")
        #expect(lines.count == 17)
        // pvar grows with the spread 0..1.9 of the two scores: the last three good ids (16, 18, 20) are selected.
        let selected = lines.filter { $0.hasSuffix("true}") }.map { $0.prefix(12) }
        #expect(selected == [#"{"id": 16, ""#, #"{"id": 18, ""#, #"{"id": 20, ""#], "\(selected)")
    }

    // MARK: Options

    @Test("a bad --top or --input is one line naming the option")
    func badOptionsAreRejected() throws {
        for top in ["0", "0%", "101%", "ten", "10.%", "-3"] {
            let r = try pvar(["select", "--input", "-", "--top=\(top)"], stdin: Self.readmeInput)
            #expect(r.status != 0 && r.stdout.isEmpty, "--top \(top)")
            #expect(r.stderr.hasPrefix("pvar: error: The value '\(top)' is invalid for '--top <N|P%>': expected a count N >= 1")
                    && r.stderr.split(separator: "\n").count == 1, "\(r.stderr)")
        }
        let missing = try pvar(["select", "--input", "/nonexistent/scores.jsonl", "--top", "1"])
        #expect(missing.status == 1 && missing.stderr.hasPrefix("pvar: error: --input: cannot read file '/nonexistent/scores.jsonl'"),
                "\(missing.stderr)")
    }

    @Test("--progress prints a line every 100,000 input lines and a summary; without it (stderr not a terminal) nothing")
    func progressLines() throws {
        let text = String(repeating: "{\"id\":1,\"rewards\":[0,1]}\n", count: 200_001)
        let r = try pvar(["select", "--input", "-", "--top", "1", "--progress"], stdin: text)
        #expect(r.status == 0)
        let h = InstanceFile.format(preferenceKernel(1))
        #expect(r.stderr == """
            pvar select: 100000 lines read, 100000 prompts
            pvar select: 200000 lines read, 200000 prompts
            pvar select: 200001 lines read, 200001 prompts
            pvar select: selected 1 of 200001 prompts (pvar >= \(h))

            """, "\(r.stderr)")
        let quiet = try pvar(["select", "--input", "-", "--top", "1"], stdin: text)
        #expect(quiet.stderr.isEmpty && quiet.stdout == r.stdout)
    }
}
