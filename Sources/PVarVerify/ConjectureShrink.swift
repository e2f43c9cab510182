// Shrinking a certified violation to a minimal one, as Hypothesis shrinks a failing test case:
// deterministic simplification steps, each kept only while the violation stays certified.

import Foundation
import PVarCore

/// A shrunk violation: the final instance and every instance kept on the way (in order).
public struct ShrinkOutcome: Sendable {
    public let result: Problem
    public let trail: [Problem]
    /// Simplified instances tried (kept or not).
    public let attempts: Int
}

/// The order shrinking descends: fewer responses first, then the tabular form before features,
/// then a smaller dimension, then fewer digits (`shrinkDigits`), then smaller numbers (the sum of
/// the magnitudes of beta, the rewards, theta, the features and the pair weights). Every kept
/// step lowers it, and the candidates of each step come from a finite set, so shrinking ends.
public func shrinkSize(_ p: Problem) -> [Double] {
    var magnitude = p.beta
    for x in p.rewards + p.theta + (p.features ?? []).flatMap({ $0 }) { magnitude += Swift.abs(x) }
    if case .weights(let w) = p.pairs { magnitude += w.reduce(0, +) }
    return [Double(p.responseCount), p.isTabular ? 0 : 1, Double(p.dimension), Double(shrinkDigits(p)), magnitude]
}

/// The digits of an instance: `numberComplexity` summed over beta, the rewards, theta, the
/// features and the explicit pair weights, and over the reference unless it is uniform (a uniform
/// vector counts 0); pairs `"reference"` count 1 and explicit pair weights 2 more than `"policy"`.
public func shrinkDigits(_ p: Problem) -> Int {
    var n = numberComplexity(p.beta)
    n += p.rewards.map(numberComplexity).reduce(0, +)
    n += p.theta.map(numberComplexity).reduce(0, +)
    n += (p.features ?? []).flatMap { $0 }.map(numberComplexity).reduce(0, +)
    n += isUniform(p.reference) ? 0 : p.reference.map(numberComplexity).reduce(0, +)
    switch p.pairs {
    case .policy: break
    case .reference: n += 1
    case .weights(let w): n += 2 + (isUniform(w) ? 0 : w.map(numberComplexity).reduce(0, +))
    }
    return n
}

func isUniform(_ v: [Double]) -> Bool { v.allSatisfy { $0 == v[0] } }

/// How complicated a number looks in the shortest decimal form that reads back to it: its
/// significant digits, plus one if it is negative, one if it is not an integer and one if its
/// leading digit is beyond 10^3 or below 10^-3 (0 counts 0, 1 and 7 count 1, 0.5 counts 2,
/// -0.25 counts 4, 1e-18 and 100000 count 3 and 2).
public func numberComplexity(_ x: Double) -> Int {
    if x == 0 { return 0 }
    guard x.isFinite else { return 100 }
    let d = DecimalDigits(x)
    let leading = d.exponent + d.digits.count - 1
    return d.digits.count + (x < 0 ? 1 : 0) + (x == x.rounded() ? 0 : 1) + (Swift.abs(leading) > 3 ? 1 : 0)
}

/// A finite double's shortest decimal form as `±D x 10^E` with D an integer without leading or
/// trailing zeros (its digits in `digits`).
struct DecimalDigits {
    var negative: Bool
    var digits: [Int]
    var exponent: Int

