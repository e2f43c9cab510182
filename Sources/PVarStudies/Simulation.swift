// The paper's experiment in a synthetic world where every quantity is exact (issue 7, section 1).
//
// A world of prompts with a shared log-linear policy, a true reward and reward models of several
// qualities. Per prompt, PVar is estimated from the reward model's scores of n responses sampled
// from the starting policy; prompts are selected by that estimate (or at random, or all), DPO is
// trained with exact gradients on the selected prompts, and the policy is evaluated exactly on
// held-out prompts. `Reports/selection.md` and `pvar simulate` print what `runSimulation` returns,
// and the `Simulation` suite asserts on the same functions.

import Foundation
import PVarCore
import PVarGSL
import PVarSelect
import PVarGSL

// MARK: - Settings

/// How the training prompts are chosen from the pool of `M` by their estimated PVar.
public enum SelectionStrategy: String, CaseIterable, Sendable {
    case top10, random10, bottom10, full, top25, top50

    /// The label in tables and plots.
    public var label: String {
        switch self {
        case .top10: "top 10%"
        case .random10: "random 10%"
        case .bottom10: "bottom 10%"
        case .full: "full set"
        case .top25: "top 25%"
        case .top50: "top 50%"
        }
    }

    /// The share of the pool that is selected, in percent.
    public var percent: Int {
        switch self {
        case .top10, .random10, .bottom10: 10
        case .full: 100
        case .top25: 25
        case .top50: 50
        }
    }

    /// The selection size rule of `pvar select` at this share (`SelectionSize.percent`).
    public var size: SelectionSize { .percent(numerator: UInt64(percent), decimals: 0) }

    /// Prompts selected from a pool of `m`: `ceil(m percent / 100)` (`SelectionSize.count(of:)`,
    /// the rule `pvar select --top P%` uses), at least 1 for a non-empty pool.
    public func selectedCount(of m: Int) -> Int { size.count(of: m) }
}

/// An invalid simulation setting; the message names the setting and the fix.
public struct SimulationError: Error, CustomStringConvertible, Sendable, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Every setting of the experiment; `pvar simulate` exposes the main ones.
///
/// Cost: one `Evaluation` per selected prompt and step (about 13 microseconds at K = d = 8), so
/// `seeds x levels x (steps + 1) x 2050` of them at M = 1000 (the six strategies select 2050
/// prompts in all): about 70 s on two cores in a release build at the defaults, linear in each
/// of seeds, noise levels, steps and M.
public struct SimulationConfiguration: Sendable, Equatable {
    /// `M`: the training pool the strategies select from.
    public var prompts = 1000
    /// Held-out prompts (a separate set drawn from the same distribution) for the evaluation.
    public var heldOutPrompts = 500
    /// `K`: candidate responses per prompt.
    public var responses = 8
    /// `d`: features per response (the dimension of theta).
    public var dimension = 8
    /// `n`: responses sampled from the starting policy for the PVar estimate of each prompt.
    public var sampleSize = 4
    /// Independent repetitions (a new world, reward-model errors, PVar samples and random subset each).
    public var seeds = 20
    /// Gradient steps, the same for every strategy.
    public var steps = 60
    /// Step size of gradient descent on the mean DPO loss, the same for every strategy. Chosen once
    /// by a pilot on the full set without reward-model noise (see `selection.md`) and then fixed.
    public var learningRate = 100.0
    /// DPO temperature.
    public var beta = 0.1
    /// Standard deviations of the reward models' errors (0: the true reward itself).
    public var noiseLevels: [Double] = [0, 0.5, 1, 2]
    /// Standard deviation of `log s_x`, the prompt's overall feature scale.
    public var promptScaleSpread = 0.5
    /// Standard deviation of `log g_{x,k}`, the prompt's per-feature gains.
    public var gainSpread = 0.5
    /// Standard deviation of the part of the true reward the features do not explain.
    public var trueRewardNoise = 0.25

    public init() {}

    /// Limits: large enough for any study on one machine, small enough that a typo does not run
    /// for hours or exhaust memory.
    public static let maximumPrompts = 100_000
    public static let maximumSeeds = 1000
    public static let maximumSteps = 100_000

