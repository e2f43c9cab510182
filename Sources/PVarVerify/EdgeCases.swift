// Edge-case catalogue: degenerate and extreme instances, what the mathematics says about each,
// what the tool computes, and whether the two agree.

import Foundation
import PVarCertify
import PVarCore

// MARK: - Tolerances

/// Relative accuracy documented for the double evaluation (`Evaluation`: every output agrees
/// with an independent 50-digit evaluation to better than 1e-12 relative). A computed value may
/// differ from the exact one (a certified enclosure, or a closed form evaluated without
/// cancellation) by this much of its magnitude; more is a disagreement.
public let edgeCaseAccuracy = 1e-12

/// Absolute slack per pair term for values in or near the subnormal range: a pair sum of K^2
/// terms, each rounded once to a subnormal, can be off by half a subnormal spacing
/// (`2^-1075`) per term; `4 * 2^-1074` per term covers that with room for the final scaling.
public let edgeCaseUnderflowSlackPerTerm = 4 * 0x1p-1074

/// Whether `x` lies within `[lo, hi]`, widened by `edgeCaseAccuracy` relative and the underflow
/// slack of `terms` pair terms absolute.
public func agreesWithEnclosure(_ x: Double, _ enclosure: Enclosure, terms: Int) -> Bool {
    let magnitude = max(abs(x), abs(enclosure.lo), enclosure.hi.isFinite ? abs(enclosure.hi) : 0)
    let slack = edgeCaseAccuracy * magnitude + Double(terms) * edgeCaseUnderflowSlackPerTerm
    return enclosure.lo - slack <= x && x <= enclosure.hi + slack
}

/// Whether `x` agrees with the closed-form value `exact` within `relative` of the larger
/// magnitude plus the underflow slack of `terms` pair terms.
public func agreesWithClosedForm(_ x: Double, _ exact: Double, relative: Double = edgeCaseAccuracy, terms: Int) -> Bool {
    if x == exact { return true }
    guard x.isFinite, exact.isFinite else { return false }
    return abs(x - exact) <= relative * max(abs(x), abs(exact)) + Double(terms) * edgeCaseUnderflowSlackPerTerm
}

// MARK: - The catalogue

/// One labelled instance of an edge case.
public struct EdgeCaseInstance: Sendable {
    public let label: String
    public let problem: Problem
}

/// One edge case: an identifier (`E1`..`E8`), a title, what the mathematics says, and the
/// instances that exhibit it (the first is the primary one).
public struct EdgeCase: Sendable {
    public let id: String
    public let title: String
    /// What the exact mathematics says, in one line (the report's table).
    public let mathInBrief: String
    /// What the exact mathematics says about the case, with its derivation (derived, not observed).
    public let mathSays: String
    /// The labelled instances, primary first.
    public let instances: [EdgeCaseInstance]

    /// The primary instance.
    public var instance: Problem { instances[0].problem }

    /// The instance with the given label, if any.
    public func problem(_ label: String) -> Problem? {
        instances.first { $0.label == label }?.problem
    }
}

/// One claim of the mathematics checked against the tool on one instance.
public struct EdgeCaseCheck: Sendable {
    /// The label of the instance.
    public let instance: String
    /// The claim, e.g. "every gradient entry is exactly 0".
    public let claim: String
    /// What the tool computed, as text.
    public let observed: String
    public let passed: Bool
}

/// The outcome of one edge case: what the tool computes (a short summary), every check, and the
/// verdict: `"agrees"`, or a precise description of each disagreement.
public struct EdgeCaseOutcome: Sendable {
    public let id: String
    /// What the tool computes, in one line (the report's table).
    public let toolComputes: String
    /// What the tool computes on each instance, one line per instance.
    public let details: [String]
    public let checks: [EdgeCaseCheck]
    public var failures: [EdgeCaseCheck] { checks.filter { !$0.passed } }
    public var agrees: Bool { failures.isEmpty }

    /// `"agrees"`, or every failed check with what was observed.
    public var verdict: String {
        agrees ? "agrees"
            : "disagrees: " + failures.map { "[\($0.instance)] \($0.claim): observed \($0.observed)" }.joined(separator: "; ")
    }

    /// `"agrees"`, or the instances and claims that fail (without the observations; `verdict`
    /// has them).
    public var shortVerdict: String {
        if agrees { return "agrees" }
        var labels: [String] = []
        for f in failures where !labels.contains(f.instance) { labels.append(f.instance) }
        return "disagrees (\(failures.count) of \(checks.count) checks fail): " + labels.map { label in
            "on \(label): " + failures.filter { $0.instance == label }.map(\.claim).joined(separator: "; ")
        }.joined(separator: ". ")
    }
}

/// Builds a catalogue instance (literal, valid by construction).
func literal(_ label: String, beta: Double, features: [[Double]]? = nil, theta: [Double], reference: [Double],
             rewards: [Double], pairs: PairDistribution = .policy) -> EdgeCaseInstance {
    do {
        return EdgeCaseInstance(label: label, problem: try Problem(
            beta: beta, features: features, theta: theta, reference: reference, rewards: rewards, pairs: pairs))
    } catch {
        preconditionFailure("edge case \(label) is valid by construction: \(error)")
    }
}

/// The uniform reference on three responses as doubles (`fl(1/3)` each; the sum is within
/// `normalizationTolerance` of 1, and equal entries make every log-ratio difference exactly 0).
let uniformThree = [1.0 / 3, 1.0 / 3, 1.0 / 3]

/// The betas of the E4 sweep: `10^-k` (towards 0) or `10^k` (towards infinity), k = 1...8.
public let betaSweepExponents = 1...8

