// `pvar conjecture` output: JSON and Markdown of one conjecture run.

import Foundation
import PVarCertify
import PVarCore
import PVarVerify

/// A JSON string literal.
public func jsonString(_ s: String) -> String {
    var out = "\""
    for u in s.unicodeScalars {
        switch u {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\t": out += "\\t"
        case "\r": out += "\\r"
        default:
            if u.value < 0x20 { out += String(format: "\\u%04x", u.value) } else { out.unicodeScalars.append(u) }
        }
    }
    return out + "\""
}

/// A double for JSON: the shortest round-tripping form, `null` if not finite.
func jsonNumber(_ x: Double) -> String { x.isFinite ? InstanceFile.format(x) : "null" }

/// An instance as a JSON object indented to sit under a top-level key.
func indentedInstance(_ p: Problem?) -> String {
    p.map { InstanceFile.encode($0).split(separator: "\n").joined(separator: "\n  ") } ?? "null"
}

/// The verdict of the `certified` entry: without `--fit` the witness's certificate; with `--fit`
/// `violated` when no constant works (the run's verdict), else the witness's certificate at its
/// fitted constant; `undecided` when there is none.
func certifiedVerdict(_ r: ConjectureResult) -> String {
    if r.constant != nil && r.verdict == .violated { return ClaimVerdict.violated.rawValue }
    return (r.constant != nil ? r.fittedCertificate : r.certified)?.verdict.rawValue ?? ClaimVerdict.undecided.rawValue
}

/// A double in Markdown: shortest form, `inf`, `-inf`, or `-` for NaN (no value).
func markdownNumber(_ x: Double) -> String {
    x.isNaN ? "-" : x == .infinity ? "inf" : x == -.infinity ? "-inf" : InstanceFile.format(x)
}

/// JSON with exactly the keys `claim`, `assumptions`, `instancesChecked`, `verdict`
/// (`"violated"`, `"not refuted"` or `"undecided"`), `bestRatio` (`null` when infinite), `witness` (the best instance, `pvar evaluate`
/// input), `certified` (`{verdict, ratio: [lo, hi]}` of the witness, infinite ends `null`; with
/// `--fit` the ratio is at C = 1, an enclosure of the constant the witness needs, and the verdict
/// that of the claim with C = `supremumFound`),
/// `counterexample` (the shrunk violation, or null), `shrinkSteps`, `replay` (with a
/// counterexample: `pvar evaluate` on it; otherwise the search's rerun), and with `--fit`
/// `constant` (`{supremumFound, certifiedLowerBound}`; `null` means infinite, as everywhere in
/// this output: with verdict `violated` the witness's ratio is certified infinite and no
/// constant works, with `undecided` it is infinite in doubles only). `assumptions` is
/// `{text, atReference, pairs, responses: [min, max], dim: [min, max], tabular, sequence: [V, T] or null}`.
public func conjectureJSON(_ r: ConjectureResult) -> String {
    let a = r.assumptions
    let assumptions = "{\"text\": \(jsonString(a.text)), \"atReference\": \(a.atReference), \"pairs\": \"\(a.pairs.rawValue)\", "
        + "\"responses\": [\(a.responses.lowerBound), \(a.responses.upperBound)], "
        + "\"dim\": [\(a.dimension.lowerBound), \(a.dimension.upperBound)], \"tabular\": \(a.tabular), "
        + "\"sequence\": \(a.sequence.map { "[\($0.vocabulary), \($0.length)]" } ?? "null")}"
    let certified = r.certified.map { "{\"verdict\": \"\(certifiedVerdict(r))\", \"ratio\": \($0.ratio.json)}" } ?? "null"
    var lines = [
        "\"claim\": \(jsonString(r.claim.text))",
        "\"assumptions\": \(assumptions)",
        "\"instancesChecked\": \(r.instancesChecked)",
        "\"verdict\": \"\(r.verdict.rawValue)\"",
        "\"bestRatio\": \(jsonNumber(r.bestRatio))",
        "\"witness\": \(indentedInstance(r.witness))",
        "\"certified\": \(certified)",
        "\"counterexample\": \(indentedInstance(r.counterexample))",
        "\"shrinkSteps\": \(r.shrinkSteps)",
        "\"replay\": \(jsonString(r.replay))",
    ]
    if let c = r.constant {
        lines.append("\"constant\": {\"supremumFound\": \(jsonNumber(c.supremumFound)), \"certifiedLowerBound\": \(jsonNumber(c.certifiedLowerBound))}")
    }
    return "{\n  " + lines.joined(separator: ",\n  ") + "\n}\n"
}

/// Markdown: the verdict in one sentence, a table of the run, the counterexample (or the witness)
/// as a `pvar evaluate` input file, and the replay command.
public func conjectureMarkdown(_ r: ConjectureResult) -> String {
    let f = markdownNumber
    func enclosure(_ c: ClaimCertificate?) -> String { c.map { "[\(f($0.ratio.lo)), \(f($0.ratio.hi))]" } ?? "-" }
    var out = "**Claim:** `\(r.claim.text)`  \n**Assumptions:** \(r.assumptions.text)\n\n"
    if let reason = r.undecidedReason {
        out += "**Verdict: undecided** — \(reason).\n\n"
    } else if let c = r.constant {
        out += r.verdict == .violated
            ? "**Verdict: violated** — no constant C works: the ratio is certified infinite on the witness (JSON: `constant` ends `null`).\n\n"
            : "**Sharp constant:** at least \(f(c.certifiedLowerBound)) (certified: the witness's ratio at C = 1 lies in \(enclosure(r.certified))), "
              + "so no C below \(f(c.certifiedLowerBound)) makes the claim hold; the largest ratio found in doubles is \(f(c.supremumFound)), "
              + "and on the witness the claim with C = \(f(r.fittedConstant ?? .nan)) is certified \(certifiedVerdict(r)). "
              + "The search suggests, and does not prove, that the sharp constant is not much larger.\n\n"
    } else if r.verdict == .violated {
        let k = r.counterexample.map { "K = \($0.responseCount), d = \($0.dimension)\($0.isTabular ? " (tabular)" : "")" } ?? ""
        out += "**Verdict: violated** (certified in ball arithmetic); shrunk in \(r.shrinkSteps) steps to \(k).\n\n"
    } else {
        out += "**Verdict: not refuted** — no violation was certified (the claim may still be false elsewhere).\n\n"
    }
    out += r.constant != nil
        ? "| instances checked | best ratio at C = 1 (doubles) | witness certified at its fitted C | witness ratio at C = 1 (balls) | shrink steps |\n"
        : "| instances checked | best ratio (doubles) | witness certified | witness ratio (balls) | shrink steps |\n"
    out += "|---|---|---|---|---|\n"
    out += "| \(r.instancesChecked) | \(f(r.bestRatio)) | \(certifiedVerdict(r)) | \(enclosure(r.certified)) | \(r.shrinkSteps) |\n\n"
    if let ce = r.counterexample {
        out += "Counterexample (`pvar evaluate` input; claim ratio in balls \(enclosure(r.counterexampleCertificate))):\n\n```json\n\(InstanceFile.encode(ce))```\n\n"
    } else if let w = r.witness {
        out += "Best instance found (`pvar evaluate` input):\n\n```json\n\(InstanceFile.encode(w))```\n\n"
    }
    if r.replay != r.rerun { out += "Replay (evaluate the counterexample): `\(r.replay)`\n\n" }
    out += "Rerun the search: `\(r.rerun)`\n"
    return out
}
