// Edge case E3: One-hot and near-one-hot policies (tabular, K = 3).

import Foundation
import PVarCertify
import PVarCore

/// Leading-order closed forms for a tabular policy with one dominant response `t` (E3), from
/// `log pi` computed directly (`z_y - z_t - log(1 + sum_{k != t} exp(z_k - z_t))`) so that
/// quantities of order `sqrt(pi_minor)` stay representable when `pi_minor` is not.
///
/// Dropped terms are smaller by a factor of order `pi_minor` (`pi_t = 1 - O(pi_minor)`, and a pair
/// of two minor responses weighs `pi_minor` times less than a pair with `t`).
public struct NearOneHotLeadingOrder: Sendable {
    /// `2 beta c` with `c_y = pi_y (p(y,t) - q(y,t))`, `c_t = -sum_{y != t} c_y`.
    public let gradient: [Double]
    /// `2 sum_y pi_y (p(t,y) - 1/2)^2`.
    public let pvarPolicy: Double
    /// `sqrt(2 sum_y pi_y (q(t,y) - 1/2)^2)`.
    public let rootPVarLabels: Double
    /// `sqrt(2 sum_y pi_y (p(t,y) - q(t,y))^2)`.
    public let disagreement: Double
    /// `2 sqrt(sum_y pi_y)`.
    public let scoreSpread: Double

    public init(_ p: Problem) {
        precondition(p.isTabular && p.pairs == .policy, "NearOneHotLeadingOrder: tabular, pairs from the policy")
        let k = p.responseCount
        let t = p.theta.indices.max { p.theta[$0] < p.theta[$1] } ?? 0
        var tail = 0.0
        for y in 0..<k where y != t { tail += exp(p.theta[y] - p.theta[t]) }
        let logPi = p.theta.map { $0 - p.theta[t] - log1p(tail) }
        func h(_ y: Int) -> Double { p.beta * (logPi[y] - log(p.reference[y])) }
        var c = [Double](repeating: 0, count: k)
        var policyTerms: [Double] = [], labelTerms: [Double] = [], disagreementTerms: [Double] = [], massTerms: [Double] = []
        for y in 0..<k where y != t {
            let a = h(t) - h(y), b = p.rewards[t] - p.rewards[y]
            let cp = tanh(a / 2) / 2, cq = tanh(b / 2) / 2
            let root = exp(logPi[y] / 2)                       // sqrt(pi_y), representable far below pi_y
            c[y] = exp(logPi[y]) * (cq - cp)                   // p(y,t) - q(y,t) = -(cp - cq)
            policyTerms.append(root * cp)
            labelTerms.append(root * cq)
            disagreementTerms.append(root * (cp - cq))
            massTerms.append(root)
        }
        c[t] = -c.reduce(0, +)
        gradient = c.map { 2 * p.beta * $0 }
        let policyRoot = euclideanNorm(policyTerms)
        pvarPolicy = 2 * policyRoot * policyRoot
        rootPVarLabels = 2.0.squareRoot() * euclideanNorm(labelTerms)
        disagreement = 2.0.squareRoot() * euclideanNorm(disagreementTerms)
        scoreSpread = 2 * euclideanNorm(massTerms)
    }
}

/// Relative accuracy of the E3 leading-order closed forms on the catalogue's instances: the
/// dropped terms are at most `e^-40 = 4e-18` relative (`pi_minor <= e^-40`), so the comparison is
/// limited by the double evaluation's documented accuracy, `edgeCaseAccuracy`.
public let nearOneHotTolerance = edgeCaseAccuracy

/// E3: one-hot and near-one-hot policies.
public func examineOneHot(_ c: EdgeCase) -> EdgeCaseOutcome {
    var f = Findings()
    let rs = runs(c, &f)
    var parts: [String] = []
    var briefs: [String] = []
    for r in rs {
        standardChecks(r, &f)
        let e = r.evaluation
        let lead = NearOneHotLeadingOrder(e.problem)
        let terms = e.problem.responseCount * e.problem.responseCount
        func compare(_ name: String, _ x: Double, _ exact: Double) {
            f.check(r.label, "\(name) agrees with the leading-order closed form", "\(fmt(x)) vs \(fmt(exact))",
                    agreesWithClosedForm(x, exact, relative: nearOneHotTolerance, terms: terms))
        }
        for (y, g) in e.gradient.enumerated() { compare("gradient entry \(y + 1)", g, lead.gradient[y]) }
        compare("PVar_policy", e.pvarPolicy, lead.pvarPolicy)
        compare("sqrt(PVar_labels)", e.rootPVarLabels, lead.rootPVarLabels)
        compare("delta", e.disagreement, lead.disagreement)
        compare("D", e.scoreSpread, lead.scoreSpread)
        let resolved = e.bounds.map { "\($0.id.rawValue) \($0.resolved ? "resolved" : "unresolved")" }.joined(separator: ", ")
        parts.append("\(r.label): pi = \(list(e.policy)), ||grad L|| = \(fmt(e.gradientNorm)), PVar_policy = "
                     + "\(fmt(e.pvarPolicy)), D = \(fmt(e.scoreSpread)), delta = \(fmt(e.disagreement)), B0 ratio "
                     + "\(ratioText(e.bound(.B0).ratio)) (certified \(r.certificate.bounds[.B0]!.ratio)), B1 value "
                     + "\(fmt(e.bound(.B1).value)) (certified \(r.certificate.bounds[.B1]!.value)); \(resolved)")
        let unresolved = e.bounds.filter { !$0.resolved }.map(\.id.rawValue)
        briefs.append("\(r.label): ||grad L|| = \(fmt(e.gradientNorm)), PVar_policy = \(fmt(e.pvarPolicy)), D = \(fmt(e.scoreSpread)), "
                      + "B1 value \(fmt(e.bound(.B1).value)); "
                      + (unresolved.isEmpty ? "all comparisons resolved" : unresolved.joined(separator: ", ") + " unresolved"))
    }
    return EdgeCaseOutcome(id: c.id, toolComputes: briefs.joined(separator: ". "), details: parts, checks: f.checks)
}