/// Every edge case, E1..E8, in order.
public func edgeCaseCatalogue() -> [EdgeCase] {
    [
        EdgeCase(
            id: "E1", title: "K = 1 (a single response)",
            mathInBrief: "grad L = 0, PVar_policy = PVar_labels = delta = D = G = 0, L = log 2; every bound reads 0 <= 0 (ratio 0/0 := 0)",
            mathSays: "The only pair is (1, 1): p = q = 1/2 and s_1 = phi_1 - E_pi[phi] = 0. Hence grad L = 0, "
                + "PVar_policy = PVar_labels = delta = 0, D = G = 0 and L = log 2. Every bound's value is 0 and "
                + "each statement reads 0 <= 0; the ratio 0/0 is defined as 0 (a zero gradient under a zero "
                + "bound: the bound holds, with equality).",
            instances: [
                literal("tabular", beta: 0.7, theta: [0.3], reference: [1.0], rewards: [4.0]),
                literal("features d = 2", beta: 0.7, features: [[1.5, -0.25]], theta: [0.3, 2.0],
                        reference: [1.0], rewards: [4.0]),
            ]),
        EdgeCase(
            id: "E2", title: "All feature rows identical (K = 4)",
            mathInBrief: "s_y = 0 for every y: grad L = 0 exactly whatever the labels, D = G = 0, every bound reads 0 <= 0 (ratio 0/0 := 0); PVar_policy, PVar_labels > 0",
            mathSays: "Equal rows give equal logits, so pi is uniform and s_y = phi_y - E_pi[phi] = 0 for every y: "
                + "grad L = beta E_mu[(p - q)(s_i - s_j)] = 0 exactly whatever the labels and mu, and D = G = 0, so "
                + "B0-B3 all have value 0 and read 0 <= 0 (ratio 0/0 := 0). The preferences are not degenerate: "
                + "PVar_labels > 0, and PVar_policy > 0 because pi_ref is not uniform (h_y = beta log(pi_y / pi_ref_y) varies).",
            instances: [
                literal("pairs = policy", beta: 1.3, features: Array(repeating: [0.5, 2.0], count: 4),
                        theta: [1.0, -1.0], reference: [0.1, 0.2, 0.3, 0.4], rewards: [1.0, -2.0, 0.5, 3.0]),
                literal("pairs = reference", beta: 1.3, features: Array(repeating: [0.5, 2.0], count: 4),
                        theta: [1.0, -1.0], reference: [0.1, 0.2, 0.3, 0.4], rewards: [-3.0, 0.0, 4.0, 1.0],
                        pairs: .reference),
            ]),
        EdgeCase(
            id: "E3", title: "One-hot and near-one-hot policies (tabular, K = 3)",
            mathInBrief: "||grad L|| and PVar_policy ~ pi_minor; D, delta, sqrt(PVar) ~ sqrt(pi_minor); for pi_minor = e^-800 the former round to 0 in doubles, the latter (~1e-174) are representable",
            mathSays: "With pi_1 = 1 - eps, every pair that involves a minor response y has weight about pi_y. To "
                + "leading order (dropped terms are pi_minor times smaller): c_y = pi_y (p(y,1) - q(y,1)) for y != 1, "
                + "c_1 = -sum c_y, grad L = 2 beta c, so ||grad L|| is of order pi_minor; PVar_policy = "
                + "2 sum_y pi_y (p(1,y) - 1/2)^2 is of order pi_minor; D = 2 sqrt(sum_y pi_y) and delta = "
                + "sqrt(2 sum_y pi_y (p(1,y) - q(1,y))^2) are of order sqrt(pi_minor), G -> sqrt(2). So B0 = beta D delta "
                + "is of order pi_minor and B1-B3 of order sqrt(pi_minor). For theta = [0, -800, -800], pi_minor = "
                + "e^-800 = 3.7e-348 is below the double range: the exact gradient and PVars (about 1e-348) round to "
                + "0, but D, delta, sqrt(PVar) and the values of B1-B3 (about 1e-174 to 1e-117) are representable, "
                + "and the exact B0 ratio is 0.86, not 0/0.",
            instances: [
                literal("theta = [0, -40, -80]", beta: 0.1, theta: [0, -40, -80], reference: uniformThree, rewards: [0, 1, 2]),
                literal("theta = [0, -700, -700]", beta: 0.1, theta: [0, -700, -700], reference: uniformThree, rewards: [0, 1, 2]),
                literal("theta = [0, -800, -800]", beta: 0.1, theta: [0, -800, -800], reference: uniformThree, rewards: [0, 1, 2]),
            ]),
        EdgeCase(
            id: "E4", title: "beta -> 0 and beta -> infinity",
            mathInBrief: "beta -> 0: grad/beta -> E_mu[(1/2 - q)(s_i - s_j)] (error O(beta)), PVar_policy/beta^2 -> E_pi[du^2]/16 (error O(beta^2)); beta -> inf: grad/beta -> E_mu[(step(du) - q)(s_i - s_j)], PVar_policy -> P(du != 0)/4 (errors O(exp(-beta min|du|))); PVar_labels constant; ratios converge",
            mathSays: "pi_theta, mu, q, s and D, G do not depend on beta; only p(i,j) = sigmoid(beta du_ij) does, with "
                + "du_ij = log(pi_i/pi_ref_i) - log(pi_j/pi_ref_j). beta -> 0: p - 1/2 = tanh(beta du/2)/2, so "
                + "PVar_policy/beta^2 -> E_pi[du^2]/16 from below with error <= beta^2 E_pi[du^4]/96, and "
                + "grad/beta -> E_mu[(1/2 - q)(s_i - s_j)] with error <= (beta/4) E_mu[|du| ||phi_i - phi_j||]. "
                + "beta -> infinity: p -> step(du) (1/2 on ties du = 0), PVar_policy -> E_pi[(step - 1/2)^2] = P(du != 0)/4 "
                + "from below with error <= E_pi[exp(-beta |du|)], grad/beta -> E_mu[(step - q)(s_i - s_j)] with error "
                + "<= E_mu[exp(-beta |du|) ||phi_i - phi_j||]. PVar_labels does not depend on beta. Each ratio "
                + "||grad L|| / bound converges to ||lim grad/beta|| / lim(bound/beta) with an explicit error bound "
                + "(perturbation of a quotient). As beta -> 0 the instance behaves like one at the reference.",
            instances: [
                literal("K = 4, d = 2, responses 1 and 4 tied", beta: 1,
                        features: [[1.0, 0.5], [-0.5, 1.0], [0.25, -1.0], [1.0, 0.5]], theta: [0.8, -0.3],
                        reference: [0.2, 0.3, 0.3, 0.2], rewards: [1.0, -0.5, 0.3, 2.0]),
            ]),
        EdgeCase(
            id: "E5", title: "Logits near +-700 (and past the exp overflow at 709.8)",
            mathInBrief: "only logit differences enter: nothing overflows; with uniform pairs grad L and L have direct closed forms of order 1; with pairs from pi, ||grad L|| ~ e^-700",
            mathSays: "Only logit differences matter: log pi_y = z_y - z_max - log(1 + sum exp(z_k - z_max)) never "
                + "overflows. theta = [700, -700, 0]: pi = (1, e^-1400, e^-700), so ||grad L|| (pairs from pi) is about "
                + "2 sqrt(2) beta e^-700 |p(1,3) - q(1,3)| = 2.5e-304, below resolutionFloor. With pairs from a uniform "
                + "mu (pairs = reference, uniform pi_ref) the closed forms are direct: grad L = (2 beta / K^2) "
                + "sum_ij (sigmoid(beta (z_i - z_j)) - sigmoid(r_i - r_j)) phi_i and L = (1/K^2) (K log 2 + sum_{i != j} "
                + "[q softplus(-a) + (1 - q) softplus(a)]), a = beta (z_i - z_j); they are of order 1 and finite.",
            instances: [
                literal("tabular theta = [700, -700, 0], pairs = policy", beta: 1, theta: [700, -700, 0],
                        reference: uniformThree, rewards: [0, 1, 2]),
                literal("tabular theta = [710, -710, 0], pairs = reference", beta: 1, theta: [710, -710, 0],
                        reference: uniformThree, rewards: [0, 1, 2], pairs: .reference),
                literal("features [[1], [-1], [0]], theta = [700], pairs = reference", beta: 1,
                        features: [[1], [-1], [0]], theta: [700], reference: uniformThree, rewards: [0, 1, 2],
                        pairs: .reference),
            ]),
        EdgeCase(
            id: "E6", title: "Reference entries 1e-300 and 5e-324 (subnormal)",
            mathInBrief: "every log-ratio is finite (log 5e-324 = -744.4); theta = log pi_ref is at the reference and B2 holds; theta = 0 is not at the reference",
            mathSays: "log pi_ref_y is finite for every positive double (log 5e-324 = -744.4), so every log-ratio "
                + "log(pi_y / pi_ref_y) and implicit reward is finite. With theta = log pi_ref (rounded) the policy is "
                + "the reference up to that rounding: at the reference (within referenceTolerance), and B2 holds. "
                + "With theta = 0 the small response has h_1 - h_2 = beta (log 0.5 - log pi_ref_1) = 371.9 for "
                + "5e-324 (beta = 0.5): finite, and not at the reference.",
            instances: [
                literal("pi_ref_1 = 1e-300, theta = log pi_ref", beta: 0.5, theta: [log(1e-300), log(0.5), log(0.5)],
                        reference: [1e-300, 0.5, 0.5], rewards: [3, 0, 1]),
                literal("pi_ref_1 = 5e-324, theta = log pi_ref", beta: 0.5, theta: [log(0x1p-1074), log(0.5), log(0.5)],
                        reference: [0x1p-1074, 0.5, 0.5], rewards: [3, 0, 1]),
                literal("pi_ref_1 = 5e-324, theta = 0", beta: 0.5, theta: [0, 0, 0],
                        reference: [0x1p-1074, 0.5, 0.5], rewards: [3, 0, 1]),
            ]),
        EdgeCase(
            id: "E7", title: "All rewards equal (PVar_labels = 0)",
            mathInBrief: "PVar_labels = 0 and B2 = B3 = 0: at the reference grad L = 0 exactly; away from it grad L != 0, B2/B3 do not apply (ratio inf, violated) while B0/B1 hold",
            mathSays: "q = 1/2 for every pair, so PVar_labels = 0 and the values of B2 and B3 are 0. At the reference "
                + "p = 1/2 too, so grad L = 0 exactly and B2/B3 hold as 0 <= 0. Away from the reference grad L = "
                + "beta E[(p - 1/2)(s_i - s_j)] != 0 while B2/B3 still read 0: they do not apply there and would be "
                + "violated (ratio = inf, JSON null), whereas B0 (delta = sqrt(PVar_policy) for mu = pi) and B1 "
                + "(= sqrt(2) beta G sqrt(PVar_policy)) bound it: the mirror of C1 (there PVar_policy = 0 and the "
                + "labels drive the gradient; here PVar_labels = 0 and the policy drives it). A tabular theta = "
                + "fl(log pi_ref) is at the reference only up to rounding: as a real instance its gradient (~1e-16) "
                + "is not 0 and B2 (value 0) is truly violated, within the margin sqrt(2) beta G sqrt(PVar_policy) "
                + "that referenceTolerance documents.",
            instances: [
                literal("exactly at the reference", beta: 2, features: [[1, 0], [1, 1], [1, -2]], theta: [0.7, 0],
                        reference: uniformThree, rewards: [1.5, 1.5, 1.5]),
                literal("away from the reference", beta: 2, features: [[1, 0], [1, 1], [1, -2]], theta: [0.7, 0.4],
                        reference: uniformThree, rewards: [1.5, 1.5, 1.5]),
                literal("at the reference up to rounding, theta = fl(log pi_ref)", beta: 2,
                        theta: [0.1, 0.2, 0.3, 0.4].map { log($0) }, reference: [0.1, 0.2, 0.3, 0.4],
                        rewards: [1.5, 1.5, 1.5, 1.5]),
            ]),
        EdgeCase(
            id: "E8", title: "Explicit pair weights with zeros",
            mathInBrief: "zero-weight responses contribute nothing: L, grad L, PVar_labels, delta, D equal those of the reduced instance; tabular: dropped gradient entries exactly 0",
            mathSays: "A response with mu_y = 0 enters no pair of positive weight, and p(i,j) depends only on "
                + "h_i - h_j = beta [(z_i - z_j) - log(pi_ref_i / pi_ref_j)]. So L, grad L = beta E_mu[(p - q)(phi_i - phi_j)], "
                + "PVar_labels, delta and D equal those of the instance with the zero-weight responses removed "
                + "(reference renormalised); in tabular form the dropped responses' gradient entries are exactly 0 "
                + "(c_y = 0). G, the Fisher trace and PVar_policy are expectations under pi_theta, which does see "
                + "the dropped responses: they differ and are not compared.",
            instances: [
                literal("features, weights [0.5, 0, 0.5, 0]", beta: 3, features: [[1, 0], [0, 1], [0.5, 1], [-1, 2]],
                        theta: [0.5, -0.5], reference: [0.25, 0.25, 0.25, 0.25], rewards: [2, 1, 0, -1],
                        pairs: .weights([0.5, 0, 0.5, 0])),
                literal("features, zero-weight responses removed", beta: 3, features: [[1, 0], [0.5, 1]],
                        theta: [0.5, -0.5], reference: [0.5, 0.5], rewards: [2, 0], pairs: .weights([0.5, 0.5])),
                literal("tabular, weights [0.25, 0, 0.5, 0.25]", beta: 1.5, theta: [0.3, -1.2, 0.8, 2.0],
                        reference: [0.125, 0.5, 0.25, 0.125], rewards: [1, -0.5, 0.25, 3],
                        pairs: .weights([0.25, 0, 0.5, 0.25])),
                literal("tabular, zero-weight responses removed", beta: 1.5, theta: [0.3, 0.8, 2.0],
                        reference: [0.25, 0.5, 0.25], rewards: [1, 0.25, 3], pairs: .weights([0.25, 0.5, 0.25])),
            ]),
    ]
}

