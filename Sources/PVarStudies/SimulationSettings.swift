// The simulation's settings: the selection strategies, the configuration and its validation.

import Foundation
import PVarCore
import PVarGSL
import PVarSelect

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
