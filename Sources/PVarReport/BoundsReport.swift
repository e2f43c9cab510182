// `bounds.md`: B0–B3 checked on GSL-drawn instances, with witnesses and plots; C1.

import Foundation
import PVarCertify
import PVarCore
import PVarSelect
import PVarStudies
import PVarGSL
import PVarVerify

/// Instances per statement shown in each plot (the first ones, in index order).
public let plotSampleLimit = 2000

/// Whether each statement is known to be sharp, and why (each reason is an equality case the
/// test suites check exactly, not a figure from this run).
public func sharpness(_ id: BoundID) -> String {
    switch id {
    case .B0: "yes: equality whenever K = 2 (suite B0)"
    case .B1: "yes: at the reference PVar_policy = 0 and B1 equals B2, attained below"
    case .B2: "yes: equality for two responses with a uniform reference (suite B2)"
    case .B3: "no: always looser than B2 by a factor >= 3/sqrt(2) * 4^(1/6)"
    }
}

/// What the instances of a regime look like, in one phrase.
func regimeDescription(_ regime: Regime) -> String {
    switch regime {
    case .general: "any theta; pairs from the policy, from the reference or from explicit Dirichlet weights, some of them zero"
    case .onPolicy: "any theta; pairs from the policy, mu = pi_theta"
    case .atReference: "theta chosen so that pi_theta = pi_ref exactly in double arithmetic; pairs from the policy or the reference"
    }
}

/// The witness of one statement: the worst instance found, regenerated from its seed.
struct Witness {
    let item: CheckedInstance
    let problem: Problem
    let evaluation: Evaluation
    /// The witness file's contents (`InstanceFile.encode`).
    let json: String
}

/// Builds `bounds.md`, `plots/B*.svg` and `witnesses/*.json` from the checks of B0–B3.
///
/// Every number printed comes from `checkBound`, `Evaluation` or `BoundID`; nothing here
/// evaluates a formula. Consistency is enforced, not assumed: the regenerated witness must
/// reproduce the ratio the check recorded bit for bit, its JSON must parse back to the same
/// instance, and the C1 instance must have `PVar_policy = 0` and a non-zero gradient; otherwise
/// the report is not written.
struct BoundsReport {
    let seed: UInt64
    let instances: Int
    let results: [CheckResult]
    let witnesses: [BoundID: Witness]
    let c1: Evaluation
    let c1JSON: String

    init(seed: UInt64, instances: Int, results: [CheckResult]) throws {
        self.seed = seed
        self.instances = instances
        self.results = results
        let generator = InstanceGenerator(runSeed: seed)
        var witnesses: [BoundID: Witness] = [:]
        for r in results {
            guard let worst = r.worst else { continue }
            let problem = generator.instance(r.regime, worst.family, index: worst.index)
            let e = try Evaluation(problem)
            let b = e.bound(r.bound)
            guard b.ratio == worst.ratio || (b.ratio.isNaN && worst.ratio.isNaN) else {
                throw ReportError("\(r.bound.rawValue): the regenerated worst instance (family \(worst.family.rawValue), "
                                  + "index \(worst.index)) has ratio \(InstanceFile.format(b.ratio)), but the check recorded "
                                  + "\(InstanceFile.format(worst.ratio)); the generator is not replayable")
            }
            witnesses[r.bound] = Witness(item: worst, problem: problem, evaluation: e,
                                         json: try Self.roundTripped(problem, name: "\(r.bound.rawValue).json"))
        }
        self.witnesses = witnesses

        let c1Problem = c1Counterexample()
        c1 = try Evaluation(c1Problem)
        guard c1.pvarPolicy == 0, c1.gradientNorm > 0 else {
            throw ReportError("C1: the counterexample has PVar_policy = \(InstanceFile.format(c1.pvarPolicy)) and "
                              + "||grad L|| = \(InstanceFile.format(c1.gradientNorm)); expected 0 and > 0")
        }
        c1JSON = try Self.roundTripped(c1Problem, name: "C1.json")
    }

    /// `InstanceFile.encode(problem)`, after checking that it parses back to the same instance.
    static func roundTripped(_ problem: Problem, name: String) throws -> String {
        let json = InstanceFile.encode(problem)
        guard try InstanceFile.parse(Data(json.utf8)) == problem else {
            throw ReportError("witnesses/\(name): the encoded instance does not parse back to the same doubles")
        }
        return json
    }

