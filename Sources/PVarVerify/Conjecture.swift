// `pvar conjecture`: a user's claim checked on random instances and by adversarial search, every
// double-level violation re-decided in ball arithmetic, the first certified one shrunk.

import Foundation
import PVarCertify
import PVarCore
import PVarGSL

/// The pair distribution a conjecture assumes.
public enum ConjecturePairs: String, Sendable, CaseIterable {
    /// `mu = pi_theta` (`Evaluation.pairsArePolicy`; at the reference `"reference"` pairs count too).
    case policy
    /// `mu = pi_ref`: instances with `"pairs": "reference"`.
    case reference
    /// Any pair distribution: the policy, the reference or explicit weights.
    case any

    /// The pair distribution of an instance under this assumption: `"policy"` or `"reference"`
    /// when assumed; for `any`, `free()` (weights drawn or searched, or the instance's own), called
    /// only then, so it may consume random numbers or search parameters.
    func distribution(any free: () -> PairDistribution) -> PairDistribution {
        switch self {
        case .policy: .policy
        case .reference: .reference
        case .any: free()
        }
    }
}

/// Sequence policies of `pvar conjecture --sequence V,T`: token-level log-linear policies over
/// sequences of `length` tokens from a vocabulary of `vocabulary` (`SequencePolicy`), so K = V^T.
public struct ConjectureSequence: Sendable, Equatable {
    public let vocabulary: Int
    public let length: Int
    /// The largest V^T searched: the claim's quantities cost O(K^2 d) per instance.
    public static let maximumResponses = 64

    /// Nil unless `vocabulary >= 2`, `length >= 1` and `V^T <= maximumResponses`.
    public init?(vocabulary: Int, length: Int) {
        guard vocabulary >= 2, length >= 1, length <= 6 else { return nil }
        let k = (0..<length).reduce(1) { acc, _ in acc * vocabulary }
        guard k <= ConjectureSequence.maximumResponses else { return nil }
        self.vocabulary = vocabulary
        self.length = length
    }

    /// K = V^T.
    public var responses: Int { (0..<length).reduce(1) { acc, _ in acc * vocabulary } }
}

/// The hypotheses under which a claim is posed: every instance drawn, searched or shrunk satisfies
/// them, as decided by the library (`admits`).
public struct ConjectureAssumptions: Sendable, Equatable {
    /// The policy is at its reference (`Evaluation.atReference`: the log-ratio is constant within
    /// `referenceTolerance`). See `ConjectureSearchSpace` for how instances are put there.
    public var atReference: Bool
    public var pairs: ConjecturePairs
    /// The numbers of responses K allowed.
    public var responses: ClosedRange<Int>
    /// The dimensions d allowed. A tabular policy has d = K, so it is admitted only when K lies in
    /// this range too (unless `tabular`, which asks for tabular policies of every K in `responses`).
    public var dimension: ClosedRange<Int>
    /// Only tabular policies (`Phi = I`), of every K in `responses` (`dimension` is then unused).
    public var tabular: Bool
    /// Only sequence policies of this shape (K = V^T, so `responses` is unused; d, the token
    /// features' dimension, in `dimension`). Exclusive with `tabular`.
    public var sequence: ConjectureSequence?

    public init(atReference: Bool = false, pairs: ConjecturePairs = .any, responses: ClosedRange<Int> = 2...6,
                dimension: ClosedRange<Int> = 1...4, tabular: Bool = false, sequence: ConjectureSequence? = nil) {
        self.atReference = atReference
        self.pairs = pairs
        self.responses = responses
        self.dimension = dimension
        self.tabular = tabular
        self.sequence = sequence
    }

    /// One line for reports: `exactly at a uniform reference (...); pairs from the policy; K in 2...6; tabular policies`.
    public var text: String {
        var parts: [String] = []
        if atReference { parts.append("exactly at a uniform reference (theta = 0; non-uniform references are not searched)") }
        switch pairs {
        case .policy: parts.append("pairs from the policy")
        case .reference: parts.append("pairs from the reference")
        case .any: parts.append("any pair distribution")
        }
        if let q = sequence {
            parts.append("sequence policies, V = \(q.vocabulary), T = \(q.length) (K = \(q.responses))")
            parts.append(dimension.lowerBound == dimension.upperBound ? "d = \(dimension.lowerBound)"
                         : "d in \(dimension.lowerBound)...\(dimension.upperBound)")
            return parts.joined(separator: "; ")
        }
        parts.append(responses.lowerBound == responses.upperBound ? "K = \(responses.lowerBound)"
                     : "K in \(responses.lowerBound)...\(responses.upperBound)")
        if tabular {
            parts.append("tabular policies (d = K)")
        } else {
            parts.append((dimension.lowerBound == dimension.upperBound ? "d = \(dimension.lowerBound)"
                          : "d in \(dimension.lowerBound)...\(dimension.upperBound)") + " (tabular policies too, d = K)")
        }
        return parts.joined(separator: "; ")
    }

