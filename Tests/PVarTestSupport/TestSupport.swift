// Shared set-up of the test suites: the run seed, replay messages, tolerances, the step tally.

import Foundation
import PVarCore
import PVarGSL
import Testing

/// The run seed: `PVAR_TEST_SEED` if set, else a fixed default so CI is deterministic.
public let runSeed: UInt64 = ProcessInfo.processInfo.environment["PVAR_TEST_SEED"].flatMap { UInt64($0) } ?? 20_261_126

/// Instances per statement in the randomized bound checks (the foundation issue asks >= 10,000).
public let boundCheckInstances = 10_000

public let generator = InstanceGenerator(runSeed: runSeed)

/// The message attached to every randomized expectation: the seed and the one-line replay.
public func replay(_ regime: Regime, _ family: Family, _ index: Int) -> String {
    "seed \(runSeed) (set PVAR_TEST_SEED to rerun the suite); replay this case: "
        + replayCommand(seed: runSeed, regime: regime, family: family, index: index)
}

/// Evaluates a generated instance (generated instances are valid and in range by construction).
public func evaluate(_ p: Problem) -> Evaluation {
    do { return try Evaluation(p) } catch { preconditionFailure("generated instance rejected: \(error)") }
}

/// Recursive summation of n terms has relative error at most gamma_n = n eps / (1 - n eps) of
/// the sum of the terms' magnitudes (Higham, Accuracy and Stability, 2nd ed., eq. 4.4); the
/// per-term evaluation (a transcendental, a few products) adds a few ulps, counted as 8.
public func summationBound(terms n: Int) -> Double {
    let u = Double.ulpOfOne / 2
    return Double(n + 8) * u / (1 - Double(n + 8) * u)
}

public func relativeError(_ a: Double, _ b: Double) -> Double {
    a == b ? 0 : abs(a - b) / max(abs(a), abs(b))
}

/// Every (regime, family) pair with the first `count` indices of each: a spread of shapes.
public func spread(_ count: Int) -> [(Regime, Family, Int)] {
    Regime.allCases.flatMap { r in Family.allCases.flatMap { f in (0..<count).map { (r, f, $0) } } }
}

/// Unit roundoff u = eps / 2.
public let u = Double.ulpOfOne / 2

/// Relative accuracy of a library output (`Evaluation`'s doc comment: every output agrees with an
/// independent 50-digit evaluation to better than 1e-12 relative; `ReferenceAgreement` enforces it).
public let evaluationAccuracy = 1e-12

/// Counts the instances a proof step checked and the ones it skipped because the quantities
/// compared are below `resolutionFloor` (1e-290), where doubles lose relative accuracy.
public struct StepTally {
    public var checked = 0
    public var skipped = 0
    public init() {}
    public var total: Int { checked + skipped }

    /// At least `minimum` instances seen, at most 5% of them skipped.
    public func expectEnough(_ step: String, minimum: Int = 120) {
        #expect(total >= minimum, "\(step): only \(total) instances")
        #expect(skipped * 20 <= total, "\(step): \(skipped) of \(total) instances skipped (below 1e-290)")
    }

    /// Counts the instance as checked unless one of `values` is positive-or-negative but below
    /// `resolutionFloor` in magnitude (then it is skipped); returns whether to check it.
    public mutating func admit(_ values: Double...) -> Bool {
        if values.contains(where: { $0 != 0 && abs($0) < resolutionFloor }) {
            skipped += 1
            return false
        }
        checked += 1
        return true
    }
}

/// The fast kernel's ratio forms `(e_i - e_j)/(e_i + e_j)` read per-response exponentials
/// `exp(x_y - max x)`, whose arguments carry a rounding of about `2 eps |x_y - max x|`; a
/// centred form above the series threshold (|tanh| >= tanh(1/4)) then loses at most
/// `8 eps (1 + spread)` relative, and each pair sum adds `gamma_{K^2}`. Only responses with
/// `|x_y - max x| <= 277` (exponential >= 2^-400) reach the ratio forms, so each spread is
/// capped at 600: a kernel whose error grew with the size of `h` itself (not its spread
/// over the kernel's responses) fails this.
public func kernelTolerance(_ e: Evaluation) -> Double {
    let k = e.problem.responseCount
    let h = e.implicitRewards, r = e.problem.rewards
    let spread = min((h.max() ?? 0) - (h.min() ?? 0), 600) + min((r.max() ?? 0) - (r.min() ?? 0), 600)
    return 16 * Double.ulpOfOne * (1 + spread) + 4 * summationBound(terms: k * k)
}