    init(_ x: Double) {
        negative = x < 0
        var s = "\(Swift.abs(x))"
        var e = 0
        if let i = s.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            e = Int(s[s.index(after: i)...]) ?? 0
            s = String(s[..<i])
        }
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        let whole = parts[0], fraction = parts.count > 1 ? parts[1] : ""
        var d = (whole + fraction).compactMap { $0.wholeNumberValue }
        e -= fraction.count
        while d.first == 0 { d.removeFirst() }
        while d.last == 0 { d.removeLast(); e += 1 }
        digits = d
        exponent = e
    }

    /// The first `n` significant digits, truncated toward 0 or rounded to nearest.
    func rounded(_ n: Int, nearest: Bool) -> Double {
        guard n < digits.count else { return value }
        var d = Array(digits.prefix(n))
        var e = exponent + digits.count - n
        if nearest && digits[n] >= 5 {
            var i = n - 1
            while i >= 0 {
                if d[i] < 9 { d[i] += 1; break }
                d[i] = 0
                i -= 1
            }
            if i < 0 { d.insert(1, at: 0) }
            while d.count > 1 && d.last == 0 { d.removeLast(); e += 1 }
        }
        return DecimalDigits.value(negative, d, e)
    }

    var value: Double { DecimalDigits.value(negative, digits, exponent) }

    static func value(_ negative: Bool, _ d: [Int], _ e: Int) -> Double {
        if d.isEmpty { return 0 }
        return Double((negative ? "-" : "") + d.map(String.init).joined() + "e\(e)") ?? .nan
    }

    /// The exact decimal text (`-0.0025`), for decimal arithmetic.
    var text: String {
        if digits.isEmpty { return "0" }
        return (negative ? "-" : "") + digits.map(String.init).joined() + "e\(exponent)"
    }
}

/// Simpler numbers to try in place of `x`, simplest first: 0, 1, -1, 0.5 and 0.1 (of its sign),
/// the integers next to it,
/// half and a tenth of it (toward 0), the one-digit integers of its sign below it,
/// its first n significant digits (truncated toward 0 and rounded, n = 1, 2, ...), and the
/// nearest fractions p/q with q = 2...10; only those of smaller `numberComplexity`, or of the same
/// and a smaller magnitude (3 becomes 1); ordered by complexity, then magnitude.
func simplerNumbers(_ x: Double, positive: Bool = false) -> [Double] {
    guard x.isFinite else { return [0, 1] }
    var c: [Double] = [0, 1, -1, x < 0 ? -0.5 : 0.5, x < 0 ? -0.1 : 0.1]
    if Swift.abs(x) < 1e15 { c += [x.rounded(.towardZero), x.rounded(), (x / 2).rounded(.towardZero), (x / 10).rounded(.towardZero)] }
    if Swift.abs(x) > 2 { c += (2...9).map { Double($0) * (x < 0 ? -1 : 1) } }
    let d = DecimalDigits(x)
    for n in 1..<max(1, d.digits.count) { c += [d.rounded(n, nearest: false), d.rounded(n, nearest: true)] }
    if Swift.abs(x) < 1e12 { for q in 2...10 { c.append((x * Double(q)).rounded() / Double(q)) } }
    let limit = numberComplexity(x)
    var seen = Set<Double>()
    func simpler(_ y: Double) -> Bool {
        let cy = numberComplexity(y)
        return cy < limit || (cy == limit && Swift.abs(y) < Swift.abs(x))
    }
    return c.filter { $0.isFinite && $0 != x && (!positive || $0 > 0) && simpler($0) && seen.insert($0).inserted }
        .enumerated().sorted { a, b in
            let (ca, cb) = (numberComplexity(a.element), numberComplexity(b.element))
            if ca != cb { return ca < cb }
            let (ma, mb) = (Swift.abs(a.element), Swift.abs(b.element))
            return ma != mb ? ma < mb : a.offset < b.offset
        }.map(\.element)
}

