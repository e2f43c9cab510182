// `pvar tightness` output.

import PVarCertify
import PVarCore

/// Summary statistics of the restarts: how many converged, the ratio quantiles.
func restartStatistics(_ r: TightnessResult) -> (converged: Int, iterations: Int, median: Double, worst: Double) {
    let ratios = r.restarts.map(\.ratio).sorted()
    let median = ratios.isEmpty ? 0 : ratios[ratios.count / 2]
    return (r.restarts.filter(\.converged).count, r.restarts.map(\.iterations).reduce(0, +),
            median, ratios.first ?? 0)
}

/// The witness's rigorous verdict for the searched bound (nil without a witness).
public func certifiedWitness(_ r: TightnessResult) -> CertifiedBound? {
    r.witness.flatMap { certify($0).bounds[r.bound] }
}

/// JSON: `bound`, `responses`, `dim`, `seed`, `bestRatio`, `witness` (an instance in the
/// `pvar evaluate` input schema), `certified` (the witness's ratio enclosure and verdict in ball
/// arithmetic), `search` statistics.
public func tightnessJSON(_ r: TightnessResult) -> String {
    let f = InstanceFile.format
    let s = restartStatistics(r)
    let c = certifiedWitness(r)
    let certified = c.map { "{\"verdict\": \"\($0.verdict.rawValue)\", \"ratio\": [\(f($0.ratio.lo)), \(f($0.ratio.hi))]}" } ?? "null"
    let witness = r.witness.map { InstanceFile.encode($0).split(separator: "\n").joined(separator: "\n  ") } ?? "null"
    return """
    {
      "bound": "\(r.bound.rawValue)",
      "responses": \(r.responses),
      "dim": \(r.dimension),
      "seed": \(r.seed),
      "bestRatio": \(f(r.bestRatio)),
      "witness": \(witness),
      "certified": \(certified),
      "search": {"method": "gsl nmsimplex2, restarted at its optimum", "restarts": \(r.restarts.count), "converged": \(s.converged), "iterations": \(s.iterations), "medianRatio": \(f(s.median)), "smallestRatio": \(f(s.worst))}
    }

    """
}

public func tightnessMarkdown(_ r: TightnessResult) -> String {
    let f = InstanceFile.format
    let s = restartStatistics(r)
    let c = certifiedWitness(r)
    var out = """
    | bound | K | d | restarts | converged | best ratio | certified ratio of the witness | verdict | median ratio | seed |
    |---|---|---|---|---|---|---|---|---|---|
    | \(r.bound.rawValue) | \(r.responses) | \(r.dimension) | \(r.restarts.count) | \(s.converged) | \(f(r.bestRatio)) | \(c.map { "[\(f($0.ratio.lo)), \(f($0.ratio.hi))]" } ?? "-") | \(c?.verdict.rawValue ?? "-") | \(f(s.median)) | \(r.seed) |

    """
    if let w = r.witness {
        out += "\nWitness (pvar evaluate input):\n\n```json\n\(InstanceFile.encode(w))```\n"
    }
    return out
}
