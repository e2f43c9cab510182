// The explorer page's controls as one JSON object, and the instance they describe.

import Foundation
import PVarCore

/// What the page's controls hold: a small instance in a form that is easy to edit with sliders.
/// The server turns it into a `Problem` (`problem()`) and from there into the exact instance file
/// that `pvar evaluate` reads, so the page never computes anything itself.
///
/// Keys: `beta`; the policy either as `logits` (tabular, one per response) or as `features`
/// (K rows of d numbers) with `theta` (d numbers); `referenceWeights` (K positive numbers, divided
/// by their sum here unless they sum to 1 within `normalizationTolerance`, so a slider need not
/// keep them normalised); `rewards` (K numbers); `pairs`:
/// `"policy"`, `"reference"` or `"uniform"` (weights 1/K).
public struct ExplorerDraft: Codable, Sendable, Equatable {
    public var beta: Double
    public var logits: [Double]?
    public var features: [[Double]]?
    public var theta: [Double]?
    public var referenceWeights: [Double]
    public var rewards: [Double]
    public var pairs: String

    public init(beta: Double, logits: [Double]? = nil, features: [[Double]]? = nil, theta: [Double]? = nil,
                referenceWeights: [Double], rewards: [Double], pairs: String = "policy") {
        self.beta = beta
        self.logits = logits
        self.features = features
        self.theta = theta
        self.referenceWeights = referenceWeights
        self.rewards = rewards
        self.pairs = pairs
    }

    /// Reads a draft; failures are `InputError`s naming the field, like an instance file's.
    public static func parse(_ data: Data) throws(InputError) -> ExplorerDraft {
        do {
            return try JSONDecoder().decode(ExplorerDraft.self, from: data)
        } catch let e as DecodingError {
            throw InstanceFile.inputError(e)
        } catch {
            throw InputError(.malformed, field: "input", problem: "could not be read (\(error))",
                             fix: "send the page's draft: beta, logits or features and theta, referenceWeights, rewards, pairs")
        }
    }

    /// The instance: the reference weights divided by their sum, `"uniform"` pairs as weights
    /// 1/K; validated by `Problem` (so every error names its field).
    public func problem() throws(InputError) -> Problem {
        let k = rewards.count
        guard referenceWeights.count == k else {
            throw InputError(.sizeMismatch, field: "referenceWeights", problem: "has \(referenceWeights.count) entries but rewards has \(k)",
                             fix: "give one weight per response")
        }
        var total = CompensatedSum()
        for (i, w) in referenceWeights.enumerated() {
            guard w.isFinite, w > 0 else {
                throw InputError(.nonPositiveReference, field: "referenceWeights[\(i)]", problem: "is \(w)",
                                 fix: "every reference weight must be a finite number > 0")
            }
            total.add(w)
        }
        let sum = total.value
        guard sum.isFinite else {
            throw InputError(.outOfRange, field: "referenceWeights", problem: "sum beyond the double range",
                             fix: "use smaller weights")
        }
        // Weights that already sum to 1 within the schema's tolerance are kept as given (so a
        // preset read from an instance file gives back that file); others are divided by the sum.
        let reference = abs(sum - 1) <= normalizationTolerance ? referenceWeights : referenceWeights.map { $0 / sum }
        let pairDistribution: PairDistribution
        switch pairs {
        case "policy": pairDistribution = .policy
        case "reference": pairDistribution = .reference
        case "uniform": pairDistribution = .weights([Double](repeating: 1 / Double(max(k, 1)), count: k))
        default:
            throw InputError(.wrongType, field: "pairs", problem: "is \"\(pairs)\"", fix: "use \"policy\", \"reference\" or \"uniform\"")
        }
        switch (logits, features, theta) {
        case (let l?, nil, nil):
            return try Problem(beta: beta, features: nil, theta: l, reference: reference, rewards: rewards, pairs: pairDistribution)
        case (nil, let f?, let t?):
            return try Problem(beta: beta, features: f, theta: t, reference: reference, rewards: rewards, pairs: pairDistribution)
        default:
            throw InputError(.malformed, field: "logits", problem: "the policy is given neither as logits nor as features with theta",
                             fix: "give logits (tabular) or features and theta, not both")
        }
    }

    /// The draft of an instance (tabular: its theta are the logits). Nil for a form the page
    /// has no controls for (exported or sequence policies, explicit non-uniform pair weights).
    public init?(_ p: Problem) {
        guard !p.isExported else { return nil }
        let pairs: String
        switch p.pairs {
        case .policy: pairs = "policy"
        case .reference: pairs = "reference"
        case .weights(let w):
            guard Set(w).count == 1 else { return nil }
            pairs = "uniform"
        }
        self.init(beta: p.beta, logits: p.isTabular ? p.theta : nil, features: p.features,
                  theta: p.isTabular ? nil : p.theta, referenceWeights: p.reference, rewards: p.rewards, pairs: pairs)
    }
}
