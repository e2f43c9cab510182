// A seeded GSL random generator (mt19937) and the distributions pvar draws from.

import CGSL
import Foundation

/// Switches GSL's abort-on-error handler off, once per process; every GSL call in pvar either
/// validates its parameters first or checks the returned status.
public let gslSetUp: Void = { pvar_gsl_disable_abort() }()

/// The GSL version string (e.g. "2.7.1").
public var gslVersion: String { String(cString: pvar_gsl_version()) }

/// Derives a 32-bit generator seed from a run seed and a stream of labels (SplitMix64 mixing),
/// so that every task gets its own reproducible stream. mt19937 is seeded from 32 bits.
public func deriveSeed(_ runSeed: UInt64, _ labels: [UInt64]) -> UInt64 {
    var x = runSeed
    for l in labels { x = splitMix64(x ^ splitMix64(l &+ 0x9E37_79B9_7F4A_7C15)) }
    return (x >> 32) == 0 ? 1 : (x >> 32)
}

/// A stable 64-bit label for a string (FNV-1a), for seed derivation.
public func stableLabel(_ s: String) -> UInt64 {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for b in s.utf8 { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
    return h
}

func splitMix64(_ v: UInt64) -> UInt64 {
    var z = v &+ 0x9E37_79B9_7F4A_7C15
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
}

/// One GSL mt19937 generator. Not thread-safe (GSL's generators are not): use one per task.
public final class RandomSource {
    let rng: UnsafeMutablePointer<gsl_rng>
    public let seed: UInt64

    public init(seed: UInt64) {
        _ = gslSetUp
        guard let r = gsl_rng_alloc(pvar_gsl_rng_mt19937()) else {
            fatalError("gsl_rng_alloc failed: out of memory")
        }
        rng = r
        self.seed = seed
        gsl_rng_set(r, UInt(seed))
    }

    deinit { gsl_rng_free(rng) }

    /// Uniform on [0, 1).
    public func uniform() -> Double { gsl_rng_uniform(rng) }

    /// Uniform on [a, b).
    public func uniform(_ a: Double, _ b: Double) -> Double { a + (b - a) * uniform() }

    /// `exp(uniform(log a, log b))`: uniform on a log scale.
    public func logUniform(_ a: Double, _ b: Double) -> Double { exp(uniform(log(a), log(b))) }

    /// Uniform integer in `range` (inclusive).
    public func integer(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(gsl_rng_uniform_int(rng, UInt(range.count)))
    }

    /// True with probability `p`.
    public func bernoulli(_ p: Double) -> Bool { uniform() < p }

    /// Gaussian with standard deviation `sigma` (`gsl_ran_gaussian`).
    public func gaussian(_ sigma: Double = 1) -> Double { gsl_ran_gaussian(rng, sigma) }

    /// Student's t with `nu` degrees of freedom (`gsl_ran_tdist`): heavy tails for small `nu`.
    public func studentT(_ nu: Double) -> Double { gsl_ran_tdist(rng, nu) }

    /// Dirichlet with all K concentrations equal to `alpha` (`gsl_ran_dirichlet`).
    ///
    /// With small `alpha` GSL's gamma variates can underflow to 0; an entry below `floor`
    /// is raised to `floor` and the vector renormalised, so the result is a strictly positive
    /// distribution (needed for references) that is otherwise GSL's draw.
    public func dirichlet(count k: Int, alpha: Double, floor: Double = 1e-300) -> [Double] {
        precondition(k >= 1 && alpha > 0, "dirichlet: invalid parameters")
        var a = [Double](repeating: alpha, count: k)
        var out = [Double](repeating: 0, count: k)
        gsl_ran_dirichlet(rng, k, &a, &out)
        var total = 0.0
        for i in 0..<k {
            if !(out[i] >= floor) { out[i] = floor }
            total += out[i]
        }
        return out.map { $0 / total }
    }

    /// One of the given elements, uniformly.
    public func choose<T>(_ options: [T]) -> T { options[integer(0...(options.count - 1))] }
}
