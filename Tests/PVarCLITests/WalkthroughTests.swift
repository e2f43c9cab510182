// Proofs/walkthrough.md: every worked example is a command plus the numbers it prints, and
// those numbers are what the command prints today.
//
// Format checked here (it is what a reader of the walkthrough sees):
//
//     ```sh
//     $ swift run pvar evaluate --input Proofs/examples/NAME.json [--certify]
//     ```
//     (at most a few lines of prose)
//     ```text
//     key = value
//     ```
//
// `key` is a path into the command's JSON output (`gradientNorm`, `bounds.B2.ratio`,
// `gradient[0]`, `certified.bounds.B2.verdict`); `value` is written exactly as the tool writes it:
// numbers in the shortest round-trip form (`InstanceFile.format`), `true`/`false`/`null`, strings
// without quotes, arrays as `[a, b]`.

import Foundation
import PVarCore
import Testing

/// A JSON document, decoded with `JSONDecoder` (whose number parsing is exact; on Linux
/// `JSONSerialization` has been seen to misread some doubles by one ulp).
enum JSONValue: Decodable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null; return }
        if let b = try? c.decode(Bool.self) { self = .bool(b); return }
        if let x = try? c.decode(Double.self) { self = .number(x); return }
        if let s = try? c.decode(String.self) { self = .string(s); return }
        if let a = try? c.decode([JSONValue].self) { self = .array(a); return }
        self = .object(try c.decode([String: JSONValue].self))
    }

    /// The value at a path such as `bounds.B2.ratio` or `certified.pvarPolicy[0]`; nil if absent.
    func at(_ path: String) -> JSONValue? {
        var current: JSONValue? = self
        for segment in path.split(separator: ".", omittingEmptySubsequences: false) {
            guard let m = segment.wholeMatch(of: /([A-Za-z0-9_]+)((?:\[[0-9]+\])*)/) else { return nil }
            guard case .object(let o)? = current else { return nil }
            current = o[String(m.1)]
            for index in m.2.matches(of: /\[([0-9]+)\]/) {
                guard case .array(let a)? = current, let i = Int(index.1), a.indices.contains(i) else { return nil }
                current = a[i]
            }
        }
        return current
    }

    /// Why `text` (as written in the walkthrough) does not denote this value exactly, or nil if
    /// it does. Numbers must parse with `Double(String)` to the same double *and* be written in
    /// the tool's own shortest form, so a hand-rounded number is caught even when it rounds back.
    func mismatch(_ text: String) -> String? {
        switch self {
        case .null: return text == "null" ? nil : "expected null"
        case .bool(let b): return text == "\(b)" ? nil : "the tool prints \(b)"
        case .string(let s): return text == s ? nil : "the tool prints \(s)"
        case .number(let x):
            guard let y = Double(text) else { return "not a number; the tool prints \(InstanceFile.format(x))" }
            if y != x && !(y.isNaN && x.isNaN) { return "the tool prints \(InstanceFile.format(x))" }
            return text == InstanceFile.format(x) ? nil : "same double, but the tool writes it \(InstanceFile.format(x))"
        case .array(let a):
            guard text.hasPrefix("["), text.hasSuffix("]") else { return "the tool prints an array" }
            let inner = text.dropFirst().dropLast().trimmingCharacters(in: .whitespaces)
            let items = inner.isEmpty ? [] : inner.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            guard items.count == a.count else { return "the tool prints \(a.count) entries, not \(items.count)" }
            for (i, (v, t)) in zip(a, items).enumerated() {
                if let m = v.mismatch(t) { return "entry \(i): \(m)" }
            }
            return nil
        case .object: return "the tool prints an object here; name one of its keys"
        }
    }
}

/// One worked example of the walkthrough: the command line and the lines it claims.
struct WalkthroughExample: CustomTestStringConvertible, Sendable {
    let line: Int            // 1-based line of the command in walkthrough.md
    let arguments: [String]  // after `swift run pvar`
    let claims: [(line: Int, key: String, value: String)]

    var testDescription: String { "line \(line): pvar \(arguments.joined(separator: " "))" }
}

