// `pvar evaluate` output for people (Markdown), and the JSON with the certificates appended.

import Foundation
import PVarCertify
import PVarCore

/// An error as the CLI prints it, one line on stderr: `pvar: error: MESSAGE`. The explorer's API
/// answers a bad request with the same line, so a message reads the same everywhere.
public func errorLine(_ message: String) -> String { "pvar: error: " + message + "\n" }

/// `pvar evaluate`'s reading of an instance: the bytes parsed (`InstanceFile.parse`) and
/// evaluated. The CLI and the explorer's API both call this, so the same bytes give the same
/// evaluation, or the same `InputError` (whose description is the message after `pvar: error: `).
/// `stage` is told when the parsing ends and the evaluation starts (the CLI's progress line).
public func evaluateInstance(_ data: Data, stage: (String) -> Void = { _ in }) throws(InputError) -> Evaluation {
    let problem = try InstanceFile.parse(data)
    stage("evaluating (the O(K^2) pair sums)")
    return try Evaluation(problem)
}

extension Evaluation {
    /// The verdict cell of a statement's row.
    func verdict(_ b: BoundEvaluation) -> String {
        if !b.applies { return "n/a" }
        if !b.resolved { return "below double range" }
        return b.holds ? "yes" : "no (candidate: needs rigorous confirmation)"
    }

    /// A Markdown summary: the quantities, then one row per statement.
    public func markdown(noise noiseOutput: NoiseOutput = .computed) -> String {
        let f = InstanceFile.format
        let noise = noiseOutput.resolve(self)
        let snr = noise.map(signalToNoise) ?? .nan
        var out = """
        | quantity | value |
        |---|---|
        | K, d | \(problem.responseCount), \(problem.dimension)\(problem.isTabular ? " (tabular)" : "") |
        | beta | \(f(problem.beta)) |
        | loss L | \(f(loss)) |
        | gradient norm | \(f(gradientNorm)) |
        | PVar (policy) | \(f(pvarPolicy)) |
        | PVar (labels) | \(f(pvarLabels)) |
        | disagreement delta | \(f(disagreement)) |
        | score spread D | \(f(scoreSpread)) |
        | score bound G | \(f(scoreBound)) |
        | Fisher trace | \(f(fisherTrace)) |
        | noise of the one-pair gradient | \(noise.map { "\(f($0.total)) (labels: \(f($0.labelNoise)))" } ?? "not computed (--no-noise)") |
        | signal-to-noise ratio | \(noise == nil ? "not computed" : snr.isFinite ? f(snr) : "inf")\(snrBound.map { " (S1 bound at the reference: \(f($0)))" } ?? "") |
        | at the reference | \(atReference) |
        | pairs are the policy | \(pairsArePolicy) |

        A statement that does not apply (its hypotheses fail here) makes no claim on this instance:
        its ratio is shown for information and its verdict as "n/a".

        | statement | applies | norm of gradient | bound | ratio | holds |
        |---|---|---|---|---|---|

        """
        for b in bounds {
            out += "| \(b.id.rawValue) | \(b.applies ? "yes" : "no") | \(f(b.lhs)) | \(f(b.value)) | "
                + "\(b.ratio.isFinite ? f(b.ratio) : "inf") | \(verdict(b)) |\n"
        }
        return out
    }
}

extension Certificate {
    /// A Markdown table: per statement the enclosure of its value, of the ratio, and the verdict
    /// (`not applicable` where `applies` is false: the statement makes no claim there).
    public func markdown(applies: (BoundID) -> Bool = { _ in true }) -> String {
        var out = "Certified in ball arithmetic at \(precisionBits) bits: ||grad L|| in \(gradientNorm), "
            + "PVar_policy in \(pvarPolicy), PVar_labels in \(pvarLabels).\n\n"
            + "| statement | bound's value (enclosure) | ratio (enclosure) | certified verdict |\n|---|---|---|---|\n"
        for id in BoundID.allCases {
            guard let b = bounds[id] else { continue }
            out += "| \(id.rawValue) | \(b.value) | \(b.ratio) | \(applies(id) ? b.verdict.rawValue : notApplicableVerdict) |\n"
        }
        return out
    }
}

