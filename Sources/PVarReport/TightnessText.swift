// `pvar tightness` output: JSON and Markdown of one search.

import PVarCertify
import PVarCore
import PVarVerify

/// JSON: `bound`, `responses`, `dim`, `seed`, `bestRatio`, `witness` (an instance in the
/// `pvar evaluate` input schema), `certified` (the witness's ratio enclosure and verdict in ball
/// arithmetic), `search` statistics.
public func tightnessJSON(_ r: TightnessResult) -> String {
    let f = InstanceFile.format
    let s = restartStatistics(r)
    let c = certifiedWitness(r)
    let certified = c.map { "{\"verdict\": \"\($0.verdict.rawValue)\", \"ratio\": \($0.ratio.json)}" } ?? "null"
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

/// `pvar tightness --vocabulary V --length T --format markdown`: the best ratio and the witness's
/// certified verdict, in one line.
public func sequenceTightnessMarkdown(_ r: SequenceTightnessResult) -> String {
    let f = InstanceFile.format
    let c = r.witness.flatMap { certify($0).bounds[r.bound] }
    return "sequence policies V = \(r.vocabulary), T = \(r.length), d = \(r.dimension): best ratio \(f(r.bestRatio)) for \(r.bound.rawValue)"
        + (c.map { ", witness certified \($0.verdict.rawValue) (ratio in [\(f($0.ratio.lo)), \(f($0.ratio.hi))])" } ?? "") + "\n"
}

/// `pvar tightness --vocabulary V --length T`: JSON with `bound`, `vocabulary`, `length`, `dim`,
/// `seed`, `bestRatio`, `witness` (an instance) and `certified` (`{verdict, ratio}`, or null).
public func sequenceTightnessJSON(_ r: SequenceTightnessResult, seed: UInt64) -> String {
    let f = InstanceFile.format
    let c = r.witness.flatMap { certify($0).bounds[r.bound] }
    let witness = r.witness.map { InstanceFile.encode($0).split(separator: "\n").joined(separator: "\n  ") } ?? "null"
    let certified = c.map { "{\"verdict\": \"\($0.verdict.rawValue)\", \"ratio\": \($0.ratio.json)}" } ?? "null"
    return "{\n  \"bound\": \"\(r.bound.rawValue)\",\n  \"vocabulary\": \(r.vocabulary),\n  \"length\": \(r.length),\n  \"dim\": \(r.dimension),\n"
        + "  \"seed\": \(seed),\n  \"bestRatio\": \(f(r.bestRatio)),\n  \"witness\": \(witness),\n  \"certified\": \(certified)\n}\n"
}
