// Edge case E5: Logits near +-700 (and past the exp overflow at 709.8).

import Foundation
import PVarCertify
import PVarCore

/// The closed forms for a uniform reference and uniform pairs (`pairs = reference` with a
/// uniform `pi_ref`): `a_ij = beta (z_i - z_j)`, `q_ij = sigmoid(r_i - r_j)`,
/// `grad L = (2 beta / K^2) sum_ij (sigmoid(a_ij) - q_ij) phi_i`,
/// `L = (1/K^2) (K log 2 + sum_{i != j} [q softplus(-a) + (1 - q) softplus(a)])`, evaluated term by
/// term from the definitions (no anchoring, no compensated sums). Nil unless the reference is
/// uniform (equal doubles) and the pairs are the reference.
public func uniformPairsClosedForm(_ p: Problem) -> (loss: Double, gradient: [Double])? {
    guard p.pairs == .reference, Set(p.reference).count == 1 else { return nil }
    let k = p.responseCount
    let rows = p.features ?? (0..<k).map { i in (0..<k).map { $0 == i ? 1.0 : 0.0 } }
    let z = rows.map { row in zip(row, p.theta).reduce(0) { $0 + $1.0 * $1.1 } }
    var gradient = [Double](repeating: 0, count: p.dimension)
    var loss = Double(k) * log(2.0)
    let w = 1 / Double(k * k)
    for i in 0..<k {
        for j in 0..<k where i != j {
            let a = p.beta * (z[i] - z[j])
            let q = sigmoid(p.rewards[i] - p.rewards[j])
            for c in 0..<p.dimension { gradient[c] += 2 * p.beta * w * (sigmoid(a) - q) * rows[i][c] }
            loss += q * softplus(-a) + (1 - q) * softplus(a)
        }
    }
    return (w * loss, gradient)
}

/// E5: logits near +-700.
public func examineExtremeLogits(_ c: EdgeCase) -> EdgeCaseOutcome {
    var f = Findings()
    let rs = runs(c, &f)
    var parts: [String] = []
    for r in rs {
        standardChecks(r, &f)
        let e = r.evaluation
        let k = e.problem.responseCount
        if let closed = uniformPairsClosedForm(e.problem) {
            f.check(r.label, "L agrees with the closed form", "\(fmt(e.loss)) vs \(fmt(closed.loss))",
                    agreesWithClosedForm(e.loss, closed.loss, terms: k * k))
            f.check(r.label, "every gradient entry agrees with the closed form", "\(list(e.gradient)) vs \(list(closed.gradient))",
                    zip(e.gradient, closed.gradient).allSatisfy { agreesWithClosedForm($0, $1, terms: k * k) })
        } else {
            // Pairs from the policy: the leading-order closed form of E3 applies (pi_minor = e^-700).
            let lead = NearOneHotLeadingOrder(e.problem)
            f.check(r.label, "every gradient entry agrees with the leading-order closed form",
                    "\(list(e.gradient)) vs \(list(lead.gradient))",
                    zip(e.gradient, lead.gradient).allSatisfy { agreesWithClosedForm($0, $1, relative: nearOneHotTolerance, terms: k * k) })
        }
        parts.append("\(r.label): pi = \(list(e.policy)), L = \(fmt(e.loss)), grad = \(list(e.gradient)), B0 "
                     + "\(e.bound(.B0).resolved ? "resolved" : "unresolved (value \(fmt(e.bound(.B0).value)) < resolutionFloor)")")
    }
    let brief = "every output finite; "
        + rs.map { r in
            let e = r.evaluation
            return uniformPairsClosedForm(e.problem) == nil
                ? "pairs from pi: ||grad L|| = \(fmt(e.gradientNorm)) (leading-order closed form matched; B0 "
                    + (e.bound(.B0).resolved ? "resolved)" : "value below resolutionFloor: unresolved)")
                : "\(e.problem.isTabular ? "tabular" : "features"), uniform pairs: L = \(fmt(e.loss)), ||grad L|| = \(fmt(e.gradientNorm)) (closed form matched)"
        }.joined(separator: "; ")
    return EdgeCaseOutcome(id: c.id, toolComputes: brief, details: parts, checks: f.checks)
}
