// The simulation's world: prompts with features and true rewards, and PVar at the starting policy.

import Foundation
import PVarCore
import PVarGSL
import PVarSelect

// MARK: - The world

/// One prompt: its K feature rows `phi(x, y)` and the true reward `r*(x, y)` of each response.
public struct SimulationPrompt: Sendable, Equatable {
    public let features: [[Double]]
    public let trueRewards: [Double]
    public init(features: [[Double]], trueRewards: [Double]) {
        self.features = features
        self.trueRewards = trueRewards
    }
}

/// Everything random in one seed, drawn from GSL (mt19937) with one stream per component, so
/// changing one setting (say the held-out count) leaves the other components' draws unchanged:
///
/// - true weights `w*` uniform on the unit sphere (a standard normal vector divided by its norm;
///   a fixed norm keeps the reward scale, and so the ceiling, the same in every seed);
/// - each prompt: a scale `s_x = exp(a Z)`, gains `g_{x,k} = exp(b Z_k)` and features
///   `phi(x, y)_k = s_x g_{x,k} Z_{y,k}` (standard normal `Z`s; `a = promptScaleSpread`,
///   `b = gainSpread`). The prompt-specific part is multiplicative on purpose: an additive
///   prompt part `m_x` would cancel from the softmax and from every reward difference, so it
///   could not matter. Prompts differ in how far apart their responses are (`s_x`) and in which
///   directions (`g_x`), and one shared theta serves all of them, so training on some prompts
///   moves the policy on the others;
/// - true reward `r*(x, y) = w* . phi(x, y) + nu E_{x,y}` with `E ~ N(0, 1)`, `nu = trueRewardNoise`:
///   the part no theta can represent. With `s_x` it makes some prompts' true PVar high and
///   others' low;
/// - reward-model errors `eps_{x,y} ~ N(0, 1)`, one per training response; the model with noise
///   level sigma scores `r*(x, y) + sigma eps_{x,y}` (common random numbers: every level rescales
///   the same errors, so levels differ only in sigma);
/// - per training prompt, `n` responses drawn from `pi_0` (GSL `gsl_ran_discrete`) for its PVar
///   estimate, shared by every noise level;
/// - a uniformly random order of the training prompts (Fisher–Yates); `random 10%` takes its start.
public struct SimulationWorld: Sendable {
    public let configuration: SimulationConfiguration
    public let seedIndex: Int
    public let trueWeights: [Double]
    public let training: [SimulationPrompt]
    public let heldOut: [SimulationPrompt]
    /// `eps_{x,y}` per training prompt and response.
    public let rewardModelErrors: [[Double]]
    /// The `n` responses sampled from `pi_0` per training prompt.
    public let pvarSamples: [[Int]]
    /// A random permutation of the training prompt indices.
    public let randomOrder: [Int]

    public init(_ c: SimulationConfiguration, runSeed: UInt64, seedIndex: Int) {
        func stream(_ name: String) -> RandomSource {
            RandomSource(seed: deriveSeed(runSeed, [stableLabel("simulation-" + name), UInt64(seedIndex)]))
        }
        self.configuration = c
        self.seedIndex = seedIndex
        let d = c.dimension, k = c.responses
        let weightStream = stream("true-weights")
        let direction = (0..<d).map { _ in weightStream.gaussian() }
        let norm = euclideanNorm(direction)
        let w = direction.map { $0 / norm }
        func prompts(_ count: Int, _ rng: RandomSource) -> [SimulationPrompt] {
            (0..<count).map { _ in
                let scale = exp(c.promptScaleSpread * rng.gaussian())
                let gains = (0..<d).map { _ in scale * exp(c.gainSpread * rng.gaussian()) }
                let features = (0..<k).map { _ in (0..<d).map { j in gains[j] * rng.gaussian() } }
                let rewards = features.map { phi in
                    var s = CompensatedSum()
                    for j in 0..<d { s.add(w[j] * phi[j]) }
                    return s.value + c.trueRewardNoise * rng.gaussian()
                }
                return SimulationPrompt(features: features, trueRewards: rewards)
            }
        }
        self.trueWeights = w
        self.training = prompts(c.prompts, stream("training-prompts"))
        self.heldOut = prompts(c.heldOutPrompts, stream("held-out-prompts"))
        let errorStream = stream("reward-model")
        self.rewardModelErrors = (0..<c.prompts).map { _ in (0..<k).map { _ in errorStream.gaussian() } }
        let sampleStream = stream("pvar-samples")
        let sampler = ResponseSampler(weights: c.reference)
        self.pvarSamples = (0..<c.prompts).map { _ in sampler.draw(count: c.sampleSize, sampleStream) }
        let orderStream = stream("random-subset")
        var order = Array(0..<c.prompts)
        for i in stride(from: order.count - 1, to: 0, by: -1) {
            order.swapAt(i, orderStream.integer(0...i))
        }
        self.randomOrder = order
    }

    /// The scores of the reward model with error level `sigma`: `r*(x, y) + sigma eps_{x,y}`.
    public func rewardModelScores(prompt x: Int, noise sigma: Double) -> [Double] {
        zip(training[x].trueRewards, rewardModelErrors[x]).map { $0 + sigma * $1 }
    }
}

// MARK: - PVar at the starting policy

/// The one-prompt problem at the starting policy (theta = 0, which is the reference), labels
/// `q(i, j) = sigmoid(r_i - r_j)` from `rewards`, pairs from `pi_0`.
func startingProblem(_ prompt: SimulationPrompt, rewards: [Double], _ c: SimulationConfiguration) throws(InputError) -> Problem {
    try Problem(beta: c.beta, features: prompt.features, theta: [Double](repeating: 0, count: c.dimension),
                reference: c.reference, rewards: rewards, pairs: .reference)
}

/// A prompt's PVar as a practitioner estimates it: the unbiased U-statistic
/// `U = (1 / (n (n-1))) sum_{a != b} (sigmoid(r_a - r_b) - 1/2)^2` over the reward model's scores
/// `r_a` of the `n` sampled responses (`unbiasedPVarEstimate(rewards:)`, the implementation behind
/// `pvar select`). Also returns the exact `PVar_labels` of the same reward model over pairs from
/// `pi_0` (`Evaluation.pvarLabels`), which `U` estimates without bias.
public func estimatedPVar(_ prompt: SimulationPrompt, rewards: [Double], samples: [Int],
                          _ c: SimulationConfiguration) throws(InputError) -> (estimate: Double, exact: Double) {
    let e = try Evaluation(startingProblem(prompt, rewards: rewards, c))
    return (unbiasedPVarEstimate(rewards: samples.map { rewards[$0] }), e.pvarLabels)
}

/// The training prompts `strategy` selects, given each prompt's estimated PVar and the world's
/// random order; sorted by index (the order of the sum in the training loss).
public func selectTrainingPrompts(_ strategy: SelectionStrategy, estimates: [Double], randomOrder: [Int]) -> [Int] {
    let m = estimates.count
    let count = strategy.selectedCount(of: m)
    let chosen: [Int] = switch strategy {
    case .top10, .top25, .top50: topIndices(estimates, count)
    case .bottom10: bottomIndices(estimates, count)
    case .random10: Array(randomOrder.prefix(count))
    case .full: Array(0..<m)
    }
    return chosen.sorted()
}
