// The checks every edge case shares: running the tool on an instance, recording findings, and the
// standard checks (finite outputs, certified enclosures, no refuted statement, exact zeros).

import Foundation
import PVarCertify
import PVarCore

/// The tool's outputs on one instance: the double evaluation and the certificate.
public struct EdgeCaseRun: Sendable {
    public let label: String
    public let evaluation: Evaluation
    public let certificate: Certificate
}

/// Collects checks.
struct Findings {
    var checks: [EdgeCaseCheck] = []

    mutating func check(_ instance: String, _ claim: String, _ observed: String, _ passed: Bool) {
        checks.append(EdgeCaseCheck(instance: instance, claim: claim, observed: observed, passed: passed))
    }
}

func fmt(_ x: Double) -> String { InstanceFile.format(x) }

func list(_ v: [Double]) -> String { "[" + v.map(fmt).joined(separator: ", ") + "]" }

func ratioText(_ x: Double) -> String { x.isFinite ? fmt(x) : "inf" }

/// Evaluates and certifies every instance of a case; a rejected instance becomes a failed check.
func runs(_ c: EdgeCase, _ f: inout Findings) -> [EdgeCaseRun] {
    c.instances.compactMap { inst in
        do {
            return EdgeCaseRun(label: inst.label, evaluation: try Evaluation(inst.problem),
                               certificate: certify(inst.problem))
        } catch {
            f.check(inst.label, "the tool evaluates the instance", "rejected: \(error)", false)
            return nil
        }
    }
}

/// Every output of an evaluation, named (for the finiteness check).
func namedOutputs(_ e: Evaluation) -> [(String, Double)] {
    var out: [(String, Double)] = [
        ("loss", e.loss), ("||grad L||", e.gradientNorm), ("PVar_policy", e.pvarPolicy),
        ("PVar_labels", e.pvarLabels), ("delta", e.disagreement), ("D", e.scoreSpread), ("G", e.scoreBound),
        ("tr F", e.fisherTrace),
    ]
    out += e.gradient.map { ("a gradient entry", $0) }
    out += e.logPolicy.map { ("a log-probability", $0) }
    out += e.implicitRewards.map { ("an implicit reward", $0) }
    out += BoundID.allCases.map { ("the value of \($0.rawValue)", $0.value(e)) }
    return out
}

/// The checks every instance gets:
/// - every output is finite;
/// - `||grad L||`, both PVars and every bound's value lie in the certified enclosures (up to
///   `edgeCaseAccuracy` and the underflow slack);
/// - no statement whose hypotheses hold *exactly* is refuted by the certificate (B2/B3 need
///   the exact instance at the reference, i.e. a certified `PVar_policy` of exactly 0);
/// - a comparison counted as resolved because both sides are 0 in doubles has both sides
///   exactly 0 in the certificate (else the zeros are underflow, not a resolved `0 <= 0`).
func standardChecks(_ r: EdgeCaseRun, _ f: inout Findings) {
    let e = r.evaluation, cert = r.certificate
    let k = e.problem.responseCount
    let terms = k * k
    let infinite = namedOutputs(e).filter { !$0.1.isFinite }.map(\.0)
    f.check(r.label, "every output is finite", infinite.isEmpty ? "all finite" : "not finite: " + infinite.joined(separator: ", "),
            infinite.isEmpty)
    for (name, x, enc) in [("||grad L||", e.gradientNorm, cert.gradientNorm), ("PVar_policy", e.pvarPolicy, cert.pvarPolicy),
                           ("PVar_labels", e.pvarLabels, cert.pvarLabels)] {
        f.check(r.label, "\(name) lies in its certified enclosure", "\(fmt(x)) vs \(enc)", agreesWithEnclosure(x, enc, terms: terms))
    }
    let exactlyAtReference = cert.pvarPolicy.isExactZero
    for b in e.bounds {
        guard let cb = cert.bounds[b.id] else { continue }
        f.check(r.label, "the value of \(b.id.rawValue) lies in its certified enclosure", "\(fmt(b.value)) vs \(cb.value)",
                agreesWithEnclosure(b.value, cb.value, terms: terms))
        // `applies` decides "at the reference" within referenceTolerance; exactly means PVar_policy = 0.
        let needsReference = b.id.definition.hypotheses.contains(.atReference)
        let hypothesesHoldExactly = b.applies && (!needsReference || exactlyAtReference)
        if hypothesesHoldExactly {
            f.check(r.label, "\(b.id.rawValue) applies and is not refuted (doubles and certificate)",
                    "ratio \(ratioText(b.ratio)), holds \(b.holds), certified \(cb.verdict.rawValue)",
                    b.holds && cb.verdict != .violated)
        }
        if b.resolved && b.lhs == 0 && b.value == 0 {
            let exact = cert.gradientNorm.isExactZero && cb.value.isExactZero
            f.check(r.label, "\(b.id.rawValue) counted resolved as 0 <= 0 only if both sides are exactly 0",
                    "certified ||grad L|| in \(cert.gradientNorm), value in \(cb.value), ratio in \(cb.ratio)", exact)
        }
    }
}

/// Checks that every bound reads `0 <= 0`: value 0, ratio 0, resolved, holds.
func allBoundsZero(_ r: EdgeCaseRun, _ f: inout Findings) {
    for b in r.evaluation.bounds {
        f.check(r.label, "\(b.id.rawValue): value 0, ratio 0/0 := 0, resolved, holds",
                "value \(fmt(b.value)), ratio \(ratioText(b.ratio)), resolved \(b.resolved), holds \(b.holds)",
                b.value == 0 && b.ratio == 0 && b.resolved && b.holds)
    }
}

func exactlyZeroGradient(_ r: EdgeCaseRun, _ f: inout Findings) {
    let e = r.evaluation
    f.check(r.label, "every gradient entry and ||grad L|| are exactly 0", "\(list(e.gradient)), norm \(fmt(e.gradientNorm))",
            e.gradient.allSatisfy { $0 == 0 } && e.gradientNorm == 0)
    f.check(r.label, "certified ||grad L|| is exactly 0", "\(r.certificate.gradientNorm)", r.certificate.gradientNorm.isExactZero)
}
