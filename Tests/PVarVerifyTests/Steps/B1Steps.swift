// B1 step by step (Proofs/B1-minkowski.md): every identity and inequality of the proof, checked
// link by link on on-policy instances of all six families. Also holds `StepsB1B2C1`, the small
// kit the B1, B2 and C1 step suites share.

import Foundation
import PVarCertify
import PVarCore
import PVarGSL
import PVarVerify
import PVarTestSupport
import Testing

/// Shared set-up of the B1, B2 and C1 step checks.
enum StepsB1B2C1 {
    /// Instances per family: 6 families x 30 = 180 instances per step (the brief asks >= 120).
    static let perFamily = 30
    static let minimumChecked = 120

    /// The documented accuracy of every `Evaluation` output (gradient norm, PVars, their roots,
    /// delta, D, G, tr F): agreement with an independent 50-digit evaluation to better than 1e-12
    /// relative (`Evaluation`'s doc comment, `Tests/Reference`). It enters every tolerance in
    /// which a library value is compared with something else.
    static let evaluationAccuracy = 1e-12

    /// `a <= b` between two library outputs, each within `evaluationAccuracy` of its exact value:
    /// exact `a <= b` implies computed `a <= b (1 + acc) / (1 - acc)`; plus 4 ulps for the
    /// rounded products (`safeProduct`) that form a bound's value.
    static let libraryInequalityTolerance = 2 * evaluationAccuracy / (1 - evaluationAccuracy) + 4 * Double.ulpOfOne

    /// Instances checked and instances skipped because the compared quantities are below the
    /// double range (`resolutionFloor`, 1e-290) and doubles cannot compare them.
    struct Tally {
        var checked = 0
        var skipped = 0
    }

    /// Runs `check` on instances `0..<perFamily` of each family of `regime`. `check` gets the
    /// evaluation, its pair table and the replay message, and returns false when it skips.
    static func forEachInstance(_ regime: Regime, families: [Family] = Family.allCases,
                                perFamily: Int = perFamily,
                                generator g: InstanceGenerator = generator,
                                _ check: (Evaluation, PairTable, String) -> Bool) -> Tally {
        var tally = Tally()
        for f in families {
            for i in 0..<perFamily {
                let e = evaluate(g.instance(regime, f, index: i))
                let message = g.limits == GeneratorLimits()
                    ? replay(regime, f, i)
                    : "seed \(runSeed); replay this case: "
                        + replayCommand(seed: runSeed, regime: regime, family: f, index: i, limits: g.limits)
                if check(e, PairTable(e), message) { tally.checked += 1 } else { tally.skipped += 1 }
            }
        }
        return tally
    }

