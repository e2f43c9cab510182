// `selection.md`: the paper's prompt-selection experiment in a synthetic world (issue 7, section 1),
// with learning-curve plots.

import Foundation
import PVarCore
import PVarGSL
import PVarSelect
import PVarStudies
import PVarVerify

/// `selection.md` and `plots/selection-*.svg` for one run seed, at the default settings
/// (`SimulationConfiguration()`), with the learning-rate pilot that fixed the default step size.
///
/// Every number comes from `runSimulation` and `learningRatePilot` (Sources/PVarVerify/Simulation.swift),
/// the functions the `Simulation` suite asserts on and `pvar simulate` prints. Deterministic for a
/// seed: the experiment's streams are seeded per (component, seed) and reduced in index order.
public func selectionReportFiles(seed: UInt64) async -> [ReportFile] {
    let c = SimulationConfiguration()
    do {
        let pilot = try await learningRatePilot(c)
        let result = try await runSimulation(c, runSeed: seed)
        return selectionReportFiles(result, pilot: pilot)
    } catch {
        preconditionFailure("the default simulation settings failed: \(error)")
    }
}

/// The report files of an experiment already run (`pilot`: the learning-rate pilot, if run).
public func selectionReportFiles(_ result: SimulationResult, pilot: LearningRatePilot?) -> [ReportFile] {
    var files = [ReportFile(path: "selection.md", contents: selectionMarkdown(result, pilot: pilot))]
    for (n, sigma) in result.configuration.noiseLevels.enumerated() {
        files.append(ReportFile(path: "plots/selection-curves-sigma-\(plotName(sigma)).svg",
                                contents: learningCurvePlot(result, noiseIndex: n).svg()))
    }
    files.append(ReportFile(path: "plots/selection-top10-minus-full.svg",
                            contents: differencePlot(result, against: .full).svg()))
    files.append(ReportFile(path: "plots/selection-top10-minus-random10.svg",
                            contents: differencePlot(result, against: .random10).svg()))
    return files
}

/// A noise level in a file name: `0`, `0.5` -> `0p5`.
private func plotName(_ sigma: Double) -> String {
    let s = "\(sigma)"
    return (s.hasSuffix(".0") ? String(s.dropLast(2)) : s).replacingOccurrences(of: ".", with: "p")
}

private func d3(_ x: Double) -> String { String(format: "%.3f", x) }
private func g4(_ x: Double) -> String { String(format: "%.4g", x) }
private func signed(_ x: Double) -> String { String(format: "%+.4f", x) }
private func sigmaLabel(_ x: Double) -> String {
    let s = "\(x)"
    return s.hasSuffix(".0") ? String(s.dropLast(2)) : s
}

/// The early checkpoint at which the claims are also read: a tenth of the steps (at least 1).
private func earlyStep(_ c: SimulationConfiguration) -> Int { max(1, c.steps / 10) }

/// `selection.md`, section by section: each method renders one part from the result and the
/// pilot; the decisions it shows (verdicts, the Bonferroni reading, near ties) come from PVarStudies.
private struct SelectionMarkdown {
    let r: SimulationResult
    let pilot: LearningRatePilot?
    let c: SimulationConfiguration
    let levels: [Double]
    /// The early checkpoint.
    let early: Int
    let finalClaims: [ClaimComparison]
    let earlyClaims: [ClaimComparison]
    /// Bonferroni over every comparison of the two claim tables (both checkpoints).
    let correction: BonferroniCorrection
    var family: Int { correction.familySize }
    /// The noisiest and the cleanest reward model (indices into `levels`).
    let noisiest: Int
    let cleanest: Int

    init(_ r: SimulationResult, pilot: LearningRatePilot?) {
        self.r = r
        self.pilot = pilot
        c = r.configuration
        levels = c.noiseLevels
        early = earlyStep(c)
        finalClaims = r.claimComparisons()
        earlyClaims = r.claimComparisons(step: early)
        correction = BonferroniCorrection(familySize: finalClaims.count + earlyClaims.count, degreesOfFreedom: c.seeds - 1)
        let levels = c.noiseLevels
        noisiest = levels.indices.max { levels[$0] < levels[$1] }!
        cleanest = levels.indices.min { levels[$0] < levels[$1] }!
    }

    /// The whole report.
    func markdown() -> String {
        header() + verdictTable() + robustness() + pilotFailures() + claimTables() + mechanism() + learningCurves()
            + pilotSection() + world() + "\n"
    }

    func survivesBonferroni(_ k: ClaimComparison) -> Bool { correction.survives(k) }

