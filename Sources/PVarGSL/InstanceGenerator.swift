// Seeded random one-prompt instances, drawn from GSL distributions.

import Foundation
import PVarCore

/// What a generated instance must satisfy: the hypotheses of the statement it is meant to test.
public enum Regime: String, CaseIterable, Sendable, Codable {
    /// Any theta, any pair distribution (policy, reference or explicit Dirichlet weights). For B0.
    case general
    /// Any theta, pairs from the policy. For B1.
    case onPolicy = "on-policy"
    /// Theta chosen so the logits are `fl(log pi_ref)` (tabular `theta = log pi_ref`;
    /// log-linear: a feature column equal to `log pi_ref / 2^s` with weight `2^s` plus pairs of
    /// equal columns with opposite weights), pairs from the policy or the reference. For B2 and B3.
    /// The policy equals the reference up to the rounding of `log pi_ref`: the exact implicit-reward
    /// differences of the instance (inputs taken as exact) are about `1e-16 beta`, well inside
    /// `referenceTolerance`, and the step checks carry that remainder explicitly.
    case atReference = "at-reference"
}

/// The shape of the random draw.
public enum Family: String, CaseIterable, Sendable, Codable {
    /// Gaussian features, theta and rewards; Dirichlet reference.
    case gaussian
    /// Student-t features, theta and rewards (nu in 1.5...4: heavy tails).
    case heavyTailed = "heavy-tailed"
    /// Tabular softmax (`Phi = I`).
    case tabular
    /// Feature rows equal up to a relative 1e-12..1e-6 (an adversarial case for cancellation).
    case nearIdentical = "near-identical"
    /// Large logit gaps and near-one-hot references (concentration 0.05).
    case nearOneHot = "near-one-hot"
    /// beta tiny (1e-6..1e-3) or huge (1e2..1e4).
    case extremeBeta = "extreme-beta"
}

/// Ranges of the draw; the defaults are the project's standard shapes.
public struct GeneratorLimits: Sendable, Equatable {
    public var responses: ClosedRange<Int> = 1...64
    public var dimension: ClosedRange<Int> = 1...16
    public init() {}
    public init(responses: ClosedRange<Int>, dimension: ClosedRange<Int>) {
        self.responses = responses
        self.dimension = dimension
    }
}

/// Draws instance number `index` of a run: the generator is seeded from
/// `(runSeed, regime, family, index)` only, so any single instance is replayable on its own
/// (`pvar generate --seed S --regime R --family F --index I`).
public struct InstanceGenerator: Sendable {
    public let runSeed: UInt64
    public let limits: GeneratorLimits

    public init(runSeed: UInt64, limits: GeneratorLimits = GeneratorLimits()) {
        self.runSeed = runSeed
        self.limits = limits
    }

    /// The seed of the GSL generator behind one instance.
    public func seed(_ regime: Regime, _ family: Family, index: Int) -> UInt64 {
        deriveSeed(runSeed, [stableLabel(regime.rawValue), stableLabel(family.rawValue), UInt64(index)])
    }

    public func instance(_ regime: Regime, _ family: Family, index: Int) -> Problem {
        let rng = RandomSource(seed: seed(regime, family, index: index))
        return draw(regime, family, rng)
    }

    func draw(_ regime: Regime, _ family: Family, _ rng: RandomSource) -> Problem {
        // K: half the draws small (1..8), half over the whole range; d uniform.
        let kMax = limits.responses.upperBound
        let k = rng.bernoulli(0.5)
            ? rng.integer(limits.responses.lowerBound...max(limits.responses.lowerBound, min(8, kMax)))
            : rng.integer(limits.responses)
        let tabular = family == .tabular
        let d = tabular ? k : rng.integer(limits.dimension)

        let alpha = family == .nearOneHot ? 0.05 : rng.logUniform(0.05, 20)
        let reference = rng.dirichlet(count: k, alpha: alpha)

        var beta = rng.logUniform(1e-3, 100)
        if family == .extremeBeta {
            beta = rng.bernoulli(0.5) ? rng.logUniform(1e-6, 1e-3) : rng.logUniform(1e2, 1e4)
        }

        let heavy = family == .heavyTailed
        let nu = rng.uniform(1.5, 4)
        func noise(_ scale: Double) -> Double { heavy ? scale * rng.studentT(nu) : rng.gaussian(scale) }

        var features: [[Double]]? = nil
        if !tabular {
            let scale = rng.logUniform(0.1, 10)
            if family == .nearIdentical {
                let base = (0..<d).map { _ in noise(scale) }
                let eps = rng.logUniform(1e-12, 1e-6)
                features = (0..<k).map { _ in base.map { $0 + eps * noise(max(abs($0), 1e-3)) } }
            } else {
                features = (0..<k).map { _ in (0..<d).map { _ in noise(scale) } }
            }
        }

        let rewardScale = rng.logUniform(0.01, 10)
        let rewards = (0..<k).map { _ in noise(rewardScale) }

        var theta: [Double]
        if regime == .atReference {
            (features, theta) = atReferencePolicy(reference: reference, features: features, rng)
        } else {
            let thetaScale = family == .nearOneHot ? rng.logUniform(10, 200) : rng.logUniform(0.01, 5)
            theta = (0..<d).map { _ in noise(thetaScale) }
        }

        let pairs: PairDistribution
        switch regime {
        case .onPolicy:
            pairs = .policy
        case .atReference:
            pairs = rng.bernoulli(0.5) ? .policy : .reference
        case .general:
            switch rng.integer(0...2) {
            case 0: pairs = .policy
            case 1: pairs = .reference
            default:
                var w = rng.dirichlet(count: k, alpha: rng.logUniform(0.05, 20), floor: 0)
                // Zeros are allowed in pair weights: sometimes switch a few responses off.
                if k > 1 && rng.bernoulli(0.3) {
                    let off = rng.integer(0...(k - 1))
                    w[off] = 0
                    let s = w.reduce(0, +)
                    w = s > 0 ? w.map { $0 / s } : [Double](repeating: 1 / Double(k), count: k)
                }
                pairs = .weights(w)
            }
        }
        do {
            return try Problem(beta: beta, features: features, theta: theta, reference: reference,
                               rewards: rewards, pairs: pairs)
        } catch {
            preconditionFailure("generator produced an invalid instance: \(error)")
        }
    }