/// The responses with positive pair weight (E8): all of them unless the pairs are explicit weights.
public func keptResponses(_ p: Problem) -> [Int] {
    guard case .weights(let w) = p.pairs else { return Array(0..<p.responseCount) }
    return w.indices.filter { w[$0] != 0 }
}

// MARK: - Examining a case

/// The tool's outputs on one instance: the double evaluation and the certificate.
public struct EdgeCaseRun: Sendable {
    public let label: String
    public let evaluation: Evaluation
    public let certificate: Certificate
}

/// Collects checks.
struct Findings {
    var checks: [EdgeCaseCheck] = []

    mutating func check(_ instance: String, _ claim: String, _ observed: String, _ passed: Bool) {
        checks.append(EdgeCaseCheck(instance: instance, claim: claim, observed: observed, passed: passed))
    }
}

func fmt(_ x: Double) -> String { InstanceFile.format(x) }

func list(_ v: [Double]) -> String { "[" + v.map(fmt).joined(separator: ", ") + "]" }

func ratioText(_ x: Double) -> String { x.isFinite ? fmt(x) : "inf" }

/// Evaluates and certifies every instance of a case; a rejected instance becomes a failed check.
func runs(_ c: EdgeCase, _ f: inout Findings) -> [EdgeCaseRun] {
    c.instances.compactMap { inst in
        do {
            return EdgeCaseRun(label: inst.label, evaluation: try Evaluation(inst.problem),
                               certificate: certify(inst.problem))
        } catch {
            f.check(inst.label, "the tool evaluates the instance", "rejected: \(error)", false)
            return nil
        }
    }
}

