// `pvar bench`: seconds per exact evaluation, per shape; sweep throughput per thread count.

import ArgumentParser
import Foundation
import PVarCore
import PVarSelect
import PVarStudies
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
    @Option(help: "Seconds/eval of the NumPy reference at the reference shape, the largest K <= 4096 (for the report's ratios).") var numpySeconds: Double?
    @Option(help: "Seconds/eval of the scalar C loop with the loss at the reference shape.") var cSeconds: Double?
    @Option(help: "Seconds/eval of the scalar C loop without the loss at the reference shape.") var cSecondsNoLoss: Double?
    @Option(parsing: .upToNextOption, help: "Seconds/eval of the same sweep pinned to one core (one per shape, in order), for the report.")
    var singleCoreSeconds: [Double] = []
    @Option(help: "Write a Markdown report (with an SVG plot beside it) to this path.") var report: String?
    @Option(help: "Tab-separated end-to-end timings at large K for the report (written by make bench; see LargeKTiming).")
    var largeTable: String?

    func validate() throws {
        guard responses.allSatisfy({ (1...maximumResponses).contains($0) }) else {
            throw ValidationError("--responses must be in 1...\(maximumResponses), got \(responses)")
        }
        guard dim.allSatisfy({ (1...1024).contains($0) }) else { throw ValidationError("--dim must be in 1...1024, got \(dim)") }
        guard (1...1000).contains(repetitions) else { throw ValidationError("--repeat must be in 1...1000, got \(repetitions)") }
        guard threads.allSatisfy({ (1...256).contains($0) }) else { throw ValidationError("--threads must be in 1...256, got \(threads)") }
        if !singleCoreSeconds.isEmpty && singleCoreSeconds.count != responses.count * dim.count {
            throw ValidationError("--single-core-seconds needs one value per shape (\(responses.count * dim.count)), got \(singleCoreSeconds.count)")
        }
        for (name, v) in [("--numpy-seconds", numpySeconds), ("--c-seconds", cSeconds), ("--c-seconds-no-loss", cSecondsNoLoss)]
            + singleCoreSeconds.map({ ("--single-core-seconds", Optional($0)) }) {
            if let x = v, !(x > 0 && x.isFinite) { throw ValidationError("\(name) must be a positive number of seconds, got \(x)") }
        }
    }

    /// The bench family (`benchInstance`: moderate logits, every pair in the vector kernel), one
    /// seed per shape and index.
    func problem(_ k: Int, _ d: Int, index: Int = 0) -> Problem {
        benchInstance(responses: k, dimension: d, seed: deriveSeed(seed, [UInt64(k), UInt64(d), UInt64(index)]))
    }

    /// Timed evaluations at K: `--repeat` up to `referenceShapeLimit`, at most 3 above (one
    /// evaluation there takes seconds).
    func repetitions(_ k: Int) -> Int { k <= referenceShapeLimit ? repetitions : min(repetitions, 3) }

    /// Median seconds of `repetitions(K)` evaluations of `p` with `kernel`.
    func median(_ p: Problem, _ kernel: PairKernel) throws -> Double {
        var times: [Double] = []
        for _ in 0..<repetitions(p.responseCount) {
            let start = DispatchTime.now().uptimeNanoseconds
            _ = try Evaluation(p, kernel: kernel)
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9)
        }
        times.sort()
        return times[times.count / 2]
    }

    func run() async throws {
        // The large-K table first: a bad file is an error before minutes of timing, not after.
        var large: [LargeKTiming] = []
        if let path = largeTable {
            do {
                large = try parseLargeKTable(String(decoding: readInput(path, option: "--large-table"), as: UTF8.self))
            } catch let error as CLIError {
                throw error
            } catch {
                throw CLIError("--large-table", error)
            }
        }
        let best = KernelInstructionSet.best
        print("pair kernel: \(best) (this CPU has \(KernelInstructionSet.available.map(\.description).joined(separator: ", ")))")
        var timings: [BenchTiming] = []
        for k in responses {
            for d in dim {
                let t = BenchTiming(responses: k, dimension: d, secondsPerEval: try median(problem(k, d), .fast),
                                    singleCoreSecondsPerEval: singleCoreSeconds.isEmpty ? nil : singleCoreSeconds[timings.count])
                timings.append(t)
                print("K=\(k) d=\(d) seconds/eval=\(significant(t.secondsPerEval, 6)) evals/second=\(significant(1 / t.secondsPerEval, 4))")
            }
        }
        // The reference shape once per instruction set (default first).
        var instructionSets: [(name: String, seconds: Double)] = []
        if let reference = referenceShape(timings) {
            instructionSets.append((best.description, reference.secondsPerEval))
            for set in KernelInstructionSet.available.reversed() where set != best {
                let seconds = try median(problem(reference.responses, reference.dimension), .fastUsing(set))
                instructionSets.append((set.description, seconds))
                print("instruction set \(set): K=\(reference.responses) d=\(reference.dimension) seconds/eval=\(significant(seconds, 6))")
            }
        }
        // Sweep throughput: distinct instances (K = 256, d = 16 as in `pvar check` shapes), N at a time.
        var throughput: [(threads: Int, perSecond: Double)] = []
        for n in threads {
            let count = 64 * n
            let problems = (0..<count).map { problem(256, 16, index: $0) }
            let start = DispatchTime.now().uptimeNanoseconds
            _ = await boundedTaskMap(count, limit: n) { i in (try? Evaluation(problems[i])) != nil }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
            throughput.append((n, Double(count) / seconds))
            print("sweep K=256 d=16 threads=\(n) instances/second=\(significant(Double(count) / seconds, 4))")
        }
        if let reference = referenceShape(timings) {
            let one = reference.singleCoreSecondsPerEval
            if let n = numpySeconds {
                print("NumPy / pvar at K=\(reference.responses) d=\(reference.dimension): \(significant(n / reference.secondsPerEval, 3))x all cores"
                      + (one.map { ", \(significant(n / $0, 3))x one core" } ?? ""))
            }
            if let c = cSeconds {
                print("pvar / C loop (with loss): \(significant(reference.secondsPerEval / c, 3)) all cores" + (one.map { ", \(significant($0 / c, 3)) one core" } ?? ""))
            }
            if let c = cSecondsNoLoss {
                print("pvar / C loop (without loss): \(significant(reference.secondsPerEval / c, 3)) all cores" + (one.map { ", \(significant($0 / c, 3)) one core" } ?? ""))
            }
        }
        if let path = report {
            let references = BenchReferences(numpySeconds: numpySeconds, cSeconds: cSeconds, cSecondsNoLoss: cSecondsNoLoss,
                                             instructionSets: instructionSets, defaultInstructionSet: best.description)
            let files = performanceReport(timings: timings, throughput: throughput, references: references, large: large,
                                          command: "make bench")
            let dir = (path as NSString).deletingLastPathComponent
            for (name, text) in [((path as NSString).lastPathComponent, files.markdown), ("plots/performance.svg", files.svg)] {
                let target = dir.isEmpty ? name : (dir as NSString).appendingPathComponent(name)
                do {
                    try FileManager.default.createDirectory(atPath: (target as NSString).deletingLastPathComponent,
                                                            withIntermediateDirectories: true)
                } catch {
                    throw CLIError("--report", error)
                }
                try writeAtomically(text, to: target, option: "--report")
            }
        }
    }
}