/// Simpler probability vectors to try in place of `v`, simplest first (a uniform vector counts 0,
/// else the sum of `numberComplexity`): the uniform one; for pair weights with zeros, the uniform
/// one on their support; every entry but the largest rounded to n
/// significant digits (n = 1, 2, ...); one entry replaced by a simpler number (`simplerNumbers`,
/// 0 included for pair weights); in the last two the largest entry is set to 1 minus the others
/// (in decimal arithmetic, so it is short too). Entries stay > 0 (`>= 0` for pair weights).
func simplerDistributions(_ v: [Double], strictlyPositive: Bool) -> [[Double]] {
    let k = v.count
    var out: [[Double]] = isUniform(v) ? [] : [[Double](repeating: 1 / Double(k), count: k)]
    guard k >= 2 else { return out }
    let support = v.filter { $0 > 0 }.count
    if support < k && support > 0 {
        let onSupport = v.map { $0 > 0 ? 1 / Double(support) : 0 }
        if onSupport != v { out.append(onSupport) }
    }
    let largest = v.indices.max { v[$0] < v[$1] }!
    func completed(_ w: [Double]) -> [Double]? {
        var rest = Decimal(1)
        for i in w.indices where i != largest { rest -= Decimal(string: DecimalDigits(w[i]).text) ?? Decimal(w[i]) }
        var c = w
        c[largest] = Double("\(rest)") ?? .nan
        guard c.allSatisfy({ $0.isFinite && (strictlyPositive ? $0 > 0 : $0 >= 0) }), c != v else { return nil }
        return c
    }
    let maxDigits = v.map { DecimalDigits($0).digits.count }.max() ?? 1
    for n in 1..<max(1, maxDigits) {
        var w = v
        for i in v.indices where i != largest { w[i] = DecimalDigits(v[i]).rounded(n, nearest: true) }
        if let c = completed(w) { out.append(c) }
    }
    for i in v.indices where i != largest {
        for x in simplerNumbers(v[i], positive: strictlyPositive) where x >= 0 && x < 1 {
            var w = v
            w[i] = x
            if let c = completed(w) { out.append(c) }
        }
    }
    func digits(_ w: [Double]) -> Int { isUniform(w) ? 0 : w.map(numberComplexity).reduce(0, +) }
    return out.enumerated().sorted { a, b in
        let (da, db) = (digits(a.element), digits(b.element))
        return da != db ? da < db : a.offset < b.offset
    }.map(\.element)
}

/// The mutable parts of an instance, rebuilt into a validated `Problem`.
struct ShrinkParts {
    var beta: Double
    var features: [[Double]]?
    var theta: [Double]
    var reference: [Double]
    var rewards: [Double]
    var pairs: PairDistribution
    /// The exported form's log-probabilities (then `features` are its scores and stay as they are).
    let logProbabilities: [Double]?

    init(_ p: Problem) {
        beta = p.beta
        logProbabilities = p.logProbabilities
        features = p.features
        theta = p.theta
        reference = p.reference
        rewards = p.rewards
        pairs = p.pairs
    }

    var problem: Problem? {
        if let lp = logProbabilities {
            guard let scores = features else { return nil }
            return try? Problem(beta: beta, logProbabilities: lp, scores: scores, reference: reference, rewards: rewards, pairs: pairs)
        }
        return try? Problem(beta: beta, features: features, theta: theta, reference: reference, rewards: rewards, pairs: pairs)
    }

    /// The logits `Phi theta` (tabular: theta).
    var logits: [Double] {
        guard let f = features else { return theta }
        return f.map { row in zip(row, theta).reduce(0) { $0 + $1.0 * $1.1 } }
    }

    static func normalized(_ v: [Double]) -> [Double]? {
        let s = v.reduce(0, +)
        guard s > 0, s.isFinite else { return nil }
        return v.map { $0 / s }
    }
}

