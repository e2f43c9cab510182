// Student's t quantile: GSL's inverse distribution function.

import CGSL

/// The `p` quantile of Student's t with `nu >= 1` degrees of freedom, `0 < p < 1`:
/// `gsl_cdf_tdist_Pinv(p, nu)` (GSL's cdf module, refined by Newton steps to near full double
/// precision; the `Studies` suite checks it against a 40-digit value).
public func studentTQuantile(_ p: Double, degreesOfFreedom nu: Int) -> Double {
    precondition(nu >= 1 && p > 0 && p < 1, "studentTQuantile: nu >= 1, 0 < p < 1")
    _ = gslSetUp
    return gsl_cdf_tdist_Pinv(p, Double(nu))
}
