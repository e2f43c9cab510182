// The JSON form of an evaluation: the `pvar evaluate` output schema (for programs; the Markdown
// for people is PVarReport's `evaluationMarkdown`).

extension Evaluation {
    /// JSON with full double precision (shortest round-trip decimals). Keys:
    /// `loss`, `gradient`, `gradientNorm`, `pvarPolicy`, `pvarLabels`, `disagreement`,
    /// `scoreSpread`, `scoreBound`, `fisherTrace`, `noise` (`E||g - grad L||^2` of the one-pair
    /// stochastic gradient; null where beta^2 pushes it above the double range), `labelNoise` (its label part,
    /// likewise), `snr` (null if infinite), `snrBound` (S1: `4 PVar_labels / (1 - 4 PVar_labels)` at the
    /// reference, null elsewhere), `atReference`, `pairsArePolicy`, `policy`,
    /// `implicitRewards`, and `bounds` with `B0`..`B3`, each `{value, lhs, ratio, holds, applies, resolved}`
    /// (`holds` is `null` where the statement does not apply: it makes no claim there)
    /// (`resolved`: both sides are large enough for doubles to compare them, see `resolutionFloor`).
    /// An infinite ratio (`lhs > 0 = value`, only where a statement does not apply) is `null`.
    ///
    /// `extra` appends further keys with values given as raw JSON (e.g. `certified`).
    ///
    /// `noise`: computed here (default), given (computed by the caller), or skipped (`pvar evaluate
    /// --no-noise`: the O(K^2 d) part; `noise`, `labelNoise` and `snr` are then `null`).
    public func json(extra: [(key: String, json: String)] = [], noise noiseOutput: NoiseOutput = .computed) -> String {
        let f = InstanceFile.format
        let noise = noiseOutput.resolve(self)
        let snr = noise.map(signalToNoise) ?? .nan
        func array(_ v: [Double]) -> String { "[" + v.map(f).joined(separator: ", ") + "]" }
        var lines = [
            "\"loss\": \(f(loss))",
            "\"gradient\": \(array(gradient))",
            "\"gradientNorm\": \(f(gradientNorm))",
            "\"pvarPolicy\": \(f(pvarPolicy))",
            "\"pvarLabels\": \(f(pvarLabels))",
            "\"disagreement\": \(f(disagreement))",
            "\"scoreSpread\": \(f(scoreSpread))",
            "\"scoreBound\": \(f(scoreBound))",
            "\"fisherTrace\": \(f(fisherTrace))",
            "\"noise\": \(noise.map { $0.total.isFinite ? f($0.total) : "null" } ?? "null")",
            "\"labelNoise\": \(noise.map { $0.labelNoise.isFinite ? f($0.labelNoise) : "null" } ?? "null")",
            "\"snr\": \(snr.isFinite ? f(snr) : "null")",
            "\"snrBound\": \(snrBound.map(f) ?? "null")",
            "\"atReference\": \(atReference)",
            "\"pairsArePolicy\": \(pairsArePolicy)",
            "\"policy\": \(array(policy))",
            "\"implicitRewards\": \(array(implicitRewards))",
        ]
        let b = bounds.map { b in
            let ratio = b.ratio.isFinite ? f(b.ratio) : "null"
            return "    \"\(b.id.rawValue)\": {\"value\": \(f(b.value)), \"lhs\": \(f(b.lhs)), \"ratio\": \(ratio), "
                + "\"holds\": \(b.applies ? String(b.holds) : "null"), \"applies\": \(b.applies), \"resolved\": \(b.resolved)}"
        }
        lines.append("\"bounds\": {\n" + b.joined(separator: ",\n") + "\n  }")
        for (key, value) in extra { lines.append("\"\(key)\": \(value)") }
        return "{\n  " + lines.joined(separator: ",\n  ") + "\n}\n"
    }
}

/// How an output treats the O(K^2 d) noise of the one-pair gradient.
public enum NoiseOutput: Sendable {
    /// Computed by the output function (`Evaluation.noiseDecomposition()`).
    case computed
    /// Computed already (e.g. by the CLI, to report its progress).
    case given(NoiseDecomposition)
    /// Not computed (`pvar evaluate --no-noise`): written as `null`.
    case skipped

    public func resolve(_ e: Evaluation) -> NoiseDecomposition? {
        switch self {
        case .computed: e.noiseDecomposition()
        case .given(let n): n
        case .skipped: nil
        }
    }
}
