// `edge-cases.md`: the edge-case catalogue (E1–E8), what the mathematics says, what the tool
// computes, and the verdict.

import Foundation
import PVarCore
import PVarSelect
import PVarStudies
import PVarVerify

/// The edge-case report as Markdown: a summary table (case, what the math says, what the tool
/// computes, verdict), then one section per case with the derivation, the tool's values on each
/// instance, the checks that failed (if any), the beta sweep for E4, and every instance as JSON
/// (`InstanceFile.encode`, the input of `pvar evaluate`).
///
/// Every number comes from `examineEdgeCase`, `betaSweep` and `BetaLimit` (which evaluate with
/// `Evaluation` and `certify`), the functions the `EdgeCases` test suite asserts on; nothing here
/// evaluates a formula. Deterministic: no timestamps, numbers by `InstanceFile.format`.
public func edgeCaseReport() -> String {
    let cases = edgeCaseCatalogue()
    let outcomes = cases.map(examineEdgeCase)
    let total = outcomes.reduce(0) { $0 + $1.checks.count }
    let failed = outcomes.reduce(0) { $0 + $1.failures.count }
    var out = "# Edge cases\n\n"
    out += "Each case below is an instance family where the mathematics degenerates (K = 1, identical responses, "
        + "equal rewards, zero pair weights) or the numbers are extreme (one-hot policies, beta -> 0 or infinity, logits "
        + "near +-700, reference entries down to the smallest subnormal). For each, \"what the math says\" is derived "
        + "from the definitions in Proofs/setting.md; \"what the tool computes\" is the double evaluation (`Evaluation`), "
        + "re-checked in ball arithmetic (`certify`). The verdict comes from explicit checks: every output finite; "
        + "||grad L||, both PVars and every bound's value inside the certified enclosure (up to the documented "
        + "accuracy \(InstanceFile.format(edgeCaseAccuracy)) relative); no statement whose hypotheses hold "
        + "refuted; a comparison counted as resolved because both sides are 0 only when both are exactly 0; and the "
        + "claims of each case. Convention: a ratio ||grad L|| / bound with both sides 0 is defined as 0 (the bound "
        + "holds, as 0 <= 0), and x / 0 = inf for x > 0 (`null` in JSON). \(total - failed) of \(total) checks pass. "
        + "The suite `EdgeCases` (Tests/PVarVerifyTests/EdgeCaseTests.swift) asserts on the same functions.\n\n"

    out += "| case | what the math says | what the tool computes | verdict |\n|---|---|---|---|\n"
    for (c, o) in zip(cases, outcomes) {
        out += "| \(c.id): \(edgeCaseEscape(c.title)) | \(edgeCaseEscape(c.mathInBrief)) | \(edgeCaseEscape(o.toolComputes)) | "
            + "\(edgeCaseEscape(o.shortVerdict)) |\n"
    }
    out += "\n"

    for (c, o) in zip(cases, outcomes) {
        out += "## \(c.id). \(c.title)\n\n"
        out += "**What the math says.** \(c.mathSays)\n\n"
        out += "**What the tool computes.**\n\n"
        for line in o.details { out += "- \(line)\n" }
        out += "\n"
        if o.agrees {
            out += "**Verdict: agrees** (\(o.checks.count) of \(o.checks.count) checks pass).\n\n"
        } else {
            out += "**Verdict: disagrees** (\(o.failures.count) of \(o.checks.count) checks fail):\n\n"
            for f in o.failures { out += "- [\(f.instance)] \(f.claim): observed \(f.observed)\n" }
            out += "\n"
        }
        if c.id == .E4 { out += betaSweepTables(c) }
        out += "**Instances** (input of `pvar evaluate`"
            + (c.id == .E4 ? "; the sweep replaces beta" : "") + "):\n\n"
        for inst in c.instances {
            out += "\(inst.label):\n\n```json\n\(InstanceFile.encode(inst.problem))```\n\n"
        }
    }
    return out
}

/// The E4 tables: for each side, the tool's values at each beta of the sweep against the
/// closed-form limit and the rate bounds.
func betaSweepTables(_ c: EdgeCase) -> String {
    let f = InstanceFile.format
    func ratio(_ x: Double) -> String { x.isFinite ? f(x) : "inf" }
    var out = ""
    for side in BetaLimitSide.allCases {
        let limit = BetaLimit(c.instance, side)
        out += "### \(side.rawValue)\n\n"
        out += "Limit (closed form): grad/beta -> [" + limit.gradientOverBeta.map(f).joined(separator: ", ") + "], "
            + "PVar_policy\(side == .zero ? "/beta^2" : "") -> \(f(limit.pvarPolicy)), PVar_labels = \(f(limit.pvarLabels)), "
            + "delta -> \(f(limit.disagreement)), D = \(f(limit.scoreSpread)), G = \(f(limit.scoreBound)).\n\n"
        let sweep: [BetaSweepPoint]
        do { sweep = try betaSweep(c.instance, limit) } catch {
            out += "The tool rejected a beta of the sweep: \(error)\n\n"
            continue
        }
        let pvarName = side == .zero ? "PVar_policy / beta^2" : "PVar_policy"
        out += "| beta | " + edgeCaseEscape("||grad/beta - lim||") + " | its bound | \(pvarName) | lim - it | its bound | PVar_labels | "
            + BoundID.allCases.map { "\($0.rawValue) ratio" }.joined(separator: " | ") + " |\n"
        out += "|" + String(repeating: "---|", count: 7 + BoundID.allCases.count) + "\n"
        for pt in sweep {
            out += "| \(f(pt.beta)) | \(f(pt.gradientError)) | \(f(pt.gradientErrorBound)) | \(f(pt.scaledPVarPolicy)) | "
                + "\(f(pt.pvarPolicyError)) | \(f(pt.pvarPolicyErrorBound)) | \(f(pt.evaluation.pvarLabels)) | "
                + BoundID.allCases.map { ratio(pt.evaluation.bound($0).ratio) }.joined(separator: " | ") + " |\n"
        }
        out += "| limit | 0 | | \(f(limit.pvarPolicy)) | 0 | | \(f(limit.pvarLabels)) | "
            + BoundID.allCases.map { ratio(limit.ratios[$0]!) }.joined(separator: " | ") + " |\n\n"
        out += "Ratio errors |ratio - lim| against their bounds at the last beta (\(f(sweep.last?.beta ?? .nan))): "
            + BoundID.allCases.map { id in
                "\(id.rawValue) \(f(sweep.last?.ratioErrors[id] ?? .nan)) <= \(f(sweep.last?.ratioErrorBounds[id] ?? .nan))"
            }.joined(separator: ", ") + " (plus the rounding allowance of `betaSweepAllowances`).\n\n"
    }
    return out
}

/// Text for a Markdown table cell: `|` escaped, no line breaks.
func edgeCaseEscape(_ s: String) -> String {
    s.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
}
