// Exact, closed-form evaluation of one prompt's DPO loss, gradient, PVars and spreads.

import Foundation

/// Tolerance that decides "at the reference": the policy's log-ratio `log(pi_y / pi_ref_y)`
/// must be constant across responses up to `referenceTolerance * (1 + scale)`, where `scale`
/// is the largest magnitude of the anchored logits and log-reference differences that enter it.
///
/// Reason: an instance that is at the reference in exact arithmetic (for example a log-linear
/// policy whose logits were computed as `log pi_ref`) is only at the reference up to the
/// rounding of those logits, a few ulps of `scale`; 1e-12 leaves room for that and no more.
/// The cost of accepting such an instance: its exact `PVar_policy` is at most
/// `beta^2 (1e-12 (1 + scale))^2 / 16`, and by B1 the statements B2/B3 are then off by at most
/// `sqrt(2) beta G sqrt(PVar_policy)`.
public let referenceTolerance = 1e-12

/// Tolerance that decides whether explicit pair weights equal the policy (so that the
/// on-policy statements B1–B3 apply): `max_y |mu_y - pi_y| <= policyMatchTolerance`.
/// Reason: a user who writes the policy out as weights writes it with rounding; 1e-12 is a
/// thousand times coarser than that and far finer than any weights meant to differ.
public let policyMatchTolerance = 1e-12

/// All exact quantities of one prompt, computed in closed form (no sampling).
///
/// Notation: `h_y = beta log(pi_y / pi_ref_y)` (implicit rewards), `p(i,j) = sigmoid(h_i - h_j)`,
/// `q(i,j) = sigmoid(r_i - r_j)`, pairs `i, j ~ mu` independently, `s_y = Phi^T (e_y - pi)`.
///
/// Numerics (see the doc comments of each helper):
/// - log-probabilities by an anchored log-sum-exp: `log pi_y = w_y - log1p(sum_{k != b} exp w_k)`
///   with `w_y = (phi_y - phi_b) . theta`, `b` the most likely response, each `w_y` an accurate
///   dot product of a feature *difference*;
/// - implicit-reward differences `h_i - h_j = beta (v_i - v_j)` with
///   `v_y = w_y - (log pi_ref_y - log pi_ref_b)`, never through `log pi` itself; `w_y` (an exact
///   `Dot2` of the exactly split feature difference) and the logs (`logDoubleDouble`) are carried
///   in double-double and `v_y` is rounded once, so an instance at the reference up to the
///   rounding of its inputs (tabular `theta = fl(log pi_ref)`) gets its tiny exact `v_y`
///   (about 1e-16 of the terms) to nearly full relative accuracy instead of 0 or noise, and
///   `PVar_policy ~ (beta v / 4)^2` of such an instance is right to many digits, not 100% wrong;
/// - centred preferences by `tanh`, residuals `p - q` by `sigmoidDifference`, losses by softplus;
/// - the pair sum runs over `i < j` once (the summands are symmetric or antisymmetric);
/// - spreads and scores are centred in difference space (`FeatureMatrix.centredRows`).
///
/// Accuracy: on the pinned and random instances of the test suite, every output agrees with an
/// independent 50-digit evaluation to better than 1e-12 relative (see `Tests/Reference`).
public struct Evaluation: Sendable {
    public let problem: Problem
    /// `log pi_theta(y)`.
    public let logPolicy: [Double]
    /// `pi_theta(y)`.
    public let policy: [Double]
    /// `h_y = beta (log pi_theta(y) - log pi_ref(y))`.
    public let implicitRewards: [Double]
    /// The pair distribution `mu` as a vector.
    public let pairWeights: [Double]
    /// `L = E_{i,j~mu}[-q log p - (1 - q) log(1 - p)]` (pairs `i = j` included: `log 2` each).
    public let loss: Double
    /// `c_i = sum_j mu_i mu_j (p(i,j) - q(i,j))`; `sum_i c_i = 0`.
    public let residual: [Double]
    /// `grad L = 2 beta Phi^T c`.
    public let gradient: [Double]
    /// `||grad L||`.
    public let gradientNorm: Double
    /// `PVar_theta = E_{i,j~pi_theta}[(p - 1/2)^2]` (pairs from the policy, as in the paper).
    public let pvarPolicy: Double
    /// `PVar_q = E_{i,j~mu}[(q - 1/2)^2]`.
    public let pvarLabels: Double
    /// `sqrt(PVar_policy)`, `sqrt(PVar_labels)`, each computed before the scaling back of the
    /// pair sums (so they stay accurate where PVar itself underflows); other roots through
    /// `claimRoot`.
    public let rootPVarPolicy: Double
    public let rootPVarLabels: Double
    /// The PVar pair sums times `2^600`, from which every root is taken (`PairSums.root`).
    let scaledPVarPolicy: Double
    let scaledPVarLabels: Double
    /// `delta = sqrt(E_{i,j~mu}[(p - q)^2])`.
    public let disagreement: Double
    /// `D = sqrt(E_{i,j~mu} ||s_i - s_j||^2) = sqrt(E ||phi_i - phi_j||^2)`.
    public let scoreSpread: Double
    /// The scores `s_y = grad_theta log pi_theta(y) = Phi^T (e_y - pi)`, one row per response,
    /// computed in difference space (`s_y = (phi_y - phi_b) - sum_{k != b} pi_k (phi_k - phi_b)`).
    /// Computed when asked (K x d numbers, K x K for the tabular policy): the evaluation itself
    /// keeps only their norms, so its memory stays O(K d).
    public var scores: [[Double]] { FeatureMatrix(problem).centredRows(weights: policy) }
    /// `G = max_y ||s_y||`.
    public let scoreBound: Double
    /// `tr F = E_{y~pi} ||s_y||^2`, the trace of the Fisher information.
    public let fisherTrace: Double
    /// Whether all implicit rewards are equal (within `referenceTolerance`).
    public let atReference: Bool
    /// Whether `mu = pi_theta` (pairs `policy`; `reference` at the reference; or explicit
    /// weights within `policyMatchTolerance` of the policy).
    public let pairsArePolicy: Bool