    /// Whether an evaluated instance satisfies the assumptions, as a fact about its exact
    /// rationals (the input doubles taken exactly, as ball arithmetic takes them): K in
    /// `responses`; d in `dimension` (a tabular policy has d = K), or any tabular policy when
    /// `tabular` (then log-linear ones are not admitted); never the exported form; at the reference: `isExactlyAtReference`; pairs
    /// `policy`: `"policy"`, or `"reference"` or equal weights exactly at a uniform reference;
    /// `reference`: `"reference"`, or `"policy"` exactly at the reference, or equal weights with
    /// a uniform reference. (`Evaluation.atReference` and `pairsArePolicy`, decided in doubles
    /// with tolerances, are required too.)
    ///
    /// Why exactly: a certified violation is a statement about the exact instance, and an
    /// instance at the reference only up to rounding (logits `fl(log pi_ref)`) is not at it; its
    /// gradient differs from the reference's by about `1e-16 beta`, which is enough to "violate"
    /// B2 where B2 is an equality.
    ///
    /// With `sequence`: the exported form (how a sequence policy is evaluated) with K = V^T and d
    /// in `dimension`, and nothing else. That the log-probabilities and scores are a sequence
    /// policy's is guaranteed by construction (instances, the search space and shrinking build or
    /// keep them from a `SequencePolicy`), not decided here.
    public func admits(_ e: Evaluation) -> Bool {
        let p = e.problem
        if let q = sequence {
            guard p.isExported, p.responseCount == q.responses, dimension.contains(p.dimension) else { return false }
        } else {
            guard responses.contains(p.responseCount), !p.isExported else { return false }
            if tabular { guard p.isTabular else { return false } } else if !dimension.contains(p.dimension) { return false }
        }
        let exact = isExactlyAtReference(p)
        if atReference && !(exact && e.atReference) { return false }
        let uniformReference = isUniform(p.reference)
        switch (pairs, p.pairs) {
        case (.any, _), (.policy, .policy), (.reference, .reference): return true
        case (.policy, .reference): return exact && e.pairsArePolicy
        case (.reference, .policy): return exact
        case (.policy, .weights(let w)): return exact && isUniform(w)
        case (.reference, .weights(let w)): return uniformReference && isUniform(w)
        }
    }

    /// The generator regime whose instances satisfy these assumptions (pairs then set by `pairs`).
    public var regime: Regime { atReference ? .atReference : (pairs == .policy ? .onPolicy : .general) }

    /// The generator families drawn: `tabular` only with `--tabular`, else all of them in turn.
    public var families: [Family] { tabular ? [.tabular] : Family.allCases }
}

/// Random sequence instance `index` of a conjecture run (`--sequence V,T`): d in the assumed
/// range, Gaussian token features (scale log-uniform in [0.1, 3]) and theta, Gaussian rewards
/// (scale log-uniform in [0.1, 5]), beta log-uniform in [1e-2, 10], a Dirichlet reference and
/// pairs as assumed (`any`: the policy, the reference or Dirichlet weights). At the reference:
/// theta = 0 (every token uniform, so all sequences have the same log-probability, computed
/// identically) and a uniform reference: exactly at the reference (`isExactlyAtReference`).
func conjectureSequenceInstance(seed: UInt64, _ a: ConjectureAssumptions, _ q: ConjectureSequence, index: Int) -> Problem {
    let rng = RandomSource(seed: deriveSeed(seed, [stableLabel("conjecture-sequence"), UInt64(index)]))
    let v = q.vocabulary, k = q.responses
    let d = rng.integer(a.dimension)
    let scale = rng.logUniform(0.1, 3)
    let features = (0..<q.length).map { _ in (0...v).map { _ in (0..<v).map { _ in (0..<d).map { _ in rng.gaussian(scale) } } } }
    let theta = (0..<d).map { _ in a.atReference ? 0 : rng.gaussian(1) }
    let rewardScale = rng.logUniform(0.1, 5)
    let rewards = (0..<k).map { _ in rng.gaussian(rewardScale) }
    let beta = rng.logUniform(1e-2, 10)
    let reference = a.atReference ? [Double](repeating: 1 / Double(k), count: k) : rng.dirichlet(count: k, alpha: rng.logUniform(0.3, 5))
    let pairs = a.pairs.distribution { [PairDistribution.policy, .reference, .weights(rng.dirichlet(count: k, alpha: 1, floor: 0))][rng.integer(0...2)] }
    do {
        let sequence = try SequencePolicy(vocabulary: v, length: q.length, tokenFeatures: features, theta: theta)
        return try Problem(beta: beta, sequence: sequence, reference: reference, rewards: rewards, pairs: pairs)
    } catch {
        preconditionFailure("conjecture: generated sequence instance rejected: \(error)")
    }
}

