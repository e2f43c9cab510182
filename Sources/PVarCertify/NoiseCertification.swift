// Statement S1 in ball arithmetic: the one-pair stochastic gradient's noise from its definition,
// the SNR, and a certified verdict for SNR <= 4 PVar / (1 - 4 PVar).

import PVarCore

/// The signal, noise and SNR of the one-pair stochastic gradient of one instance, each enclosed
/// in a ball, and statement S1 (`Evaluation.snrBound`) decided as a claim about real numbers.
public struct NoiseCertificate: Sendable {
    /// The precision (bits) at which the verdict was decided, or the largest one tried.
    public let precisionBits: Int
    /// `||grad L||^2`.
    public let signal: Enclosure
    /// `E||g - grad L||^2`, from the definition (see `certifyNoise`).
    public let noise: Enclosure
    /// `PVar_labels = E_{i,j~mu}[(q - 1/2)^2]`.
    public let pvarLabels: Enclosure
    /// `SNR = signal / noise` (`[0, 0]` when the signal is exactly 0, by the `0/0 := 0` convention).
    public let snr: Enclosure
    /// `c PVar / (1 - 4 PVar)`, `c` the numerator constant (4 as stated).
    public let bound: Enclosure
    /// `SNR / bound`.
    public let ratio: Enclosure
    /// `holds`, `violated`, `tight` or `undecided`, with the meaning and the window of
    /// `CertifiedVerdict` (the same decision rule as B0–B3).
    public let verdict: CertifiedVerdict

    /// `{"precisionBits": ..., "signal": [lo, hi], "noise": [lo, hi], "pvarLabels": [lo, hi],
    /// "snr": [lo, hi], "bound": [lo, hi], "ratio": [lo, hi], "verdict": "..."}`.
    public func json() -> String {
        "{\"precisionBits\": \(precisionBits), \"signal\": \(signal.json), \"noise\": \(noise.json), "
            + "\"pvarLabels\": \(pvarLabels.json), \"snr\": \(snr.json), \"bound\": \(bound.json), "
            + "\"ratio\": \(ratio.json), \"verdict\": \"\(verdict.rawValue)\"}"
    }
}

/// The quantities of S1 for one `Problem` in ball arithmetic at one precision, straight from
/// the definitions (inputs taken as exact rationals, as in `BallEvaluation`):
///
/// - `pi = softmax(Phi theta)` with exact logits, `mu` (pi, or the reference or the weights divided
///   by their exact sum), centred preferences `p - 1/2 = tanh(a/2)/2`, `q - 1/2 = tanh(b/2)/2` with
///   `a = beta [(z_i - z_j) - log(ref_i / ref_j)]`, `b = r_i - r_j` — the same construction as
///   `BallEvaluation` (both start from `BallPairs`);
/// - `grad L = beta sum_ij mu_i mu_j (p_ij - q_ij)(phi_i - phi_j)`;
/// - the noise, the definition of `E||g - E g||^2` for `g = beta (p - z)(phi_i - phi_j)`, pair
///   `(i, j)` with probability `mu_i mu_j`, label `z = 1` with probability `q_ij` and `z = 0` with
///   `1 - q_ij`: `sum_ij mu_i mu_j [ q ||beta (p - 1) Delta - grad L||^2 + (1 - q) ||beta p Delta - grad L||^2 ]`.
///   No identity of the proof of S1 is used (neither the split into pair and label noise of
///   `NoiseDecomposition` nor the at-reference identity `E||g||^2 = beta^2 D^2 / 4`), so the
///   enclosure is an independent check of both.
///
/// Cost: O(K^2 d) ball operations, twice (gradient, then noise), plus 2 K^2 `tanh`.
struct BallNoise {
    let signal: Ball
    let noise: Ball
    let pvarLabels: Ball
    /// The label noise `beta^2 E_mu[q (1 - q) ||phi_i - phi_j||^2]`, from its definition.
    let labelNoise: Ball

    init(_ problem: Problem, precision: Int) {
        self.init(BallPairs(problem, precision: precision))
    }