    /// Enough instances checked, and the skipped ones (below the double range) at most 5%.
    static func expectEnough(_ t: Tally, minimum: Int = minimumChecked,
                             sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(t.checked >= minimum, "only \(t.checked) instances checked", sourceLocation: sourceLocation)
        #expect(t.skipped * 20 <= t.checked + t.skipped,
                "\(t.skipped) of \(t.checked + t.skipped) instances skipped (below 1e-290)", sourceLocation: sourceLocation)
    }

    /// Whether a comparison of nonnegative quantities is resolved in doubles: the largest is at
    /// least `resolutionFloor`, or all are exactly 0 and no policy probability underflowed.
    static func resolved(_ e: Evaluation, _ xs: Double...) -> Bool {
        let m = xs.max() ?? 0
        return m >= resolutionFloor || (m == 0 && !e.policyUnderflows)
    }

    static func norm(_ v: [Double]) -> Double { euclideanNorm(v) }

    static func difference(_ a: [Double], _ b: [Double]) -> [Double] { zip(a, b).map { $0 - $1 } }

    /// The instance exactly at the reference in floating point: the same features, rewards and
    /// pairs, `theta = 0` and a uniform reference. All logits are then exactly equal and all
    /// reference entries are the same double, so every implicit reward is an exact 0 (the
    /// generated `at-reference` instances are at the reference only up to the rounding of
    /// `log pi_ref`, about 1e-16 relative).
    static func exactlyAtReference(_ p: Problem) -> Problem {
        let k = p.responseCount
        do {
            return try Problem(beta: p.beta, features: p.features, theta: [Double](repeating: 0, count: p.dimension),
                               reference: [Double](repeating: 1 / Double(k), count: k), rewards: p.rewards, pairs: p.pairs)
        } catch {
            preconditionFailure("theta = 0 with a uniform reference is valid: \(error)")
        }
    }

    /// Like `forEachInstance`, on `exactlyAtReference` of each generated instance.
    static func forEachExactReferenceInstance(_ regime: Regime = .atReference, families: [Family] = Family.allCases,
                                              perFamily: Int = perFamily,
                                              _ check: (Evaluation, PairTable, String) -> Bool) -> Tally {
        var tally = Tally()
        for f in families {
            for i in 0..<perFamily {
                let e = evaluate(exactlyAtReference(generator.instance(regime, f, index: i)))
                let message = replay(regime, f, i) + " (then set theta = 0 and the reference uniform)"
                if check(e, PairTable(e), message) { tally.checked += 1 } else { tally.skipped += 1 }
            }
        }
        return tally
    }

    /// `E_mu[(q(i,j) - 1/2)(phi_i - phi_j)]` from the pair table (`phi_i - phi_j = s_i - s_j`).
    static func labelDirection(_ t: PairTable) -> [Double] {
        t.vectorExpectation { i, j in
            let x = t.centredQ(i, j)
            return t.featureDifference(i, j).map { x * $0 }
        }
    }

    /// How far the instance is from the reference, as a bound on the gradient it adds:
    /// `grad L = beta E[(p - q)(s_i - s_j)] = beta E[(p - 1/2)(s_i - s_j)] - beta E[(q - 1/2)(s_i - s_j)]`,
    /// and by Cauchy–Schwarz the first term is at most `beta D sqrt(E_mu (p - 1/2)^2)` in norm.
    /// Exactly 0 where all implicit rewards are equal; about 1e-16 relative on the generated
    /// at-reference instances. The factor `1 + 2 acc` covers the rounding of D and the pair sum.
    static func offReferenceAllowance(_ e: Evaluation, _ t: PairTable) -> Double {
        let secondMoment = t.expectation { i, j in t.centredP(i, j) * t.centredP(i, j) }
        return safeProduct(e.problem.beta, e.scoreSpread, secondMoment.squareRoot(), 1 + 2 * evaluationAccuracy)
    }

    /// Upper bound on the rounding error of comparing the library's gradient with
    /// `-beta E_mu[(q - 1/2)(phi_i - phi_j)]` from the table, derived term by term:
    /// - the table's sum of K^2 vectors `mu_i mu_j X_ij (phi_i - phi_j)` errs by at most
    ///   `gamma_{K^2} beta E|X| R` (each term within gamma of `mu_i mu_j |X_ij| R`);
    /// - the library forms `c_i` by compensated sums of `mu_i mu_j (p - q)` (each within gamma of
    ///   `mu_i mu_j (|X| + |p - 1/2|)`) and multiplies by feature differences of norm <= R in
    ///   `Dot2`: at most `2 gamma beta R E(|X| + |p - 1/2|)` plus `u ||grad L||` for the final roundings.
    /// Together: `4 gamma beta R E(|X| + |p - 1/2|) + 4 u ||grad L||`.
    static func labelDirectionTolerance(_ e: Evaluation, _ t: PairTable, range r: Double) -> Double {
        let k = e.problem.responseCount
        let magnitude = t.expectation { i, j in abs(t.centredQ(i, j)) + abs(t.centredP(i, j)) }
        return 4 * summationBound(terms: k * k) * safeProduct(e.problem.beta, r, magnitude)
            + 4 * Double.ulpOfOne * e.gradientNorm
    }

    /// The eigenvalues of a symmetric n x n matrix (row-major), largest first, by the cyclic
    /// Jacobi method (Golub & Van Loan, Matrix Computations, 4th ed., section 8.5), and the number
    /// of sweeps it took. Jacobi is backward stable: the computed eigenvalues are exact for a
    /// matrix within `c S n u ||M||_F` (S sweeps, c a small constant) of the input.
    static func symmetricEigenvalues(_ m: [Double], _ n: Int) -> (values: [Double], sweeps: Int) {
        var a = m
        var sweeps = 0
        a.withUnsafeMutableBufferPointer { a in
            while sweeps < jacobiMaxSweeps {
                var off = 0.0, total = 0.0
                for i in 0..<n {
                    for j in 0..<n {
                        let x = a[i * n + j] * a[i * n + j]
                        total += x
                        if i != j { off += x }
                    }
                }
                if off <= Double.ulpOfOne * Double.ulpOfOne * total * 1e-4 { break }
                sweeps += 1
                for p in 0..<(n - 1) {
                    for q in (p + 1)..<n {
                        let apq = a[p * n + q]
                        if apq == 0 { continue }
                        let theta = (a[q * n + q] - a[p * n + p]) / (2 * apq)
                        let t = (theta >= 0 ? 1.0 : -1.0) / (abs(theta) + (theta * theta + 1).squareRoot())
                        let c = 1 / (t * t + 1).squareRoot(), s = t * c
                        for k in 0..<n {
                            let akp = a[k * n + p], akq = a[k * n + q]
                            a[k * n + p] = c * akp - s * akq
                            a[k * n + q] = s * akp + c * akq
                        }
                        for k in 0..<n {
                            let apk = a[p * n + k], aqk = a[q * n + k]
                            a[p * n + k] = c * apk - s * aqk
                            a[q * n + k] = s * apk + c * aqk
                        }
                        a[p * n + q] = 0
                        a[q * n + p] = 0
                    }
                }
            }
        }
        return ((0..<n).map { a[$0 * n + $0] }.sorted(by: >), sweeps)
    }

    /// Cyclic Jacobi converges quadratically; 30 sweeps is far more than any K <= 64 needs.
    static let jacobiMaxSweeps = 30

    /// `R = max_{i,j} ||phi_i - phi_j||`, the largest feature distance; it bounds every
    /// `||s_i - s_j||` and every `||s_i||` (`s_i = sum_k pi_k (phi_i - phi_k)`).
    static func featureRange(_ t: PairTable) -> Double {
        var r = 0.0
        for i in 0..<t.responses {
            for j in (i + 1)..<max(t.responses, i + 1) { r = max(r, euclideanNorm(t.featureDifference(i, j))) }
        }
        return r
    }
}

