// Edge case E8: Explicit pair weights with zeros.

import Foundation
import PVarCertify
import PVarCore

/// The responses with positive pair weight (E8): all of them unless the pairs are explicit weights.
public func keptResponses(_ p: Problem) -> [Int] {
    guard case .weights(let w) = p.pairs else { return Array(0..<p.responseCount) }
    return w.indices.filter { w[$0] != 0 }
}

/// Relative agreement required between an instance with zero-weight responses and the same
/// instance with them removed: both evaluate the same real numbers, each to `edgeCaseAccuracy`
/// (documented), so they agree to twice that.
public let zeroWeightAgreement = 2 * edgeCaseAccuracy

/// E8: explicit pair weights with zeros.
public func examineZeroPairWeights(_ c: EdgeCase) -> EdgeCaseOutcome {
    var f = Findings()
    let rs = runs(c, &f)
    var parts: [String] = []
    var briefs: [String] = []
    for r in rs { standardChecks(r, &f) }
    for pair in stride(from: 0, to: rs.count - 1, by: 2) {
        let full = rs[pair], reduced = rs[pair + 1]
        let a = full.evaluation, b = reduced.evaluation
        let label = full.label
        func same(_ name: String, _ x: Double, _ y: Double) {
            f.check(label, "\(name) equals the reduced instance's", "\(fmt(x)) vs \(fmt(y))",
                    agreesWithClosedForm(x, y, relative: zeroWeightAgreement, terms: 0))
        }
        same("L", a.loss, b.loss)
        same("||grad L||", a.gradientNorm, b.gradientNorm)
        same("PVar_labels", a.pvarLabels, b.pvarLabels)
        same("delta", a.disagreement, b.disagreement)
        same("D", a.scoreSpread, b.scoreSpread)
        let kept = keptResponses(a.problem)
        if a.problem.isTabular {
            for (m, y) in kept.enumerated() { same("gradient entry \(y + 1)", a.gradient[y], b.gradient[m]) }
            let dropped = a.gradient.indices.filter { !kept.contains($0) }
            f.check(label, "the dropped responses' gradient entries are exactly 0", list(dropped.map { a.gradient[$0] }),
                    dropped.allSatisfy { a.gradient[$0] == 0 })
        } else {
            for (m, (x, y)) in zip(a.gradient, b.gradient).enumerated() { same("gradient entry \(m + 1)", x, y) }
        }
        parts.append("\(label): L = \(fmt(a.loss)) (removed: \(fmt(b.loss))), grad = \(list(a.gradient)) (removed: "
                     + "\(list(b.gradient))), PVar_labels = \(fmt(a.pvarLabels)) (\(fmt(b.pvarLabels))), delta = "
                     + "\(fmt(a.disagreement)) (\(fmt(b.disagreement)))")
        let compared = [(a.loss, b.loss), (a.gradientNorm, b.gradientNorm), (a.pvarLabels, b.pvarLabels),
                        (a.disagreement, b.disagreement), (a.scoreSpread, b.scoreSpread)]
        let worst = compared.map { $0 == $1 ? 0 : abs($0 - $1) / max(abs($0), abs($1)) }.max() ?? 0
        briefs.append("\(a.problem.isTabular ? "tabular" : "features"): largest relative difference \(fmt(worst))"
                      + (a.problem.isTabular ? ", dropped entries " + list(a.gradient.indices.filter { !kept.contains($0) }.map { a.gradient[$0] }) : ""))
    }
    return EdgeCaseOutcome(id: c.id, toolComputes: "L, ||grad L||, PVar_labels, delta, D match the reduced instance: "
                           + briefs.joined(separator: "; "), details: parts, checks: f.checks)
}
