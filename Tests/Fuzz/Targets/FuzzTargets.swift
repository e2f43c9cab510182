// The bodies of the fuzz targets: one function per input surface, run by the libFuzzer drivers
// (Tests/Fuzz, `make fuzz`) and by the FuzzRegressions suite (every seed input and every pinned
// crash, in `make test`). Each takes the raw bytes a user could give and returns nil, or a
// description of a broken invariant; an invariant broken under the fuzzer is a crash.

import Foundation
import PVarCertify
import PVarCore
import PVarSelect
import PVarVerify

/// The input surfaces that are fuzzed.
public enum FuzzTarget: String, CaseIterable, Sendable {
    /// `pvar evaluate --input`: the instance decoder, the evaluation, certification for small K.
    case instance
    /// The sequence and exported-policy forms: decoding, flattening (`pvar flatten`), evaluation.
    case sequence
    /// `pvar select`: the JSON Lines prompt parser and the PVar estimate of each line.
    case selectLines = "select-lines"
    /// `pvar merge`: the saved check-run (shard) files.
    case shard
    /// `pvar conjecture --claim`: the claim parser, double evaluation, ball certification.
    case claim

    /// Initialises the library's global tables (the statement table, S1's claim, the claim
    /// instance) before fuzzing starts: they are allocated once and live for the process, and
    /// the leak sanitizer, which checks each input, would otherwise see their first allocation
    /// inside an input.
    public static func warmUp() {
        _ = statementTable.count
        _ = snrClaim.text
        _ = fuzzClaimEvaluation.gradientNorm
        for t in allCases { _ = t.run(Array(#"{"beta": 1, "theta": [0, 0], "reference": [0.5, 0.5], "rewards": [1, 0]}"#.utf8)) }
        _ = FuzzTarget.claim.run(Array("gradientNorm <= sqrt(2) * beta * scoreBound * sqrt(pvarLabels)".utf8))
    }

    /// Runs the body on `bytes`: nil, or the invariant that broke.
    public func run(_ bytes: [UInt8]) -> String? {
        switch self {
        case .instance: fuzzInstance(bytes)
        case .sequence: fuzzSequence(bytes)
        case .selectLines: fuzzSelectLines(bytes)
        case .shard: fuzzShard(bytes)
        case .claim: fuzzClaim(bytes)
        }
    }
}

/// Invariants of any evaluation: nothing is NaN, the PVars lie in [0, 1/4], norms are >= 0.
func evaluationProblem(_ e: Evaluation) -> String? {
    if e.gradientNorm.isNaN || e.gradientNorm < 0 { return "gradientNorm \(e.gradientNorm)" }
    if !(e.pvarPolicy >= 0 && e.pvarPolicy <= 0.25) { return "pvarPolicy \(e.pvarPolicy) outside [0, 1/4]" }
    if !(e.pvarLabels >= 0 && e.pvarLabels <= 0.25) { return "pvarLabels \(e.pvarLabels) outside [0, 1/4]" }
    if e.loss.isNaN { return "loss is NaN" }
    for b in e.bounds where b.value.isNaN || b.ratio.isNaN { return "\(b.id): value \(b.value), ratio \(b.ratio)" }
    _ = e.json()
    return nil
}

/// Decodes an instance file by both readers (the fast one and the full `JSONDecoder` path must
/// give the same instance bit for bit, or the same error); on success checks the encode/decode
/// round trip, evaluates it (with the one-pair noise up to K = 32) and, for K <= 3 and d <= 3,
/// certifies it at 128 bits.
func fuzzInstance(_ bytes: [UInt8]) -> String? {
    let fast = Result { () throws(InputError) -> Problem in try InstanceFile.parse(Data(bytes)) }
    let full = Result { () throws(InputError) -> Problem in try InstanceFile.parse(Data(bytes), reader: .decoder) }
    switch (fast, full) {
    case (.success(let a), .success(let b)) where InstanceFile.encode(a) == InstanceFile.encode(b): break
    case (.failure(let a), .failure(let b)) where a == b: break
    default: return "the two readers disagree: \(fast) vs \(full)"
    }
    guard let p = try? fast.get() else { return nil }
    let text = InstanceFile.encode(p)
    guard let again = try? InstanceFile.parse(Data(text.utf8)) else { return "the encoded instance does not decode: \(text)" }
    if again != p { return "encode then decode changed the instance: \(text)" }
    guard let e = try? Evaluation(p) else { return nil }
    if let problem = evaluationProblem(e) { return problem }
    if p.responseCount <= 32 && e.noiseDecomposition().total.isNaN { return "noise is NaN" }
    if p.responseCount <= 3 && p.dimension <= 3 {
        let c = certify(p, maxPrecision: 128)
        if c.gradientNorm.lo > c.gradientNorm.hi { return "an inverted enclosure \(c.gradientNorm)" }
    }
    return nil
}

/// Decodes an instance; a sequence or exported policy is flattened (`exportedForm`), encoded,
/// decoded and evaluated again.
func fuzzSequence(_ bytes: [UInt8]) -> String? {
    guard let p = try? InstanceFile.parse(Data(bytes)) else { return nil }
    guard let flat = try? p.exportedForm() else { return nil }
    if !flat.isExported { return "exportedForm is not in the exported form" }
    guard let again = try? InstanceFile.parse(Data(InstanceFile.encode(flat).utf8)) else { return "the flattened instance does not decode" }
    if again != flat { return "encode then decode changed the flattened instance" }
    guard let e = try? Evaluation(flat) else { return nil }
    return evaluationProblem(e)
}

/// Parses every line as `pvar select` does; each accepted line has at least 2 finite rewards,
/// and its unbiased PVar estimate is a finite number.
func fuzzSelectLines(_ bytes: [UInt8]) -> String? {
    var parser = PromptLineParser()
    var start = 0
    var lines: [Range<Int>] = []
    for i in bytes.indices where bytes[i] == 0x0A { lines.append(start..<i); start = i + 1 }
    lines.append(start..<bytes.count)
    return bytes.withUnsafeBufferPointer { all -> String? in
        for r in lines {
            let line = UnsafeBufferPointer(rebasing: all[r])
            if PromptLineParser.isBlank(line) { continue }
            guard let id = try? parser.parse(line) else { continue }
            if id.lowerBound < 0 || id.upperBound > line.count { return "id range \(id) outside the line" }
            let rewards = parser.rewards
            if rewards.count < 2 || !rewards.allSatisfy(\.isFinite) { return "accepted rewards \(rewards)" }
            let estimate = unbiasedPVarEstimate(rewards: rewards)
            if !estimate.isFinite { return "PVar estimate \(estimate) of \(rewards)" }
        }
        return nil
    }
}

/// Decodes a saved check run; a decoded run encodes and decodes to itself, and merges with
/// itself (or says why not) without trapping.
func fuzzShard(_ bytes: [UInt8]) -> String? {
    guard let run = try? CheckRun.parse(Data(bytes), file: "fuzz") else { return nil }
    guard let text = try? run.json() else { return nil }
    guard let again = try? CheckRun.parse(Data(text.utf8), file: "fuzz") else { return "the encoded run does not decode: \(text)" }
    if again.results.count != run.results.count { return "encode then decode changed the number of results" }
    _ = try? CheckRun.merge([run])
    _ = try? CheckRun.merge([run, again])
    return nil
}

/// The instance claims are evaluated on: three responses, features, off the reference.
let fuzzClaimProblem: Problem = {
    do {
        return try Problem(beta: 0.7, features: [[1, 0.5], [-0.3, 2], [0.2, -1]], theta: [0.4, -0.1],
                           reference: [0.2, 0.3, 0.5], rewards: [1, -0.5, 2], pairs: .weights([0.5, 0.25, 0.25]))
    } catch { preconditionFailure("the fuzz claim instance is invalid: \(error)") }
}()
let fuzzClaimEvaluation: Evaluation = {
    do { return try Evaluation(fuzzClaimProblem) } catch { preconditionFailure("\(error)") }
}()

/// Parses a claim; an accepted claim prints, evaluates in doubles and (up to 200 characters)
/// certifies at 128 bits with C = 1, and its verdict agrees with its own ratio enclosure.
func fuzzClaim(_ bytes: [UInt8]) -> String? {
    let text = String(decoding: bytes, as: UTF8.self)
    guard let claim = try? Claim.parse(text) else { return nil }
    _ = claim.lhs.description + claim.rhs.description
    _ = fuzzClaimEvaluation.claimRatio(claim, freeConstant: 1)
    guard text.count <= 200 else { return nil }
    let c = certifyClaim(fuzzClaimProblem, claim, freeConstant: 1, maxPrecision: 128)
    // Where the larger side is proved > 0 the ratio is the quotient, and the verdict must agree
    // with it (with a larger side <= 0 the ratio follows conventions: `0 < 0` is violated with
    // ratio 0).
    if c.larger.lo > 0 {
        if c.verdict == .violated && c.ratio.hi < 1 { return "violated with a ratio enclosure below 1: \(c.ratio)" }
        if c.verdict == .holds && c.ratio.lo > 1 { return "holds with a ratio enclosure above 1: \(c.ratio)" }
    }
    return nil
}