extension B1Tests {
    typealias Kit = StepsB1B2C1

    @Test("B1 step 1: ||grad L|| <= beta D delta (B0), on on-policy instances")
    func step1CauchySchwarz() {
        let tally = Kit.forEachInstance(.onPolicy) { e, _, msg in
            let b0 = e.bound(.B0)
            guard b0.resolved else { return false }
            #expect(b0.lhs <= b0.value * (1 + Kit.libraryInequalityTolerance),
                    "\(msg): ||grad L|| = \(b0.lhs) > beta D delta = \(b0.value)")
            return true
        }
        Kit.expectEnough(tally)
    }

    @Test("B1 step 2: delta^2 = E[((p - 1/2) - (q - 1/2))^2]")
    func step2DisagreementOfCentredPreferences() {
        let tally = Kit.forEachInstance(.onPolicy) { e, t, msg in
            let k = e.problem.responseCount
            let direct = t.expectation { i, j in
                let d = t.centredP(i, j) - t.centredQ(i, j)
                return d * d
            }
            // Magnitude of the terms: (|p - 1/2| + |q - 1/2|)^2 bounds each term and its rounding.
            let scale = t.expectation { i, j in
                let d = abs(t.centredP(i, j)) + abs(t.centredQ(i, j))
                return d * d
            }
            let delta2 = e.disagreement * e.disagreement
            guard Kit.resolved(e, scale, delta2) else { return false }
            // The table's sum of K^2 terms: within gamma_{K^2} of the scale (the subtraction of
            // the centred values errs by a few ulps of |p - 1/2| + |q - 1/2|); the library's delta
            // is within acc relative, so delta^2 within 2 acc (+ gamma for its own pair sum).
            let gamma = summationBound(terms: k * k)
            let tolerance = gamma * (scale + delta2) + 2 * Kit.evaluationAccuracy * delta2
            #expect(abs(direct - delta2) <= tolerance,
                    "\(msg): E[((p-1/2)-(q-1/2))^2] = \(direct), delta^2 = \(delta2), tolerance \(tolerance)")
            return true
        }
        Kit.expectEnough(tally)
    }

    @Test("B1 step 3: Minkowski, ||(p-1/2) - (q-1/2)|| <= ||p-1/2|| + ||q-1/2|| in L2(mu x mu)")
    func step3Minkowski() {
        let tally = Kit.forEachInstance(.onPolicy) { e, t, msg in
            let k = e.problem.responseCount
            let lhs2 = t.expectation { i, j in
                let d = t.centredP(i, j) - t.centredQ(i, j)
                return d * d
            }
            let a2 = t.expectation { i, j in t.centredP(i, j) * t.centredP(i, j) }
            let b2 = t.expectation { i, j in t.centredQ(i, j) * t.centredQ(i, j) }
            guard Kit.resolved(e, a2, b2) else { return false }
            // Each sum of K^2 nonnegative terms is within gamma of its terms' magnitude; with
            // E(|a| + |b|)^2 <= 2 (A^2 + B^2) <= 2 (A + B)^2 that gives
            // computed lhs <= (A + B)(1 + gamma) and computed A, B >= (1 - gamma) A, B, so
            // lhs <= (computed A + computed B)(1 + gamma)/(1 - gamma) <= (...)(1 + 3 gamma).
            let gamma = summationBound(terms: k * k)
            let lhs = lhs2.squareRoot(), rhs = a2.squareRoot() + b2.squareRoot()
            #expect(lhs <= rhs * (1 + 3 * gamma), "\(msg): \(lhs) > \(rhs)")
            return true
        }
        Kit.expectEnough(tally)
    }

    /// `Var_mu[f] = E[(f - E f)^2]` with the computed mean, against the library's root of PVar.
    ///
    /// With `s = 1/2 - (computed mean)` (a known double), the exact `E[(f - 1/2 + s)^2]` is
    /// `E[(f - 1/2)^2] + s^2 (sum mu)^2`, because `E[f - 1/2] = 0` exactly (antisymmetry, I2). So
    /// the computed two-pass variance differs from the library's `PVar` by at most gamma of
    /// itself (a sum of K^2 nonnegative terms), `s^2 (1 + gamma)`, and the library's `2 acc`
    /// (its root squared).
    static func expectVarianceMatches(_ t: PairTable, _ e: Evaluation, _ label: String, _ msg: String,
                                      preference: (Int, Int) -> Double, centred: (Int, Int) -> Double,
                                      libraryRoot: Double) -> Bool {
        let k = e.problem.responseCount
        let mean = t.expectation(preference)
        let s = 0.5 - mean
        let variance = t.expectation { i, j in
            let d = centred(i, j) + s
            return d * d
        }
        let library = libraryRoot * libraryRoot
        guard Kit.resolved(e, variance, library) else { return false }
        let gamma = summationBound(terms: k * k)
        let tolerance = gamma * variance + s * s * (1 + gamma) + 2 * Kit.evaluationAccuracy * library
        #expect(abs(variance - library) <= tolerance,
                "\(msg): Var_mu[\(label)] = \(variance) (mean \(mean)), sqrt(PVar)^2 = \(library), tolerance \(tolerance)")
        return true
    }

    @Test("B1 step 4: with mu = pi_theta, ||p - 1/2|| = sqrt(PVar_policy) and ||q - 1/2|| = sqrt(PVar_labels) (means are 1/2, I2)")
    func step4SecondMomentsArePVars() {
        var policy = Kit.Tally(), labels = Kit.Tally()
        let tally = Kit.forEachInstance(.onPolicy) { e, t, msg in
            #expect(e.pairsArePolicy && e.pairWeights == e.policy, "\(msg): pairs must be the policy")
            let p = Self.expectVarianceMatches(t, e, "p", msg, preference: t.p, centred: t.centredP,
                                               libraryRoot: e.rootPVarPolicy)
            let q = Self.expectVarianceMatches(t, e, "q", msg, preference: t.q, centred: t.centredQ,
                                               libraryRoot: e.rootPVarLabels)
            if p { policy.checked += 1 } else { policy.skipped += 1 }
            if q { labels.checked += 1 } else { labels.skipped += 1 }
            return p && q
        }
        Kit.expectEnough(policy)
        Kit.expectEnough(labels)
        #expect(tally.checked + tally.skipped == 6 * Kit.perFamily)
    }

    @Test("B1 step 5: with mu = pi_theta, D^2 = 2 tr F (I3)")
    func step5ScoreSpreadIsTwiceFisherTrace() {
        let tally = Kit.forEachInstance(.onPolicy) { e, _, msg in
            let d2 = e.scoreSpread * e.scoreSpread, twoF = 2 * e.fisherTrace
            guard Kit.resolved(e, d2, twoF) else { return false }
            // D within acc (so D^2 within 2 acc), tr F within acc, the square rounded once.
            #expect(relativeError(d2, twoF) <= 3 * Kit.evaluationAccuracy + 2 * Double.ulpOfOne,
                    "\(msg): D^2 = \(d2), 2 tr F = \(twoF)")
            return true
        }
        Kit.expectEnough(tally)
    }

    @Test("B1 step 6: tr F = E_pi ||s||^2 <= G^2")
    func step6FisherTraceAtMostGSquared() {
        let tally = Kit.forEachInstance(.onPolicy) { e, t, msg in
            let g2 = e.scoreBound * e.scoreBound
            guard Kit.resolved(e, e.fisherTrace, g2) else { return false }
            // The middle term from the table: E_pi ||s_y||^2 over the library's scores.
            let k = e.problem.responseCount
            var s = CompensatedSum()
            for y in 0..<k { let n = euclideanNorm(t.score(y)); s.add(t.pi[y] * n * n) }
            // tr F is the same K-term sum of the same numbers: gamma_K plus the library's acc.
            #expect(relativeError(s.value, e.fisherTrace) <= summationBound(terms: k) + Kit.evaluationAccuracy,
                    "\(msg): E_pi ||s||^2 = \(s.value), tr F = \(e.fisherTrace)")
            #expect(e.fisherTrace <= g2 * (1 + Kit.libraryInequalityTolerance + Kit.evaluationAccuracy),
                    "\(msg): tr F = \(e.fisherTrace) > G^2 = \(g2)")
            return true
        }
        Kit.expectEnough(tally)
    }

    @Test("B1 step 7: beta D (sqrt PVar_policy + sqrt PVar_labels) <= sqrt(2) beta G (...) = B1's value")
    func step7CombineWithDAtMostRootTwoG() {
        let tally = Kit.forEachInstance(.onPolicy) { e, _, msg in
            let beta = e.problem.beta
            let roots = e.rootPVarPolicy + e.rootPVarLabels
            let middle = safeProduct(beta, e.scoreSpread, roots)
            let b1 = e.bound(.B1)
            guard b1.resolved else { return false }
            // D <= sqrt(2) G between two library outputs (D^2 = 2 tr F <= 2 G^2), then times the
            // same nonnegative factor beta (sqrt PVar_policy + sqrt PVar_labels).
            #expect(e.scoreSpread <= 2.0.squareRoot() * e.scoreBound * (1 + Kit.libraryInequalityTolerance),
                    "\(msg): D = \(e.scoreSpread) > sqrt(2) G = \(2.0.squareRoot() * e.scoreBound)")
            #expect(middle <= b1.value * (1 + Kit.libraryInequalityTolerance),
                    "\(msg): beta D (...) = \(middle) > B1 = \(b1.value)")
            // The whole chain, ||grad L|| <= beta D (...) (steps 1-4 together).
            #expect(e.gradientNorm <= middle * (1 + 2 * Kit.libraryInequalityTolerance),
                    "\(msg): ||grad L|| = \(e.gradientNorm) > beta D (...) = \(middle)")
            return true
        }
        Kit.expectEnough(tally)
    }
}

