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
public struct CheckedInstance: Sendable, Codable, Equatable {
    public let family: Family
    public let index: Int
    public let lhs: Double
    public let value: Double
    public let ratio: Double
    /// The rigorous verdict (ball arithmetic), for candidate violations only.
    public var certified: CertifiedVerdict? = nil
}

/// The outcome of checking one statement on `instances` random instances.
public struct CheckResult: Sendable, Codable, Equatable {
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
    /// Which part of the index range this result covers (`Shard.whole` for a full run).
    public var shard: Shard = .whole
    /// The run's `--instances` (all shards together) and instance shapes (`GeneratorLimits`):
    /// shards merge only if both agree. Absent in files saved before they were recorded.
    public var runInstances: Int? = nil
    public var shape: String? = nil

    public var maxRatio: Double { worst?.ratio ?? 0 }
}

/// Part `index` of `count` of an index range: the indices `i` with `i % count == index`, so that
/// a batch scheduler can fan a sweep out (`--shard 3/16`) and `mergeCheckResults` can put the
/// parts back together into exactly the result of a single run.
public struct Shard: Sendable, Codable, Equatable, CustomStringConvertible {
    public let index: Int
    public let count: Int
    public static let whole = Shard(index: 0, count: 1)

    public init(index: Int, count: Int) {
        precondition(count >= 1 && (0..<count).contains(index), "Shard: need 0 <= index < count")
        self.index = index
        self.count = count
    }

    /// Parses `i/n` (`0 <= i < n`); nil otherwise.
    public init?(parsing text: String) {
        let parts = text.split(separator: "/")
        guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]), n >= 1, (0..<n).contains(i) else { return nil }
        self.init(index: i, count: n)
    }

    public var description: String { "\(index)/\(count)" }

    func contains(_ i: Int) -> Bool { i % count == index }
}

/// Checks `bound` on instances `0..<instances` of its regime (those of `shard` only), the family
/// of instance `i` being `families[i % families.count]`. Runs `threads` tasks at a time (all
/// cores by default); the result does not depend on the number of threads, because each instance
/// has its own seed and chunks are reduced in index order.
public func checkBound(
    _ bound: BoundID,
    instances: Int,
    runSeed: UInt64,
    limits: GeneratorLimits = GeneratorLimits(),
    families: [Family] = Family.allCases,
    sampleLimit: Int = 0,
    threads: Int? = nil,
    shard: Shard = .whole
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

    let partials = await boundedTaskMap(chunks, limit: threads) { c in
        var p = Partial()
        for i in (c * chunk)..<min(instances, (c + 1) * chunk) where shard.contains(i) {
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
        return p
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
    let drawn = (0..<instances).filter(shard.contains).count
    return CheckResult(bound: bound, regime: reg, runSeed: runSeed, instances: drawn,
                       applicable: applicable, unresolved: unresolved, worst: worst, candidates: candidates,
                       sample: sample, families: families, shard: shard, runInstances: instances,
                       shape: "responses \(limits.responses), dimension \(limits.dimension)")
}

/// A set of shard results that cannot be merged; the message says why.
public struct MergeError: Error, CustomStringConvertible, Sendable {
    public let description: String
}

/// Merges the shards of one run (same statement, seed, families; shards `0/n ... (n-1)/n`, each
/// exactly once) into the result a single run would have given: counts add up, the worst
/// instance is the largest ratio (the lowest index on ties, as in a single run), candidates and
/// plot samples are put back in index order.
public func mergeCheckResults(_ parts: [CheckResult]) throws -> CheckResult {
    guard let first = parts.first else { throw MergeError(description: "no shard results to merge") }
    let n = first.shard.count
    for p in parts {
        guard p.bound == first.bound, p.runSeed == first.runSeed, p.families == first.families, p.shard.count == n,
              p.runInstances == first.runInstances, p.shape == first.shape else {
            throw MergeError(description: "shard \(p.shard) of \(p.bound.rawValue) (seed \(p.runSeed), \(p.runInstances.map(String.init) ?? "?") "
                             + "instances, \(p.shape ?? "?")) does not belong to the run of shard \(first.shard) of \(first.bound.rawValue) "
                             + "(seed \(first.runSeed), \(first.runInstances.map(String.init) ?? "?") instances, \(first.shape ?? "?"))")
        }
    }
    let indices = parts.map(\.shard.index).sorted()
    guard indices == Array(0..<n) else {
        throw MergeError(description: "\(first.bound.rawValue): expected shards 0..<\(n) once each, got \(indices)")
    }
    // Shard i of a run of N instances holds ceil((N - i) / n) of them: some N must fit every part.
    let counts = parts.sorted { $0.shard.index < $1.shard.index }.map(\.instances)
    let fits = ((n * max(counts[0] - 1, 0) + 1)...max(1, n * counts[0])).contains { total in
        (0..<n).allSatisfy { i in counts[i] == max(0, (total - i + n - 1) / n) }
    }
    guard counts.allSatisfy({ $0 >= 0 }), fits else {
        throw MergeError(description: "\(first.bound.rawValue): the shards come from runs with different instance counts "
                         + "(counts \(counts) fit no single run)")
    }
    var worst: CheckedInstance?
    for w in parts.compactMap(\.worst) where worst == nil || w.ratio > worst!.ratio || (w.ratio == worst!.ratio && w.index < worst!.index) {
        worst = w
    }
    return CheckResult(
        bound: first.bound, regime: first.regime, runSeed: first.runSeed,
        instances: parts.map(\.instances).reduce(0, +), applicable: parts.map(\.applicable).reduce(0, +),
        unresolved: parts.map(\.unresolved).reduce(0, +), worst: worst,
        candidates: parts.flatMap(\.candidates).sorted { $0.index < $1.index },
        sample: parts.flatMap(\.sample).sorted { $0.index < $1.index },
        families: first.families, shard: .whole, runInstances: first.runInstances, shape: first.shape)
}

/// Results of several statements (one per `BoundID`), as saved by `pvar check --save` and
/// `pvar report --shard`.
public struct CheckRun: Sendable, Codable, Equatable {
    public var results: [CheckResult]
    public init(results: [CheckResult]) { self.results = results }

    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return String(decoding: try encoder.encode(self), as: UTF8.self) + "\n"
    }

    public static func parse(_ data: Data, file: String) throws -> CheckRun {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        do { return try decoder.decode(CheckRun.self, from: data) } catch {
            throw MergeError(description: "\(file): not a saved check run (\(error))")
        }
    }

    /// Merges saved shard runs statement by statement.
    public static func merge(_ runs: [CheckRun]) throws -> CheckRun {
        let bounds = Set(runs.flatMap { $0.results.map(\.bound) }).sorted()
        return CheckRun(results: try bounds.map { b in try mergeCheckResults(runs.flatMap { $0.results.filter { $0.bound == b } }) })
    }
}
