// Tightness search on sequence-level policies.

import Foundation
import PVarCore
import PVarGSL

/// A point of the search space of sequence instances: token features (T x (V+1) x V x d), theta
/// (d), rewards (V^T), and for B0 the log-weights of explicit pairs (V^T), for B0/B1 the logits of
/// a reference (V^T). For B2/B3 the reference is the policy itself (`exp(log pi)`), i.e. the
/// instance is at the reference up to the rounding of that exp/log; beta = 1.
public struct SequenceSearchSpace: Sendable {
    public let bound: BoundID
    public let vocabulary: Int
    public let length: Int
    public let dimension: Int

    public init(bound: BoundID, vocabulary: Int, length: Int, dimension: Int) {
        self.bound = bound
        self.vocabulary = vocabulary
        self.length = length
        self.dimension = dimension
    }

    var sequences: Int { (0..<length).reduce(1) { acc, _ in acc * vocabulary } }
    var featureCount: Int { length * (vocabulary + 1) * vocabulary * dimension }

    public var count: Int {
        let k = sequences
        switch bound {
        case .B0: return featureCount + dimension + 3 * k
        case .B1: return featureCount + dimension + 2 * k
        case .B2, .B3: return featureCount + dimension + k
        }
    }

    /// The instance at `x` (nil only if the point is outside the double range).
    public func problem(_ x: [Double]) -> Problem? {
        var at = 0
        func take(_ n: Int) -> [Double] { defer { at += n }; return Array(x[at..<(at + n)]) }
        let v = vocabulary, d = dimension, k = sequences
        let flat = take(featureCount)
        var features = [[[[Double]]]]()
        var i = 0
        for _ in 0..<length {
            var byPrevious = [[[Double]]]()
            for _ in 0...v {
                var byToken = [[Double]]()
                for _ in 0..<v { byToken.append(Array(flat[i..<(i + d)])); i += d }
                byPrevious.append(byToken)
            }
            features.append(byPrevious)
        }
        let theta = take(d)
        let rewards = take(k)
        guard let sequence = try? SequencePolicy(vocabulary: v, length: length, tokenFeatures: features, theta: theta) else { return nil }
        var reference: [Double]
        var pairs = PairDistribution.policy
        switch bound {
        case .B0, .B1:
            reference = SearchSpace.softmax(take(k)[...])
            if bound == .B0 { pairs = .weights(SearchSpace.softmax(take(k)[...])) }
        case .B2, .B3:
            reference = sequence.flattened().logProbabilities.map { exp($0) }
            let s = reference.reduce(0, +)
            reference = reference.map { $0 / s }
            guard reference.allSatisfy({ $0 > 0 }) else { return nil }
        }
        return try? Problem(beta: 1, sequence: sequence, reference: reference, rewards: rewards, pairs: pairs)
    }

    /// `||grad L|| / bound` where the statement applies and doubles resolve it, else 0.
    public func ratio(_ x: [Double]) -> Double {
        guard let p = problem(x), let e = try? Evaluation(p) else { return 0 }
        let b = e.bound(bound)
        return b.applies && b.resolved && b.ratio.isFinite ? b.ratio : 0
    }
}

/// The best ratio found on sequence instances and its witness.
public struct SequenceTightnessResult: Sendable {
    public let bound: BoundID
    /// The searched shape: vocabulary V, length T, token feature dimension d.
    public let vocabulary: Int
    public let length: Int
    public let dimension: Int
    public let bestRatio: Double
    public let witness: Problem?
}

/// Maximises `||grad L|| / bound` over sequence instances (GSL nmsimplex2 from Gaussian starts,
/// restarted at its optimum; restarts in parallel, the result independent of the thread count).
public func searchSequenceTightness(bound: BoundID, vocabulary: Int, length: Int, dimension: Int,
                                    restarts: Int, seed: UInt64, maxIterations: Int = 3000) async -> SequenceTightnessResult {
    let space = SequenceSearchSpace(bound: bound, vocabulary: vocabulary, length: length, dimension: dimension)
    // Three simplex runs per restart (polishRounds 2), as this search has always used.
    let outcomes = await maximizeFromRandomStarts(
        dimension: space.count, restarts: restarts, seed: seed,
        labels: [stableLabel("sequence-tightness"), stableLabel(bound.rawValue)],
        maxIterations: maxIterations, polishRounds: 2, objective: space.ratio)
    let best = outcomes.reduce(nil as RestartOutcome?) { acc, o in (acc == nil || o.ratio > acc!.ratio) ? o : acc }
    return SequenceTightnessResult(bound: bound, vocabulary: vocabulary, length: length, dimension: dimension, bestRatio: best?.ratio ?? 0, witness: best.flatMap { space.problem($0.point) })
}
