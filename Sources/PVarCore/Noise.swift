// The one-pair stochastic gradient's noise and signal-to-noise ratio, exactly.

import CPairKernel
import Foundation

/// The noise of the one-pair stochastic DPO gradient, split into its two sources.
///
/// Sampling: a pair `i, j ~ mu` (independently) and a label `z ~ Bernoulli(q(i,j))` (`z = 1`:
/// `i` preferred); the stochastic gradient is `g = beta (p(i,j) - z)(s_i - s_j)`, with
/// `E[g] = grad L`. With `Delta = s_i - s_j = phi_i - phi_j`, `r = p - q` and `m = grad L / beta`:
///
/// `E||g - grad L||^2 = beta^2 ( E||r Delta - m||^2 + E[q (1 - q) ||Delta||^2] )`,
///
/// because `E_z (p - z)^2 = (p - q)^2 + q (1 - q)`. Both parts are sums of nonnegative terms,
/// computed as such (no subtraction of `||grad L||^2` from a second moment), so the noise keeps
/// its relative accuracy. Cost O(K^2 d): one pass over the pairs in difference space (C kernel).
public struct NoiseDecomposition: Sendable, Equatable {
    /// `E||r Delta - m||^2` and `E[q (1 - q) ||Delta||^2]` without the factor `beta^2` (the
    /// signal-to-noise ratio is formed from these, so it stays finite when `beta^2` overflows).
    public let pairNoiseOverBetaSquared: Double
    public let labelNoiseOverBetaSquared: Double
    /// `beta^2 E||r Delta - m||^2`: the spread of the pair's expected gradient (zero for K = 2
    /// only when the two ordered pairs carry the whole mass, i.e. never with the diagonal).
    public let pairNoise: Double
    /// `beta^2 E[q (1 - q) ||Delta||^2]`: the label noise, the floor of statement S1.
    public let labelNoise: Double
    /// `E||g - grad L||^2 = pairNoise + labelNoise`.
    public var total: Double { pairNoise + labelNoise }
}

extension Evaluation {
    /// The noise of the one-pair stochastic gradient, exactly (see `NoiseDecomposition`).
    ///
    /// The pairs run in the C noise kernel (`pvar_noise_block`: eight pairs per vector step, the
    /// pair kernel's residual `p - q`, row blocks in parallel for large K and merged in order);
    /// pairs touching a response whose exponentials fall below `exponentialFloor` take the
    /// direct forms here (`PairLayout`). `instructionSet` forces one (tests); every one gives
    /// the same bits.
    public func noiseDecomposition(instructionSet: KernelInstructionSet? = nil) -> NoiseDecomposition {
        let k = problem.responseCount
        let beta = problem.beta
        let mu = pairWeights
        let d = problem.dimension
        if problem.isTabular { return tabularNoise() }
        // m = grad L / beta, and feature rows.
        let m = gradientOverBeta
        @Sendable func feature(_ y: Int, _ c: Int) -> Double {
            if let f = problem.features { return f[y][c] }
            return y == c ? 1 : 0
        }
        var mm = 0.0
        for x in m { mm += x * x }
        var diagonal = 0.0
        for y in 0..<k { diagonal += mu[y] * mu[y] }

        let layout = PairLayout(beta: beta, logRatio: logRatio, rewards: problem.rewards)
        let stride = k + Int(PVAR_KERNEL_PAD)
        let inputs = layout.kernelInputs(v: logRatio, r: problem.rewards, mu: mu)
        // Features transposed (d rows of k + PAD), tiny and padded columns copied from the template.
        let phiT: [Double] = inputs == nil ? [] : (0..<(d * stride)).map { n in feature(layout.source(n % stride).index, n / stride) }
        let level = instructionSet?.rawValue ?? 0
        let blocks = layout.runBlocks { rows -> (pair: Double, label: Double) in
            var out = [0.0, 0.0]
            if let inputs {
                phiT.withUnsafeBufferPointer { phi in
                    m.withUnsafeBufferPointer { mb in
                        var input = pvar_noise_inputs(k: k, d: d, beta: beta, v: inputs.v.baseAddress, r: inputs.r.baseAddress,
                                                      ea: inputs.ea.baseAddress, eb: inputs.eb.baseAddress, mu: inputs.mu.baseAddress,
                                                      phi_t: phi.baseAddress, m: mb.baseAddress)
                        pvar_noise_block(&input, rows.lowerBound, rows.upperBound, &out, level)
                    }
                }
            }
            // Pairs touching a tiny response: the direct forms, in row order.
            var pair = CompensatedSum(), label = CompensatedSum()
            pair.add(out[0])
            label.add(out[1])
            for i in rows {
                for j in layout.directPartners(i) where mu[i] != 0 && mu[j] != 0 {
                    let w = 2 * mu[i] * mu[j]   // the ordered pairs (i, j) and (j, i) give equal terms
                    let a = implicitRewardDifference(i, j), b = problem.rewards[i] - problem.rewards[j]
                    let r = sigmoidDifference(a, b)
                    var spread = 0.0, squared = 0.0
                    for c in 0..<d {
                        let delta = feature(i, c) - feature(j, c)
                        let t = r * delta - m[c]
                        spread += t * t
                        squared += delta * delta
                    }
                    pair.add(w * spread)
                    label.add(w * sigmoid(b) * sigmoid(-b) * squared)
                }
            }
            return (pair.value, label.value)
        }
        var pair = CompensatedSum(), label = CompensatedSum()
        pair.add(diagonal * mm)   // i = j: Delta = 0, so ||r Delta - m||^2 = ||m||^2
        for b in blocks {
            pair.add(b.pair)
            label.add(b.label)
        }
        return NoiseDecomposition(pairNoiseOverBetaSquared: pair.value, labelNoiseOverBetaSquared: label.value,
                                  pairNoise: safeProduct(beta, beta, pair.value), labelNoise: safeProduct(beta, beta, label.value))
    }