    func levelsWhere(_ claims: [ClaimComparison], _ worse: SelectionStrategy, _ metric: SimulationMetric,
                     _ verdict: ClaimComparison.Verdict) -> [String] {
        claims.filter { $0.worse == worse && $0.metric == metric && $0.verdict == verdict }.map { sigmaLabel($0.noise) }
    }
    func verdictLine(_ claims: [ClaimComparison], _ worse: SelectionStrategy, _ metric: SimulationMetric) -> String {
        var parts: [String] = []
        for v in [ClaimComparison.Verdict.supported, .unresolved, .reversed] {
            let l = levelsWhere(claims, worse, metric, v)
            if !l.isEmpty {
                let word = v == .supported ? "top 10% better" : v == .reversed ? "top 10% WORSE" : "no difference resolved"
                parts.append("\(word) at sigma = \(l.joined(separator: ", "))")
            }
        }
        return parts.joined(separator: "; ")
    }

    /// The top 10%'s paired advantage over `worse` in held-out reward.
    func advantage(_ n: Int, _ worse: SelectionStrategy, step: Int? = nil) -> MeanInterval {
        r.difference(noiseIndex: n, .top10, worse, .expectedReward, step: step)
    }

    /// Title, purpose, settings and the verdict's reading rules.
    func header() -> String {
        var out = """
        # Selecting prompts by PVar: the paper's experiment in a synthetic world

        Run seed \(r.runSeed). The paper's evidence for PVar is empirical: DPO trained only on the prompts
        with the highest estimated PVar beats random and low-PVar selection, and the top 10% beats the full
        set, also with smaller reward models. This report rebuilds that experiment where every quantity is
        exact (losses, gradients, held-out rewards and win rates are sums over all responses, not samples) and
        says which of those claims hold here, under which reward-model noise, and where they fail. Every
        number comes from `runSimulation` (`Sources/PVarStudies/Simulation.swift`), which the `Simulation` suite
        tests and `pvar simulate` prints; `pvar simulate --seed \(r.runSeed) --format json` gives the same
        numbers as JSON.

        Settings: \(r.settingsLine).

        ## Verdict

        Primary metric: held-out expected true reward; the win rate against the reference is reported
        alongside. "Better" means the 95% confidence interval of the paired difference over the \(c.seeds)
        seeds (same world, same reward-model errors) lies above 0; each claim is read after all \(c.steps)
        steps and after \(early) step\(early == 1 ? "" : "s") (a tenth of the budget).


        """
        return out
    }

    /// The verdict table of claims (1) and (2), with sizes.
    func verdictTable() -> String {
        var out = ""
        let claimRows: [(String, SelectionStrategy)] = [("(1) top 10% beats random 10%", .random10),
                                                         ("(1) top 10% beats bottom 10%", .bottom10),
                                                         ("(2) top 10% beats the full set", .full)]
        // The size of a difference: its share of the full set's gain over the starting policy.
        func share(_ n: Int, _ worse: SelectionStrategy, step: Int) -> String {
            let d = r.difference(noiseIndex: n, .top10, worse, .expectedReward, step: step).mean
            let gain = r.summary(noiseIndex: n, .full, .expectedReward, step: step).mean - r.summary(noiseIndex: n) { $0.referenceReward }.mean
            return String(format: "%+.2f%%", 100 * d / gain)
        }
        func maxShare(_ worse: SelectionStrategy, _ step: Int) -> String {
            let values = levels.indices.map { n in
                let d = r.difference(noiseIndex: n, .top10, worse, .expectedReward, step: step).mean
                return d / (r.summary(noiseIndex: n, .full, .expectedReward, step: step).mean - r.summary(noiseIndex: n) { $0.referenceReward }.mean)
            }
            let i = values.indices.max { values[$0] < values[$1] }!
            return String(format: "%+.2f%%", 100 * values[i]) + " (sigma = \(sigmaLabel(levels[i])))"
        }
        func shares(_ worse: SelectionStrategy, step: Int) -> String {
            levels.indices.map { share($0, worse, step: step) }.joined(separator: ", ")
        }
        out += "| claim | after \(c.steps) steps: reward | size | win rate | after \(early) step\(early == 1 ? "" : "s"): reward | size |\n"
        out += "|---|---|---|---|---|---|\n"
        for (name, worse) in claimRows {
            out += "| \(name) | \(verdictLine(finalClaims, worse, .expectedReward)) | \(shares(worse, step: c.steps)) | "
                + "\(verdictLine(finalClaims, worse, .winRate)) | \(verdictLine(earlyClaims, worse, .expectedReward)) | "
                + "\(shares(worse, step: early)) |\n"
        }
        out += """

        In short: after \(c.steps) steps the top 10%'s advantage is at most \(maxShare(.random10, c.steps)) of the full set's gain over
        the start against random 10%, \(maxShare(.bottom10, c.steps)) against bottom 10% and \(maxShare(.full, c.steps)) against the full set; after \(early) step\(early == 1 ? "" : "s") it is up to \(maxShare(.random10, early)), \(maxShare(.bottom10, early)) and
        \(maxShare(.full, early)). Where a verdict says "better" the direction is resolved; whether the size matters is the reader's call.

        "Size": the mean paired difference in held-out reward as a share of the full set's gain over the
        starting policy at the same step, for sigma = \(levels.map(sigmaLabel).joined(separator: ", ")) in turn. A
        difference can be resolved (its interval excludes 0, thanks to the pairing) and still be negligible.

        """

        return out
    }

