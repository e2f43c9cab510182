// The performance report's inputs: the large-K table `make bench` writes, the cost model and
// its predictions beyond the fit.

import Foundation
@testable import PVarReport
import Testing

@Suite("PerformanceReport")
struct PerformanceReportTests {
    static let header = largeKTableColumns.joined(separator: "\t")

    @Test("the large-K table: rows parse, '-' is not measured (timings of other programs only)")
    func largeTableParses() throws {
        let rows = try parseLargeKTable(Self.header + "\n16384\t0.65\t0.95\t1.75\t0.355\t-\n65536\t5.4\t-\t31.2\t6.1\t-\n")
        #expect(rows == [
            LargeKTiming(responses: 16384, evaluateSeconds: 0.65, evaluateOneCoreSeconds: 0.95, cSeconds: 1.75, cSecondsNoLoss: 0.355, numpySeconds: nil),
            LargeKTiming(responses: 65536, evaluateSeconds: 5.4, evaluateOneCoreSeconds: nil, cSeconds: 31.2, cSecondsNoLoss: 6.1, numpySeconds: nil),
        ])
    }

    @Test("a malformed large-K table is one error naming the line and the field", arguments: [
        ("", "line 1: expected the header"),
        ("K\tevaluate\n", "line 1: expected the header"),
        (header + "\n16384\t0.65\t0.95\t1.75\t0.355\n", "line 2: expected 6 tab-separated fields, got 5"),
        (header + "\nmany\t0.65\t0.95\t1.75\t0.355\t-\n", "line 2: K must be an integer >= 2, got 'many'"),
        (header + "\n16384\t-\t0.95\t1.75\t0.355\t-\n", "line 2: evaluate must be a positive number of seconds, got '-'"),
        (header + "\n16384\t0.65\t0\t1.75\t0.355\t-\n", "line 2: evaluate_one_core must be a positive number of seconds or -, got '0'"),
        (header + "\n16384\t0.65\t0.95\tnan\t0.355\t-\n", "line 2: c_loop must be a positive number of seconds or -, got 'nan'"),
        (header + "\n4096\t0.1\t0.2\t0.1\t0.02\t1\n16384\t0.65\t0.95\t1.75\t0.355\tinf\n", "line 3: numpy must be a positive number of seconds or -, got 'inf'"),
    ])
    func largeTableErrors(text: String, message: String) {
        #expect(throws: LargeKTableError.self) { try parseLargeKTable(text) }
        do {
            _ = try parseLargeKTable(text)
        } catch {
            #expect(error.description.hasPrefix(message), "\(error.description)")
        }
    }

    /// Timings that follow `t = a K^2 + c K` exactly (one core), at K = 256 ... 4096 and beyond.
    static func exactTimings(a: Double, c: Double, ks: [Int]) -> [BenchTiming] {
        ks.map { k in
            let t = a * Double(k) * Double(k) + c * Double(k)
            return BenchTiming(responses: k, dimension: 64, secondsPerEval: t / 2, singleCoreSecondsPerEval: t)
        }
    }

    @Test("the cost model is fitted on 256 <= K <= 4096 only and recovers exact coefficients")
    func costModelFit() throws {
        let a = 1.7e-9, c = 9e-7
        var timings = Self.exactTimings(a: a, c: c, ks: [64, 128, 256, 512, 1024, 2048, 4096])
        // Beyond the fit: three times slower than the model; K = 64, 128 are off the model too.
        timings += Self.exactTimings(a: 3 * a, c: 3 * c, ks: [16384, 65536])
        timings[0] = BenchTiming(responses: 64, dimension: 64, secondsPerEval: 1, singleCoreSecondsPerEval: 1)
        let model = try #require(benchCostModel(timings))
        #expect(model.oneCore)
        #expect(abs(model.a - a) <= 1e-9 * a)
        #expect(abs(model.c - c) <= 1e-6 * c)
        #expect(referenceShape(timings)?.responses == referenceShapeLimit)
        // The report states each prediction beyond the fit next to the measurement (ratio 3).
        let report = performanceReport(timings: timings, throughput: [], references: BenchReferences(
            numpySeconds: nil, cSeconds: nil, cSecondsNoLoss: nil, instructionSets: [], defaultInstructionSet: "AVX-512"),
            command: "test").markdown
        let predicted = a * 16384 * 16384 + c * 16384
        #expect(report.contains("| 16384 | \(significant(predicted, 4)) s | \(significant(3 * predicted, 4)) s | 3 |"), "\(report)")
        #expect(report.contains("| 65536 |"))
        #expect(report.contains("\(significant(2 * a * 1e9, 4)) ns per unordered pair"))
    }

    @Test("without two shapes in 256...4096 there is no cost model")
    func noModel() {
        #expect(benchCostModel(Self.exactTimings(a: 1e-9, c: 1e-6, ks: [64, 4096, 16384])) == nil)
    }
}
