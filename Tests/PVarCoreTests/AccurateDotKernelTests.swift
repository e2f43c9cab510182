// The C Dot2 kernels behind the anchored logits and Phi^T c against the Swift `Dot2`
// (`AccurateDotAccumulator`, `accurateDot`), bit for bit, on every instruction set.

@testable import PVarCore
import Testing

@Suite("AccurateDotKernel")
struct AccurateDotKernelTests {
    /// Deterministic pseudo-random doubles spanning many binades (xorshift; no GSL in PVarCore).
    struct Numbers {
        var state: UInt64
        mutating func next() -> Double {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            let u = Double(state >> 11) / 9007199254740992.0
            let e = Double(Int(state % 40) - 20)
            return (u - 0.5) * pow2(e)
        }
        func pow2(_ e: Double) -> Double { Double(sign: .plus, exponent: Int(e), significand: 1) }
    }

    @Test("anchored logits and Phi^T c equal the Swift Dot2 bit for bit (K, d not multiples of 8; near-identical rows; every instruction set)")
    func matchesSwiftDot2() throws {
        var rng = Numbers(state: 0x9E3779B97F4A7C15)
        for (k, d) in [(1, 1), (3, 5), (13, 11), (8, 8), (17, 64), (40, 3)] {
            var features = (0..<k).map { _ in (0..<d).map { _ in rng.next() } }
            if k > 2 { features[2] = features[1].map { $0 * (1 + 0x1p-40) } }   // near-identical rows
            let theta = (0..<d).map { _ in rng.next() }
            let p = try Problem(beta: 1, features: features, theta: theta,
                                reference: [Double](repeating: 1 / Double(k), count: k), rewards: [Double](repeating: 0, count: k))
            let phi = FeatureMatrix(p)
            let c = (0..<k).map { _ in rng.next() }
            for anchor in [0, k - 1] {
                let expectedLogits = (0..<k).map { y in
                    var acc = AccurateDotAccumulator()
                    for j in 0..<d {
                        let s = twoSum(features[y][j], -features[anchor][j])
                        acc.add(s.hi, theta[j])
                        acc.add(s.lo, theta[j])
                    }
                    return acc.doubleDouble
                }
                for set in KernelInstructionSet.available {
                    let logits = phi.anchoredLogitsDoubleDouble(theta: theta, anchor: anchor, instructionSet: set)
                    #expect(logits.map(\.hi) == expectedLogits.map(\.hi) && logits.map(\.lo) == expectedLogits.map(\.lo),
                            "K = \(k), d = \(d), anchor \(anchor), \(set): anchored logits differ")
                }
            }
            // Phi^T c anchors at argmax |c| itself.
            let a = argmax(c.map(abs))
            let expectedColumns = (0..<d).map { j in
                let column = (0..<k).map { features[$0][j] - features[a][j] }
                return column.withUnsafeBufferPointer { x in c.withUnsafeBufferPointer { accurateDot(x, $0) } }
            }
            for set in KernelInstructionSet.available {
                #expect(phi.transposeTimesZeroSum(c, instructionSet: set) == expectedColumns, "K = \(k), d = \(d), \(set): Phi^T c differs")
            }
        }
    }
}
