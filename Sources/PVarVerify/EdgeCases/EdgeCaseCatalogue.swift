// The edge-case catalogue: degenerate and extreme instances and what the exact mathematics says
// about each (derived, not observed).

import Foundation
import PVarCore

/// Every edge case, E1..E8, in order: the catalogue's data (instances and what the mathematics
/// says); each case's examiner is in its own file, `E<n>-<Name>.swift`.
public func edgeCaseCatalogue() -> [EdgeCase] {
    [
        EdgeCase(
            id: .E1, title: "K = 1 (a single response)",
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
            id: .E2, title: "All feature rows identical (K = 4)",
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
            id: .E3, title: "One-hot and near-one-hot policies (tabular, K = 3)",
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
            id: .E4, title: "beta -> 0 and beta -> infinity",
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
            id: .E5, title: "Logits near +-700 (and past the exp overflow at 709.8)",
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
            id: .E6, title: "Reference entries 1e-300 and 5e-324 (subnormal)",
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
            id: .E7, title: "All rewards equal (PVar_labels = 0)",
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
            id: .E8, title: "Explicit pair weights with zeros",
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
