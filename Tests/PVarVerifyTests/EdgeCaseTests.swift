// Edge cases E1–E8: one test per case, each asserting on the functions `edge-cases.md` prints
// (`Evaluation`, `certify`, `BetaLimit`, `betaSweep`, `examineEdgeCase`).

import Foundation
import PVarCertify
import PVarCore
import PVarVerify
import Testing

/// The catalogue case with the given id.
func catalogueCase(_ id: EdgeCaseID) throws -> EdgeCase {
    try #require(edgeCaseCatalogue().first { $0.id == id }, "no edge case \(id)")
}

/// The instance of `c` with the given label.
func labelled(_ c: EdgeCase, _ label: String) throws -> Problem {
    try #require(c.problem(label), "\(c.id) has no instance labelled \(label)")
}

/// The message attached to an edge-case expectation: the case, the instance and its JSON
/// (save it and run `pvar evaluate` on it to replay).
func context(_ c: EdgeCase, _ label: String, _ p: Problem) -> Comment {
    "\(c.id) [\(label)]; replay with `pvar evaluate` on:\n\(InstanceFile.encode(p))"
}

/// Relative accuracy of a closed form evaluated by hand in this file: each is a product or
/// quotient of at most a dozen correctly rounded operations (sigmoid, log, sqrt), so 64 ulps
/// cover it with room to spare.
let handClosedFormTolerance = 64 * Double.ulpOfOne

/// The pair at the heart of E3's disagreement, pinned: a tabular policy whose minor
/// probabilities (e^-800) are below the double range.
let underflowLabel = "theta = [0, -800, -800]"

@Suite("EdgeCases")
struct EdgeCases {
    @Test("E1: K = 1 has a zero gradient, zero PVars, D = G = 0, L = log 2, and every bound reads 0 <= 0")
    func singleResponseGivesZeroGradientAndZeroBounds() throws {
        let c = try catalogueCase(.E1)
        for inst in c.instances {
            let p = inst.problem
            let e = try Evaluation(p)
            let why = context(c, inst.label, p)
            #expect(e.gradient.allSatisfy { $0 == 0 } && e.gradientNorm == 0, why)
            #expect([e.pvarPolicy, e.pvarLabels, e.disagreement, e.scoreSpread, e.scoreBound, e.fisherTrace] == [0, 0, 0, 0, 0, 0], why)
            #expect(e.loss == log(2.0), why)
            for b in e.bounds {
                // 0/0 := 0: the bound holds, as 0 <= 0, and doubles resolve it (both sides exactly 0).
                #expect(b.value == 0 && b.lhs == 0 && b.ratio == 0, "\(b.id.rawValue); \(why)")
                #expect(b.resolved && b.holds && b.applies, "\(b.id.rawValue); \(why)")
            }
            let cert = certify(p)
            #expect(cert.gradientNorm.isExactZero, why)
            for id in BoundID.allCases {
                #expect(cert.bounds[id]?.verdict == .holds && cert.bounds[id]?.value.isExactZero == true, "\(id.rawValue); \(why)")
            }
        }
        let outcome = examineEdgeCase(c)
        #expect(outcome.agrees, "\(outcome.verdict)")
    }

    @Test("E2: identical feature rows give an exactly zero gradient and D = G = 0, whatever the labels and mu")
    func identicalFeaturesGiveExactlyZeroGradient() throws {
        let c = try catalogueCase(.E2)
        var problems = c.instances.map { ($0.label, $0.problem) }
        // Whatever the labels: extreme and tiny reward gaps on the same rows.
        let base = c.instance
        for rewards in [[100.0, -100, 0, 1e-3], [1e-12, 0, -1e-12, 5]] {
            problems.append(("rewards \(rewards)", try Problem(beta: base.beta, features: base.features, theta: base.theta,
                                                               reference: base.reference, rewards: rewards, pairs: .policy)))
        }
        for (label, p) in problems {
            let e = try Evaluation(p)
            let why = context(c, label, p)
            #expect(e.gradient.allSatisfy { $0 == 0 } && e.gradientNorm == 0, why)
            #expect(e.scoreSpread == 0 && e.scoreBound == 0 && e.fisherTrace == 0, why)
            #expect(Set(e.policy).count == 1, "pi must be uniform; \(why)")
            // The preferences are not degenerate: both PVars are positive.
            #expect(e.pvarLabels > 0 && e.pvarPolicy > 0, why)
            for b in e.bounds {
                #expect(b.value == 0 && b.ratio == 0 && b.resolved && b.holds, "\(b.id.rawValue); \(why)")
            }
            #expect(certify(p).gradientNorm.isExactZero, why)
        }
        let outcome = examineEdgeCase(c)
        #expect(outcome.agrees, "\(outcome.verdict)")
    }

