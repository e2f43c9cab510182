// Edge case E1: K = 1 (a single response).

import Foundation
import PVarCertify
import PVarCore

/// E1: K = 1.
public func examineOneResponse(_ c: EdgeCase) -> EdgeCaseOutcome {
    var f = Findings()
    let rs = runs(c, &f)
    for r in rs {
        standardChecks(r, &f)
        let e = r.evaluation
        exactlyZeroGradient(r, &f)
        f.check(r.label, "PVar_policy = PVar_labels = delta = D = G = tr F = 0 exactly",
                list([e.pvarPolicy, e.pvarLabels, e.disagreement, e.scoreSpread, e.scoreBound, e.fisherTrace]),
                [e.pvarPolicy, e.pvarLabels, e.disagreement, e.scoreSpread, e.scoreBound, e.fisherTrace].allSatisfy { $0 == 0 })
        f.check(r.label, "L = log 2 (the double log(2))", fmt(e.loss), e.loss == log(2.0))
        allBoundsZero(r, &f)
        f.check(r.label, "every statement applies (trivially at the reference, mu = pi)",
                e.bounds.map { "\($0.id.rawValue) \($0.applies)" }.joined(separator: ", "), e.bounds.allSatisfy(\.applies))
    }
    let details = rs.map { r in
        let e = r.evaluation
        return "\(r.label): grad = \(list(e.gradient)), PVar_policy, PVar_labels, delta, D, G = "
            + list([e.pvarPolicy, e.pvarLabels, e.disagreement, e.scoreSpread, e.scoreBound]) + ", L = \(fmt(e.loss)); "
            + e.bounds.map { "\($0.id.rawValue) \(fmt($0.lhs)) <= \(fmt($0.value)), ratio \(ratioText($0.ratio))" }.joined(separator: "; ")
            + "; certified " + BoundID.allCases.map { r.certificate.bounds[$0]!.verdict.rawValue }.joined(separator: ", ")
    }
    let brief = rs.first.map { r in
        "grad = 0.0 (every entry), PVars = delta = D = G = 0.0, L = \(fmt(r.evaluation.loss)) = log 2; B0-B3: value 0.0, "
            + "ratio 0 (resolved, holds); certified holds with exact zeros (both instances)"
    } ?? "rejected"
    return EdgeCaseOutcome(id: c.id, toolComputes: brief, details: details, checks: f.checks)
}
