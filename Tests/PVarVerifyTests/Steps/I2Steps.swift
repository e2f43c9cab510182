// I2, the PVar mean identity, checked step by step (Proofs/I2-pvar-mean.md).
//
// The identity holds for every theta and every pair distribution, so every step runs on the
// regime `.general`, all six families, `i2PerFamily` instances each, and for both weightings the
// library uses: pairs from the policy (PVar_policy) and pairs from mu (PVar_labels).

import Foundation
import PVarCore
import PVarGSL
import PVarVerify
import PVarTestSupport
import Testing

/// Instances per family in each step: 6 families x 25 = 150 instances per step (>= 120).
private let i2PerFamily = 25



private func eachGeneralInstance(_ body: (Family, Int, Evaluation) -> Void) {
    for f in Family.allCases {
        for n in 0..<i2PerFamily { body(f, n, evaluate(generator.instance(.general, f, index: n))) }
    }
}

/// The two preferences of the statement: the model's (centred `p - 1/2`, raw `p`) and the labels'.
private enum Preference: CaseIterable {
    case model, labels

    func centred(_ t: PairTable, _ i: Int, _ j: Int) -> Double {
        self == .model ? t.centredP(i, j) : t.centredQ(i, j)
    }

    func raw(_ t: PairTable, _ i: Int, _ j: Int) -> Double {
        self == .model ? t.p(i, j) : t.q(i, j)
    }
}

