// The instances `pvar bench` times: one fixed, moderate family for every shape.

import PVarCore

/// The standard deviation of the logits `z = Phi theta` in a bench instance (theta's entries
/// have standard deviation `benchLogitSpread / sqrt(d)`): moderate logits, so that no response's
/// exponential falls below the pair kernel's floor and every pair runs in the vector kernel,
/// whatever K (the random regimes of `InstanceGenerator` draw beta up to 100 and feature scales
/// up to 10, and at K in the tens of thousands their logits sent most pairs to the slow direct
/// path: a timing of that path, not of the kernel).
public let benchLogitSpread = 2.4

/// A bench instance with K responses and d features, drawn with GSL from `seed`: features
/// N(0, 1), theta N(0, benchLogitSpread^2 / d), beta = 1/2, the uniform reference, rewards
/// N(0, 1), pairs from the policy. `Tests/Bench/large_instance.py` writes the same family as a
/// JSON file (its own generator) for the end-to-end timings of `pvar evaluate`.
public func benchInstance(responses k: Int, dimension d: Int, seed: UInt64) -> Problem {
    let rng = RandomSource(seed: seed)
    let features = (0..<k).map { _ in (0..<d).map { _ in rng.gaussian(1) } }
    let theta = (0..<d).map { _ in rng.gaussian(benchLogitSpread / Double(d).squareRoot()) }
    let rewards = (0..<k).map { _ in rng.gaussian(1) }
    let reference = [Double](repeating: 1 / Double(k), count: k)
    do {
        return try Problem(beta: 0.5, features: features, theta: theta, reference: reference, rewards: rewards, pairs: .policy)
    } catch {
        preconditionFailure("bench instance invalid: \(error)")  // finite draws, a normalised reference
    }
}