    /// Whether some policy probability underflowed to 0 in doubles (log pi below about -745):
    /// a quantity that comes out exactly 0 may then be a tiny positive number.
    public let policyUnderflows: Bool

    /// The anchored log-ratios `v_y` (implicit rewards divided by beta, up to one constant).
    let logRatio: [Double]
    /// `grad L / beta = 2 Phi^T c`, exact from `Phi^T c` (never `gradient / beta`, which loses
    /// digits when beta is subnormal or the gradient overflowed).
    let gradientOverBeta: [Double]

    /// Evaluates `problem`; `kernel` chooses the O(K^2) pair kernel (the fast one by default; the
    /// reference kernel, one transcendental function per pair quantity, is what tests compare it to).
    public init(_ problem: Problem, kernel: PairKernel = .fast) throws(InputError) {
        self.problem = problem
        let k = problem.responseCount
        let beta = problem.beta
        let phi = FeatureMatrix(problem)
        // The instruction set of the C kernels (`.fastUsing` forces one; otherwise the best).
        let instructionSet: KernelInstructionSet? = if case .fastUsing(let set) = kernel { set } else { nil }

        // Logits relative to the most likely response b (two passes if the naive argmax
        // was wrong by rounding).
        var b = 0
        // The exported form gives the logits (log-probabilities) directly: handle it like the
        // tabular policy, whose logits are theta.
        let directLogits = problem.logProbabilities ?? (phi.isTabular ? problem.theta : nil)
        if let z = directLogits {
            b = argmax(z)
        } else {
            let naive = parallelMap(k) { y in
                var s = 0.0
                for c in 0..<phi.columns { s += phi.entry(y, c) * problem.theta[c] }
                return s
            }
            b = argmax(naive)
        }
        func anchored(_ b: Int) -> [DoubleDouble] {
            if let z = directLogits { return z.map { twoSum($0, -z[b]) } }
            return phi.anchoredLogitsDoubleDouble(theta: problem.theta, anchor: b, instructionSet: instructionSet)
        }
        // w_y = (phi_y - phi_b) . theta as an unrounded double-double (exact for the tabular
        // policy); its rounding `w` serves the log-probabilities, the pair `wExact` the log-ratios.
        var wExact = anchored(b)
        var w = wExact.map(\.value)
        let bw = argmax(w)
        if bw != b {
            b = bw
            wExact = anchored(b)
            w = wExact.map(\.value)
        }
        guard w.allSatisfy(\.isFinite) else {
            throw InputError(.outOfRange, field: "theta",
                             problem: "the logits Phi theta overflow the double range",
                             fix: "scale theta or the features down")
        }
        var tail = 0.0
        for y in 0..<k where y != b { tail += exp(w[y]) }
        let logNormalizer = log1p(tail)
        let logPolicy = w.map { $0 - logNormalizer }
        let policy = logPolicy.map { exp($0) }

        // Raw log pi_ref: only differences enter v, and they do not depend on normalisation.
        // v_y = w_y - (log pi_ref_y - log pi_ref_b) in double-double, rounded once at the end:
        // at the reference the two terms agree to about 1e-16 and v_y is the tiny remainder.
        let logReference = parallelMap(k) { logDoubleDouble(problem.reference[$0]) }
        let referenceDistribution = problem.referenceDistribution
        let logNormalizedReference = referenceDistribution.map { log($0) }
        var v = [Double](repeating: 0, count: k)
        var scale = 0.0
        for y in 0..<k {
            let d = logReference[y] - logReference[b]
            v[y] = (wExact[y] - d).value
            scale = max(scale, abs(w[y]), abs(d.value))
        }
        let spread = (v.max() ?? 0) - (v.min() ?? 0)
        guard (beta * spread).isFinite else {
            throw InputError(.outOfRange, field: "beta",
                             problem: "beta times the spread of log(pi/pi_ref) overflows the double range",
                             fix: "use a smaller beta or logits closer to the reference")
        }
        let atReference = spread <= referenceTolerance * (1 + scale)

        let mu: [Double]
        let pairsArePolicy: Bool
        switch problem.pairs {
        case .policy:
            mu = policy
            pairsArePolicy = true
        case .reference:
            mu = referenceDistribution
            pairsArePolicy = atReference
        case .weights:
            let weights = problem.explicitPairWeights ?? []
            mu = weights
            pairsArePolicy = zip(weights, policy).allSatisfy { abs($0 - $1) <= policyMatchTolerance }
        }

        // Weights times 2^300 for the sums of squares (see `PairSums`): policy entries that
        // underflow (log pi < -745) are formed from log pi directly, so a response of
        // probability e^-800 still counts where its square root is representable.
        let policyScaled = zip(policy, logPolicy).map { p, l in
            p >= 0x1p-900 ? p * PairSums.weightScale : exp(l + 300 * M_LN2)
        }
        let muScaled: [Double]
        if case .policy = problem.pairs { muScaled = policyScaled } else { muScaled = mu.map { $0 * PairSums.weightScale } }
        let policyUnderflows = policy.contains(0)

        let sums: any PairSumResult = switch kernel {
        case .fast:
            FastPairSums(beta: beta, logRatio: v, rewards: problem.rewards,
                         policyScaled: policyScaled, pairsScaled: muScaled, pairs: mu)
        case .fastUsing(let instructionSet):
            FastPairSums(beta: beta, logRatio: v, rewards: problem.rewards,
                         policyScaled: policyScaled, pairsScaled: muScaled, pairs: mu, instructionSet: instructionSet)
        case .reference:
            PairSums(beta: beta, logRatio: v, rewards: problem.rewards,
                     policyScaled: policyScaled, pairsScaled: muScaled, pairs: mu)
        }

        // 2 beta (Phi^T c): safeProduct keeps a huge beta times a small entry finite, and a
        // zero entry exactly 0 (never inf * 0).
        let direction = phi.transposeTimesZeroSum(sums.residual, instructionSet: instructionSet)
        let gradient = direction.map { safeProduct(2, beta, $0) }

        // Scores s_y = phi_y - E_pi[phi], and deviations from the mu-mean for D.
        // Rows are independent, so `parallelMap` may split them (same bits).
        let scoreNorms = phi.centredRowNorms(weights: policy)
        var fisher = 0.0
        for y in 0..<k { fisher += policy[y] * scoreNorms[y] * scoreNorms[y] }
        let spreadNorms: [Double]
        if case .policy = problem.pairs {
            spreadNorms = scoreNorms
        } else {
            spreadNorms = phi.centredRowNorms(weights: mu)
        }
        // D^2 = 2 sum_y mu_y ||x_y - E_mu x||^2, scaled by the largest norm against overflow and
        // with the weights times 2^300 against underflow (sqrt brings back 2^-150 exactly).
        let spreadScale = spreadNorms.max() ?? 0
        var scoreSpread = 0.0
        if spreadScale > 0 {
            var s = 0.0
            for y in 0..<k {
                let t = spreadNorms[y] / spreadScale
                s += muScaled[y] * t * t
            }
            scoreSpread = safeProduct(spreadScale, (2 * s).squareRoot(), 0x1p-150)
        }

        self.logPolicy = logPolicy
        self.policy = policy
        self.implicitRewards = (0..<k).map { beta * (logPolicy[$0] - logNormalizedReference[$0]) }
        self.pairWeights = mu
        self.loss = sums.loss
        self.residual = sums.residual
        self.gradient = gradient
        self.gradientNorm = safeProduct(2, beta, euclideanNorm(direction))
        self.pvarPolicy = PairSums.unscaled(sums.scaledPVarPolicy)
        self.pvarLabels = PairSums.unscaled(sums.scaledPVarLabels)
        self.rootPVarPolicy = PairSums.root(sums.scaledPVarPolicy)
        self.rootPVarLabels = PairSums.root(sums.scaledPVarLabels)
        self.scaledPVarPolicy = sums.scaledPVarPolicy
        self.scaledPVarLabels = sums.scaledPVarLabels
        self.disagreement = PairSums.root(sums.scaledSquaredDisagreement)
        self.scoreSpread = scoreSpread
        self.scoreBound = scoreNorms.max() ?? 0
        self.fisherTrace = fisher
        self.atReference = atReference
        self.pairsArePolicy = pairsArePolicy
        self.policyUnderflows = policyUnderflows
        self.logRatio = v
        self.gradientOverBeta = direction.map { 2 * $0 }

        let field = problem.isExported ? "policy.scores" : (problem.isTabular ? "theta" : "features")
        for (name, x) in [("the score spread D", scoreSpread), ("the score bound G", scoreBound),
                          ("the Fisher trace", fisherTrace)]
        where !x.isFinite {
            throw InputError(.outOfRange, field: field, problem: "\(name) overflows the double range",
                             fix: "scale the features down")
        }
        for (name, x) in [("the gradient", gradientNorm), ("the loss", loss)] + gradient.map { ("a gradient entry", $0) }
        where !x.isFinite {
            throw InputError(.outOfRange, field: "beta", problem: "\(name) overflows the double range",
                             fix: "use a smaller beta (or smaller features)")
        }
        for b in BoundID.allCases where !b.value(self).isFinite {
            throw InputError(.outOfRange, field: "beta", problem: "the value of \(b.rawValue) overflows the double range",
                             fix: "use a smaller beta (or smaller features)")
        }
    }

