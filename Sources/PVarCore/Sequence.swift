// Sequence-level policies: responses are token sequences, enumerated exactly.

import Foundation

/// A token-level log-linear policy over sequences of length T from a vocabulary of size V.
///
/// Schema (the `sequence` block of an instance file):
/// - `vocabulary`: V >= 1 tokens, numbered 0..V-1; `length`: T >= 1 positions;
/// - `tokenFeatures`: an array T x (V + 1) x V x d: `tokenFeatures[t][u][v]` is the feature vector
///   `phi(t, u, v)` of choosing token v at position t after token u (u = V stands for the start of
///   the sequence, used at t = 0);
/// - `theta`: d parameters.
/// Then `pi(v | t, u) = softmax_v(theta . phi(t, u, v))` and a response `y = (y_0, ..., y_{T-1})`
/// has `log pi(y) = sum_t log pi(y_t | t, y_{t-1})` with `y_{-1} = V` (start). Responses are
/// enumerated in lexicographic order (response index `sum_t y_t V^(T-1-t)`), so the instance's
/// `reference`, `rewards` and explicit `pairs` have K = V^T entries in that order.
///
/// A locally normalised sequence policy is not a softmax over whole sequences, so it has no
/// features/theta form; `flattened()` gives its exported form: `log pi(y)` and the score
/// `s_y = grad_theta log pi(y) = sum_t (phi(t, y_{t-1}, y_t) - E_{v ~ pi(. | t, y_{t-1})} phi(t, y_{t-1}, v))`.
public struct SequencePolicy: Sendable, Equatable {
    public let vocabulary: Int
    public let length: Int
    public let tokenFeatures: [[[[Double]]]]
    public let theta: [Double]

    /// Largest number of sequences enumerated (`V^T`): the exported form's limit.
    public static let maximumSequences = maximumResponses

    public init(vocabulary: Int, length: Int, tokenFeatures: [[[[Double]]]], theta: [Double]) throws(InputError) {
        let f = "sequence"
        guard vocabulary >= 1 else {
            throw InputError(.outOfRange, field: "\(f).vocabulary", problem: "is \(vocabulary)", fix: "give V >= 1 tokens")
        }
        guard length >= 1 else {
            throw InputError(.outOfRange, field: "\(f).length", problem: "is \(length)", fix: "give T >= 1 positions")
        }
        var count = 1
        for _ in 0..<length {
            count *= vocabulary
            guard count <= Self.maximumSequences else {
                throw InputError(.outOfRange, field: "\(f).length",
                                 problem: "V^T exceeds the \(Self.maximumSequences) sequences that are enumerated exactly",
                                 fix: "use a smaller vocabulary or shorter sequences")
            }
        }
        guard !theta.isEmpty else {
            throw InputError(.emptyTheta, field: "\(f).theta", problem: "is empty", fix: "give d >= 1 parameters")
        }
        for (i, x) in theta.enumerated() where !x.isFinite {
            throw InputError(.notFinite, field: "\(f).theta[\(i)]", problem: "is \(x)", fix: "every number must be finite")
        }
        guard tokenFeatures.count == length else {
            throw InputError(.sizeMismatch, field: "\(f).tokenFeatures",
                             problem: "has \(tokenFeatures.count) positions but length is \(length)",
                             fix: "give a T x (V + 1) x V x d array")
        }
        for (t, byPrevious) in tokenFeatures.enumerated() {
            guard byPrevious.count == vocabulary + 1 else {
                throw InputError(.sizeMismatch, field: "\(f).tokenFeatures[\(t)]",
                                 problem: "has \(byPrevious.count) previous-token rows, need V + 1 = \(vocabulary + 1) (the last is the start)",
                                 fix: "give a T x (V + 1) x V x d array")
            }
            for (u, byToken) in byPrevious.enumerated() {
                guard byToken.count == vocabulary else {
                    throw InputError(.sizeMismatch, field: "\(f).tokenFeatures[\(t)][\(u)]",
                                     problem: "has \(byToken.count) candidate tokens, need V = \(vocabulary)",
                                     fix: "give a T x (V + 1) x V x d array")
                }
                for (v, phi) in byToken.enumerated() {
                    guard phi.count == theta.count else {
                        throw InputError(.raggedFeatures, field: "\(f).tokenFeatures[\(t)][\(u)][\(v)]",
                                         problem: "has \(phi.count) entries but theta has \(theta.count)",
                                         fix: "every feature vector needs d = theta.count numbers")
                    }
                    for (c, x) in phi.enumerated() where !x.isFinite {
                        throw InputError(.notFinite, field: "\(f).tokenFeatures[\(t)][\(u)][\(v)][\(c)]",
                                         problem: "is \(x)", fix: "every number must be finite")
                    }
                }
            }
        }
        self.vocabulary = vocabulary
        self.length = length
        self.tokenFeatures = tokenFeatures
        self.theta = theta
    }

