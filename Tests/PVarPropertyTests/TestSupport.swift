// Shared set-up of the property suites: the run seed, replay messages, tolerances.

import Foundation
import PVarCore
import PVarGSL
import PVarVerify
import Testing

/// The run seed: `PVAR_TEST_SEED` if set, else a fixed default so CI is deterministic.
let runSeed: UInt64 = ProcessInfo.processInfo.environment["PVAR_TEST_SEED"].flatMap { UInt64($0) } ?? 20_261_126

/// Instances per statement in the randomized bound checks (the foundation issue asks >= 10,000).
let boundCheckInstances = 10_000

let generator = InstanceGenerator(runSeed: runSeed)

/// The message attached to every randomized expectation: the seed and the one-line replay.
func replay(_ regime: Regime, _ family: Family, _ index: Int) -> String {
    "seed \(runSeed) (set PVAR_TEST_SEED to rerun the suite); replay this case: "
        + replayCommand(seed: runSeed, regime: regime, family: family, index: index)
}

/// Evaluates a generated instance (generated instances are valid and in range by construction).
func evaluate(_ p: Problem) -> Evaluation {
    do { return try Evaluation(p) } catch { preconditionFailure("generated instance rejected: \(error)") }
}

/// Recursive summation of n terms has relative error at most gamma_n = n eps / (1 - n eps) of
/// the sum of the terms' magnitudes (Higham, Accuracy and Stability, 2nd ed., eq. 4.4); the
/// per-term evaluation (a transcendental, a few products) adds a few ulps, counted as 8.
func summationBound(terms n: Int) -> Double {
    let u = Double.ulpOfOne / 2
    return Double(n + 8) * u / (1 - Double(n + 8) * u)
}

func relativeError(_ a: Double, _ b: Double) -> Double {
    a == b ? 0 : abs(a - b) / max(abs(a), abs(b))
}

/// Every (regime, family) pair with the first `count` indices of each: a spread of shapes.
func spread(_ count: Int) -> [(Regime, Family, Int)] {
    Regime.allCases.flatMap { r in Family.allCases.flatMap { f in (0..<count).map { (r, f, $0) } } }
}

/// Unit roundoff u = eps / 2.
let u = Double.ulpOfOne / 2

/// Relative accuracy of a library output (`Evaluation`'s doc comment: every output agrees with an
/// independent 50-digit evaluation to better than 1e-12 relative; `ReferenceAgreement` enforces it).
let evaluationAccuracy = 1e-12

/// Counts the instances a proof step checked and the ones it skipped because the quantities
/// compared are below `resolutionFloor` (1e-290), where doubles lose relative accuracy.
struct StepTally {
    var checked = 0
    var skipped = 0
    var total: Int { checked + skipped }

    /// At least `minimum` instances seen, at most 5% of them skipped.
    func expectEnough(_ step: String, minimum: Int = 120) {
        #expect(total >= minimum, "\(step): only \(total) instances")
        #expect(skipped * 20 <= total, "\(step): \(skipped) of \(total) instances skipped (below 1e-290)")
    }

    /// Counts the instance as checked unless one of `values` is positive-or-negative but below
    /// `resolutionFloor` in magnitude (then it is skipped); returns whether to check it.
    mutating func admit(_ values: Double...) -> Bool {
        if values.contains(where: { $0 != 0 && abs($0) < resolutionFloor }) {
            skipped += 1
            return false
        }
        checked += 1
        return true
    }
}