/// Every output of an evaluation, named (for the finiteness check).
func namedOutputs(_ e: Evaluation) -> [(String, Double)] {
    var out: [(String, Double)] = [
        ("loss", e.loss), ("||grad L||", e.gradientNorm), ("PVar_policy", e.pvarPolicy),
        ("PVar_labels", e.pvarLabels), ("delta", e.disagreement), ("D", e.scoreSpread), ("G", e.scoreBound),
        ("tr F", e.fisherTrace),
    ]
    out += e.gradient.map { ("a gradient entry", $0) }
    out += e.logPolicy.map { ("a log-probability", $0) }
    out += e.implicitRewards.map { ("an implicit reward", $0) }
    out += BoundID.allCases.map { ("the value of \($0.rawValue)", $0.value(e)) }
    return out
}

/// The checks every instance gets:
/// - every output is finite;
/// - `||grad L||`, both PVars and every bound's value lie in the certified enclosures (up to
///   `edgeCaseAccuracy` and the underflow slack);
/// - no statement whose hypotheses hold *exactly* is refuted by the certificate (B2/B3 need
///   the exact instance at the reference, i.e. a certified `PVar_policy` of exactly 0);
/// - a comparison counted as resolved because both sides are 0 in doubles has both sides
///   exactly 0 in the certificate (else the zeros are underflow, not a resolved `0 <= 0`).
func standardChecks(_ r: EdgeCaseRun, _ f: inout Findings) {
    let e = r.evaluation, cert = r.certificate
    let k = e.problem.responseCount
    let terms = k * k
    let infinite = namedOutputs(e).filter { !$0.1.isFinite }.map(\.0)
    f.check(r.label, "every output is finite", infinite.isEmpty ? "all finite" : "not finite: " + infinite.joined(separator: ", "),
            infinite.isEmpty)
    for (name, x, enc) in [("||grad L||", e.gradientNorm, cert.gradientNorm), ("PVar_policy", e.pvarPolicy, cert.pvarPolicy),
                           ("PVar_labels", e.pvarLabels, cert.pvarLabels)] {
        f.check(r.label, "\(name) lies in its certified enclosure", "\(fmt(x)) vs \(enc)", agreesWithEnclosure(x, enc, terms: terms))
    }
    let exactlyAtReference = cert.pvarPolicy.isExactZero
    for b in e.bounds {
        guard let cb = cert.bounds[b.id] else { continue }
        f.check(r.label, "the value of \(b.id.rawValue) lies in its certified enclosure", "\(fmt(b.value)) vs \(cb.value)",
                agreesWithEnclosure(b.value, cb.value, terms: terms))
        let hypothesesHoldExactly = b.applies && (b.id == .B0 || b.id == .B1 || exactlyAtReference)
        if hypothesesHoldExactly {
            f.check(r.label, "\(b.id.rawValue) applies and is not refuted (doubles and certificate)",
                    "ratio \(ratioText(b.ratio)), holds \(b.holds), certified \(cb.verdict.rawValue)",
                    b.holds && cb.verdict != .violated)
        }
        if b.resolved && b.lhs == 0 && b.value == 0 {
            let exact = cert.gradientNorm.isExactZero && cb.value.isExactZero
            f.check(r.label, "\(b.id.rawValue) counted resolved as 0 <= 0 only if both sides are exactly 0",
                    "certified ||grad L|| in \(cert.gradientNorm), value in \(cb.value), ratio in \(cb.ratio)", exact)
        }
    }
}

