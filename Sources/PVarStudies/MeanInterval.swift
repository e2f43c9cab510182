// Means over seeds with Student-t 95% confidence intervals (the t quantile from GSL's
// `gsl_cdf_tdist_Pinv`, `PVarGSL.studentTQuantile`).

import Foundation
import PVarCore
import PVarGSL

/// The 0.975 quantile of Student's t with 19 degrees of freedom (20 seeds):
/// `2.0930240544083097692...`, from mpmath (`betainc` inverted with `findroot`, 40 digits);
/// R's `qt(0.975, 19)` prints `2.093024`. The `Studies` suite checks GSL's quantile against it.
public let studentT975At19DegreesOfFreedom = 2.0930240544083097692

/// A sample mean with its two-sided 95% Student-t confidence interval:
/// `mean +- t_{0.975, m-1} s / sqrt(m)`, `s` the sample standard deviation (denominator `m - 1`).
///
/// - Assumes the `m` values are independent draws (one per seed: each seed draws a new world,
///   reward-model noise, PVar samples and random subset) and approximately normal; with 20 seeds
///   the t interval is robust to moderate skew.
/// - `m = 1`: the half-width is infinite (no spread can be estimated), never a silent 0.
/// - Sums are compensated and two-pass (mean first, then squared deviations).
public struct MeanInterval: Sendable, Equatable {
    public let count: Int
    public let mean: Double
    /// The sample standard deviation `s` (0 for one value).
    public let standardDeviation: Double
    /// `t_{0.975, m-1} s / sqrt(m)`.
    public let halfWidth: Double

    public var lower: Double { mean - halfWidth }
    public var upper: Double { mean + halfWidth }

    public init(_ values: [Double]) {
        precondition(!values.isEmpty, "MeanInterval: needs at least one value")
        let moments = SampleMoments(values)
        let m = values.count
        self.count = m
        self.mean = moments.mean
        guard m >= 2 else {
            standardDeviation = 0
            halfWidth = .infinity
            return
        }
        let s = moments.standardDeviation
        standardDeviation = s
        let t = studentTQuantile(0.975, degreesOfFreedom: m - 1)
        halfWidth = t * s / Double(m).squareRoot()
    }

    /// Whether the interval lies entirely above 0 / below 0.
    public var excludesZeroAbove: Bool { lower > 0 }
    public var excludesZeroBelow: Bool { upper < 0 }
}
