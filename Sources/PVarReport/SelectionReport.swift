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
/// Every number comes from `runSimulation` and `learningRatePilot` (Sources/PVarStudies/Simulation.swift),
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
        claims.filter { $0.worse == worse && $0.metric == metric && $0.verdict == verdict }.map { shortest($0.noise) }
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
        let out = """
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
            return percent(d / gain, 2, signed: true)
        }
        func maxShare(_ worse: SelectionStrategy, _ step: Int) -> String {
            let values = levels.indices.map { n in
                let d = r.difference(noiseIndex: n, .top10, worse, .expectedReward, step: step).mean
                return d / (r.summary(noiseIndex: n, .full, .expectedReward, step: step).mean - r.summary(noiseIndex: n) { $0.referenceReward }.mean)
            }
            let i = values.indices.max { values[$0] < values[$1] }!
            return percent(values[i], 2, signed: true) + " (sigma = \(shortest(levels[i])))"
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
        starting policy at the same step, for sigma = \(levels.map(shortest).joined(separator: ", ")) in turn. A
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
        func ci(_ m: MeanInterval) -> String { "\(fixed(m.mean, 3)) [\(fixed(m.lower, 3)), \(fixed(m.upper, 3))]" }
        let noisyMisses = finalClaims.filter { $0.noise == levels[noisiest] && $0.metric == .expectedReward && $0.verdict != .supported }
        let noisyHolds = noisyMisses.isEmpty
        // Runs whose gradient descent had not settled (loss still rising near the end), per level and strategy.
        let unsettled = levels.indices.flatMap { n in
            SelectionStrategy.allCases.compactMap { s -> String? in
                let count = (0..<c.seeds).filter { r.outcome(seed: $0, noiseIndex: n).run(s).unsettled }.count
                return count == 0 ? nil : "\(s.label) at sigma = \(shortest(levels[n])) in \(count) of \(c.seeds) seeds"
            }
        }
        out += """

        (3) Robustness to noisier (smaller) reward models, from sigma = \(shortest(levels[cleanest])) to sigma = \(shortest(levels[noisiest])), after \(c.steps) steps:

        - claims (1) and (2) at the noisiest reward model: \(noisyHolds ? "all three comparisons still supported"
            : "not resolved for " + noisyMisses.map { "top 10% vs \($0.worse.label) (\($0.verdict.rawValue), \(signedFixed($0.difference.mean, 4)) [\(signedFixed($0.difference.lower, 4)), \(signedFixed($0.difference.upper, 4))])" }.joined(separator: ", "));
        - the top 10%'s advantage goes from \(signedFixed(advantage(cleanest, .random10).mean, 4)) to \(signedFixed(advantage(noisiest, .random10).mean, 4)) over random 10% and from
          \(signedFixed(advantage(cleanest, .full).mean, 4)) to \(signedFixed(advantage(noisiest, .full).mean, 4)) over the full set;
        - held-out reward lost to the noise (mean [95% CI]): top 10% \(ci(dropTop)), random 10% \(ci(dropRandom)),
          full set \(ci(dropFull)); the top 10% loses \(dropVsFull.upper < 0 ? "less than" : dropVsFull.lower > 0 ? "more than" : "about as much as (not resolved)")
          the full set (paired difference of the losses \(ci(dropVsFull)));
        - the selection itself degrades: the overlap of the estimated top 10% with the true top 10% falls from
          \(fixed(r.summary(noiseIndex: cleanest) { $0.topOverlap }.mean, 3)) to \(fixed(r.summary(noiseIndex: noisiest) { $0.topOverlap }.mean, 3)) (table "Why" below);
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
                    return p.rewards[g][top] < p.rewards[g][o] ? "\(w.label) \(fixed(p.rewards[g][o], 3))" : nil
                }
                if !below.isEmpty { failingRates.append(p.grid[g]) }
                return below.isEmpty ? nil
                    : "at learning rate \(shortest(p.grid[g])) the top 10% reaches \(fixed(p.rewards[g][top], 3)), below " + below.joined(separator: ", ")
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
        \(family) comparisons, so if no strategy differed from another about \(significant(correction.expectedFalseExclusions, 4)) of them would exclude 0 by
        chance. The column "Bonferroni" says whether a comparison still excludes 0 with all \(family) corrected
        together (t quantile at 1 - \(shortest(BonferroniCorrection.level / 2)) / \(family)). Overlapping unpaired intervals in the headline tables do not mean
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
                out += "| \(shortest(k.noise)) | top 10% - \(k.worse.label) | \(k.metric == .expectedReward ? "reward" : "win rate") | "
                    + "\(signedFixed(k.difference.mean, 4)) [\(signedFixed(k.difference.lower, 4)), \(signedFixed(k.difference.upper, 4))] | "
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

        | strategy | true PVar of selected (sigma = \(shortest(levels[cleanest]))) | initial gradient norm (sigma = \(shortest(levels[cleanest]))) | true PVar of selected (sigma = \(shortest(levels[noisiest]))) | initial gradient norm (sigma = \(shortest(levels[noisiest]))) |
        |---|---|---|---|---|

        """
        for s in SelectionStrategy.allCases {
            func mean(_ n: Int, _ f: (TrainingRun) -> Double) -> String { significant(r.summary(noiseIndex: n) { f($0.run(s)) }.mean, 4) }
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
            out += "| \(shortest(sigma)) | \(significant(pv.mean, 4)) | \(fixed(ov.mean, 3)) [\(fixed(ov.lower, 3)), \(fixed(ov.upper, 3))] | "
                + "\(fixed(sp.mean, 3)) [\(fixed(sp.lower, 3)), \(fixed(sp.upper, 3))] |\n"
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
            out += "![learning curves at sigma = \(shortest(sigma))](plots/selection-curves-sigma-\(plotName(sigma)).svg)\n"
        }
        out += "![top 10% minus full set](plots/selection-top10-minus-full.svg)\n"
        out += "![top 10% minus random 10%](plots/selection-top10-minus-random10.svg)\n\n"
        out += "Top 10% minus the full set, held-out reward, at a few steps (mean [95% CI]):\n\n"
        out += "| sigma | " + checkpoints.map { "step \($0)" }.joined(separator: " | ") + " |\n"
        out += "|---|" + String(repeating: "---|", count: checkpoints.count) + "\n"
        for (n, sigma) in levels.enumerated() {
            out += "| \(shortest(sigma)) | " + checkpoints.map { t in
                let d = advantage(n, .full, step: t)
                return "\(signedFixed(d.mean, 4)) [\(signedFixed(d.lower, 4)), \(signedFixed(d.upper, 4))]"
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
                ? " The runner-up, \(shortest(p.runnerUp!.rate)), scores within \(fixed(p.runnerUp!.gap, 4)): a near tie, so the"
                    + " results at either are equally \"tuned\"; the rule above decides."
                : ""
            out += """

            ## The learning rate, chosen once

            All strategies use the same \(c.steps) steps and learning rate \(shortest(c.learningRate)). The rate was chosen once by
            this pilot: the experiment without reward-model noise on \(p.seeds) seeds of its own (run seed \(p.runSeed),
            never the report's), scored by the mean over the six strategies of the held-out reward after \(c.steps)
            steps, a criterion that favours no strategy. Best on the grid: \(shortest(p.best))\(p.best == c.learningRate ? " (the default)" : "; the default \(shortest(c.learningRate)) differs, so the defaults need updating").\(nearTie)

            | learning rate | score |
            """
            out += " " + SelectionStrategy.allCases.map(\.label).joined(separator: " | ") + " |\n|---|---|"
                + String(repeating: "---|", count: SelectionStrategy.allCases.count) + "\n"
            for (i, rate) in p.grid.enumerated() {
                out += "| \(shortest(rate)) | \(fixed(p.scores[i], 3)) | " + p.rewards[i].map { fixed($0, 3) }.joined(separator: " | ") + " |\n"
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
          `phi(x, y)_k = s_x g_{x,k} Z_{y,k}` with standard normal `Z`, a prompt scale `s_x = exp(\(shortest(c.promptScaleSpread)) Z)`
          and per-feature gains `g_{x,k} = exp(\(shortest(c.gainSpread)) Z)`. The prompt-specific part is multiplicative
          because an additive one cancels from the softmax and from every reward difference.
        - One shared log-linear policy `pi_theta(y | x) = softmax_y(theta . phi(x, y))`, so training on some
          prompts moves the policy on all. Starting policy theta = 0 (uniform over the responses), which is
          also the DPO reference.
        - True reward `r*(x, y) = w* . phi(x, y) + \(shortest(c.trueRewardNoise)) Z`, `w*` a random unit vector per seed: the last
          term is the part no theta can represent. Prompts with a large scale `s_x` have far-apart responses
          and a high true PVar; prompts with a small one have near-identical responses and a low one.
        - Reward models: `r*(x, y) + sigma eps_{x,y}`, `eps` standard normal, sigma in {\(levels.map(shortest).joined(separator: ", "))}
          (0: the true reward; larger sigma stands in for a smaller reward model). The errors are the same
          draws at every level, rescaled.

        ## The experiment

        - PVar per training prompt: `n = \(c.sampleSize)` responses drawn from the starting policy (GSL `gsl_ran_discrete`),
          scored by the reward model, and the unbiased estimate
          `U = (1 / (n (n-1))) sum_{a != b} (sigmoid(r_a - r_b) - 1/2)^2` (`unbiasedPVarEstimate`, the estimator of
          `pvar select`). Ties between prompts are broken by the smaller index.
        - Strategies: \(SelectionStrategy.allCases.map { "\($0.label) (\($0.selectedCount(of: c.prompts)) prompts)" }.joined(separator: ", ")).
        - Training: gradient descent from theta = 0 on the mean over the selected prompts of the per-prompt
          offline DPO loss (beta = \(shortest(c.beta))) with exact gradients (`Evaluation`, `2 beta Phi^T c`): pairs from the
          starting policy, fixed while training, labelled by the reward model as Bradley–Terry preferences
          `q = sigmoid(r_i - r_j)`. Same \(c.steps) steps and learning rate \(shortest(c.learningRate)) for every strategy.
        - Evaluation on the held-out prompts, exact over the K responses: expected true reward
          `E_{y ~ pi_theta}[r*]` and win rate against the reference `P(r*(y) > r*(y'))` with `y ~ pi_theta`,
          `y' ~ pi_0`, ties counting 1/2 (exact over the K^2 pairs; 1/2 at the start).
        - \(c.seeds) seeds, each a new world, new reward-model errors, new PVar samples and a new random subset; means
          with Student-t 95% intervals (t with \(c.seeds - 1) degrees of freedom: \(fixed(studentTQuantile(0.975, degreesOfFreedom: c.seeds - 1), 6))). Deterministic for the run
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
