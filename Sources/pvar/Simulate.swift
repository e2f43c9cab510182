// `pvar simulate`: the paper's selection experiment in a synthetic world (issue 7, section 1).

import ArgumentParser
import Foundation
import PVarReport
import PVarStudies
import PVarVerify

struct Simulate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Select prompts by estimated PVar, train DPO exactly on them and evaluate on held-out prompts.",
        discussion: """
            Strategies: top 10%, random 10%, bottom 10%, full set, top 25%, top 50% by PVar estimated from the \
            reward model's scores of --sample-size responses drawn from the starting policy. Every strategy gets the \
            same steps and learning rate. Prints the held-out expected true reward and win rate against the \
            reference, mean [95% CI] over the seeds, per strategy and reward-model noise level. The result does \
            not depend on --threads.
            """)

    @Option(help: "Training prompts M (the pool the strategies select from).") var prompts: Int = SimulationConfiguration().prompts
    @Option(help: "Held-out prompts for the evaluation.") var heldOut: Int = SimulationConfiguration().heldOutPrompts
    @Option(help: "Candidate responses K per prompt.") var responses: Int = SimulationConfiguration().responses
    @Option(help: "Features d per response.") var dim: Int = SimulationConfiguration().dimension
    @Option(help: "Responses n sampled per prompt for its PVar estimate.") var sampleSize: Int = SimulationConfiguration().sampleSize
    @Option(help: "Seeds (independent worlds); confidence intervals are over them.") var seeds: Int = SimulationConfiguration().seeds
    @Option(help: "Gradient steps (the same for every strategy).") var steps: Int = SimulationConfiguration().steps
    @Option(help: "Learning rate (the same for every strategy).") var learningRate: Double = SimulationConfiguration().learningRate
    @Option(parsing: .upToNextOption, help: "Reward-model noise levels sigma (standard deviations of its errors).")
    var noise: [Double] = SimulationConfiguration().noiseLevels
    @Option(help: "Run seed.") var seed: UInt64 = 1
    @Option(help: "Output format.") var format: OutputFormat = .markdown
    @OptionGroup var threads: ThreadOptions

    var settings: SimulationConfiguration {
        var c = SimulationConfiguration()
        c.prompts = prompts
        c.heldOutPrompts = heldOut
        c.responses = responses
        c.dimension = dim
        c.sampleSize = sampleSize
        c.seeds = seeds
        c.steps = steps
        c.learningRate = learningRate
        c.noiseLevels = noise
        return c
    }

    func validate() throws {
        do { try settings.validate() } catch { throw ValidationError("--" + error.description) }
    }

    func run() async throws {
        let result: SimulationResult
        do {
            result = try await runSimulation(settings, runSeed: seed, threads: threads.threads)
        } catch {
            throw CLIError("--" + error.description)
        }
        switch format {
        case .json: print(result.json(), terminator: "")
        case .markdown: print(result.settingsLine + ".\n\n" + result.headlineMarkdown(), terminator: "")
        }
    }
}