    /// Number of sequences, V^T.
    public var sequenceCount: Int { (0..<length).reduce(1) { acc, _ in acc * vocabulary } }

    /// The tokens of response `index` (lexicographic order).
    public func tokens(_ index: Int) -> [Int] {
        var out = [Int](repeating: 0, count: length)
        var rest = index
        for t in stride(from: length - 1, through: 0, by: -1) {
            out[t] = rest % vocabulary
            rest /= vocabulary
        }
        return out
    }

    /// The exported form: `log pi(y)` and the scores, for every sequence, by exact enumeration.
    ///
    /// Per (position t, previous token u): token log-probabilities by log-sum-exp of the logits
    /// `theta . phi(t, u, v)`, and centred token features `phi(t, u, v) - E_v' phi(t, u, v')`
    /// in difference space (`sum_{v'} pi(v') (phi(v) - phi(v'))`). A sequence sums T of each.
    /// Cost O(T V^2 d + V^T T d).
    public func flattened() -> (logProbabilities: [Double], scores: [[Double]]) {
        let v = vocabulary, d = theta.count
        var logToken = [[[Double]]]()           // [t][u][v]
        var centred = [[[[Double]]]]()          // [t][u][v][c]
        for t in 0..<length {
            var lt = [[Double]](), ct = [[[Double]]]()
            for u in 0...v {
                let phi = tokenFeatures[t][u]
                let logits = phi.map { row in zip(row, theta).reduce(0) { $0 + $1.0 * $1.1 } }
                let lse = logSumExp(logits)
                let lp = logits.map { $0 - lse }
                let p = lp.map { exp($0) }
                lt.append(lp)
                ct.append((0..<v).map { a in
                    (0..<d).map { c in
                        var s = 0.0
                        for b in 0..<v where b != a { s += p[b] * (phi[a][c] - phi[b][c]) }
                        return s
                    }
                })
            }
            logToken.append(lt)
            centred.append(ct)
        }
        var logProbabilities = [Double](), scores = [[Double]]()
        for index in 0..<sequenceCount {
            let y = tokens(index)
            var lp = 0.0
            var s = [Double](repeating: 0, count: d)
            var previous = v
            for t in 0..<length {
                lp += logToken[t][previous][y[t]]
                for c in 0..<d { s[c] += centred[t][previous][y[t]][c] }
                previous = y[t]
            }
            logProbabilities.append(lp)
            scores.append(s)
        }
        return (logProbabilities, scores)
    }
}

extension Problem {
    /// A sequence instance, evaluated through its exported form (`SequencePolicy.flattened`).
    public init(beta: Double, sequence: SequencePolicy, reference: [Double], rewards: [Double],
                pairs: PairDistribution = .policy) throws(InputError) {
        let flat = sequence.flattened()
        guard flat.logProbabilities.allSatisfy(\.isFinite), flat.scores.allSatisfy({ $0.allSatisfy(\.isFinite) }) else {
            throw InputError(.outOfRange, field: "sequence.theta",
                             problem: "theta . tokenFeatures overflows the double range",
                             fix: "scale theta or the token features down")
        }
        guard reference.count == flat.logProbabilities.count else {
            throw InputError(.sizeMismatch, field: "reference",
                             problem: "has \(reference.count) entries but the sequence policy has V^T = \(flat.logProbabilities.count) responses",
                             fix: "give one reference probability (and reward) per sequence, in lexicographic order")
        }
        try self.init(beta: beta, logProbabilities: flat.logProbabilities, scores: flat.scores,
                      reference: reference, rewards: rewards, pairs: pairs)
    }
}

extension Problem {
    /// The same instance with its policy in the exported form: `log pi_theta(y)` and the scores
    /// `s_y` as an `Evaluation` computes them. Evaluating it gives the same numbers as the
    /// original up to the rounding of `log pi` (identical for exported and sequence instances,
    /// which are already in this form).
    public func exportedForm() throws(InputError) -> Problem {
        if isExported { return self }
        let e = try Evaluation(self)
        return try Problem(beta: beta, logProbabilities: e.logPolicy, scores: e.scores,
                           reference: reference, rewards: rewards, pairs: pairs)
    }
}
