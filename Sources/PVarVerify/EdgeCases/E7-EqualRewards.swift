// Edge case E7: All rewards equal (PVar_labels = 0).

import Foundation
import PVarCertify
import PVarCore

/// E7: all rewards equal.
public func examineEqualRewards(_ c: EdgeCase) -> EdgeCaseOutcome {
    var f = Findings()
    let rs = runs(c, &f)
    var parts: [String] = []
    for r in rs {
        standardChecks(r, &f)
        let e = r.evaluation
        let cert = r.certificate
        f.check(r.label, "PVar_labels = 0 exactly", fmt(e.pvarLabels), e.pvarLabels == 0 && cert.pvarLabels.isExactZero)
        for id in [BoundID.B2, .B3] {
            f.check(r.label, "the value of \(id.rawValue) is exactly 0", fmt(e.bound(id).value), e.bound(id).value == 0)
        }
        let b2 = e.bound(.B2), b3 = e.bound(.B3)
        switch r.label {
        case "exactly at the reference":
            exactlyZeroGradient(r, &f)
            allBoundsZero(r, &f)
            f.check(r.label, "B2 and B3 apply", "\(b2.applies), \(b3.applies)", b2.applies && b3.applies)
        case "away from the reference":
            f.check(r.label, "||grad L|| > 0", fmt(e.gradientNorm), e.gradientNorm > 0)
            for b in [b2, b3] {
                f.check(r.label, "\(b.id.rawValue) does not apply; ratio = inf (JSON null); certified violated",
                        "applies \(b.applies), ratio \(ratioText(b.ratio)), certified \(cert.bounds[b.id]!.verdict.rawValue)",
                        !b.applies && b.ratio == .infinity && cert.bounds[b.id]!.verdict == .violated)
            }
            f.check(r.label, "the JSON output writes the infinite ratios as null",
                    "\(e.json().components(separatedBy: "\"ratio\": null").count - 1) nulls",
                    e.json().components(separatedBy: "\"ratio\": null").count - 1 == 2)
            f.check(r.label, "delta = sqrt(PVar_policy) (mu = pi, q = 1/2)", "\(fmt(e.disagreement)) vs \(fmt(e.rootPVarPolicy))",
                    agreesWithClosedForm(e.disagreement, e.rootPVarPolicy, terms: 0))
            for id in [BoundID.B0, .B1] {
                f.check(r.label, "\(id.rawValue) applies and holds (certified)",
                        "ratio \(ratioText(e.bound(id).ratio)), certified \(cert.bounds[id]!.verdict.rawValue)",
                        e.bound(id).applies && e.bound(id).holds && cert.bounds[id]!.verdict == .holds)
            }
        default:
            // At the reference only up to the rounding of theta = fl(log pi_ref).
            f.check(r.label, "the tool takes it as at the reference (within referenceTolerance)", "atReference \(e.atReference)",
                    e.atReference)
            f.check(r.label, "the exact instance is not at the reference: certified PVar_policy > 0 and ||grad L|| > 0",
                    "PVar_policy in \(cert.pvarPolicy), ||grad L|| in \(cert.gradientNorm)",
                    cert.pvarPolicy.lo > 0 && cert.gradientNorm.lo > 0)
            f.check(r.label, "B2 (value 0) is certified violated, and left unresolved in doubles",
                    "ratio \(ratioText(b2.ratio)), resolved \(b2.resolved), certified \(cert.bounds[.B2]!.verdict.rawValue)",
                    b2.ratio == .infinity && !b2.resolved && cert.bounds[.B2]!.verdict == .violated)
            f.check(r.label, "the excess is within the documented margin sqrt(2) beta G sqrt(PVar_policy) (= B1 here, certified holds)",
                    "||grad L|| \(fmt(e.gradientNorm)), margin \(fmt(e.bound(.B1).value)), certified \(cert.bounds[.B1]!.verdict.rawValue)",
                    e.gradientNorm <= e.bound(.B1).value && cert.bounds[.B1]!.verdict == .holds)
        }
        parts.append("\(r.label): grad = \(list(e.gradient)), PVar_labels = \(fmt(e.pvarLabels)), PVar_policy = "
                     + "\(fmt(e.pvarPolicy)); ratios B0-B3 " + e.bounds.map { ratioText($0.ratio) }.joined(separator: ", ")
                     + "; certified " + BoundID.allCases.map { cert.bounds[$0]!.verdict.rawValue }.joined(separator: ", "))
    }
    var brief = ""
    if rs.count == 3 {
        let (at, away, rounded) = (rs[0].evaluation, rs[1].evaluation, rs[2].evaluation)
        brief = "at the reference: grad = \(list(at.gradient)), B0-B3 ratio 0; away: ||grad L|| = \(fmt(away.gradientNorm)), "
            + "ratios B0-B3 " + away.bounds.map { ratioText($0.ratio) }.joined(separator: ", ")
            + " (B2/B3 JSON null, certified violated, not applicable); theta = fl(log pi_ref): ||grad L|| = "
            + "\(fmt(rounded.gradientNorm)), atReference \(rounded.atReference), B2 unresolved in doubles and certified violated"
    }
    return EdgeCaseOutcome(id: c.id, toolComputes: brief, details: parts, checks: f.checks)
}
