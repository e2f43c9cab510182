// The one-prompt DPO problem: validated input, nothing computed yet.

import Foundation

/// The distribution `mu` from which the two responses of a preference pair are drawn
/// (independently). It is held fixed when differentiating the loss (offline DPO).
public enum PairDistribution: Sendable, Equatable {
    /// `mu = pi_theta`, the policy itself (on-policy; PVar's own definition).
    case policy
    /// `mu = pi_ref`.
    case reference
    /// An explicit distribution over the K responses (entries >= 0, zeros allowed).
    case weights([Double])
}

/// Tolerance on `sum = 1` for every probability vector in the input (reference, pair weights).
/// Inputs are written with finite digits, so an exact sum cannot be demanded; where a vector is
/// used as a distribution it is divided by its sum (a change of at most 1e-9 relative). The
/// stored input is never altered, so a file round-trips to the same doubles.
public let normalizationTolerance = 1e-9

/// Largest number of responses accepted, for every policy form. Memory is O(K d) (no K x K
/// matrix is ever formed), so the limit is time: the exact pair sums cost O(K^2), about 0.4 ns
/// per pair on two cores, so K = 2^20 (1.1e12 pairs) takes minutes and a larger K would run for
/// hours without saying so.
public let maximumResponses = 1 << 20
/// Largest number of feature entries K x d accepted: 2^25 doubles are 268 MB (and a JSON file
/// of about 700 MB); the score norms and `Phi^T c` cost O(K d).
public let maximumFeatureEntries = 1 << 25

/// The error for more than `maximumResponses` responses in `field`.
func tooManyResponses(_ k: Int, field: String) -> InputError {
    InputError(.outOfRange, field: field,
               problem: "has \(k) entries, more than the supported K = \(maximumResponses) (the exact pair sums are O(K^2): hours beyond it)",
               fix: "evaluate a random subset of the responses, or estimate PVar from sampled responses (pvar select)")
}

/// A validated one-prompt problem.
///
/// - Policy: `pi_theta = softmax(Phi theta)` with `Phi` a K x d feature matrix, or tabular
///   (`Phi = I_K`, so `theta` has K entries).
/// - Reference: `pi_ref`, every entry > 0; used as a distribution divided by its sum (log-ratio
///   differences `log pi_ref_i - log pi_ref_j` do not depend on that normalisation).
/// - Labels: Bradley–Terry, `q(i, j) = sigmoid(r_i - r_j)`.
/// - Pairs: `i, j ~ mu` independently.
/// - Temperature: `beta > 0`.
///
/// Construction validates everything (see `InputError.Kind`); a `Problem` that exists is safe
/// to evaluate.
public struct Problem: Sendable, Equatable {
    public let beta: Double
    /// Feature rows `phi_y` (K rows of d numbers), or `nil` for the tabular policy. For the
    /// exported form these are the scores `s_y = grad_theta log pi_theta(y)`, which play exactly
    /// the role of feature rows in every formula (differences, spreads, `Phi^T c`).
    public let features: [[Double]]?
    /// The parameters (empty for the exported form).
    public let theta: [Double]
    /// The exported form of any differentiable policy at one theta: `log pi_theta(y)` per
    /// response (with `features` holding the scores); nil for the log-linear and tabular forms.
    public let logProbabilities: [Double]?
    /// The reference probabilities as given (sum within `normalizationTolerance` of 1).
    public let reference: [Double]
    public let rewards: [Double]
    /// The pair distribution as given.
    public let pairs: PairDistribution

    /// Number of responses K.
    public var responseCount: Int { rewards.count }
    /// Dimension d of theta (the length of a score vector).
    public var dimension: Int { features?.first?.count ?? theta.count }
    public var isTabular: Bool { features == nil }
    /// Whether the policy is given in the exported form (`logProbabilities` and scores).
    public var isExported: Bool { logProbabilities != nil }

