// `pvar conjecture` as a user runs it: exit statuses, the exact JSON keys, the shrunk
// counterexample and its replay, the fitted constant, and one clear error for a bad claim.

import Foundation
import Testing

/// A small budget for the debug binary (a few seconds per run).
let conjectureBudget = ["--instances", "100", "--restarts", "1", "--iterations", "1000", "--responses", "2...3", "--dim", "1...2"]

func conjectureRun(_ claim: String, _ extra: [String] = []) throws -> RunResult {
    try pvar(["conjecture", "--claim", claim, "--assume", "at-reference", "--pairs", "policy"] + conjectureBudget + extra)
}

func jsonObject(_ text: String) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], "not a JSON object: \(text)")
}

@Suite("ConjectureCLI")
struct ConjectureCLITests {
    static let keys: Set<String> = ["claim", "assumptions", "instancesChecked", "verdict", "bestRatio", "witness", "certified",
                                    "counterexample", "shrinkSteps", "replay"]

    @Test("a certified violation exits 1 with exactly the documented keys, a two-response counterexample that pvar evaluate reads, and the same output for any thread count")
    func violationIsReportedAndShrunk() throws {
        let claim = "gradientNorm <= 1.3 * beta * scoreBound * sqrt(pvarLabels)"
        let r = try conjectureRun(claim, ["--threads", "1"])
        #expect(r.status == 1, "stderr: \(r.stderr)")
        let json = try jsonObject(r.stdout)
        #expect(Set(json.keys) == Self.keys)
        #expect(json["verdict"] as? String == "violated")
        #expect(json["claim"] as? String == claim)
        let certified = try #require(json["certified"] as? [String: Any])
        #expect(Set(certified.keys) == ["verdict", "ratio"])
        let counterexample = try #require(json["counterexample"] as? [String: Any])
        #expect((counterexample["rewards"] as? [Double])?.count == 2)
        #expect(((json["shrinkSteps"] as? Int) ?? 0) > 0)
        // The replay is pvar evaluate on the counterexample, inline: run it as a shell would.
        let replay = try #require(json["replay"] as? String)
        #expect(replay.hasPrefix("printf '%s\\n' '{") && replay.contains("| swift run -c release pvar evaluate --input - --certify --claim '\(claim)'"),
                "\(replay)")
        let line = try #require(replay.split(separator: "'", omittingEmptySubsequences: false).dropFirst(3).first.map(String.init))
        let e = try pvar(["evaluate", "--input", "-", "--certify", "--claim", claim], stdin: line + "\n")
        #expect(e.status == 1, "evaluate exits 1 on the certified violation: \(e.stderr)")
        let evaluated = try #require(try jsonObject(e.stdout)["claim"] as? [String: Any])
        #expect((evaluated["certified"] as? [String: Any])?["verdict"] as? String == "violated")
        #expect(evaluated["text"] as? String == claim)
        // The counterexample object itself is an input of pvar evaluate too.
        let data = try JSONSerialization.data(withJSONObject: counterexample)
        let plain = try pvar(["evaluate", "--input", "-", "--certify"], stdin: String(decoding: data, as: UTF8.self))
        #expect(plain.status == 0, "evaluate: \(plain.stderr)")
        // Any thread count, any run: the same bytes.
        let again = try conjectureRun(claim, ["--threads", "2"])
        #expect(again.stdout == r.stdout)
    }

    @Test("a claim not refuted exits 0; --fit C reports the constant")
    func notRefutedAndFit() throws {
        let b2 = try conjectureRun("gradientNorm <= sqrt(2) * beta * scoreBound * sqrt(pvarLabels)")
        #expect(b2.status == 0, "stderr: \(b2.stderr)")
        let json = try jsonObject(b2.stdout)
        #expect(Set(json.keys) == Self.keys)
        #expect(json["verdict"] as? String == "not refuted")
        #expect(json["counterexample"] is NSNull)

        let fit = try conjectureRun("gradientNorm <= C * beta * scoreBound * sqrt(pvarLabels)", ["--fit", "C"])
        #expect(fit.status == 0, "stderr: \(fit.stderr)")
        let fitted = try jsonObject(fit.stdout)
        #expect(Set(fitted.keys) == Self.keys.union(["constant"]))
        let constant = try #require(fitted["constant"] as? [String: Double])
        #expect(Set(constant.keys) == ["supremumFound", "certifiedLowerBound"])
        let lower = try #require(constant["certifiedLowerBound"]), sup = try #require(constant["supremumFound"])
        #expect(lower <= 2.0.squareRoot() && lower >= 2.0.squareRoot() - 1e-6 && sup <= 2.0.squareRoot() + 1e-9, "\(constant)")
    }

    @Test("markdown output names the verdict and prints the counterexample")
    func markdown() throws {
        let r = try pvar(["conjecture", "--claim", "gradientNorm <= 10 * beta * sqrt(pvarPolicy)", "--assume", "at-reference",
                          "--format", "markdown", "--instances", "20", "--restarts", "0"])
        #expect(r.status == 1, "stderr: \(r.stderr)")
        #expect(r.stdout.contains("**Verdict: violated**") && r.stdout.contains("\"features\": null"), "\(r.stdout)")
    }

    @Test("a claim that does not parse: exit 64, the message with the position on the first line, then the claim and a caret")
    func parseError() throws {
        let r = try pvar(["conjecture", "--claim", "gradientNorm <= sqrt(2 * beta"])
        #expect(r.status == 64)
        #expect(r.stdout.isEmpty)
        let lines = r.stderr.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.first?.hasPrefix("pvar: error: claim: expected ',' or ')'") == true, "\(r.stderr)")
        #expect(lines.first?.contains("at character 30") == true, "\(r.stderr)")
        #expect(lines.count >= 3 && lines[1] == "  gradientNorm <= sqrt(2 * beta" && lines[2].hasSuffix("^"), "\(r.stderr)")
    }

    @Test("an unknown name: exit 64 and the known names listed")
    func unknownName() throws {
        let r = try pvar(["conjecture", "--claim", "gradNorm <= beta"])
        #expect(r.status == 64)
        #expect(r.stderr.hasPrefix("pvar: error: claim: unknown name 'gradNorm'"), "\(r.stderr)")
        for name in ["gradientNorm", "pvarLabels", "maxRewardGap", "sqrt"] { #expect(r.stderr.contains(name)) }
    }

    @Test("usage errors exit 64 with one line: C without --fit, --fit on an unsupported form, a bad range, a bad --fit name")
    func usageErrors() throws {
        for (args, needle) in [(["--claim", "gradientNorm <= C * beta"], "--fit C"),
                               (["--claim", "gradientNorm <= beta / C", "--fit", "C"], "factor"),
                               (["--claim", "gradientNorm <= beta", "--fit", "C"], "no free constant"),
                               (["--claim", "gradientNorm <= beta", "--responses", "3...2"], "--responses"),
                               (["--claim", "gradientNorm <= beta", "--dim", "0...2"], "--dim"),
                               (["--claim", "gradientNorm <= C * beta", "--fit", "D"], "--fit")] {
            let r = try pvar(["conjecture"] + args + ["--instances", "1", "--restarts", "0"])
            #expect(r.status == 64, "\(args): status \(r.status), stderr \(r.stderr)")
            #expect(r.stderr.split(separator: "\n").count == 1 && r.stderr.contains(needle), "\(args): \(r.stderr)")
        }
    }

    @Test("a built-in statement by name (--claim B2) runs the table's claim under its hypotheses; a claim may start with '-'")
    func builtInAndLeadingMinus() throws {
        let b2 = try pvar(["conjecture", "--claim", "B2"] + conjectureBudget)
        #expect(b2.status == 0, "stderr: \(b2.stderr)")
        let json = try jsonObject(b2.stdout)
        #expect(json["claim"] as? String == "gradientNorm <= sqrt(2) * beta * scoreBound * sqrt(pvarLabels)")
        let a = try #require(json["assumptions"] as? [String: Any])
        #expect(a["atReference"] as? Bool == true && a["pairs"] as? String == "policy")
        let minus = try pvar(["conjecture", "--claim", "-gradientNorm <= 0"] + conjectureBudget)
        #expect(minus.status == 0, "stderr: \(minus.stderr)")
        #expect(try jsonObject(minus.stdout)["claim"] as? String == "-gradientNorm <= 0")
        let contradiction = try pvar(["conjecture", "--claim", "B2", "--pairs", "reference"] + conjectureBudget)
        #expect(contradiction.status == 64 && contradiction.stderr.contains("contradicts"), "\(contradiction.stderr)")
    }

    @Test("undecided exits 2: a claim undefined on every instance, and a strict claim at B2's irrational equality")
    func undecidedExits2() throws {
        let undefined = try conjectureRun("sqrt(-1) <= K")
        #expect(undefined.status == 2, "stderr: \(undefined.stderr)")
        let u = try jsonObject(undefined.stdout)
        #expect(u["verdict"] as? String == "undecided" && u["instancesChecked"] as? Int == 0)
        let strict = try conjectureRun("gradientNorm < sqrt(2) * beta * scoreBound * sqrt(pvarLabels)", ["--responses", "2"])
        #expect(strict.status == 2, "stderr: \(strict.stderr)")
        #expect(try jsonObject(strict.stdout)["verdict"] as? String == "undecided")
        let markdown = try conjectureRun("sqrt(-1) <= K", ["--format", "markdown"])
        #expect(markdown.status == 2 && markdown.stdout.contains("**Verdict: undecided** — no instance satisfying the assumptions"), "\(markdown.stdout)")
    }

    @Test("a claim nested too deep is a parse error (exit 64), not a crash")
    func deepClaimIsAParseError() throws {
        let deep = try pvar(["conjecture", "--claim", "K >= " + String(repeating: "-", count: 3000) + "1"] + conjectureBudget)
        #expect(deep.status == 64 && deep.stderr.contains("deeper than"), "status \(deep.status): \(deep.stderr)")
    }

    @Test("pvar evaluate --claim: sides and ratio in doubles, the certificate with --certify, --free-constant for C, and errors exit 64")
    func evaluateClaim() throws {
        let file = "{\"beta\": 1, \"theta\": [0, 0], \"reference\": [0.5, 0.5], \"rewards\": [1, 0], \"pairs\": \"policy\"}\n"
        let r = try pvar(["evaluate", "--input", "-", "--certify", "--claim", "gradientNorm <= C * beta * scoreBound * sqrt(pvarLabels)",
                          "--free-constant", "1.5"], stdin: file)
        #expect(r.status == 0, "\(r.stderr)")
        let c = try #require(try jsonObject(r.stdout)["claim"] as? [String: Any])
        #expect(c["freeConstant"] as? Double == 1.5)
        #expect((c["certified"] as? [String: Any])?["verdict"] as? String == "holds")
        let noC = try pvar(["evaluate", "--input", "-", "--claim", "gradientNorm <= C * beta"], stdin: file)
        #expect(noC.status == 64 && noC.stderr.contains("--free-constant"), "\(noC.stderr)")
        let bad = try pvar(["evaluate", "--input", "-", "--claim", "gradientNorm <="], stdin: file)
        #expect(bad.status == 64 && bad.stderr.contains("claim:"), "\(bad.stderr)")
    }

    @Test("review regressions: underflowed and non-positive ties are certified, not waved through; infinite sides are undecided unless balls decide; --fit with a negative factor is undecided")
    func reviewRegressions() throws {
        func verdict(_ claim: String, _ extra: [String] = []) throws -> (Int32, String?) {
            let r = try pvar(["conjecture", "--claim", claim] + conjectureBudget + extra)
            return (r.status, r.status == 64 ? nil : try jsonObject(r.stdout)["verdict"] as? String)
        }
        // A side that underflows to 0 in doubles, or a tie on the non-positive side: balls decide.
        for claim in ["1e-400 <= 0", "exp(-1000) <= 0", "gradientNorm * 1e-300 * 1e-300 <= 0", "-1 <= -1 - 1e-20"] {
            let (status, v) = try verdict(claim)
            #expect(status == 1 && v == "violated", "\(claim): \(status) \(String(describing: v))")
        }
        // True ties stay not refuted.
        #expect(try verdict("0 <= 0").0 == 0)
        #expect(try verdict("pvarLabels + labelVariance <= 1/4").0 == 0)
        // Infinite or undefined sides: undecided, unless balls evaluate them.
        for claim in ["1/0 <= gradientNorm", "gradientNorm <= log(0)"] {
            let (status, v) = try verdict(claim)
            #expect(status == 2 && v == "undecided", "\(claim): \(status) \(String(describing: v))")
        }
        let atRef = try verdict("log(pvarPolicy) <= beta", ["--assume", "at-reference"])
        #expect(atRef.0 == 2, "log(0) = -inf at the reference: \(atRef)")
        #expect(try verdict("exp(1000) <= K").0 == 1, "an overflow in doubles is decided in balls")
        // --fit: a negative factor of C bounds C from above: no sharp constant as a supremum.
        let negative = try pvar(["conjecture", "--claim", "-1 <= C * (-2)", "--fit", "C"] + conjectureBudget)
        #expect(negative.status == 2 && negative.stdout.contains("\"undecided\""), "\(negative.status) \(negative.stdout)")
        // --fit where no constant works: the certified entry says violated too.
        let none = try conjectureRun("gradientNorm <= C * pvarPolicy", ["--fit", "C"])
        #expect(none.status == 1)
        #expect((try jsonObject(none.stdout)["certified"] as? [String: Any])?["verdict"] as? String == "violated")
        // Options that do not apply are refused, not ignored.
        #expect(try pvar(["conjecture", "--claim", "K <= 9", "--tabular", "--dim", "1...2"]).status == 64)
        #expect(try pvar(["conjecture", "--claim", "K <= 9", "--sequence", "2,2", "--responses", "2...3"]).status == 64)
    }

    @Test("pvar evaluate --claim reads --free-constant as an exact decimal (C <= 0.1 holds at C = 0.1), accepts a negative value and a built-in name, and refuses --free-constant without C")
    func evaluateFreeConstantIsExact() throws {
        let file = "{\"beta\": 1, \"theta\": [0, 0], \"reference\": [0.5, 0.5], \"rewards\": [1, 0], \"pairs\": \"policy\"}\n"
        let exact = try pvar(["evaluate", "--input", "-", "--certify", "--claim", "C <= 0.1", "--free-constant", "0.1"], stdin: file)
        #expect(exact.status == 0, "\(exact.stderr)")
        #expect(((try jsonObject(exact.stdout)["claim"] as? [String: Any])?["certified"] as? [String: Any])?["verdict"] as? String == "holds")
        let negative = try pvar(["evaluate", "--input", "-", "--certify", "--claim", "C <= 0", "--free-constant", "-1"], stdin: file)
        #expect(negative.status == 0, "\(negative.stderr)")
        let b2 = try pvar(["evaluate", "--input", "-", "--certify", "--claim", "B2"], stdin: file)
        #expect(b2.status == 0, "\(b2.stderr)")
        #expect((try jsonObject(b2.stdout)["claim"] as? [String: Any])?["text"] as? String == "gradientNorm <= sqrt(2) * beta * scoreBound * sqrt(pvarLabels)")
        let noC = try pvar(["evaluate", "--input", "-", "--claim", "K <= 3", "--free-constant", "1"], stdin: file)
        #expect(noC.status == 64 && noC.stderr.contains("no free constant"), "\(noC.stderr)")
        let bad = try pvar(["evaluate", "--input", "-", "--claim", "C <= 3", "--free-constant", "abc"], stdin: file)
        #expect(bad.status == 64 && bad.stderr.contains("decimal"), "\(bad.stderr)")
    }
}
