// What `pvar simulate` prints and `selection.md` states: the headline tables, the settings line and
// the JSON form of a simulation result.

import Foundation
import PVarCore
import PVarStudies

extension SimulationResult {
    /// The headline tables (Markdown): held-out expected true reward and win rate against the
    /// reference after the last step, per strategy and reward-model noise level, as
    /// `mean [95% CI]` over the seeds.
    public func headlineMarkdown() -> String {
        let c = configuration
        let levels = c.noiseLevels.indices
        func cell(_ m: MeanInterval) -> String { "\(fixed(m.mean, 3)) [\(fixed(m.lower, 3)), \(fixed(m.upper, 3))]" }
        let header = "| strategy | prompts | " + c.noiseLevels.map { "sigma = \(shortest($0))" }.joined(separator: " | ") + " |\n"
            + "|---|---|" + String(repeating: "---|", count: c.noiseLevels.count) + "\n"
        var out = ""
        for metric in SimulationMetric.allCases {
            out += "Held-out \(metric.label) after \(c.steps) steps (mean [95% CI] over \(c.seeds) seeds):\n\n" + header
            if metric == .expectedReward {
                out += "| starting policy | - | " + levels.map { cell(summary(noiseIndex: $0) { $0.referenceReward }) }
                    .joined(separator: " | ") + " |\n"
            }
            for s in SelectionStrategy.allCases {
                out += "| \(s.label) | \(s.selectedCount(of: c.prompts)) | "
                    + levels.map { cell(summary(noiseIndex: $0, s, metric)) }.joined(separator: " | ") + " |\n"
            }
            if metric == .expectedReward {
                out += "| best response (ceiling) | - | " + levels.map { cell(summary(noiseIndex: $0) { $0.bestResponseReward }) }
                    .joined(separator: " | ") + " |\n"
            }
            out += "\n"
        }
        return out
    }

    /// One line with every setting (for the head of a table or report).
    public var settingsLine: String {
        let c = configuration
        return "M = \(c.prompts) training prompts, \(c.heldOutPrompts) held-out, K = \(c.responses) responses, "
            + "d = \(c.dimension) features, PVar from n = \(c.sampleSize) sampled responses, beta = \(shortest(c.beta)), "
            + "\(c.steps) steps of gradient descent with learning rate \(shortest(c.learningRate)), \(c.seeds) seeds, "
            + "run seed \(runSeed)"
    }

    /// The result as JSON: settings, then per noise level and strategy the final metrics with
    /// their intervals, the initial gradient norm and the true PVar of the selected prompts, the
    /// selection diagnostics and the claim comparisons. Numbers in the shortest round-trip form.
    public func json() -> String {
        let c = configuration
        let f = InstanceFile.format
        func interval(_ m: MeanInterval) -> String {
            "{\"mean\": \(f(m.mean)), \"lower\": \(f(m.lower)), \"upper\": \(f(m.upper))}"
        }
        var lines: [String] = []
        lines.append("\"runSeed\": \(runSeed)")
        lines.append("\"settings\": {\"prompts\": \(c.prompts), \"heldOutPrompts\": \(c.heldOutPrompts), "
                     + "\"responses\": \(c.responses), \"dimension\": \(c.dimension), \"sampleSize\": \(c.sampleSize), "
                     + "\"seeds\": \(c.seeds), \"steps\": \(c.steps), \"learningRate\": \(f(c.learningRate)), "
                     + "\"beta\": \(f(c.beta)), \"noiseLevels\": [\(c.noiseLevels.map(f).joined(separator: ", "))], "
                     + "\"promptScaleSpread\": \(f(c.promptScaleSpread)), \"gainSpread\": \(f(c.gainSpread)), "
                     + "\"trueRewardNoise\": \(f(c.trueRewardNoise))}")
        var levels: [String] = []
        for (n, sigma) in c.noiseLevels.enumerated() {
            var strategies: [String] = []
            for s in SelectionStrategy.allCases {
                let grad = MeanInterval((0..<c.seeds).map { outcome(seed: $0, noiseIndex: n).run(s).initialGradientNorm })
                let pvar = MeanInterval((0..<c.seeds).map { outcome(seed: $0, noiseIndex: n).run(s).selectedTruePVar })
                strategies.append("{\"strategy\": \"\(s.rawValue)\", \"prompts\": \(s.selectedCount(of: c.prompts)), "
                                  + "\"expectedReward\": \(interval(summary(noiseIndex: n, s, .expectedReward))), "
                                  + "\"winRate\": \(interval(summary(noiseIndex: n, s, .winRate))), "
                                  + "\"initialGradientNorm\": \(interval(grad)), \"selectedTruePVar\": \(interval(pvar))}")
            }
            levels.append("{\"noise\": \(f(sigma)), "
                          + "\"referenceReward\": \(interval(summary(noiseIndex: n) { $0.referenceReward })), "
                          + "\"bestResponseReward\": \(interval(summary(noiseIndex: n) { $0.bestResponseReward })), "
                          + "\"topOverlap\": \(interval(summary(noiseIndex: n) { $0.topOverlap })), "
                          + "\"rankCorrelation\": \(interval(summary(noiseIndex: n) { $0.rankCorrelation })), "
                          + "\"strategies\": [\n      " + strategies.joined(separator: ",\n      ") + "]}")
        }
        lines.append("\"levels\": [\n    " + levels.joined(separator: ",\n    ") + "]")
        let claims = claimComparisons().map { k in
            "{\"noise\": \(f(k.noise)), \"step\": \(k.step), \"better\": \"\(k.better.rawValue)\", \"worse\": \"\(k.worse.rawValue)\", "
                + "\"metric\": \"\(k.metric.rawValue)\", \"difference\": \(interval(k.difference)), "
                + "\"intervalsOverlap\": \(k.intervalsOverlap), \"verdict\": \"\(k.verdict.rawValue)\"}"
        }
        lines.append("\"claims\": [\n    " + claims.joined(separator: ",\n    ") + "]")
        return "{\n  " + lines.joined(separator: ",\n  ") + "\n}\n"
    }
}