/// Examines one case of the catalogue: runs the tool on every instance and checks what the
/// mathematics says against it.
public func examineEdgeCase(_ c: EdgeCase) -> EdgeCaseOutcome {
    switch c.id {
    case "E1": return examineOneResponse(c)
    case "E2": return examineIdenticalFeatures(c)
    case "E3": return examineOneHot(c)
    case "E4": return examineBetaLimits(c)
    case "E5": return examineExtremeLogits(c)
    case "E6": return examineTinyReference(c)
    case "E7": return examineEqualRewards(c)
    case "E8": return examineZeroPairWeights(c)
    default: preconditionFailure("unknown edge case \(c.id)")
    }
}

/// Checks that every bound reads `0 <= 0`: value 0, ratio 0, resolved, holds.
func allBoundsZero(_ r: EdgeCaseRun, _ f: inout Findings) {
    for b in r.evaluation.bounds {
        f.check(r.label, "\(b.id.rawValue): value 0, ratio 0/0 := 0, resolved, holds",
                "value \(fmt(b.value)), ratio \(ratioText(b.ratio)), resolved \(b.resolved), holds \(b.holds)",
                b.value == 0 && b.ratio == 0 && b.resolved && b.holds)
    }
}

func exactlyZeroGradient(_ r: EdgeCaseRun, _ f: inout Findings) {
    let e = r.evaluation
    f.check(r.label, "every gradient entry and ||grad L|| are exactly 0", "\(list(e.gradient)), norm \(fmt(e.gradientNorm))",
            e.gradient.allSatisfy { $0 == 0 } && e.gradientNorm == 0)
    f.check(r.label, "certified ||grad L|| is exactly 0", "\(r.certificate.gradientNorm)", r.certificate.gradientNorm.isExactZero)
}

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

// MARK: E3

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

// MARK: E4

/// Which limit of beta.
public enum BetaLimitSide: String, Sendable, CaseIterable {
    case zero = "beta -> 0"
    case infinity = "beta -> infinity"
}

