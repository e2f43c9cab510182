// `pvar select` (issue 7, section 2): the unbiased PVar estimate from reward-model scores, the
// JSON Lines parser, and the constant-memory selection, each against an independent computation.

import Foundation
import PVarCore
import PVarGSL
import PVarSelect
import PVarTestSupport
import Testing

@Suite("Select")
struct SelectionTests {
    static let u = Double.ulpOfOne / 2

    /// The replay line of the randomized tests.
    static let replayLine = "seed \(runSeed); replay: PVAR_TEST_SEED=\(runSeed) swift test --filter SelectionTests"

    static func rng(_ label: String) -> RandomSource {
        RandomSource(seed: deriveSeed(runSeed, [stableLabel("select"), stableLabel(label)]))
    }

    // MARK: The estimate

    /// With scores `r_a = log w_a`, `sigmoid(r_a - r_b) = w_a / (w_a + w_b)`, so
    /// `U = (1 / (n(n-1))) sum_{a != b} ((w_a - w_b) / (2 (w_a + w_b)))^2`: a rational closed form
    /// with no exponential and no tanh. For n = 2 this is the one pair in both orders,
    /// `U = 2 h / (2 * 1) = ((w_1 - w_2) / (2 (w_1 + w_2)))^2`, e.g. `w = (1, 9)`: `(8/20)^2 = 0.16`.
    static func rationalU(_ w: [Double]) -> Double {
        var s = 0.0
        for a in w.indices {
            for b in w.indices where a != b {
                let c = (w[a] - w[b]) / (2 * (w[a] + w[b]))
                s += c * c
            }
        }
        let n = Double(w.count)
        return s / (n * (n - 1))
    }

    /// Tolerance of `unbiasedPVarEstimate(log w)` against `rationalU(w)`: both sum at most `n^2`
    /// non-negative terms (`summationBound`, twice), and rounding `log w_a` moves each difference
    /// by at most `u (|log w_a| + |log w_b|)` plus its own rounding, which `h` (relative condition
    /// number at most 2 in `d`) turns into `2 u (|log w_a| + |log w_b| + |d|) / |d|` relative.
    static func rationalTolerance(_ w: [Double]) -> Double {
        var worst = 0.0
        for a in w.indices {
            for b in w.indices where w[a] != w[b] {
                let la = log(w[a]), lb = log(w[b]), d = abs(la - lb)
                worst = max(worst, 2 * u * (abs(la) + abs(lb) + d) / d * 1.01)
            }
        }
        return 2 * summationBound(terms: w.count * w.count) + worst
    }

    @Test("U equals the rational closed form for scores log w: pinned n = 2 and n = 3 cases")
    func estimateMatchesPinnedClosedForms() {
        // (w, exact U): n = 2, U = ((w1 - w2) / (2 (w1 + w2)))^2; n = 3, (1/6) sum over ordered pairs.
        let cases: [([Double], Double)] = [
            ([1, 9], 0.16), ([9, 1], 0.16), ([1, 4], 0.09), ([3, 3], 0),
            // n = 3, w = (1, 1, 3): pairs (1,3) four times with (2/8)^2 = 1/16, (1,1) twice with 0: U = (4/16)/6 = 1/24.
            ([1, 1, 3], 1.0 / 24),
        ]
        for (w, exact) in cases {
            let got = unbiasedPVarEstimate(rewards: w.map { log($0) })
            #expect(relativeError(got, exact) <= Self.rationalTolerance(w) + 2 * Self.u, "w = \(w): U \(got) vs exact \(exact)")
            #expect(relativeError(Self.rationalU(w), exact) <= 2 * summationBound(terms: w.count * w.count))
        }
    }

