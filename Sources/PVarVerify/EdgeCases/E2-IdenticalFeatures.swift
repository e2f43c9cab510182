// Edge case E2: All feature rows identical (K = 4).

import Foundation
import PVarCertify
import PVarCore

/// E2: identical feature rows.
public func examineIdenticalFeatures(_ c: EdgeCase) -> EdgeCaseOutcome {
    var f = Findings()
    let rs = runs(c, &f)
    for r in rs {
        standardChecks(r, &f)
        let e = r.evaluation
        exactlyZeroGradient(r, &f)
        f.check(r.label, "D = G = tr F = 0 exactly", list([e.scoreSpread, e.scoreBound, e.fisherTrace]),
                e.scoreSpread == 0 && e.scoreBound == 0 && e.fisherTrace == 0)
        f.check(r.label, "pi is uniform (all entries equal)", list(e.policy), Set(e.policy).count == 1)
        f.check(r.label, "PVar_labels > 0 and PVar_policy > 0 (the preferences are not degenerate)",
                "PVar_labels \(fmt(e.pvarLabels)), PVar_policy \(fmt(e.pvarPolicy))", e.pvarLabels > 0 && e.pvarPolicy > 0)
        allBoundsZero(r, &f)
    }
    let details = rs.map { r in
        let e = r.evaluation
        return "\(r.label): pi = \(list(e.policy)), grad = \(list(e.gradient)), D = \(fmt(e.scoreSpread)), G = \(fmt(e.scoreBound)), "
            + "PVar_policy = \(fmt(e.pvarPolicy)), PVar_labels = \(fmt(e.pvarLabels)); B0-B3 values "
            + list(e.bounds.map(\.value)) + ", ratios " + e.bounds.map { ratioText($0.ratio) }.joined(separator: ", ")
            + "; certified ||grad L|| in \(r.certificate.gradientNorm)"
    }
    let brief = "grad = 0.0 exactly, D = G = 0.0, B0-B3: value 0.0, ratio 0 (resolved, holds) for mu = pi and mu = pi_ref; "
        + "PVar_policy = " + rs.map { fmt($0.evaluation.pvarPolicy) }.joined(separator: " and ")
        + ", PVar_labels = " + rs.map { fmt($0.evaluation.pvarLabels) }.joined(separator: " and ")
    return EdgeCaseOutcome(id: c.id, toolComputes: brief, details: details, checks: f.checks)
}
