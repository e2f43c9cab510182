// Reports/conjectures.md: claims a reader of the paper might guess, each run through
// `pvar conjecture`'s pipeline (search, ball certification, shrinking) with its verdict.

import Foundation
import PVarCore
import PVarCertify
import PVarVerify

/// One claim of the gallery: the claim, its assumptions, whether to fit `C`, and one sentence on
/// what the verdict means (written from the proofs; the verdict itself is computed).
struct GalleryEntry: Sendable {
    let title: String
    let claim: String
    let assumptions: ConjectureAssumptions
    let fit: Bool
    /// The verdict the proofs predict; `make report` refuses to write a gallery that disagrees.
    let expected: ConjectureVerdict
    let explanation: String
}

/// The gallery's claims. Each explanation names the Proofs file that settles the claim, and
/// `expected` is the verdict that file predicts: the gallery is not written if the pipeline
/// disagrees, and the `ConjectureGallery` suite checks the committed report against these rows.
let galleryEntries: [GalleryEntry] = {
    let atReference = ConjectureAssumptions(atReference: true, pairs: .policy)
    let atReferenceAnyPairs = ConjectureAssumptions(atReference: true, pairs: .any)
    let onPolicy = ConjectureAssumptions(atReference: false, pairs: .policy)
    let anyPairs = ConjectureAssumptions(atReference: false, pairs: .any)
    return [
        GalleryEntry(title: "A bound in the policy's own PVar", claim: "gradientNorm <= 10 * beta * scoreBound * sqrt(pvarPolicy)",
                     assumptions: atReference, fit: false, expected: .violated,
                     explanation: "At the reference PVar_policy is exactly 0 while the labels still drive the gradient (C1)."),
        GalleryEntry(title: "Exponent 1 instead of 1/2", claim: "gradientNorm <= sqrt(2) * beta * scoreBound * pvarLabels",
                     assumptions: atReference, fit: false, expected: .violated,
                     explanation: "On two uniform responses the gradient equals sqrt(2) beta G sqrt(PVar), which exceeds sqrt(2) beta G PVar for every PVar < 1 (B2 is sharp, T3)."),
        GalleryEntry(title: "B2 off the reference", claim: "gradientNorm <= sqrt(2) * beta * scoreBound * sqrt(pvarLabels)",
                     assumptions: onPolicy, fit: false, expected: .violated,
                     explanation: "Away from the reference the policy's own preferences drive the gradient too; coin-flip labels (PVar_labels = 0) with a moved policy refute it (B1 needs both PVars)."),
        GalleryEntry(title: "B2 as stated", claim: "gradientNorm <= sqrt(2) * beta * scoreBound * sqrt(pvarLabels)",
                     assumptions: atReference, fit: false, expected: .notRefuted,
                     explanation: "Proved (B2); equality on two uniform responses."),
        GalleryEntry(title: "B2 with a strict inequality", claim: "gradientNorm < sqrt(2) * beta * scoreBound * sqrt(pvarLabels)",
                     assumptions: atReference, fit: false, expected: .undecided,
                     explanation: "False (B2 is an equality on two uniform responses, T2), but the equality is between irrational numbers: ball arithmetic encloses both sides ever more tightly and never separates them, so the honest verdict is undecided, not violated and not \"not refuted\"."),
        GalleryEntry(title: "B2's sharp constant", claim: "gradientNorm <= C * beta * scoreBound * sqrt(pvarLabels)",
                     assumptions: atReference, fit: true, expected: .notRefuted,
                     explanation: "The fitted constant should be sqrt(2) = 1.41421356...: B2 is sharp (T2)."),
        GalleryEntry(title: "B2 on sequence policies", claim: "gradientNorm <= sqrt(2) * beta * scoreBound * sqrt(pvarLabels)",
                     assumptions: ConjectureAssumptions(atReference: true, pairs: .policy, dimension: 1...3,
                                                        sequence: ConjectureSequence(vocabulary: 2, length: 2)),
                     fit: false, expected: .notRefuted,
                     explanation: "B2's proof uses only the scores s_y = grad log pi(y), so it holds for token-level sequence policies too (here V = 2, T = 2, so K = 4 sequences)."),
        GalleryEntry(title: "The Fisher-trace form at the reference", claim: "gradientNorm <= sqrt(2) * beta * sqrt(fisherTrace) * sqrt(pvarLabels)",
                     assumptions: atReference, fit: false, expected: .notRefuted,
                     explanation: "Proved: D^2 = 2 tr F for pairs from the policy, then B0 (B2 step 3, I3)."),
        GalleryEntry(title: "Score spread instead of the score bound", claim: "gradientNorm <= beta * scoreSpread * sqrt(pvarLabels)",
                     assumptions: atReferenceAnyPairs, fit: false, expected: .notRefuted,
                     explanation: "Proved for any pair distribution: B0 with delta^2 = PVar_labels at the reference."),
        GalleryEntry(title: "A bound without beta", claim: "gradientNorm <= sqrt(2) * scoreBound * sqrt(pvarLabels)",
                     assumptions: atReference, fit: false, expected: .violated,
                     explanation: "The gradient is proportional to beta at the reference, so any beta > 1 on B2's equality case refutes it."),
        GalleryEntry(title: "B1 with constant 1", claim: "gradientNorm <= beta * scoreBound * (sqrt(pvarPolicy) + sqrt(pvarLabels))",
                     assumptions: onPolicy, fit: false, expected: .violated,
                     explanation: "B1's constant sqrt(2) is sharp (two uniform responses), so 1 fails."),
        GalleryEntry(title: "The plain bound beta G / 2", claim: "gradientNorm <= beta * scoreBound / 2",
                     assumptions: atReferenceAnyPairs, fit: false, expected: .notRefuted,
                     explanation: "Proved for any pair distribution at the reference (T4 step 4), approached as the reward gap grows."),
        GalleryEntry(title: "The Chebyshev form's sharp constant", claim: "gradientNorm <= C * beta * scoreBound * pvarLabels^(1/3)",
                     assumptions: atReference, fit: true, expected: .notRefuted,
                     explanation: "The fitted constant should approach 1 from below: T4 proves constant 1 and it is sharp (B3's 3 is three times too large)."),
        GalleryEntry(title: "Low PVar means low signal-to-noise (S1)", claim: "snr <= 4 * pvarLabels / (1 - 4 * pvarLabels)",
                     assumptions: atReferenceAnyPairs, fit: false, expected: .notRefuted,
                     explanation: "Proved (S1); equality on two responses with D > 0."),
        GalleryEntry(title: "A signal-to-noise bound with half the constant", claim: "snr <= 2 * pvarLabels",
                     assumptions: atReferenceAnyPairs, fit: false, expected: .violated,
                     explanation: "S1 is attained on two responses, where SNR = 4 PVar / (1 - 4 PVar) > 2 PVar."),
        GalleryEntry(title: "B0 (Cauchy–Schwarz)", claim: "gradientNorm <= beta * scoreSpread * disagreement",
                     assumptions: anyPairs, fit: false, expected: .notRefuted,
                     explanation: "Proved for any theta and any pair distribution (B0)."),
        GalleryEntry(title: "PVar of the labels stays below (1 - 1/K) / 4", claim: "pvarLabels <= (1 - 1 / K) / 4",
                     assumptions: anyPairs, fit: false, expected: .notRefuted,
                     explanation: "Proved (T3 statement 1): the diagonal pairs carry weight at least 1/K and contribute 0."),
    ]
}()