@Suite("I2")
struct I2Tests {
    @Test("I2 step 1: p(j,i) = 1 - p(i,j) and p(i,i) = 1/2 (p - 1/2 exactly antisymmetric), and the same for q")
    func preferencesAreComplementary() {
        var tally = StepTally()
        eachGeneralInstance { f, n, e in
            let t = PairTable(e)
            for pref in Preference.allCases {
                for i in 0..<t.responses {
                    // tanh(0) = 0: the diagonal is exactly 1/2.
                    #expect(pref.centred(t, i, i) == 0, "\(pref) (\(i), \(i)); \(replay(.general, f, n))")
                    for j in 0..<t.responses where j != i {
                        // Exact: the argument of (j, i) is the exact negative of that of (i, j) and tanh is odd.
                        #expect(pref.centred(t, i, j) == -pref.centred(t, j, i),
                                "\(pref) (\(i), \(j)): \(pref.centred(t, i, j)) vs \(pref.centred(t, j, i)); \(replay(.general, f, n))")
                        // Each sigmoid is a few ulps from its exact value (Numerics.swift) and the two
                        // add to 1: summationBound(terms: 2) = 10 u of the total 1.
                        let sum = pref.raw(t, i, j) + pref.raw(t, j, i)
                        #expect(abs(sum - 1) <= summationBound(terms: 2),
                                "\(pref) (\(i), \(j)): p(i,j) + p(j,i) = \(sum); \(replay(.general, f, n))")
                    }
                }
            }
            tally.checked += 1
        }
        tally.expectEnough("I2 step 1")
    }

    @Test("I2 step 2: E[p - 1/2] = 0 for pairs from mu and from the policy (pair terms cancel, diagonal terms vanish), and the same for q")
    func centredPreferenceHasMeanZero() {
        var tally = StepTally()
        eachGeneralInstance { f, n, e in
            let t = PairTable(e)
            let k = t.responses
            var resolved = true
            for pref in Preference.allCases {
                for overPolicy in [false, true] {
                    let mean = t.expectation(overPolicy: overPolicy) { pref.centred(t, $0, $1) }
                    let magnitude = t.expectation(overPolicy: overPolicy) { abs(pref.centred(t, $0, $1)) }
                    if magnitude != 0 && magnitude < resolutionFloor { resolved = false }
                    // K^2 terms that cancel in pairs: the sum is off by at most gamma_{K^2} of their magnitudes.
                    #expect(abs(mean) <= summationBound(terms: k * k) * magnitude,
                            "\(pref), pairs from \(overPolicy ? "policy" : "mu"): E[p - 1/2] = \(mean), E|p - 1/2| = \(magnitude); \(replay(.general, f, n))")
                }
            }
            if resolved { tally.checked += 1 } else { tally.skipped += 1 }
        }
        tally.expectEnough("I2 step 2")
    }

    @Test("I2 step 3: E[p] = (1/2)(sum_y w_y)^2 = 1/2 for w = mu and w = the policy, and the same for q")
    func meanPreferenceIsOneHalf() {
        var tally = StepTally()
        eachGeneralInstance { f, n, e in
            let t = PairTable(e)
            let k = t.responses
            for overPolicy in [false, true] {
                let w = overPolicy ? t.pi : t.mu
                var total = CompensatedSum()
                for x in w { total.add(x) }
                let s = total.value
                // The weights are a distribution up to rounding: mu and pi_ref divided by their sum,
                // pi = exp(log pi); K rounded entries add to 1 within gamma_K.
                #expect(abs(s - 1) <= summationBound(terms: k), "sum of weights \(s); \(replay(.general, f, n))")
                for pref in Preference.allCases {
                    let mean = t.expectation(overPolicy: overPolicy) { pref.raw(t, $0, $1) }
                    // K^2 positive terms adding to (1/2) s^2: gamma_{K^2} of (1/2) s^2 for the sum, the
                    // same again for the step-1 rounding of p(i,j) + p(j,i) and for forming s^2.
                    #expect(abs(mean - 0.5 * s * s) <= summationBound(terms: k * k) * s * s,
                            "\(pref), pairs from \(overPolicy ? "policy" : "mu"): E[p] = \(mean), (1/2)(sum w)^2 = \(0.5 * s * s); \(replay(.general, f, n))")
                }
            }
            tally.checked += 1
        }
        tally.expectEnough("I2 step 3")
    }

    @Test("I2 step 4: Var[p] = E[(p - E p)^2] = E[(p - 1/2)^2], the library's PVar_policy (and Var_mu[q] = PVar_labels)")
    func varianceIsSecondMomentAboutOneHalf() {
        var tally = StepTally()
        eachGeneralInstance { f, n, e in
            let t = PairTable(e)
            let k = t.responses
            var resolved = true
            // PVar_policy: model preferences, pairs from the policy; PVar_labels: labels, pairs from mu.
            for (pref, overPolicy, library) in [(Preference.model, true, e.pvarPolicy), (.labels, false, e.pvarLabels)] {
                if library != 0 && library < resolutionFloor { resolved = false; continue }
                // The textbook two-pass variance, with the mean taken from the data (not assumed 1/2):
                // p - E p = (p - 1/2) - E[p - 1/2], both parts without cancellation.
                let centredMean = t.expectation(overPolicy: overPolicy) { pref.centred(t, $0, $1) }
                let variance = t.expectation(overPolicy: overPolicy) { i, j in
                    let d = pref.centred(t, i, j) - centredMean
                    return d * d
                }
                // Var = E[(p - 1/2)^2] - (E p - 1/2)^2 (2 - sum w) in exact arithmetic with these
                // weights; the correction is at most 3 centredMean^2 (centredMean ~ gamma E|p - 1/2| by
                // step 2). The sum of squares: gamma_{K^2} relative each way. The library's PVar: its
                // documented accuracy.
                let tolerance = 2 * summationBound(terms: k * k) * variance + 3 * centredMean * centredMean
                    + evaluationAccuracy * library
                #expect(abs(variance - library) <= tolerance,
                        "\(pref): two-pass variance \(variance), library \(library), tolerance \(tolerance); \(replay(.general, f, n))")
            }
            if resolved { tally.checked += 1 } else { tally.skipped += 1 }
        }
        tally.expectEnough("I2 step 4")
    }
}