    /// Every file of this report, paths relative to the report directory.
    func files() -> [ReportFile] {
        var files = [ReportFile(path: "bounds.md", contents: markdown())]
        for r in results {
            files.append(ReportFile(path: "plots/\(r.bound.rawValue).svg", contents: plot(r).svg()))
            if let w = witnesses[r.bound] {
                files.append(ReportFile(path: "witnesses/\(r.bound.rawValue).json", contents: w.json))
            }
        }
        files.append(ReportFile(path: "witnesses/C1.json", contents: c1JSON))
        return files
    }

    /// The plot of one statement: `||grad L||` against the bound's value, one series per family.
    func plot(_ r: CheckResult) -> LogLogScatter {
        let series = r.families.map { family in
            LogLogScatter.Series(
                name: family.rawValue,
                points: r.sample.filter { $0.family == family }.map { LogLogScatter.Point(x: $0.value, y: $0.lhs) })
        }
        var chart = LogLogScatter(title: "\(r.bound.rawValue): gradient norm against the bound (seed \(seed))",
                                  xLabel: "bound (right-hand side of \(r.bound.rawValue))",
                                  yLabel: "||grad L||", series: series)
        chart.subtitles = [
            formula(r.bound),
            "\(chart.plottedCount) of \(r.sample.count) instances plotted; \(chart.skippedCount) skipped (zero or non-finite)",
        ]
        return chart
    }

    /// The statement without its parenthetical hypothesis.
    func formula(_ id: BoundID) -> String {
        id.statement.components(separatedBy: "  (").first ?? id.statement
    }

    func markdown() -> String {
        let f = InstanceFile.format
        let families = results.first?.families ?? Family.allCases
        let limits = GeneratorLimits()
        var out = "# Bounds B0–B3 on the DPO gradient: randomized check\n\n"
        out += "Each statement was evaluated in closed form, at double precision (`Evaluation`), on "
            + "\(instances) instances drawn from GSL distributions with run seed \(seed). Instance `i` of a "
            + "statement comes from family `families[i mod \(families.count)]`, cycling through "
            + families.map { "`\($0.rawValue)`" }.joined(separator: ", ")
            + ", with K in \(limits.responses.lowerBound)...\(limits.responses.upperBound) responses and "
            + "d in \(limits.dimension.lowerBound)...\(limits.dimension.upperBound) parameters; its generator "
            + "seed derives from (seed, regime, family, i) only, so every instance replays on its own. "
            + "Each statement is checked in the regime that makes its hypotheses hold: "
            + Regime.allCases.compactMap { reg in
                let ids = BoundID.allCases.filter { regime(for: $0) == reg }.map(\.rawValue)
                guard !ids.isEmpty else { return nil }
                return "\(ids.joined(separator: " and ")) `\(reg.rawValue)` (\(regimeDescription(reg)))"
            }.joined(separator: "; ")
            + ". The ratio reported is `||grad L|| / bound` (with 0/0 = 0); the statement claims ratio <= 1. "
            + "A ratio above 1 + \(f(ratioTolerance)) is a *candidate* violation: a double-precision "
            + "evaluation does not decide it, rigorous (ball) arithmetic must confirm it. Instances whose gradient "
            + "norm or bound lies below \(f(resolutionFloor)) (near-one-hot policies with probabilities like e^-700) "
            + "cannot be compared in doubles; they are counted as \"below double range\" and left out of the worst ratio.\n\n"

        out += "| statement | regime | instances | applicable | below double range | worst ratio found | ratio limit | candidates in doubles | certified violations | sharp? |\n"
        out += "|---|---|---|---|---|---|---|---|---|---|\n"
        for r in results {
            let worst = r.worst.map { f($0.ratio) } ?? "none"
            out += "| \(r.bound.rawValue): `\(tableEscape(r.bound.statement))` | \(r.regime.rawValue) | \(r.instances) | "
                + "\(r.applicable) | \(r.unresolved) | \(worst) | 1 | \(r.candidates.count) | \(r.violations.count) | \(sharpness(r.bound)) |\n"
        }
        out += "\n"

        for r in results {
            out += section(r)
        }

        out += "## C1: no bound in the policy's own PVar\n\n"
        out += "A tabular policy at the reference with K = 2, labels from rewards (1, 0) (`c1Counterexample()`); "
            + "witness: [witnesses/C1.json](witnesses/C1.json).\n\n"
        out += c1.markdown() + "\n"
        let halfBetaG = c1.problem.beta * c1.scoreBound / 2
        out += "PVar_policy = \(f(c1.pvarPolicy)) exactly while ||grad L|| = \(f(c1.gradientNorm)) > 0, so no "
            + "bound `||grad L|| <= f(PVar_policy)` with f(0) = 0 can hold. In the scale-aware form "
            + "`||grad L|| <= beta G f(PVar_policy)` this instance needs f(0) >= ||grad L|| / (beta G) = "
            + "\(f(c1.gradientNorm / (c1.problem.beta * c1.scoreBound))); as the reward gap grows the ratio tends to 1/2, "
            + "so f(0) >= 1/2 is needed, and f(0) = 1/2 suffices: at the reference ||grad L|| <= beta G / 2 for every "
            + "labelling (here beta G / 2 = \(f(halfBetaG))). See Proofs/C1-policy-pvar-alone.md.\n\n"

        out += "## Reproduce\n\n"
        out += "```sh\n\(regenerationCommand(seed: seed, instances: instances))\n```\n\n"
        out += "| | |\n|---|---|\n"
        out += "| seed | \(seed) |\n"
        out += "| instances per statement | \(instances) |\n"
        out += "| instances per plot | first \(min(instances, plotSampleLimit)) |\n"
        out += "| families | \(families.map(\.rawValue).joined(separator: ", ")) |\n"
        out += "| Swift | \(swiftVersion) |\n"
        out += "| GSL | \(gslVersion) |\n"
        return out
    }

