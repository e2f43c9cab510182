// `pvar bench`: seconds per exact evaluation, per shape; sweep throughput per thread count.

import ArgumentParser
import Foundation
import PVarCore
import PVarGSL
import PVarReport

struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Time the exact evaluation (all quantities) on seeded instances, one line per shape.")

    @Option(parsing: .upToNextOption, help: "Numbers of responses K.") var responses: [Int] = [64, 256, 1024, 4096]
    @Option(parsing: .upToNextOption, help: "Dimensions d.") var dim: [Int] = [64]
    @Option(name: .customLong("repeat"), help: "Timed evaluations per shape (the median is printed).") var repetitions: Int = 5
    @Option(parsing: .upToNextOption, help: "Thread counts for the sweep throughput (instances/second).") var threads: [Int] = []
    @Option(help: "Run seed.") var seed: UInt64 = 1
    @Option(help: "Seconds/eval of the NumPy reference at the largest shape (for the report's ratios).") var numpySeconds: Double?
    @Option(help: "Seconds/eval of the scalar C loop with the loss at the largest shape.") var cSeconds: Double?
    @Option(help: "Seconds/eval of the scalar C loop without the loss at the largest shape.") var cSecondsNoLoss: Double?
    @Option(help: "Write a Markdown report (with an SVG plot beside it) to this path.") var report: String?

    func validate() throws {
        guard responses.allSatisfy({ (1...maximumResponses).contains($0) }) else {
            throw ValidationError("--responses must be in 1...\(maximumResponses), got \(responses)")
        }
        guard dim.allSatisfy({ (1...1024).contains($0) }) else { throw ValidationError("--dim must be in 1...1024, got \(dim)") }
        guard (1...1000).contains(repetitions) else { throw ValidationError("--repeat must be in 1...1000, got \(repetitions)") }
        guard threads.allSatisfy({ (1...256).contains($0) }) else { throw ValidationError("--threads must be in 1...256, got \(threads)") }
        for (name, v) in [("--numpy-seconds", numpySeconds), ("--c-seconds", cSeconds), ("--c-seconds-no-loss", cSecondsNoLoss)] {
            if let x = v, !(x > 0 && x.isFinite) { throw ValidationError("\(name) must be a positive number of seconds, got \(x)") }
        }
    }

    func problem(_ k: Int, _ d: Int, index: Int = 0) -> Problem {
        InstanceGenerator(runSeed: seed, limits: GeneratorLimits(responses: k...k, dimension: d...d)).instance(.onPolicy, .gaussian, index: index)
    }

    func run() async throws {
        var timings: [BenchTiming] = []
        for k in responses {
            for d in dim {
                let p = problem(k, d)
                var times: [Double] = []
                for _ in 0..<repetitions {
                    let start = DispatchTime.now().uptimeNanoseconds
                    _ = try Evaluation(p)
                    times.append(Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9)
                }
                times.sort()
                let t = BenchTiming(responses: k, dimension: d, secondsPerEval: times[times.count / 2])
                timings.append(t)
                print("K=\(k) d=\(d) seconds/eval=\(String(format: "%.6g", t.secondsPerEval)) evals/second=\(String(format: "%.4g", 1 / t.secondsPerEval))")
            }
        }
        // Sweep throughput: distinct instances (K = 256, d = 16 as in `pvar check` shapes), N at a time.
        var throughput: [(threads: Int, perSecond: Double)] = []
        for n in threads {
            let count = 64 * n
            let problems = (0..<count).map { problem(256, 16, index: $0) }
            let start = DispatchTime.now().uptimeNanoseconds
            await withTaskGroup(of: Void.self) { group in
                for t in 0..<n {
                    group.addTask {
                        for i in stride(from: t, to: count, by: n) { _ = try? Evaluation(problems[i]) }
                    }
                }
            }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
            throughput.append((n, Double(count) / seconds))
            print("sweep K=256 d=16 threads=\(n) instances/second=\(String(format: "%.4g", Double(count) / seconds))")
        }
        if let largest = timings.max(by: { $0.responses * $0.dimension < $1.responses * $1.dimension }) {
            if let n = numpySeconds { print("NumPy / pvar at K=\(largest.responses) d=\(largest.dimension): \(String(format: "%.1f", n / largest.secondsPerEval))x") }
            if let c = cSeconds { print("pvar / C loop (with loss): \(String(format: "%.2f", largest.secondsPerEval / c))") }
            if let c = cSecondsNoLoss { print("pvar / C loop (without loss): \(String(format: "%.2f", largest.secondsPerEval / c))") }
        }
        if let path = report {
            let files = performanceReport(timings: timings, throughput: throughput, numpySeconds: numpySeconds,
                                          cSeconds: cSeconds, cSecondsNoLoss: cSecondsNoLoss,
                                          command: "make bench")
            let dir = (path as NSString).deletingLastPathComponent
            for (name, text) in [((path as NSString).lastPathComponent, files.markdown), ("plots/performance.svg", files.svg)] {
                let target = dir.isEmpty ? name : (dir as NSString).appendingPathComponent(name)
                try? FileManager.default.createDirectory(atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                try writeAtomically(text, to: target, option: "--report")
            }
        }
    }
}