    /// Claim (3): how the verdicts and advantages move with the reward-model noise.
    func robustness() -> String {
        var out = ""
        // Claim 3: robustness, read from how the verdicts and the top 10%'s advantage move with sigma.
        func drop(_ s: SelectionStrategy) -> MeanInterval {
            MeanInterval(zip(r.values(noiseIndex: cleanest, s, .expectedReward), r.values(noiseIndex: noisiest, s, .expectedReward)).map { $0 - $1 })
        }
        let dropTop = drop(.top10), dropRandom = drop(.random10), dropFull = drop(.full)
        let dropVsFull = MeanInterval(zip(r.values(noiseIndex: cleanest, .top10, .expectedReward), r.values(noiseIndex: noisiest, .top10, .expectedReward))
            .map { $0 - $1 }.enumerated().map { i, d in
                d - (r.values(noiseIndex: cleanest, .full, .expectedReward)[i] - r.values(noiseIndex: noisiest, .full, .expectedReward)[i])
            })
        func ci(_ m: MeanInterval) -> String { "\(d3(m.mean)) [\(d3(m.lower)), \(d3(m.upper))]" }
        let noisyMisses = finalClaims.filter { $0.noise == levels[noisiest] && $0.metric == .expectedReward && $0.verdict != .supported }
        let noisyHolds = noisyMisses.isEmpty
        // Runs whose gradient descent had not settled (loss still rising near the end), per level and strategy.
        let unsettled = levels.indices.flatMap { n in
            SelectionStrategy.allCases.compactMap { s -> String? in
                let count = (0..<c.seeds).filter { r.outcome(seed: $0, noiseIndex: n).run(s).unsettled }.count
                return count == 0 ? nil : "\(s.label) at sigma = \(sigmaLabel(levels[n])) in \(count) of \(c.seeds) seeds"
            }
        }
        out += """

        (3) Robustness to noisier (smaller) reward models, from sigma = \(sigmaLabel(levels[cleanest])) to sigma = \(sigmaLabel(levels[noisiest])), after \(c.steps) steps:

        - claims (1) and (2) at the noisiest reward model: \(noisyHolds ? "all three comparisons still supported"
            : "not resolved for " + noisyMisses.map { "top 10% vs \($0.worse.label) (\($0.verdict.rawValue), \(signed($0.difference.mean)) [\(signed($0.difference.lower)), \(signed($0.difference.upper))])" }.joined(separator: ", "));
        - the top 10%'s advantage goes from \(signed(advantage(cleanest, .random10).mean)) to \(signed(advantage(noisiest, .random10).mean)) over random 10% and from
          \(signed(advantage(cleanest, .full).mean)) to \(signed(advantage(noisiest, .full).mean)) over the full set;
        - held-out reward lost to the noise (mean [95% CI]): top 10% \(ci(dropTop)), random 10% \(ci(dropRandom)),
          full set \(ci(dropFull)); the top 10% loses \(dropVsFull.upper < 0 ? "less than" : dropVsFull.lower > 0 ? "more than" : "about as much as (not resolved)")
          the full set (paired difference of the losses \(ci(dropVsFull)));
        - the selection itself degrades: the overlap of the estimated top 10% with the true top 10% falls from
          \(d3(r.summary(noiseIndex: cleanest) { $0.topOverlap }.mean)) to \(d3(r.summary(noiseIndex: noisiest) { $0.topOverlap }.mean)) (table "Why" below);
        - gradient descent had not settled (training loss still rising in one of the last \(TrainingRun.settleWindow) steps, i.e.
          oscillating) for \(unsettled.isEmpty ? "no run" : unsettled.joined(separator: "; ")).


        """
        return out
    }

