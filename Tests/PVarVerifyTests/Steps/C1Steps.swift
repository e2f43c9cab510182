// C1 step by step (Proofs/C1-policy-pvar-alone.md): the counterexample's exact zero PVar_policy
// and closed-form gradient, the general at-reference gradient formula, and the sufficient
// conditions for a nonzero gradient, each checked link by link.

import Foundation
import PVarCertify
import PVarCore
import PVarGSL
import PVarVerify
import PVarTestSupport
import Testing

extension C1Tests {
    typealias Kit = StepsB1B2C1

    /// The betas at which the counterexample is checked in closed form.
    static let betas = [1e-6, 1e-3, 0.5, 1.0, 50.0, 1e4]

    /// Closed forms on the counterexample are a handful of correctly rounded operations on the
    /// same tanh(1/2)/2 (tanh within 1 ulp): 16 ulps covers both sides.
    static let closedFormTolerance = 16 * Double.ulpOfOne

    @Test("C1 step 1: theta = 0 and a uniform reference put every implicit reward at 0, so p = 1/2 and PVar_policy = 0 exactly")
    func step1PolicyPVarIsExactlyZero() throws {
        for beta in Self.betas {
            let e = try Evaluation(c1Counterexample(beta: beta))
            let t = PairTable(e)
            #expect(e.policy == [0.5, 0.5] && e.atReference && e.pairsArePolicy, "beta \(beta)")
            #expect(e.implicitRewards == [0, 0], "beta \(beta): h = \(e.implicitRewards)")
            for i in 0..<2 {
                for j in 0..<2 {
                    #expect(e.implicitRewardDifference(i, j) == 0 && t.p(i, j) == 0.5 && t.centredP(i, j) == 0, "beta \(beta)")
                }
            }
            #expect(e.pvarPolicy == 0 && e.rootPVarPolicy == 0, "beta \(beta): PVar_policy = \(e.pvarPolicy)")
        }
        // The same on every shape: any K, features, rewards, beta, with theta = 0 and a uniform
        // reference (so the policy is the reference exactly, in floating point too).
        let tally = Kit.forEachExactReferenceInstance { e, t, msg in
            #expect(e.pvarPolicy == 0 && e.rootPVarPolicy == 0, "\(msg): PVar_policy = \(e.pvarPolicy)")
            let policyVariance = t.expectation(overPolicy: true) { i, j in t.centredP(i, j) * t.centredP(i, j) }
            #expect(policyVariance == 0, "\(msg): E_pi (p - 1/2)^2 = \(policyVariance)")
            return true
        }
        Kit.expectEnough(tally)
    }

