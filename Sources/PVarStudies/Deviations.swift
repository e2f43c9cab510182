// Rigorous deviation bounds behind the statistical checks (Bernstein, Chebyshev, binomial tails).

import Foundation
import PVarCore
import PVarGSL
import PVarSelect

// MARK: - Rigorous deviations for the statistical checks

/// Bernstein's inequality for the mean of `m` i.i.d. variables with variance at most `v` and
/// `|X - E X| <= c`: `P(|mean - E X| >= t) <= 2 exp(-m t^2 / (2 v + (2/3) c t))`. Returns the `t`
/// at which the right side equals `delta` (one-sided: `exp(...)`, i.e. without the 2):
///
///     t = (c L / 3 + sqrt((c L / 3)^2 + 2 m v L)) / m,   L = log(2/delta) (two-sided) or log(1/delta).
///
/// Rigorous for bounded variables (no normal approximation).
public func bernsteinDeviation(variance v: Double, range c: Double, count m: Double, failureProbability delta: Double,
                               twoSided: Bool = true) -> Double {
    let l = log((twoSided ? 2 : 1) / delta)
    let a = c * l / 3
    return (a + (a * a + 2 * m * max(v, 0) * l).squareRoot()) / m
}

/// Chebyshev's deviation for a mean of `m` i.i.d. variables of variance `v`: `P(|mean - E X| >= t)
/// <= v / (m t^2) = delta` at `t = sqrt(v / (m delta))`. Shown in the report for comparison only.
public func chebyshevDeviation(variance v: Double, count m: Double, failureProbability delta: Double) -> Double {
    (v / (m * delta)).squareRoot()
}

/// The sample variance `S^2` (denominator `m - 1`) of `m` i.i.d. values `X` with variance
/// `sigma^2`, `|X - E X| <= c` and values in an interval of length `r`, against `sigma^2`.
///
/// `S^2 = (1 / (m (m-1))) sum_{a != b} g(X_a, X_b)` is a U-statistic with kernel
/// `g(x, x') = (x - x')^2 / 2`, `E g = sigma^2`, `0 <= g <= r^2/2`, and
/// `Var g = (mu4 + sigma^4) / 2 <= (c^2 sigma^2 + sigma^4) / 2` (`E (X - X')^4 = 2 mu4 + 6 sigma^4` and
/// `mu4 = E (X - E X)^4 <= c^2 sigma^2`). Bernstein for U-statistics (Hoeffding's reduction to
/// `floor(m/2)` i.i.d. blocks) gives `P(|S^2 - sigma^2| >= t) <= delta` at
/// `t = bernsteinDeviation(variance: (c^2 sigma^2 + sigma^4) / 2, range: r^2 / 2, count: floor(m/2), delta)`.
public func sampleVarianceDeviation(variance sigma2: Double, deviationRange c: Double, valueRange r: Double, count m: Int,
                                    failureProbability delta: Double) -> Double {
    bernsteinDeviation(variance: (c * c * sigma2 + sigma2 * sigma2) / 2, range: r * r / 2, count: Double(m / 2),
                       failureProbability: delta)
}

/// How far the frequency of an event in `m` independent trials can exceed an upper bound `p` on
/// its probability: the `s >= 0` with `exp(-m KL(p + s || p)) = delta` (Chernoff; for a true
/// probability `p' <= p <= a`, `P(freq >= a) <= exp(-m KL(a || p')) <= exp(-m KL(a || p))`).
/// Returns `1 - p` when no `s` works (the check is then vacuous) and 0 for `p >= 1` or `p <= 0`.
public func binomialExcess(bound p: Double, trials m: Int, failureProbability delta: Double) -> Double {
    if p >= 1 || p <= 0 { return 0 }
    let target = log(1 / delta) / Double(m)
    func kl(_ a: Double) -> Double {
        let first = a * log(a / p)
        let second = a < 1 ? (1 - a) * log((1 - a) / (1 - p)) : 0
        return first + second
    }
    if kl(1) < target { return 1 - p }
    var lo = p, hi = 1.0
    for _ in 0..<200 {
        let mid = 0.5 * (lo + hi)
        if kl(mid) < target { lo = mid } else { hi = mid }
        if hi - lo <= 1e-15 * hi { break }
    }
    return hi - p
}

/// Maurer and Pontil's empirical Bernstein bound (2009, Theorem 4), scaled to values in an
/// interval of length `r`: for `m >= 2` i.i.d. values with unbiased sample variance `s2`,
/// `P(E X - mean > sqrt(2 s2 L / m) + 7 r L / (3 (m - 1))) <= delta`, `L = log(2/delta)`
/// (one-sided; the same holds for `mean - E X`).
public func empiricalBernsteinDeviation(sampleVariance s2: Double, valueRange r: Double, count m: Int,
                                        failureProbability delta: Double) -> Double {
    let l = log(2 / delta)
    return (2 * max(s2, 0) * l / Double(m)).squareRoot() + 7 * r * l / (3 * Double(m - 1))
}