    /// Where the claims fail in the learning-rate pilot.
    func pilotFailures() -> String {
        var out = ""
        if let p = pilot {
            let top = SelectionStrategy.allCases.firstIndex(of: .top10)!
            var failingRates: [Double] = []
            let failures = p.grid.indices.compactMap { g -> String? in
                let below = [SelectionStrategy.random10, .bottom10, .full].compactMap { w -> String? in
                    let o = SelectionStrategy.allCases.firstIndex(of: w)!
                    return p.rewards[g][top] < p.rewards[g][o] ? "\(w.label) \(d3(p.rewards[g][o]))" : nil
                }
                if !below.isEmpty { failingRates.append(p.grid[g]) }
                return below.isEmpty ? nil
                    : "at learning rate \(sigmaLabel(p.grid[g])) the top 10% reaches \(d3(p.rewards[g][top])), below " + below.joined(separator: ", ")
            }
            let onlyLarger = !failingRates.isEmpty && failingRates.allSatisfy { $0 > c.learningRate }
            out += """
            Where they fail in the learning-rate pilot (sigma = 0, \(p.seeds) seeds, no intervals, so differences of a few
            thousandths are within its noise): \(failures.isEmpty ? "nowhere on its grid." : failures.joined(separator: "; ") + ".")\(onlyLarger
                ? " Only step sizes above the default fail. The top 10% has the largest initial gradients (table \"Why\" below)"
                    + " and, by construction of this world, the largest features and so curvature; a step size the full set"
                    + " tolerates can overshoot on it. The comparison assumes one learning rate for every strategy."
                : "")


            """
        }
        return out
    }

    /// How to read the intervals, the headline tables and the paired claim tables.
    func claimTables() -> String {
        var out = ""
        out += """
        How to read this. The intervals are per comparison (95% each); the claim tables below make
        \(family) comparisons, so if no strategy differed from another about \(g4(0.05 * Double(family))) of them would exclude 0 by
        chance. The column "Bonferroni" says whether a comparison still excludes 0 with all \(family) corrected
        together (t quantile at 1 - 0.025 / \(family)). Overlapping unpaired intervals in the headline tables do not mean
        "no difference": the strategies share each seed's world, so the paired differences are far tighter
        than the between-world spread.

        ## Headline tables (after all \(c.steps) steps)

        \(r.headlineMarkdown())
        ## The claims, paired

        Paired difference top 10% minus the other strategy (per seed, then mean [95% CI] over seeds);
        "intervals overlap" is the cruder unpaired reading of the headline tables.

        """
        for (title, claims) in [("after \(c.steps) steps", finalClaims), ("after \(early) step\(early == 1 ? "" : "s")", earlyClaims)] {
            out += "\n### \(title.prefix(1).uppercased() + title.dropFirst())\n\n"
            out += "| sigma | comparison | metric | difference [95% CI] | verdict | Bonferroni | unpaired intervals overlap |\n"
            out += "|---|---|---|---|---|---|---|\n"
            for k in claims {
                out += "| \(sigmaLabel(k.noise)) | top 10% - \(k.worse.label) | \(k.metric == .expectedReward ? "reward" : "win rate") | "
                    + "\(signed(k.difference.mean)) [\(signed(k.difference.lower)), \(signed(k.difference.upper))] | "
                    + "\(k.verdict.rawValue) | \(survivesBonferroni(k) ? "yes" : "no") | \(k.intervalsOverlap ? "yes" : "no") |\n"
            }
        }

        return out
    }