    /// `h_i - h_j`, the implicit-reward difference, computed in difference space.
    public func implicitRewardDifference(_ i: Int, _ j: Int) -> Double {
        problem.beta * (logRatio[i] - logRatio[j])
    }

    /// The model's preference `p(i, j) = sigmoid(h_i - h_j)`.
    public func modelPreference(_ i: Int, _ j: Int) -> Double {
        sigmoid(implicitRewardDifference(i, j))
    }

    /// The labelling preference `q(i, j) = sigmoid(r_i - r_j)`.
    public func labelPreference(_ i: Int, _ j: Int) -> Double {
        sigmoid(problem.rewards[i] - problem.rewards[j])
    }
}

/// Which implementation of the O(K^2) pair sums an `Evaluation` uses.
public enum PairKernel: Sendable, Hashable {
    /// `FastPairSums`: per-response exponentials, vector lanes, no transcendental function per
    /// pair, on the best instruction set of this CPU (`KernelInstructionSet.best`).
    case fast
    /// `FastPairSums` on the given instruction set (one this CPU has: see
    /// `KernelInstructionSet.available`; a higher one falls back to the best available). Every
    /// instruction set gives the same bits; tests use this to check that.
    case fastUsing(KernelInstructionSet)
    /// `PairSums`: the straightforward kernel, `tanh`, `sigmoidDifference` and `softplus` per pair.
    case reference
}

