// B0-B3 on >= 10,000 random instances each, plus their equality cases.

import Foundation
import PVarCore
import PVarGSL
import PVarVerify
import PVarTestSupport
import Testing

/// Runs the same randomized check `pvar check` runs and turns every candidate violation into a
/// failure with its replay command.
func expectBoundHolds(_ bound: BoundID) async {
    let result = await checkBound(bound, instances: boundCheckInstances, runSeed: runSeed)
    #expect(result.applicable == boundCheckInstances,
            "\(bound.rawValue): the generator's \(result.regime.rawValue) instances must all satisfy the hypotheses")
    for v in result.candidates.prefix(5) {
        Issue.record("\(bound.rawValue) candidate violation, ratio \(v.ratio), certified \(v.certified?.rawValue ?? "-"); \(replay(result.regime, v.family, v.index))")
    }
    // Stricter than "no certified violation": not even a double-precision candidate.
    #expect(result.candidates.isEmpty)
    // Instances too small for doubles to compare (near-one-hot underflow) confirm nothing: keep
    // them a small minority so the check keeps its power.
    #expect(result.unresolved * 20 <= result.instances, "\(result.unresolved) unresolved instances")
    #expect(result.maxRatio <= 1 + ratioTolerance)
}

/// A two-response instance (tabular, or with given feature rows) at the reference.
func twoResponses(beta: Double, reference: [Double], rewards: [Double], features: [[Double]]? = nil) throws -> Evaluation {
    let theta = features == nil ? reference.map { log($0) } : [1, 0]
    let rows = features.map { f in zip(f, reference).map { [log($0.1), $0.0[0]] } }
    return try Evaluation(Problem(beta: beta, features: rows, theta: theta, reference: reference, rewards: rewards))
}

@Suite("B0")
struct B0Tests {
    @Test("B0: ||grad L|| <= beta D delta on 10,000 random instances, any mu")
    func boundHoldsOnRandomInstances() async { await expectBoundHolds(.B0) }

    @Test("B0 is an equality when K = 2 (any theta, rewards, beta, mu)")
    func equalityForTwoResponses() {
        var count = 0
        let limits = GeneratorLimits(responses: 2...2, dimension: 1...16)
        for f in Family.allCases {
            for i in 0..<200 {
                let p = InstanceGenerator(runSeed: runSeed, limits: limits).instance(.general, f, index: i)
                let e = evaluate(p)
                let b = e.bound(.B0)
                guard b.value > 1e-290 else { continue }   // both sides below the double range
                // Both sides are products of a few correctly rounded factors: 16 ulps.
                #expect(relativeError(b.lhs, b.value) <= 16 * Double.ulpOfOne,
                        "lhs \(b.lhs) value \(b.value); seed \(runSeed); replay: \(replayCommand(seed: runSeed, regime: .general, family: f, index: i, limits: limits))")
                count += 1
            }
        }
        #expect(count >= 1000)
    }
}

@Suite("B1")
struct B1Tests {
    @Test("B1: ||grad L|| <= sqrt(2) beta G (sqrt PVar_policy + sqrt PVar_labels) on 10,000 on-policy instances")
    func boundHoldsOnRandomInstances() async { await expectBoundHolds(.B1) }
}

@Suite("B2")
struct B2Tests {
    @Test("B2: ||grad L|| <= sqrt(2) beta G sqrt(PVar_labels) on 10,000 instances at the reference")
    func boundHoldsOnRandomInstances() async { await expectBoundHolds(.B2) }

    @Test("B2 is attained: two responses, uniform reference, any rewards and beta")
    func equalityForTwoUniformResponses() throws {
        for (beta, gap) in [(1.0, 1.0), (0.1, 3.0), (10.0, 1e-4), (1e-3, 40.0)] {
            let e = try twoResponses(beta: beta, reference: [0.5, 0.5], rewards: [gap, 0])
            let b = e.bound(.B2)
            #expect(b.applies)
            #expect(relativeError(b.lhs, b.value) <= 16 * Double.ulpOfOne, "beta \(beta) gap \(gap): \(b.lhs) vs \(b.value)")
        }
    }

    @Test("B2 near-identical features: the ratio stays <= 1 (a naive evaluation reported 1.000000003)")
    func nearIdenticalFeaturesDoNotFakeAViolation() throws {
        for eps in [1e-6, 1e-9, 1e-12] {
            let e = try twoResponses(beta: 1, reference: [0.5, 0.5], rewards: [1, 0], features: [[1.0], [1.0 + eps]])
            let b = e.bound(.B2)
            #expect(b.applies)
            #expect(b.ratio <= 1 + 16 * Double.ulpOfOne, "eps \(eps): ratio \(b.ratio)")
            #expect(b.ratio >= 1 - 16 * Double.ulpOfOne, "eps \(eps): ratio \(b.ratio) (uniform K = 2 is the equality case)")
        }
    }
}

@Suite("B3")
struct B3Tests {
    @Test("B3: ||grad L|| <= 3 beta G PVar_labels^(1/3) on 10,000 instances at the reference")
    func boundHoldsOnRandomInstances() async { await expectBoundHolds(.B3) }

    @Test("B3 is always looser than B2: B3 / B2 = (3 / sqrt 2) PVar^(-1/6) >= 3 * 4^(1/6) / sqrt 2")
    func looserThanB2() {
        for f in Family.allCases {
            for i in 0..<100 {
                let e = evaluate(generator.instance(.atReference, f, index: i))
                let b2 = e.bound(.B2).value, b3 = e.bound(.B3).value
                guard b2 > 0 else { continue }
                #expect(b3 / b2 >= 3 * pow(4, 1.0 / 6) / 2.0.squareRoot() * (1 - 1e-15), "\(replay(.atReference, f, i))")
            }
        }
    }
}

@Suite("C1")
struct C1Tests {
    @Test("C1: PVar_policy = 0 exactly while the gradient is not zero")
    func policyPVarCannotBoundTheGradient() throws {
        for beta in [1e-3, 1.0, 50.0] {
            let e = try Evaluation(c1Counterexample(beta: beta))
            #expect(e.pvarPolicy == 0)
            #expect(e.atReference)
            #expect(e.gradientNorm > 0)
            // The exact value: ||grad L|| = beta (sigmoid(1) - 1/2) / sqrt(2).
            let exact = beta * centredSigmoid(1) / 2.0.squareRoot()
            #expect(relativeError(e.gradientNorm, exact) <= 16 * Double.ulpOfOne)
        }
    }
}