    @Test("E3: near-one-hot gradients and PVar_policy are of order pi_minor, as the leading-order closed form says")
    func nearOneHotPoliciesMatchTheLeadingOrder() throws {
        let c = try catalogueCase(.E3)
        for label in ["theta = [0, -40, -80]", "theta = [0, -700, -700]"] {
            let p = try labelled(c, label)
            let e = try Evaluation(p)
            let lead = NearOneHotLeadingOrder(p)
            let why = context(c, label, p)
            let terms = p.responseCount * p.responseCount
            for (g, exact) in zip(e.gradient, lead.gradient) {
                #expect(agreesWithClosedForm(g, exact, relative: nearOneHotTolerance, terms: terms), "\(g) vs \(exact); \(why)")
            }
            for (name, x, exact) in [("PVar_policy", e.pvarPolicy, lead.pvarPolicy), ("D", e.scoreSpread, lead.scoreSpread),
                                     ("delta", e.disagreement, lead.disagreement),
                                     ("sqrt(PVar_labels)", e.rootPVarLabels, lead.rootPVarLabels)] {
                #expect(agreesWithClosedForm(x, exact, relative: nearOneHotTolerance, terms: terms), "\(name): \(x) vs \(exact); \(why)")
            }
            let cert = certify(p)
            #expect(agreesWithEnclosure(e.gradientNorm, cert.gradientNorm, terms: terms), "\(e.gradientNorm) vs \(cert.gradientNorm); \(why)")
            #expect(e.bounds.allSatisfy { $0.holds }, why)
        }
        // Resolution: e^-40 leaves everything in the normal range; at e^-700 B0 (of order
        // pi_minor) falls below resolutionFloor while B1-B3 (of order sqrt(pi_minor)) do not.
        let e40 = try Evaluation(try labelled(c, "theta = [0, -40, -80]"))
        #expect(e40.bounds.allSatisfy { $0.resolved })
        let e700 = try Evaluation(try labelled(c, "theta = [0, -700, -700]"))
        #expect(!e700.bound(.B0).resolved && e700.bound(.B0).value < resolutionFloor)
        #expect([BoundID.B1, .B2, .B3].allSatisfy { e700.bound($0).resolved })

        // theta = [0, -800, -800]: pi is exactly one-hot in doubles. The exact gradient and
        // PVar_policy (about 1e-348) are below the smallest subnormal, so 0.0 is their rounding.
        let p800 = try labelled(c, underflowLabel)
        let e800 = try Evaluation(p800)
        let cert800 = certify(p800)
        let why = context(c, underflowLabel, p800)
        #expect(e800.policy == [1, 0, 0], why)
        #expect(e800.gradient == [0, 0, 0] && e800.pvarPolicy == 0, why)
        #expect(cert800.gradientNorm.hi <= 0x1p-1074 && cert800.pvarPolicy.hi <= 0x1p-1074, why)
        // Pinned (was a bug): D, delta, sqrt(PVar_labels) and the values of B1-B3 are
        // representable (1e-174 .. 1e-117) and must not come out as 0; B0 (both sides ~1e-348,
        // exact ratio 0.86) must not be counted as a resolved 0 <= 0.
        let lead800 = NearOneHotLeadingOrder(p800)
        do {
            #expect(agreesWithClosedForm(e800.scoreSpread, lead800.scoreSpread, relative: nearOneHotTolerance, terms: 9),
                    "D \(e800.scoreSpread) vs \(lead800.scoreSpread); \(why)")
            #expect(agreesWithClosedForm(e800.disagreement, lead800.disagreement, relative: nearOneHotTolerance, terms: 9),
                    "delta \(e800.disagreement) vs \(lead800.disagreement); \(why)")
            #expect(agreesWithEnclosure(e800.bound(.B1).value, cert800.bounds[.B1]!.value, terms: 9),
                    "B1 value \(e800.bound(.B1).value) vs \(cert800.bounds[.B1]!.value); \(why)")
            #expect(!e800.bound(.B0).resolved, "B0 counted resolved, exact ratio in \(cert800.bounds[.B0]!.ratio); \(why)")
        }
        // The verdicts are right nonetheless: B0 and B1 hold (doubles and certificate).
        #expect(e800.bound(.B0).holds && e800.bound(.B1).holds, why)
        #expect(cert800.bounds[.B0]?.verdict == .holds && cert800.bounds[.B1]?.verdict == .holds, why)

        // The catalogue's verdict agrees on every instance.
        let outcome = examineEdgeCase(c)
        #expect(outcome.failures.isEmpty, "\(outcome.verdict)")
    }

    @Test("E4: as beta -> 0 and beta -> infinity, grad/beta, PVar_policy and the ratios converge at their explicit rates")
    func betaLimitsConvergeAtExplicitRates() throws {
        let c = try catalogueCase(.E4)
        let p = c.instance
        for side in BetaLimitSide.allCases {
            let limit = BetaLimit(p, side)
            let allowance = betaSweepAllowances(limit)
            let sweep = try betaSweep(p, limit)
            #expect(sweep.map(\.beta) == sweepBetas(side))
            var gradientErrors: [Double] = [], pvarErrors: [Double] = []
            for pt in sweep {
                let e = pt.evaluation, beta = pt.beta
                let why = context(c, "\(side.rawValue), beta = \(beta)", e.problem)
                let gradientError = euclideanNorm(zip(e.gradient, limit.gradientOverBeta).map { $0 / beta - $1 })
                #expect(gradientError <= limit.gradientErrorBound(beta: beta) + allowance.gradient,
                        "||grad/beta - lim|| = \(gradientError); \(why)")
                // PVar_policy approaches its limit from below.
                let pvarError = limit.pvarPolicy - limit.scaledPVarPolicy(e)
                #expect(pvarError >= -allowance.pvarPolicy && pvarError <= limit.pvarPolicyErrorBound(beta: beta) + allowance.pvarPolicy,
                        "lim - PVar_policy = \(pvarError); \(why)")
                // PVar_labels does not depend on beta at all: the same double everywhere.
                #expect(e.pvarLabels == sweep[0].evaluation.pvarLabels, why)
                #expect(agreesWithClosedForm(e.pvarLabels, limit.pvarLabels, terms: 0), why)
                for b in e.bounds {
                    let error = abs(b.ratio - limit.ratios[b.id]!)
                    #expect(error <= limit.ratioErrorBound(b.id, beta: beta) + allowance.ratio[b.id]!,
                            "\(b.id.rawValue) ratio \(b.ratio) vs limit \(limit.ratios[b.id]!); \(why)")
                }
                gradientErrors.append(gradientError)
                pvarErrors.append(pvarError)
            }
            switch side {
            case .zero:
                // The rates are attained, not just bounded: the gradient error is linear in beta
                // (about 10x per decade), the PVar error quadratic (about 100x) while above rounding.
                for k in 0..<(gradientErrors.count - 1) {
                    #expect(gradientErrors[k + 1] * 5 <= gradientErrors[k], "gradient errors \(gradientErrors)")
                }
                for k in 0..<4 { #expect(pvarErrors[k + 1] * 50 <= pvarErrors[k], "PVar errors \(pvarErrors)") }
            case .infinity:
                // Exponential rate: visible at beta = 10, at rounding level from beta = 100 on.
                #expect(gradientErrors[0] > 100 * allowance.gradient)
                #expect(gradientErrors.dropFirst().allSatisfy { $0 <= allowance.gradient }, "\(gradientErrors)")
            }
        }
        let outcome = examineEdgeCase(c)
        #expect(outcome.agrees, "\(outcome.verdict)")
    }

    @Test("E4: the beta limits agree with the hand-derived two-response closed forms, and the tool converges to them")
    func betaLimitsMatchTwoResponseClosedForms() throws {
        // K = 2 tabular: pi_1 = sigmoid(t1 - t2), du = (t1 - t2) - log(rho1 / rho2), q = sigmoid(r1 - r2),
        // s_1 - s_2 = e_1 - e_2. Derived by hand in this test, independently of BetaLimit:
        //   beta -> 0:   grad/beta -> 2 pi1 pi2 (1/2 - q) (1, -1),  PVar_policy/beta^2 -> pi1 pi2 du^2 / 8,
        //                B0 ratio = 1, B2 ratio -> sqrt(min pi / max pi);
        //   beta -> inf: grad/beta -> 2 pi1 pi2 (step(du) - q) (1, -1), PVar_policy -> pi1 pi2 / 2;
        //   PVar_labels = 2 pi1 pi2 (q - 1/2)^2.
        let (t1, t2, rho1, rho2, r1, r2) = (0.4, -0.9, 0.3, 0.7, 1.2, -0.3)
        let p = try Problem(beta: 1, features: nil, theta: [t1, t2], reference: [rho1, rho2], rewards: [r1, r2])
        let pi1 = 1 / (1 + exp(t2 - t1)), pi2 = 1 / (1 + exp(t1 - t2))
        let du = (t1 - t2) - log(rho1 / rho2)
        let q = 1 / (1 + exp(r2 - r1))
        let step = du > 0 ? 1.0 : 0.0
        let pvarLabels = 2 * pi1 * pi2 * (q - 0.5) * (q - 0.5)
        let zero = BetaLimit(p, .zero), infinity = BetaLimit(p, .infinity)
        func close(_ a: Double, _ b: Double) -> Bool { abs(a - b) <= handClosedFormTolerance * max(abs(a), abs(b)) }
        #expect(close(zero.gradientOverBeta[0], 2 * pi1 * pi2 * (0.5 - q)) && close(zero.gradientOverBeta[1], -2 * pi1 * pi2 * (0.5 - q)))
        #expect(close(zero.pvarPolicy, pi1 * pi2 * du * du / 8))
        #expect(close(zero.pvarLabels, pvarLabels) && close(infinity.pvarLabels, pvarLabels))
        #expect(close(zero.ratios[.B0]!, 1) && close(infinity.ratios[.B0]!, 1))
        #expect(close(zero.ratios[.B2]!, (min(pi1, pi2) / max(pi1, pi2)).squareRoot()))
        #expect(close(infinity.gradientOverBeta[0], 2 * pi1 * pi2 * (step - q)))
        #expect(close(infinity.pvarPolicy, pi1 * pi2 / 2))

        // The tool at beta = 1e-8 and 1e8 against the hand forms, with the hand-derived rates:
        // |p - 1/2| <= beta |du| / 4 and |p - step| <= exp(-beta |du|).
        let small = try Evaluation(try withBeta(p, 1e-8))
        let smallRate = 1e-8 * abs(du) / 4 * 2 * pi1 * pi2 * 2.0.squareRoot()
        // Rounding: the tool's documented relative accuracy, applied to each quantity's scale
        // (2 pi1 pi2 bounds every |grad/beta| entry; the PVar limits bound the PVars).
        let gradientScale = 2 * pi1 * pi2
        #expect(abs(small.gradient[0] / 1e-8 - 2 * pi1 * pi2 * (0.5 - q)) <= smallRate + edgeCaseAccuracy * gradientScale)
        #expect(abs(small.pvarPolicy / 1e-16 - pi1 * pi2 * du * du / 8)
                <= 1e-16 * pi1 * pi2 * pow(du, 4) / 48 + edgeCaseAccuracy * pi1 * pi2 * du * du / 8)
        let large = try Evaluation(try withBeta(p, 1e8))
        #expect(abs(large.gradient[0] / 1e8 - 2 * pi1 * pi2 * (step - q)) <= edgeCaseAccuracy * gradientScale)
        #expect(abs(large.pvarPolicy - pi1 * pi2 / 2) <= edgeCaseAccuracy * pi1 * pi2 / 2)
    }

    @Test("E5: logits near +-700 (and past exp's overflow at 709.8) give finite outputs that match the closed forms")
    func logitsNearOverflowStayFiniteAndMatchClosedForms() throws {
        #expect(exp(710.0) == .infinity, "the 710 instance is past the naive softmax's overflow")
        let c = try catalogueCase(.E5)
        for inst in c.instances {
            let p = inst.problem
            let e = try Evaluation(p)
            let why = context(c, inst.label, p)
            let k = p.responseCount
            let outputs = [e.loss, e.gradientNorm, e.pvarPolicy, e.pvarLabels, e.disagreement, e.scoreSpread, e.scoreBound]
                + e.gradient + e.logPolicy + e.policy + e.implicitRewards + e.bounds.map(\.value)
            #expect(outputs.allSatisfy { $0.isFinite }, why)
            #expect(e.policy.max() == 1, why)
            if let closed = uniformPairsClosedForm(p) {
                #expect(agreesWithClosedForm(e.loss, closed.loss, terms: k * k), "L \(e.loss) vs \(closed.loss); \(why)")
                for (g, exact) in zip(e.gradient, closed.gradient) {
                    #expect(agreesWithClosedForm(g, exact, terms: k * k), "\(e.gradient) vs \(closed.gradient); \(why)")
                }
                #expect(e.bound(.B0).resolved && e.bound(.B0).holds, why)
            } else {
                let lead = NearOneHotLeadingOrder(p)
                for (g, exact) in zip(e.gradient, lead.gradient) {
                    #expect(agreesWithClosedForm(g, exact, relative: nearOneHotTolerance, terms: k * k), "\(e.gradient) vs \(lead.gradient); \(why)")
                }
                // ||grad L|| ~ 2.5e-304: below resolutionFloor, so B0 is not compared in doubles;
                // the certificate decides it (K = 3 with pi_2 = e^-1400: B0 is equality to 1e-300).
                #expect(!e.bound(.B0).resolved, why)
                let verdict = certify(p).bounds[.B0]!.verdict
                #expect(verdict == .tight || verdict == .holds, why)
            }
            let cert = certify(p)
            #expect(agreesWithEnclosure(e.gradientNorm, cert.gradientNorm, terms: k * k), "\(e.gradientNorm) vs \(cert.gradientNorm); \(why)")
        }
        let outcome = examineEdgeCase(c)
        #expect(outcome.agrees, "\(outcome.verdict)")
    }

    @Test("E6: reference entries 1e-300 and 5e-324 keep every log-ratio finite and at-reference detection working")
    func tinyReferenceEntriesKeepLogRatiosFinite() throws {
        let c = try catalogueCase(.E6)
        for (label, atReference) in [("pi_ref_1 = 1e-300, theta = log pi_ref", true), ("pi_ref_1 = 5e-324, theta = log pi_ref", true),
                                     ("pi_ref_1 = 5e-324, theta = 0", false)] {
            let p = try labelled(c, label)
            let e = try Evaluation(p)
            let why = context(c, label, p)
            let outputs = [e.loss, e.gradientNorm, e.pvarPolicy, e.pvarLabels, e.disagreement, e.scoreSpread, e.scoreBound]
                + e.gradient + e.logPolicy + e.implicitRewards + e.bounds.map(\.value)
            #expect(outputs.allSatisfy { $0.isFinite }, why)
            for i in 0..<3 { for j in 0..<3 { #expect(e.implicitRewardDifference(i, j).isFinite, why) } }
            #expect(e.atReference == atReference, why)
            if atReference {
                #expect(e.bound(.B2).applies && e.bound(.B2).holds, why)
                #expect(certify(p).bounds[.B2]?.verdict == .holds, why)
            } else {
                // h_1 - h_2 = beta (log 0.5 - log 2^-1074) = beta * 1073 log 2, exactly in the reals.
                let exact = p.beta * 1073 * log(2.0)
                #expect(agreesWithClosedForm(e.implicitRewardDifference(0, 1), exact, terms: 0),
                        "\(e.implicitRewardDifference(0, 1)) vs \(exact); \(why)")
            }
        }
        let outcome = examineEdgeCase(c)
        #expect(outcome.agrees, "\(outcome.verdict)")
    }

    @Test("E7: equal rewards give PVar_labels = 0: the gradient is exactly 0 at the reference, and B2/B3 fail away from it")
    func equalRewardsGiveZeroGradientOnlyAtTheReference() throws {
        let c = try catalogueCase(.E7)

        let pAt = try labelled(c, "exactly at the reference")
        let at = try Evaluation(pAt)
        let certAt = certify(pAt)
        var why = context(c, "exactly at the reference", pAt)
        #expect(at.pvarLabels == 0 && at.atReference, why)
        #expect(at.gradient.allSatisfy { $0 == 0.0 } && at.gradientNorm == 0.0, why)
        for id in [BoundID.B2, .B3] {
            let b = at.bound(id)
            #expect(b.applies && b.value == 0 && b.ratio == 0 && b.resolved && b.holds, "\(id.rawValue); \(why)")
        }
        #expect(certAt.gradientNorm.isExactZero && certAt.pvarLabels.isExactZero, why)

        let pAway = try labelled(c, "away from the reference")
        let away = try Evaluation(pAway)
        let certAway = certify(pAway)
        why = context(c, "away from the reference", pAway)
        #expect(away.pvarLabels == 0 && !away.atReference && away.gradientNorm > 0, why)
        for id in [BoundID.B2, .B3] {
            let b = away.bound(id)
            // Value 0 under a positive gradient: ratio inf (null in JSON), not applicable, and a
            // real violation (certified) that the hypotheses exclude.
            #expect(!b.applies && b.value == 0 && b.ratio == .infinity, "\(id.rawValue); \(why)")
            #expect(certAway.bounds[id]?.verdict == .violated, "\(id.rawValue); \(why)")
            #expect(away.json().contains("\"\(id.rawValue)\": {\"value\": 0.0, \"lhs\": \(InstanceFile.format(away.gradientNorm)), \"ratio\": null"), why)
        }
        for id in [BoundID.B0, .B1] {
            #expect(away.bound(id).applies && away.bound(id).holds && certAway.bounds[id]?.verdict == .holds, "\(id.rawValue); \(why)")
        }
        // With q = 1/2 and mu = pi: delta = sqrt(PVar_policy), and B1 = sqrt(2) beta G sqrt(PVar_policy).
        #expect(agreesWithClosedForm(away.disagreement, away.rootPVarPolicy, terms: 0), why)
        let b1 = 2.0.squareRoot() * pAway.beta * away.scoreBound * away.rootPVarPolicy
        #expect(agreesWithClosedForm(away.bound(.B1).value, b1, terms: 0), why)

        let roundedLabel = "at the reference up to rounding, theta = fl(log pi_ref)"
        let pRounded = try labelled(c, roundedLabel)
        let rounded = try Evaluation(pRounded)
        let certRounded = certify(pRounded)
        why = context(c, roundedLabel, pRounded)
        // At the reference for the tool (referenceTolerance), not as a real instance: the exact
        // gradient is positive, B2 (value 0) is violated, and the excess is within B1.
        #expect(rounded.atReference && rounded.gradientNorm > 0 && certRounded.gradientNorm.lo > 0, why)
        #expect(!rounded.bound(.B2).resolved && rounded.bound(.B2).ratio == .infinity, why)
        #expect(certRounded.bounds[.B2]?.verdict == .violated && certRounded.bounds[.B1]?.verdict == .holds, why)
        #expect(rounded.gradientNorm <= rounded.bound(.B1).value, why)

        let outcome = examineEdgeCase(c)
        #expect(outcome.agrees, "\(outcome.verdict)")
    }

    @Test("E8: responses of zero pair weight contribute nothing: the instance without them gives the same L, gradient, PVar_labels, delta, D")
    func zeroWeightResponsesContributeNothing() throws {
        let c = try catalogueCase(.E8)
        for (fullLabel, reducedLabel) in [("features, weights [0.5, 0, 0.5, 0]", "features, zero-weight responses removed"),
                                          ("tabular, weights [0.25, 0, 0.5, 0.25]", "tabular, zero-weight responses removed")] {
            let pFull = try labelled(c, fullLabel), pReduced = try labelled(c, reducedLabel)
            let full = try Evaluation(pFull), reduced = try Evaluation(pReduced)
            let why = context(c, fullLabel, pFull)
            func same(_ a: Double, _ b: Double) -> Bool { agreesWithClosedForm(a, b, relative: zeroWeightAgreement, terms: 0) }
            #expect(same(full.loss, reduced.loss), "L \(full.loss) vs \(reduced.loss); \(why)")
            #expect(same(full.gradientNorm, reduced.gradientNorm), "\(full.gradientNorm) vs \(reduced.gradientNorm); \(why)")
            #expect(same(full.pvarLabels, reduced.pvarLabels), "\(full.pvarLabels) vs \(reduced.pvarLabels); \(why)")
            #expect(same(full.disagreement, reduced.disagreement), "\(full.disagreement) vs \(reduced.disagreement); \(why)")
            #expect(same(full.scoreSpread, reduced.scoreSpread), "\(full.scoreSpread) vs \(reduced.scoreSpread); \(why)")
            let kept = keptResponses(pFull)
            #expect(kept.count == pReduced.responseCount, why)
            if pFull.isTabular {
                for (m, y) in kept.enumerated() {
                    #expect(same(full.gradient[y], reduced.gradient[m]), "entry \(y): \(full.gradient) vs \(reduced.gradient); \(why)")
                }
                for y in full.gradient.indices where !kept.contains(y) {
                    #expect(full.gradient[y] == 0, "dropped entry \(y) = \(full.gradient[y]); \(why)")
                }
            } else {
                for (a, b) in zip(full.gradient, reduced.gradient) {
                    #expect(same(a, b), "\(full.gradient) vs \(reduced.gradient); \(why)")
                }
            }
        }
        let outcome = examineEdgeCase(c)
        #expect(outcome.agrees, "\(outcome.verdict)")
    }

    @Test("Every catalogue case has its report row: title, math, tool summary and verdict, and at least one instance")
    func catalogueIsComplete() {
        let cases = edgeCaseCatalogue()
        #expect(cases.map(\.id.rawValue) == (1...8).map { "E\($0)" })
        for c in cases {
            let o = examineEdgeCase(c)
            #expect(!c.instances.isEmpty && !c.title.isEmpty && !c.mathInBrief.isEmpty && !c.mathSays.isEmpty, "\(c.id)")
            #expect(o.id == c.id && !o.toolComputes.isEmpty && o.details.count >= 1 && !o.checks.isEmpty, "\(c.id)")
            #expect(o.agrees == (o.verdict == "agrees") && o.agrees == (o.shortVerdict == "agrees"), "\(c.id)")
            for inst in c.instances {
                #expect((try? InstanceFile.parse(Data(InstanceFile.encode(inst.problem).utf8))) == inst.problem,
                        "\(c.id) [\(inst.label)] must round-trip through its JSON")
            }
        }
    }
}