    /// Checks every setting; the error names the setting (as `pvar simulate` spells its option).
    public func validate() throws(SimulationError) {
        func require(_ ok: Bool, _ message: @autoclosure () -> String) throws(SimulationError) {
            if !ok { throw SimulationError(message()) }
        }
        try require((10...Self.maximumPrompts).contains(prompts),
                    "prompts: must be in 10...\(Self.maximumPrompts) (10% of them at least one prompt), got \(prompts)")
        try require((1...Self.maximumPrompts).contains(heldOutPrompts),
                    "held-out: must be in 1...\(Self.maximumPrompts), got \(heldOutPrompts)")
        try require((2...64).contains(responses), "responses: must be in 2...64 (K), got \(responses)")
        try require((1...64).contains(dimension), "dim: must be in 1...64 (d), got \(dimension)")
        try require((2...1000).contains(sampleSize),
                    "sample-size: must be in 2...1000 (the unbiased estimate needs two responses), got \(sampleSize)")
        try require((2...Self.maximumSeeds).contains(seeds),
                    "seeds: must be in 2...\(Self.maximumSeeds) (a confidence interval needs two), got \(seeds)")
        try require((1...Self.maximumSteps).contains(steps), "steps: must be in 1...\(Self.maximumSteps), got \(steps)")
        try require(learningRate.isFinite && learningRate > 0, "learning-rate: must be a finite number > 0, got \(learningRate)")
        try require(beta.isFinite && beta > 0, "beta: must be a finite number > 0, got \(beta)")
        try require(!noiseLevels.isEmpty && noiseLevels.count <= 16, "noise: give 1 to 16 levels, got \(noiseLevels.count)")
        for (i, s) in noiseLevels.enumerated() {
            try require(s.isFinite && s >= 0 && s <= 100, "noise[\(i)]: must be a finite number in [0, 100], got \(s)")
        }
        for (name, v) in [("prompt-scale spread", promptScaleSpread), ("gain spread", gainSpread),
                          ("true-reward noise", trueRewardNoise)] {
            try require(v.isFinite && v >= 0 && v <= 5, "\(name): must be in [0, 5], got \(v)")
        }
        try require(prompts * responses * dimension <= 1 << 26 && heldOutPrompts * responses * dimension <= 1 << 26,
                    "prompts x responses x dim: at most 2^26 feature entries per set (memory), "
                        + "got \(max(prompts, heldOutPrompts) * responses * dimension)")
    }

