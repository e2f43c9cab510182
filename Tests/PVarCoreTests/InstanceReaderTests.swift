// The fast instance reader against the full path (JSONDecoder): the same instance, bit for bit.

import Foundation
@testable import PVarCore
import Testing

@Suite("InstanceReader")
struct InstanceReaderTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Both readers on `data`: the same instance (compared as its encoding, so -0.0 and every
    /// bit count), or the same error.
    static func agree(_ data: Data) -> Bool {
        let fast = Result { () throws(InputError) -> String in InstanceFile.encode(try InstanceFile.parse(data)) }
        let full = Result { () throws(InputError) -> String in InstanceFile.encode(try InstanceFile.parse(data, reader: .decoder)) }
        switch (fast, full) {
        case (.success(let a), .success(let b)): return a == b
        case (.failure(let a), .failure(let b)): return a == b
        default: return false
        }
    }

    /// Every instance file in the repository: examples, witnesses, edge cases, fuzz seeds.
    static func repositoryFiles() throws -> [URL] {
        var out: [URL] = []
        for folder in ["Proofs/examples", "Reports/witnesses", "Tests/Reference", "Tests/Fuzz/Corpus/instance"] {
            let dir = root.appendingPathComponent(folder)
            guard let walk = FileManager.default.enumerator(at: dir, includingPropertiesForKeys: nil) else { continue }
            for case let url as URL in walk where !url.hasDirectoryPath && (url.pathExtension == "json" || folder.hasPrefix("Tests/Fuzz")) {
                out.append(url)
            }
        }
        return out
    }

    @Test("every instance file in the repository reads the same by both readers (and most by the fast one)")
    func repositoryFilesAgree() throws {
        let files = try Self.repositoryFiles()
        #expect(files.count >= 40, "\(files.count) files")
        var fast = 0
        for url in files {
            let data = try Data(contentsOf: url)
            #expect(Self.agree(data), "\(url.path)")
            if InstanceFile.fastReaderAccepts(data) { fast += 1 }
        }
        // The sequence and exported forms and the malformed seeds go to the full path; the rest
        // (most files) are read fast, so the comparison compares two readers.
        #expect(fast * 2 > files.count, "only \(fast) of \(files.count) files were read by the fast reader")
    }

    @Test("numbers in every JSON spelling, whitespace anywhere, -0, subnormals, 17+ digits: the same doubles")
    func spellings() throws {
        let numbers = ["0", "-0", "-0.0", "1", "1.0", "1e0", "1E+0", "10e-1", "0.1", "0.30000000000000004", "2.2250738585072014e-308",
                       "4.9e-324", "5e-324", "2.4703282292062328e-324", "1.7976931348623157e308", "123456789012345678901234567890",
                       "0.1000000000000000055511151231257827021181583404541015625", "9007199254740993", "3.141592653589793238462643383279"]
        for (n, x) in numbers.enumerated() {
            let texts = [
                #"{"beta": 1, "theta": [\#(x), 0], "reference": [0.5, 0.5], "rewards": [\#(x), -\#(x)]}"#,
                "{ \"rewards\" :[\(x) ,0 ] ,\n\t\"reference\":[0.5,0.5],\"theta\":[0 , \(x)],\r\n \"beta\":1 , \"pairs\": [0.25, 0.75], \"features\": null }\n",
                #"{"beta": 2, "features": [[\#(x), 1], [0, -\#(x)]], "theta": [0.5, \#(x)], "reference": [0.5, 0.5], "rewards": [0, 1], "pairs": "reference"}"#,
            ]
            for t in texts {
                #expect(Self.agree(Data(t.utf8)), "number \(n): \(x) in \(t)")
                // ("-\(x)" of a negative x is "--...", not JSON: both readers refuse it.)
                #expect(InstanceFile.fastReaderAccepts(Data(t.utf8)) != t.contains("--"), "number \(n): \(x) in \(t)")
            }
        }
    }

    @Test("what the fast reader leaves to the full path gives the full path's errors")
    func malformedAgree() {
        let bad = [
            "", "{", "}", "[]", "null", #"{"beta": 1}"#, #"{"beta": "1", "theta": [0], "reference": [1], "rewards": [0]}"#,
            #"{"beta": 1, "theta": [0], "reference": [1], "rewards": [0], "extra": 1}"#,
            #"{"beta": 1, "beta": 1, "theta": [0], "reference": [1], "rewards": [0]}"#,
            #"{"beta": 1e400, "theta": [0], "reference": [1], "rewards": [0]}"#,
            #"{"beta": 1e-400, "theta": [0], "reference": [1], "rewards": [0]}"#,
            #"{"beta": 01, "theta": [0], "reference": [1], "rewards": [0]}"#,
            #"{"beta": 1., "theta": [0], "reference": [1], "rewards": [0]}"#,
            #"{"beta": +1, "theta": [0], "reference": [1], "rewards": [0]}"#,
            #"{"beta": 1, "theta": [0,], "reference": [1], "rewards": [0]}"#,
            #"{"beta": 1, "theta": [0], "reference": [1], "rewards": [0]} x"#,
            #"{"be\u0074a": 1, "theta": [0], "reference": [1], "rewards": [0]}"#,
            #"{"beta": 1, "theta": [0], "reference": [1], "rewards": [0], "pairs": "uniform"}"#,
            #"{"beta": 1, "features": [[1], [2, 3]], "theta": [0], "reference": [0.5, 0.5], "rewards": [0, 1]}"#,
            #"{"beta": -1, "theta": [0, 0], "reference": [0.5, 0.5], "rewards": [0, 1]}"#,
            #"{"beta": 1, "theta": [0, 0], "reference": [0.5, 0.6], "rewards": [0, 1]}"#,
            #"{"beta": 1, "theta": [0, 0], "reference": [0.5, 0.5], "rewards": [0, 1], "pairs": [1, -0.5, 0.5]}"#,
        ]
        for text in bad {
            #expect(Self.agree(Data(text.utf8)), "\(text)")
        }
    }

    @Test("generated instances of every regime and family, and a large one, read the same")
    func generatedAgree() throws {
        var state: UInt64 = 0x9E3779B97F4A7C15
        func next() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return (Double(state >> 11) / Double(1 << 53) - 0.5) * pow(10, Double(Int(state % 13)) - 6)
        }
        for k in [1, 2, 7, 64, 3000] {
            let d = 3
            let features = (0..<k).map { _ in (0..<d).map { _ in next() } }
            let p = try Problem(beta: abs(next()) + 1e-3, features: features, theta: (0..<d).map { _ in next() },
                                reference: [Double](repeating: 1 / Double(k), count: k), rewards: (0..<k).map { _ in next() })
            #expect(Self.agree(Data(InstanceFile.encode(p).utf8)) && InstanceFile.fastReaderAccepts(Data(InstanceFile.encode(p).utf8)), "K = \(k)")
        }
    }

    /// A features array of at least `FastInstanceReader.parallelFeatureBytes` bytes (K = 2048,
    /// d = 32, 17-digit entries: about 1.3 MB), written with `spacing` between rows.
    static func largeText(rowSeparator: String = ", ") throws -> String {
        var state: UInt64 = 0x2545F4914F6CDD1D
        func next() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 53) - 0.5
        }
        let k = 2048, d = 32
        let rows = (0..<k).map { _ in "[" + (0..<d).map { _ in "\(next())" }.joined(separator: ", ") + "]" }
        let text = #"{"beta": 0.5, "features": ["# + rows.joined(separator: rowSeparator) + #"], "theta": ["#
            + (0..<d).map { _ in "\(next())" }.joined(separator: ", ") + #"], "reference": ["#
            + [String](repeating: "\(1 / Double(k))", count: k).joined(separator: ", ") + #"], "rewards": ["#
            + (0..<k).map { _ in "\(next())" }.joined(separator: ", ") + "]}"
        try #require(text.utf8.count > FastInstanceReader.parallelFeatureBytes)
        return text
    }

    @Test("a features array above the parallel threshold is read by the concurrent row parser: the same instance as the full path")
    func largeFeaturesAgree() throws {
        for separator in [", ", ",", " ,\n  ", "\t,\t"] {
            let data = Data(try Self.largeText(rowSeparator: separator).utf8)
            #expect(InstanceFile.fastReaderAccepts(data), "separator \(separator.debugDescription)")
            #expect(Self.agree(data), "separator \(separator.debugDescription)")
        }
    }

    @Test("a large features array that is not the plain form goes to the full path and gets its error", arguments: [
        ("], [", "] [", "a missing comma between rows"),
        ("], [", "],, [", "a doubled comma"),
        ("], [", "], [[", "deeper nesting"),
        ("], [", "], \"x\", [", "a string between rows"),
        ("], [", "]\u{0}, [", "a control byte"),
    ])
    func largeFeaturesMalformed(find: String, replace: String, what: String) throws {
        let text = try Self.largeText()
        let broken = text.replacingOccurrences(of: find, with: replace, options: [], range: text.range(of: find))
        let data = Data(broken.utf8)
        #expect(!InstanceFile.fastReaderAccepts(data), "\(what)")
        #expect(Self.agree(data), "\(what)")
    }
}
