// The module table holds: every `import` under Sources/ and Tests/ is one its module may make.

import Foundation
import Testing

/// The modules a Swift file imports: `import X`, `@testable import X`, `import struct X.Y`,
/// `@_implementationOnly import X`, with `#if canImport(...)` branches counted as imports; lines
/// inside multi-line string literals (`\"\"\"`) are text, not imports.
func importedModules(_ source: String) -> [String] {
    var modules: [String] = []
    var inString = false
    for raw in source.split(separator: "\n", omittingEmptySubsequences: false) {
        // Code before a `//` comment counts; a `"""` inside the comment does not open a string.
        let code = raw.range(of: "//").map { String(raw[..<$0.lowerBound]) } ?? String(raw)
        let quotes = code.components(separatedBy: "\"\"\"").count - 1
        defer { if quotes % 2 == 1 { inString.toggle() } }
        if inString || quotes > 0 { continue }
        var words = code.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        // Attributes (`@testable`, `@_exported`, `@_spi(X)`, ...) and access levels (`public import`, ...).
        let accessLevels: Set<String> = ["public", "package", "internal", "fileprivate", "private", "open"]
        func isAttribute(_ w: String) -> Bool {   // `@name` or `@name(arguments)`, not `@Test("...`
            w.hasPrefix("@") && !w.contains("\"") && w.dropFirst().prefix { $0 != "(" }.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" }
        }
        while let first = words.first, isAttribute(first) || accessLevels.contains(first) { words.removeFirst() }
        guard words.first == "import", words.count >= 2 else { continue }
        let kinds: Set<String> = ["struct", "class", "enum", "protocol", "func", "var", "let", "typealias"]
        let path = kinds.contains(words[1]) && words.count >= 3 ? words[2] : words[1]
        modules.append(String(path.split(separator: ".").first ?? Substring(path)))
    }
    return modules
}

/// The `**May import:**` row of a module README: the backquoted names on that line.
func documentedImports(_ readme: String) -> Set<String>? {
    guard let line = readme.split(separator: "\n").first(where: { $0.hasPrefix("**May import:**") }) else { return nil }
    let parts = line.split(separator: "`")
    return Set(stride(from: 1, to: parts.count, by: 2).map { String(parts[$0]) })
}

/// Every violation in a module: `file: import X` for each import outside `allowed`.
func violations(files: [(name: String, text: String)], allowed: Set<String>) -> [String] {
    files.flatMap { file in
        importedModules(file.text).filter { !allowed.contains($0) }.map { "\(file.name): import \($0)" }
    }
}

private func swiftFiles(in directory: URL) -> [(name: String, text: String)] {
    let names = (FileManager.default.enumerator(atPath: directory.path)?.allObjects as? [String] ?? [])
        .filter { $0.hasSuffix(".swift") }.sorted()
    return names.compactMap { name in
        (try? String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)).map { (name, $0) }
    }
}

private func readme(_ module: String) -> String? {
    try? String(contentsOf: packageRoot.appendingPathComponent("Sources/\(module)/README.md"), encoding: .utf8)
}

/// The Swift library modules and the tool, each with its README row.
private let swiftModules = ["PVarCore", "PVarSelect", "PVarGSL", "PVarCertify", "PVarVerify", "PVarStudies", "PVarReport",
                            "PVarServe", "PVarServeMain", "pvar"]

/// Platform modules any test may import besides the module it tests.
private let testPlatform: Set<String> = ["Foundation", "FoundationNetworking", "Testing", "Dispatch", "Glibc", "Darwin"]

/// What each test target tests: its module, plus the shared support target.
private let testTargets: [String: [String]] = [
    "PVarCoreTests": ["PVarCore"],
    "PVarSelectTests": ["PVarSelect", "PVarTestSupport"],
    "PVarCertifyTests": ["PVarCertify"],
    "PVarVerifyTests": ["PVarVerify", "PVarTestSupport", "PVarFuzzTargets"],
    "PVarStudiesTests": ["PVarStudies", "PVarTestSupport"],
    "PVarReportTests": ["PVarReport"],
    "PVarTestSupport": ["PVarGSL"],
    "PVarCLITests": ["PVarTestSupport"],
    "PVarServeTests": ["PVarServe", "PVarTestSupport", "HummingbirdTesting"],
]