/// `pvar evaluate`'s JSON: the evaluation (`Evaluation.json`), plus `certified` (the certificate)
/// and `certifiedWithConstant` (`{"B2": {"constant": 1.0, "ratio": [lo, hi], "verdict": ...}}`)
/// when given.
/// A claim checked on one instance (`pvar evaluate --claim`): its sides and ratio in doubles,
/// and with `--certify` its certificate.
public struct EvaluatedClaim: Sendable {
    public let claim: Claim
    public let freeConstant: Double?
    public let smaller: Double
    public let larger: Double
    public let ratio: Double
    public let certificate: ClaimCertificate?

    /// Evaluates `claim` on `e`, and certifies it when `certify`. A claim with `C` needs
    /// `freeConstant`, the decimal text of its value: `C` is replaced by that literal
    /// (`Claim.substituting(freeConstant:)`), so `0.1` is exactly 1/10 in balls, as everywhere in
    /// the claim language. Nil when the text is not a decimal number.
    public init?(_ claim: Claim, on e: Evaluation, freeConstant: String?, certify: Bool) {
        var checked = claim
        if let text = freeConstant {
            guard let substituted = claim.substituting(freeConstant: text) else { return nil }
            checked = substituted
            self.freeConstant = Double(text.trimmingCharacters(in: .whitespaces))
        } else {
            self.freeConstant = nil
        }
        self.claim = claim
        let r = e.claimRatio(checked)
        (smaller, larger, ratio) = (r.smaller, r.larger, r.ratio)
        certificate = certify ? certifyClaim(e.problem, checked) : nil
    }

    /// `{"text": ..., "freeConstant": C or null, "smaller": x, "larger": y, "ratio": r,
    /// "certified": {...} or null}`; non-finite doubles are `null`.
    public var json: String {
        "{\"text\": \(jsonString(claim.text)), \"freeConstant\": \(freeConstant.map(jsonNumber) ?? "null"), "
            + "\"smaller\": \(jsonNumber(smaller)), \"larger\": \(jsonNumber(larger)), \"ratio\": \(jsonNumber(ratio)), "
            + "\"certified\": \(certificate?.json() ?? "null")}"
    }

    /// One Markdown paragraph.
    public var markdown: String {
        let f = InstanceFile.format
        var out = "Claim `\(claim.text)`\(freeConstant.map { " with C = \(f($0))" } ?? ""): smaller side \(f(smaller)), "
            + "larger side \(f(larger)), ratio \(ratio.isFinite ? f(ratio) : String(describing: ratio)) (doubles)"
        if let c = certificate {
            out += "; in balls the ratio is in [\(f(c.ratio.lo)), \(f(c.ratio.hi))], certified \(c.verdict.rawValue)"
        }
        return out + "\n"
    }
}

public func evaluationJSON(_ e: Evaluation, certificate: Certificate?, overrides: [ConstantCertificate], claim: EvaluatedClaim? = nil,
                           noise: NoiseOutput = .computed) -> String {
    let f = InstanceFile.format
    var extra: [(key: String, json: String)] = []
    let applies: (BoundID) -> Bool = { e.bound($0).applies }
    if let c = certificate { extra.append(("certified", c.json(applies: applies))) }
    if !overrides.isEmpty {
        let items = overrides.map { o in
            "\"\(o.id.rawValue)\": {\"constant\": \(f(o.constant)), \"ratio\": \(o.ratio.json), "
                + "\"verdict\": \"\(applies(o.id) ? o.verdict.rawValue : notApplicableVerdict)\"}"
        }
        extra.append(("certifiedWithConstant", "{" + items.joined(separator: ", ") + "}"))
    }
    if let c = claim { extra.append(("claim", c.json)) }
    return e.json(extra: extra, noise: noise)
}

/// `pvar evaluate --format markdown`: the evaluation's tables, the certificate's table and one line
/// per constant override.
public func evaluationMarkdown(_ e: Evaluation, certificate: Certificate?, overrides: [ConstantCertificate], claim: EvaluatedClaim? = nil,
                               noise: NoiseOutput = .computed) -> String {
    let f = InstanceFile.format
    var out = e.markdown(noise: noise)
    if let c = claim { out += "\n" + c.markdown }
    let applies: (BoundID) -> Bool = { e.bound($0).applies }
    if let c = certificate { out += "\n" + c.markdown(applies: applies) }
    for o in overrides {
        out += "\n\(o.id.rawValue) with constant \(f(o.constant)) instead of \(statedConstant(o.id)): "
            + "ratio in [\(f(o.ratio.lo)), \(f(o.ratio.hi))], certified \(applies(o.id) ? o.verdict.rawValue : notApplicableVerdict)\n"
    }
    return out
}