    func section(_ r: CheckResult) -> String {
        let f = InstanceFile.format
        let id = r.bound.rawValue
        var out = "## \(id)\n\n"
        out += "Statement: `\(r.bound.statement)`.\n\n"
        out += "Hypothesis: \(r.bound.hypothesis). Regime `\(r.regime.rawValue)`: \(regimeDescription(r.regime)).\n\n"
        if let w = witnesses[r.bound] {
            out += "Worst instance: family `\(w.item.family.rawValue)`, index \(w.item.index), ratio \(f(w.item.ratio)) "
                + "(sharp? \(sharpness(r.bound))). Witness: [witnesses/\(id).json](witnesses/\(id).json). Replay:\n\n"
            out += "```sh\n"
                + replayCommand(seed: seed, regime: r.regime, family: w.item.family, index: w.item.index)
                + "\n```\n\n"
            out += w.evaluation.markdown() + "\n"
            out += certify(w.evaluation.problem).markdown() + "\n"
        } else {
            out += "No instance satisfied the hypotheses; there is no witness.\n\n"
        }
        if r.candidates.isEmpty {
            out += "Candidate violations (ratio above 1 + \(f(ratioTolerance)) in doubles): none.\n\n"
        } else {
            let shown = r.candidates.prefix(10)
            out += "Candidate violations: \(r.candidates.count) (ratio above 1 + \(f(ratioTolerance)) at double "
                + "precision), each re-evaluated in ball arithmetic; \(r.violations.count) certified violated"
                + "\(r.candidates.count > shown.count ? "; the first \(shown.count):" : ":")\n\n"
            for v in shown {
                out += "- family `\(v.family.rawValue)`, index \(v.index), ratio \(f(v.ratio)), certified "
                    + "`\(v.certified?.rawValue ?? "undecided")`: `"
                    + replayCommand(seed: seed, regime: r.regime, family: v.family, index: v.index) + "`\n"
            }
            out += "\n"
        }
        let chart = plot(r)
        out += "![\(id): gradient norm against the bound, log-log](plots/\(id).svg)\n\n"
        out += "Gradient norm against the bound on the first \(r.sample.count) applicable instances "
            + "(indices below \(plotSampleLimit)), coloured by family: \(chart.plottedCount) plotted, "
            + "\(chart.skippedCount) skipped because the gradient norm or the bound is 0 or not finite "
            + "(no place on a log axis). Points on or below the dashed line y = x satisfy the bound.\n\n"
        return out
    }

    /// Escapes `|` for a GitHub Markdown table cell (also inside code spans).
    func tableEscape(_ s: String) -> String { s.replacingOccurrences(of: "|", with: "\\|") }
}