/// Reads walkthrough.md into examples; format problems are returned as messages.
enum Walkthrough {
    static let path = "Proofs/walkthrough.md"
    static let commandPrefix = "$ swift run pvar "
    /// Most prose lines allowed between a command's block and its ```text block.
    static let maxGap = 8

    static func parse(_ text: String) -> (examples: [WalkthroughExample], problems: [String]) {
        let lines = text.components(separatedBy: "\n")
        var examples: [WalkthroughExample] = []
        var problems: [String] = []
        // Fenced blocks: (language, first content line index, closing fence index).
        var blocks: [(lang: String, open: Int, close: Int)] = []
        var i = 0
        while i < lines.count {
            let t = lines[i].trimmingCharacters(in: .whitespaces)
            if t.hasPrefix("```") {
                let lang = String(t.dropFirst(3)).trimmingCharacters(in: .whitespaces)
                var j = i + 1
                while j < lines.count, !lines[j].trimmingCharacters(in: .whitespaces).hasPrefix("```") { j += 1 }
                if j == lines.count { problems.append("line \(i + 1): fenced block never closed") }
                blocks.append((lang, i, j))
                i = j + 1
            } else {
                if t.hasPrefix(commandPrefix) { problems.append("line \(i + 1): command outside a fenced block") }
                i += 1
            }
        }
        for (b, block) in blocks.enumerated() {
            let body = (block.open + 1)..<min(block.close, lines.count)
            let commands = body.filter { lines[$0].trimmingCharacters(in: .whitespaces).hasPrefix(commandPrefix) }
            guard !commands.isEmpty else { continue }
            let at = commands[0] + 1
            guard commands.count == 1 else {
                problems.append("line \(at): \(commands.count) commands in one block; one per block")
                continue
            }
            guard ["sh", "shell", "console", "bash"].contains(block.lang) else {
                problems.append("line \(at): the command's block is ```\(block.lang), not ```sh")
                continue
            }
            let command = lines[commands[0]].trimmingCharacters(in: .whitespaces)
            let arguments = command.dropFirst(commandPrefix.count).split(separator: " ").map(String.init)
            guard b + 1 < blocks.count, blocks[b + 1].lang == "text",
                  blocks[b + 1].open - block.close - 1 <= maxGap else {
                problems.append("line \(at): no ```text block of `key = value` lines within \(maxGap) lines after the command")
                continue
            }
            let next = blocks[b + 1]
            var claims: [(line: Int, key: String, value: String)] = []
            for n in (next.open + 1)..<min(next.close, lines.count) {
                let l = lines[n].trimmingCharacters(in: .whitespaces)
                if l.isEmpty { continue }
                guard let eq = l.range(of: " = ") else {
                    problems.append("line \(n + 1): '\(l)' is not `key = value`")
                    continue
                }
                claims.append((n + 1, String(l[..<eq.lowerBound]), String(l[eq.upperBound...])))
            }
            if claims.isEmpty { problems.append("line \(at): its ```text block claims nothing") }
            examples.append(WalkthroughExample(line: at, arguments: arguments, claims: claims))
        }
        return (examples, problems)
    }

    static let text: String = (try? String(contentsOf: packageRoot.appendingPathComponent(path), encoding: .utf8)) ?? ""
    static let parsed = parse(text)

    /// The `--input` file of an example (relative to the package root), if any.
    static func input(_ arguments: [String]) -> String? {
        guard let i = arguments.firstIndex(of: "--input"), i + 1 < arguments.count else { return nil }
        return arguments[i + 1]
    }
}

@Suite("Walkthrough")
struct WalkthroughTests {
    /// The walkthrough must work at least this many examples (issue 4: K = 2 and K = 3, at and
    /// away from the reference).
    static let minimumExamples = 4

