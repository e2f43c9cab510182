// The analytic gradient 2 beta Phi^T c against GSL's numerical derivative.

import Foundation
import PVarCore
import PVarGSL
import PVarTestSupport
import Testing

/// How many of GSL's own error estimates the analytic and numerical derivatives may differ by.
/// `gsl_deriv_central` returns an estimate (not a bound) of its rounding plus truncation error;
/// a factor of 10 absorbs the estimate's own slack while any error in the analytic formula
/// (a wrong factor, a missing term) shows up at the size of the derivative itself.
let derivativeSafetyFactor = 10.0

@Suite("Gradient")
struct GradientTests {
    @Test("2 beta Phi^T c equals the central-difference derivative of L in every coordinate")
    func analyticGradientMatchesNumericalDerivative() throws {
        var checked = 0
        for f in [Family.gaussian, .heavyTailed, .tabular, .nearOneHot] {
            for i in 0..<60 {
                let p = generator.instance(.general, f, index: i)
                // mu is held fixed when differentiating: freeze it as explicit weights.
                let e0 = evaluate(p)
                let frozen = try Problem(beta: p.beta, features: p.features, theta: p.theta, reference: p.reference,
                                         rewards: p.rewards, pairs: .weights(e0.pairWeights))
                let e = try Evaluation(frozen)
                let scale = max(1, e.scoreBound) * max(1, p.beta)
                for c in 0..<min(p.dimension, 4) {
                    guard let d = centralDerivative(at: 0, step: 1e-3 / scale, of: { t in
                        var theta = frozen.theta
                        theta[c] += t
                        let q = try? Problem(beta: frozen.beta, features: frozen.features, theta: theta,
                                             reference: frozen.reference, rewards: frozen.rewards, pairs: frozen.pairs)
                        return q.flatMap { try? Evaluation($0).loss } ?? .nan
                    }) else {
                        Issue.record("gsl_deriv_central failed; \(replay(.general, f, i))")
                        continue
                    }
                    let tolerance = derivativeSafetyFactor * d.errorEstimate + 4 * Double.ulpOfOne * abs(e.gradient[c])
                    #expect(abs(e.gradient[c] - d.value) <= tolerance,
                            "coordinate \(c): analytic \(e.gradient[c]), numerical \(d.value) +- \(d.errorEstimate); \(replay(.general, f, i))")
                    checked += 1
                }
            }
        }
        #expect(checked >= 500)
    }
}