    /// Why: the true PVar and initial gradients the selected prompts carry.
    func mechanism() -> String {
        var out = ""
        // Mechanism.
        out += """

        ## Why: what the selected prompts carry

        At the starting policy the DPO gradient of a prompt is bounded by its label PVar (statement B2:
        `||grad L|| <= sqrt(2) beta G sqrt(PVar)`), so prompts with high PVar move theta more per step. The
        table shows, per strategy, the mean exact true-reward PVar of the selected prompts and the norm of the
        mean training gradient at the start (mean over seeds), at the cleanest and the noisiest reward model.
        The selection diagnostics say how well the estimate from n = \(c.sampleSize) responses scored by the
        reward model finds the truly high-PVar prompts.

        | strategy | true PVar of selected (sigma = \(sigmaLabel(levels[cleanest]))) | initial gradient norm (sigma = \(sigmaLabel(levels[cleanest]))) | true PVar of selected (sigma = \(sigmaLabel(levels[noisiest]))) | initial gradient norm (sigma = \(sigmaLabel(levels[noisiest]))) |
        |---|---|---|---|---|

        """
        for s in SelectionStrategy.allCases {
            func mean(_ n: Int, _ f: (TrainingRun) -> Double) -> String { g4(r.summary(noiseIndex: n) { f($0.run(s)) }.mean) }
            out += "| \(s.label) | \(mean(cleanest) { $0.selectedTruePVar }) | \(mean(cleanest) { $0.initialGradientNorm }) | "
                + "\(mean(noisiest) { $0.selectedTruePVar }) | \(mean(noisiest) { $0.initialGradientNorm }) |\n"
        }
        out += """

        | sigma | mean exact PVar of the reward model's labels | overlap of estimated and true top 10% | Spearman (estimated, true PVar) |
        |---|---|---|---|

        """
        for (n, sigma) in levels.enumerated() {
            let pv = r.summary(noiseIndex: n) { $0.meanRewardModelPVar }
            let ov = r.summary(noiseIndex: n) { $0.topOverlap }, sp = r.summary(noiseIndex: n) { $0.rankCorrelation }
            out += "| \(sigmaLabel(sigma)) | \(g4(pv.mean)) | \(d3(ov.mean)) [\(d3(ov.lower)), \(d3(ov.upper))] | "
                + "\(d3(sp.mean)) [\(d3(sp.lower)), \(d3(sp.upper))] |\n"
        }

        return out
    }

    /// The learning-curve plots and the checkpoint table.
    func learningCurves() -> String {
        var out = ""
        // Learning curves.
        let checkpoints = Array(Set([1, 2, 5, 10, 20, c.steps].filter { $0 <= c.steps })).sorted()
        out += """

        ## Learning curves

        Held-out expected true reward after each step, mean over seeds with its 95% band, one plot per
        reward-model noise level; and the paired differences top 10% minus the full set and minus random 10%
        against the step, one line per noise level.


        """
        for sigma in levels {
            out += "![learning curves at sigma = \(sigmaLabel(sigma))](plots/selection-curves-sigma-\(plotName(sigma)).svg)\n"
        }
        out += "![top 10% minus full set](plots/selection-top10-minus-full.svg)\n"
        out += "![top 10% minus random 10%](plots/selection-top10-minus-random10.svg)\n\n"
        out += "Top 10% minus the full set, held-out reward, at a few steps (mean [95% CI]):\n\n"
        out += "| sigma | " + checkpoints.map { "step \($0)" }.joined(separator: " | ") + " |\n"
        out += "|---|" + String(repeating: "---|", count: checkpoints.count) + "\n"
        for (n, sigma) in levels.enumerated() {
            out += "| \(sigmaLabel(sigma)) | " + checkpoints.map { t in
                let d = advantage(n, .full, step: t)
                return "\(signed(d.mean)) [\(signed(d.lower)), \(signed(d.upper))]"
            }.joined(separator: " | ") + " |\n"
        }

        return out
    }

    /// The learning rate, chosen once by the pilot.
    func pilotSection() -> String {
        var out = ""
        // Pilot.
        if let p = pilot {
            let nearTie = p.isNearTie && p.runnerUp != nil
                ? " The runner-up, \(sigmaLabel(p.runnerUp!.rate)), scores within \(String(format: "%.4f", p.runnerUp!.gap)): a near tie, so the"
                    + " results at either are equally \"tuned\"; the rule above decides."
                : ""
            out += """

            ## The learning rate, chosen once

            All strategies use the same \(c.steps) steps and learning rate \(sigmaLabel(c.learningRate)). The rate was chosen once by
            this pilot: the experiment without reward-model noise on \(p.seeds) seeds of its own (run seed \(p.runSeed),
            never the report's), scored by the mean over the six strategies of the held-out reward after \(c.steps)
            steps, a criterion that favours no strategy. Best on the grid: \(sigmaLabel(p.best))\(p.best == c.learningRate ? " (the default)" : "; the default \(sigmaLabel(c.learningRate)) differs, so the defaults need updating").\(nearTie)

            | learning rate | score |
            """
            out += " " + SelectionStrategy.allCases.map(\.label).joined(separator: " | ") + " |\n|---|---|"
                + String(repeating: "---|", count: SelectionStrategy.allCases.count) + "\n"
            for (i, rate) in p.grid.enumerated() {
                out += "| \(sigmaLabel(rate)) | \(d3(p.scores[i])) | " + p.rewards[i].map(d3).joined(separator: " | ") + " |\n"
            }
        }

        return out
    }