    @Test("C1 step 2: the labels are not 1/2, q(1,2) = sigmoid(1), so PVar_labels = (sigmoid(1) - 1/2)^2 / 2 > 0")
    func step2LabelsCarryVariance() throws {
        let x = centredSigmoid(1)
        for beta in Self.betas {
            let e = try Evaluation(c1Counterexample(beta: beta))
            let t = PairTable(e)
            #expect(t.q(0, 1) == sigmoid(1) && t.q(1, 0) == sigmoid(-1) && t.q(0, 0) == 0.5, "beta \(beta)")
            #expect(t.centredQ(0, 1) == x && t.centredQ(1, 0) == -x, "beta \(beta)")
            #expect(relativeError(e.pvarLabels, x * x / 2) <= Self.closedFormTolerance,
                    "beta \(beta): PVar_labels = \(e.pvarLabels), closed form \(x * x / 2)")
            #expect(e.pvarLabels > 0)
        }
    }

    @Test("C1 step 3: grad L = beta sum_ij pi_i pi_j (1/2 - q)(e_i - e_j) = (beta/2)(1/2 - sigmoid(1))(e_1 - e_2)")
    func step3GradientVector() throws {
        let x = centredSigmoid(1)
        for beta in Self.betas {
            let e = try Evaluation(c1Counterexample(beta: beta))
            let t = PairTable(e)
            // The four ordered pairs from the table, then the closed form.
            let pairSum = Kit.labelDirection(t).map { -beta * $0 }
            let closed = [-beta / 2 * x, beta / 2 * x]
            for c in 0..<2 {
                #expect(relativeError(e.gradient[c], closed[c]) <= Self.closedFormTolerance,
                        "beta \(beta): gradient \(e.gradient), closed form \(closed)")
                #expect(relativeError(pairSum[c], closed[c]) <= Self.closedFormTolerance,
                        "beta \(beta): pair sum \(pairSum), closed form \(closed)")
            }
        }
    }

    @Test("C1 step 4: ||grad L|| = beta (sigmoid(1) - 1/2) / sqrt(2) > 0 while PVar_policy = 0")
    func step4GradientNormClosedForm() throws {
        for beta in Self.betas {
            let e = try Evaluation(c1Counterexample(beta: beta))
            let exact = beta * centredSigmoid(1) / 2.0.squareRoot()
            #expect(relativeError(e.gradientNorm, exact) <= Self.closedFormTolerance,
                    "beta \(beta): ||grad L|| = \(e.gradientNorm), closed form \(exact)")
            #expect(e.gradientNorm > 0 && e.pvarPolicy == 0)
            // Normalised by beta G (G = 1/sqrt(2)): sigmoid(1) - 1/2, independent of beta.
            #expect(relativeError(e.gradientNorm / (beta * e.scoreBound), centredSigmoid(1)) <= Self.closedFormTolerance)
        }
    }

    @Test("C1 step 5: at any reference, grad L = beta E_mu[(1/2 - q)(s_i - s_j)], whatever PVar_policy (= 0) says")
    func step5GeneralAtReferenceFormula() {
        var positive = 0, labelled = 0
        let tally = Kit.forEachInstance(.atReference) { e, t, msg in
            let r = Kit.featureRange(t)
            let formula = Kit.labelDirection(t).map { -e.problem.beta * $0 }
            let tolerance = Kit.labelDirectionTolerance(e, t, range: r) + Kit.offReferenceAllowance(e, t)
            guard Kit.resolved(e, e.gradientNorm, Kit.norm(formula), tolerance) else { return false }
            let gap = Kit.norm(Kit.difference(e.gradient, formula))
            #expect(gap <= tolerance, "\(msg): ||grad L - beta E[(1/2 - q) ds]|| = \(gap) > \(tolerance)")
            if e.pvarLabels > 0 && e.problem.responseCount > 1 {
                labelled += 1
                if Kit.norm(formula) - tolerance > 0 && e.gradientNorm > 0 { positive += 1 }
            }
            return true
        }
        Kit.expectEnough(tally)
        // Nonzero gradient wherever the labels vary: all of them here (the sufficient
        // conditions of steps 6-7 hold generically).
        #expect(positive == labelled, "\(positive) of \(labelled) instances with PVar_labels > 0 have a gradient certified > 0 in doubles")
    }

    @Test("C1 step 6: K = 2 at the reference, ||grad L|| = 2 beta mu_1 mu_2 |q(1,2) - 1/2| ||phi_1 - phi_2|| > 0 when phi_1 != phi_2, q != 1/2")
    func step6TwoResponsesClosedForm() {
        let two = InstanceGenerator(runSeed: runSeed, limits: GeneratorLimits(responses: 2...2, dimension: 1...16))
        let tally = Kit.forEachInstance(.atReference, generator: two) { e, t, msg in
            let beta = e.problem.beta
            let x = abs(t.centredQ(0, 1))
            let distance = euclideanNorm(t.featureDifference(0, 1))
            let closed = safeProduct(2, beta, t.mu[0], t.mu[1], x, distance)
            // Off the reference by the rounding of log pi_ref: p - q = (p - 1/2) - X changes the
            // closed form by exactly 2 beta mu_1 mu_2 |p(1,2) - 1/2| ||phi_1 - phi_2||.
            let offReference = safeProduct(2, beta, t.mu[0], t.mu[1], abs(t.centredP(0, 1)), distance)
            guard Kit.resolved(e, closed, e.gradientNorm) else { return false }
            // Library within acc; the closed form is six correctly rounded factors (safeProduct)
            // and tanh and a Euclidean norm within 2 ulps each: 16 ulps.
            let tolerance = (Kit.evaluationAccuracy + 16 * Double.ulpOfOne) * closed + offReference
            #expect(abs(e.gradientNorm - closed) <= tolerance,
                    "\(msg): ||grad L|| = \(e.gradientNorm), closed form \(closed)")
            if t.mu[0] * t.mu[1] > 0 && x > 0 && distance > 0 {
                #expect(closed > offReference && e.gradientNorm > 0, "\(msg): the sufficient condition holds, so grad L != 0")
            }
            return true
        }
        Kit.expectEnough(tally)
    }

    @Test("C1 step 7: tabular (affinely independent features), full-support mu, rewards not all equal: ||grad L|| >= 2 beta mu_t m_t > 0, t = argmax r")
    func step7AnyKNonzeroGradient() throws {
        // Only the tabular family has affinely independent features for every K; instances
        // without the hypotheses (K = 1) are not counted either way.
        var exact = Kit.Tally(), generated = Kit.Tally()
        for i in 0..<(6 * Kit.perFamily) {
            let p = generator.instance(.atReference, .tabular, index: i)
            let k = p.responseCount
            guard k >= 2, Set(p.rewards).count > 1 else { continue }
            // Exactly at the reference (theta = 0, uniform reference), pairs from the generated
            // Dirichlet weights: the formula holds for any full-support mu, and nothing is off
            // the reference, so the lower bound must come out > 0.
            let moved = try Problem(beta: p.beta, features: nil, theta: [Double](repeating: 0, count: k),
                                    reference: [Double](repeating: 1 / Double(k), count: k), rewards: p.rewards,
                                    pairs: .weights(p.reference))
            for (e, isExact) in [(try Evaluation(moved), true), (evaluate(p), false)] {
                let t = PairTable(e)
                let msg = replay(.atReference, .tabular, i) + (isExact ? " (then theta = 0, reference uniform, pairs = the generated reference)" : "")
                let r = e.problem.rewards
                let top = r.indices.max { r[$0] < r[$1] }!
                // m_t = sum_j mu_j (q(t,j) - 1/2): every term >= 0 (r_t is the largest reward), so the
                // sum has no cancellation and is within gamma_K of itself.
                var m = CompensatedSum()
                for j in 0..<k { m.add(t.mu[j] * t.centredQ(top, j)) }
                let lower = safeProduct(2, e.problem.beta, t.mu[top], m.value)
                let allowance = Kit.offReferenceAllowance(e, t)
                guard Kit.resolved(e, lower, e.gradientNorm) else {
                    if isExact { exact.skipped += 1 } else { generated.skipped += 1 }
                    continue
                }
                if isExact {
                    exact.checked += 1
                    #expect(allowance == 0 && e.pvarPolicy == 0, "\(msg)")
                    #expect(m.value > 0 && lower > 0, "\(msg): 2 beta mu_t m_t = \(lower)")
                } else {
                    generated.checked += 1
                }
                // Tabular: grad L = 2 beta c exactly (Phi = I, c as in I1), c_t = -mu_t m_t at the
                // reference, and ||c|| >= |c_t|. The library within acc, the lower end within gamma_K.
                let slack = summationBound(terms: k) + Kit.evaluationAccuracy
                #expect(e.gradientNorm >= lower * (1 - slack) - allowance,
                        "\(msg): ||grad L|| = \(e.gradientNorm) < 2 beta mu_t m_t = \(lower) (off-reference \(allowance))")
            }
        }
        Kit.expectEnough(exact)
        Kit.expectEnough(generated)
    }

    @Test("C1 step 8: PVar_policy = 0 allows ||grad L|| / (beta G) = sigma(g) - 1/2, up to 1/2: uniform two responses at the reference")
    func step8NormalisedGradientReachesOneHalf() throws {
        var previous = 0.0
        for gap in [1e-3, 0.1, 1.0, 3.0, 10.0, 40.0] {
            for beta in [1e-3, 1.0, 100.0] {
                let e = try Evaluation(twoResponsesAtReference(first: 0.5, rewardGap: gap, beta: beta))
                #expect(e.pvarPolicy == 0 && e.rootPVarPolicy == 0, "gap \(gap) beta \(beta): PVar_policy = \(e.pvarPolicy)")
                let normalised = e.gradientNorm / (beta * e.scoreBound)
                // A few correctly rounded operations on the same tanh(g/2)/2 on each side.
                #expect(relativeError(normalised, centredSigmoid(gap)) <= Self.closedFormTolerance,
                        "gap \(gap) beta \(beta): ||grad L|| / (beta G) = \(normalised), sigma(g) - 1/2 = \(centredSigmoid(gap))")
            }
            let e = try Evaluation(twoResponsesAtReference(first: 0.5, rewardGap: gap))
            let normalised = e.gradientNorm / e.scoreBound
            #expect(normalised > previous, "increasing in the gap")
            previous = normalised
        }
        #expect(previous > 0.5 * (1 - 1e-15), "at gap 40 the normalised gradient is 1/2 to double precision: \(previous)")
    }
}

