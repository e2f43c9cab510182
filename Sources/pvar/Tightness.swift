// `pvar tightness`: the worst case of a bound, by adversarial search.

import ArgumentParser
import Foundation
import PVarCertify
import PVarCore
import PVarSelect
import PVarStudies
import PVarReport
import PVarVerify

struct Tightness: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Maximise ||grad L|| / bound over instances satisfying the bound's hypotheses (GSL Nelder-Mead).")

    @Option(help: "The statement: B0, B1, B2 or B3.") var bound: BoundID
    @Option(help: "Number of responses K.") var responses: Int = 2
    @Option(help: "Feature dimension d.") var dim: Int = 1
    @Option(help: "Random starts.") var restarts: Int = 16
    @Option(help: "Run seed.") var seed: UInt64 = 1
    @Option(help: "Iteration cap per simplex run.") var iterations: Int = 4000
    @Option(help: "Output format.") var format: OutputFormat = .json
    @Option(help: "Search sequence policies with this vocabulary size V (with --length).") var vocabulary: Int?
    @Option(help: "Sequence length T (with --vocabulary); --dim is the token feature dimension.") var length: Int?

    func validate() throws {
        guard (1...64).contains(responses) else { throw ValidationError("--responses must be in 1...64, got \(responses)") }
        guard (1...16).contains(dim) else { throw ValidationError("--dim must be in 1...16, got \(dim)") }
        guard (1...10_000).contains(restarts) else { throw ValidationError("--restarts must be in 1...10000, got \(restarts)") }
        if (vocabulary == nil) != (length == nil) { throw ValidationError("--vocabulary and --length go together") }
        if vocabulary != nil && responses != 2 {
            throw ValidationError("--responses does not apply to sequence policies (K = V^T); drop it")
        }
        if let v = vocabulary, let t = length {
            guard v >= 1, t >= 1, pow(Double(v), Double(t)) <= 64 else {
                throw ValidationError("--vocabulary V and --length T need V, T >= 1 and V^T <= 64 for the search, got \(v), \(t)")
            }
        }
        guard (1...1_000_000).contains(iterations) else { throw ValidationError("--iterations must be in 1...1000000, got \(iterations)") }
    }

    func run() async throws {
        if let v = vocabulary, let t = length {
            let r = await searchSequenceTightness(bound: bound, vocabulary: v, length: t, dimension: dim,
                                                  restarts: restarts, seed: seed, maxIterations: iterations)
            switch format {
            case .markdown: print(sequenceTightnessMarkdown(r), terminator: "")
            case .json: print(sequenceTightnessJSON(r, seed: seed), terminator: "")
            }
            return
        }
        let result = await searchTightness(bound: bound, responses: responses, dimension: dim,
                                           restarts: restarts, seed: seed, maxIterations: iterations)
        print(format == .json ? tightnessJSON(result) : tightnessMarkdown(result), terminator: "")
    }
}