    /// The starting policy `pi_0` (theta_0 = 0), which is also the reference: uniform over the K responses.
    public var reference: [Double] { [Double](repeating: 1 / Double(responses), count: responses) }
}

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
private func startingProblem(_ prompt: SimulationPrompt, rewards: [Double], _ c: SimulationConfiguration) throws(InputError) -> Problem {
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

// MARK: - Training

/// The training objective: the mean over the selected prompts of the per-prompt offline DPO loss
/// at theta, `(1/|S|) sum_{x in S} L_x(theta)`, each `L_x` with labels from the reward model's
/// scores, pairs from `pi_0` (fixed while training) and reference `pi_0`, evaluated exactly by
/// `Evaluation` (loss and the exact gradient `2 beta Phi^T c`).
public struct TrainingObjective: Sendable {
    public let configuration: SimulationConfiguration
    public let prompts: [SimulationPrompt]
    /// The reward-model scores that label each prompt's pairs.
    public let labels: [[Double]]

    public init(_ c: SimulationConfiguration, prompts: [SimulationPrompt], labels: [[Double]]) {
        precondition(!prompts.isEmpty && prompts.count == labels.count, "TrainingObjective: one label vector per prompt")
        self.configuration = c
        self.prompts = prompts
        self.labels = labels
    }

    /// The mean loss and its exact gradient at `theta` (sums compensated, in prompt order).
    ///
    /// - Throws: `SimulationError` when theta has left the range `Evaluation` accepts (logits
    ///   overflow: the step size is far too large).
    public func lossAndGradient(_ theta: [Double]) throws(SimulationError) -> (loss: Double, gradient: [Double]) {
        let c = configuration
        var loss = CompensatedSum()
        var gradient = [CompensatedSum](repeating: CompensatedSum(), count: c.dimension)
        for (x, prompt) in prompts.enumerated() {
            let e: Evaluation
            do {
                e = try Evaluation(Problem(beta: c.beta, features: prompt.features, theta: theta,
                                           reference: c.reference, rewards: labels[x], pairs: .reference))
            } catch {
                throw SimulationError("learning-rate: training left the representable range (\(error.description)); "
                                      + "use a smaller learning rate than \(c.learningRate)")
            }
            loss.add(e.loss)
            for j in 0..<c.dimension { gradient[j].add(e.gradient[j]) }
        }
        let m = Double(prompts.count)
        return (loss.value / m, gradient.map { $0.value / m })
    }

    /// The mean loss alone.
    public func loss(_ theta: [Double]) throws(SimulationError) -> Double { try lossAndGradient(theta).loss }
}

/// The held-out evaluation of a policy `pi_theta(y | x) = softmax_y(theta . phi(x, y))`, exact
/// (sums over the K responses, no sampling), averaged over the held-out prompts:
///
/// - expected true reward `E_{y ~ pi_theta}[r*(x, y)] = sum_y pi_theta(y) r*(y)`;
/// - win rate against the reference `P(r*(y) > r*(y')) + (1/2) P(r*(y) = r*(y'))`, `y ~ pi_theta`,
///   `y' ~ pi_0` independent. As `pi_0` is fixed, `W_y = sum_{y'} pi_0(y') ([r*_y > r*_y'] +
///   [r*_y = r*_y'] / 2)` is computed once and the win rate is `sum_y pi_theta(y) W_y`, O(K) per
///   prompt instead of O(K^2); at theta = 0 it is exactly 1/2.
///
/// The softmax is shifted by the largest logit (log-sum-exp), so no logit overflows.
public struct HeldOutEvaluator: Sendable {
    let responses: Int
    let dimension: Int
    let features: [Double]
    let trueRewards: [Double]
    let winWeights: [Double]
    public let count: Int

    public init(_ prompts: [SimulationPrompt], reference: [Double]) {
        let k = reference.count
        count = prompts.count
        responses = k
        dimension = prompts.first?.features.first?.count ?? 0
        features = prompts.flatMap { $0.features.flatMap { $0 } }
        trueRewards = prompts.flatMap(\.trueRewards)
        var w = [Double](repeating: 0, count: prompts.count * k)
        for (x, p) in prompts.enumerated() {
            for y in 0..<k {
                var s = 0.0
                for z in 0..<k {
                    if p.trueRewards[y] > p.trueRewards[z] { s += reference[z] } else if p.trueRewards[y] == p.trueRewards[z] { s += reference[z] / 2 }
                }
                w[x * k + y] = s
            }
        }
        winWeights = w
    }

    /// Mean expected true reward and mean win rate against the reference at `theta`.
    public func metrics(_ theta: [Double]) -> (expectedReward: Double, winRate: Double) {
        let k = responses, d = dimension
        var reward = CompensatedSum(), win = CompensatedSum()
        var logits = [Double](repeating: 0, count: k)
        for x in 0..<count {
            var top = -Double.infinity
            for y in 0..<k {
                var z = 0.0
                let base = (x * k + y) * d
                for j in 0..<d { z += features[base + j] * theta[j] }
                logits[y] = z
                top = max(top, z)
            }
            var total = 0.0, r = 0.0, v = 0.0
            for y in 0..<k {
                let e = exp(logits[y] - top)
                total += e
                r += e * trueRewards[x * k + y]
                v += e * winWeights[x * k + y]
            }
            reward.add(r / total)
            win.add(v / total)
        }
        return (reward.value / Double(count), win.value / Double(count))
    }

    /// Mean over prompts of the best response's true reward (the most any policy can reach).
    public var bestResponseReward: Double {
        var s = CompensatedSum()
        for x in 0..<count { s.add(trueRewards[(x * responses)..<((x + 1) * responses)].max() ?? 0) }
        return s.value / Double(count)
    }
}

/// One strategy's training run in one seed at one noise level.
public struct TrainingRun: Sendable, Equatable {
    public let strategy: SelectionStrategy
    public let selectedCount: Int
    /// Held-out expected true reward after each step (entry 0: the starting policy).
    public let heldOutReward: [Double]
    /// Held-out win rate against the reference after each step (entry 0: exactly 1/2).
    public let heldOutWinRate: [Double]
    /// The mean training loss over the selected prompts after each step (entry 0: log 2 at theta = 0).
    public let trainingLoss: [Double]
    /// `||grad||` of the mean training loss at the starting policy.
    public let initialGradientNorm: Double
    /// Mean over the selected prompts of the exact true-reward PVar at the starting policy.
    public let selectedTruePVar: Double
}

extension TrainingRun {
    /// Steps at the end of training inspected by `unsettled`.
    public static let settleWindow = 10

    /// Whether gradient descent had not settled by the end: the training loss rose in one of the
    /// last `settleWindow` steps by more than rounding (1e-12 relative, far above the rounding of a
    /// mean of O(1) losses). Full-batch gradient descent on a smooth loss only rises when the
    /// step size exceeds `2 / L` for the selected prompts, i.e. when the iterates oscillate.
    public var unsettled: Bool {
        let l = trainingLoss
        guard l.count >= 2 else { return false }
        let first = max(1, l.count - Self.settleWindow)
        return (first..<l.count).contains { l[$0] > l[$0 - 1] * (1 + 1e-12) }
    }
}

/// Gradient descent with the configuration's step size and number of steps on `objective`, from
/// theta = 0, recording the held-out metrics and the training loss after every step.
public func train(_ objective: TrainingObjective, strategy: SelectionStrategy, heldOut: HeldOutEvaluator,
                  selectedTruePVar: Double) throws(SimulationError) -> TrainingRun {
    let c = objective.configuration
    var theta = [Double](repeating: 0, count: c.dimension)
    var rewards: [Double] = [], wins: [Double] = [], losses: [Double] = []
    rewards.reserveCapacity(c.steps + 1)
    wins.reserveCapacity(c.steps + 1)
    losses.reserveCapacity(c.steps + 1)
    var initialNorm = 0.0
    func record() {
        let m = heldOut.metrics(theta)
        rewards.append(m.expectedReward)
        wins.append(m.winRate)
    }
    record()
    for step in 0..<c.steps {
        let (loss, gradient) = try objective.lossAndGradient(theta)
        losses.append(loss)
        if step == 0 { initialNorm = euclideanNorm(gradient) }
        for j in 0..<c.dimension { theta[j] -= c.learningRate * gradient[j] }
        record()
    }
    losses.append(try objective.loss(theta))
    return TrainingRun(strategy: strategy, selectedCount: objective.prompts.count, heldOutReward: rewards,
                       heldOutWinRate: wins, trainingLoss: losses, initialGradientNorm: initialNorm,
                       selectedTruePVar: selectedTruePVar)
}

// MARK: - One seed at one noise level

/// Every strategy's run in one seed at one reward-model noise level, and how well the estimated
/// PVar tracks the true one there.
public struct SeedOutcome: Sendable, Equatable {
    public let seedIndex: Int
    public let noise: Double
    /// One run per strategy, in `SelectionStrategy.allCases` order.
    public let runs: [TrainingRun]
    /// Share of the top 10% by estimated PVar that is also in the top 10% by exact true PVar.
    public let topOverlap: Double
    /// Spearman's rank correlation between estimated and exact true PVar over the training pool.
    public let rankCorrelation: Double
    /// Mean over the pool of the exact PVar of the reward model's labels (at the starting policy).
    public let meanRewardModelPVar: Double
    /// Held-out: the starting policy's expected true reward and the best response's.
    public let referenceReward: Double
    public let bestResponseReward: Double

    public func run(_ s: SelectionStrategy) -> TrainingRun { runs[SelectionStrategy.allCases.firstIndex(of: s)!] }
}

/// Runs seed `seedIndex` at noise level `noiseLevels[noiseIndex]`: draws the world, estimates each
/// training prompt's PVar from the reward model, selects, trains every strategy and evaluates.
public func simulateSeed(_ c: SimulationConfiguration, runSeed: UInt64, seedIndex: Int,
                         noiseIndex: Int) throws(SimulationError) -> SeedOutcome {
    let world = SimulationWorld(c, runSeed: runSeed, seedIndex: seedIndex)
    let sigma = c.noiseLevels[noiseIndex]
    let m = c.prompts
    var estimates = [Double](repeating: 0, count: m)
    var truePVar = [Double](repeating: 0, count: m)
    var rmPVar = CompensatedSum()
    var labels: [[Double]] = []
    labels.reserveCapacity(m)
    for x in 0..<m {
        let scores = world.rewardModelScores(prompt: x, noise: sigma)
        labels.append(scores)
        do {
            let (u, exact) = try estimatedPVar(world.training[x], rewards: scores, samples: world.pvarSamples[x], c)
            estimates[x] = u
            rmPVar.add(exact)
            truePVar[x] = try Evaluation(startingProblem(world.training[x], rewards: world.training[x].trueRewards, c)).pvarLabels
        } catch {
            throw SimulationError("seed \(seedIndex), prompt \(x): the starting policy cannot be evaluated (\(error.description))")
        }
    }
    let heldOut = HeldOutEvaluator(world.heldOut, reference: c.reference)
    var runs: [TrainingRun] = []
    for strategy in SelectionStrategy.allCases {
        let selected = selectTrainingPrompts(strategy, estimates: estimates, randomOrder: world.randomOrder)
        var pv = CompensatedSum()
        for x in selected { pv.add(truePVar[x]) }
        let objective = TrainingObjective(c, prompts: selected.map { world.training[$0] }, labels: selected.map { labels[$0] })
        runs.append(try train(objective, strategy: strategy, heldOut: heldOut,
                              selectedTruePVar: pv.value / Double(selected.count)))
    }
    let top = SelectionStrategy.top10.selectedCount(of: m)
    let trueTop = Set(topIndices(truePVar, top))
    let overlap = Double(topIndices(estimates, top).filter(trueTop.contains).count) / Double(top)
    return SeedOutcome(seedIndex: seedIndex, noise: sigma, runs: runs, topOverlap: overlap,
                       rankCorrelation: spearman(estimates, truePVar), meanRewardModelPVar: rmPVar.value / Double(m),
                       referenceReward: heldOut.metrics([Double](repeating: 0, count: c.dimension)).expectedReward,
                       bestResponseReward: heldOut.bestResponseReward)
}

/// Ranks `1...n` with tied values sharing their mean rank.
private func averageRanks(_ v: [Double]) -> [Double] {
    let order = v.indices.sorted { v[$0] != v[$1] ? v[$0] < v[$1] : $0 < $1 }
    var ranks = [Double](repeating: 0, count: v.count)
    var i = 0
    while i < order.count {
        var j = i
        while j + 1 < order.count && v[order[j + 1]] == v[order[i]] { j += 1 }
        let r = Double(i + j) / 2 + 1
        for t in i...j { ranks[order[t]] = r }
        i = j + 1
    }
    return ranks
}

/// Spearman's rank correlation (Pearson's correlation of the average ranks); 0 if either is constant.
public func spearman(_ a: [Double], _ b: [Double]) -> Double {
    precondition(a.count == b.count && a.count >= 2, "spearman: two samples of equal size >= 2")
    let ra = averageRanks(a), rb = averageRanks(b)
    let mean = Double(a.count + 1) / 2
    var sab = 0.0, saa = 0.0, sbb = 0.0
    for i in a.indices {
        let x = ra[i] - mean, y = rb[i] - mean
        sab += x * y
        saa += x * x
        sbb += y * y
    }
    return saa > 0 && sbb > 0 ? sab / (saa * sbb).squareRoot() : 0
}

// MARK: - The experiment

/// What is measured at the end of training.
public enum SimulationMetric: String, CaseIterable, Sendable {
    case expectedReward, winRate

    public var label: String { self == .expectedReward ? "expected true reward" : "win rate against the reference" }
}

/// The whole experiment: one `SeedOutcome` per (seed, noise level).
public struct SimulationResult: Sendable, Equatable {
    public let configuration: SimulationConfiguration
    public let runSeed: UInt64
    /// Index `seed * noiseLevels.count + noiseIndex`.
    public let outcomes: [SeedOutcome]

    public func outcome(seed: Int, noiseIndex: Int) -> SeedOutcome {
        outcomes[seed * configuration.noiseLevels.count + noiseIndex]
    }

    /// One value per seed (seed order): `metric` after `step` (default: the last) for `strategy`.
    public func values(noiseIndex: Int, _ strategy: SelectionStrategy, _ metric: SimulationMetric, step: Int? = nil) -> [Double] {
        (0..<configuration.seeds).map { s in
            let run = outcome(seed: s, noiseIndex: noiseIndex).run(strategy)
            let curve = metric == .expectedReward ? run.heldOutReward : run.heldOutWinRate
            return curve[step ?? configuration.steps]
        }
    }

    /// Mean over seeds with its 95% confidence interval.
    public func summary(noiseIndex: Int, _ strategy: SelectionStrategy, _ metric: SimulationMetric, step: Int? = nil) -> MeanInterval {
        MeanInterval(values(noiseIndex: noiseIndex, strategy, metric, step: step))
    }

    /// The paired difference `a - b` over seeds (both strategies share each seed's world), with its
    /// 95% confidence interval: the evidence behind a claim that `a` beats `b`.
    public func difference(noiseIndex: Int, _ a: SelectionStrategy, _ b: SelectionStrategy,
                           _ metric: SimulationMetric, step: Int? = nil) -> MeanInterval {
        MeanInterval(zip(values(noiseIndex: noiseIndex, a, metric, step: step),
                         values(noiseIndex: noiseIndex, b, metric, step: step)).map { $0 - $1 })
    }

    /// A per-seed quantity of the outcomes at one noise level, summarised over seeds.
    public func summary(noiseIndex: Int, _ quantity: (SeedOutcome) -> Double) -> MeanInterval {
        MeanInterval((0..<configuration.seeds).map { quantity(outcome(seed: $0, noiseIndex: noiseIndex)) })
    }
}

/// Runs the experiment: every seed at every noise level, one task per (seed, level), at most
/// `threads` at a time (all cores by default). Each task draws its world from its own streams
/// (`deriveSeed(runSeed, [component, seed])`) and results are stored by index, so the result is
/// identical for any number of threads.
public func runSimulation(_ c: SimulationConfiguration, runSeed: UInt64,
                          threads: Int? = nil) async throws(SimulationError) -> SimulationResult {
    try c.validate()
    let levels = c.noiseLevels.count
    let tasks = (0..<(c.seeds * levels)).map { (c, $0 / levels, $0 % levels) }
    return SimulationResult(configuration: c, runSeed: runSeed,
                            outcomes: try await simulateSeeds(tasks, runSeed: runSeed, threads: threads))
}

/// `simulateSeed` of every (configuration, seed, noise index), at most `threads` at a time;
/// results in the order given (stored by index, so independent of the number of threads); the
/// first error in that order is thrown.
func simulateSeeds(_ tasks: [(SimulationConfiguration, Int, Int)], runSeed: UInt64,
                   threads: Int?) async throws(SimulationError) -> [SeedOutcome] {
    let limit = max(1, threads ?? ProcessInfo.processInfo.activeProcessorCount)
    let results = await withTaskGroup(of: (Int, Result<SeedOutcome, SimulationError>).self) { group in
        var all = [Result<SeedOutcome, SimulationError>?](repeating: nil, count: tasks.count)
        for (i, (c, seed, noise)) in tasks.enumerated() {
            if i >= limit, let (done, r) = await group.next() { all[done] = r }
            group.addTask {
                (i, Result { () throws(SimulationError) -> SeedOutcome in
                    try simulateSeed(c, runSeed: runSeed, seedIndex: seed, noiseIndex: noise)
                })
            }
        }
        for await (i, r) in group { all[i] = r }
        return all
    }
    var outcomes: [SeedOutcome] = []
    outcomes.reserveCapacity(tasks.count)
    for r in results {
        switch r! {
        case .success(let o): outcomes.append(o)
        case .failure(let e): throw e
        }
    }
    return outcomes
}

// MARK: - Choosing the learning rate once

/// The pilot that fixes the learning rate shared by every strategy: for each step size of a grid,
/// the experiment without reward-model noise (sigma = 0) on its own seeds, scored by the mean over
/// the six strategies of the held-out expected true reward after the last step (a criterion that
/// favours no strategy). The default `SimulationConfiguration.learningRate` is the grid's best
/// under the default settings; `selection.md` shows the pilot so a reader can check it.
public struct LearningRatePilot: Sendable, Equatable {
    /// The pilot's own run seed (never the experiment's, so the choice does not peek at the data
    /// it is evaluated on).
    public let runSeed: UInt64
    public let seeds: Int
    public let grid: [Double]
    /// `[grid index][strategy]`: mean over the pilot seeds of the final held-out reward.
    public let rewards: [[Double]]

    public init(runSeed: UInt64, seeds: Int, grid: [Double], rewards: [[Double]]) {
        self.runSeed = runSeed
        self.seeds = seeds
        self.grid = grid
        self.rewards = rewards
    }

    /// The criterion per step size: the mean over strategies of `rewards`.
    public var scores: [Double] { rewards.map { $0.reduce(0, +) / Double($0.count) } }
    /// The step size with the best score (the smaller one on a tie).
    public var best: Double { grid[scores.indices.max { scores[$0] < scores[$1] || (scores[$0] == scores[$1] && $0 > $1) }!] }

    /// Score gap below which the runner-up is a near tie with the best step size: 0.005 of held-out
    /// expected reward. Reason: the pilot averages `pilotSeeds` (3) seeds and computes no interval;
    /// seed-to-seed differences of the final reward in this world are a few thousandths, so a gap
    /// below 0.005 does not separate the two rates and the report says the choice is a tie.
    public static let nearTieGap = 0.005

    /// The second-best step size and its score gap to the best (`nil` with fewer than two).
    public var runnerUp: (rate: Double, gap: Double)? {
        let order = scores.indices.sorted { scores[$0] > scores[$1] }
        guard order.count >= 2 else { return nil }
        return (grid[order[1]], scores[order[0]] - scores[order[1]])
    }

    /// Whether the runner-up scores within `nearTieGap` of the best.
    public var isNearTie: Bool { runnerUp.map { $0.gap < Self.nearTieGap } ?? false }
}

/// The pilot's default grid and seeds.
public let pilotLearningRates: [Double] = [3, 10, 30, 100, 300]
public let pilotSeeds = 3
/// The pilot's run seed (fixed: the learning rate is chosen once, not per report seed).
public let pilotRunSeed: UInt64 = 20_260_007

/// Runs the pilot for `base` (its noise levels and learning rate are replaced).
public func learningRatePilot(_ base: SimulationConfiguration, grid: [Double] = pilotLearningRates,
                              seeds: Int = pilotSeeds, runSeed: UInt64 = pilotRunSeed,
                              threads: Int? = nil) async throws(SimulationError) -> LearningRatePilot {
    let configurations = grid.map { rate in
        var c = base
        c.noiseLevels = [0]
        c.learningRate = rate
        c.seeds = seeds
        return c
    }
    for c in configurations { try c.validate() }
    let tasks = configurations.flatMap { c in (0..<seeds).map { (c, $0, 0) } }
    let outcomes = try await simulateSeeds(tasks, runSeed: runSeed, threads: threads)
    let rewards = grid.indices.map { g in
        SelectionStrategy.allCases.map { s in
            MeanInterval((0..<seeds).map { outcomes[g * seeds + $0].run(s).heldOutReward.last! }).mean
        }
    }
    return LearningRatePilot(runSeed: runSeed, seeds: seeds, grid: grid, rewards: rewards)
}