    /// The world, the experiment, and what this world leaves out.
    func world() -> String {
        var out = ""
        out += """

        ## The world

        - \(c.prompts) training prompts (the pool every strategy selects from) and \(c.heldOutPrompts) held-out prompts, each
          with K = \(c.responses) candidate responses and features `phi(x, y)` in d = \(c.dimension) dimensions:
          `phi(x, y)_k = s_x g_{x,k} Z_{y,k}` with standard normal `Z`, a prompt scale `s_x = exp(\(sigmaLabel(c.promptScaleSpread)) Z)`
          and per-feature gains `g_{x,k} = exp(\(sigmaLabel(c.gainSpread)) Z)`. The prompt-specific part is multiplicative
          because an additive one cancels from the softmax and from every reward difference.
        - One shared log-linear policy `pi_theta(y | x) = softmax_y(theta . phi(x, y))`, so training on some
          prompts moves the policy on all. Starting policy theta = 0 (uniform over the responses), which is
          also the DPO reference.
        - True reward `r*(x, y) = w* . phi(x, y) + \(sigmaLabel(c.trueRewardNoise)) Z`, `w*` a random unit vector per seed: the last
          term is the part no theta can represent. Prompts with a large scale `s_x` have far-apart responses
          and a high true PVar; prompts with a small one have near-identical responses and a low one.
        - Reward models: `r*(x, y) + sigma eps_{x,y}`, `eps` standard normal, sigma in {\(levels.map(sigmaLabel).joined(separator: ", "))}
          (0: the true reward; larger sigma stands in for a smaller reward model). The errors are the same
          draws at every level, rescaled.

        ## The experiment

        - PVar per training prompt: `n = \(c.sampleSize)` responses drawn from the starting policy (GSL `gsl_ran_discrete`),
          scored by the reward model, and the unbiased estimate
          `U = (1 / (n (n-1))) sum_{a != b} (sigmoid(r_a - r_b) - 1/2)^2` (`unbiasedPVarEstimate`, the estimator of
          `pvar select`). Ties between prompts are broken by the smaller index.
        - Strategies: \(SelectionStrategy.allCases.map { "\($0.label) (\($0.selectedCount(of: c.prompts)) prompts)" }.joined(separator: ", ")).
        - Training: gradient descent from theta = 0 on the mean over the selected prompts of the per-prompt
          offline DPO loss (beta = \(sigmaLabel(c.beta))) with exact gradients (`Evaluation`, `2 beta Phi^T c`): pairs from the
          starting policy, fixed while training, labelled by the reward model as Bradley–Terry preferences
          `q = sigmoid(r_i - r_j)`. Same \(c.steps) steps and learning rate \(sigmaLabel(c.learningRate)) for every strategy.
        - Evaluation on the held-out prompts, exact over the K responses: expected true reward
          `E_{y ~ pi_theta}[r*]` and win rate against the reference `P(r*(y) > r*(y'))` with `y ~ pi_theta`,
          `y' ~ pi_0`, ties counting 1/2 (exact over the K^2 pairs; 1/2 at the start).
        - \(c.seeds) seeds, each a new world, new reward-model errors, new PVar samples and a new random subset; means
          with Student-t 95% intervals (t with \(c.seeds - 1) degrees of freedom: \(String(format: "%.6f", studentTQuantile(0.975, degreesOfFreedom: c.seeds - 1)))). Deterministic for the run
          seed and independent of the number of threads.

        ## What this world leaves out

        The policy is log-linear in \(c.dimension) features and the training is exact full-batch gradient descent, so a
        hundred prompts already determine the direction of `w*` well; the true reward is nearly representable;
        labels are Bradley–Terry expectations, not sampled chosen/rejected pairs; and the reward-model errors are
        independent across responses (a real small reward model also has systematic errors, which selection
        cannot average away). Where the claims hold here only early in training or only under noise, that is
        what this world supports and no more; it says nothing about large language models directly.
        """
        return out
    }
}

private func selectionMarkdown(_ r: SimulationResult, pilot: LearningRatePilot?) -> String {
    SelectionMarkdown(r, pilot: pilot).markdown()
}

// MARK: - Plots

/// A line plot with linear axes, optional shaded bands and a dashed zero line, as a standalone
/// SVG document. Deterministic: two decimals (C locale), series in the order given, no ids.
private struct SelectionLinePlot {
    struct Series {
        var name: String
        var points: [(x: Double, y: Double)]
        /// `(lower, upper)` per point, drawn as a translucent band; empty for none.
        var band: [(lower: Double, upper: Double)]
    }

