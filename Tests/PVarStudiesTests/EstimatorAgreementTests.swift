// The estimation study's estimator and the one `pvar select` uses are the same number.

import PVarCore
import PVarGSL
import PVarStudies
import PVarTestSupport
import Testing

@Suite("EstimatorAgreement")
struct EstimatorAgreementTests {
    @Test("the Estimators study's U (counts of sampled indices) equals unbiasedPVarEstimate of the sampled rewards")
    func studyEstimatorAgreesWithRewardsForm() {
        let rng = RandomSource(seed: deriveSeed(runSeed, [stableLabel("select"), stableLabel("study")]))
        var compared = 0
        for (r, f, i) in spread(3) {
            let e = evaluate(generator.instance(r, f, index: i))
            let estimand = PVarEstimand(e, target: .labels)
            for n in [2, 3, 8, 33] {
                let y = (0..<n).map { _ in rng.integer(0...(estimand.responseCount - 1)) }
                let study = estimand.estimate(responses: y).unbiased
                let direct = unbiasedPVarEstimate(rewards: y.map { e.problem.rewards[$0] })
                // The same n(n-1)/2 kernel values (bit for bit), summed in two orders.
                #expect(relativeError(study, direct) <= 2 * summationBound(terms: n * n),
                        "n = \(n): study \(study) vs rewards form \(direct); \(replay(r, f, i))")
                compared += 1
            }
        }
        #expect(compared >= 200)
    }
}