/// Whether the policy is exactly its reference, for the input doubles taken as exact rationals:
/// the reference is uniform (all entries equal) and the logits are all equal (a tabular theta
/// with equal entries; log-linear: every column with a nonzero weight constant). A sufficient
/// condition, and with rational inputs the only way: `pi = pi_ref` needs
/// `exp(w_i - w_j) = ref_i / ref_j`, and `exp` of a nonzero rational is irrational
/// (Lindemann), so every logit difference is 0 and the reference is uniform.
///
/// The exported form (a sequence policy's flattening) is exactly at the reference when the
/// reference is uniform and all log-probabilities are the same double (`pi = softmax(log pi)` is
/// then exactly uniform).
public func isExactlyAtReference(_ p: Problem) -> Bool {
    guard isUniform(p.reference) else { return false }
    if let lp = p.logProbabilities { return isUniform(lp) }
    guard let f = p.features else { return isUniform(p.theta) }
    return p.theta.indices.allSatisfy { j in p.theta[j] == 0 || f.allSatisfy { $0[j] == f[0][j] } }
}

/// The search options and seed of one conjecture run.
public struct ConjectureOptions: Sendable, Equatable {
    /// Random instances from the GSL generator.
    public var instances: Int = 1000
    /// Nelder–Mead restarts per searched shape (K, d).
    public var restarts: Int = 4
    public var seed: UInt64 = 1
    /// Tasks at once (nil: all cores); results do not depend on it.
    public var threads: Int? = nil
    /// Iteration cap per simplex run (each restart runs `1 + polishRounds` of them).
    public var maxIterations: Int = 4000
    public var polishRounds: Int = 3
    /// Largest number of double-level candidates re-evaluated in balls (highest ratio first).
    public var maxCandidates: Int = 32
    /// `--fit C`: find the sharp value of the free constant instead of testing the claim.
    public var fit: Bool = false
    public init() {}
}

/// The outcome of `pvar conjecture`.
public enum ConjectureVerdict: String, Sendable {
    /// A violation certified in ball arithmetic (with `--fit`: no constant works, the certified
    /// ratio is infinite).
    case violated
    /// No certified violation was found (the claim may still be false).
    case notRefuted = "not refuted"
    /// Nothing could be decided either way: no instance satisfying the assumptions gave the claim
    /// a value in doubles (it is undefined everywhere, e.g. `sqrt(-1)`, or every value it needs
    /// underflowed), or a strict claim (`<`, `>`) met apparent ties that ball arithmetic cannot
    /// separate (an irrational equality violates a strict claim but is never certified). With
    /// `--fit`: the ratio is infinite in doubles but not certified so.
    case undecided
}

/// What `--fit C` found: `supremumFound` is the largest ratio `smaller / (larger at C = 1)` seen
/// (the smallest constant consistent with every instance seen), `certifiedLowerBound` the lower
/// end of the witness's certified ratio enclosure at `C = 1`, a rigorous lower bound on the sharp
/// constant.
public struct ConjectureConstant: Sendable, Equatable {
    public let supremumFound: Double
    public let certifiedLowerBound: Double
}

/// Everything a conjecture run found.
public struct ConjectureResult: Sendable {
    public let claim: Claim
    public let assumptions: ConjectureAssumptions
    public let options: ConjectureOptions
    /// Random instances evaluated that satisfied the assumptions (and on which doubles resolve the
    /// claim, `claimIsResolved`), plus the search's final points.
    public let instancesChecked: Int
    public let verdict: ConjectureVerdict
    /// The largest double ratio `smaller / larger` seen (with `--fit`: at C = 1); NaN when no
    /// instance was counted (`instancesChecked == 0`).
    public let bestRatio: Double
    /// The instance attaining `bestRatio`.
    public let witness: Problem?
    /// The witness's claim in balls (with `--fit`: at C = 1, so its ratio encloses the constant
    /// the witness needs).
    public let certified: ClaimCertificate?
    /// With `--fit`: the witness's claim in balls with C = the upper end of its certified ratio
    /// at C = 1 (`fittedConstant`), where it holds or is tight.
    public let fittedCertificate: ClaimCertificate?
    /// With `--fit`: the C of `fittedCertificate`.
    public let fittedConstant: Double?
    /// The first certified violation (highest double ratio first), before shrinking.
    public let violation: Problem?
    /// Why the verdict is `undecided` (nil otherwise).
    public let undecidedReason: String?
    /// The shrunk violation, and every instance the shrinker kept on the way (each certified violated).
    public let counterexample: Problem?
    public let shrinkTrail: [Problem]
    public var shrinkSteps: Int { shrinkTrail.count }
    /// The shrunk counterexample's certificate.
    public let counterexampleCertificate: ClaimCertificate?
    /// Double-level candidates re-evaluated in balls, up to the first certified violation.
    public let candidatesCertified: Int
    /// With `--fit`.
    public let constant: ConjectureConstant?
    /// The one-line shell command that replays the result: with a counterexample, `pvar evaluate`
    /// on it (the instance inline, the claim certified in balls; `conjectureEvaluateReplay`);
    /// otherwise `rerun`.
    public let replay: String
    /// The shell command that reruns this conjecture's search (`conjectureReplay`).
    public let rerun: String
}

/// Why a claim cannot be run as posed.
public struct ConjectureError: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String
}

