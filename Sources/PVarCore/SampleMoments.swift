// The sample mean and variance: the one compensated two-pass routine of the package.

/// The mean and the unbiased sample variance of a list of values.
///
/// - Mean: compensated (Kahan–Babuska) sum divided by `m`.
/// - Variance: two-pass, `sum (x - mean)^2 / (m - 1)` with a compensated sum of the squared
///   deviations (no `E[x^2] - mean^2` cancellation); 0 for fewer than two values.
/// - Empty input: mean NaN is never returned; `count == 0` gives mean 0 and variance 0, and callers
///   that need values check `count` first.
public struct SampleMoments: Sendable, Equatable {
    public let count: Int
    public let mean: Double
    /// Denominator `m - 1`; 0 when `count < 2`.
    public let variance: Double

    public init(_ values: [Double]) {
        let m = values.count
        count = m
        guard m > 0 else {
            mean = 0
            variance = 0
            return
        }
        var total = CompensatedSum()
        for v in values { total.add(v) }
        let mean = total.value / Double(m)
        self.mean = mean
        guard m >= 2 else {
            variance = 0
            return
        }
        var squares = CompensatedSum()
        for v in values { squares.add((v - mean) * (v - mean)) }
        variance = squares.value / Double(m - 1)
    }

    /// `sqrt(variance)`.
    public var standardDeviation: Double { variance.squareRoot() }
}