    @Test("U equals the rational closed form sum ((w_a - w_b) / (2 (w_a + w_b)))^2 / (n(n-1)) for random integer w")
    func estimateMatchesRationalClosedForm() {
        let rng = Self.rng("rational")
        for _ in 0..<2_000 {
            let n = rng.integer(2...24)
            // Weights from a small range often tie (U has exact zero terms), from a large one rarely.
            let top = rng.choose([3, 50, 100_000])
            let w = (0..<n).map { _ in Double(rng.integer(1...top)) }
            let got = unbiasedPVarEstimate(rewards: w.map { log($0) })
            let expected = Self.rationalU(w)
            #expect(relativeError(got, expected) <= Self.rationalTolerance(w),
                    "w = \(w): U \(got) vs closed form \(expected); \(Self.replayLine)")
        }
    }

    @Test("U is 0 exactly for equal scores, h(d) exactly for n = 2, in [0, 1/4], and never -0.0")
    func estimateEdgeCases() {
        #expect(unbiasedPVarEstimate(rewards: [2.5, 2.5, 2.5, 2.5]) == 0)
        #expect(unbiasedPVarEstimate(rewards: [-1e308, -1e308]).bitPattern == 0)
        for d in [1e-300, 1e-10, 0.5, 3, 40, 800] {
            #expect(unbiasedPVarEstimate(rewards: [d, 0]) == preferenceKernel(d), "n = 2, d = \(d)")
        }
        // A difference overflowing to infinity: h = 1/4, the value within 1e-300.
        #expect(unbiasedPVarEstimate(rewards: [1.7e308, -1.7e308]) == 0.25)
        let rng = Self.rng("range")
        for _ in 0..<1_000 {
            let n = rng.integer(2...16)
            let scale = rng.logUniform(1e-6, 1e3)
            let r = (0..<n).map { _ in rng.gaussian(scale) }
            let e = unbiasedPVarEstimate(rewards: r)
            #expect(e >= 0 && e <= 0.25 && e.sign == .plus, "U = \(e) for \(r)")
        }
    }

    @Test("U is invariant under permuting and shifting the scores (to rounding)")
    func estimateInvariances() {
        let rng = Self.rng("invariance")
        for _ in 0..<500 {
            let n = rng.integer(2...20)
            let r = (0..<n).map { _ in rng.gaussian(2) }
            let e = unbiasedPVarEstimate(rewards: r)
            let shuffled = unbiasedPVarEstimate(rewards: r.reversed())
            // Same n(n-1)/2 terms in another order (the kernel is even, bit for bit).
            #expect(relativeError(e, shuffled) <= 2 * summationBound(terms: n * n), "\(r)")
            // A shift by c: each difference changes by at most 2 u (|r_a| + |r_b| + 2|c|)
            // (one rounding per shifted score, one per difference); h's condition number is at most 2.
            let c = 3.0
            let shifted = unbiasedPVarEstimate(rewards: r.map { $0 + c })
            var worst = 0.0
            for a in r.indices { for b in r.indices where a != b {
                worst = max(worst, 4 * Self.u * (abs(r[a]) + abs(r[b]) + 2 * c) * 1.01 / abs(r[a] - r[b]))
            } }
            #expect(relativeError(e, shifted) <= 2 * summationBound(terms: n * n) + worst, "\(r)")
        }
    }

    // MARK: --top

    @Test("--top parses counts and percentages; K = min(N, M) or ceil(M p / 100) in exact arithmetic")
    func selectionSizes() {
        let cases: [(String, Int, Int)] = [
            ("10%", 1000, 100), ("10%", 5, 1), ("10%", 0, 0), ("10%", 11, 2), ("12.5%", 8, 1), ("12.5%", 9, 2),
            ("33.3%", 1000, 333), ("0.001%", 100_000, 1), ("100%", 7, 7), ("0.000000001%", 3, 1),
            ("3", 10, 3), ("3", 2, 2), ("1", 0, 0), ("007", 10, 7),
        ]
        for (text, total, expected) in cases {
            let size = SelectionSize(parsing: text)
            #expect(size?.count(of: total) == expected, "--top \(text) of \(total): \(String(describing: size?.count(of: total))) vs \(expected)")
        }
        #expect(SelectionSize(parsing: "12.5%")?.description == "12.5%")
        #expect(SelectionSize(parsing: "0.05%")?.description == "0.05%")
        #expect(SelectionSize(parsing: "10%")?.description == "10%")
        // A huge M: the 128-bit product keeps K exact (ceil(2^62 * 0.3) = 1383505805528216372, 2^62 * 3 / 10 rounded up).
        #expect(SelectionSize(parsing: "30%")?.count(of: 1 << 62) == 1_383_505_805_528_216_372)
        for bad in ["0", "0%", "100.0000001%", "101%", "-1", "-5%", "abc", "", "%", "1.%", ".5%", "5 %", "1e3", "10%%",
                    "0.0000000001%", "1000%"] {
            #expect(SelectionSize(parsing: bad) == nil, "--top \(bad) should be rejected")
        }
    }

    // MARK: The threshold

    /// The selected indices by a plain in-memory sort: estimate descending, then index ascending.
    static func sortedSelection(_ values: [Double], _ k: Int) -> Set<Int> {
        Set(values.indices.sorted { values[$0] != values[$1] ? values[$0] > values[$1] : $0 < $1 }.prefix(k))
    }

    /// The selection `SelectionThreshold` implies, applied in one streaming pass.
    static func thresholdSelection(_ values: [Double], _ k: Int, candidateLimit: Int) -> (Set<Int>, SelectionThreshold?) {
        guard k > 0 else { return ([], nil) }
        var histogram = [Int](repeating: 0, count: 1 << 16)
        for v in values { histogram[SelectionThreshold.topBin(v)] += 1 }
        let t = SelectionThreshold.resolve(k: k, total: values.count, histogram: histogram, candidateLimit: candidateLimit) { body in
            for v in values { body(v.bitPattern) }
        }
        var ties = t.tiesSelected
        var out = Set<Int>()
        for (i, v) in values.enumerated() {
            if v > t.value { out.insert(i) } else if v == t.value && ties > 0 { out.insert(i); ties -= 1 }
        }
        return (out, t)
    }

    @Test("the radix-selection threshold selects exactly the top K of an in-memory sort (ties by input order), at every refinement depth")
    func thresholdMatchesInMemorySort() {
        let rng = Self.rng("threshold")
        for trial in 0..<300 {
            let m = rng.integer(1...400)
            // Values in [0, 1/4] from a few shapes: spread, clustered (shared top bits, so the
            // refinement passes run), a handful of distinct values (many ties), all equal.
            let shape = trial % 4
            let pool = (0..<rng.integer(1...5)).map { _ in rng.uniform(0, 0.25) }
            let base = rng.uniform(0, 0.25)
            let values: [Double] = (0..<m).map { _ in
                switch shape {
                case 0: rng.uniform(0, 0.25) * (rng.bernoulli(0.1) ? 0 : 1)
                case 1: base + rng.uniform(0, 1e-12)
                case 2: rng.choose(pool)
                default: base
                }
            }
            for k in Set([1, m, (m + 1) / 2, rng.integer(1...m)]) {
                let expected = Self.sortedSelection(values, k)
                for limit in [0, 3, 1 << 16] {
                    let (got, t) = Self.thresholdSelection(values, k, candidateLimit: limit)
                    #expect(got == expected, "m = \(m), k = \(k), limit \(limit), shape \(shape): threshold \(String(describing: t)); \(Self.replayLine)")
                    #expect(got.count == k)
                }
            }
        }
    }

    @Test("all-equal estimates: the first K in input order, found after refining all 64 bits with candidateLimit 0")
    func allTiesSelectFirstLines() {
        let values = [Double](repeating: 0.0625, count: 1000)
        let (got, t) = Self.thresholdSelection(values, 37, candidateLimit: 0)
        #expect(got == Set(0..<37))
        #expect(t?.value == 0.0625 && t?.greater == 0 && t?.tiesSelected == 37 && t?.passes == 3, "\(String(describing: t))")
        let zeros = [Double](repeating: 0, count: 10)
        #expect(Self.thresholdSelection(zeros, 3, candidateLimit: 1 << 16).0 == Set(0..<3))
    }

    // MARK: The parser

    static let malformed: [(String, String, InputError.Kind)] = [
        ("not json", "json", .malformed),
        ("[1, 2]", "json", .malformed),
        (#"{"id": 1}"#, "rewards", .missingKey),
        (#"{"rewards": [1, 2]}"#, "id", .missingKey),
        ("{}", "id", .missingKey),
        (#"{"id": 1, "rewards": [1]}"#, "rewards", .sizeMismatch),
        (#"{"id": 1, "rewards": []}"#, "rewards", .sizeMismatch),
        (#"{"id": 1, "rewards": [1, "2"]}"#, "rewards[1]", .wrongType),
        (#"{"id": 1, "rewards": [1, null]}"#, "rewards[1]", .wrongType),
        (#"{"id": 1, "rewards": [1, NaN]}"#, "rewards[1]", .notFinite),
        (#"{"id": 1, "rewards": [1, -Infinity]}"#, "rewards[1]", .notFinite),
        (#"{"id": 1, "rewards": [1, 1e400]}"#, "rewards[1]", .outOfRange),
        (#"{"id": 1, "rewards": [-1e-400, 1]}"#, "rewards[0]", .outOfRange),
        (#"{"id": 1, "rewards": [1, 2,]}"#, "rewards[2]", .malformed),
        (#"{"id": 1, "rewards": [1, , 2]}"#, "rewards[1]", .malformed),
        (#"{"id": 1, "rewards": [1 2]}"#, "rewards", .malformed),
        (#"{"id": 1, "rewards": [01, 2]}"#, "rewards[0]", .wrongType),
        (#"{"id": 1, "rewards": [-, 2]}"#, "rewards[0]", .wrongType),
        (#"{"id": 1, "rewards": [[1], 2]}"#, "rewards[0]", .wrongType),
        (#"{"id": 1, "rewards": "1, 2"}"#, "rewards", .wrongType),
        (#"{"id": 1, "rewards": [1, 2], "prompt": "x"}"#, "prompt", .unknownKey),
        (#"{"id": 1, "id": 2, "rewards": [1, 2]}"#, "id", .malformed),
        (#"{"id": 1, "rewards": [1, 2], "rewards": [1, 2]}"#, "rewards", .malformed),
        (#"{"id": null, "rewards": [1, 2]}"#, "id", .wrongType),
        (#"{"id": [1], "rewards": [1, 2]}"#, "id", .wrongType),
        (#"{"id": true, "rewards": [1, 2]}"#, "id", .wrongType),
        (#"{"id": 01, "rewards": [1, 2]}"#, "id", .wrongType),
        (#"{"id": "a\q", "rewards": [1, 2]}"#, "id", .malformed),
        (#"{"id": "a\u12", "rewards": [1, 2]}"#, "id", .malformed),
        ("{\"id\": \"a\u{01}b\", \"rewards\": [1, 2]}", "id", .malformed),
        (#"{"id": "abc, "rewards": [1, 2]}"#, "json", .malformed),
        (#"{"id": 1, "rewards": [1, 2]} x"#, "json", .malformed),
        (#"{"id": 1, "rewards": [1, 2]"#, "json", .malformed),
        (#"{"id": 1, "rewards": [1, 2], }"#, "json", .malformed),
        (#"{"id" 1, "rewards": [1, 2]}"#, "json", .malformed),
        (#"{id: 1, "rewards": [1, 2]}"#, "json", .malformed),
    ]

    static func parse(_ text: String) -> Result<(id: String, rewards: [Double]), InputError> {
        var parser = PromptLineParser()
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBufferPointer { b in
            do throws(InputError) {
                let r = try parser.parse(b)
                return .success((String(decoding: b[r], as: UTF8.self), parser.rewards))
            } catch {
                return .failure(error)
            }
        }
    }

    @Test("every malformed line is rejected with an error naming the field, its kind, and a fix", arguments: 0..<malformed.count)
    func malformedLinesNameTheField(_ i: Int) {
        let (line, field, kind) = Self.malformed[i]
        switch Self.parse(line) {
        case .success(let v): Issue.record("accepted \(line) as \(v)")
        case .failure(let e):
            #expect(e.field == field && e.kind == kind, "\(line): \(e.kind) \(e.description)")
            #expect(!e.fix.isEmpty && !e.description.contains("\n"))
        }
    }

    @Test("well-formed lines: ids echoed byte for byte (strings with escapes, numbers as spelled), any key order and whitespace")
    func wellFormedLinesEchoTheId() throws {
        let cases: [(String, String, [Double])] = [
            (#"{"id": "p1", "rewards": [0.5, 1.25]}"#, #""p1""#, [0.5, 1.25]),
            (#"{"rewards":[-3,2.5e-3,7E+2],"id":17}"#, "17", [-3, 0.0025, 700]),
            (" {\t\"rewards\" : [ 1 , 2 ] , \"id\" : \"x y\" }\r", #""x y""#, [1, 2]),
            (#"{"id": 1.50, "rewards": [0, 0]}"#, "1.50", [0, 0]),
            (#"{"id": -2e5, "rewards": [0, -0.0]}"#, "-2e5", [0, 0]),
            (#"{"id": "q\"\\\u00e9 é", "rewards": [1, 2]}"#, #""q\"\\\u00e9 é""#, [1, 2]),
            (#"{"\u0069d": "escaped key", "rewards": [1, 2]}"#, #""escaped key""#, [1, 2]),
            (#"{"id": "", "rewards": [0.1, 0.2, 0.30000000000000004]}"#, #""""#, [0.1, 0.2, 0.30000000000000004]),
            (#"{"id": 3, "rewards": [1.7976931348623157e308, -1.7976931348623157e308, 5e-324, 0e5]}"#, "3",
             [.greatestFiniteMagnitude, -.greatestFiniteMagnitude, 5e-324, 0]),
        ]
        for (line, id, rewards) in cases {
            let v = try Self.parse(line).get()
            #expect(v.id == id && v.rewards == rewards, "\(line): got \(v)")
        }
    }

    // MARK: The streaming run

    /// A random input of `m` lines: string and number ids, n from 2 to 12, score scales from
    /// 1e-3 to 10, one line in ten with all scores equal (U = 0), one in five a copy of an earlier
    /// line's scores (exact ties in U). Returns the lines, the ids as written and the scores.
    static func randomInput(_ rng: RandomSource, lines m: Int) -> (text: String, ids: [String], rewards: [[Double]]) {
        var ids: [String] = [], rewards: [[Double]] = []
        var text = ""
        for i in 0..<m {
            let r: [Double]
            if i > 0 && rng.bernoulli(0.2) {
                r = rewards[rng.integer(0...(i - 1))]
            } else if rng.bernoulli(0.1) {
                r = [Double](repeating: rng.gaussian(), count: rng.integer(2...12))
            } else {
                let scale = rng.logUniform(1e-3, 10)
                r = (0..<rng.integer(2...12)).map { _ in rng.gaussian(scale) }
            }
            let id = i % 3 == 0 ? "\(i)" : (i % 3 == 1 ? "\"prompt-\(i)\"" : "\"q\\\"\(i)\\u00e9\"")
            ids.append(id)
            rewards.append(r)
            text += "{\"id\": \(id), \"rewards\": [" + r.map { InstanceFile.format($0) }.joined(separator: ", ") + "]}\n"
        }
        return (text, ids, rewards)
    }

    /// Runs `selectPrompts` on `text` through temporary files; returns the output text or the error.
    static func runSelect(_ text: String, _ options: SelectionOptions) throws -> Result<(String, SelectionSummary), SelectionError> {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pvar-select-test-\(getpid())-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let inURL = dir.appendingPathComponent("in.jsonl"), outURL = dir.appendingPathComponent("out.jsonl")
        try Data(text.utf8).write(to: inURL)
        FileManager.default.createFile(atPath: outURL.path, contents: nil)
        let input = try FileHandle(forReadingFrom: inURL), output = try FileHandle(forWritingTo: outURL)
        defer { try? input.close(); try? output.close() }
        let summary: SelectionSummary
        do throws(SelectionError) {
            summary = try selectPrompts(input: input.fileDescriptor, output: output.fileDescriptor, options: options)
        } catch {
            return .failure(error)
        }
        return .success((try String(contentsOf: outURL, encoding: .utf8), summary))
    }

    @Test("10,000 random lines: every output line is {id as given, pvar = unbiasedPVarEstimate, selected = top K of an in-memory sort}")
    func streamingSelectionMatchesInMemorySort() throws {
        let rng = Self.rng("streaming")
        let input = Self.randomInput(rng, lines: 10_000)
        let estimates = input.rewards.map { unbiasedPVarEstimate(rewards: $0) }
        for (size, limit) in [(SelectionSize.percent(numerator: 10, decimals: 0), 1 << 16),
                              (.percent(numerator: 10, decimals: 0), 0),
                              (.percent(numerator: 375, decimals: 1), 5),
                              (.count(777), 1 << 16), (.count(777), 0), (.count(20_000), 1 << 16)] {
            let k = size.count(of: estimates.count)
            let expected = Self.sortedSelection(estimates, k)
            let (text, summary) = try Self.runSelect(input.text, SelectionOptions(size: size, candidateLimit: limit)).get()
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            try #require(lines.count == estimates.count + 1 && lines.last == "", "--top \(size): \(lines.count) lines")
            for i in estimates.indices {
                let want = "{\"id\": \(input.ids[i]), \"pvar\": \(InstanceFile.format(estimates[i])), \"selected\": \(expected.contains(i))}"
                guard lines[i] == want else {
                    Issue.record("--top \(size), limit \(limit), line \(i + 1): \(lines[i]) vs \(want); \(Self.replayLine)")
                    break
                }
            }
            #expect(summary.prompts == 10_000 && summary.selected == k && summary.skipped == 0 && summary.lines == 10_000)
            #expect(summary.refinementPasses <= 3)
            if limit == 0 { #expect(summary.refinementPasses >= 1) }
        }
    }

    @Test("strict mode stops at the first malformed line with its number; lenient skips and counts every one")
    func strictAndLenient() throws {
        let good = #"{"id": "a", "rewards": [0, 1]}"#
        var lines = [String](repeating: good, count: 20)
        lines[4] = ""                                        // line 5: blank, skipped in both modes
        lines[16] = #"{"id": "b", "rewards": [1, "x"]}"#     // line 17
        lines[18] = #"{"id": "c"}"#                          // line 19
        let text = lines.joined(separator: "\n")             // no final newline: the last line still counts
        switch try Self.runSelect(text, SelectionOptions(size: .count(3))) {
        case .success: Issue.record("strict mode accepted a malformed line")
        case .failure(let e):
            #expect(e.description.hasPrefix("line 17: rewards[1]: is `\"x\"`") || e.description.hasPrefix("line 17: rewards[1]: is a string"),
                    "\(e.description)")
            guard case .malformedLine(17, let inner) = e else { Issue.record("\(e)"); return }
            #expect(inner.field == "rewards[1]")
        }
        let (out, summary) = try Self.runSelect(text, SelectionOptions(size: .count(3), policy: .lenient)).get()
        #expect(summary.lines == 20 && summary.prompts == 17 && summary.skipped == 2 && summary.selected == 3)
        #expect(summary.firstSkipped?.description.hasPrefix("line 17: rewards[1]:") == true)
        // All 17 prompts tie (U = h(1)): the first three lines are selected.
        let selected = out.split(separator: "\n").map { $0.hasSuffix("true}") }
        #expect(selected == [true, true, true] + [Bool](repeating: false, count: 14))
    }

    @Test("empty input and blank lines only: no output, nothing selected")
    func emptyInput() throws {
        for text in ["", "\n\n", "  \r\n"] {
            let (out, summary) = try Self.runSelect(text, SelectionOptions(size: .percent(numerator: 10, decimals: 0))).get()
            #expect(out.isEmpty && summary.prompts == 0 && summary.selected == 0 && summary.threshold == nil)
        }
    }

    @Test("progress is reported every interval and at the end of the input")
    func progressReports() throws {
        let text = String(repeating: #"{"id": 1, "rewards": [0, 1]}"# + "\n", count: 25)
        final class Log: @unchecked Sendable { var events: [SelectionProgress] = [] }
        let log = Log()
        let options = SelectionOptions(size: .count(1), progress: { log.events.append($0) }, progressInterval: 10)
        _ = try Self.runSelect(text, options).get()
        #expect(log.events.map(\.lines) == [10, 20, 25])
    }
}
