// Proofs <-> tests <-> index: a statement without a suite, a suite without a proof, a proof step
// without its check, or an index row that disagrees with its file fails here.

import Foundation
import Testing

private let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// A statement ID: letters then digits (`B2`, `I1`, `T3`, `C1`).
private func statementID(_ name: String) -> String? {
    guard let r = name.range(of: #"^[A-Z]+[0-9]+(?=-)"#, options: .regularExpression) else { return nil }
    return String(name[r])
}

private struct ProofFile {
    let id: String
    let path: String
    let text: String

    func line(_ label: String) -> String? {
        text.split(separator: "\n").first { $0.hasPrefix("**\(label):**") }
            .map { String($0.dropFirst(label.count + 5)).trimmingCharacters(in: .whitespaces) }
    }

    /// The body of a `## ` section (up to the next `## `).
    func section(_ name: String) -> String? {
        guard let start = text.range(of: "\n## \(name)\n") else { return nil }
        let rest = text[start.upperBound...]
        let end = rest.range(of: "\n## ")?.lowerBound ?? rest.endIndex
        return String(rest[..<end])
    }

    /// Numbers of the top-level numbered steps of the Proof section.
    var steps: [Int] {
        (section("Proof") ?? "").split(separator: "\n").compactMap { line in
            guard let r = line.range(of: #"^[0-9]+\."#, options: .regularExpression) else { return nil }
            return Int(line[r].dropLast())
        }
    }
}

private func proofFiles() throws -> [ProofFile] {
    let dir = root.appendingPathComponent("Proofs")
    return try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted().compactMap { name in
        guard name.hasSuffix(".md"), let id = statementID(name) else { return nil }
        let text = try String(contentsOf: dir.appendingPathComponent(name), encoding: .utf8)
        return ProofFile(id: id, path: "Proofs/\(name)", text: text)
    }
}

/// Every Swift file under Tests/, with its text.
private func testSources() throws -> [(path: String, text: String)] {
    let tests = root.appendingPathComponent("Tests")
    guard let e = FileManager.default.enumerator(atPath: tests.path) else { return [] }
    return try e.compactMap { $0 as? String }.filter { $0.hasSuffix(".swift") }.sorted().map {
        ("Tests/\($0)", try String(contentsOf: tests.appendingPathComponent($0), encoding: .utf8))
    }
}

@Suite("Traceability")
struct TraceabilityTests {
    static let sections = ["Statement", "Assumptions", "Proof", "Tightness", "Edge cases", "Checked by"]

    @Test("every Proofs file has its sections, status lines and numbered steps")
    func proofFilesAreComplete() throws {
        let files = try proofFiles()
        #expect(files.count >= 11, "expected at least I1-I3, B0-B3, C1, T1-T3; found \(files.map(\.id))")
        for f in files {
            var at = f.text.startIndex
            for s in Self.sections {
                guard let r = f.text.range(of: "\n## \(s)\n", range: at..<f.text.endIndex) else {
                    Issue.record("\(f.path): section '## \(s)' missing or out of order")
                    continue
                }
                at = r.upperBound
            }
            for label in ["Status", "Sharp", "Settles"] {
                #expect(f.line(label) != nil, "\(f.path): line **\(label):** missing")
            }
            #expect(!f.steps.isEmpty, "\(f.path): the Proof section has no numbered steps")
        }
    }

    @Test("every statement has a suite of its name, and every statement suite has a Proofs file")
    func proofsAndSuitesMatch() throws {
        let files = try proofFiles()
        let sources = try testSources()
        let all = sources.map(\.text).joined(separator: "\n")
        for f in files {
            let hasSuite = all.contains("@Suite(\"\(f.id)\")")
            #expect(hasSuite, "\(f.path): no @Suite(\"\(f.id)\") in Tests/")
            // "Checked by" names test files that exist and mention the ID.
            let checked = f.section("Checked by") ?? ""
            #expect(checked.contains("`\(f.id)`"), "\(f.path): 'Checked by' does not name suite `\(f.id)`")
            let paths = checked.matches(of: /`(Tests\/[^`]+\.swift)`/).map { String($0.1) }
            #expect(!paths.isEmpty, "\(f.path): 'Checked by' lists no test file")
            for p in paths {
                let source = sources.first { $0.path == p }
                #expect(source != nil, "\(f.path): 'Checked by' names \(p), which does not exist")
                #expect(source?.text.contains(f.id) ?? false, "\(f.path): \(p) does not mention \(f.id)")
            }
        }
        let suiteNames = all.matches(of: /@Suite\("([A-Z]+[0-9]+)"\)/).map { String($0.1) }
        for s in Set(suiteNames) {
            #expect(files.contains { $0.id == s }, "suite \(s) has no Proofs/\(s)-*.md")
        }
    }

    @Test("every numbered proof step has its check, named '<ID> step <n>:', and every such check names a real step")
    func stepsAreCheckedLinkByLink() throws {
        let files = try proofFiles()
        let all = try testSources().map(\.text).joined(separator: "\n")
        for f in files {
            let pattern = try Regex("\(f.id) step ([0-9]+):", as: (Substring, Substring).self)
            let checked = Set(all.matches(of: pattern).compactMap { Int($0.1) })
            for n in f.steps {
                #expect(checked.contains(n), "\(f.path): step \(n) has no test named '\(f.id) step \(n): ...'")
            }
            for n in checked {
                #expect(f.steps.contains(n), "a test checks '\(f.id) step \(n)' but \(f.path) has no step \(n)")
            }
        }
    }

    /// The Coq development: the `.v` files `Proofs/coq/_CoqProject` compiles, with their text.
    static func coqFiles() throws -> [(module: String, text: String)] {
        let dir = root.appendingPathComponent("Proofs/coq")
        let project = try String(contentsOf: dir.appendingPathComponent("_CoqProject"), encoding: .utf8)
        return try project.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { $0.hasSuffix(".v") }
            .map { (String($0.dropLast(2)), try String(contentsOf: dir.appendingPathComponent($0), encoding: .utf8)) }
    }

    /// The main theorems of a Coq file: `Theorem NAME` at the start of a line (helpers are `Lemma`).
    static func theorems(in text: String) -> [String] {
        text.matches(of: /(?m)^\s*Theorem\s+([A-Za-z0-9_']+)/).map { String($0.1) }
    }

    /// The theorems a Proofs file names on its `**Machine-checked:**` line, as `Module.name`.
    fileprivate static func namedTheorems(_ f: ProofFile) -> [String] {
        (f.line("Machine-checked") ?? "").matches(of: /`([A-Z][A-Za-z0-9_]*\.[A-Za-z0-9_']+)`/).map { String($0.1) }
    }

    @Test("every Proofs file says whether it is machine-checked; each theorem it names is a Theorem of the Coq development, and each Theorem there is named by a Proofs file")
    func machineCheckedTheoremsExist() throws {
        let files = try proofFiles()
        let coq = try Self.coqFiles()
        #expect(!coq.isEmpty, "Proofs/coq/_CoqProject lists no .v file")
        var declared = Set<String>()
        for (module, text) in coq {
            for t in Self.theorems(in: text) { declared.insert("\(module).\(t)") }
        }
        var named = Set<String>()
        for f in files {
            guard let line = f.line("Machine-checked") else {
                Issue.record("\(f.path): line **Machine-checked:** missing")
                continue
            }
            let names = Self.namedTheorems(f)
            if line.hasPrefix("yes") || line.hasPrefix("partly") {
                #expect(!names.isEmpty, "\(f.path): **Machine-checked:** says '\(line.prefix(12))' but names no `Module.theorem`")
            } else {
                #expect(line.hasPrefix("no, because"), "\(f.path): **Machine-checked:** must start with 'yes', 'partly' or 'no, because'")
            }
            if f.line("Status")?.hasPrefix("proved") == true {
                #expect(line.hasPrefix("yes") || line.hasPrefix("partly") || line.hasPrefix("no, because"),
                        "\(f.path): a proved statement must be machine-checked or say why not")
            }
            for n in names {
                #expect(declared.contains(n), "\(f.path) names `\(n)`, which is not a Theorem in Proofs/coq (files in _CoqProject)")
                named.insert(n)
            }
        }
        for t in declared.subtracting(named).sorted() {
            Issue.record("Proofs/coq: Theorem \(t) is named by no Proofs/*.md **Machine-checked:** line (make it a Lemma or name it)")
        }
    }

    @Test("Proofs/README.md's index agrees with the files: ID, status, sharp?, test, machine-checked")
    func indexAgreesWithFiles() throws {
        let files = try proofFiles()
        let index = try String(contentsOf: root.appendingPathComponent("Proofs/README.md"), encoding: .utf8)
        var rows: [String: [String]] = [:]
        for line in index.split(separator: "\n") where line.hasPrefix("| [") || line.hasPrefix("| ") {
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count >= 7, let m = cells[1].firstMatch(of: /^\[?([A-Z]+[0-9]+)\]?/) else { continue }
            rows[String(m.1)] = Array(cells[1...6])
        }
        for f in files {
            guard let row = rows[f.id] else {
                Issue.record("Proofs/README.md has no index row for \(f.id)")
                continue
            }
            #expect(row[0].contains("(\(f.path.replacingOccurrences(of: "Proofs/", with: "")))"), "\(f.id): index row does not link \(f.path)")
            #expect(row[2] == f.line("Status"), "\(f.id): index status '\(row[2])' vs file '\(f.line("Status") ?? "-")'")
            let sharpWord = f.line("Sharp")?.split(separator: " ").first.map(String.init)?.trimmingCharacters(in: .punctuationCharacters)
            #expect(row[3].hasPrefix(sharpWord ?? "?"), "\(f.id): index sharp? '\(row[3])' vs file '\(f.line("Sharp") ?? "-")'")
            #expect(row[4].contains("`\(f.id)`"), "\(f.id): index test column '\(row[4])' does not name suite `\(f.id)`")
            let checkedWord = f.line("Machine-checked")?.split(separator: " ").first.map(String.init)?.trimmingCharacters(in: .punctuationCharacters)
            #expect(row[5].hasPrefix(checkedWord ?? "?"), "\(f.id): index machine-checked '\(row[5])' vs file '\(f.line("Machine-checked") ?? "-")'")
        }
        for id in rows.keys where !files.contains(where: { $0.id == id }) {
            Issue.record("Proofs/README.md indexes \(id), which has no file")
        }
    }
}