// MARK: B1 is attained away from the reference (Proofs/B1-minkowski.md, Tightness)

extension B1Tests {
    /// Two responses, pairs from the policy `(a, b)`, `P = p(1,2) - 1/2`, `Q = q(1,2) - 1/2`:
    /// `||grad L|| = 2 beta a b |P - Q| ||Delta||`, `G = max(a, b) ||Delta||` and
    /// `PVar_policy = 2 a b P^2`, `PVar_labels = 2 a b Q^2`, so B1's ratio is
    /// `sqrt(min(a,b) / max(a,b)) * |P - Q| / (|P| + |Q|)`: 1 exactly when the policy is uniform
    /// and `P Q <= 0` (the model's implicit preference is not on the labels' side).
    static func twoResponseB1Ratio(_ e: Evaluation, _ t: PairTable) -> Double {
        let a = t.pi[0], b = t.pi[1]
        let p = t.centredP(0, 1), q = t.centredQ(0, 1)
        return (min(a, b) / max(a, b)).squareRoot() * (abs(p - q) / (abs(p) + abs(q)))
    }

    /// The library's B1 ratio against 1 (or a closed form): `||grad L||`, `G` and each root PVar
    /// are within `evaluationAccuracy` of their exact values (the sum of the two nonnegative roots
    /// too), so the ratio is within `3 acc` relative, plus 8 ulps for the products and the division
    /// that form the value and the ratio.
    static let attainedRatioTolerance = 3 * StepsB1B2C1.evaluationAccuracy / (1 - 3 * StepsB1B2C1.evaluationAccuracy)
        + 8 * Double.ulpOfOne

