// S1 step by step (Proofs/S1-snr.md): the noise of the one-pair stochastic gradient, its floors,
// and the SNR bound at the reference, every identity and inequality checked link by link; the
// equality case, the tightness search and the certified verdicts. Also holds `StepsS1S2`, the
// kit the S1 and S2 step suites share.

import Foundation
import PVarCertify
import PVarCore
import PVarGSL
import PVarVerify
import PVarTestSupport
import Testing

/// Shared set-up of the S1 and S2 step checks (on top of `StepsB1B2C1`).
enum StepsS1S2 {
    typealias Kit = StepsB1B2C1

    /// The instance moved exactly to the reference, keeping its pair distribution: the same
    /// features, rewards and beta, `theta = 0`, a uniform reference, and pairs `.weights(mu)` with
    /// `mu` the instance's own pair weights (the policy, the reference or Dirichlet weights with
    /// zeros). Every logit is 0 and every reference entry the same double, so every implicit
    /// reward is an exact 0: the hypothesis "at the reference" holds as real numbers, for a `mu`
    /// that is not uniform (S1 claims any `mu`).
    static func movedToReference(_ p: Problem) -> Problem {
        let k = p.responseCount
        let mu = evaluate(p).pairWeights
        do {
            return try Problem(beta: p.beta, features: p.features, theta: [Double](repeating: 0, count: p.dimension),
                               reference: [Double](repeating: 1 / Double(k), count: k), rewards: p.rewards,
                               pairs: .weights(mu))
        } catch {
            preconditionFailure("theta = 0 with a uniform reference and the instance's own mu is valid: \(error)")
        }
    }

    /// What separates a generated at-reference instance from the exact reference (all 0 on an
    /// instance exactly at the reference, where `p - 1/2` is an exact 0):
    /// - `gradient`: `beta D sqrt(E (p - 1/2)^2)`, a bound on what `p != 1/2` adds to `||grad L||`
    ///   (`Kit.offReferenceAllowance`);
    /// - `secondMoment`: `beta^2 E[((p - 1/2)^2 + 2 |p - 1/2| |q - 1/2|) ||Delta||^2]`, a bound on
    ///   `|E||g||^2 - beta^2 D^2 / 4|`, because `E_z (p - z)^2 - 1/4 = (p - 1/2)^2 - 2 (p - 1/2)(q - 1/2)`;
    /// - `disagreement`: `sqrt(E (p - 1/2)^2)`, a bound on `|delta - sqrt(PVar_labels)|` (Minkowski).
    struct OffReference {
        let gradient: Double
        let secondMoment: Double
        let disagreement: Double

        init(_ e: Evaluation, _ t: PairTable) {
            let cp2 = t.expectation { i, j in t.centredP(i, j) * t.centredP(i, j) }
            let moment = t.expectation { i, j in
                let cp = abs(t.centredP(i, j))
                return cp == 0 ? 0 : (cp * cp + 2 * cp * abs(t.centredQ(i, j))) * StepsS1S2.squaredNorm(t.featureDifference(i, j))
            }
            gradient = Kit.offReferenceAllowance(e, t)
            // The pair sum errs by gamma_{K^2} of itself (nonnegative terms): a factor 1 + 2 gamma.
            let gamma = summationBound(terms: t.responses * t.responses)
            secondMoment = safeProduct(e.problem.beta, e.problem.beta, moment, 1 + 2 * gamma)
            disagreement = cp2.squareRoot() * (1 + 2 * gamma)
        }

        var isZero: Bool { gradient == 0 && secondMoment == 0 && disagreement == 0 }
    }

    static func squaredNorm(_ v: [Double]) -> Double {
        let n = euclideanNorm(v)
        return n * n
    }

    /// Runs `check` on two kinds of at-reference instances and expects enough of each: the
    /// generated `at-reference` instances of all six families (at the reference up to the rounding
    /// of `log pi_ref`, which `OffReference` carries explicitly), and the `general` instances of
    /// all six families moved exactly to the reference (`movedToReference`: any `mu`, zeros
    /// included; `OffReference` is then exactly 0, which is checked).
    static func forEachReferenceInstance(
        sourceLocation: SourceLocation = #_sourceLocation,
        _ check: (Evaluation, PairTable, OffReference, String) -> Bool
    ) {
        let generated = Kit.forEachInstance(.atReference) { e, t, msg in
            check(e, t, OffReference(e, t), msg)
        }
        Kit.expectEnough(generated, sourceLocation: sourceLocation)
        var moved = Kit.Tally()
        for f in Family.allCases {
            for i in 0..<Kit.perFamily {
                let e = evaluate(movedToReference(generator.instance(.general, f, index: i)))
                let t = PairTable(e)
                let off = OffReference(e, t)
                let msg = replay(.general, f, i) + " (then theta = 0, a uniform reference and pairs = its mu as weights)"
                #expect(e.atReference && off.isZero, "\(msg): not exactly at the reference", sourceLocation: sourceLocation)
                if check(e, t, off, msg) { moved.checked += 1 } else { moved.skipped += 1 }
            }
        }
        Kit.expectEnough(moved, sourceLocation: sourceLocation)
    }

    /// `E||g - grad L||^2` by its definition, from the pair table: pair `(i, j)` with weight
    /// `mu_i mu_j`, label `z = 1` with probability `q` (then `g = beta (p - 1) Delta = -beta (1 - p) Delta`,
    /// `1 - p = p(j, i)`) and `z = 0` with probability `1 - q = q(j, i)` (then `g = beta p Delta`),
    /// centred at the library's gradient. `scale = E[(beta ||Delta|| + ||grad L||)^2]` bounds every
    /// term and the magnitude of what is cancelled inside each norm (see `noiseTolerance`).
    static func definitionNoise(_ e: Evaluation, _ t: PairTable) -> (noise: Double, scale: Double) {
        let beta = e.problem.beta
        let grad = e.gradient
        let norm = e.gradientNorm
        let noise = t.expectation { i, j in
            let delta = t.featureDifference(i, j)
            let p = t.p(i, j), pc = t.p(j, i), q = t.q(i, j), qc = t.q(j, i)
            var one = 0.0, zero = 0.0
            for c in delta.indices {
                let a = -beta * pc * delta[c] - grad[c], b = beta * p * delta[c] - grad[c]
                one += a * a
                zero += b * b
            }
            return q * one + qc * zero
        }
        let scale = t.expectation { i, j in
            let s = beta * euclideanNorm(t.featureDifference(i, j)) + norm
            return s * s
        }
        return (noise, scale)
    }

