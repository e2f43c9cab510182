// Every tolerance that decides whether a statement applies, whether an input is valid, or what a
// double-level verdict is, tested on instances placed just inside and just outside it: a planted
// loosening (or tightening) of any of them fails here.
//
// Each instance is built from the tolerance's *documented value*, written here as a literal (so a
// changed constant cannot move the instances with it), and placed so that the decided quantity is
// a known multiple of it (0.5x inside, 2x outside), far from rounding (the quantities are
// accurate to about 1e-16 relative, the margins are a factor 2). Each test also pins the constant
// to its documented value; the instances check that the decision uses it where documented.

import Foundation
@testable import PVarCore
import Testing

@Suite("Boundaries")
struct BoundaryTests {
    /// A two-response tabular instance with logits `[0, t]`, the given reference, rewards [1, 0].
    static func tabular(_ t: Double, reference: [Double] = [0.5, 0.5], pairs: PairDistribution = .policy) throws -> Evaluation {
        try Evaluation(Problem(beta: 1, features: nil, theta: [0, t], reference: reference, rewards: [1, 0], pairs: pairs))
    }

    @Test("referenceTolerance: a log-ratio spread of 0.5x the tolerance is at the reference (B2, B3 apply), 2x is not; the allowance grows with the scale 1 + |log-reference difference|")
    func referenceToleranceBoundary() throws {
        let referenceTolerance = 1e-12   // documented in Evaluation.swift
        #expect(PVarCore.referenceTolerance == referenceTolerance)
        // Uniform reference: the spread is |t| and the scale |t| (tiny), so the threshold is the tolerance.
        for sign in [1.0, -1.0] {
            let inside = try Self.tabular(sign * 0.5 * referenceTolerance)
            let outside = try Self.tabular(sign * 2 * referenceTolerance)
            #expect(inside.atReference && !outside.atReference)
            #expect(inside.bound(.B2).applies && inside.bound(.B3).applies)
            #expect(!outside.bound(.B2).applies && !outside.bound(.B3).applies)
            // Pairs "reference" count as the policy's only at the reference.
            #expect(try Self.tabular(sign * 0.5 * referenceTolerance, pairs: .reference).pairsArePolicy)
            #expect(try !Self.tabular(sign * 2 * referenceTolerance, pairs: .reference).pairsArePolicy)
        }
        // Reference [1/4, 3/4]: the log-reference difference log 3 enters the scale, so the
        // threshold is tolerance * (1 + log 3); logits log 3 + e put the spread at e.
        let log3 = log(3.0)
        let threshold = referenceTolerance * (1 + log3)
        let inside = try Self.tabular(log3 + 0.5 * threshold, reference: [0.25, 0.75])
        let outside = try Self.tabular(log3 + 2 * threshold, reference: [0.25, 0.75])
        // 1.5x the bare tolerance: outside it, but inside the scaled allowance (about 2.1x).
        let between = try Self.tabular(log3 + 1.5 * referenceTolerance, reference: [0.25, 0.75])
        #expect(inside.atReference && !outside.atReference)
        #expect(between.atReference, "the allowance is tolerance * (1 + scale), not the bare tolerance")
    }

    @Test("policyMatchTolerance: explicit pair weights within 0.5x the tolerance of the policy count as the policy (B1 applies), 2x do not")
    func policyMatchBoundary() throws {
        let policyMatchTolerance = 1e-12   // documented in Evaluation.swift
        #expect(PVarCore.policyMatchTolerance == policyMatchTolerance)
        let e = try Self.tabular(log(2.0))   // pi = (1/3, 2/3) up to rounding
        let pi = e.policy
        for (factor, expected) in [(0.5, true), (2.0, false)] {
            let delta = factor * policyMatchTolerance
            let w = [pi[0] + delta, pi[1] - delta]
            let f = try Evaluation(Problem(beta: 1, features: nil, theta: [0, log(2.0)], reference: [0.5, 0.5], rewards: [1, 0],
                                           pairs: .weights(w)))
            #expect(f.pairsArePolicy == expected, "weights off by \(factor) x the tolerance")
            #expect(f.bound(.B1).applies == expected)
            // Off the reference, B2 and B3 apply to neither.
            #expect(!f.bound(.B2).applies && !f.bound(.B3).applies)
        }
        // B1 never applies to pairs from a reference that is not the policy, nor to weights far off.
        let referencePairs = try Self.tabular(1, pairs: .reference)
        #expect(!referencePairs.pairsArePolicy && !referencePairs.bound(.B1).applies)
        let far = try Self.tabular(1, pairs: .weights([0.5, 0.5]))
        #expect(!far.bound(.B1).applies)
        // B0 applies to every pair distribution.
        #expect(referencePairs.bound(.B0).applies && far.bound(.B0).applies)
    }

