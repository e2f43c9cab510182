// `parallelMap`: the same array as a serial map, for every length and chunking.

@testable import PVarCore
import Testing

@Suite("ParallelMap")
struct ParallelMapTests {
    @Test("parallelMap equals the serial map for n = 0...40 (fewer, equal and more entries than chunks), forced parallel")
    func matchesSerialMap() {
        for n in 0...40 {
            let f = { (i: Int) in Double(i) * 1.5 - Double(i * i) }
            #expect(parallelMap(n, minimum: 1, f) == (0..<n).map(f), "n = \(n)")
            #expect(parallelMap(n, minimum: .max, f) == (0..<n).map(f), "n = \(n), serial")
        }
    }
}