    /// How far two evaluations of the noise (the library's and `definitionNoise`) may differ, derived:
    /// per pair and label the computed `v = beta c Delta - grad L` (`c` a sigmoid, within 4 ulps;
    /// two products, a difference and the feature difference: 8 roundings) is within `gamma_8 w`
    /// of the exact one, `w = beta ||Delta|| + ||grad L||`, so its squared norm is within
    /// `3 gamma_8 w^2 + gamma_d ||v||^2`; the weighted sum of `2 K^2` such terms adds `gamma_{2K^2}`
    /// of the scale. Together at most `gamma_{2K^2 + d + 24} scale` per evaluation (`summationBound`
    /// adds the 8), twice for two evaluations. Both use the same gradient: centring at a slightly
    /// wrong mean `m'` adds exactly `||m' - m||^2` to both (the cross term has mean 0), so the
    /// gradient's own error cancels in the comparison.
    static func noiseTolerance(_ t: PairTable, scale: Double) -> Double {
        let k = t.responses, d = t.dimension
        return 2 * summationBound(terms: 2 * k * k + d + 16) * scale
    }
}

@Suite("S1")
struct S1Tests {
    typealias Kit = StepsB1B2C1
    typealias S = StepsS1S2

    // MARK: Part A: the noise, any theta, any mu (general instances)

    @Test("S1 step 1: E g = beta E[(p - q)(s_i - s_j)] = grad L (E_z (p - z) = p - q, then I1)")
    func step1StochasticGradientIsUnbiased() {
        let tally = Kit.forEachInstance(.general) { e, t, msg in
            let beta = e.problem.beta
            let mean = t.vectorExpectation { i, j in
                let r = t.residual(i, j)
                return t.featureDifference(i, j).map { beta * r * $0 }
            }
            // Kit.labelDirectionTolerance: the table's and the library's pair sums, with
            // |p - q| <= |q - 1/2| + |p - 1/2| bounding every residual (derivation there).
            let tolerance = Kit.labelDirectionTolerance(e, t, range: Kit.featureRange(t))
            guard Kit.resolved(e, e.gradientNorm, Kit.norm(mean), tolerance) else { return false }
            let gap = Kit.norm(Kit.difference(mean, e.gradient))
            #expect(gap <= tolerance, "\(msg): ||E g - grad L|| = \(gap) > \(tolerance) (||grad L|| = \(e.gradientNorm))")
            return true
        }
        Kit.expectEnough(tally)
    }

    /// Per-pair identities: both sides are sums of at most two products of at most three factors
    /// in [0, 1], each factor a sigmoid or a residual within 4 ulps, each product within
    /// 3 * 4 + 3 = 15 ulps of its exact value, so each side within 16 ulps of itself.
    static let pairIdentityUlps = 16.0

    @Test("S1 step 2: E_z (p - z)^2 = q (1 - p)^2 + (1 - q) p^2 = (p - q)^2 + q (1 - q), for every pair")
    func step2LabelSecondMoment() {
        var pairs = 0
        let tally = Kit.forEachInstance(.general) { e, t, msg in
            let k = t.responses
            for i in 0..<k where t.mu[i] != 0 {
                for j in 0..<k where t.mu[j] != 0 {
                    let p = t.p(i, j), pc = t.p(j, i), q = t.q(i, j), qc = t.q(j, i), r = t.residual(i, j)
                    let lhs = q * pc * pc + qc * p * p
                    let rhs = r * r + q * qc
                    let tolerance = Self.pairIdentityUlps * Double.ulpOfOne * (lhs + rhs)
                    #expect(abs(lhs - rhs) <= tolerance, "\(msg): pair (\(i), \(j)): E_z (p - z)^2 = \(lhs), (p - q)^2 + q (1 - q) = \(rhs)")
                    pairs += 1
                }
            }
            return true
        }
        Kit.expectEnough(tally)
        #expect(pairs >= 10_000, "only \(pairs) pairs checked")
    }