/// The form `--fit C` needs: `C` occurs only on the larger side, as a factor of it (`C * rest`,
/// `rest * C`, `(C * a) / b`, ...; never inside a sum, a power, a function or a denominator), so
/// the claim holds exactly when `C >= smaller / rest` wherever `rest > 0`, and the sharp constant
/// is the supremum of the ratio at `C = 1`.
public func checkFitForm(_ claim: Claim) throws(ConjectureError) {
    func isFactor(_ e: ClaimExpression) -> Bool {
        switch e {
        case .freeConstant: true
        case .binary(.multiply, let a, let b): (isFactor(a) && !b.hasFreeConstant) || (isFactor(b) && !a.hasFreeConstant)
        case .binary(.divide, let a, let b): isFactor(a) && !b.hasFreeConstant
        default: false
        }
    }
    guard claim.hasFreeConstant else {
        throw ConjectureError(description: "--fit C: the claim has no free constant C; write it in, e.g. "
                              + "gradientNorm <= C * beta * scoreBound * sqrt(pvarLabels)")
    }
    guard !claim.smaller.hasFreeConstant, isFactor(claim.larger) else {
        throw ConjectureError(description: "--fit C: C must occur once, as a factor of the side claimed larger "
                              + "(C * rest or rest * C, not in a sum, power, function or denominator), "
                              + "e.g. gradientNorm <= C * beta * scoreBound * sqrt(pvarLabels)")
    }
}

/// The one-line command that checks a claim on one instance: the instance as one line of JSON
/// piped into `pvar evaluate --input - --certify --claim CLAIM` (exit status 1 when the claim is
/// certified violated), with `--free-constant C` for a claim with `C`.
public func conjectureEvaluateReplay(_ claim: Claim, _ p: Problem, freeConstant: Double? = nil) -> String {
    let line = InstanceFile.encode(p).split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
    var s = "printf '%s\\n' \(shellQuoted(line)) | swift run -c release pvar evaluate --input - --certify --claim \(shellQuoted(claim.text))"
    if let c = freeConstant { s += " --free-constant=\(InstanceFile.format(c))" }
    return s
}

/// A single-quoted shell word on one line: line breaks and tabs (whitespace to the claim
/// language) become spaces, `'` becomes `'\''`.
func shellQuoted(_ s: String) -> String {
    let oneLine = String(s.map { $0.isNewline || $0 == "\t" ? " " : $0 })
    return "'" + oneLine.replacingOccurrences(of: "'", with: "'\\''") + "'"
}

/// The one-line command that reruns a conjecture.
public func conjectureReplay(_ claim: Claim, _ a: ConjectureAssumptions, _ o: ConjectureOptions) -> String {
    var s = "swift run -c release pvar conjecture --claim \(shellQuoted(claim.text))"
    if a.atReference { s += " --assume at-reference" }
    if a.pairs != .any { s += " --pairs \(a.pairs.rawValue)" }
    if a.responses != ConjectureAssumptions().responses { s += " --responses \(a.responses.lowerBound)...\(a.responses.upperBound)" }
    if a.dimension != ConjectureAssumptions().dimension { s += " --dim \(a.dimension.lowerBound)...\(a.dimension.upperBound)" }
    if a.tabular { s += " --tabular" }
    if let q = a.sequence { s += " --sequence \(q.vocabulary),\(q.length)" }
    let d = ConjectureOptions()
    if o.instances != d.instances { s += " --instances \(o.instances)" }
    if o.restarts != d.restarts { s += " --restarts \(o.restarts)" }
    if o.maxIterations != d.maxIterations { s += " --iterations \(o.maxIterations)" }
    s += " --seed \(o.seed)"
    if o.fit { s += " --fit C" }
    return s
}

/// A double ratio worth re-deciding in balls: it refutes the claim, or lies within `1e-10` of
/// doing so (the doubles' own error is far below that, `Evaluation`'s accuracy being 1e-12).
func isCandidate(_ claim: Claim, _ r: Double) -> Bool {
    claim.isRefuted(byRatio: r) || r >= 1 - ratioTolerance
}

/// The claim's sides on one admitted instance in doubles, and what the pipeline does with them.
struct AdmittedClaim: Sendable {
    let smaller: Double
    let larger: Double
    let ratio: Double
    /// Counted as checked (and eligible as the witness): both sides finite, resolved in doubles
    /// (`claimIsResolved`), the ratio a number, and with `--fit` the factor of C not negative.
    let counted: Bool
    /// Worth re-deciding in balls (without `--fit`): a counted instance whose ratio refutes the
    /// claim or comes within 1e-10 of it (`isCandidate`), or whose sides tie in doubles
    /// (`|smaller - larger| <= 1e-10 max(|smaller|, |larger|)`, zeros included: a side that
    /// underflowed to 0, or a tie on the non-positive side, where the ratio is 0 by convention, may
    /// still be a violation); or an instance with an infinite side that refutes the claim in
    /// doubles (an overflow such as `exp(1000)`, which balls evaluate).
    let candidate: Bool
    /// With `--fit`: the factor of C (the larger side at C = 1) is negative, so this instance
    /// bounds C from above and the sharp constant is not a supremum of ratios.
    let negativeFactor: Bool
}

