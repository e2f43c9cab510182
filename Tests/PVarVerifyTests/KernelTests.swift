// The fast pair kernel against the straightforward reference kernel.

import Foundation
import PVarCore
import PVarGSL
import PVarTestSupport
import Testing

@Suite("Kernel")
struct KernelTests {
    @Test("fast and reference kernels agree on every output, on random instances of every regime and family")
    func fastKernelMatchesReference() throws {
        var compared = 0
        for (r, f, i) in spread(40) {
            let p = generator.instance(r, f, index: i)
            let fast = try Evaluation(p, kernel: .fast), reference = try Evaluation(p, kernel: .reference)
            let tol = kernelTolerance(reference)
            let msg = replay(r, f, i)
            for (name, a, b) in [("loss", fast.loss, reference.loss), ("pvarPolicy", fast.pvarPolicy, reference.pvarPolicy),
                                 ("pvarLabels", fast.pvarLabels, reference.pvarLabels),
                                 ("disagreement", fast.disagreement, reference.disagreement),
                                 ("gradientNorm", fast.gradientNorm, reference.gradientNorm)] {
                if max(abs(a), abs(b)) < 1e-290 { continue }
                #expect(relativeError(a, b) <= tol, "\(name): fast \(a) reference \(b), tolerance \(tol); \(msg)")
            }
            let norm = reference.gradientNorm
            if norm >= 1e-290 {
                for (a, b) in zip(fast.gradient, reference.gradient) {
                    #expect(abs(a - b) <= tol * norm, "gradient entry: fast \(a) reference \(b); \(msg)")
                }
            }
            compared += 1
        }
        #expect(compared == 720)
    }

    /// Extreme instances: logits +-700, beta 1e4, subnormal references, near-identical features,
    /// and responses whose exponentials fall below the kernel's floor (direct path) mixed with
    /// normal ones over several vectors, serial and parallel.
    static func extremes() throws -> [Problem] {
        try [
            Problem(beta: 1, features: nil, theta: [700, -700, 0, 699.5], reference: [0.25, 0.25, 0.25, 0.25], rewards: [0, 1, 2, -1]),
            Problem(beta: 1e4, features: [[1], [1.001], [0.999]], theta: [0.3], reference: [0.2, 0.3, 0.5], rewards: [1, 0, 0.5]),
            Problem(beta: 0.1, features: nil, theta: [0, 0, 0], reference: [5e-324, 0.5, 0.5], rewards: [3, 0, 1], pairs: .weights([0.2, 0.3, 0.5])),
            Problem(beta: 1, features: [[1, 2], [1.000000001, 2], [1, 2.000000001]], theta: [3, -1], reference: [0.3, 0.3, 0.4], rewards: [1, 0, 0.5]),
            Problem(beta: 0.5, features: nil, theta: [0, -800, -800, -30], reference: [0.25, 0.25, 0.25, 0.25], rewards: [0, 40, -40, 0.1]),
            Problem(beta: 2, features: nil, theta: [0.1, 0.1000001, -0.2], reference: [0.3, 0.3, 0.4], rewards: [0.1, 0.1000001, -0.2]),
            Self.mixedTiny(40, every: 3), Self.mixedTiny(1100, every: 61),
            // Large beta |h| (found by review: exponentials of fl(beta v) - max h lost digits as
            // beta grew; they are now formed as exp(beta (v - max v))).
            Problem(beta: 1e8, features: nil, theta: [0, 0, -0.37e-8], reference: [0.98, 0.01, 0.01], rewards: [0, 0.3, -0.2]),
            Problem(beta: 3e16, features: nil, theta: [0, 0, -0x1p-53], reference: [0.5, 0.25, 0.25], rewards: [0, 0.3, -0.2]),
        ]
    }

