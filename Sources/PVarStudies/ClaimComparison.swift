// The paired comparisons behind the paper's claims, read off a simulation result.

import Foundation
import PVarCore
import PVarGSL
import PVarSelect

/// A paired comparison between two strategies at one noise level, and what its 95% interval says.
public struct ClaimComparison: Sendable, Equatable {
    /// How the interval of `better - worse` lies relative to 0.
    public enum Verdict: String, Sendable {
        /// Entirely above 0: `better` wins in this world at this noise.
        case supported
        /// Entirely below 0: the opposite of the claim.
        case reversed
        /// Contains 0: no difference resolved with this many seeds.
        case unresolved
    }

    public let noise: Double
    /// The step after which the policies are compared.
    public let step: Int
    public let better: SelectionStrategy
    public let worse: SelectionStrategy
    public let metric: SimulationMetric
    /// Paired difference `better - worse` over seeds.
    public let difference: MeanInterval
    /// Whether the two strategies' own intervals overlap (the cruder, unpaired reading).
    public let intervalsOverlap: Bool

    public init(noise: Double, step: Int, better: SelectionStrategy, worse: SelectionStrategy, metric: SimulationMetric,
                difference: MeanInterval, intervalsOverlap: Bool) {
        self.noise = noise
        self.step = step
        self.better = better
        self.worse = worse
        self.metric = metric
        self.difference = difference
        self.intervalsOverlap = intervalsOverlap
    }

    public var verdict: Verdict {
        difference.lower > 0 ? .supported : difference.upper < 0 ? .reversed : .unresolved
    }
}

extension SimulationResult {
    /// The comparisons behind the paper's claims after `step` (default: the last) at every noise
    /// level, in this order per level: top 10% vs random 10%, top 10% vs bottom 10% (claim 1), top
    /// 10% vs full set (claim 2), each for the expected true reward and the win rate. Claim 3
    /// (robustness to noisier reward models) is how these verdicts change along the noise levels.
    public func claimComparisons(step: Int? = nil) -> [ClaimComparison] {
        let t = step ?? configuration.steps
        var out: [ClaimComparison] = []
        for (n, sigma) in configuration.noiseLevels.enumerated() {
            for worse in [SelectionStrategy.random10, .bottom10, .full] {
                for metric in SimulationMetric.allCases {
                    let a = summary(noiseIndex: n, .top10, metric, step: t), b = summary(noiseIndex: n, worse, metric, step: t)
                    out.append(ClaimComparison(noise: sigma, step: t, better: .top10, worse: worse, metric: metric,
                                               difference: difference(noiseIndex: n, .top10, worse, metric, step: t),
                                               intervalsOverlap: a.lower <= b.upper && b.lower <= a.upper))
                }
            }
        }
        return out
    }
}

/// The Bonferroni reading of a family of `familySize` paired comparisons at overall level 5%: a
/// comparison survives when its interval, widened from the 95% t quantile to the quantile at
/// `1 - 0.025 / familySize`, still excludes 0. With one comparison it is the comparison's own verdict.
public struct BonferroniCorrection: Sendable, Equatable {
    /// The two-sided level of each interval and of the family as a whole: 5%.
    public static let level = 0.05

    public let familySize: Int
    public let degreesOfFreedom: Int
    /// `t_{1 - 0.025/m, df} / t_{0.975, df}`: the factor applied to every 95% half-width (>= 1).
    public let widening: Double

    public init(familySize: Int, degreesOfFreedom: Int) {
        precondition(familySize >= 1 && degreesOfFreedom >= 1, "BonferroniCorrection: family and df must be >= 1")
        self.familySize = familySize
        self.degreesOfFreedom = degreesOfFreedom
        widening = studentTQuantile(1 - Self.level / 2 / Double(familySize), degreesOfFreedom: degreesOfFreedom)
            / studentTQuantile(1 - Self.level / 2, degreesOfFreedom: degreesOfFreedom)
    }

    /// How many of the family would exclude 0 by chance if no strategy differed: `level * familySize`.
    public var expectedFalseExclusions: Double { Self.level * Double(familySize) }

    /// Whether `k`'s widened interval excludes 0.
    public func survives(_ k: ClaimComparison) -> Bool {
        let h = k.difference.halfWidth * widening
        return k.difference.mean - h > 0 || k.difference.mean + h < 0
    }
}