/// `AdmittedClaim` for an instance satisfying the assumptions; nil where the instance cannot be
/// evaluated or leaves the assumptions. `freeConstant`: 1 with `--fit`, else NaN (no C).
func admitted(_ p: Problem, _ claim: Claim, _ a: ConjectureAssumptions, freeConstant: Double) -> AdmittedClaim? {
    guard let e = try? Evaluation(p), a.admits(e) else { return nil }
    let r = e.claimRatio(claim, freeConstant: freeConstant)
    let fit = !freeConstant.isNaN
    let finite = r.smaller.isFinite && r.larger.isFinite
    let resolved = finite && !r.ratio.isNaN && claimIsResolved(e, claim, smaller: r.smaller, larger: r.larger)
    let negativeFactor = fit && finite && r.larger < 0
    let tie = resolved && abs(r.smaller - r.larger) <= ratioTolerance * max(abs(r.smaller), abs(r.larger))
    let candidate = !fit && ((resolved && (isCandidate(claim, r.ratio) || tie))
                             || (!finite && !r.ratio.isNaN && claim.isRefuted(byRatio: r.ratio)))
    return AdmittedClaim(smaller: r.smaller, larger: r.larger, ratio: r.ratio,
                         counted: resolved && !negativeFactor, candidate: candidate, negativeFactor: negativeFactor)
}

/// Whether doubles can be trusted to compare the claim's sides on this instance, as `resolved`
/// does for the statements: no policy probability underflowed (`Evaluation.policyUnderflows`:
/// a quantity that came out 0 may be tiny and positive), and every quantity the claim uses and
/// both sides are 0 or at least `resolutionFloor` (1e-290) in magnitude (below it, sums of
/// underflowed terms can be off by any factor: a search otherwise finds "violations" made of
/// subnormal rounding). Such instances are skipped, not counted.
func claimIsResolved(_ e: Evaluation, _ claim: Claim, smaller: Double, larger: Double) -> Bool {
    func resolved(_ x: Double) -> Bool { x == 0 || !(abs(x) < resolutionFloor) }
    guard !e.policyUnderflows, resolved(smaller), resolved(larger) else { return false }
    return claim.quantities.allSatisfy { resolved(e.claimQuantity($0)) }
}