    /// K responses, log-linear with d = 2: one in `every` far below the most likely one (logit
    /// -900, so pi underflows and exp(h - max h) < 2^-400) and as many others with a reward 300
    /// below the top, so the kernel's direct path and its vector lanes interleave.
    static func mixedTiny(_ k: Int, every: Int) throws -> Problem {
        let features = (0..<k).map { [$0 % every == 1 ? 1 : 0, 0.01 * Double($0 % 7)] }
        let rewards = (0..<k).map { $0 % every == 2 ? -300 : 0.1 * Double($0 % 11) }
        let reference = [Double](repeating: 1 / Double(k), count: k)
        return try Problem(beta: 0.5, features: features, theta: [-900, 1], reference: reference, rewards: rewards)
    }

    @Test("the kernels agree on extreme instances: logits +-700, beta 1e4, subnormal references, near-identical features, exponentials below 2^-400")
    func fastKernelMatchesReferenceOnExtremes() throws {
        let cases = try Self.extremes()
        for (n, p) in cases.enumerated() {
            let fast = try Evaluation(p, kernel: .fast), reference = try Evaluation(p, kernel: .reference)
            let tol = kernelTolerance(reference)
            for (name, a, b) in [("loss", fast.loss, reference.loss), ("pvarPolicy", fast.pvarPolicy, reference.pvarPolicy),
                                 ("pvarLabels", fast.pvarLabels, reference.pvarLabels),
                                 ("disagreement", fast.disagreement, reference.disagreement),
                                 ("gradientNorm", fast.gradientNorm, reference.gradientNorm)] {
                if max(abs(a), abs(b)) < 1e-290 { continue }
                #expect(relativeError(a, b) <= tol, "case \(n) \(name): fast \(a) reference \(b), tolerance \(tol)")
            }
        }
    }
}

@Suite("KernelParallel")
struct KernelParallelTests {
    @Test("large K (row blocks run in parallel): fast and reference kernels agree, and repeated runs are bit-identical")
    func parallelBlocksAgreeWithReference() throws {
        for (k, index) in [(1024, 0), (1500, 1), (2048, 2)] {
            let p = InstanceGenerator(runSeed: runSeed, limits: GeneratorLimits(responses: k...k, dimension: 8...8))
                .instance(.general, .gaussian, index: index)
            let fast = try Evaluation(p), again = try Evaluation(p), reference = try Evaluation(p, kernel: .reference)
            #expect(fast.json() == again.json(), "K = \(k): two runs differ")
            let tol = kernelTolerance(reference)
            for (name, a, b) in [("loss", fast.loss, reference.loss), ("pvarPolicy", fast.pvarPolicy, reference.pvarPolicy),
                                 ("pvarLabels", fast.pvarLabels, reference.pvarLabels),
                                 ("disagreement", fast.disagreement, reference.disagreement),
                                 ("gradientNorm", fast.gradientNorm, reference.gradientNorm)] {
                #expect(relativeError(a, b) <= tol, "K = \(k) \(name): fast \(a) reference \(b), tolerance \(tol)")
            }
        }
    }
}

@Suite("KernelInstructionSets")
struct KernelInstructionSetTests {
    @Test("every instruction set this CPU has (generic, AVX2, AVX-512) gives bit-identical evaluations and noise")
    func instructionSetsAgreeBitwise() throws {
        let sets = KernelInstructionSet.available
        #expect(sets.first == .generic && sets.last == KernelInstructionSet.best)
        print("KernelInstructionSets: comparing \(sets.map(\.description).joined(separator: ", "))")
        var problems = try KernelTests.extremes()
        for (r, f, i) in spread(6) { problems.append(generator.instance(r, f, index: i)) }
        problems.append(InstanceGenerator(runSeed: runSeed, limits: GeneratorLimits(responses: 1500...1500, dimension: 8...8))
            .instance(.general, .heavyTailed, index: 0))
        for (n, p) in problems.enumerated() {
            let generic = try Evaluation(p, kernel: .fastUsing(.generic)).json()
            for s in sets.dropFirst() {
                #expect(try Evaluation(p, kernel: .fastUsing(s)).json() == generic, "problem \(n) (K = \(p.responseCount)): \(s) differs from generic")
            }
            #expect(try Evaluation(p).json() == generic, "problem \(n): the default kernel differs from generic")
            let e = try Evaluation(p)
            let noise = e.noiseDecomposition(instructionSet: .generic)
            for s in sets.dropFirst() {
                #expect(e.noiseDecomposition(instructionSet: s) == noise, "problem \(n): the noise on \(s) differs from generic")
            }
        }
    }
}