/// A module and everything its README row allows, transitively (the row's Swift modules' rows).
private func closure(of modules: [String]) -> Set<String> {
    var seen = Set<String>()
    var stack = modules
    while let m = stack.popLast() {
        guard seen.insert(m).inserted else { continue }
        if m == "PVarTestSupport" { stack.append(contentsOf: ["PVarCore", "PVarGSL"]); continue }
        // The fuzz targets' bodies (Tests/Fuzz/Targets) reach the modules whose inputs they fuzz.
        if m == "PVarFuzzTargets" { stack.append(contentsOf: ["PVarCore", "PVarSelect", "PVarCertify", "PVarVerify"]); continue }
        if let text = readme(m), let allowed = documentedImports(text) { stack.append(contentsOf: allowed) }
    }
    return seen
}

@Suite("Architecture")
struct ArchitectureTests {
    @Test("every Swift module under Sources/ has a README with a May-import row, and the list here is complete")
    func everyModuleIsDocumented() throws {
        let onDisk = try FileManager.default.contentsOfDirectory(atPath: packageRoot.appendingPathComponent("Sources").path)
            .filter { !swiftFiles(in: packageRoot.appendingPathComponent("Sources/\($0)")).isEmpty }
        #expect(Set(onDisk) == Set(swiftModules), "Swift modules on disk \(onDisk.sorted()) vs documented \(swiftModules)")
        for m in swiftModules {
            #expect(readme(m).flatMap(documentedImports) != nil, "Sources/\(m)/README.md has no **May import:** row")
        }
    }

    @Test("every import under Sources/ is allowed by its module's README row", arguments: swiftModules)
    func sourcesImportOnlyWhatTheirRowAllows(module: String) throws {
        let allowed = try #require(readme(module).flatMap(documentedImports))
        let files = swiftFiles(in: packageRoot.appendingPathComponent("Sources/\(module)"))
        #expect(!files.isEmpty)
        let found = violations(files: files, allowed: allowed)
        #expect(found.isEmpty, "Sources/\(module) imports outside its row \(allowed.sorted()): \(found)")
    }

    @Test("every test target imports only the module it tests, what that module may import, and the test support")
    func testsReachOnlyIntoTheirModule() throws {
        let onDisk = try FileManager.default.contentsOfDirectory(atPath: packageRoot.appendingPathComponent("Tests").path)
            .filter { !swiftFiles(in: packageRoot.appendingPathComponent("Tests/\($0)")).isEmpty && $0 != "Bench" && $0 != "Fuzz" }
        #expect(Set(onDisk) == Set(testTargets.keys), "test targets on disk \(onDisk.sorted())")
        for (target, tested) in testTargets {
            let allowed = closure(of: tested).union(testPlatform)
            let found = violations(files: swiftFiles(in: packageRoot.appendingPathComponent("Tests/\(target)")), allowed: allowed)
            #expect(found.isEmpty, "Tests/\(target) reaches outside \(tested): \(found)")
        }
    }

    @Test("the checker flags a planted violation and reads every import form")
    func checkerCatchesViolations() {
        let q = String(repeating: "\"", count: 3)
        let text = [
            "import Foundation", "@testable import PVarCore", "import struct PVarGSL.RandomSource",
            "#if canImport(Glibc)", "import Glibc", "#endif", "// import NotAnImport", "let importance = 1",
            "@Test(\"every import under Sources/\")", "let text = \(q)", "import InsideAString", "\(q)",
            "internal import CArb", "@_spi(Kernel) public import CPairKernel", "package import CGSL",
            "// a comment with \(q) does not open a string", "@_exported import PVarVerify",
        ].joined(separator: "\n")
        #expect(importedModules(text) == ["Foundation", "PVarCore", "PVarGSL", "Glibc", "CArb", "CPairKernel", "CGSL", "PVarVerify"])
        #expect(violations(files: [("A.swift", text)], allowed: ["Foundation", "PVarCore", "Glibc", "CArb", "CPairKernel", "CGSL"])
                == ["A.swift: import PVarGSL", "A.swift: import PVarVerify"])
        #expect(documentedImports("x\n**May import:** `PVarCore`, `CGSL`\n") == ["PVarCore", "CGSL"])
    }
}