    @Test("normalizationTolerance: a reference or pair weights summing to 1 + 0.5x the tolerance are accepted, 1 + 2x are refused naming the field; exported log-probabilities likewise")
    func normalizationBoundary() throws {
        func problem(reference: [Double] = [0.5, 0.5], pairs: PairDistribution = .policy) throws(InputError) -> Problem {
            try Problem(beta: 1, features: nil, theta: [0, 0], reference: reference, rewards: [1, 0], pairs: pairs)
        }
        let tol = 1e-9   // documented in Problem.swift
        #expect(normalizationTolerance == tol)
        #expect(throws: Never.self) { try problem(reference: [0.5, 0.5 + 0.5 * tol]) }
        #expect(throws: Never.self) { try problem(pairs: .weights([0.5, 0.5 + 0.5 * tol])) }
        do { _ = try problem(reference: [0.5, 0.5 + 2 * tol]); Issue.record("a reference summing to 1 + 2e-9 was accepted") } catch {
            #expect(error.field == "reference", "\(error)")
        }
        do { _ = try problem(pairs: .weights([0.5, 0.5 + 2 * tol])); Issue.record("pair weights summing to 1 + 2e-9 were accepted") } catch {
            #expect(error.field.hasPrefix("pairs"), "\(error)")
        }
        // Exported form: log-probabilities [log(1/2), log(1/2) + x] sum to 1 + x/2 in probability.
        func exported(_ excess: Double) throws(InputError) -> Problem {
            let x = 2 * excess
            return try Problem(beta: 1, logProbabilities: [log(0.5), log(0.5) + x], scores: [[1], [-1]],
                               reference: [0.5, 0.5], rewards: [1, 0], pairs: .policy)
        }
        #expect(throws: Never.self) { try exported(0.5 * tol) }
        do { _ = try exported(2 * tol); Issue.record("log-probabilities summing to 1 + 2e-9 were accepted") } catch {
            #expect(error.field.hasPrefix("policy"), "\(error)")
        }
    }

    /// B2's ratio on the two-response instance with logits `[0, t]` (uniform reference, rewards
    /// [1, 0], pairs from the policy): exactly 1 at t = 0 (B2's equality case), and above 1 on one
    /// side of it (B2 does not apply there, but `holds` is computed all the same).
    static func b2Ratio(_ t: Double) throws -> BoundEvaluation { try tabular(t).bound(.B2) }

    /// The logit offset `t` at which B2's ratio is `1 + excess`, by bisection on the side where the
    /// ratio rises (the ratio is accurate to about 1e-15, far below the excesses used).
    static func offset(forExcess excess: Double) throws -> Double {
        let sign: Double = try b2Ratio(1e-6).ratio > 1 ? 1 : -1
        var lo = 0.0, hi = 1e-3
        for _ in 0..<200 {
            let mid = (lo + hi) / 2
            if try b2Ratio(sign * mid).ratio - 1 < excess { lo = mid } else { hi = mid }
        }
        return sign * (lo + hi) / 2
    }

    @Test("ratioTolerance: a statement whose double ratio is 1 + 0.5x the tolerance holds, 1 + 2x does not")
    func ratioToleranceBoundary() throws {
        let ratioTolerance = 1e-10   // documented in Bounds.swift
        #expect(PVarCore.ratioTolerance == ratioTolerance)
        let inside = try Self.b2Ratio(Self.offset(forExcess: 0.5 * ratioTolerance))
        let outside = try Self.b2Ratio(Self.offset(forExcess: 2 * ratioTolerance))
        #expect(abs(inside.ratio - (1 + 0.5 * ratioTolerance)) < 0.05 * ratioTolerance, "ratio \(inside.ratio)")
        #expect(abs(outside.ratio - (1 + 2 * ratioTolerance)) < 0.05 * ratioTolerance, "ratio \(outside.ratio)")
        #expect(inside.resolved && outside.resolved)
        #expect(inside.holds && !outside.holds)
        // Off the reference B2 makes no claim: a check counts neither instance.
        #expect(!inside.applies && !outside.applies)
    }

    @Test("resolutionFloor: a bound value of 2x the floor is resolved (its verdict counts), 0.5x is not (it holds vacuously and checks count it apart)")
    func resolutionFloorBoundary() throws {
        let resolutionFloor = 1e-290   // documented in Bounds.swift
        #expect(PVarCore.resolutionFloor == resolutionFloor)
        // At the reference with uniform pairs B0's value beta D delta is proportional to beta.
        func b0(_ beta: Double) throws -> BoundEvaluation {
            try Evaluation(Problem(beta: beta, features: nil, theta: [0, 0], reference: [0.5, 0.5], rewards: [1, 0], pairs: .policy)).bound(.B0)
        }
        let unit = try b0(1).value
        let inside = try b0(2 * resolutionFloor / unit)
        let outside = try b0(0.5 * resolutionFloor / unit)
        #expect(inside.value >= 1.9 * resolutionFloor && inside.value <= 2.1 * resolutionFloor, "\(inside.value)")
        #expect(outside.value >= 0.45 * resolutionFloor && outside.value <= 0.55 * resolutionFloor, "\(outside.value)")
        #expect(inside.resolved && !outside.resolved)
        #expect(outside.holds, "an unresolved comparison is never reported as a violation")
    }
}