/// The limits of an instance's quantities as beta -> 0 or beta -> infinity, in closed form from
/// the instance's inputs (never by evaluating the instance at a special beta), with explicit
/// error bounds at finite beta.
///
/// With `du_ij = (z_i - z_j) - (log pi_ref_i - log pi_ref_j)` (`z = Phi theta`, computed in
/// difference space so that identical rows and references give an exact tie `du = 0`) and
/// `p(i,j) = sigmoid(beta du_ij)`; `pi`, `mu`, `q`, `D`, `G` do not depend on beta:
/// - zero: `p -> 1/2`; `grad/beta -> E_mu[(1/2 - q) dphi]`; `PVar_policy/beta^2 -> E_pi[du^2]/16`;
///   `delta -> sqrt(E_mu[(1/2 - q)^2])`;
/// - infinity: `p -> step(du)` (1/2 on ties); `grad/beta -> E_mu[(step - q) dphi]`;
///   `PVar_policy -> E_pi[(step - 1/2)^2]`; `delta -> sqrt(E_mu[(step - q)^2])`.
///
/// Error bounds (each a proved inequality, see `mathSays` of E4):
/// - `||grad/beta - L|| <= E_mu[e(beta) ||dphi||]` with `e = beta |du| / 4` (zero) or
///   `exp(-beta |du|)` on untied pairs (infinity), because `|p - p_lim| <= e`;
/// - zero: `0 <= lim - PVar/beta^2 <= beta^2 E_pi[du^4] / 96` (from `0 <= y^2 - tanh^2 y <= 2 y^4 / 3`);
///   infinity: `0 <= lim - PVar <= E_pi[exp(-beta |du|)]` (`1/4 - (p - 1/2)^2 = p (1 - p)`);
/// - a ratio `a/b` with `|a - a*| <= Ea`, `|b - b*| <= Eb < b*`:
///   `|a/b - a*/b*| <= (Ea + (a*/b*) Eb) / (b* - Eb)`, where `a = ||grad||/beta` and
///   `b = value/beta`; `Eb = D sqrt(E_mu[e^2])` for B0 and `sqrt(2) G sqrt(E_pi[e^2])` for B1
///   (Minkowski), 0 for B2 and B3.
public struct BetaLimit: Sendable {
    public let side: BetaLimitSide
    /// `lim grad/beta`.
    public let gradientOverBeta: [Double]
    /// zero: `lim PVar_policy / beta^2`; infinity: `lim PVar_policy`.
    public let pvarPolicy: Double
    /// `PVar_labels` (independent of beta).
    public let pvarLabels: Double
    /// `lim delta`.
    public let disagreement: Double
    public let scoreSpread: Double
    public let scoreBound: Double
    /// `lim ||grad L|| / value` for each statement.
    public let ratios: [BoundID: Double]
    /// `E_mu ||phi_i - phi_j||`, the scale of `grad/beta` (a sum of term magnitudes, >= every
    /// `||grad/beta||`), for rounding allowances.
    public let gradientScale: Double

    /// One ordered pair with positive weight: `mu_i mu_j`, `pi_i pi_j`, `du_ij`, `||phi_i - phi_j||`.
    struct Pair: Sendable {
        let mu: Double, pi: Double, du: Double, distance: Double
    }
    let pairs: [Pair]

    public init(_ p: Problem, _ side: BetaLimitSide) {
        self.side = side
        let k = p.responseCount
        let rows = p.features ?? (0..<k).map { i in (0..<k).map { $0 == i ? 1.0 : 0.0 } }
        let d = p.dimension
        func difference(_ i: Int, _ j: Int) -> [Double] { (0..<d).map { rows[i][$0] - rows[j][$0] } }
        // z_i - z_j in difference space; pi by a shifted softmax.
        let z = rows.map { row in zip(row, p.theta).reduce(0) { $0 + $1.0 * $1.1 } }
        let top = z.max() ?? 0
        let shifted = z.map { exp($0 - top) }
        let total = shifted.reduce(0, +)
        let pi = shifted.map { $0 / total }
        let mu: [Double]
        switch p.pairs {
        case .policy: mu = pi
        case .reference: mu = p.referenceDistribution
        case .weights: mu = p.explicitPairWeights ?? []
        }

        var limit = [Double](repeating: 0, count: d)
        var pvarPolicy = 0.0, pvarLabels = 0.0, squaredDisagreement = 0.0, squaredSpread = 0.0, scale = 0.0
        var pairs: [Pair] = []
        for i in 0..<k {
            for j in 0..<k where i != j {
                let dphi = difference(i, j)
                let du = dphi.indices.reduce(0) { $0 + dphi[$1] * p.theta[$1] } - (log(p.reference[i]) - log(p.reference[j]))
                let cq = tanh((p.rewards[i] - p.rewards[j]) / 2) / 2          // q - 1/2
                let cpLimit: Double                                             // p_lim - 1/2
                switch side {
                case .zero: cpLimit = 0
                case .infinity: cpLimit = du > 0 ? 0.5 : (du < 0 ? -0.5 : 0)
                }
                let wMu = mu[i] * mu[j], wPi = pi[i] * pi[j]
                let distance = euclideanNorm(dphi)
                for c in 0..<d { limit[c] += wMu * (cpLimit - cq) * dphi[c] }
                switch side {
                case .zero: pvarPolicy += wPi * du * du / 16
                case .infinity: pvarPolicy += wPi * cpLimit * cpLimit
                }
                pvarLabels += wMu * cq * cq
                squaredDisagreement += wMu * (cpLimit - cq) * (cpLimit - cq)
                squaredSpread += wMu * distance * distance
                scale += wMu * distance
                pairs.append(Pair(mu: wMu, pi: wPi, du: du, distance: distance))
            }
        }
        var scoreBound = 0.0
        for y in 0..<k {
            var s = [Double](repeating: 0, count: d)
            for m in 0..<k where m != y {
                let dphi = difference(y, m)
                for c in 0..<d { s[c] += pi[m] * dphi[c] }
            }
            scoreBound = max(scoreBound, euclideanNorm(s))
        }
        gradientOverBeta = limit
        self.pvarPolicy = pvarPolicy
        self.pvarLabels = pvarLabels
        disagreement = squaredDisagreement.squareRoot()
        scoreSpread = squaredSpread.squareRoot()
        self.scoreBound = scoreBound
        gradientScale = scale
        self.pairs = pairs

        let a = euclideanNorm(limit)
        let limitInputs = StatementInputs(
            beta: 1, scoreSpread: scoreSpread, disagreement: disagreement, scoreBound: scoreBound,
            pvarPolicy: side == .zero ? 0 : pvarPolicy, pvarLabels: pvarLabels)
        ratios = Dictionary(uniqueKeysWithValues: BoundID.allCases.map { id in
            let b = id.definition.rightHandSide(in: limitInputs)
            return (id, a == 0 ? 0 : (b == 0 ? .infinity : a / b))
        })
    }