    @Test("B1 is attained off the reference: K = 2, uniform policy, labels against the model's preference, ratio = 1 (certified tight)")
    func attainedAwayFromTheReference() throws {
        // Uniform policy: theta = 0 (tabular), or features with phi_1 . theta = phi_2 . theta = 5
        // exactly. The reference favours the response the labels favour, so the implicit reward
        // prefers the other one: P Q < 0, and PVar_policy > 0 (not at the reference).
        let policies: [(features: [[Double]]?, theta: [Double])] = [(nil, [0, 0]), ([[1, 2], [3, 1]], [1, 2])]
        var checked = 0
        for (features, theta) in policies {
            for (reference, rewards) in [([0.8, 0.2], [1.0, 0]), ([0.8, 0.2], [3.0, 0]), ([0.6, 0.4], [0.01, 0]),
                                         ([0.1, 0.9], [0, 1.0]), ([0.05, 0.95], [-2.0, 20])] {
                for beta in [0.1, 1.0, 3.0] {
                    let e = try Evaluation(Problem(beta: beta, features: features, theta: theta, reference: reference,
                                                   rewards: rewards))
                    let t = PairTable(e)
                    let b = e.bound(.B1)
                    let msg = "features \(String(describing: features)) theta \(theta) reference \(reference) rewards \(rewards) beta \(beta)"
                    #expect(t.pi == [0.5, 0.5], "\(msg): the policy should be exactly uniform, got \(t.pi)")
                    #expect(b.applies && !e.atReference && e.pvarPolicy > 0 && e.pvarLabels > 0, "\(msg)")
                    #expect(t.centredP(0, 1) * t.centredQ(0, 1) < 0, "\(msg): model and labels should disagree")
                    #expect(abs(b.ratio - 1) <= Self.attainedRatioTolerance,
                            "\(msg): B1 ratio \(b.ratio), tolerance \(Self.attainedRatioTolerance)")
                    checked += 1
                }
            }
        }
        #expect(checked == 30)
        // Rigorous: the exact instances (theta = 0, reference (0.8, 0.2) as doubles) attain B1.
        for beta in [0.1, 1.0, 3.0] {
            let p = try Problem(beta: beta, features: nil, theta: [0, 0], reference: [0.8, 0.2], rewards: [1, 0])
            #expect(certify(p).bounds[.B1]?.verdict == .tight, "beta \(beta): certified verdict should be tight")
        }
    }

    @Test("B1 on two responses: ratio = sqrt(pi_min / pi_max) |P - Q| / (|P| + |Q|), so labels on the model's side or a non-uniform policy fall short")
    func twoResponseClosedForm() throws {
        var checked = 0
        for theta in [[0.0, 0], [0.7, -0.4], [-2.0, 1.5]] {
            for reference in [[0.8, 0.2], [0.5, 0.5], [0.1, 0.9]] {
                for rewards in [[1.0, 0], [0, 1.0], [0.01, 0], [0, 5.0]] {
                    for beta in [0.1, 1.0, 3.0] {
                        let e = try Evaluation(Problem(beta: beta, features: nil, theta: theta, reference: reference,
                                                       rewards: rewards))
                        let t = PairTable(e)
                        let b = e.bound(.B1)
                        let p = t.centredP(0, 1), q = t.centredQ(0, 1)
                        let msg = "theta \(theta) reference \(reference) rewards \(rewards) beta \(beta)"
                        #expect(b.applies && b.value > resolutionFloor, "\(msg)")
                        let closed = Self.twoResponseB1Ratio(e, t)
                        // P and Q are library-derived (accurate to acc relative); |P - Q| then errs
                        // by acc (|P| + |Q|), relative acc (|P| + |Q|) / |P - Q| (cancellation when
                        // they share a sign); |P| + |Q| and the policy's ratio add acc and a few ulps.
                        let cancellation = (abs(p) + abs(q)) / abs(p - q)
                        let tolerance = Self.attainedRatioTolerance
                            + StepsB1B2C1.evaluationAccuracy * (2 + cancellation) + 8 * Double.ulpOfOne
                        #expect(relativeError(b.ratio, closed) <= tolerance,
                                "\(msg): B1 ratio \(b.ratio), closed form \(closed), tolerance \(tolerance)")
                        checked += 1
                    }
                }
            }
        }
        #expect(checked == 108)
        // The sign condition matters: uniform policy, the labels on the model's side
        // (P = sigmoid(log(1/4)) - 1/2 = -0.3, Q = sigmoid(-1) - 1/2 = -0.2311): ratio 0.1298, far from 1.
        let same = try Evaluation(Problem(beta: 1, features: nil, theta: [0, 0], reference: [0.8, 0.2], rewards: [0, 1]))
        #expect(same.bound(.B1).ratio < 0.13, "ratio \(same.bound(.B1).ratio)")
    }
}
