// B2 step by step (Proofs/B2-at-reference.md): both proofs, every identity and inequality checked
// link by link on at-reference instances (pairs from the policy or the reference) of all six
// families, and on the same instances moved exactly to the reference (theta = 0, uniform
// reference) where the proof's "p = 1/2" holds in floating point too.

import Foundation
import PVarCore
import PVarGSL
import PVarVerify
import PVarTestSupport
import Testing

extension B2Tests {
    typealias Kit = StepsB1B2C1

    /// The quantities of the second proof, from the pair table: `X_ij = q(i,j) - 1/2`,
    /// `m_i = sum_j mu_j X_ij`, `mTilde_i = sum_j mu_j |X_ij|` (the magnitude of its terms),
    /// `A_ij = X_ij sqrt(mu_i) sqrt(mu_j)` (exactly antisymmetric in floating point: `X` is, by
    /// the oddness of tanh, and the product `sqrt(mu_i) sqrt(mu_j)` is commutative).
    struct SecondProof {
        let k: Int
        let mu: [Double]
        let x: [Double]
        let m: [Double]
        let mTilde: [Double]
        let a: [Double]
        /// `||A||_F^2 = sum_ij mu_i mu_j X_ij^2`.
        let frobenius2: Double
        /// `gamma_{K^2}`, the accuracy of one pair sum.
        let gamma: Double

        init(_ t: PairTable) {
            k = t.responses
            mu = t.mu
            var x = [Double](repeating: 0, count: k * k)
            var a = x
            for i in 0..<k {
                for j in 0..<k {
                    x[i * k + j] = t.centredQ(i, j)
                    a[i * k + j] = x[i * k + j] * (mu[i].squareRoot() * mu[j].squareRoot())
                }
            }
            var m = [Double](repeating: 0, count: k), mTilde = m
            for i in 0..<k {
                var s = CompensatedSum(), st = CompensatedSum()
                for j in 0..<k {
                    s.add(mu[j] * x[i * k + j])
                    st.add(mu[j] * abs(x[i * k + j]))
                }
                m[i] = s.value
                mTilde[i] = st.value
            }
            var f = CompensatedSum()
            for v in a { f.add(v * v) }
            self.x = x
            self.a = a
            self.m = m
            self.mTilde = mTilde
            frobenius2 = f.value
            gamma = summationBound(terms: k * k)
        }

        /// `E_mu m^2 = sum_i mu_i m_i^2`.
        var meanSquare: Double {
            var s = CompensatedSum()
            for i in 0..<k { s.add(mu[i] * m[i] * m[i]) }
            return s.value
        }

        /// `E_mu |X| = sum_i mu_i mTilde_i`.
        var meanAbsolute: Double {
            var s = CompensatedSum()
            for i in 0..<k { s.add(mu[i] * mTilde[i]) }
            return s.value
        }

        /// `A sqrt(mu)`.
        var aTimesRootMu: [Double] {
            (0..<k).map { i in
                var s = CompensatedSum()
                for j in 0..<k { s.add(a[i * k + j] * mu[j].squareRoot()) }
                return s.value
            }
        }

        /// `A^T A` (symmetric, positive semidefinite; `= -A^2`).
        var gram: [Double] {
            var g = [Double](repeating: 0, count: k * k)
            for i in 0..<k {
                for j in i..<k {
                    var s = 0.0
                    for r in 0..<k { s += a[r * k + i] * a[r * k + j] }
                    g[i * k + j] = s
                    g[j * k + i] = s
                }
            }
            return g
        }

        /// `sum_i mu_i m_i s_i` over the library's scores.
        func weightedScores(_ t: PairTable) -> [Double] {
            var sums = [CompensatedSum](repeating: CompensatedSum(), count: t.dimension)
            for i in 0..<k where mu[i] != 0 {
                let s = t.score(i)
                for c in 0..<t.dimension { sums[c].add(mu[i] * m[i] * s[c]) }
            }
            return sums.map(\.value)
        }

        /// `E_mu ||s||^2` over the library's scores.
        func scoreSecondMoment(_ t: PairTable) -> Double {
            var s = CompensatedSum()
            for i in 0..<k {
                let n = euclideanNorm(t.score(i))
                s.add(mu[i] * n * n)
            }
            return s.value
        }
    }

