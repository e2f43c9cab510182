// Edge-case catalogue: degenerate and extreme instances, what the mathematics says about each,
// what the tool computes, and whether the two agree.

import Foundation
import PVarCertify
import PVarCore

// MARK: - Tolerances

/// Relative accuracy documented for the double evaluation (`Evaluation`: every output agrees
/// with an independent 50-digit evaluation to better than 1e-12 relative). A computed value may
/// differ from the exact one (a certified enclosure, or a closed form evaluated without
/// cancellation) by this much of its magnitude; more is a disagreement.
public let edgeCaseAccuracy = 1e-12

/// Absolute slack per pair term for values in or near the subnormal range: a pair sum of K^2
/// terms, each rounded once to a subnormal, can be off by half a subnormal spacing
/// (`2^-1075`) per term; `4 * 2^-1074` per term covers that with room for the final scaling.
public let edgeCaseUnderflowSlackPerTerm = 4 * 0x1p-1074

/// Whether `x` lies within `[lo, hi]`, widened by `edgeCaseAccuracy` relative and the underflow
/// slack of `terms` pair terms absolute.
public func agreesWithEnclosure(_ x: Double, _ enclosure: Enclosure, terms: Int) -> Bool {
    let magnitude = max(abs(x), abs(enclosure.lo), enclosure.hi.isFinite ? abs(enclosure.hi) : 0)
    let slack = edgeCaseAccuracy * magnitude + Double(terms) * edgeCaseUnderflowSlackPerTerm
    return enclosure.lo - slack <= x && x <= enclosure.hi + slack
}

/// Whether `x` agrees with the closed-form value `exact` within `relative` of the larger
/// magnitude plus the underflow slack of `terms` pair terms.
public func agreesWithClosedForm(_ x: Double, _ exact: Double, relative: Double = edgeCaseAccuracy, terms: Int) -> Bool {
    if x == exact { return true }
    guard x.isFinite, exact.isFinite else { return false }
    return abs(x - exact) <= relative * max(abs(x), abs(exact)) + Double(terms) * edgeCaseUnderflowSlackPerTerm
}

// MARK: - The catalogue

/// One labelled instance of an edge case.
public struct EdgeCaseInstance: Sendable {
    public let label: String
    public let problem: Problem
}

/// One edge case: an identifier (`E1`..`E8`), a title, what the mathematics says, and the
/// instances that exhibit it (the first is the primary one).
public struct EdgeCase: Sendable {
    public let id: EdgeCaseID
    public let title: String
    /// What the exact mathematics says, in one line (the report's table).
    public let mathInBrief: String
    /// What the exact mathematics says about the case, with its derivation (derived, not observed).
    public let mathSays: String
    /// The labelled instances, primary first.
    public let instances: [EdgeCaseInstance]

    /// The primary instance.
    public var instance: Problem { instances[0].problem }

    /// The instance with the given label, if any.
    public func problem(_ label: String) -> Problem? {
        instances.first { $0.label == label }?.problem
    }
}

/// One claim of the mathematics checked against the tool on one instance.
public struct EdgeCaseCheck: Sendable {
    /// The label of the instance.
    public let instance: String
    /// The claim, e.g. "every gradient entry is exactly 0".
    public let claim: String
    /// What the tool computed, as text.
    public let observed: String
    public let passed: Bool
}

/// The outcome of one edge case: what the tool computes (a short summary), every check, and the
/// verdict: `"agrees"`, or a precise description of each disagreement.
public struct EdgeCaseOutcome: Sendable {
    public let id: EdgeCaseID
    /// What the tool computes, in one line (the report's table).
    public let toolComputes: String
    /// What the tool computes on each instance, one line per instance.
    public let details: [String]
    public let checks: [EdgeCaseCheck]
    public var failures: [EdgeCaseCheck] { checks.filter { !$0.passed } }
    public var agrees: Bool { failures.isEmpty }

    /// `"agrees"`, or every failed check with what was observed.
    public var verdict: String {
        agrees ? "agrees"
            : "disagrees: " + failures.map { "[\($0.instance)] \($0.claim): observed \($0.observed)" }.joined(separator: "; ")
    }

    /// `"agrees"`, or the instances and claims that fail (without the observations; `verdict`
    /// has them).
    public var shortVerdict: String {
        if agrees { return "agrees" }
        var labels: [String] = []
        for f in failures where !labels.contains(f.instance) { labels.append(f.instance) }
        return "disagrees (\(failures.count) of \(checks.count) checks fail): " + labels.map { label in
            "on \(label): " + failures.filter { $0.instance == label }.map(\.claim).joined(separator: "; ")
        }.joined(separator: ". ")
    }
}

/// Builds a catalogue instance (literal, valid by construction).
func literal(_ label: String, beta: Double, features: [[Double]]? = nil, theta: [Double], reference: [Double],
             rewards: [Double], pairs: PairDistribution = .policy) -> EdgeCaseInstance {
    do {
        return EdgeCaseInstance(label: label, problem: try Problem(
            beta: beta, features: features, theta: theta, reference: reference, rewards: rewards, pairs: pairs))
    } catch {
        preconditionFailure("edge case \(label) is valid by construction: \(error)")
    }
}

/// The uniform reference on three responses as doubles (`fl(1/3)` each; the sum is within
/// `normalizationTolerance` of 1, and equal entries make every log-ratio difference exactly 0).
let uniformThree = [1.0 / 3, 1.0 / 3, 1.0 / 3]

// MARK: - The catalogue's index

/// The edge cases, E1..E8: their data in `EdgeCaseCatalogue.swift`, each examiner in its own file
/// (`E<n>-<Name>.swift`).
public enum EdgeCaseID: String, CaseIterable, Sendable, Comparable {
    case E1, E2, E3, E4, E5, E6, E7, E8

    public static func < (a: EdgeCaseID, b: EdgeCaseID) -> Bool { a.rawValue < b.rawValue }

    /// The case's definition.
    public var edgeCase: EdgeCase { edgeCaseCatalogue()[EdgeCaseID.allCases.firstIndex(of: self)!] }
}


/// Examines one case of the catalogue: runs the tool on every instance and checks what the
/// mathematics says against it.
public func examineEdgeCase(_ c: EdgeCase) -> EdgeCaseOutcome {
    switch c.id {
    case .E1: examineOneResponse(c)
    case .E2: examineIdenticalFeatures(c)
    case .E3: examineOneHot(c)
    case .E4: examineBetaLimits(c)
    case .E5: examineExtremeLogits(c)
    case .E6: examineTinyReference(c)
    case .E7: examineEqualRewards(c)
    case .E8: examineZeroPairWeights(c)
    }
}

/// Every case examined, in catalogue order.
public func edgeCaseOutcomes() -> [EdgeCaseOutcome] { edgeCaseCatalogue().map(examineEdgeCase) }
