// The decisions the selection report shows, tested on each side of their thresholds: the
// Bonferroni reading of the claim tables and the pilot's near tie.

import PVarStudies
import Testing

@Suite("StudyDecisions")
struct StudyDecisionTests {
    /// Paired differences whose 95% interval is `[a - H, a + H]`: fixed deviations around the mean
    /// `a` (the half-width `H` does not depend on `a`).
    static let deviations = [-1.0, -0.5, 0, 0.5, 1.0, -0.25, 0.25, 0.75, -0.75, 0.1,
                             -0.1, 0.3, -0.3, 0.6, -0.6, 0.9, -0.9, 0.05, -0.05, 0]

    static func comparison(meanOverHalfWidth t: Double) -> ClaimComparison {
        let h = MeanInterval(deviations).halfWidth
        let d = MeanInterval(deviations.map { $0 + t * h })
        return ClaimComparison(noise: 0, step: 1, better: .top10, worse: .full, metric: .expectedReward,
                               difference: d, intervalsOverlap: true)
    }

    @Test("a family of one comparison reads as the comparison itself: widening exactly 1")
    func familyOfOneIsTheComparison() {
        let one = BonferroniCorrection(familySize: 1, degreesOfFreedom: Self.deviations.count - 1)
        #expect(one.widening == 1)
        for t in [-1.5, -1.01, -0.99, 0, 0.99, 1.01, 1.5] {
            let k = Self.comparison(meanOverHalfWidth: t)
            #expect(one.survives(k) == (k.verdict != .unresolved), "mean/halfWidth \(t)")
        }
    }

    @Test("Bonferroni over 24 comparisons: an interval that excludes 0 survives only past the widened quantile, on both sides of 0")
    func survivesExactlyPastTheWidenedQuantile() {
        let c = BonferroniCorrection(familySize: 24, degreesOfFreedom: Self.deviations.count - 1)
        #expect(c.widening > 1.3 && c.widening < 2, "t(1 - 0.025/24, 19) / t(0.975, 19) = \(c.widening)")
        for sign in [1.0, -1.0] {
            let inside = Self.comparison(meanOverHalfWidth: sign * c.widening * 0.99)
            let outside = Self.comparison(meanOverHalfWidth: sign * c.widening * 1.01)
            #expect(inside.verdict != .unresolved && !c.survives(inside), "resolved at 95% but not after the correction")
            #expect(c.survives(outside))
        }
    }

    static func pilot(gap: Double) -> LearningRatePilot {
        // Two strategies, three rates: the best scores 0.5, the runner-up 0.5 - gap, the last 0.
        LearningRatePilot(runSeed: 1, seeds: 3, grid: [3, 10, 30], rewards: [[0.5 - gap, 0.5 - gap], [0.5, 0.5], [0, 0]])
    }

    @Test("the pilot's runner-up is a near tie just inside nearTieGap and not just outside it")
    func nearTieFlipsAtTheGap() throws {
        let g = LearningRatePilot.nearTieGap
        let inside = Self.pilot(gap: g / 2), outside = Self.pilot(gap: 2 * g)
        #expect(inside.isNearTie && !outside.isNearTie)
        let r = try #require(inside.runnerUp)
        #expect(r.rate == 3 && abs(r.gap - g / 2) <= 1e-15 && inside.best == 10)
        #expect(!LearningRatePilot(runSeed: 1, seeds: 3, grid: [3], rewards: [[0.5]]).isNearTie, "one rate: no runner-up")
    }
}