    // MARK: First proof: B1 at the reference

    @Test("B2 step 1: at the reference every implicit reward is equal, so p(i,j) = 1/2 for every pair")
    func step1PreferencesAreOneHalf() {
        let exact = Kit.forEachExactReferenceInstance { e, t, msg in
            #expect(e.atReference, "\(msg)")
            for i in 0..<t.responses {
                for j in 0..<t.responses {
                    #expect(e.implicitRewardDifference(i, j) == 0 && t.p(i, j) == 0.5 && t.centredP(i, j) == 0,
                            "\(msg): pair (\(i), \(j)): h_i - h_j = \(e.implicitRewardDifference(i, j))")
                }
            }
            return true
        }
        Kit.expectEnough(exact)
        // The generated instances are at the reference up to the rounding of log pi_ref: the
        // library accepts |h_i - h_j| <= beta * referenceTolerance * (1 + scale), scale <= the
        // largest |log pi_ref| (about the logits and log-reference differences it compares), and
        // |p - 1/2| = |tanh((h_i - h_j)/2)| / 2 <= |h_i - h_j| / 4.
        let generated = Kit.forEachInstance(.atReference) { e, t, msg in
            #expect(e.atReference && e.pairsArePolicy, "\(msg)")
            let maxLogReference = e.problem.reference.map { abs(log($0)) }.max() ?? 0
            let accepted = e.problem.beta * referenceTolerance * (1 + 2 * maxLogReference) * (1 + 4 * Double.ulpOfOne)
            for i in 0..<t.responses {
                for j in 0..<t.responses {
                    let dh = abs(e.implicitRewardDifference(i, j))
                    #expect(dh <= accepted, "\(msg): |h_i - h_j| = \(dh) > \(accepted)")
                    #expect(abs(t.centredP(i, j)) <= dh / 4 * (1 + 4 * Double.ulpOfOne),
                            "\(msg): |p - 1/2| = \(abs(t.centredP(i, j))) > |h_i - h_j| / 4 = \(dh / 4)")
                }
            }
            return true
        }
        Kit.expectEnough(generated)
    }

    @Test("B2 step 2: at the reference PVar_policy = E_pi (p - 1/2)^2 = 0")
    func step2PolicyPVarIsZero() {
        let exact = Kit.forEachExactReferenceInstance { e, _, msg in
            #expect(e.pvarPolicy == 0 && e.rootPVarPolicy == 0, "\(msg): PVar_policy = \(e.pvarPolicy)")
            return true
        }
        Kit.expectEnough(exact)
        // Generated: sqrt(E (p - 1/2)^2) <= max |p - 1/2| <= max |h_i - h_j| / 4 (the weights sum
        // to 1; acc for the library's root).
        let generated = Kit.forEachInstance(.atReference) { e, t, msg in
            var maxDh = 0.0
            for i in 0..<t.responses { for j in 0..<t.responses { maxDh = max(maxDh, abs(e.implicitRewardDifference(i, j))) } }
            #expect(e.rootPVarPolicy <= maxDh / 4 * (1 + Kit.evaluationAccuracy),
                    "\(msg): sqrt(PVar_policy) = \(e.rootPVarPolicy) > max |h_i - h_j| / 4 = \(maxDh / 4)")
            return true
        }
        Kit.expectEnough(generated)
    }

    @Test("B2 step 3: B1 at the reference is B2, ||grad L|| <= sqrt(2) beta G sqrt(PVar_labels)")
    func step3B1BecomesB2() {
        let exact = Kit.forEachExactReferenceInstance { e, _, msg in
            let b1 = e.bound(.B1), b2 = e.bound(.B2)
            #expect(b1.value == b2.value, "\(msg): B1 \(b1.value) != B2 \(b2.value) with PVar_policy = 0")
            guard b2.resolved else { return false }
            #expect(b2.lhs <= b2.value * (1 + Kit.libraryInequalityTolerance), "\(msg): \(b2.lhs) > \(b2.value)")
            return true
        }
        Kit.expectEnough(exact)
        // Generated: what is left of sqrt(PVar_policy) (about 1e-16 relative, step 2) stays as
        // an explicit allowance: the bound checked is B2's value plus sqrt(2) beta G sqrt(PVar_policy).
        let generated = Kit.forEachInstance(.atReference) { e, _, msg in
            let b2 = e.bound(.B2)
            guard b2.resolved else { return false }
            let allowance = safeProduct(2.0.squareRoot(), e.problem.beta, e.scoreBound, e.rootPVarPolicy)
            #expect(b2.lhs <= (b2.value + allowance) * (1 + Kit.libraryInequalityTolerance),
                    "\(msg): ||grad L|| = \(b2.lhs) > B2 \(b2.value) + off-reference \(allowance)")
            return true
        }
        Kit.expectEnough(generated)
    }

    // MARK: Second proof: where sqrt(2) comes from

    /// `||grad L - (-beta E[X (s_i - s_j)])||` against its derived tolerance plus the
    /// off-reference allowance (0 on the exact instances).
    static func expectAtReferenceGradient(_ e: Evaluation, _ t: PairTable, _ msg: String) -> Bool {
        let r = Kit.featureRange(t)
        let direction = Kit.labelDirection(t).map { -e.problem.beta * $0 }
        let tolerance = Kit.labelDirectionTolerance(e, t, range: r) + Kit.offReferenceAllowance(e, t)
        guard Kit.resolved(e, e.gradientNorm, Kit.norm(direction), tolerance) else { return false }
        let gap = Kit.norm(Kit.difference(e.gradient, direction))
        #expect(gap <= tolerance,
                "\(msg): ||grad L + beta E[X ds]|| = \(gap) > \(tolerance) (||grad L|| = \(e.gradientNorm))")
        return true
    }

    @Test("B2 step 4: at the reference, grad L = -beta E_pi[X_ij (s_i - s_j)] with X = q - 1/2 (I1 with p = 1/2)")
    func step4GradientFromLabelsAlone() {
        Kit.expectEnough(Kit.forEachExactReferenceInstance { e, t, msg in Self.expectAtReferenceGradient(e, t, msg) })
        Kit.expectEnough(Kit.forEachInstance(.atReference) { e, t, msg in Self.expectAtReferenceGradient(e, t, msg) })
    }

    @Test("B2 step 5: E_pi[X_ij (s_i - s_j)] = 2 sum_i pi_i m_i s_i, m_i = sum_j pi_j X_ij (antisymmetry)")
    func step5AntisymmetryHalvesThePairSum() {
        let tally = Kit.forEachInstance(.atReference) { e, t, msg in
            let sp = SecondProof(t)
            let pairSum = Kit.labelDirection(t)
            let rowSum = sp.weightedScores(t).map { 2 * $0 }
            // Table: gamma R E|X|; rows: m_i within gamma mTilde_i, scores within 2 gamma R
            // (centred in difference space), ||s_i|| <= R: 2 (gamma + 2 gamma) R E|X|; the two
            // final sums gamma R E|X| each. Together at most 10 gamma R E|X|.
            let scale = Kit.featureRange(t) * sp.meanAbsolute
            guard Kit.resolved(e, scale) else { return false }
            let gap = Kit.norm(Kit.difference(pairSum, rowSum))
            #expect(gap <= 10 * sp.gamma * scale, "\(msg): pair sum vs 2 sum pi m s differ by \(gap), scale \(scale)")
            return true
        }
        Kit.expectEnough(tally)
    }

    @Test("B2 step 6: Cauchy-Schwarz in L2(pi), ||sum_i pi_i m_i s_i|| <= sqrt(E_pi m^2) sqrt(E_pi ||s||^2)")
    func step6CauchySchwarzOverResponses() {
        let tally = Kit.forEachInstance(.atReference) { e, t, msg in
            let sp = SecondProof(t)
            let lhs = Kit.norm(sp.weightedScores(t))
            let rhs = sp.meanSquare.squareRoot() * sp.scoreSecondMoment(t).squareRoot()
            guard Kit.resolved(e, rhs) else { return false }
            // Cauchy-Schwarz holds exactly for the computed m_i and s_i; the sums err by gamma of
            // sum pi |m| ||s|| <= rhs (the left side) and gamma relative (the right side).
            #expect(lhs <= rhs * (1 + 3 * sp.gamma), "\(msg): \(lhs) > \(rhs)")
            return true
        }
        Kit.expectEnough(tally)
    }

    @Test("B2 step 7: E_pi ||s||^2 = tr F (the scores have mean 0 under pi, F = E_pi[s s^T])")
    func step7ScoreSecondMomentIsFisherTrace() {
        let tally = Kit.forEachInstance(.atReference) { e, t, msg in
            let sp = SecondProof(t)
            let moment = sp.scoreSecondMoment(t)
            guard Kit.resolved(e, moment, e.fisherTrace) else { return false }
            // The same K-term sum over mu = pi (the reference, at the reference): gamma_K, plus acc
            // for the library's tr F and for mu = pi_ref against the computed pi_theta.
            let k = e.problem.responseCount
            #expect(relativeError(moment, e.fisherTrace) <= summationBound(terms: k) + 2 * Kit.evaluationAccuracy,
                    "\(msg): E ||s||^2 = \(moment), tr F = \(e.fisherTrace)")
            return true
        }
        Kit.expectEnough(tally)
    }

    @Test("B2 step 8: E_pi m^2 = ||A sqrt(pi)||^2 with A_ij = sqrt(pi_i) X_ij sqrt(pi_j)")
    func step8MeanSquareIsNormOfAsqrtPi() {
        let tally = Kit.forEachInstance(.atReference) { e, t, msg in
            let sp = SecondProof(t)
            let lhs = sp.meanSquare
            let rhs = Kit.norm(sp.aTimesRootMu)
            guard Kit.resolved(e, sp.frobenius2) else { return false }
            // m_i and (A sqrt mu)_i / sqrt(mu_i) each err by gamma mTilde_i; squared and summed:
            // (2 gamma + gamma^2) sum mu mTilde^2 each, and sum mu mTilde^2 <= ||A||_F^2
            // (Cauchy-Schwarz); with the final sums, 6 gamma ||A||_F^2.
            #expect(abs(lhs - rhs * rhs) <= 6 * sp.gamma * sp.frobenius2,
                    "\(msg): E m^2 = \(lhs), ||A sqrt pi||^2 = \(rhs * rhs)")
            return true
        }
        Kit.expectEnough(tally)
    }

    /// The eigenvalues of `A^T A` and their accuracy: Weyl's inequality for the rounding of the
    /// product (`gamma_K ||A||_F^2`), plus Jacobi's backward error `4 S K u ||A^T A||_F`,
    /// `||A^T A||_F <= ||A||_F^2`.
    static func gramSpectrum(_ sp: SecondProof) -> (values: [Double], tolerance: Double) {
        let (values, sweeps) = Kit.symmetricEigenvalues(sp.gram, sp.k)
        let tolerance = (summationBound(terms: sp.k) + 4 * Double(max(sweeps, 1) * sp.k) * Double.ulpOfOne) * sp.frobenius2
        return (values, tolerance)
    }

    @Test("B2 step 9: ||A sqrt(pi)||^2 <= ||A||_op^2 ||sqrt(pi)||^2 = ||A||_op^2")
    func step9OperatorNorm() {
        let tally = Kit.forEachInstance(.atReference) { e, t, msg in
            let sp = SecondProof(t)
            guard Kit.resolved(e, sp.frobenius2) else { return false }
            var unit = CompensatedSum()
            for w in sp.mu { unit.add(w.squareRoot() * w.squareRoot()) }
            #expect(abs(unit.value - 1) <= summationBound(terms: sp.k), "\(msg): ||sqrt(pi)||^2 = \(unit.value)")
            let (values, tolerance) = Self.gramSpectrum(sp)
            let lhs = Kit.norm(sp.aTimesRootMu)
            // ||A sqrt mu||^2 computed within 3 gamma ||A||_F^2 (step 8's derivation, one side).
            #expect(lhs * lhs <= values[0] * unit.value + tolerance + 3 * sp.gamma * sp.frobenius2,
                    "\(msg): ||A sqrt pi||^2 = \(lhs * lhs) > ||A||_op^2 = \(values[0])")
            return true
        }
        Kit.expectEnough(tally)
    }

    @Test("B2 step 10: A is antisymmetric, the eigenvalues of A^T A pair up, so ||A||_op^2 <= ||A||_F^2 / 2 (equality for K = 2)")
    func step10AntisymmetricHalving() {
        var twoResponses = 0
        let tally = Kit.forEachInstance(.atReference) { e, t, msg in
            let sp = SecondProof(t)
            guard Kit.resolved(e, sp.frobenius2) else { return false }
            let (values, tolerance) = Self.gramSpectrum(sp)
            // Pairs: lambda_1 = lambda_2 >= lambda_3 = lambda_4 >= ..., and a lone 0 when K is odd.
            for r in stride(from: 0, to: sp.k - 1, by: 2) {
                #expect(abs(values[r] - values[r + 1]) <= 2 * tolerance,
                        "\(msg): eigenvalues \(r), \(r + 1) of A^T A: \(values[r]) vs \(values[r + 1])")
            }
            if sp.k % 2 == 1 { #expect(abs(values[sp.k - 1]) <= tolerance, "\(msg): lone eigenvalue \(values[sp.k - 1])") }
            let total = values.reduce(0, +)
            #expect(abs(total - sp.frobenius2) <= Double(sp.k) * tolerance + sp.gamma * sp.frobenius2,
                    "\(msg): trace \(total) vs ||A||_F^2 \(sp.frobenius2)")
            // The link itself: ||A||_op^2 = lambda_1 <= ||A||_F^2 / 2.
            #expect(values[0] <= sp.frobenius2 / 2 * (1 + sp.gamma) + tolerance,
                    "\(msg): ||A||_op^2 = \(values[0]) > ||A||_F^2 / 2 = \(sp.frobenius2 / 2)")
            if sp.k == 2 {
                twoResponses += 1
                #expect(abs(values[0] - sp.frobenius2 / 2) <= sp.gamma * sp.frobenius2 + tolerance,
                        "\(msg): K = 2 is the equality case, \(values[0]) vs \(sp.frobenius2 / 2)")
            }
            return true
        }
        Kit.expectEnough(tally)
        #expect(twoResponses >= 5, "the equality case K = 2 occurred \(twoResponses) times")
    }

    @Test("B2 step 11: ||A||_F^2 = sum_ij pi_i pi_j X_ij^2 = PVar_labels")
    func step11FrobeniusIsPVar() {
        let tally = Kit.forEachInstance(.atReference) { e, t, msg in
            let sp = SecondProof(t)
            let library = e.rootPVarLabels * e.rootPVarLabels
            guard Kit.resolved(e, sp.frobenius2, library) else { return false }
            // A K^2-term sum of nonnegative terms (gamma), and the library's root squared (2 acc).
            #expect(relativeError(sp.frobenius2, library) <= sp.gamma + 2 * Kit.evaluationAccuracy,
                    "\(msg): ||A||_F^2 = \(sp.frobenius2), PVar_labels = \(library)")
            return true
        }
        Kit.expectEnough(tally)
    }

    @Test("B2 step 12: E_pi m^2 <= PVar_labels / 2 (steps 8-11 together)")
    func step12MeanSquareAtMostHalfPVar() {
        let tally = Kit.forEachInstance(.atReference) { e, t, msg in
            let sp = SecondProof(t)
            let pvar = e.rootPVarLabels * e.rootPVarLabels
            guard Kit.resolved(e, pvar) else { return false }
            // Computed E m^2 errs by at most (2 gamma + gamma^2) sum mu mTilde^2 + gamma E m^2
            // <= 4 gamma PVar (sum mu mTilde^2 <= ||A||_F^2 = PVar); PVar's root squared: 2 acc.
            let bound = pvar / 2
            #expect(sp.meanSquare <= bound + (4 * sp.gamma + 2 * Kit.evaluationAccuracy) * pvar,
                    "\(msg): E m^2 = \(sp.meanSquare) > PVar / 2 = \(bound)")
            return true
        }
        Kit.expectEnough(tally)
        // The equality case: two responses with a uniform reference (the witness family).
        for gap in [1e-3, 0.7, 5.0] {
            let t = PairTable(evaluate(twoResponsesAtReference(first: 0.5, rewardGap: gap)))
            let sp = SecondProof(t)
            #expect(relativeError(sp.meanSquare, sp.frobenius2 / 2) <= 4 * sp.gamma, "gap \(gap): \(sp.meanSquare) vs \(sp.frobenius2 / 2)")
        }
    }

    /// `||grad L|| <= sqrt(2) beta sqrt(PVar_labels) sqrt(tr F)` plus the off-reference allowance.
    static func expectGradientAtMostRootTwoBetaRootPVarRootF(_ e: Evaluation, _ t: PairTable, _ msg: String) -> Bool {
        let rhs = safeProduct(2.0.squareRoot(), e.problem.beta, e.rootPVarLabels, e.fisherTrace.squareRoot())
        let allowance = Kit.offReferenceAllowance(e, t)
        guard Kit.resolved(e, rhs, e.gradientNorm) else { return false }
        // Steps 4-12 in exact arithmetic; the library's gradient norm, root of PVar and tr F each
        // within acc: two library inequality tolerances.
        #expect(e.gradientNorm <= (rhs + allowance) * (1 + 2 * Kit.libraryInequalityTolerance),
                "\(msg): ||grad L|| = \(e.gradientNorm) > sqrt(2) beta sqrt(PVar) sqrt(tr F) = \(rhs) (+ \(allowance))")
        return true
    }

    @Test("B2 step 13: ||grad L|| = 2 beta ||sum pi m s|| <= 2 beta sqrt(PVar/2) sqrt(tr F) = sqrt(2) beta sqrt(PVar_labels) sqrt(tr F)")
    func step13GradientAtMostRootTwoBetaRootPVarRootF() {
        Kit.expectEnough(Kit.forEachExactReferenceInstance { e, t, msg in Self.expectGradientAtMostRootTwoBetaRootPVarRootF(e, t, msg) })
        Kit.expectEnough(Kit.forEachInstance(.atReference) { e, t, msg in Self.expectGradientAtMostRootTwoBetaRootPVarRootF(e, t, msg) })
    }

    @Test("B2 step 14: tr F <= G^2, so sqrt(2) beta sqrt(PVar) sqrt(tr F) <= sqrt(2) beta G sqrt(PVar) = B2's value")
    func step14FisherTraceAtMostGSquared() {
        let tally = Kit.forEachInstance(.atReference) { e, _, msg in
            let g2 = e.scoreBound * e.scoreBound
            let b2 = e.bound(.B2)
            guard Kit.resolved(e, e.fisherTrace, g2), b2.resolved else { return false }
            #expect(e.fisherTrace <= g2 * (1 + Kit.libraryInequalityTolerance + Kit.evaluationAccuracy),
                    "\(msg): tr F = \(e.fisherTrace) > G^2 = \(g2)")
            let middle = safeProduct(2.0.squareRoot(), e.problem.beta, e.rootPVarLabels, e.fisherTrace.squareRoot())
            #expect(middle <= b2.value * (1 + Kit.libraryInequalityTolerance), "\(msg): \(middle) > B2 \(b2.value)")
            return true
        }
        Kit.expectEnough(tally)
    }

    // MARK: Edge cases

    @Test("B2 edge cases: equal rewards at the reference give PVar_labels = 0 and a gradient exactly 0; K = 1 gives 0 <= 0")
    func edgeCasesGiveZeroGradient() throws {
        var count = 0
        for f in Family.allCases {
            for i in 0..<20 {
                let p = Kit.exactlyAtReference(generator.instance(.atReference, f, index: i))
                let flat = try Problem(beta: p.beta, features: p.features, theta: p.theta, reference: p.reference,
                                       rewards: [Double](repeating: 0.25, count: p.responseCount), pairs: p.pairs)
                let e = try Evaluation(flat)
                let msg = replay(.atReference, f, i) + " (theta = 0, uniform reference, rewards all 0.25)"
                #expect(e.pvarLabels == 0 && e.gradientNorm == 0 && e.gradient.allSatisfy { $0 == 0 }, "\(msg)")
                #expect(e.bound(.B2).holds && e.bound(.B2).ratio == 0, "\(msg)")
                count += 1
            }
        }
        #expect(count == 120)
        let one = try Evaluation(Problem(beta: 3, features: nil, theta: [0], reference: [1], rewards: [2], pairs: .policy))
        #expect(one.gradientNorm == 0 && one.pvarLabels == 0 && one.pvarPolicy == 0 && one.scoreBound == 0)
        #expect(one.bound(.B2).resolved && one.bound(.B2).holds)
    }
}