@Suite("NoiseKernel")
struct NoiseKernelTests {
    /// The noise from its definition, pair by pair with the direct forms (`sigmoidDifference`,
    /// `sigmoid`), as `noiseDecomposition` computed it before the C kernel: a test-only reference.
    static func directNoise(_ e: Evaluation) -> (pair: Double, label: Double) {
        let p = e.problem, k = p.responseCount, d = p.dimension, mu = e.pairWeights
        let m = e.gradient.map { $0 / p.beta }
        func feature(_ y: Int, _ c: Int) -> Double { p.features.map { $0[y][c] } ?? (y == c ? 1 : 0) }
        var pair = CompensatedSum(), label = CompensatedSum()
        pair.add(mu.map { $0 * $0 }.reduce(0, +) * m.map { $0 * $0 }.reduce(0, +))
        for i in 0..<k where mu[i] != 0 {
            for j in (i + 1)..<max(k, i + 1) where mu[j] != 0 {   // pairs of probability 0 add nothing
                let w = 2 * mu[i] * mu[j], b = p.rewards[i] - p.rewards[j]
                let r = sigmoidDifference(e.implicitRewardDifference(i, j), b)
                var spread = 0.0, squared = 0.0
                for c in 0..<d {
                    let delta = feature(i, c) - feature(j, c)
                    spread += (r * delta - m[c]) * (r * delta - m[c])
                    squared += delta * delta
                }
                pair.add(w * spread)
                label.add(w * sigmoid(b) * sigmoid(-b) * squared)
            }
        }
        return (pair.value, label.value)
    }

    @Test("the noise kernel agrees with the noise from its definition, on random and extreme instances (incl. exponentials below 2^-400)")
    func matchesDefinition() throws {
        var problems = try KernelTests.extremes().filter { $0.responseCount <= 64 }
        // Found by review: a zero-weight response (N1) or zero-weight template (N2) whose feature
        // difference overflows made 0 * inf = NaN in the kernel and crashed `pvar evaluate`.
        for (features, pairs) in [([[0.0], [1e160], [1.0]], [0.5, 0, 0.5]), ([[1e160], [0.0], [1.0]], [0, 0.5, 0.5])] {
            problems.append(try Problem(beta: 0.01, features: features, theta: [-6.9e-158], reference: [1.0 / 3, 1.0 / 3, 1.0 / 3],
                                        rewards: [0, 0.5, 1], pairs: .weights(pairs)))
        }
        for (r, f, i) in spread(8) { problems.append(generator.instance(r, f, index: i)) }
        for (n, p) in problems.enumerated() {
            let e = try Evaluation(p)
            let fast = e.noiseDecomposition(), direct = Self.directNoise(e)
            let tol = kernelTolerance(e)
            for (name, a, b) in [("pair noise", fast.pairNoiseOverBetaSquared, direct.pair),
                                 ("label noise", fast.labelNoiseOverBetaSquared, direct.label)] {
                #expect(a.isFinite == b.isFinite, "problem \(n) (K = \(p.responseCount)) \(name): kernel \(a), definition \(b)")
                guard abs(b) >= 1e-290 || abs(a) >= 1e-290 else { continue }
                #expect(relativeError(a, b) <= tol, "problem \(n) (K = \(p.responseCount)) \(name): kernel \(a), definition \(b), tolerance \(tol)")
            }
        }
    }
}