    /// The noise of a tabular policy (`Phi = I`, so `Delta = e_i - e_j` and d = K) in O(K^2)
    /// time and O(K) memory, where the general kernel would take O(K^3) and a K x K matrix:
    /// for `i != j`, `||r Delta - m||^2 = (r - m_i)^2 + (r + m_j)^2 + (||m||^2 - m_i^2 - m_j^2)`,
    /// the last term in double-double (`||m||^2` accumulated exactly once), so its cancellation
    /// costs about `eps^2 ||m||^2`: the sum keeps the general kernel's relative accuracy. The
    /// ordered pairs (i, j) and (j, i) give equal terms (`r` and `Delta` both change sign), so
    /// each unordered pair is evaluated once with weight `2 mu_i mu_j`; the label part is
    /// `q (1 - q) ||Delta||^2 = 2 sigmoid(b) sigmoid(-b)`. `r = p - q` by `sigmoidDifference` (one
    /// evaluation per pair, no per-response exponentials, so no tiny-response special case).
    /// Rows run in parallel (row i with row K - 1 - i, for balance), each summed in order and
    /// merged in row order: the same bits for any thread count and CPU.
    func tabularNoise() -> NoiseDecomposition {
        let k = problem.responseCount, beta = problem.beta, mu = pairWeights, m = gradientOverBeta
        let rewards = problem.rewards
        var squares = DoubleDouble.zero
        for x in m { squares = squares + twoProduct(x, x) }
        let mmExact = squares, mm = squares.value
        @Sendable func row(_ i: Int) -> (pair: Double, label: Double) {
            var pair = CompensatedSum(), label = CompensatedSum()
            guard mu[i] != 0 else { return (0, 0) }
            let mi = twoProduct(m[i], m[i])
            for j in (i + 1)..<max(k, i + 1) where mu[j] != 0 {
                let w = 2 * mu[i] * mu[j]
                let b = rewards[i] - rewards[j]
                let r = sigmoidDifference(implicitRewardDifference(i, j), b)
                let rest = max(0, (mmExact - mi - twoProduct(m[j], m[j])).value)
                let u = r - m[i], v = r + m[j]
                pair.add(w * (u * u + v * v + rest))
                label.add(w * 2 * sigmoid(b) * sigmoid(-b))
            }
            return (pair.value, label.value)
        }
        let halves = parallelMap((k + 1) / 2) { i -> [(pair: Double, label: Double)] in
            i == k - 1 - i ? [row(i)] : [row(i), row(k - 1 - i)]
        }
        var rows = [(pair: Double, label: Double)](repeating: (0, 0), count: k)
        for (i, h) in halves.enumerated() {
            rows[i] = h[0]
            if h.count == 2 { rows[k - 1 - i] = h[1] }
        }
        var diagonal = 0.0
        for y in 0..<k { diagonal += mu[y] * mu[y] }
        var pair = CompensatedSum(), label = CompensatedSum()
        pair.add(diagonal * mm)
        for r in rows {
            pair.add(r.pair)
            label.add(r.label)
        }
        return NoiseDecomposition(pairNoiseOverBetaSquared: pair.value, labelNoiseOverBetaSquared: label.value,
                                  pairNoise: safeProduct(beta, beta, pair.value), labelNoise: safeProduct(beta, beta, label.value))
    }

    /// `SNR = ||grad L||^2 / E||g - grad L||^2` for the one-pair stochastic gradient;
    /// `0` when both are 0 (K = 1, identical features), by the same `0/0 := 0` convention as
    /// the bounds' ratios.
    ///
    /// Formed as `||grad L / beta||^2 / (noise / beta^2)`, so `beta` cancels before anything can
    /// overflow.
    public func signalToNoise(_ noise: NoiseDecomposition? = nil) -> Double {
        let d = noise ?? noiseDecomposition()
        let n = d.pairNoiseOverBetaSquared + d.labelNoiseOverBetaSquared
        let m = euclideanNorm(gradientOverBeta)
        if m == 0 { return 0 }
        return n == 0 ? .infinity : (m / n.squareRoot()) * (m / n.squareRoot())
    }
}
