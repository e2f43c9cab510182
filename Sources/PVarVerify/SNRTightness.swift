// Adversarial search for the worst case of statement S1: maximise SNR / snrBound at the reference.

import Foundation
import PVarCertify
import PVarCore
import PVarGSL

/// The at-reference instance of `SearchSpace(bound: .B2, ...)` at point `x`, moved *exactly* to
/// the reference: the same features (including the space's `log pi_ref` column), rewards and
/// `beta`; `theta = 0` and a uniform reference, so every logit is 0 and every implicit reward is
/// exactly 0, in doubles and as real numbers; pairs drawn from the point's reference
/// (`.weights(pi_ref)`), which is what the space's policy equals.
///
/// Why: at the reference the noise, the SNR and `snrBound` depend only on `mu`, the labels and
/// the feature differences (`p = 1/2`), so the move changes neither in exact arithmetic. But the
/// space's own instance sits at the reference only up to the rounding of `log pi_ref` (implicit
/// rewards of about 1e-16), which shifts the SNR by a relative `|p - 1/2| / |q - 1/2|`: with
/// `snrBound` an equality on two responses, a maximiser would otherwise chase that rounding as
/// the reward gaps shrink, and a certificate of the space's instance would decide a question
/// about an instance off the reference.
public func snrSearchInstance(_ space: SearchSpace, _ x: [Double]) -> Problem {
    precondition(space.bound == .B2 || space.bound == .B3, "snrSearchInstance needs an at-reference space (B2, B3)")
    let p = space.problem(x)
    let k = p.responseCount
    do {
        return try Problem(beta: p.beta, features: p.features, theta: [Double](repeating: 0, count: p.dimension),
                           reference: [Double](repeating: 1 / Double(k), count: k), rewards: p.rewards,
                           pairs: .weights(p.reference))
    } catch {
        preconditionFailure("moving a search point to the reference gave an invalid instance: \(error)")
    }
}

/// `SNR / snrBound` on one instance, the quantity S1 bounds by 1: `0` where S1 makes no claim
/// (not at the reference), where the bound is 0 (then the SNR is 0 too: `PVar_labels = 0` at the
/// reference gives a zero gradient), or where doubles do not resolve the signal, the noise or the
/// bound (below `resolutionFloor`).
public func snrBoundRatio(_ e: Evaluation) -> Double {
    guard let bound = e.snrBound, bound >= resolutionFloor else { return 0 }
    let noise = e.noiseDecomposition()
    let signal = e.gradientNorm * e.gradientNorm
    guard signal >= resolutionFloor, noise.total >= resolutionFloor else { return 0 }
    return e.signalToNoise(noise) / bound
}

/// The outcome of a search for S1's worst case.
public struct SNRTightnessResult: Sendable {
    public let responses: Int
    public let dimension: Int
    public let seed: UInt64
    public let restarts: [RestartOutcome]

    /// The largest `SNR / snrBound` over all restarts.
    public var bestRatio: Double { best?.ratio ?? 0 }
    public var best: RestartOutcome? {
        restarts.reduce(nil) { acc, r in (acc == nil || r.ratio > acc!.ratio) ? r : acc }
    }
    /// The instance attaining `bestRatio`, exactly at the reference (`snrSearchInstance`), in the
    /// `pvar evaluate` input schema.
    public var witness: Problem? {
        best.map { snrSearchInstance(SearchSpace(bound: .B2, responses: responses, dimension: dimension), $0.point) }
    }
    /// The witness certified in ball arithmetic (`certifyNoise`): S1's verdict on it.
    public var certifiedWitness: NoiseCertificate? { witness.map { certifyNoise($0) } }
}

/// Maximises `SNR / snrBound` over at-reference instances, parametrised by
/// `SearchSpace(bound: .B2, responses:, dimension:)` (features, reference logits, rewards; the
/// reference is also the pair distribution) and evaluated on `snrSearchInstance` (the point moved
/// exactly to the reference), with GSL's Nelder–Mead simplex (`minimizeSimplex`) from `restarts`
/// random starts, each polished `polishRounds` times by restarting the simplex at its optimum
/// with a quarter of the step. Deterministic per `seed` (one generator per restart, seeded from
/// `(seed, restart)`); restarts run in parallel and the result does not depend on the threads.
///
/// What to expect (Proofs/S1-snr.md, Tightness): the ratio is `rho^2 (1 - 4 PVar) / (1 - 4 rho^2 PVar)`
/// with `rho` B0's ratio, so it is exactly 1 on every two-response point and approaches 1 for
/// `K >= 3` where B0 becomes an equality (pairs concentrated on two responses, or features aligned
/// with small reward gaps).
public func searchSNRTightness(
    responses: Int,
    dimension: Int,
    restarts: Int,
    seed: UInt64,
    maxIterations: Int = 4000,
    polishRounds: Int = 3
) async -> SNRTightnessResult {
    let space = SearchSpace(bound: .B2, responses: responses, dimension: dimension)
    let outcomes = await maximizeFromRandomStarts(
        dimension: space.count, restarts: restarts, seed: seed, labels: [stableLabel("snr-tightness")],
        maxIterations: maxIterations, polishRounds: polishRounds,
        objective: { x in (try? Evaluation(snrSearchInstance(space, x))).map(snrBoundRatio) ?? 0 })
    return SNRTightnessResult(responses: responses, dimension: dimension, seed: seed, restarts: outcomes)
}