/// Checks `claim` under `assumptions`:
///
/// 1. `options.instances` random instances from `InstanceGenerator` (seeded from `options.seed`;
///    regime and families from the assumptions, K and d from their ranges; pairs set to
///    `"policy"` / `"reference"` when assumed), those the assumptions admit evaluated in doubles;
/// 2. for each searched shape (`conjectureShapes`), `options.restarts` GSL Nelder–Mead runs
///    maximising the claim's ratio over `ConjectureSearchSpace`;
/// 3. every instance or search optimum whose ratio refutes the claim in doubles (or comes within
///    1e-10 of it), highest ratio first and at most `options.maxCandidates`, re-evaluated in balls
///    (`certifyClaim`); the first certified violation is shrunk (`shrinkViolation`).
///
/// With `options.fit` the claim's free constant is set to 1, the best ratio is the supremum
/// found of the implied constant and the witness's certified ratio a lower bound on the sharp one;
/// the verdict is `violated` only if that ratio is certified infinite (no constant works).
/// Everything runs in parallel (`options.threads` tasks at a time) and does not depend on it.
public func checkConjecture(_ claim: Claim, assumptions: ConjectureAssumptions, options: ConjectureOptions) async throws(ConjectureError) -> ConjectureResult {
    if options.fit { try checkFitForm(claim) } else if claim.hasFreeConstant {
        throw ConjectureError(description: "the claim has the free constant C; give --fit C to find its sharp value, "
                              + "or write a number in its place")
    }
    let c = options.fit ? 1.0 : Double.nan
    let a = assumptions

    // 1. Random instances, in chunks of 64 per task; each chunk keeps its best and its candidates.
    let generator = InstanceGenerator(runSeed: options.seed, limits: GeneratorLimits(responses: a.responses, dimension: a.dimension))
    let families = a.families
    let chunk = 64
    let chunks = (options.instances + chunk - 1) / chunk
    struct Seen: Sendable { var index: Int; var value: AdmittedClaim }
    let partials = await boundedTaskMap(chunks, limit: options.threads) { ch -> (checked: Int, negative: Int, seen: [Seen]) in
        var checked = 0, negative = 0
        var seen: [Seen] = []
        var best: Seen? = nil
        for i in (ch * chunk)..<min(options.instances, (ch + 1) * chunk) {
            guard let v = admitted(conjectureInstance(generator, a, families, index: i), claim, a, freeConstant: c) else { continue }
            if v.negativeFactor { negative += 1 }
            if v.counted {
                checked += 1
                if best == nil || v.ratio > best!.value.ratio { best = Seen(index: i, value: v) }
            }
            if v.candidate { seen.append(Seen(index: i, value: v)) }
        }
        if let b = best, !seen.contains(where: { $0.index == b.index }) { seen.append(b) }
        return (checked, negative, seen)
    }

    // 2. The adversarial search: one task per (shape, restart).
    let shapes = conjectureShapes(a)
    let tasks = shapes.flatMap { s in (0..<options.restarts).map { (s, $0) } }
    let outcomes = await boundedTaskMap(tasks.count, limit: options.threads) { t -> RestartOutcome in
        let (shape, restart) = tasks[t]
        let space = ConjectureSearchSpace(assumptions: a, responses: shape.responses, dimension: shape.dimension)
        let objective: @Sendable ([Double]) -> Double = { x in
            guard let p = space.problem(x), let v = admitted(p, claim, a, freeConstant: c), v.counted else { return -.infinity }
            return min(v.ratio, 1e300)
        }
        return await maximizeFromRandomStarts(
            dimension: space.count, restarts: 1, seed: options.seed,
            labels: [stableLabel("conjecture"), UInt64(shape.responses), UInt64(shape.dimension), UInt64(restart)],
            maxIterations: options.maxIterations, polishRounds: options.polishRounds, objective: objective)[0]
    }

    // Every evaluated point in a fixed order: instances by index, then the search by task.
    struct Point: Sendable { let value: AdmittedClaim; let problem: @Sendable () -> Problem
        var ratio: Double { value.ratio }
    }
    var points: [Point] = partials.flatMap(\.seen).map { s in
        Point(value: s.value, problem: { conjectureInstance(generator, a, families, index: s.index) })
    }
    var searchChecked = 0
    for (t, o) in outcomes.enumerated() where o.ratio.isFinite && o.ratio > -.infinity {
        let shape = tasks[t].0
        let space = ConjectureSearchSpace(assumptions: a, responses: shape.responses, dimension: shape.dimension)
        guard let p = space.problem(o.point), let v = admitted(p, claim, a, freeConstant: c), v.counted else { continue }
        searchChecked += 1
        points.append(Point(value: v, problem: { p }))
    }
    let instancesChecked = partials.map(\.checked).reduce(0, +) + searchChecked
    let negativeFactors = partials.map(\.negative).reduce(0, +)

    // The witness: the highest counted ratio, the earliest on ties.
    let bestIndex: Int? = points.indices.filter { points[$0].value.counted }.reduce(nil) { best, i in
        best == nil || points[i].ratio > points[best!].ratio ? i : best
    }
    let witness = bestIndex.map { points[$0].problem() }
    let bestRatio = bestIndex.map { points[$0].ratio } ?? .nan
    let witnessCertificate = witness.map { certifyClaim($0, claim, freeConstant: options.fit ? 1 : nil) }

    // 3. Certification of the candidates, highest ratio first, in batches of the thread count
    // (the first violation in that order is the same for any batch size).
    var violation: Problem? = nil
    var certifiedCount = 0
    // A strict claim whose candidate's certificate is undecided with 1 in its ratio: an apparent tie.
    var strictTie = false
    let keeps: @Sendable (Problem) -> Bool
    if options.fit {
        keeps = { p in
            guard let v = admitted(p, claim, a, freeConstant: 1), v.counted, v.ratio == .infinity else { return false }
            return certifyClaim(p, claim, freeConstant: 1).ratio.lo == .infinity
        }
        if let w = witness, let wc = witnessCertificate, wc.ratio.lo == .infinity {
            violation = w
            certifiedCount = 1
        }
    } else {
        keeps = { p in
            guard let v = admitted(p, claim, a, freeConstant: .nan), v.candidate else { return false }
            return certifyClaim(p, claim).verdict == .violated
        }
        let order = points.indices.filter { points[$0].value.candidate }
            .sorted { points[$0].ratio > points[$1].ratio || (points[$0].ratio == points[$1].ratio && $0 < $1) }
            .prefix(options.maxCandidates)
        let batch = max(1, options.threads ?? ProcessInfo.processInfo.activeProcessorCount)
        let ordered = Array(order)
        var start = 0
        while start < ordered.count && violation == nil {
            let slice = Array(ordered[start..<min(ordered.count, start + batch)])
            let pts = points
            let certificates = await boundedTaskMap(slice.count, limit: options.threads) { j -> ClaimCertificate in
                let idx = slice[j]
                if idx == bestIndex, let wc = witnessCertificate { return wc }
                return certifyClaim(pts[idx].problem(), claim)
            }
            let verdicts = certificates.map { $0.verdict == .violated }
            if claim.isStrict {
                strictTie = strictTie || certificates.contains { $0.verdict == .undecided && !($0.ratio.lo > 1) && !($0.ratio.hi < 1) }
            }
            if let j = verdicts.firstIndex(of: true) {
                violation = points[slice[j]].problem()
                certifiedCount = start + j + 1
            } else {
                certifiedCount = start + slice.count
            }
            start += batch
        }
    }

    var counterexample: Problem? = nil
    var trail: [Problem] = []
    var counterCertificate: ClaimCertificate? = nil
    if let v = violation {
        let shrunk = shrinkViolation(v, assumptions: a, keeps: keeps)
        counterexample = shrunk.result
        trail = shrunk.trail
        counterCertificate = certifyClaim(shrunk.result, claim, freeConstant: options.fit ? 1 : nil)
    }
    let constant = options.fit
        ? ConjectureConstant(supremumFound: bestRatio, certifiedLowerBound: witnessCertificate?.ratio.lo ?? 0)
        : nil
    // The witness at the constant it needs: the upper end of its certified ratio at C = 1 (so the
    // claim holds on it, or is tight), or the double ratio if that end is not finite.
    let fittedConstant = witnessCertificate.map { $0.ratio.hi.isFinite ? $0.ratio.hi : bestRatio } ?? bestRatio
    let fitted = options.fit && fittedConstant.isFinite ? witness.map { certifyClaim($0, claim, freeConstant: fittedConstant) } : nil
    var verdict: ConjectureVerdict = violation == nil ? .notRefuted : .violated
    var undecidedReason: String? = nil
    if violation == nil {
        if instancesChecked == 0 {
            undecidedReason = "no instance satisfying the assumptions gave the claim a value in doubles "
                + "(it is undefined there, or a quantity it needs underflowed)"
        } else if strictTie {
            undecidedReason = "the strict claim meets apparent ties (ratio 1 within rounding) that ball arithmetic cannot separate; "
                + "the non-strict claim may hold with equality"
        } else if options.fit && negativeFactors > 0 {
            undecidedReason = "the factor of C is negative on \(negativeFactors) of the random instances, where the claim bounds C "
                + "from above: --fit finds the smallest C over instances where the factor is positive, which is then not the sharp "
                + "constant; write the claim with a factor that is never negative"
        } else if options.fit && bestRatio == .infinity {
            undecidedReason = "the ratio is infinite in doubles on the witness but not certified infinite"
        }
        if undecidedReason != nil { verdict = .undecided }
    }
    let rerun = conjectureReplay(claim, a, options)
    return ConjectureResult(
        claim: claim, assumptions: a, options: options, instancesChecked: instancesChecked,
        verdict: verdict, bestRatio: bestRatio, witness: witness,
        certified: witnessCertificate, fittedCertificate: fitted, fittedConstant: options.fit ? fittedConstant : nil, violation: violation, undecidedReason: undecidedReason,
        counterexample: counterexample, shrinkTrail: trail,
        counterexampleCertificate: counterCertificate, candidatesCertified: certifiedCount, constant: constant,
        replay: counterexample.map { conjectureEvaluateReplay(claim, $0, freeConstant: options.fit ? 1 : nil) } ?? rerun,
        rerun: rerun)
}

