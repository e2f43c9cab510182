// Randomized checks of the statements B0–B3 on GSL-drawn instances.

import Foundation
import PVarCertify
import PVarCore
import PVarGSL

/// The regime whose instances satisfy a statement's hypotheses.
public func regime(for bound: BoundID) -> Regime {
    switch bound {
    case .B0: .general
    case .B1: .onPolicy
    case .B2, .B3: .atReference
    }
}

/// One checked instance, identified well enough to replay it.
public struct CheckedInstance: Sendable {
    public let family: Family
    public let index: Int
    public let lhs: Double
    public let value: Double
    public let ratio: Double
    /// The rigorous verdict (ball arithmetic), for candidate violations only.
    public var certified: CertifiedVerdict? = nil
}

/// The outcome of checking one statement on `instances` random instances.
public struct CheckResult: Sendable {
    public let bound: BoundID
    public let regime: Regime
    public let runSeed: UInt64
    /// Instances drawn.
    public let instances: Int
    /// Instances on which the statement's hypotheses held (all of them, by construction of the
    /// regime; a smaller number would mean the generator and `applies` disagree).
    public let applicable: Int
    /// Instances whose gradient norm or bound lies below `resolutionFloor` (e.g. probabilities
    /// like e^-700): doubles cannot compare them, so they neither confirm nor refute.
    public let unresolved: Int
    /// The instance with the largest ratio `||grad L|| / bound` among resolved instances.
    public let worst: CheckedInstance?
    /// Instances with ratio above `1 + ratioTolerance` in doubles, each re-evaluated in ball
    /// arithmetic (`certified` set): a double evaluation never decides a violation on its own.
    public let candidates: [CheckedInstance]
    /// The candidates certified `violated`: the only instances reported as violations.
    public var violations: [CheckedInstance] { candidates.filter { $0.certified == .violated } }
    /// Up to `sampleLimit` checked instances, in index order, for plots.
    public let sample: [CheckedInstance]
    /// The families the instances cycled through.
    public let families: [Family]

    public var maxRatio: Double { worst?.ratio ?? 0 }
}

/// The shell command that regenerates one instance and evaluates it.
public func replayCommand(seed: UInt64, regime: Regime, family: Family, index: Int, limits: GeneratorLimits = GeneratorLimits()) -> String {
    var shape = ""
    if limits != GeneratorLimits() {
        shape = " --min-responses \(limits.responses.lowerBound) --max-responses \(limits.responses.upperBound)"
            + " --min-dim \(limits.dimension.lowerBound) --max-dim \(limits.dimension.upperBound)"
    }
    return "swift run pvar generate --seed \(seed) --regime \(regime.rawValue) --family \(family.rawValue) --index \(index)\(shape)"
        + " | swift run pvar evaluate --input -"
}

/// Checks `bound` on instances `0..<instances` of its regime, the family of instance `i` being
/// `families[i % families.count]`. Runs on all cores; the result does not depend on the
/// number of threads (each instance has its own seed, and chunks are reduced in index order).
public func checkBound(
    _ bound: BoundID,
    instances: Int,
    runSeed: UInt64,
    limits: GeneratorLimits = GeneratorLimits(),
    families: [Family] = Family.allCases,
    sampleLimit: Int = 0
) async -> CheckResult {
    let generator = InstanceGenerator(runSeed: runSeed, limits: limits)
    let reg = regime(for: bound)
    let chunk = 256
    let chunks = (instances + chunk - 1) / chunk

    struct Partial: Sendable {
        var applicable = 0
        var unresolved = 0
        var worst: CheckedInstance?
        var violations: [CheckedInstance] = []
        var sample: [CheckedInstance] = []
    }

    let partials = await withTaskGroup(of: (Int, Partial).self) { group in
        for c in 0..<chunks {
            group.addTask {
                var p = Partial()
                for i in (c * chunk)..<min(instances, (c + 1) * chunk) {
                    let family = families[i % families.count]
                    let problem = generator.instance(reg, family, index: i)
                    guard let e = try? Evaluation(problem) else { continue }
                    let b = e.bound(bound)
                    guard b.applies else { continue }
                    p.applicable += 1
                    let item = CheckedInstance(family: family, index: i, lhs: b.lhs, value: b.value, ratio: b.ratio)
                    if i < sampleLimit { p.sample.append(item) }
                    guard b.resolved else { p.unresolved += 1; continue }
                    if p.worst == nil || b.ratio > p.worst!.ratio { p.worst = item }
                    if !b.holds { p.violations.append(item) }
                }
                return (c, p)
            }
        }
        var all = [Partial](repeating: Partial(), count: chunks)
        for await (c, p) in group { all[c] = p }
        return all
    }

    var applicable = 0
    var unresolved = 0
    var worst: CheckedInstance?
    var candidates: [CheckedInstance] = []
    var sample: [CheckedInstance] = []
    for p in partials {
        applicable += p.applicable
        unresolved += p.unresolved
        if let w = p.worst, worst == nil || w.ratio > worst!.ratio { worst = w }
        candidates += p.violations
        sample += p.sample
    }
    for i in candidates.indices {
        let problem = generator.instance(reg, candidates[i].family, index: candidates[i].index)
        candidates[i].certified = certify(problem).bounds[bound]?.verdict ?? .undecided
    }
    return CheckResult(bound: bound, regime: reg, runSeed: runSeed, instances: instances,
                       applicable: applicable, unresolved: unresolved, worst: worst, candidates: candidates,
                       sample: sample, families: families)
}