extension C1Tests {
    @Test("C1 step 9: PVar_policy = 0 with pairs from the policy gives ||grad L|| <= beta G / 2, whatever the labels; the two-response family comes within 1% of it")
    func step9HalfBetaGSuffices() throws {
        // Exactly at the reference (theta = 0, equal reference entries: every log-ratio difference is
        // an exact 0, so p = 1/2 and PVar_policy = 0 exactly), pairs from the policy, random K,
        // features and rewards (wide gaps included, where the ratio approaches its limit).
        var checked = 0
        for i in 0..<200 {
            let rng = RandomSource(seed: deriveSeed(runSeed, [stableLabel("C1 step 9"), UInt64(i)]))
            let k = rng.integer(2...8), d = rng.integer(1...4)
            let features = (0..<k).map { _ in (0..<d).map { _ in rng.gaussian(1) } }
            let rewards = (0..<k).map { _ in rng.gaussian(i % 2 == 0 ? 20 : 1) }
            let msg = "C1 step 9 instance \(i), seed \(runSeed) (set PVAR_TEST_SEED to rerun)"
            let e = try Evaluation(Problem(beta: rng.logUniform(0.01, 100), features: features, theta: Array(repeating: 0, count: d),
                                           reference: Array(repeating: 1 / Double(k), count: k), rewards: rewards, pairs: .policy))
            #expect(e.pvarPolicy == 0, "\(msg): PVar_policy = \(e.pvarPolicy)")
            // T4 step 4's bound, with the library's documented accuracy on both sides.
            #expect(e.gradientNorm <= e.problem.beta * e.scoreBound / 2 * (1 + 2 * evaluationAccuracy), "\(msg): ||grad L|| = \(e.gradientNorm), beta G / 2 = \(e.problem.beta * e.scoreBound / 2)")
            checked += 1
        }
        #expect(checked == 200)
        // The constant 1/2 cannot be lowered (step 8): sigma(10) - 1/2 = 0.49995...
        let e = try Evaluation(twoResponsesAtReference(first: 0.5, rewardGap: 10))
        #expect(e.gradientNorm / (e.scoreBound / 2) > 0.99, "ratio to beta G / 2: \(e.gradientNorm / (e.scoreBound / 2))")
    }
}

