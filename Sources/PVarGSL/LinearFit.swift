// Least-squares line fit (GSL `gsl_fit_linear`), for exponents on log-log sweeps.

import CGSL

/// `y = intercept + slope x` by ordinary least squares, with the slope's standard error
/// (`sqrt(cov11)` from GSL, scaled by the residual variance).
public struct LinearFit: Sendable {
    public let slope: Double
    public let intercept: Double
    public let slopeStandardError: Double
    /// Sum of squared residuals.
    public let residual: Double
}

/// Fits a line through at least two points with distinct x; nil otherwise or if GSL fails.
public func fitLine(x: [Double], y: [Double]) -> LinearFit? {
    _ = gslSetUp
    guard x.count == y.count, x.count >= 2, Set(x).count >= 2 else { return nil }
    var c0 = 0.0, c1 = 0.0, cov00 = 0.0, cov01 = 0.0, cov11 = 0.0, sumsq = 0.0
    let status = x.withUnsafeBufferPointer { xb in
        y.withUnsafeBufferPointer { yb in
            gsl_fit_linear(xb.baseAddress, 1, yb.baseAddress, 1, x.count, &c0, &c1, &cov00, &cov01, &cov11, &sumsq)
        }
    }
    guard status == GSL_SUCCESS else { return nil }
    return LinearFit(slope: c1, intercept: c0, slopeStandardError: cov11.squareRoot(), residual: sumsq)
}
