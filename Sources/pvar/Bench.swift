// `pvar bench`: seconds per exact evaluation, per shape.

import ArgumentParser
import Foundation
import PVarCore
import PVarGSL

struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Time the exact evaluation (all quantities) on seeded instances, one line per shape.")

    @Option(parsing: .upToNextOption, help: "Numbers of responses K.") var responses: [Int] = [64, 256, 1024, 4096]
    @Option(parsing: .upToNextOption, help: "Dimensions d.") var dim: [Int] = [64]
    @Option(name: .customLong("repeat"), help: "Timed evaluations per shape (the median is printed).") var repetitions: Int = 5
    @Option(help: "Run seed.") var seed: UInt64 = 1

    func validate() throws {
        guard responses.allSatisfy({ (1...maximumResponses).contains($0) }) else {
            throw ValidationError("--responses must be in 1...\(maximumResponses), got \(responses)")
        }
        guard dim.allSatisfy({ (1...1024).contains($0) }) else { throw ValidationError("--dim must be in 1...1024, got \(dim)") }
        guard (1...1000).contains(repetitions) else { throw ValidationError("--repeat must be in 1...1000, got \(repetitions)") }
    }

    func run() async throws {
        for k in responses {
            for d in dim {
                let limits = GeneratorLimits(responses: k...k, dimension: d...d)
                let problem = InstanceGenerator(runSeed: seed, limits: limits).instance(.onPolicy, .gaussian, index: 0)
                var times: [Double] = []
                var sink = 0.0
                for _ in 0..<repetitions {
                    let start = DispatchTime.now().uptimeNanoseconds
                    let e = try Evaluation(problem)
                    times.append(Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9)
                    sink += e.gradientNorm
                }
                times.sort()
                let median = times[times.count / 2]
                print("K=\(k) d=\(d) seconds/eval=\(String(format: "%.6g", median)) evals/second=\(String(format: "%.4g", 1 / median))"
                      + (sink.isFinite ? "" : " (non-finite)"))
            }
        }
    }
}