extension C1Tests {
    @Test("C1 the hypotheses of step 7 are needed: collinear features phi = (-1, 0, 1), rewards (0, 1, 0), at a uniform reference, give grad L = 0 with PVar_labels = (4/9)(sigma(1) - 1/2)^2 > 0")
    func cancellingPairsGiveZeroGradient() throws {
        // The pairs (1,2) and (3,2) have the same label margin and opposite feature differences,
        // so their pulls cancel: affine independence (step 7) fails, and varying labels alone do
        // not force a gradient.
        for beta in Self.betas {
            let p = try Problem(beta: beta, features: [[-1], [0], [1]], theta: [0],
                                reference: [1.0 / 3, 1.0 / 3, 1.0 / 3], rewards: [0, 1, 0])
            let e = try Evaluation(p)
            let t = PairTable(e)
            #expect(e.atReference && e.pvarPolicy == 0 && Kit.offReferenceAllowance(e, t) == 0, "beta \(beta)")
            // The pair sum E[(q - 1/2)(phi_i - phi_j)] is 0 up to the rounding of its 9 terms.
            let direction = Kit.labelDirection(t)
            let magnitude = t.expectation { i, j in abs(t.centredQ(i, j)) * euclideanNorm(t.featureDifference(i, j)) }
            #expect(Kit.norm(direction) <= summationBound(terms: 9) * magnitude,
                    "beta \(beta): E[(q - 1/2)(phi_i - phi_j)] = \(direction)")
            // The library's gradient: 0 up to the rounding derived in labelDirectionTolerance.
            let tolerance = Kit.labelDirectionTolerance(e, t, range: Kit.featureRange(t))
            #expect(e.gradientNorm <= tolerance, "beta \(beta): ||grad L|| = \(e.gradientNorm), tolerance \(tolerance)")
            // PVar_labels = 4 * (1/9) * (sigma(1) - 1/2)^2: the library within acc, the product 4 roundings.
            let x = centredSigmoid(1)
            let expected = 4.0 / 9 * x * x
            #expect(relativeError(e.pvarLabels, expected) <= Kit.evaluationAccuracy + 8 * Double.ulpOfOne,
                    "beta \(beta): PVar_labels = \(e.pvarLabels), (4/9)(sigma(1) - 1/2)^2 = \(expected)")
        }
        // Rigorous, on the exact inputs: the gradient norm is below 2^-100 of B2's value (no
        // nonzero gradient hides under the rounding), and PVar_labels > 0.
        let p = try Problem(beta: 1, features: [[-1], [0], [1]], theta: [0],
                            reference: [1.0 / 3, 1.0 / 3, 1.0 / 3], rewards: [0, 1, 0])
        let c = certify(p)
        let b2 = try Evaluation(p).bound(.B2).value
        #expect(c.gradientNorm.hi <= certifiedTightnessWindow * b2, "certified ||grad L|| in \(c.gradientNorm)")
        #expect(c.pvarLabels.lo > 0, "certified PVar_labels in \(c.pvarLabels)")
    }
}
