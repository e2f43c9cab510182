// Edge case E6: Reference entries 1e-300 and 5e-324 (subnormal).

import Foundation
import PVarCertify
import PVarCore

/// E6: tiny and subnormal reference entries.
public func examineTinyReference(_ c: EdgeCase) -> EdgeCaseOutcome {
    var f = Findings()
    let rs = runs(c, &f)
    var parts: [String] = []
    for r in rs {
        standardChecks(r, &f)
        let e = r.evaluation
        let p = e.problem
        let k = p.responseCount
        // The instances with theta = log pi_ref are at the reference by construction; theta = 0 is not.
        let atReferenceByConstruction = r.label.hasSuffix("theta = log pi_ref")
        f.check(r.label, "at-reference detection: \(atReferenceByConstruction)", "atReference \(e.atReference)",
                e.atReference == atReferenceByConstruction)
        // h_i - h_j = beta [(theta_i - theta_j) - (log ref_i - log ref_j)], term by term.
        var worst = 0.0
        var agree = true
        for i in 0..<k {
            for j in 0..<k {
                let exact = p.beta * ((p.theta[i] - p.theta[j]) - (log(p.reference[i]) - log(p.reference[j])))
                let x = e.implicitRewardDifference(i, j)
                worst = max(worst, abs(x))
                // At the reference both are rounding remainders of size ~ beta ulp(745): compare absolutely.
                let slack = p.beta * referenceTolerance * (1 + 745)
                agree = agree && x.isFinite && (agreesWithClosedForm(x, exact, terms: 0) || abs(x - exact) <= slack)
            }
        }
        f.check(r.label, "every implicit-reward difference h_i - h_j is finite and equals beta [(theta_i - theta_j) - log(ref_i/ref_j)]",
                "largest |h_i - h_j| = \(fmt(worst))", agree)
        if atReferenceByConstruction {
            let cb = r.certificate.bounds[.B2]!
            f.check(r.label, "B2 applies and is certified to hold", "applies \(e.bound(.B2).applies), certified \(cb.verdict.rawValue)",
                    e.bound(.B2).applies && cb.verdict == .holds)
        }
        parts.append("\(r.label): atReference \(e.atReference), h = \(list(e.implicitRewards)), pi = \(list(e.policy)), "
                     + "||grad L|| = \(fmt(e.gradientNorm)), B2 ratio \(ratioText(e.bound(.B2).ratio))")
    }
    let brief = "every output finite; atReference " + rs.map { "\($0.evaluation.atReference)" }.joined(separator: ", ")
        + " (1e-300 and 5e-324 at the reference, 5e-324 with theta = 0); largest |h_y - h_1| = "
        + rs.map { r in fmt((0..<r.evaluation.problem.responseCount).map { abs(r.evaluation.implicitRewardDifference($0, 0)) }.max() ?? 0) }
            .joined(separator: ", ")
        + "; B2 certified " + rs.prefix(2).map { $0.certificate.bounds[.B2]!.verdict.rawValue }.joined(separator: ", ")
    return EdgeCaseOutcome(id: c.id, toolComputes: brief, details: parts, checks: f.checks)
}
