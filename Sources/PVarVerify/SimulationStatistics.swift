// Means over seeds with Student-t 95% confidence intervals (issue 7, section 1).
//
// GSL's `gsl_cdf_tdist_Pinv` is not exposed by the CGSL shim (no `gsl_cdf.h`), so the quantile is
// computed here from the closed form of Student's t distribution function for an integer number of
// degrees of freedom (Abramowitz and Stegun 26.7.3 and 26.7.4), inverted by bisection. The
// `Simulation` suite checks it against a numerical inverse of the integrated t density and against
// the pinned value `studentT975At19DegreesOfFreedom`.

import Foundation
import PVarCore

/// The 0.975 quantile of Student's t with 19 degrees of freedom (20 seeds):
/// `2.0930240544083097692...`, from mpmath (`betainc` inverted with `findroot`, 40 digits);
/// R's `qt(0.975, 19)` prints `2.093024`. The intervals at the default 20 seeds use this value
/// through `studentTQuantile(0.975, degreesOfFreedom: 19)`, which the `Simulation` suite checks
/// against it (and against a numerical inverse of the integrated t density).
public let studentT975At19DegreesOfFreedom = 2.0930240544083097692

/// `P(|T| <= t)` for Student's t with `nu >= 1` (integer) degrees of freedom, `t >= 0`, in closed
/// form (Abramowitz and Stegun 26.7.3 for odd `nu`, 26.7.4 for even `nu`), with
/// `theta = atan(t / sqrt(nu))`, `c = cos^2 theta`:
///
/// - odd `nu`:  `(2 / pi) (theta + sin theta cos theta (1 + (2/3) c + (2 4)/(3 5) c^2 + ...))`,
///   `(nu - 1) / 2` terms in the bracket (none for `nu = 1`: `2 theta / pi`, the Cauchy case);
/// - even `nu`: `sin theta (1 + (1/2) c + (1 3)/(2 4) c^2 + ...)`, `nu / 2` terms.
///
/// Every term is positive, so the sum is accurate to a few ulps per term; `O(nu)` work.
public func studentTCentralProbability(_ t: Double, degreesOfFreedom nu: Int) -> Double {
    precondition(nu >= 1 && t >= 0, "studentTCentralProbability: nu >= 1, t >= 0")
    if t == .infinity { return 1 }
    let theta = atan(t / Double(nu).squareRoot())
    let s = sin(theta), c = cos(theta), c2 = c * c
    if nu % 2 == 1 {
        guard nu > 1 else { return 2 * theta / Double.pi }
        var term = 1.0, sum = 1.0
        var k = 1
        while 2 * k + 1 <= nu - 1 {   // terms c^k with factor (2k)!! / (2k+1)!!
            term *= Double(2 * k) / Double(2 * k + 1) * c2
            sum += term
            k += 1
        }
        return min(1, 2 / Double.pi * (theta + s * c * sum))
    }
    var term = 1.0, sum = 1.0
    var k = 1
    while 2 * k <= nu - 2 {           // terms c^k with factor (2k-1)!! / (2k)!!
        term *= Double(2 * k - 1) / Double(2 * k) * c2
        sum += term
        k += 1
    }
    return min(1, s * sum)
}

/// The `p` quantile of Student's t with `nu >= 1` degrees of freedom, `1/2 <= p < 1`: the `t >= 0`
/// with `P(T <= t) = p`, i.e. `studentTCentralProbability(t) = 2 p - 1`, found by bisection to the
/// last bit (the central probability increases strictly in `t`).
public func studentTQuantile(_ p: Double, degreesOfFreedom nu: Int) -> Double {
    precondition(nu >= 1 && p >= 0.5 && p < 1, "studentTQuantile: nu >= 1, 1/2 <= p < 1")
    let target = 2 * p - 1
    var lo = 0.0, hi = 1.0
    while studentTCentralProbability(hi, degreesOfFreedom: nu) < target { hi *= 2 }
    while true {
        let mid = 0.5 * (lo + hi)
        guard mid > lo && mid < hi else { return hi }
        if studentTCentralProbability(mid, degreesOfFreedom: nu) < target { lo = mid } else { hi = mid }
    }
}

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
        let m = values.count
        var total = CompensatedSum()
        for v in values { total.add(v) }
        let mean = total.value / Double(m)
        self.count = m
        self.mean = mean
        guard m >= 2 else {
            standardDeviation = 0
            halfWidth = .infinity
            return
        }
        var squares = CompensatedSum()
        for v in values { squares.add((v - mean) * (v - mean)) }
        let s = (squares.value / Double(m - 1)).squareRoot()
        standardDeviation = s
        let t = studentTQuantile(0.975, degreesOfFreedom: m - 1)
        halfWidth = t * s / Double(m).squareRoot()
    }

    /// Whether the interval lies entirely above 0 / below 0.
    public var excludesZeroAbove: Bool { lower > 0 }
    public var excludesZeroBelow: Bool { upper < 0 }
}