    /// The limit quantities as statement inputs with `beta = 1`: each bound's right-hand side is
    /// `beta` times its value here (B1's `sqrt(PVar_policy)` is `O(beta)` as `beta -> 0`, so its
    /// limit drops out).
    var limitInputs: StatementInputs {
        StatementInputs(beta: 1, scoreSpread: scoreSpread, disagreement: disagreement, scoreBound: scoreBound,
                        pvarPolicy: side == .zero ? 0 : pvarPolicy, pvarLabels: pvarLabels)
    }

    /// `e(beta)` for one pair: a bound on `|p - p_lim|`.
    func pairError(_ q: Pair, beta: Double) -> Double {
        switch side {
        case .zero: return beta * abs(q.du) / 4
        case .infinity: return q.du == 0 ? 0 : exp(-beta * abs(q.du))
        }
    }

    /// A bound on `||grad/beta - gradientOverBeta||` at `beta`.
    public func gradientErrorBound(beta: Double) -> Double {
        pairs.reduce(0) { $0 + $1.mu * pairError($1, beta: beta) * $1.distance }
    }

    /// A bound on `pvarPolicy - PVar/beta^2` (zero) or `pvarPolicy - PVar` (infinity), both >= 0.
    public func pvarPolicyErrorBound(beta: Double) -> Double {
        switch side {
        case .zero: return beta * beta * pairs.reduce(0) { $0 + $1.pi * pow($1.du, 4) } / 96
        case .infinity: return pairs.reduce(0) { $0 + $1.pi * pairError($1, beta: beta) }
        }
    }

    /// The tool's PVar_policy in the scale of `pvarPolicy` (divided by beta^2 for beta -> 0).
    public func scaledPVarPolicy(_ e: Evaluation) -> Double {
        side == .zero ? e.pvarPolicy / (e.problem.beta * e.problem.beta) : e.pvarPolicy
    }

    /// A bound on `|ratio(beta) - ratios[id]|`, or +infinity where the quotient bound does not apply.
    public func ratioErrorBound(_ id: BoundID, beta: Double) -> Double {
        let ea = gradientErrorBound(beta: beta)
        let a = euclideanNorm(gradientOverBeta)
        let rootMu = pairs.reduce(0) { $0 + $1.mu * pow(pairError($1, beta: beta), 2) }.squareRoot()
        let rootPi = pairs.reduce(0) { $0 + $1.pi * pow(pairError($1, beta: beta), 2) }.squareRoot()
        // Every right-hand side is beta times (fixed factors) times one term that depends on beta
        // through delta or sqrt(PVar_policy) only, and is 1-Lipschitz in each: |delta(beta) -
        // delta_lim| <= rootMu, |sqrt(PVar_policy(beta)) - sqrt(PVar_lim)| <= rootPi (Minkowski),
        // PVar_labels does not move. So the error of b is the right-hand side evaluated on those
        // errors, with PVar_labels set to 0.
        let b = id.definition.rightHandSide(in: limitInputs)
        let errors = StatementInputs(
            beta: 1, scoreSpread: scoreSpread, disagreement: rootMu, scoreBound: scoreBound,
            pvarPolicyRoot: { $0 == 2 ? rootPi : .infinity }, pvarLabelsRoot: { _ in 0 })
        let eb = id.definition.rightHandSide(in: errors)
        guard b > eb else { return .infinity }
        return (ea + a / b * eb) / (b - eb)
    }
}

/// One beta of the E4 sweep: the tool's values, their distance to the limit and the bound on it.
public struct BetaSweepPoint: Sendable {
    public let beta: Double
    public let evaluation: Evaluation
    /// `||grad/beta - lim||` and its bound.
    public let gradientError: Double
    public let gradientErrorBound: Double
    /// PVar_policy in the limit's scale, `lim - that`, and the bound on it.
    public let scaledPVarPolicy: Double
    public let pvarPolicyError: Double
    public let pvarPolicyErrorBound: Double
    /// `|ratio - lim ratio|` and its bound, per statement.
    public let ratioErrors: [BoundID: Double]
    public let ratioErrorBounds: [BoundID: Double]
}

/// The betas of one side of the sweep, approaching the limit: `10^-k` or `10^k`, k = 1...8.
public func sweepBetas(_ side: BetaLimitSide) -> [Double] {
    betaSweepExponents.map { side == .zero ? pow(10, -Double($0)) : pow(10, Double($0)) }
}

/// The instance `p` with its beta replaced.
public func withBeta(_ p: Problem, _ beta: Double) throws(InputError) -> Problem {
    try Problem(beta: beta, features: p.features, theta: p.theta, reference: p.reference, rewards: p.rewards, pairs: p.pairs)
}