/// What a pair kernel produces (both kernels, same meaning).
protocol PairSumResult {
    var loss: Double { get }
    /// `PVar_policy`, `PVar_labels`, `delta^2`, each times `2^600`.
    var scaledPVarPolicy: Double { get }
    var scaledPVarLabels: Double { get }
    var scaledSquaredDisagreement: Double { get }
    /// `c_i = sum_j mu_i mu_j (p - q)`.
    var residual: [Double] { get }
}

extension PairSums: PairSumResult {}
extension FastPairSums: PairSumResult {}

/// The reference O(K^2) pair kernel: one pass over `i < j` accumulating every pair expectation.
///
/// With `a = h_i - h_j`, `b = r_i - r_j`, the pair (i, j) and its mirror (j, i) contribute equally
/// to the symmetric sums (`(p - 1/2)^2`, `(q - 1/2)^2`, `(p - q)^2`, the loss) and oppositely to the
/// antisymmetric residual, so each unordered pair is visited once and counted twice; the diagonal
/// `i = j` adds `log 2` to the loss and nothing else.
struct PairSums {
    /// The sums of squares are accumulated with both weights multiplied by `2^300` (exact:
    /// a power of two), so a pair weight `mu_i mu_j` below the double range (two responses of
    /// probability 1e-170) still counts; square roots are then taken in the scaled domain and
    /// scaled back exactly. Without it `delta = sqrt(E (p - q)^2)` of about 1e-170 would come
    /// out as 0 although it is a perfectly representable double.
    static let weightScale = 0x1p300
    static let weightScaleSquared = 0x1p600