    @Test("S1 step 3: E||g - grad L||^2 (the definition) = beta^2 (E||r Delta - m||^2 + E[q (1 - q) ||Delta||^2]) = pairNoise + labelNoise")
    func step3NoiseDecomposition() {
        let tally = Kit.forEachInstance(.general) { e, t, msg in
            let n = e.noiseDecomposition()
            let (definition, scale) = S.definitionNoise(e, t)
            let tolerance = S.noiseTolerance(t, scale: scale)
            guard Kit.resolved(e, scale, n.total) else { return false }
            #expect(n.pairNoise >= 0 && n.labelNoise >= 0, "\(msg): negative part \(n)")
            #expect(abs(definition - n.total) <= tolerance,
                    "\(msg): definition \(definition), pairNoise + labelNoise = \(n.total), tolerance \(tolerance)")
            return true
        }
        Kit.expectEnough(tally)
    }

    @Test("S1 step 4: E||g - grad L||^2 >= labelNoise = beta^2 E[q (1 - q) ||Delta||^2] (the pair noise is a sum of squares)")
    func step4NoiseAtLeastLabelNoise() {
        let tally = Kit.forEachInstance(.general) { e, t, msg in
            let label = e.noiseDecomposition().labelNoise
            let (definition, scale) = S.definitionNoise(e, t)
            guard Kit.resolved(e, scale, label) else { return false }
            // The definition within noiseTolerance / 2 of the exact noise; labelNoise a sum of
            // nonnegative terms within gamma_{K^2} (+ the sigmoids' 8 ulps) of the exact one.
            let gamma = summationBound(terms: t.responses * t.responses + 8)
            #expect(definition >= label * (1 - gamma) - S.noiseTolerance(t, scale: scale) / 2,
                    "\(msg): noise (definition) \(definition) < labelNoise \(label)")
            return true
        }
        Kit.expectEnough(tally)
    }

    @Test("S1 step 5: q (1 - q) = 1/4 - (q - 1/2)^2 for every pair, so E[q (1 - q)] = 1/4 - PVar_labels")
    func step5MeanLabelVariance() {
        let tally = Kit.forEachInstance(.general) { e, t, msg in
            let k = t.responses
            for i in 0..<k where t.mu[i] != 0 {
                for j in 0..<k where t.mu[j] != 0 {
                    let lhs = t.q(i, j) * t.q(j, i)
                    let cq = t.centredQ(i, j)
                    let rhs = 0.25 - cq * cq
                    // Left: a product of two sigmoids, within 9 ulps of itself (<= 1/4); right: cq
                    // within 4 ulps, its square within 9 ulps of cq^2 (< 1/4), the difference 1 ulp
                    // of 1/4. Together at most 16 ulps of 1/2.
                    #expect(abs(lhs - rhs) <= Self.pairIdentityUlps * Double.ulpOfOne * 0.5,
                            "\(msg): pair (\(i), \(j)): q (1 - q) = \(lhs), 1/4 - (q - 1/2)^2 = \(rhs)")
                }
            }
            let mean = e.meanLabelVariance
            let rhs = 0.25 - e.pvarLabels
            // meanLabelVariance: gamma_{K^2} of itself (<= 1/4); PVar: acc of itself (< 1/4); the subtraction: u/4.
            let tolerance = (summationBound(terms: k * k) + Kit.evaluationAccuracy + Double.ulpOfOne) * 0.25
            #expect(abs(mean - rhs) <= tolerance, "\(msg): E[q (1 - q)] = \(mean), 1/4 - PVar = \(rhs)")
            return true
        }
        Kit.expectEnough(tally)
    }

    /// `E[(q - 1/2)^2 ||Delta||^2]` from the pair table.
    static func weightedPVar(_ t: PairTable) -> Double {
        t.expectation { i, j in
            let cq = t.centredQ(i, j)
            return cq * cq * S.squaredNorm(t.featureDifference(i, j))
        }
    }

    @Test("S1 step 6: labelNoise = beta^2 (D^2/4 - E[(q - 1/2)^2 ||Delta||^2]) (step 5 inside the expectation, E||Delta||^2 = D^2)")
    func step6LabelNoiseThroughPVar() {
        let tally = Kit.forEachInstance(.general) { e, t, msg in
            let beta = e.problem.beta
            let label = e.noiseDecomposition().labelNoise
            let w = Self.weightedPVar(t)
            let quarter = e.scoreSpread * e.scoreSpread / 4
            let rhs = safeProduct(beta, beta, quarter - w)
            let magnitude = safeProduct(beta, beta, quarter + w)
            guard Kit.resolved(e, magnitude, label) else { return false }
            // labelNoise: gamma_{K^2} (+8 ulps) of itself; D^2: 2 acc; the table's sum: gamma_{K^2}
            // (+ the squared norm's gamma_d); so within (gamma + 2 acc) of beta^2 (D^2/4 + w) plus gamma of labelNoise.
            let gamma = summationBound(terms: t.responses * t.responses + t.dimension + 8)
            let tolerance = (gamma + 2 * Kit.evaluationAccuracy) * magnitude + gamma * label
            #expect(abs(label - rhs) <= tolerance, "\(msg): labelNoise \(label), beta^2 (D^2/4 - E[X^2 ||Delta||^2]) = \(rhs)")
            return true
        }
        Kit.expectEnough(tally)
    }

    @Test("S1 step 7: E[(q - 1/2)^2 ||Delta||^2] <= 4 G^2 PVar_labels, since ||Delta|| = ||s_i - s_j|| <= 2G")
    func step7WeightedPVarAtMostFourGSquaredPVar() {
        var largest = 0.0
        let tally = Kit.forEachInstance(.general) { e, t, msg in
            let w = Self.weightedPVar(t)
            let rhs = safeProduct(4, e.scoreBound, e.scoreBound, e.pvarLabels)
            guard Kit.resolved(e, w, rhs) else { return false }
            // The table's sum: gamma (+ gamma_d for the squared norms); G^2: 2 acc; PVar: acc.
            let gamma = summationBound(terms: t.responses * t.responses + t.dimension)
            #expect(w <= rhs * (1 + 2 * gamma + 3 * Kit.evaluationAccuracy), "\(msg): \(w) > 4 G^2 PVar = \(rhs)")
            largest = max(largest, w / rhs)
            return true
        }
        Kit.expectEnough(tally)
        #expect(largest > 0.1, "the link is never close to tight (largest ratio \(largest)): is it checked at all?")
    }

    @Test("S1 step 8: E||g - grad L||^2 >= labelNoise >= beta^2 (D^2/4 - 4 G^2 PVar_labels) = labelNoiseFloor")
    func step8LabelNoiseFloor() {
        var informative = 0
        let tally = Kit.forEachInstance(.general) { e, t, msg in
            let n = e.noiseDecomposition()
            let floor = e.labelNoiseFloor
            let beta = e.problem.beta
            let a = e.scoreSpread / 2 + 2 * e.scoreBound * e.rootPVarLabels
            let magnitude = safeProduct(beta, beta, a, a)   // beta^2 (D/2 + 2 G sqrt(PVar))^2
            guard Kit.resolved(e, magnitude, n.labelNoise) else { return false }
            // labelNoise within gamma of itself; the floor's factors D/2 -+ 2 G sqrt(PVar) within
            // 2 acc of D/2 + 2 G sqrt(PVar) each (library values), so the floor within 4 acc of magnitude.
            let gamma = summationBound(terms: t.responses * t.responses + 8)
            let tolerance = gamma * n.labelNoise + 4 * Kit.evaluationAccuracy * magnitude
            #expect(n.labelNoise >= floor - tolerance, "\(msg): labelNoise \(n.labelNoise) < floor \(floor)")
            #expect(n.total >= n.labelNoise, "\(msg): total \(n.total) < labelNoise \(n.labelNoise)")
            if floor > 0 { informative += 1 }
            return true
        }
        Kit.expectEnough(tally)
        #expect(informative >= 20, "the floor is positive (informative) on only \(informative) instances")
    }

    // MARK: Part B: at the reference, any mu

    @Test("S1 step 9: at the reference |p - z| = 1/2 for both labels, so E||g||^2 = beta^2 D^2 / 4")
    func step9SecondMomentAtReference() {
        S.forEachReferenceInstance { e, t, off, msg in
            let beta = e.problem.beta
            let moment = t.expectation { i, j in
                let p = t.p(i, j), pc = t.p(j, i)
                return (t.q(i, j) * pc * pc + t.q(j, i) * p * p) * S.squaredNorm(t.featureDifference(i, j))
            }
            let lhs = safeProduct(beta, beta, moment)
            let rhs = safeProduct(beta, beta, e.scoreSpread, e.scoreSpread) / 4
            guard Kit.resolved(e, lhs, rhs) else { return false }
            // The table's sum: gamma_{K^2 + d} (+ 16 ulps per term, step 2's count); D^2: 2 acc.
            let gamma = summationBound(terms: t.responses * t.responses + t.dimension + 16)
            let tolerance = gamma * lhs + 2 * Kit.evaluationAccuracy * rhs + off.secondMoment
            #expect(abs(lhs - rhs) <= tolerance, "\(msg): E||g||^2 = \(lhs), beta^2 D^2 / 4 = \(rhs) (off-reference \(off.secondMoment))")
            return true
        }
    }

    /// The library's noise within `2 gamma_N (beta^2 D^2/4 + S)` of the exact noise at the
    /// reference: its terms `||r Delta - m||^2` and `q (1 - q) ||Delta||^2` are within
    /// `gamma_N (|r| ||Delta|| + ||m||)^2` and `gamma_N q(1-q)||Delta||^2`, and with `|r| = |q - 1/2| <= 1/2`,
    /// `E(||Delta||/2 + ||m||)^2 <= 2 (D^2/4 + ||m||^2)`; `gamma_N = summationBound(2 K^2 + d + 16)`
    /// (the count of `noiseTolerance`).
    static func noiseAccuracyAtReference(_ e: Evaluation, _ t: PairTable) -> Double {
        let k = t.responses, d = t.dimension
        let beta = e.problem.beta
        let quarter = safeProduct(beta, beta, e.scoreSpread, e.scoreSpread) / 4
        return 2 * summationBound(terms: 2 * k * k + d + 16) * (quarter + e.gradientNorm * e.gradientNorm)
    }

    @Test("S1 step 10: at the reference E||g - grad L||^2 = E||g||^2 - ||E g||^2 = beta^2 D^2 / 4 - ||grad L||^2")
    func step10NoiseAtReference() {
        S.forEachReferenceInstance { e, t, off, msg in
            let beta = e.problem.beta
            let n = e.noiseDecomposition().total
            let signal = e.gradientNorm * e.gradientNorm
            let quarter = safeProduct(beta, beta, e.scoreSpread, e.scoreSpread) / 4
            guard Kit.resolved(e, quarter, n) else { return false }
            // The noise: noiseAccuracyAtReference; D^2 and ||grad L||^2: 2 acc each.
            let tolerance = Self.noiseAccuracyAtReference(e, t) + 2 * Kit.evaluationAccuracy * (quarter + signal)
                + off.secondMoment
            #expect(abs(n - (quarter - signal)) <= tolerance,
                    "\(msg): noise \(n), beta^2 D^2/4 - ||grad L||^2 = \(quarter - signal), tolerance \(tolerance)")
            return true
        }
    }

    @Test("S1 step 11: at the reference delta^2 = E(1/2 - q)^2 = PVar_labels, so ||grad L||^2 <= beta^2 D^2 delta^2 = beta^2 D^2 PVar_labels (B0)")
    func step11SignalAtMostBetaDSquaredPVar() {
        S.forEachReferenceInstance { e, t, off, msg in
            let beta = e.problem.beta
            guard Kit.resolved(e, e.rootPVarLabels, e.disagreement) else { return false }
            // Link 1: delta = sqrt(PVar_labels) (two library values, acc each), up to the
            // off-reference sqrt(E (p - 1/2)^2) (Minkowski).
            #expect(abs(e.disagreement - e.rootPVarLabels)
                        <= 2 * Kit.evaluationAccuracy * e.rootPVarLabels + off.disagreement,
                    "\(msg): delta = \(e.disagreement), sqrt(PVar) = \(e.rootPVarLabels)")
            // Link 2: ||grad L|| <= beta D sqrt(PVar) (+ the off-reference gradient).
            let rhs = safeProduct(beta, e.scoreSpread, e.rootPVarLabels)
            guard Kit.resolved(e, rhs, e.gradientNorm) else { return false }
            #expect(e.gradientNorm <= (rhs + off.gradient) * (1 + Kit.libraryInequalityTolerance),
                    "\(msg): ||grad L|| = \(e.gradientNorm) > beta D sqrt(PVar) = \(rhs) (+ \(off.gradient))")
            return true
        }
    }

    @Test("S1 step 12: at the reference E||g - grad L||^2 >= beta^2 D^2 (1/4 - PVar_labels) = noiseFloorAtReference > 0, PVar_labels < 1/4")
    func step12NoiseFloorAtReference() {
        S.forEachReferenceInstance { e, t, off, msg in
            let beta = e.problem.beta
            let n = e.noiseDecomposition().total
            guard let floor = e.noiseFloorAtReference else {
                Issue.record("\(msg): noiseFloorAtReference is nil at the reference")
                return false
            }
            #expect(e.pvarLabels < 0.25, "\(msg): PVar_labels = \(e.pvarLabels) >= 1/4")
            guard Kit.resolved(e, floor, n) else { return false }
            // N = beta^2 D^2/4 - S >= beta^2 D^2/4 - beta^2 D^2 PVar; computed: the noise within
            // noiseAccuracyAtReference, the floor (D^2 2 acc, E[q(1-q)] gamma) within (2 acc + gamma)
            // of itself; off the exact reference S <= (beta D sqrt(PVar) + a)^2 and E||g||^2 within b.
            let gamma = summationBound(terms: t.responses * t.responses)
            let root = safeProduct(beta, e.scoreSpread, e.rootPVarLabels)
            let allowance = off.secondMoment + 2 * off.gradient * root + off.gradient * off.gradient
            let tolerance = Self.noiseAccuracyAtReference(e, t) + (2 * Kit.evaluationAccuracy + gamma) * floor + allowance
            #expect(n >= floor - tolerance, "\(msg): noise \(n) < beta^2 D^2 (1/4 - PVar) = \(floor)")
            if e.scoreSpread > 0 { #expect(floor > 0, "\(msg): the floor is \(floor) although D > 0") }
            return true
        }
    }

    @Test("S1 step 13: SNR = S / (beta^2 D^2/4 - S) is increasing in S, so SNR <= PVar / (1/4 - PVar) = 4 PVar / (1 - 4 PVar) = snrBound")
    func step13SNRBound() {
        S.forEachReferenceInstance { e, t, off, msg in
            let beta = e.problem.beta
            guard let bound = e.snrBound else {
                Issue.record("\(msg): snrBound is nil at the reference")
                return false
            }
            let noise = e.noiseDecomposition()
            let signal = e.gradientNorm * e.gradientNorm
            guard Kit.resolved(e, signal, noise.total, bound) else { return false }
            let snr = e.signalToNoise(noise)
            // Relative errors: the signal 2 acc; the noise noiseAccuracyAtReference / N, and
            // (beta^2 D^2/4 + S) / N <= (1 + 4 PVar) / (1 - 4 PVar) (step 12); the bound: acc (PVar)
            // plus gamma (E[q (1 - q)]).
            let p = e.pvarLabels
            let gamma = summationBound(terms: t.responses * t.responses)
            let conditioning = (1 + 4 * p) / (1 - 4 * p)
            let tolerance = 3 * Kit.evaluationAccuracy + gamma
                + 2 * summationBound(terms: 2 * t.responses * t.responses + t.dimension + 16) * conditioning
            if off.isZero {
                #expect(snr <= bound * (1 + tolerance), "\(msg): SNR \(snr) > 4 PVar / (1 - 4 PVar) = \(bound)")
            } else {
                // Off the exact reference: S <= S+ = (beta D sqrt(PVar) + a)^2 and N >= beta^2 D^2/4 - S - b,
                // so SNR <= S+ / (beta^2 D^2/4 - S+ - b) (the same monotonicity), which is the bound at a = b = 0.
                let quarter = safeProduct(beta, beta, e.scoreSpread, e.scoreSpread) / 4
                let plus = safeProduct(beta, e.scoreSpread, e.rootPVarLabels) + off.gradient
                let denominator = quarter - plus * plus - off.secondMoment - Self.noiseAccuracyAtReference(e, t)
                guard denominator > 0 else { return false }
                let perturbed = max(bound, plus * plus / denominator)
                #expect(snr <= perturbed * (1 + tolerance),
                        "\(msg): SNR \(snr) > \(perturbed) (bound \(bound) with the off-reference allowances)")
            }
            return true
        }
    }

    /// The forms a route through the label-noise floor gives (step 14), where `16 G^2 PVar < D^2`.
    static func floorRouteForms(_ e: Evaluation) -> (b0: Double, b2: Double)? {
        let g2 = e.scoreBound * e.scoreBound, d2 = e.scoreSpread * e.scoreSpread, p = e.pvarLabels
        guard d2 > 0, 16 * g2 * p < d2 else { return nil }
        let x = g2 / d2 * p
        return (4 * p / (1 - 16 * x), 8 * x / (1 - 16 * x))
    }

    @Test("S1 step 14: the label-noise-floor route: SNR <= S / labelNoise <= beta^2 D^2 PVar / labelNoiseFloor = 4 PVar / (1 - 16 (G^2/D^2) PVar) <= 8 (G^2/D^2) PVar / (1 - 16 (G^2/D^2) PVar)")
    func step14FloorRoute() {
        var applicable = 0
        S.forEachReferenceInstance { e, t, off, msg in
            let beta = e.problem.beta
            guard let forms = Self.floorRouteForms(e) else { return true }   // the route makes no claim
            let n = e.noiseDecomposition()
            let signal = e.gradientNorm * e.gradientNorm
            let root = safeProduct(beta, e.scoreSpread, e.rootPVarLabels) + off.gradient
            guard Kit.resolved(e, signal, n.labelNoise), root * root >= resolutionFloor else { return false }
            applicable += 1
            let snr = e.signalToNoise(n)
            let gamma = summationBound(terms: 2 * t.responses * t.responses + t.dimension + 16)
            // Link 1: N >= labelNoise (step 4), computed: both sums within gamma of themselves.
            #expect(snr <= signal / n.labelNoise * (1 + 2 * gamma), "\(msg): SNR \(snr) > S / labelNoise")
            // Link 2: S <= beta^2 D^2 PVar (step 11, + the off-reference gradient) and labelNoise >=
            // labelNoiseFloor > 0 (step 8): the ratios' libraries within 4 acc + gamma.
            let floor = e.labelNoiseFloor
            #expect(floor > 0, "\(msg): labelNoiseFloor \(floor) <= 0 although 16 G^2 PVar < D^2")
            let routeValue = root * root / floor
            #expect(signal / n.labelNoise <= routeValue * (1 + 2 * gamma + 8 * Kit.evaluationAccuracy),
                    "\(msg): S / labelNoise = \(signal / n.labelNoise) > beta^2 D^2 PVar / floor = \(routeValue)")
            // ... which equals 4 PVar / (1 - 16 x), x = (G^2/D^2) PVar (algebra; on exact instances only,
            // as the allowance enlarges routeValue). Both are formed from the same library values,
            // except PVar against sqrt(PVar)^2 (2 acc); each formula has a few roundings (8 ulps), and
            // the differences 1 - 16 x and D/2 - 2 G sqrt(PVar) amplify both by (1 + 16 x)/(1 - 16 x).
            if off.isZero {
                let x = 16 * e.scoreBound * e.scoreBound * e.pvarLabels / (e.scoreSpread * e.scoreSpread)
                let tolerance = (8 * Double.ulpOfOne + 2 * Kit.evaluationAccuracy) * (1 + x) / (1 - x)
                #expect(relativeError(routeValue, forms.b0) <= tolerance,
                        "\(msg): beta^2 D^2 PVar / floor = \(routeValue), 4 PVar / (1 - 16 (G^2/D^2) PVar) = \(forms.b0)")
            }
            // Link 3: 4 PVar <= 8 (G^2/D^2) PVar because D^2 <= 2 G^2 (I3).
            #expect(forms.b0 <= forms.b2 * (1 + 2 * Kit.libraryInequalityTolerance),
                    "\(msg): 4 PVar / (1 - 16 x) = \(forms.b0) > 8 (G^2/D^2) PVar / (1 - 16 x) = \(forms.b2)")
            return true
        }
        #expect(applicable >= 120, "the floor route applies (16 G^2 PVar < D^2) on only \(applicable) instances")
    }

    @Test("S1 step 15: snrBound = 4 PVar / (1 - 4 PVar) <= 4 PVar / (1 - 16 (G^2/D^2) PVar), since 16 G^2 / D^2 >= 8 > 4 (I3)")
    func step15SharpFormBelowFloorRoute() {
        var applicable = 0
        S.forEachReferenceInstance { e, _, _, msg in
            guard let bound = e.snrBound, let forms = Self.floorRouteForms(e) else { return true }
            applicable += 1
            #expect(bound <= forms.b0 * (1 + Kit.libraryInequalityTolerance + 4 * Kit.evaluationAccuracy),
                    "\(msg): snrBound \(bound) > 4 PVar / (1 - 16 (G^2/D^2) PVar) = \(forms.b0)")
            return true
        }
        #expect(applicable >= 120, "the comparison applies on only \(applicable) instances")
    }

    // MARK: Tightness

    @Test("S1 is attained: SNR = 4 PVar / (1 - 4 PVar) on every two-response instance at the reference with D > 0 (any reference weights, gap, beta); D = 0 with q != 1/2 gives SNR 0 against a positive bound")
    func equalityOnTwoResponses() throws {
        for a in [0.5, 0.3, 0.1, 1e-3] {
            for gap in [1e-4, 0.7, 5.0, 30.0] {
                for beta in [1e-3, 1.0, 50.0] {
                    // Exactly at the reference: theta = 0, uniform reference, pairs (a, 1 - a).
                    let p = try Problem(beta: beta, features: nil, theta: [0, 0], reference: [0.5, 0.5],
                                        rewards: [gap, 0], pairs: .weights([a, 1 - a]))
                    let e = try Evaluation(p)
                    let bound = try #require(e.snrBound)
                    let snr = e.signalToNoise()
                    // Both sides from library values within a few acc (step 13's tolerance at K = 2).
                    #expect(relativeError(snr, bound) <= 8 * Kit.evaluationAccuracy,
                            "a \(a), gap \(gap), beta \(beta): SNR \(snr), bound \(bound)")
                    // The noise floor at the reference is attained as well.
                    let floor = try #require(e.noiseFloorAtReference)
                    #expect(relativeError(e.noiseDecomposition().total, floor) <= 8 * Kit.evaluationAccuracy)
                }
            }
        }
        // D > 0 is needed: identical feature rows, distinct rewards, both responses weighted.
        let same = try Evaluation(Problem(beta: 1, features: [[1.5, -2], [1.5, -2]], theta: [0, 0], reference: [0.5, 0.5],
                                          rewards: [1, 0], pairs: .weights([0.5, 0.5])))
        #expect(same.scoreSpread == 0 && same.signalToNoise() == 0 && (same.snrBound ?? 0) > 0,
                "D = \(same.scoreSpread), SNR = \(same.signalToNoise()), bound = \(String(describing: same.snrBound))")
    }

    @Test("S1 tightness: non-Bradley–Terry labels q = 1/2 + c (phi_i - phi_j) in one dimension attain the bound for K = 3..6 and any mu (exact dyadic arithmetic); Bradley–Terry labels on the same features do not")
    func nonBradleyTerryEqualityWitnesses() throws {
        // Every input is a dyadic rational with few bits (phi small integers, c = 1/32, mu in
        // multiples of 1/16, beta = 2), so every product and partial sum below is exact in doubles
        // and the identity S (1 - 4 PVar) = 4 PVar N is checked with ==, not a tolerance.
        let c = 1.0 / 32, beta = 2.0
        let cases: [(phi: [Double], mu: [Double])] = [
            ([0, 1, 2], [4, 4, 8].map { $0 / 16 }),
            ([0, 3, 1], [2, 9, 5].map { $0 / 16 }),
            ([-2, 0, 1, 5], [1, 7, 4, 4].map { $0 / 16 }),
            ([0, 1, 2, 3, 4], [3, 3, 3, 3, 4].map { $0 / 16 }),
            ([4, -3, 0, 2, 7, 1], [1, 2, 3, 4, 5, 1].map { $0 / 16 }),
        ]
        for (phi, mu) in cases {
            let k = phi.count
            #expect(mu.reduce(0, +) == 1)
            let x = { (i: Int, j: Int) in c * (phi[i] - phi[j]) }   // X_ij = q_ij - 1/2, |X| <= 1/2
            #expect((0..<k).allSatisfy { i in (0..<k).allSatisfy { abs(x(i, $0)) <= 0.5 } })
            var grad = 0.0, pvar = 0.0, spread = 0.0
            for i in 0..<k { for j in 0..<k {
                let w = mu[i] * mu[j], delta = phi[i] - phi[j]
                grad += w * (0.5 - (0.5 + x(i, j))) * delta      // p = 1/2 at the reference
                pvar += w * x(i, j) * x(i, j)
                spread += w * delta * delta
            } }
            grad *= beta
            // The noise from its definition: label z = 1 with probability q, g = beta (p - z) Delta.
            var noise = 0.0
            for i in 0..<k { for j in 0..<k {
                let w = mu[i] * mu[j], delta = phi[i] - phi[j], q = 0.5 + x(i, j)
                let win = beta * (0.5 - 1) * delta - grad, lose = beta * 0.5 * delta - grad
                noise += w * (q * win * win + (1 - q) * lose * lose)
            } }
            let signal = grad * grad
            #expect(signal > 0 && spread > 0, "phi \(phi): a trivial instance")
            #expect(signal * (1 - 4 * pvar) == 4 * pvar * noise,
                    "phi \(phi), mu \(mu): S (1 - 4 PVar) = \(signal * (1 - 4 * pvar)), 4 PVar N = \(4 * pvar * noise)")
            #expect(signal == beta * beta * c * c * spread * spread && pvar == c * c * spread, "phi \(phi): closed forms")
            // Bradley–Terry labels whose centred values match X_ij to first order (r = 4 c phi)
            // on the same features: B0 is strict, so S1 is too.
            if Set(phi).count >= 3 {
                let e = try Evaluation(Problem(beta: beta, features: phi.map { [$0] }, theta: [0],
                                               reference: Array(repeating: 1 / Double(k), count: k),
                                               rewards: phi.map { 4 * c * $0 }, pairs: .weights(mu)))
                let ratio = snrBoundRatio(e)
                #expect(ratio < 1 - 1e-6, "phi \(phi): Bradley–Terry ratio \(ratio)")
            }
        }
    }

    @Test("S1's ratio is rho^2 (1 - 4 PVar) / (1 - 4 rho^2 PVar) with rho B0's ratio (exactly at the reference): attained exactly where B0 is")
    func ratioThroughB0() {
        var below = 0
        let tally = Kit.forEachInstance(.general) { e0, _, msg in
            let e = evaluate(S.movedToReference(e0.problem))
            guard let bound = e.snrBound else {
                Issue.record("\(msg) moved to the reference: snrBound is nil")
                return false
            }
            let signal = e.gradientNorm * e.gradientNorm, noise = e.noiseDecomposition().total
            let b0 = e.bound(.B0)
            // Doubles resolve every quantity (each at least resolutionFloor, or exactly 0 as a real
            // number: the gradient norm itself 0, not its square underflowed).
            let resolvable = [noise, bound, b0.value].allSatisfy { $0 == 0 || $0 >= resolutionFloor }
                && (e.gradientNorm == 0 || signal >= resolutionFloor)
            guard resolvable, b0.resolved else { return false }
            let rho2 = b0.ratio * b0.ratio, p = e.pvarLabels
            let predicted = rho2 * (1 - 4 * p) / (1 - 4 * rho2 * p)
            let ratio = snrBoundRatio(e)
            // The step 13 tolerance (noise, signal, bound) and B0's ratio (2 acc, squared: 4 acc),
            // each amplified by at most (1 + 4 PVar)/(1 - 4 PVar).
            let conditioning = (1 + 4 * p) / (1 - 4 * p)
            let tolerance = (8 * Kit.evaluationAccuracy
                             + 2 * summationBound(terms: 2 * e.problem.responseCount * e.problem.responseCount + e.problem.dimension + 16)) * conditioning
            #expect(abs(ratio - predicted) <= tolerance * max(ratio, predicted),
                    "\(msg) moved to the reference: SNR/bound \(ratio), rho^2 (1-4P)/(1-4 rho^2 P) = \(predicted)")
            #expect(ratio <= 1 + tolerance, "\(msg): SNR / bound = \(ratio) > 1")
            if ratio < 0.999 { below += 1 }
            return true
        }
        Kit.expectEnough(tally)
        #expect(below > 0, "every instance attains the bound: the check cannot tell B0's slack from none")
    }

    /// Search budget: 8 restarts, each at most 4 x 4000 simplex iterations (about a second per
    /// shape in a debug build).
    static let searchRestarts = 8

    /// `SNR / snrBound` computed in doubles on an instance exactly at the reference: the bound's
    /// rounding (step 13's tolerance at PVar <= 1/8, where the conditioning is at most 3),
    /// rounded up to 1e-10 (`ratioTolerance`, the project's threshold for a candidate violation).
    static let searchRatioTolerance = ratioTolerance

    @Test("S1 tightness search: the best SNR / snrBound stays <= 1 (K = 2, 3, 5), reaches >= 0.99 on K = 2, and its witness is certified holds or tight")
    func searchStaysBelowOneAndAttainsIt() async throws {
        for (k, d) in [(2, 1), (3, 2), (5, 2)] {
            let r = await searchSNRTightness(responses: k, dimension: d, restarts: Self.searchRestarts, seed: runSeed)
            let replayNote = "K = \(k), d = \(d), \(Self.searchRestarts) restarts, seed \(runSeed)"
            #expect(r.bestRatio <= 1 + Self.searchRatioTolerance, "\(replayNote): best SNR / bound = \(r.bestRatio)")
            if k == 2 { #expect(r.bestRatio >= 0.99, "\(replayNote): best \(r.bestRatio)") }
            #expect(r.bestRatio > 0.5, "\(replayNote): the search found only \(r.bestRatio)")
            let witness = try #require(r.witness)
            let w = evaluate(witness)
            #expect(w.atReference && relativeError(snrBoundRatio(w), r.bestRatio) == 0, "\(replayNote): witness does not replay")
            let c = try #require(r.certifiedWitness)
            #expect(c.verdict == .holds || c.verdict == .tight,
                    "\(replayNote): witness certified \(c.verdict.rawValue), ratio \(c.ratio)")
            #expect(c.ratio.contains(r.bestRatio) || abs(c.ratio.hi - r.bestRatio) <= Self.searchRatioTolerance,
                    "\(replayNote): certified ratio \(c.ratio) vs doubles \(r.bestRatio)")
            // PEPit style: the worst case found next to the theory, for the reader of the test log.
            print("S1 search \(replayNote): worst SNR / snrBound found \(r.bestRatio) (theory: <= 1), PVar_labels \(w.pvarLabels), "
                  + "certified ratio \(c.ratio) at \(c.precisionBits) bits: \(c.verdict.rawValue)")
        }
    }

    // MARK: Certification

    @Test("S1 certified: two responses exactly at the reference are tight (uniform and not); a numerator 3.9 instead of 4 is certified violated")
    func certifiedVerdicts() throws {
        let uniform = twoResponsesAtReference(first: 0.5, rewardGap: 2)
        let c = certifyNoise(uniform)
        #expect(c.verdict == .tight || c.verdict == .holds, "uniform K = 2: \(c.json())")
        #expect(c.verdict == .tight, "the exact ratio is 1, so the verdict is tight: \(c.json())")
        let skewed = try Problem(beta: 0.3, features: nil, theta: [0, 0], reference: [0.5, 0.5], rewards: [0.1, 1.7],
                                 pairs: .weights([0.2, 0.8]))
        let cs = certifyNoise(skewed)
        #expect(cs.verdict == .tight, "K = 2, mu = (0.2, 0.8): \(cs.json())")
        let wrong = certifyNoise(uniform, numerator: 3.9)
        #expect(wrong.verdict == .violated, "numerator 3.9: \(wrong.json())")
        // A strictly-holding case: three responses, moved exactly to the reference.
        let three = try Problem(beta: 1, features: [[0], [1], [3]], theta: [0], reference: [1.0 / 3, 1.0 / 3, 1.0 / 3],
                                rewards: [0, 2, 1], pairs: .reference)
        let c3 = certifyNoise(three)
        #expect(c3.verdict == .holds, "K = 3: \(c3.json())")
    }

    @Test("S1 certified: the ball-arithmetic noise (from its definition) encloses the library's noise and SNR to 1e-12 relative")
    func certifiedNoiseAgreesWithLibrary() {
        let small = InstanceGenerator(runSeed: runSeed, limits: GeneratorLimits(responses: 1...6, dimension: 1...4))
        var checked = 0
        for regime in Regime.allCases {
            for f in Family.allCases {
                for i in 0..<5 {
                    let p = small.instance(regime, f, index: i)
                    let e = evaluate(p)
                    let n = e.noiseDecomposition().total
                    guard n >= resolutionFloor else { continue }
                    let c = certifyNoise(p)
                    let msg = "seed \(runSeed); replay: " + replayCommand(seed: runSeed, regime: regime, family: f, index: i, limits: small.limits)
                    // The library's documented accuracy, 1e-12 relative, against a rigorous enclosure.
                    let slack = Kit.evaluationAccuracy * n
                    #expect(c.noise.lo - slack <= n && n <= c.noise.hi + slack, "\(msg): noise \(n) outside \(c.noise)")
                    let snr = e.signalToNoise()
                    #expect(c.snr.lo - 4 * Kit.evaluationAccuracy * snr <= snr && snr <= c.snr.hi + 4 * Kit.evaluationAccuracy * snr,
                            "\(msg): SNR \(snr) outside \(c.snr)")
                    checked += 1
                }
            }
        }
        #expect(checked >= 72, "only \(checked) instances compared")
    }

    // MARK: Edge cases

    @Test("S1 edge cases: K = 1, equal rewards, identical features give SNR 0 under the bound; off the reference snrBound is nil")
    func edgeCases() throws {
        let one = try Evaluation(Problem(beta: 2, features: nil, theta: [0], reference: [1], rewards: [3], pairs: .policy))
        #expect(one.snrBound == 0 && one.signalToNoise() == 0 && one.noiseDecomposition().total == 0)
        let equal = try Evaluation(Problem(beta: 1, features: [[1, 2], [0, 1], [3, 3]], theta: [0, 0],
                                           reference: [0.2, 0.3, 0.5].map { _ in 1.0 / 3 }, rewards: [0.5, 0.5, 0.5]))
        #expect(equal.snrBound == 0 && equal.signalToNoise() == 0 && equal.noiseDecomposition().total > 0)
        let identical = try Evaluation(Problem(beta: 1, features: [[1, 2], [1, 2]], theta: [0, 0],
                                               reference: [0.5, 0.5], rewards: [1, 0]))
        #expect(identical.signalToNoise() == 0 && (identical.snrBound ?? 0) > 0 && identical.noiseFloorAtReference == 0)
        let off = try Evaluation(Problem(beta: 1, features: nil, theta: [1, 0], reference: [0.5, 0.5], rewards: [1, 0]))
        #expect(!off.atReference && off.snrBound == nil && off.noiseFloorAtReference == nil)
    }
}
