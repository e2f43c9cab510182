// What a tightness search is summarised by: restart statistics and the witness's certified verdict.

import PVarCertify
import PVarCore

/// Summary statistics of the restarts: how many converged, the ratio quantiles.
public func restartStatistics(_ r: TightnessResult) -> (converged: Int, iterations: Int, median: Double, worst: Double) {
    let ratios = r.restarts.map(\.ratio).sorted()
    let median = ratios.isEmpty ? 0 : ratios[ratios.count / 2]
    return (r.restarts.filter(\.converged).count, r.restarts.map(\.iterations).reduce(0, +),
            median, ratios.first ?? 0)
}

/// The witness's rigorous verdict for the searched bound (nil without a witness).
public func certifiedWitness(_ r: TightnessResult) -> CertifiedBound? {
    r.witness.flatMap { certify($0).bounds[r.bound] }
}

