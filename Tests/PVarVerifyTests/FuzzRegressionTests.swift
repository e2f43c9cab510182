// Every seed input of the fuzz corpora (Tests/Fuzz/Corpus) and every input a fuzzer or a
// reviewer found a defect with (Tests/Fuzz/Regressions), run through the fuzz targets' bodies in
// `make test`: none may trap, hang or break an invariant.

import Foundation
import PVarFuzzTargets
import PVarTestSupport
import Testing

@Suite("FuzzRegressions")
struct FuzzRegressionTests {
    /// The files of `Tests/Fuzz/<kind>/<target>`, sorted.
    static func files(_ kind: String, _ target: FuzzTarget) -> [URL] {
        let dir = packageRoot.appendingPathComponent("Tests/Fuzz/\(kind)/\(target.rawValue)")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        return names.sorted().map { dir.appendingPathComponent($0) }
    }

    @Test("every seed input and every pinned regression passes its target's body", arguments: FuzzTarget.allCases)
    func corpusAndRegressions(_ target: FuzzTarget) throws {
        let seeds = Self.files("Corpus", target), pinned = Self.files("Regressions", target)
        #expect(!seeds.isEmpty, "no seed corpus for \(target.rawValue)")
        for url in seeds + pinned {
            let bytes = [UInt8](try Data(contentsOf: url))
            #expect(target.run(bytes) == nil, "\(target.rawValue): \(url.lastPathComponent)")
        }
    }
}
