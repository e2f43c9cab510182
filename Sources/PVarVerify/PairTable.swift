// Every pair-level quantity of one instance, for checking proofs step by step.

import PVarCore

/// The pair-level quantities behind an `Evaluation`, laid out so that each step of a proof can
/// be evaluated on its own: `p(i,j)`, `q(i,j)`, `p - q`, the weights `mu_i mu_j`, the scores
/// `s_y` and the feature differences `phi_i - phi_j` (which equal `s_i - s_j`).
///
/// Every entry comes from the library's own kernels (`Evaluation.modelPreference`,
/// `labelPreference`, `sigmoidDifference`, `centredSigmoid`, `Evaluation.scores`); nothing here
/// is a second implementation of a formula, only a second *arrangement* of the same numbers.
public struct PairTable: Sendable {
    public let evaluation: Evaluation
    public let responses: Int
    public let dimension: Int
    /// The pair distribution `mu`.
    public let mu: [Double]
    /// The policy `pi_theta`.
    public let pi: [Double]

    public init(_ e: Evaluation) {
        evaluation = e
        responses = e.problem.responseCount
        dimension = e.problem.dimension
        mu = e.pairWeights
        pi = e.policy
    }

    /// `p(i, j) = sigmoid(h_i - h_j)`.
    public func p(_ i: Int, _ j: Int) -> Double { evaluation.modelPreference(i, j) }
    /// `q(i, j) = sigmoid(r_i - r_j)`.
    public func q(_ i: Int, _ j: Int) -> Double { evaluation.labelPreference(i, j) }
    /// `p(i, j) - 1/2`, without cancellation.
    public func centredP(_ i: Int, _ j: Int) -> Double { centredSigmoid(evaluation.implicitRewardDifference(i, j)) }
    /// `q(i, j) - 1/2`, without cancellation.
    public func centredQ(_ i: Int, _ j: Int) -> Double {
        centredSigmoid(evaluation.problem.rewards[i] - evaluation.problem.rewards[j])
    }
    /// `p(i, j) - q(i, j)`, without cancellation.
    public func residual(_ i: Int, _ j: Int) -> Double {
        sigmoidDifference(evaluation.implicitRewardDifference(i, j), evaluation.problem.rewards[i] - evaluation.problem.rewards[j])
    }
    /// The feature row `phi_y` (the unit vector `e_y` for the tabular policy).
    public func feature(_ y: Int) -> [Double] {
        if let f = evaluation.problem.features { return f[y] }
        var e = [Double](repeating: 0, count: responses)
        e[y] = 1
        return e
    }
    /// `phi_i - phi_j = s_i - s_j`.
    public func featureDifference(_ i: Int, _ j: Int) -> [Double] {
        zip(feature(i), feature(j)).map { $0 - $1 }
    }
    /// `s_y`.
    public func score(_ y: Int) -> [Double] { evaluation.scores[y] }

    /// `sum_{i,j} w(i, j) f(i, j)` over all ordered pairs, with `w = mu_i mu_j` (or `pi_i pi_j`).
    public func expectation(overPolicy: Bool = false, _ f: (Int, Int) -> Double) -> Double {
        let w = overPolicy ? pi : mu
        var s = CompensatedSum()
        for i in 0..<responses where w[i] != 0 {
            for j in 0..<responses where w[j] != 0 { s.add(w[i] * w[j] * f(i, j)) }
        }
        return s.value
    }

    /// `sum_{i,j} mu_i mu_j f(i, j)` for a vector-valued f.
    public func vectorExpectation(_ f: (Int, Int) -> [Double]) -> [Double] {
        var sums = [CompensatedSum](repeating: CompensatedSum(), count: dimension)
        for i in 0..<responses where mu[i] != 0 {
            for j in 0..<responses where mu[j] != 0 {
                let v = f(i, j)
                for c in 0..<dimension { sums[c].add(mu[i] * mu[j] * v[c]) }
            }
        }
        return sums.map(\.value)
    }
}