    /// The noise from balls already built (shared with `BallEvaluation` by claims).
    init(_ pairs: BallPairs) {
        let precision = pairs.beta.precision
        let k = pairs.pi.count
        func exact(_ x: Double) -> Ball { Ball(exactly: x, precision: precision) }
        func zero() -> Ball { Ball(precision: precision) }

        let beta = pairs.beta, phi = pairs.phi, d = pairs.dimension, mu = pairs.mu
        let half = exact(0.5), one = exact(1)
        var p = [[Ball]](), q = [[Ball]](), weight = [[Ball]](), delta = [[[Ball]]]()
        let pvarLabels = zero()
        let gradient = (0..<d).map { _ in zero() }
        for i in 0..<k {
            var pRow = [Ball](), qRow = [Ball](), wRow = [Ball](), dRow = [[Ball]]()
            for j in 0..<k {
                let cp = pairs.centredP[i][j], cq = pairs.centredQ[i][j]
                let w = mu[i] * mu[j]
                let differences = (0..<d).map { phi[i][$0] - phi[j][$0] }
                pvarLabels.addProduct(w, cq.squared)
                let weightedResidual = w * (cp - cq)   // mu_i mu_j (p - q)
                for c in 0..<d { gradient[c].addProduct(weightedResidual, differences[c]) }
                pRow.append(half + cp)
                qRow.append(half + cq)
                wRow.append(w)
                dRow.append(differences)
            }
            p.append(pRow)
            q.append(qRow)
            weight.append(wRow)
            delta.append(dRow)
        }
        let grad = gradient.map { beta * $0 }
        let signal = zero()
        for g in grad { signal.add(g.squared) }

        let noise = zero()
        let labelNoise = zero()
        for i in 0..<k {
            for j in 0..<k {
                // z = 1 (i preferred, probability q): g = beta (p - 1) Delta; z = 0: g = beta p Delta.
                let coefficientOne = beta * (p[i][j] - one), coefficientZero = beta * p[i][j]
                let squaredOne = zero(), squaredZero = zero()
                for c in 0..<d {
                    squaredOne.add((coefficientOne * delta[i][j][c] - grad[c]).squared)
                    squaredZero.add((coefficientZero * delta[i][j][c] - grad[c]).squared)
                }
                let expected = q[i][j] * squaredOne + (one - q[i][j]) * squaredZero
                noise.addProduct(weight[i][j], expected)
                let distance = zero()
                for c in 0..<d { distance.add(delta[i][j][c].squared) }
                labelNoise.addProduct(weight[i][j] * q[i][j] * (one - q[i][j]), distance)
            }
        }
        self.labelNoise = beta.squared * labelNoise
        self.signal = signal
        self.noise = noise
        self.pvarLabels = pvarLabels
    }
}

/// Certifies statement S1 on `problem`: `SNR <= numerator * PVar_labels / (1 - 4 PVar_labels)`
/// with the stated `numerator = 4` (`Evaluation.snrBound`), or another constant to show that a
/// deliberately wrong one is refuted (`violated`), not merely doubted.
///
/// The verdict is decided whatever the hypotheses: S1 is claimed only exactly at the reference
/// (all implicit rewards equal as real numbers, e.g. `theta = 0` with a uniform reference, or a
/// tabular `theta` equal to `log pi_ref` only where the reference entries are equal doubles), so
/// a `violated` verdict on an instance that is at the reference only up to the rounding of
/// `log pi_ref` refutes nothing. `PVarVerify.searchSNRTightness` certifies its witness moved
/// exactly to the reference for that reason.
///
/// Precision schedule and decision rule: those of `certify` (`certifiedStartingPrecision` bits,
/// doubling up to `maxPrecision`; `holds` / `violated` / `tight` within
/// `certifiedTightnessWindow` / `undecided`).
public func certifyNoise(_ problem: Problem, numerator: Double = snrNumerator, maxPrecision: Int = 1024) -> NoiseCertificate {
    precondition(numerator.isFinite && numerator > 0, "certifyNoise: numerator must be finite and > 0, got \(numerator)")
    return withRisingPrecision(upTo: maxPrecision) { precision in
        // S1 as a claim (`snrClaimWith(numerator:)`), evaluated in balls as a user's claim is.
        let claim = snrClaimWith(numerator: numerator)
        let balls = ClaimBalls(problem, precision: precision, freeConstant: nil)
        let snr = claim.smaller.evaluate(in: balls).ball
        let bound = claim.larger.evaluate(in: balls).ball
        let e = balls.noiseBalls
        // `decide` is the verdict rule of B0–B3; its BoundID only labels the result and is unused here.
        let decision = decide(.B0, lhs: snr, value: bound)
        let certificate = NoiseCertificate(
            precisionBits: precision,
            signal: Enclosure(e.signal, nonnegative: true),
            noise: Enclosure(e.noise, nonnegative: true),
            pvarLabels: Enclosure(e.pvarLabels, nonnegative: true),
            snr: Enclosure(snr, nonnegative: true),
            bound: decision.value,
            ratio: decision.ratio,
            verdict: decision.verdict)
        return (certificate, decision.verdict != .undecided)
    }
}