    /// The exported form of a policy: `log pi_theta(y)` for every response (the probabilities must
    /// sum to 1 within 1e-9) and the scores `s_y = grad_theta log pi_theta(y)` (K rows of d numbers).
    /// Any differentiable policy has this form at a given theta, so the bounds can be evaluated for
    /// any model whose per-response log-probabilities and gradients can be exported.
    public init(
        beta: Double,
        logProbabilities: [Double],
        scores: [[Double]],
        reference: [Double],
        rewards: [Double],
        pairs: PairDistribution = .policy
    ) throws(InputError) {
        let k = reference.count
        guard k <= maximumResponses else { throw tooManyResponses(k, field: "reference") }
        try Self.requireSize(logProbabilities.count, k, "policy.logProbabilities", "reference")
        for (i, x) in logProbabilities.enumerated() { try Self.requireFinite(x, "policy.logProbabilities[\(i)]") }
        try Self.requireSize(scores.count, k, "policy.scores", "reference")
        let d = scores.first?.count ?? 0
        guard d >= 1 else {
            throw InputError(.emptyTheta, field: "policy.scores[0]", problem: "is empty",
                             fix: "every score needs d >= 1 entries (one per parameter)")
        }
        for (i, row) in scores.enumerated() {
            guard row.count == d else {
                throw InputError(.raggedFeatures, field: "policy.scores[\(i)]",
                                 problem: "has \(row.count) entries but policy.scores[0] has \(d) (ragged rows)",
                                 fix: "every score needs the same number of entries")
            }
            for (j, x) in row.enumerated() { try Self.requireFinite(x, "policy.scores[\(i)][\(j)]") }
        }
        guard k * d <= maximumFeatureEntries else {
            throw InputError(.outOfRange, field: "policy.scores",
                             problem: "has \(k) x \(d) entries, more than the supported \(maximumFeatureEntries)",
                             fix: "use fewer responses or a smaller dimension")
        }
        let total = logSumExp(logProbabilities)
        guard abs(total) <= normalizationTolerance else {
            throw InputError(.notNormalized, field: "policy.logProbabilities",
                             problem: "the probabilities sum to \(exp(total)), not 1 (tolerance \(normalizationTolerance))",
                             fix: "give log-probabilities of a distribution over the K responses")
        }
        try self.init(validating: beta, features: scores, theta: [], logProbabilities: logProbabilities,
                      reference: reference, rewards: rewards, pairs: pairs)
    }

    public init(
        beta: Double,
        features: [[Double]]?,
        theta: [Double],
        reference: [Double],
        rewards: [Double],
        pairs: PairDistribution = .policy
    ) throws(InputError) {
        try self.init(validating: beta, features: features, theta: theta, logProbabilities: nil,
                      reference: reference, rewards: rewards, pairs: pairs)
    }

    private init(
        validating beta: Double,
        features: [[Double]]?,
        theta: [Double],
        logProbabilities: [Double]?,
        reference: [Double],
        rewards: [Double],
        pairs: PairDistribution
    ) throws(InputError) {
        try Self.requireFinite(beta, "beta")
        guard beta > 0 else {
            throw InputError(.nonPositiveBeta, field: "beta", problem: "must be > 0, got \(beta)",
                             fix: "give a positive temperature such as 0.1")
        }
        let k = reference.count
        guard k > 0 else {
            throw InputError(.noResponses, field: "reference", problem: "has no entries (K = 0)",
                             fix: "give at least one response")
        }
        guard k <= maximumResponses || logProbabilities != nil else { throw tooManyResponses(k, field: "reference") }
        guard features == nil || logProbabilities != nil || k * theta.count <= maximumFeatureEntries else {
            throw InputError(.outOfRange, field: "features",
                             problem: "has \(k) x \(theta.count) entries, more than the supported \(maximumFeatureEntries)",
                             fix: "use fewer responses or a smaller dimension")
        }
        guard !theta.isEmpty || logProbabilities != nil else {
            throw InputError(.emptyTheta, field: "theta", problem: "is empty",
                             fix: "give d >= 1 parameters (K of them for a tabular policy)")
        }
        try Self.requireSize(rewards.count, k, "rewards", "reference")
        for (i, r) in rewards.enumerated() { try Self.requireFinite(r, "rewards[\(i)]") }
        for (i, t) in theta.enumerated() { try Self.requireFinite(t, "theta[\(i)]") }

        if logProbabilities != nil {
            // Checked by the exported-form initialiser.
        } else if let rows = features {
            try Self.requireSize(rows.count, k, "features", "reference")
            for (i, row) in rows.enumerated() {
                guard row.count == theta.count else {
                    throw InputError(
                        i == 0 ? .sizeMismatch : .raggedFeatures,
                        field: "features[\(i)]",
                        problem: i == 0 ? "has \(row.count) entries but theta has \(theta.count)"
                            : "has \(row.count) entries but features[0] and theta have \(theta.count) (ragged rows)",
                        fix: "every feature row needs exactly d = theta.count numbers")
                }
                for (j, x) in row.enumerated() { try Self.requireFinite(x, "features[\(i)][\(j)]") }
            }
        } else {
            guard theta.count == k else {
                throw InputError(.sizeMismatch, field: "theta",
                                 problem: "has \(theta.count) entries but a tabular policy (no features) needs K = \(k)",
                                 fix: "give one theta per response, or give a K x d features matrix")
            }
        }

        self.beta = beta
        self.features = features
        self.theta = theta
        self.logProbabilities = logProbabilities
        self.rewards = rewards
        try Self.checkDistribution(reference, field: "reference", strictlyPositive: true)
        self.reference = reference
        if case .weights(let w) = pairs {
            try Self.requireSize(w.count, k, "pairs", "reference")
            try Self.checkDistribution(w, field: "pairs", strictlyPositive: false)
        }
        self.pairs = pairs
    }

