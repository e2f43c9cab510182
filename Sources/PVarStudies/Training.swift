// Exact DPO training on the selected prompts and the exact held-out evaluation.

import Foundation
import PVarCore
import PVarGSL
import PVarSelect

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