    var title: String
    var subtitle: String
    var xLabel: String
    var yLabel: String
    var series: [Series]
    var zeroLine = false

    static let width = 860.0, height = 560.0
    static let left = 90.0, top = 80.0, plotWidth = 520.0, plotHeight = 400.0
    static let colours = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#000000"]

    /// Round tick positions (steps of 1, 2 or 5 times a power of ten) covering `[lo, hi]`.
    static func ticks(_ lo: Double, _ hi: Double) -> [Double] {
        let span = hi - lo
        let raw = span / 6
        let power = pow(10, (log10(raw)).rounded(.down))
        let step = [1.0, 2, 5, 10].map { $0 * power }.first { $0 >= raw } ?? 10 * power
        var out: [Double] = []
        var t = (lo / step).rounded(.up) * step
        while t <= hi + step * 1e-9 {
            out.append(abs(t) < step * 1e-9 ? 0 : t)
            t += step
        }
        return out
    }

    func svg() -> String {
        func n(_ v: Double) -> String { String(format: "%.2f", v) }
        var xs: [Double] = [], ys: [Double] = []
        for s in series {
            for p in s.points where p.x.isFinite && p.y.isFinite { xs.append(p.x); ys.append(p.y) }
            for b in s.band where b.lower.isFinite && b.upper.isFinite { ys.append(b.lower); ys.append(b.upper) }
        }
        if zeroLine { ys.append(0) }
        var xlo = xs.min() ?? 0, xhi = xs.max() ?? 1
        var ylo = ys.min() ?? 0, yhi = ys.max() ?? 1
        if xhi <= xlo { xhi = xlo + 1 }
        if yhi <= ylo { let m = max(abs(ylo), 1) * 0.01; ylo -= m; yhi += m }
        let pad = 0.04 * (yhi - ylo)
        ylo -= pad
        yhi += pad
        if xhi - xlo > 0 { xlo = min(xlo, 0) }
        let l = Self.left, t = Self.top, w = Self.plotWidth, h = Self.plotHeight
        func px(_ x: Double) -> Double { l + (x - xlo) / (xhi - xlo) * w }
        func py(_ y: Double) -> Double { t + h - (y - ylo) / (yhi - ylo) * h }

        var out = """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(n(Self.width))" height="\(n(Self.height))" \
        viewBox="0 0 \(n(Self.width)) \(n(Self.height))" font-family="sans-serif" font-size="12">
        <rect width="100%" height="100%" fill="white"/>
        <text x="\(n(Self.width / 2))" y="28" text-anchor="middle" font-size="16">\(xmlEscape(title))</text>
        <text x="\(n(Self.width / 2))" y="50" text-anchor="middle" fill="#444">\(xmlEscape(subtitle))</text>

        """
        let yTicks = Self.ticks(ylo, yhi), xTicks = Self.ticks(xlo, xhi)
        out += "<g stroke=\"#ddd\" stroke-width=\"1\">\n"
        for y in yTicks { out += "<line x1=\"\(n(l))\" y1=\"\(n(py(y)))\" x2=\"\(n(l + w))\" y2=\"\(n(py(y)))\"/>\n" }
        for x in xTicks { out += "<line x1=\"\(n(px(x)))\" y1=\"\(n(t))\" x2=\"\(n(px(x)))\" y2=\"\(n(t + h))\"/>\n" }
        out += "</g>\n"
        for y in yTicks {
            out += "<text x=\"\(n(l - 8))\" y=\"\(n(py(y) + 4))\" text-anchor=\"end\">\(Self.label(y, yTicks))</text>\n"
        }
        for x in xTicks {
            out += "<text x=\"\(n(px(x)))\" y=\"\(n(t + h + 20))\" text-anchor=\"middle\">\(Self.label(x, xTicks))</text>\n"
        }
        out += "<rect x=\"\(n(l))\" y=\"\(n(t))\" width=\"\(n(w))\" height=\"\(n(h))\" fill=\"none\" stroke=\"black\"/>\n"
        out += "<text x=\"\(n(l + w / 2))\" y=\"\(n(t + h + 46))\" text-anchor=\"middle\" font-size=\"13\">\(xmlEscape(xLabel))</text>\n"
        let yx = l - 62, yy = t + h / 2
        out += "<text x=\"\(n(yx))\" y=\"\(n(yy))\" text-anchor=\"middle\" font-size=\"13\" "
            + "transform=\"rotate(-90 \(n(yx)) \(n(yy)))\">\(xmlEscape(yLabel))</text>\n"
        if zeroLine {
            out += "<line x1=\"\(n(l))\" y1=\"\(n(py(0)))\" x2=\"\(n(l + w))\" y2=\"\(n(py(0)))\" stroke=\"black\" "
                + "stroke-width=\"1.2\" stroke-dasharray=\"6 4\"/>\n"
        }
        for (i, s) in series.enumerated() {
            let colour = Self.colours[i % Self.colours.count]
            if s.band.count == s.points.count, !s.band.isEmpty {
                let upper = zip(s.points, s.band).map { "\(n(px($0.x))),\(n(py($1.upper)))" }
                let lower = zip(s.points, s.band).reversed().map { "\(n(px($0.x))),\(n(py($1.lower)))" }
                out += "<polygon points=\"\((upper + lower).joined(separator: " "))\" fill=\"\(colour)\" fill-opacity=\"0.15\" stroke=\"none\"/>\n"
            }
            let line = s.points.map { "\(n(px($0.x))),\(n(py($0.y)))" }.joined(separator: " ")
            out += "<polyline points=\"\(line)\" fill=\"none\" stroke=\"\(colour)\" stroke-width=\"1.8\"/>\n"
        }
        var ly = t + 10
        let lx = l + w + 20
        for (i, s) in series.enumerated() {
            let colour = Self.colours[i % Self.colours.count]
            out += "<line x1=\"\(n(lx))\" y1=\"\(n(ly))\" x2=\"\(n(lx + 24))\" y2=\"\(n(ly))\" stroke=\"\(colour)\" stroke-width=\"3\"/>\n"
            out += "<text x=\"\(n(lx + 30))\" y=\"\(n(ly + 4))\">\(xmlEscape(s.name))</text>\n"
            ly += 20
        }
        out += "</svg>\n"
        return out
    }