/// Random instance `index` of a conjecture run: family `families[index % families.count]`,
/// the regime of the assumptions, and pairs `"policy"` / `"reference"` where assumed. At the
/// reference the instance is put *exactly* there (`isExactlyAtReference`): uniform reference,
/// theta = 0 (explicit pair weights, when any pairs are allowed, are kept).
public func conjectureInstance(_ g: InstanceGenerator, _ a: ConjectureAssumptions, _ families: [Family], index: Int) -> Problem {
    if let q = a.sequence { return conjectureSequenceInstance(seed: g.runSeed, a, q, index: index) }
    let p = g.instance(a.regime, families[index % families.count], index: index)
    let pairs = a.pairs.distribution { p.pairs }
    let k = p.responseCount
    let reference = a.atReference ? [Double](repeating: 1 / Double(k), count: k) : p.reference
    let theta = a.atReference ? p.theta.map { _ in 0.0 } : p.theta
    if pairs == p.pairs && reference == p.reference && theta == p.theta { return p }
    do {
        return try Problem(beta: p.beta, features: p.features, theta: theta, reference: reference,
                           rewards: p.rewards, pairs: pairs)
    } catch {
        preconditionFailure("conjecture: generated instance rejected: \(error)")
    }
}

/// One searched shape: K, and d (the instance's dimension; K for tabular).
public struct ConjectureShape: Sendable, Equatable {
    public let responses: Int
    public let dimension: Int
}

/// The shapes the search runs on: up to four K from the range (all when it has at most four,
/// else its two smallest, its middle and its largest), times the smallest and largest d
/// (tabular: d = K).
public func conjectureShapes(_ a: ConjectureAssumptions) -> [ConjectureShape] {
    let ds = a.dimension.lowerBound == a.dimension.upperBound ? [a.dimension.lowerBound] : [a.dimension.lowerBound, a.dimension.upperBound]
    if let q = a.sequence { return ds.map { ConjectureShape(responses: q.responses, dimension: $0) } }
    let r = a.responses
    var ks: [Int] = r.count <= 4 ? Array(r) : [r.lowerBound, r.lowerBound + 1, (r.lowerBound + r.upperBound) / 2, r.upperBound]
    ks = ks.reduce(into: []) { if !$0.contains($1) { $0.append($1) } }
    if a.tabular { return ks.map { ConjectureShape(responses: $0, dimension: $0) } }
    return ks.flatMap { k in ds.map { ConjectureShape(responses: k, dimension: $0) } }
}