    /// Theta (and, for log-linear policies, two kinds of feature columns) such that
    /// `softmax(Phi theta) = pi_ref` holds with every anchored logit difference equal to the
    /// rounded log-reference difference, i.e. all implicit rewards are *exactly* equal.
    ///
    /// Log-linear: column `c` holds `log pi_ref / 2^s` (exact division by a power of two) with
    /// `theta_c = 2^s`; a pair of equal random columns gets weights `+t` and `-t` (their products
    /// cancel exactly in the accurate dot product); every other column gets weight 0.
    func atReferencePolicy(reference: [Double], features: [[Double]]?, _ rng: RandomSource) -> ([[Double]]?, [Double]) {
        let logRef = reference.map { log($0) }
        guard var rows = features else { return (nil, logRef) }
        let d = rows[0].count
        var theta = [Double](repeating: 0, count: d)
        let c = rng.integer(0...(d - 1))
        let s = Double(rng.integer(-3...3))
        let power = pow(2.0, s)
        for y in rows.indices { rows[y][c] = logRef[y] / power }
        theta[c] = power
        if d >= 3 {
            let others = (0..<d).filter { $0 != c }
            let i = others[rng.integer(0...(others.count - 1))]
            let j = others.filter { $0 != i }[rng.integer(0...(others.count - 2))]
            for y in rows.indices { rows[y][j] = rows[y][i] }
            let t = rng.gaussian(1)
            theta[i] = t
            theta[j] = -t
        }
        return (rows, theta)
    }
}

extension InstanceGenerator {
    /// A random sequence instance (token-level log-linear policy, see `SequencePolicy`): V in
    /// `vocabulary`, T in `length` (with V^T <= 4096), d in 1...6, Gaussian token features and
    /// theta, Gaussian rewards per sequence, beta log-uniform in [1e-2, 10]. Regime `general`: a
    /// Dirichlet reference and pairs from the policy, the reference or Dirichlet weights;
    /// `onPolicy`: pairs from the policy; `atReference`: the reference is the policy itself
    /// (`exp(log pi)`, so the instance is at the reference up to the rounding of that exp/log).
    public func sequenceInstance(_ regime: Regime, index: Int, vocabulary: ClosedRange<Int> = 2...4,
                                 length: ClosedRange<Int> = 1...4) -> Problem {
        let rng = RandomSource(seed: deriveSeed(runSeed, [stableLabel("sequence"), stableLabel(regime.rawValue), UInt64(index)]))
        let v = rng.integer(vocabulary)
        var t = rng.integer(length)
        while Int(pow(Double(v), Double(t))) > 4096 { t -= 1 }
        let d = rng.integer(1...6)
        let scale = rng.logUniform(0.1, 3)
        let features = (0..<t).map { _ in (0...v).map { _ in (0..<v).map { _ in (0..<d).map { _ in rng.gaussian(scale) } } } }
        let theta = (0..<d).map { _ in rng.gaussian(1) }
        do {
            let sequence = try SequencePolicy(vocabulary: v, length: t, tokenFeatures: features, theta: theta)
            let k = sequence.sequenceCount
            let rewardScale = rng.logUniform(0.1, 5)
            let rewards = (0..<k).map { _ in rng.gaussian(rewardScale) }
            let beta = rng.logUniform(1e-2, 10)
            let flat = sequence.flattened()
            var reference = rng.dirichlet(count: k, alpha: rng.logUniform(0.3, 5))
            var pairs = PairDistribution.policy
            switch regime {
            case .atReference:
                reference = flat.logProbabilities.map { exp($0) }
                let s = reference.reduce(0, +)
                reference = reference.map { $0 / s }
                pairs = rng.bernoulli(0.5) ? .policy : .reference
            case .onPolicy:
                pairs = .policy
            case .general:
                pairs = [PairDistribution.policy, .reference, .weights(rng.dirichlet(count: k, alpha: 1, floor: 0))][rng.integer(0...2)]
            }
            return try Problem(beta: beta, sequence: sequence, reference: reference, rewards: rewards, pairs: pairs)
        } catch {
            preconditionFailure("sequence generator produced an invalid instance: \(error)")
        }
    }
}

/// The shell command that regenerates one instance and evaluates it.
public func replayCommand(seed: UInt64, regime: Regime, family: Family, index: Int, limits: GeneratorLimits = GeneratorLimits()) -> String {
    var shape = ""
    if limits != GeneratorLimits() {
        shape = " --min-responses \(limits.responses.lowerBound) --max-responses \(limits.responses.upperBound)"
            + " --min-dim \(limits.dimension.lowerBound) --max-dim \(limits.dimension.upperBound)"
    }
    return "swift run pvar generate --seed \(seed) --regime \(regime.rawValue) --family \(family.rawValue) --index \(index)\(shape)"
        + " | swift run pvar evaluate --input -"
}