/// The tool evaluated along one side of the sweep, each point measured against `limit`.
public func betaSweep(_ p: Problem, _ limit: BetaLimit) throws(InputError) -> [BetaSweepPoint] {
    var points: [BetaSweepPoint] = []
    for beta in sweepBetas(limit.side) {
        let e = try Evaluation(try withBeta(p, beta))
        let g = euclideanNorm(zip(e.gradient, limit.gradientOverBeta).map { $0 / beta - $1 })
        let scaled = limit.scaledPVarPolicy(e)
        var ratioErrors: [BoundID: Double] = [:], ratioBounds: [BoundID: Double] = [:]
        for b in e.bounds {
            ratioErrors[b.id] = abs(b.ratio - limit.ratios[b.id]!)
            ratioBounds[b.id] = limit.ratioErrorBound(b.id, beta: beta)
        }
        points.append(BetaSweepPoint(
            beta: beta, evaluation: e, gradientError: g, gradientErrorBound: limit.gradientErrorBound(beta: beta),
            scaledPVarPolicy: scaled, pvarPolicyError: limit.pvarPolicy - scaled,
            pvarPolicyErrorBound: limit.pvarPolicyErrorBound(beta: beta), ratioErrors: ratioErrors, ratioErrorBounds: ratioBounds))
    }
    return points
}

/// Rounding allowances of the E4 comparisons (the double evaluation's documented accuracy,
/// applied to the scale of each quantity): `||grad/beta||` to `gradientScale`, PVar to its limit,
/// a ratio to the ratio (four quantities enter it).
public func betaSweepAllowances(_ limit: BetaLimit) -> (gradient: Double, pvarPolicy: Double, ratio: [BoundID: Double]) {
    (edgeCaseAccuracy * limit.gradientScale, edgeCaseAccuracy * limit.pvarPolicy,
     limit.ratios.mapValues { 4 * edgeCaseAccuracy * $0 })
}

/// E4: beta -> 0 and beta -> infinity.
public func examineBetaLimits(_ c: EdgeCase) -> EdgeCaseOutcome {
    var f = Findings()
    var parts: [String] = []
    var briefs: [String] = []
    for side in BetaLimitSide.allCases {
        let limit = BetaLimit(c.instance, side)
        let allowance = betaSweepAllowances(limit)
        let sweep: [BetaSweepPoint]
        do { sweep = try betaSweep(c.instance, limit) } catch {
            f.check(side.rawValue, "the tool evaluates every beta of the sweep", "rejected: \(error)", false)
            continue
        }
        let pvarLabels = sweep.first?.evaluation.pvarLabels ?? .nan
        for pt in sweep {
            let label = "beta = \(fmt(pt.beta))"
            let e = pt.evaluation
            standardChecks(EdgeCaseRun(label: label, evaluation: e, certificate: certify(e.problem)), &f)
            f.check(label, "||grad/beta - lim|| <= its rate bound", "\(fmt(pt.gradientError)) vs \(fmt(pt.gradientErrorBound))",
                    pt.gradientError <= pt.gradientErrorBound + allowance.gradient)
            f.check(label, "0 <= lim - PVar_policy (scaled) <= its rate bound",
                    "\(fmt(pt.pvarPolicyError)) vs \(fmt(pt.pvarPolicyErrorBound))",
                    pt.pvarPolicyError >= -allowance.pvarPolicy && pt.pvarPolicyError <= pt.pvarPolicyErrorBound + allowance.pvarPolicy)
            f.check(label, "PVar_labels does not depend on beta and equals its closed form",
                    "\(fmt(e.pvarLabels)) vs \(fmt(limit.pvarLabels))",
                    e.pvarLabels == pvarLabels && agreesWithClosedForm(e.pvarLabels, limit.pvarLabels, terms: 0))
            for id in BoundID.allCases {
                f.check(label, "|ratio of \(id.rawValue) - lim| <= its rate bound",
                        "\(fmt(pt.ratioErrors[id]!)) vs \(fmt(pt.ratioErrorBounds[id]!))",
                        pt.ratioErrors[id]! <= pt.ratioErrorBounds[id]! + allowance.ratio[id]!)
            }
        }
        if let last = sweep.last {
            parts.append("\(side.rawValue), at beta = \(fmt(last.beta)): ||grad/beta - lim|| = \(fmt(last.gradientError)) "
                         + "(bound \(fmt(last.gradientErrorBound))), PVar_policy\(side == .zero ? "/beta^2" : "") = "
                         + "\(fmt(last.scaledPVarPolicy)) (lim \(fmt(limit.pvarPolicy))), B0-B3 ratios "
                         + BoundID.allCases.map { ratioText(last.evaluation.bound($0).ratio) }.joined(separator: ", ")
                         + " (lim " + BoundID.allCases.map { ratioText(limit.ratios[$0]!) }.joined(separator: ", ") + ")")
            briefs.append("\(side.rawValue): at beta = \(fmt(last.beta)), ||grad/beta - lim|| = \(fmt(last.gradientError)), "
                          + "lim - PVar_policy\(side == .zero ? "/beta^2" : "") = \(fmt(last.pvarPolicyError)), each within its rate bound "
                          + "at all 8 betas")
        }
    }
    parts.append("PVar_labels is the same double at all 16 betas")
    briefs.append("PVar_labels the same double at all 16 betas")
    return EdgeCaseOutcome(id: c.id, toolComputes: briefs.joined(separator: "; "), details: parts, checks: f.checks)
}

// MARK: E5

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

// MARK: E6

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

// MARK: E7

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

// MARK: E8

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

/// Every case examined, in catalogue order.
public func edgeCaseOutcomes() -> [EdgeCaseOutcome] { edgeCaseCatalogue().map(examineEdgeCase) }