/// How a point of the search becomes an instance satisfying the assumptions (always valid).
///
/// Layout of `x`, by assumption (K responses, instance dimension d):
/// - off the reference, log-linear: `[Phi (K d), theta (d), rewards (K), reference logits (K),
///   pair logits (K, pairs any only), log beta]`; tabular: the same without `Phi` and with K thetas;
/// - at the reference: `[Phi (K d), rewards (K), pair logits (any only), log beta]` (tabular:
///   no `Phi`); the reference is uniform and theta = 0, so the instance is *exactly* at the
///   reference (`isExactlyAtReference`: with rational inputs no other instance is; `SearchSpace`'s
///   column `fl(log pi_ref)` puts an instance there only up to rounding, which ball arithmetic sees).
///
/// The reference and explicit pair weights are softmaxes of their logits (clamped to [-30, 30]);
/// beta is `exp` of its parameter clamped to [-12, 12]; pairs are `"policy"` or `"reference"`
/// when assumed, explicit weights for `any`.
public struct ConjectureSearchSpace: Sendable {
    public let assumptions: ConjectureAssumptions
    public let responses: Int
    public let dimension: Int

    public init(assumptions: ConjectureAssumptions, responses: Int, dimension: Int) {
        self.assumptions = assumptions
        self.responses = responses
        self.dimension = assumptions.tabular ? responses : dimension
    }

    /// The token features of a sequence shape: T x (V+1) x V x d numbers.
    var tokenFeatureCount: Int { assumptions.sequence.map { $0.length * ($0.vocabulary + 1) * $0.vocabulary * dimension } ?? 0 }

    public var count: Int {
        let k = responses, a = assumptions
        if a.sequence != nil {
            var n = tokenFeatureCount + k + 1   // token features, rewards, log beta
            if !a.atReference { n += dimension + k }   // theta, reference logits
            if a.pairs == .any { n += k }
            return n
        }
        var n = (a.tabular ? 0 : k * dimension) + k + 1   // Phi, rewards, log beta
        if !a.atReference { n += (a.tabular ? k : dimension) + k }   // theta, reference logits
        if a.pairs == .any { n += k }
        return n
    }

    ///
    /// Sequences (`--sequence V,T`): `[token features (T (V+1) V d), theta (d), rewards (K),
    /// reference logits (K), pair logits (K, any only), log beta]`, theta and the reference
    /// omitted at the reference (theta = 0, uniform reference: exactly there). Nil only where the
    /// sequence policy's log-probabilities leave the double range.
    public func problem(_ x: [Double]) -> Problem? {
        let k = responses, a = assumptions
        var at = 0
        func take(_ n: Int) -> ArraySlice<Double> {
            defer { at += n }
            return x[at..<(at + n)]
        }
        // The parts in the order of `x` (the same for every form; a sequence has no tabular form).
        let tokenFeatures = Array(take(tokenFeatureCount))
        let features: [[Double]]? = a.tabular || a.sequence != nil ? nil : (0..<k).map { _ in Array(take(dimension)) }
        let d = a.tabular ? k : dimension
        let theta = a.atReference ? [Double](repeating: 0, count: d) : Array(take(d))
        let rewards = Array(take(k))
        let reference = a.atReference ? [Double](repeating: 1 / Double(k), count: k) : SearchSpace.softmax(take(k))
        let pairs = a.pairs.distribution { .weights(SearchSpace.softmax(take(k))) }
        let beta = exp(min(max(take(1).first!, -12), 12))
        if let q = a.sequence {
            var i = 0
            let nested = (0..<q.length).map { _ in
                (0...q.vocabulary).map { _ in
                    (0..<q.vocabulary).map { _ -> [Double] in defer { i += d }; return Array(tokenFeatures[i..<(i + d)]) }
                }
            }
            guard let sequence = try? SequencePolicy(vocabulary: q.vocabulary, length: q.length, tokenFeatures: nested, theta: theta) else { return nil }
            return try? Problem(beta: beta, sequence: sequence, reference: reference, rewards: rewards, pairs: pairs)
        }
        do {
            return try Problem(beta: beta, features: features, theta: theta, reference: reference,
                               rewards: rewards, pairs: pairs)
        } catch {
            preconditionFailure("conjecture search space produced an invalid instance: \(error)")
        }
    }
}

/// A built-in statement named as a claim (`pvar conjecture --claim B2`): its claim from the
/// statement table (B0–B3: `Statement.claim`; S1: `snrClaim`) and its hypotheses, which become
/// assumptions (`atReference`: `--assume at-reference`; `pairsArePolicy`: `--pairs policy`).
/// Nil for any other text.
public func builtInStatementClaim(_ text: String) -> (claim: Claim, atReference: Bool, pairsArePolicy: Bool)? {
    let name = text.trimmingCharacters(in: .whitespacesAndNewlines)
    if name == "S1" { return (snrClaim, true, false) }
    guard let id = BoundID(rawValue: name) else { return nil }
    let s = id.definition
    return (s.claim, s.hypotheses.contains(.atReference), s.hypotheses.contains(.pairsArePolicy))
}