    var loss = 0.0
    /// `PVar_policy`, `PVar_labels`, `delta^2`, each times `2^600`.
    var scaledPVarPolicy = 0.0
    var scaledPVarLabels = 0.0
    var scaledSquaredDisagreement = 0.0
    var residual: [Double]

    /// `policyScaled`, `pairsScaled`: the policy and the pair weights times `2^300`;
    /// `pairs`: the pair weights themselves (for the loss and the residual).
    init(beta: Double, logRatio v: [Double], rewards r: [Double], policyScaled piS: [Double],
         pairsScaled muS: [Double], pairs mu: [Double]) {
        let k = v.count
        var rowSums = [CompensatedSum](repeating: CompensatedSum(), count: k)
        var loss = 0.0, pvp = 0.0, pvl = 0.0, dis = 0.0
        for i in 0..<k {
            for j in (i + 1)..<max(k, i + 1) {
                let a = beta * (v[i] - v[j])
                let b = r[i] - r[j]
                let wPolicy = piS[i] * piS[j]
                let wPairsScaled = muS[i] * muS[j]
                if wPolicy != 0 {
                    let cp = centredSigmoid(a)
                    pvp += wPolicy * cp * cp
                }
                if wPairsScaled != 0 {
                    let wPairs = mu[i] * mu[j]
                    let cq = centredSigmoid(b)
                    let e = sigmoidDifference(a, b)
                    pvl += wPairsScaled * cq * cq
                    dis += wPairsScaled * e * e
                    loss += wPairs * (sigmoid(b) * softplus(-a) + sigmoid(-b) * softplus(a))
                    rowSums[i].add(wPairs * e)
                    rowSums[j].add(-wPairs * e)
                }
            }
        }
        var diagonal = 0.0
        for m in mu { diagonal += m * m }
        self.loss = diagonal * log(2.0) + 2 * loss
        self.scaledPVarPolicy = 2 * pvp
        self.scaledPVarLabels = 2 * pvl
        self.scaledSquaredDisagreement = 2 * dis
        self.residual = rowSums.map(\.value)
    }

    /// `sqrt(x)` of a quantity stored times `2^600`, scaled back exactly.
    static func root(_ scaled: Double) -> Double { scaled.squareRoot() * 0x1p-300 }
    /// `x^(1/degree)` of a quantity stored times `2^600`: the root of the stored value times
    /// `2^(-600/degree)`, exact when `degree` divides 600 (1 to 6 do); otherwise the root of the
    /// unscaled value.
    static func root(_ scaled: Double, degree: Int) -> Double {
        600 % degree == 0
            ? nthRoot(scaled, degree: degree) * scalbn(1.0, -600 / degree)
            : nthRoot(unscaled(scaled), degree: degree)
    }
    /// `x` of a quantity stored times `2^600` (rounds to a subnormal or 0 only where `x` does).
    static func unscaled(_ scaled: Double) -> Double { scaled * 0x1p-600 }
}