/// Shrinks a violation: repeats the passes below until none keeps a step (a fixed point), each
/// step kept only if it lowers `shrinkSize` and `keeps` (the caller's certified test, which also
/// checks the assumptions) accepts it. Passes, in order:
///
/// 1. drop a response (reference and pair weights renormalised), while K stays in the range;
/// 2. drop a feature column, while d stays in the range;
/// 3. the tabular form (`theta` = the logits, then `theta` = 0), unless already tabular;
/// 4. uniform reference and policy (theta = 0), then each alone;
/// 5. pairs `"policy"`, then `"reference"`, in place of explicit weights (`"policy"` in place of `"reference"`);
/// 6. shifts that change nothing that matters: rewards minus one reward, a tabular theta minus one
///    entry, a feature column minus one entry;
/// 7. numbers (`simplerNumbers`): beta; a value repeated within the rewards, theta or a feature
///    column, all copies at once; then one at a time the rewards, theta and the features; the
///    reference and the pair weights as vectors (`simplerDistributions`).
///
/// An instance in the exported form (a sequence policy's flattening, `--sequence`) keeps its
/// policy: its log-probabilities and scores are the policy's and are not touched (no response or
/// column dropped, no tabular form, no shift or simpler number in them); beta, the rewards, the
/// reference and the pairs are shrunk as above.
///
/// Deterministic: the same start, assumptions and test give the same steps. At most
/// `maxAttempts` instances are tried.
public func shrinkViolation(_ start: Problem, assumptions a: ConjectureAssumptions,
                            keeps: (Problem) -> Bool, maxAttempts: Int = 20_000) -> ShrinkOutcome {
    var current = start
    var trail: [Problem] = []
    var attempts = 0

    /// Keeps the first candidate that is smaller and still violates.
    func tryAll(_ candidates: [ShrinkParts]) -> Bool {
        let size = shrinkSize(current)
        for c in candidates {
            guard attempts < maxAttempts, let p = c.problem, p != current,
                  shrinkSize(p).lexicographicallyPrecedes(size) else { continue }
            attempts += 1
            if keeps(p) {
                current = p
                trail.append(p)
                return true
            }
        }
        return false
    }

    func dropResponse(_ y: Int) -> ShrinkParts? {
        guard !current.isExported else { return nil }
        var s = ShrinkParts(current)
        guard current.responseCount - 1 >= max(1, a.responses.lowerBound) else { return nil }
        s.rewards.remove(at: y)
        if s.features != nil { s.features!.remove(at: y) } else { s.theta.remove(at: y) }
        var r = s.reference
        r.remove(at: y)
        guard let rn = ShrinkParts.normalized(r) else { return nil }
        s.reference = rn
        if case .weights(var w) = s.pairs {
            w.remove(at: y)
            guard let wn = ShrinkParts.normalized(w) else { return nil }
            s.pairs = .weights(wn)
        }
        return s
    }

    func dropColumn(_ j: Int) -> ShrinkParts? {
        guard !current.isExported, var f = current.features, current.dimension - 1 >= max(1, a.dimension.lowerBound) else { return nil }
        for y in f.indices { f[y].remove(at: j) }
        var s = ShrinkParts(current)
        s.features = f
        s.theta.remove(at: j)
        return s
    }

    var changed = true
    while changed && attempts < maxAttempts {
        changed = false
        // 1. Responses.
        var y = 0
        while y < current.responseCount {
            if let s = dropResponse(y), tryAll([s]) { changed = true } else { y += 1 }
        }
        // 2. Feature columns.
        var j = 0
        while current.features != nil && j < current.dimension {
            if let s = dropColumn(j), tryAll([s]) { changed = true } else { j += 1 }
        }
        // 3. Tabular form.
        if current.features != nil && !current.isExported {
            let parts = ShrinkParts(current)
            var byLogits = parts
            byLogits.theta = parts.logits
            byLogits.features = nil
            var zero = byLogits
            zero.theta = zero.theta.map { _ in 0 }
            if tryAll([byLogits, zero]) { changed = true }
        }
        // 4. Uniform reference and policy.
        do {
            let parts = ShrinkParts(current)
            let k = current.responseCount
            let uniform = [Double](repeating: 1 / Double(k), count: k)
            var both = parts
            both.reference = uniform
            both.theta = parts.theta.map { _ in 0 }
            var ref = parts
            ref.reference = uniform
            var pol = parts
            pol.theta = parts.theta.map { _ in 0 }
            if tryAll([both, ref, pol]) { changed = true }
        }
        // 5. Pairs.
        if current.pairs != .policy {
            var pol = ShrinkParts(current)
            pol.pairs = .policy
            var ref = pol
            ref.pairs = .reference
            if tryAll([pol, ref]) { changed = true }
        }
        // 6. Shifts.
        for y in 0..<current.responseCount {
            var s = ShrinkParts(current)
            let r = s.rewards[y]
            s.rewards = s.rewards.map { $0 - r }
            if r != 0 && tryAll([s]) { changed = true }
        }
        if current.isTabular {
            for y in 0..<current.responseCount {
                var s = ShrinkParts(current)
                let t = s.theta[y]
                s.theta = s.theta.map { $0 - t }
                if t != 0 && tryAll([s]) { changed = true }
            }
        } else if !current.isExported {
            for jj in 0..<current.dimension {
                for y in 0..<current.responseCount {
                    guard let f = current.features else { break }
                    let t = f[y][jj]
                    guard t != 0 else { continue }
                    var s = ShrinkParts(current)
                    for i in f.indices { s.features![i][jj] = f[i][jj] - t }
                    if tryAll([s]) { changed = true }
                }
            }
        }
        // 7. Numbers.
        do {
            let s = ShrinkParts(current)
            if tryAll(simplerNumbers(s.beta, positive: true).map { var t = ShrinkParts(current); t.beta = $0; return t }) { changed = true }
        }
        // A value repeated within the rewards, theta or a feature column: all its copies at once
        // (symmetric counterexamples need them to move together), then each number alone.
        func repeated(_ v: [Double]) -> [Double] {
            var seen: [Double] = []
            for x in v where x != 0 && v.filter({ $0 == x }).count > 1 && !seen.contains(x) { seen.append(x) }
            return seen
        }
        for x in repeated(current.rewards) {
            if tryAll(simplerNumbers(x).map { y in var t = ShrinkParts(current); t.rewards = t.rewards.map { $0 == x ? y : $0 }; return t }) { changed = true }
        }
        for x in repeated(current.theta) {
            if tryAll(simplerNumbers(x).map { y in var t = ShrinkParts(current); t.theta = t.theta.map { $0 == x ? y : $0 }; return t }) { changed = true }
        }
        for jj in 0..<(current.features == nil || current.isExported ? 0 : current.dimension) {
            guard let f = current.features, jj < current.dimension else { break }
            for x in repeated(f.map { $0[jj] }) {
                if tryAll(simplerNumbers(x).map { y in
                    var t = ShrinkParts(current)
                    for i in t.features!.indices where t.features![i][jj] == x { t.features![i][jj] = y }
                    return t
                }) { changed = true }
            }
        }
        for i in 0..<current.responseCount {
            if tryAll(simplerNumbers(current.rewards[i]).map { var t = ShrinkParts(current); t.rewards[i] = $0; return t }) { changed = true }
        }
        for i in 0..<current.theta.count {
            if tryAll(simplerNumbers(current.theta[i]).map { var t = ShrinkParts(current); t.theta[i] = $0; return t }) { changed = true }
        }
        if current.features != nil && !current.isExported {
            for y in 0..<current.responseCount {
                for jj in 0..<current.dimension {
                    let x = current.features![y][jj]
                    if tryAll(simplerNumbers(x).map { var t = ShrinkParts(current); t.features![y][jj] = $0; return t }) { changed = true }
                }
            }
        }
        if tryAll(simplerDistributions(current.reference, strictlyPositive: true).map {
            var t = ShrinkParts(current); t.reference = $0; return t
        }) { changed = true }
        if case .weights(let w) = current.pairs {
            if tryAll(simplerDistributions(w, strictlyPositive: false).map { var t = ShrinkParts(current); t.pairs = .weights($0); return t }) {
                changed = true
            }
        }
    }
    return ShrinkOutcome(result: current, trail: trail, attempts: attempts)
}