/// The search budget of each gallery claim (the CLI's defaults are larger; the gallery keeps
/// `make report` within a few minutes).
func galleryOptions(seed: UInt64, fit: Bool) -> ConjectureOptions {
    var o = ConjectureOptions()
    o.instances = 300
    o.restarts = 4
    o.seed = seed
    o.fit = fit
    return o
}

/// `conjectures.md`: the table of every claim and verdict, then one section per claim.
func conjectureGalleryFiles(seed: UInt64) async throws -> [ReportFile] {
    var rows = ""
    var sections = ""
    for (n, entry) in galleryEntries.enumerated() {
        let claim: Claim
        do { claim = try Claim.parse(entry.claim) } catch {
            throw ReportError("gallery claim \(n + 1) does not parse: \(error.oneLine)")
        }
        let result: ConjectureResult
        do {
            result = try await checkConjecture(claim, assumptions: entry.assumptions, options: galleryOptions(seed: seed, fit: entry.fit))
        } catch {
            throw ReportError("gallery claim \(n + 1): \(error)")
        }
        guard result.verdict == entry.expected else {
            throw ReportError("gallery claim \(n + 1) (\(entry.claim)): the pipeline says '\(result.verdict.rawValue)', "
                              + "the proofs predict '\(entry.expected.rawValue)'")
        }
        let outcome: String
        if let c = result.constant {
            outcome = "sup found \(shortest(c.supremumFound)); certified >= \(shortest(c.certifiedLowerBound))"
        } else if let k = result.counterexample {
            outcome = "shrunk to K = \(k.responseCount), d = \(k.dimension)"
        } else {
            outcome = "best ratio \(shortest(result.bestRatio))"
        }
        rows += "| \(n + 1) | \(entry.title) | `\(entry.claim)` | \(entry.assumptions.text) | **\(result.verdict.rawValue)** | \(outcome) |\n"
        sections += "## \(n + 1). \(entry.title)\n\n\(entry.explanation)\n\n" + conjectureMarkdown(result) + "\n"
    }
    var out = "# Conjectures: claims a reader of the paper might guess\n\n"
    out += "Each claim below is run through `pvar conjecture` (random instances from the GSL generator over the "
        + "families the assumptions allow, an adversarial Nelder–Mead search for the largest ratio of the two sides, "
        + "every double-level violation re-evaluated in Arb balls, and a certified violation shrunk to a minimal "
        + "instance). \"violated\" is a certified counterexample; \"not refuted\" means the search found none, and "
        + "the one sentence says which proof settles it; \"undecided\" means neither could be established (a strict claim "
        + "at an irrational equality, or a claim undefined on every instance). Verdicts are decided in ball arithmetic: on an equality case "
        + "(B2, S1, ...) the best ratio in doubles can exceed 1 by a few units of rounding while the certified ratio "
        + "stays at most 1. Seed \(seed); each entry's replay command is in its section.\n\n"
    out += "| # | reading | claim | assumptions | verdict | outcome |\n|---|---|---|---|---|---|\n" + rows + "\n" + sections
    return [ReportFile(path: "conjectures.md", contents: out)]
}