    @Test("walkthrough.md is well formed: every command has its key = value block; at least 4 examples")
    func walkthroughIsWellFormed() throws {
        #expect(!Walkthrough.text.isEmpty, "\(Walkthrough.path) is missing or empty")
        for p in Walkthrough.parsed.problems { Issue.record("\(Walkthrough.path) \(p)") }
        #expect(Walkthrough.parsed.examples.count >= Self.minimumExamples,
                "\(Walkthrough.path) works \(Walkthrough.parsed.examples.count) examples; at least \(Self.minimumExamples) expected")
        for e in Walkthrough.parsed.examples {
            #expect(e.arguments.first == "evaluate", "line \(e.line): only `pvar evaluate` examples are checked")
            #expect(Walkthrough.input(e.arguments)?.hasPrefix("Proofs/examples/") ?? false,
                    "line \(e.line): the input should be a file in Proofs/examples/")
        }
    }

    @Test("every Proofs/examples/*.json file is used by a command of the walkthrough")
    func everyExampleFileIsUsed() throws {
        let dir = packageRoot.appendingPathComponent("Proofs/examples")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".json") }.sorted()
        #expect(!files.isEmpty, "no Proofs/examples/*.json")
        let used = Set(Walkthrough.parsed.examples.compactMap { Walkthrough.input($0.arguments) })
        for f in files {
            #expect(used.contains("Proofs/examples/\(f)"), "Proofs/examples/\(f) is used by no command in \(Walkthrough.path)")
        }
        for u in used {
            #expect(FileManager.default.fileExists(atPath: packageRoot.appendingPathComponent(u).path),
                    "\(Walkthrough.path) runs \(u), which does not exist")
        }
    }

    @Test("every key = value line is exactly what its command prints", arguments: Walkthrough.parsed.examples)
    func printedNumbersAreCurrent(_ example: WalkthroughExample) throws {
        // Paths are relative to the package root, as when the reader runs the command there.
        var arguments = example.arguments
        if let i = arguments.firstIndex(of: "--input"), i + 1 < arguments.count, arguments[i + 1] != "-" {
            arguments[i + 1] = packageRoot.appendingPathComponent(arguments[i + 1]).path
        }
        let r = try pvar(arguments)
        // Exit 1 is the documented status of a claim (--claim) certified violated.
        try #require(r.status == 0 || (r.status == 1 && example.arguments.contains("--claim")),
                     "\(example.testDescription): exit \(r.status), stderr \(r.stderr)")
        let output = try JSONDecoder().decode(JSONValue.self, from: Data(r.stdout.utf8))
        for claim in example.claims {
            guard let value = output.at(claim.key) else {
                Issue.record("\(Walkthrough.path):\(claim.line): key \(claim.key) is not in the output of \(example.testDescription)")
                continue
            }
            if let m = value.mismatch(claim.value) {
                Issue.record("\(Walkthrough.path):\(claim.line): \(claim.key) = \(claim.value): \(m)")
            }
        }
    }

    @Test("the checker itself rejects a wrong value, a hand-rounded number and a missing key")
    func checkerCatchesMistakes() throws {
        let doc = try JSONDecoder().decode(JSONValue.self, from: Data(
            #"{"a": 0.16338308780060154, "b": {"c": [0.0, 1e-35]}, "v": "tight", "h": true, "r": null}"#.utf8))
        #expect(doc.at("a")?.mismatch("0.16338308780060154") == nil)
        #expect(doc.at("a")?.mismatch("0.1633830878006015") != nil)       // rounded by hand
        #expect(doc.at("a")?.mismatch("0.163383087800601540") != nil)     // same double, not the tool's form
        #expect(doc.at("b.c[1]")?.mismatch("1e-35") == nil)
        #expect(doc.at("b.c")?.mismatch("[0.0, 1e-35]") == nil)
        #expect(doc.at("b.c")?.mismatch("[0.0]") != nil)
        #expect(doc.at("v")?.mismatch("tight") == nil)
        #expect(doc.at("v")?.mismatch("holds") != nil)
        #expect(doc.at("h")?.mismatch("false") != nil)
        #expect(doc.at("r")?.mismatch("null") == nil)
        #expect(doc.at("b.missing") == nil)
        #expect(doc.at("b.c[2]") == nil)
        let broken = Walkthrough.parse("```sh\n$ swift run pvar evaluate --input x.json\n```\nprose\n")
        #expect(broken.examples.isEmpty && broken.problems.count == 1)
    }
}