    /// `pi_ref` divided by its sum.
    public var referenceDistribution: [Double] { Self.normalized(reference) }

    /// Explicit pair weights divided by their sum (nil for `policy` and `reference`).
    public var explicitPairWeights: [Double]? {
        if case .weights(let w) = pairs { return Self.normalized(w) }
        return nil
    }

    static func normalized(_ v: [Double]) -> [Double] {
        var total = CompensatedSum()
        for x in v { total.add(x) }
        let s = total.value
        return s == 1 ? v : v.map { $0 / s }
    }

    /// The field's name is formed only for the error (an autoclosure: a K = 65,536, d = 64 file
    /// has four million entries, and forming each name cost about a second).
    static func requireFinite(_ x: Double, _ field: @autoclosure () -> String) throws(InputError) {
        guard x.isFinite else {
            throw InputError(.notFinite, field: field(), problem: "is \(x)",
                             fix: "every number must be finite")
        }
    }

    static func requireSize(_ n: Int, _ k: Int, _ field: String, _ other: String) throws(InputError) {
        guard n == k else {
            throw InputError(.sizeMismatch, field: field,
                             problem: "has \(n) entries but \(other) has \(k)",
                             fix: "give one entry per response (K = \(k))")
        }
    }

    /// Checks a probability vector: finite, entries > 0 (or >= 0), sum within tolerance of 1.
    static func checkDistribution(_ v: [Double], field: String, strictlyPositive: Bool) throws(InputError) {
        for (i, x) in v.enumerated() {
            try requireFinite(x, "\(field)[\(i)]")
            if strictlyPositive && !(x > 0) {
                throw InputError(.nonPositiveReference, field: "\(field)[\(i)]",
                                 problem: "is \(x) but every reference probability must be > 0",
                                 fix: "the log-ratio log(pi/pi_ref) needs pi_ref > 0 everywhere")
            }
            if x > 1 + normalizationTolerance {
                throw InputError(.notNormalized, field: "\(field)[\(i)]",
                                 problem: "is \(x) but a probability is at most 1",
                                 fix: "rescale the entries so they sum to 1")
            }
            if !strictlyPositive && x < 0 {
                throw InputError(.negativeWeight, field: "\(field)[\(i)]",
                                 problem: "is \(x) but pair weights must be >= 0",
                                 fix: "give a probability distribution over the K responses")
            }
        }
        var total = CompensatedSum()
        for x in v { total.add(x) }
        let s = total.value
        guard abs(s - 1) <= normalizationTolerance else {
            throw InputError(.notNormalized, field: field,
                             problem: "sums to \(s), not 1 (tolerance \(normalizationTolerance))",
                             fix: "rescale the entries so they sum to 1")
        }
    }
}

extension Evaluation {
    /// The instance moved exactly onto B2's and B3's hypothesis "at the reference"
    /// (`pi_theta = pi_ref`), keeping everything else:
    /// - tabular policy: `theta_y = log pi_ref(y)` (the reference divided by its sum), so the
    ///   policy equals the reference up to the rounding of that log and of the softmax
    ///   (relative 1e-16, far inside `referenceTolerance`);
    /// - feature, exported and sequence policies: a log-linear family cannot reach every
    ///   reference, so the *reference* moves to the policy (`pi_ref = pi_theta` as computed).
    /// Throws when the result is not a valid instance (a policy probability that underflows to
    /// 0 cannot be a reference probability).
    public func movedToReference() throws(InputError) -> Problem {
        let p = problem
        if p.isTabular {
            return try Problem(beta: p.beta, features: nil, theta: p.referenceDistribution.map { Foundation.log($0) },
                               reference: p.reference, rewards: p.rewards, pairs: p.pairs)
        }
        if let logProbabilities = p.logProbabilities, let scores = p.features {
            return try Problem(beta: p.beta, logProbabilities: logProbabilities, scores: scores,
                               reference: policy, rewards: p.rewards, pairs: p.pairs)
        }
        return try Problem(beta: p.beta, features: p.features, theta: p.theta,
                           reference: policy, rewards: p.rewards, pairs: p.pairs)
    }
}