    /// A tick label with as many decimals as the tick step needs.
    static func label(_ v: Double, _ ticks: [Double]) -> String {
        let step = ticks.count >= 2 ? ticks[1] - ticks[0] : 1
        let decimals = max(0, Int((-log10(step)).rounded(.up)))
        return String(format: "%.\(decimals)f", v)
    }
}

/// Held-out expected true reward against the step, one line (with its 95% band) per strategy.
private func learningCurvePlot(_ r: SimulationResult, noiseIndex n: Int) -> SelectionLinePlot {
    let c = r.configuration
    // Step 0 (the starting policy, the same for every strategy) is left out so the axis resolves
    // the differences between the strategies after training starts.
    let series = SelectionStrategy.allCases.map { s -> SelectionLinePlot.Series in
        let intervals = (1...c.steps).map { r.summary(noiseIndex: n, s, .expectedReward, step: $0) }
        return SelectionLinePlot.Series(name: s.label, points: intervals.enumerated().map { (Double($0 + 1), $1.mean) },
                                        band: intervals.map { ($0.lower, $0.upper) })
    }
    let start = r.summary(noiseIndex: n) { $0.referenceReward }.mean
    return SelectionLinePlot(
        title: "Held-out expected true reward, reward-model noise sigma = \(sigmaLabel(c.noiseLevels[n]))",
        subtitle: "mean and 95% band over \(c.seeds) seeds from step 1 (step 0: \(d3(start)) for all); M = \(c.prompts), K = \(c.responses), "
            + "d = \(c.dimension), learning rate \(sigmaLabel(c.learningRate))",
        xLabel: "gradient step", yLabel: "E_{y ~ pi_theta}[r*(x, y)]", series: series)
}

/// The paired difference top 10% minus `other` in held-out reward against the step, one line
/// (with its 95% band) per noise level, and the zero line.
private func differencePlot(_ r: SimulationResult, against other: SelectionStrategy) -> SelectionLinePlot {
    let c = r.configuration
    let series = c.noiseLevels.indices.map { n -> SelectionLinePlot.Series in
        let intervals = (0...c.steps).map { r.difference(noiseIndex: n, .top10, other, .expectedReward, step: $0) }
        return SelectionLinePlot.Series(name: "sigma = \(sigmaLabel(c.noiseLevels[n]))",
                                        points: intervals.enumerated().map { (Double($0), $1.mean) },
                                        band: intervals.map { ($0.lower, $0.upper) })
    }
    return SelectionLinePlot(
        title: "Top 10% minus \(other.label): held-out expected true reward",
        subtitle: "paired over \(c.seeds) seeds, mean and 95% band; above the dashed line the top 10% is ahead",
        xLabel: "gradient step", yLabel: "difference in expected true reward", series: series, zeroLine: true)
}
