// `estimation.md`: PVar estimated from n sampled responses (issue 6, section 2), with plots.

import Foundation
import PVarCore
import PVarSelect
import PVarStudies
import PVarGSL

/// `estimation.md`, `plots/estimation-variance.svg` and `plots/estimation-topk.svg` for one seed.
///
/// Every number comes from `EstimationStudy(seed:)` (Sources/PVarStudies/EstimationStudy.swift), the same
/// computation the `Estimators` suite asserts on; nothing here evaluates a formula of its own
/// except the display of `PVarEstimand`'s closed forms at every `n` for the variance plot's line.
/// Deterministic for a seed: no timestamps, and the study's streams are seeded per task.
public func estimationReportFiles(seed: UInt64) -> [ReportFile] {
    estimationReportFiles(EstimationStudy(seed: seed))
}

/// The report files of a study already run.
public func estimationReportFiles(_ study: EstimationStudy) -> [ReportFile] {
    [ReportFile(path: "estimation.md", contents: estimationMarkdown(study)),
     ReportFile(path: "plots/estimation-variance.svg", contents: estimationVariancePlot(study).svg()),
     ReportFile(path: "plots/estimation-topk.svg", contents: estimationTopKPlot(study).svg())]
}


func estimationMarkdown(_ s: EstimationStudy) -> String {
    let c = s.configuration
    let m = c.estimatesPerSize
    let delta = s.checks.first?.failureProbability ?? 0
    let failed = s.checks.filter { !$0.passes }
    var out = """
    # Estimating PVar from sampled responses

    Run seed \(s.seed). In practice PVar is not computed exactly: a practitioner samples `n` responses
    to a prompt, scores every pair (a reward model for the labels `q`, the policy's implicit reward for
    `p`) and averages. This report checks the two estimators one would use against the exact PVar of
    the instance, computed in closed form by `Evaluation`. Every number comes from `EstimationStudy`
    (`Sources/PVarStudies/EstimationStudy.swift`), the computation the `Estimators` suite asserts on.

    **Verdict: \(failed.isEmpty ? "all \(s.checks.count) statistical checks pass" : "\(failed.count) of \(s.checks.count) checks FAIL")**
    (each with false-failure probability \(significant(delta, 4)); together at most \(significant(c.suiteFailureProbability, 4))).

    ## The estimators

    With `h(i, j) = (pref(i, j) - 1/2)^2` (`pref = q` for `PVar_labels`, responses drawn from the pair
    distribution `mu`; `pref = p` for `PVar_policy`, responses drawn from `pi_theta`) and responses
    `y_1..y_n` drawn i.i.d. (GSL `gsl_ran_discrete`, Walker's alias method, seeded mt19937):

    - unbiased (U-statistic): `U = (1 / (n (n-1))) sum_{a != b} h(y_a, y_b)`, `E[U] = PVar` for every
      `n >= 2`. Two draws may be the same response; such a pair contributes `h(y, y) = 0`, exactly as
      the pairs `i = j` do in PVar's definition, so ties need no special treatment;
    - plug-in (V-statistic, the PVar of the empirical distribution):
      `V = (1 / n^2) sum_{a, b} h(y_a, y_b)`. Because `h(y, y) = 0`, `V = ((n-1)/n) U` for every sample:
      `E[V] = ((n-1)/n) PVar` (biased low by the factor `(n-1)/n`), and with a common `n` the two rank
      prompts identically, so top-k selection is the same with either;
    - exact variance (Hoeffding 1948), with `g(y) = E_{Y'}[h(y, Y')]`, `zeta1 = Var g(Y)`,
      `zeta2 = Var h(Y, Y')` (both O(K^2) from the instance):
      `Var U = (4 (n-2) / (n (n-1))) zeta1 + (2 / (n (n-1))) zeta2`, so `Var U = zeta2` at `n = 2` and
      `n Var U -> 4 zeta1`; `Var V = ((n-1)/n)^2 Var U` and `MSE(V) = Var V + (PVar / n)^2`.

    The identities are checked without sampling in the suite: against the definitions, on a hand-derived
    case (two equally likely responses: `Var U = x^2 / (2 n (n-1))`), and by enumerating every one of the
    `K^n` samples (K <= 4, n <= 5) on generated instances of every regime and family.

    ## Cases

    The first instance of each shape with at least 3 responses and `PVar >= \(EstimationStudy.minimumCasePVar)`
    (replay with `pvar generate --seed \(s.seed) --regime R --family F --index I | pvar evaluate --input -`).
    `M = \(m)` independent estimates per case and `n`.

    `Var U` is `zeta2` at `n = 2`; `n Var U` tends to `4 zeta1` (shown next to its value at `n = 64`).

    | case | K | PVar | zeta1 | zeta2 | max h | 4 zeta1 | n Var U at n = 64 |
    |---|---|---|---|---|---|---|---|

    """
    for k in s.cases {
        let e = k.estimand
        out += "| \(k.name) | \(e.responseCount) | \(significant(e.exact, 4)) | \(significant(e.zeta1, 4)) | \(significant(e.zeta2, 4)) | \(significant(e.kernelMax, 4)) | "
            + "\(significant(4 * e.zeta1, 4)) | \(significant(64 * e.unbiasedVariance(sampleSize: 64), 4)) |\n"
    }

    // Unbiasedness.
    out += """

    ## Unbiasedness

    Claim `E[U] = PVar`: the mean of the `M` estimates must be within `t` of the exact PVar, with `t` from
    Bernstein's inequality for bounded variables (every estimate lies in `[0, max h]`) and the exact
    `Var U`: `P(|mean - PVar| >= t) <= 2 exp(-M t^2 / (2 Var U + (2/3) c t)) = \(significant(delta, 4))`,
    `c = max(PVar, max h - PVar)`; rigorous, no normal approximation. Chebyshev with the same variance and
    probability would need `t = sqrt(Var U / (M delta))`, shown for comparison: at this `delta` it is
    wider than the whole range of `U`, which is why the checks use Bernstein. The tolerance also covers
    rounding and the sampler's 32-bit resolution (`||w' - w||_1 <= (2K + 1) 2^-32`). The plug-in column is
    the same check for `E[V] = ((n-1)/n) PVar`; "V rejected" says whether `V` fails the unbiasedness check,
    i.e. whether the test can tell the biased estimator from the unbiased one.

    | case | n | mean U | mean U - PVar | t (Bernstein) | t (Chebyshev) | mean V | ((n-1)/n) PVar | V rejected | verdict |
    |---|---|---|---|---|---|---|---|---|---|

    """
    let unbiased = s.checks.filter { $0.claim == .unbiased }
    let plugIn = s.checks.filter { $0.claim == .plugInBias }
    let sizes = c.sampleSizes
    for (ci, k) in s.cases.enumerated() {
        for (si, run) in s.runs[ci].enumerated() {
            let u = unbiased[ci * sizes.count + si], v = plugIn[ci * sizes.count + si]
            let cheb = chebyshevDeviation(variance: k.estimand.unbiasedVariance(sampleSize: run.sampleSize),
                                          count: Double(m), failureProbability: delta)
            let rejected = abs(run.meanPlugIn - k.estimand.exact) > u.tolerance
            out += "| \(k.name) | \(run.sampleSize) | \(significant(run.meanUnbiased, 4)) | \(significant(run.meanUnbiased - k.estimand.exact, 4)) | "
                + "\(significant(u.tolerance, 4)) | \(significant(cheb, 4)) | \(significant(run.meanPlugIn, 4)) | \(significant(v.theory, 4)) | \(rejected ? "yes" : "no") | "
                + "\(u.passes && v.passes ? "holds" : "FAIL") |\n"
        }
    }

    // Variance.
    out += """

    ## Exact variance against the sample variance

    Claim `Var U` = Hoeffding's formula: the sample variance `S^2` of the `M` estimates must be within `t`
    of it. `S^2` is itself a U-statistic (kernel `(x - x')^2 / 2`, in `[0, (max h)^2 / 2]`, variance at
    most `(c^2 Var U + (Var U)^2) / 2`), so Bernstein's inequality for U-statistics over `floor(M/2)`
    blocks gives a rigorous `t` at probability \(significant(delta, 4)). The tolerance is tight at small `n` and loose
    at large `n` (where `Var U` is small against the range of the estimates); the exact enumeration in
    the suite covers the formula there. "first order" is `4 zeta1 / n`, the usual large-`n`
    approximation: it drops `zeta2` and is far off at small `n`. "MSE(V) / Var U" compares the plug-in's
    mean squared error with the unbiased estimator's: the plug-in's lower variance can outweigh its bias.

    | case | n | S^2 | Var U (exact) | S^2 / Var U | t / Var U | first order | MSE(V) / Var U | verdict |
    |---|---|---|---|---|---|---|---|---|

    """
    let variance = s.checks.filter { $0.claim == .variance }
    for (ci, k) in s.cases.enumerated() {
        let e = k.estimand
        for (si, run) in s.runs[ci].enumerated() {
            let check = variance[ci * sizes.count + si]
            let n = run.sampleSize
            out += "| \(k.name) | \(n) | \(significant(run.varianceUnbiased, 4)) | \(significant(check.theory, 4)) | \(significant(run.varianceUnbiased / check.theory, 4)) | "
                + "\(significant(check.tolerance / check.theory, 4)) | \(significant(4 * e.zeta1 / Double(n), 4)) | "
                + "\(significant(e.plugInMeanSquaredError(sampleSize: n) / e.unbiasedVariance(sampleSize: n), 4)) | \(check.passes ? "holds" : "FAIL") |\n"
        }
    }
    out += "\n![Var U against n](plots/estimation-variance.svg)\n"

    // Concentration.
    out += """

    ## Concentration

    Upper-bound claims on `P(|U - PVar| >= t)`, with `k = floor(n/2)`:

    - Hoeffding for U-statistics (1963), range `1/4` (valid for every prompt, knowing nothing about it):
      `2 exp(-2 k t^2 / (1/4)^2)`;
    - Bernstein for U-statistics (Hoeffding's reduction to `k` i.i.d. blocks) with the exact `zeta2`:
      `2 exp(-k t^2 / (2 zeta2 + (2/3) c t))`;
    - Chebyshev with the exact `Var U`: `Var U / t^2`.

    At `t = 2 sd(U)`, `3 sd(U)` and `t_H`, the deviation Hoeffding's bound certifies with probability
    \(significant(c.hoeffdingConfidence, 4)), the empirical tail frequency over the `M` estimates must be at most the bound plus
    the Chernoff excess `s` (`exp(-M KL(bound + s || bound)) = \(significant(delta, 4))`). Found <= theory everywhere
    is the expected outcome; how far below shows how loose each bound is. The two U-statistic bounds use
    only `zeta2`, the variance of a single pair, so at large `n` they are vacuous at a few standard
    deviations, where Chebyshev (which knows `zeta1`) is not.

    | case | n | t | t / sd(U) | empirical tail | Chebyshev | Bernstein | Hoeffding | verdict |
    |---|---|---|---|---|---|---|---|---|

    """
    let tailClaims: Set<EstimationClaim> = [.hoeffdingTail, .bernsteinTail, .chebyshevTail]
    let tails = s.checks.filter { tailClaims.contains($0.claim) }
    var index = 0
    for (ci, k) in s.cases.enumerated() {
        for run in s.runs[ci] {
            let sd = k.estimand.unbiasedVariance(sampleSize: run.sampleSize).squareRoot()
            for (d, count) in zip(run.deviations, run.tailCounts) {
                let h = tails[index], b = tails[index + 1], ch = tails[index + 2]
                index += 3
                out += "| \(k.name) | \(run.sampleSize) | \(significant(d, 4)) | \(significant(d / sd, 4)) | \(significant(Double(count) / Double(run.count), 4)) | "
                    + "\(significant(ch.theory, 4)) | \(significant(b.theory, 4)) | \(significant(h.theory, 4)) | \(h.passes && b.passes && ch.passes ? "holds" : "FAIL") |\n"
            }
        }
    }
    out += """

    How many samples the Hoeffding guarantee costs: `t_H` is the half-width Hoeffding certifies with
    probability \(significant(c.hoeffdingConfidence, 4)); the empirical \(significant(c.hoeffdingConfidence, 4))-quantile of `|U - PVar|` is what is achieved.

    | case | n | t_H (Hoeffding, range 1/4) | empirical quantile | t_H / quantile |
    |---|---|---|---|---|

    """
    for (ci, k) in s.cases.enumerated() {
        for run in s.runs[ci] {
            let tH = run.deviations.last ?? 0
            out += "| \(k.name) | \(run.sampleSize) | \(significant(tH, 4)) | \(significant(run.deviationQuantile, 4)) | \(significant(tH / run.deviationQuantile, 4)) |\n"
        }
    }

    // Top-k.
    let pv = s.populationPVar.sorted()
    func quantile(_ q: Double) -> Double { pv[min(pv.count - 1, Int(q * Double(pv.count - 1)))] }
    let topChecks = s.checks.filter { $0.claim == .topKNonDecreasing || $0.claim == .topKLevel }
    out += """

    ## Top-k selection by the estimate

    The use the paper proposes: keep the prompts with the highest PVar. Population: the first
    \(c.population) instances at the reference (the six families cycling; `PVar_labels` with pairs from
    `pi_ref`, the paper's setting), exact PVar from \(significant(pv.first ?? 0, 4)) to \(significant(pv.last ?? 0, 4)) (quartiles
    \(significant(quantile(0.25), 4)), \(significant(quantile(0.5), 4)), \(significant(quantile(0.75), 4))). For each `n`, every prompt gets one U-estimate
    from `n` fresh responses and the top \(c.topCount) (\(percent(c.topFraction, 1))) by estimate are compared with the
    top \(c.topCount) by exact PVar (ties broken by index); \(c.replicates) independent replicates. The plug-in
    selects exactly the same prompts (it is `((n-1)/n) U`).

    | n | agreement (overlap / k) | sd over replicates | exact top-k recovered | PVar captured |
    |---|---|---|---|---|

    """
    for row in s.topK {
        out += "| \(row.sampleSize) | \(significant(row.meanAgreement, 4)) | \(significant(row.agreementVariance.squareRoot(), 4)) | "
            + "\(percent(row.exactRecovery, 1)) | \(percent(row.meanCaptured, 1)) |\n"
    }
    out += """

    "PVar captured" is the exact PVar of the selected prompts over that of the true top \(c.topCount): what
    selection by estimate keeps of what selection by the exact value would keep.

    Claims (one-sided empirical Bernstein bounds of Maurer and Pontil 2009 over the replicates,
    each at probability \(significant(delta, 4))): the expected agreement does not decrease from one `n` to the
    next (mean difference `>= -t`), and at `n = \(sizes.last ?? 0)` it is at least \(significant(c.topKLevelThreshold, 4)) (measured
    0.890 to 0.970 over the populations of run seeds 1-20 and 20261126).

    | claim | n | observed | threshold | t | verdict |
    |---|---|---|---|---|---|

    """
    for ch in topChecks {
        out += "| \(ch.claim.rawValue) | \(ch.label) | \(significant(ch.observed, 4)) | \(significant(ch.theory, 4)) | \(significant(ch.tolerance, 4)) | \(ch.passes ? "holds" : "FAIL") |\n"
    }
    out += "\n![top-k agreement against n](plots/estimation-topk.svg)\n"

    if !failed.isEmpty {
        out += "\n## Failed checks (full precision)\n\n"
        for ch in failed { out += "- \(ch.description)\n" }
    }
    return out
}

/// `Var U` against `n` on log-log axes: the exact formula as a line (every `n` from 2 to the
/// largest), the sample variance of the `M` estimates as points.
func estimationVariancePlot(_ s: EstimationStudy) -> EstimationPlot {
    let nMax = s.configuration.sampleSizes.max() ?? 2
    var series: [EstimationPlot.Series] = []
    for (ci, k) in s.cases.enumerated() {
        let line = (2...nMax).map { EstimationPlot.Point(x: Double($0), y: k.estimand.unbiasedVariance(sampleSize: $0)) }
        let dots = s.runs[ci].map { EstimationPlot.Point(x: Double($0.sampleSize), y: $0.varianceUnbiased) }
        series.append(.init(name: k.name, line: line, points: dots))
    }
    return EstimationPlot(title: "Variance of the unbiased PVar estimator",
                          subtitles: ["line: Hoeffding's exact Var U; points: sample variance of \(s.configuration.estimatesPerSize) estimates",
                                      "seed \(s.seed)"],
                          xLabel: "responses sampled n", yLabel: "Var U", xLog: true, yLog: true,
                          xTicks: s.configuration.sampleSizes.map(Double.init), series: series)
}

/// Top-k agreement, PVar captured and exact recovery against `n` (log x, linear y in [0, 1]).
func estimationTopKPlot(_ s: EstimationStudy) -> EstimationPlot {
    func pts(_ f: (TopKRow) -> Double) -> [EstimationPlot.Point] {
        s.topK.map { EstimationPlot.Point(x: Double($0.sampleSize), y: f($0)) }
    }
    let c = s.configuration
    return EstimationPlot(title: "Top-\(c.topCount) of \(c.population) prompts: selection by estimated PVar",
                          subtitles: ["mean over \(c.replicates) replicates; seed \(s.seed)"],
                          xLabel: "responses sampled n", yLabel: "fraction", xLog: true, yLog: false,
                          xTicks: c.sampleSizes.map(Double.init),
                          series: [.init(name: "agreement (overlap / k)", line: pts(\.meanAgreement), points: pts(\.meanAgreement)),
                                   .init(name: "PVar captured", line: pts(\.meanCaptured), points: pts(\.meanCaptured)),
                                   .init(name: "exact top-k recovered", line: pts(\.exactRecovery), points: pts(\.exactRecovery))],
                          yRange: (0, 1))
}

/// A small line-and-point plot with independent axes (log or linear each), as standalone SVG.
///
/// - Log axes: decade grid and labels (`10^k`) on y; on x the given `xTicks` (e.g. sample sizes).
///   Non-positive or non-finite values on a log axis are skipped, never moved.
/// - Linear y: `yRange` (default: the data range), ticks every fifth of it.
/// - Deterministic: coordinates printed with `%.2f`, series and points in the order given.
struct EstimationPlot {
    struct Point { var x: Double; var y: Double }
    struct Series {
        var name: String
        var line: [Point]
        var points: [Point]
    }

    var title: String
    var subtitles: [String]
    var xLabel: String
    var yLabel: String
    var xLog: Bool
    var yLog: Bool
    var xTicks: [Double]
    var series: [Series]
    var yRange: (Double, Double)? = nil

    static let width = 820.0, height = 560.0
    static let left = 90.0, top = 90.0, plotWidth = 460.0, plotHeight = 380.0

    func usable(_ p: Point) -> Bool {
        p.x.isFinite && p.y.isFinite && (!xLog || p.x > 0) && (!yLog || p.y > 0)
    }

    func svg() -> String {
        let all = series.flatMap { $0.line + $0.points }.filter(usable)
        func tx(_ v: Double) -> Double { xLog ? log10(v) : v }
        func ty(_ v: Double) -> Double { yLog ? log10(v) : v }
        var x0 = all.map { tx($0.x) }.min() ?? 0, x1 = all.map { tx($0.x) }.max() ?? 1
        for t in xTicks where !xLog || t > 0 { x0 = min(x0, tx(t)); x1 = max(x1, tx(t)) }
        var y0: Double, y1: Double
        if let r = yRange {
            (y0, y1) = (ty(r.0), ty(r.1))
        } else {
            y0 = all.map { ty($0.y) }.min() ?? 0
            y1 = all.map { ty($0.y) }.max() ?? 1
            if yLog { y0 = y0.rounded(.down); y1 = y1.rounded(.up) }
        }
        if x1 <= x0 { x1 = x0 + 1 }
        if y1 <= y0 { y1 = y0 + 1 }
        let l = Self.left, t = Self.top, w = Self.plotWidth, h = Self.plotHeight
        func px(_ v: Double) -> Double { l + (tx(v) - x0) / (x1 - x0) * w }
        func py(_ v: Double) -> Double { t + h - (ty(v) - y0) / (y1 - y0) * h }

        var out = """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(fixed(Self.width, 2))" height="\(fixed(Self.height, 2))" \
        viewBox="0 0 \(fixed(Self.width, 2)) \(fixed(Self.height, 2))" font-family="sans-serif" font-size="12">
        <rect width="100%" height="100%" fill="white"/>
        <text x="\(fixed(Self.width / 2, 2))" y="28" text-anchor="middle" font-size="16">\(xmlEscape(title))</text>

        """
        for (i, line) in subtitles.prefix(2).enumerated() {
            out += "<text x=\"\(fixed(Self.width / 2, 2))\" y=\"\(fixed(50 + 17 * Double(i), 2))\" text-anchor=\"middle\" fill=\"#444\">\(xmlEscape(line))</text>\n"
        }
        // Grid, ticks, labels.
        out += "<g stroke=\"#ddd\" stroke-width=\"1\">\n"
        var yTicks: [(Double, String)] = []
        if yLog {
            for k in Int(y0)...Int(y1) { yTicks.append((pow(10, Double(k)), "10^\(k)")) }
        } else {
            for i in 0...5 {
                let v = y0 + (y1 - y0) * Double(i) / 5
                yTicks.append((v, significant(v, 2)))
            }
        }
        for (v, _) in yTicks {
            out += "<line x1=\"\(fixed(l, 2))\" y1=\"\(fixed(py(v), 2))\" x2=\"\(fixed(l + w, 2))\" y2=\"\(fixed(py(v), 2))\"/>\n"
        }
        for v in xTicks where !xLog || v > 0 {
            out += "<line x1=\"\(fixed(px(v), 2))\" y1=\"\(fixed(t, 2))\" x2=\"\(fixed(px(v), 2))\" y2=\"\(fixed(t + h, 2))\"/>\n"
        }
        out += "</g>\n"
        for (v, label) in yTicks {
            if label.hasPrefix("10^") {
                out += "<text x=\"\(fixed(l - 8, 2))\" y=\"\(fixed(py(v) + 4, 2))\" text-anchor=\"end\">10<tspan dy=\"-6\" font-size=\"9\">\(label.dropFirst(3))</tspan></text>\n"
            } else {
                out += "<text x=\"\(fixed(l - 8, 2))\" y=\"\(fixed(py(v) + 4, 2))\" text-anchor=\"end\">\(label)</text>\n"
            }
        }
        for v in xTicks where !xLog || v > 0 {
            out += "<text x=\"\(fixed(px(v), 2))\" y=\"\(fixed(t + h + 18, 2))\" text-anchor=\"middle\">\(significant(v, 6))</text>\n"
        }
        out += "<rect x=\"\(fixed(l, 2))\" y=\"\(fixed(t, 2))\" width=\"\(fixed(w, 2))\" height=\"\(fixed(h, 2))\" fill=\"none\" stroke=\"black\"/>\n"
        out += "<text x=\"\(fixed(l + w / 2, 2))\" y=\"\(fixed(t + h + 44, 2))\" text-anchor=\"middle\" font-size=\"13\">\(xmlEscape(xLabel))</text>\n"
        let yx = l - 58, yy = t + h / 2
        out += "<text x=\"\(fixed(yx, 2))\" y=\"\(fixed(yy, 2))\" text-anchor=\"middle\" font-size=\"13\" transform=\"rotate(-90 \(fixed(yx, 2)) \(fixed(yy, 2)))\">\(xmlEscape(yLabel))</text>\n"

        out += seriesAndLegend(px: px, py: py, legendX: l + w + 20, legendY: t + 10)
        out += "</svg>\n"
        return out
    }

    /// The series (polylines and points) and the legend beside the plot area.
    func seriesAndLegend(px: (Double) -> Double, py: (Double) -> Double, legendX: Double, legendY: Double) -> String {
        var out = ""
        // Series.
        for (i, s) in series.enumerated() {
            let colour = LogLogScatter.colours[i % LogLogScatter.colours.count]
            let line = s.line.filter(usable)
            if line.count >= 2 {
                out += "<polyline fill=\"none\" stroke=\"\(colour)\" stroke-width=\"1.5\" points=\""
                    + line.map { "\(fixed(px($0.x), 2)),\(fixed(py($0.y), 2))" }.joined(separator: " ") + "\"/>\n"
            }
            out += "<g fill=\"\(colour)\">\n"
            for p in s.points where usable(p) {
                out += "<circle cx=\"\(fixed(px(p.x), 2))\" cy=\"\(fixed(py(p.y), 2))\" r=\"3.5\"/>\n"
            }
            out += "</g>\n"
        }
        // Legend.
        var ly = legendY
        let lx = legendX
        for (i, s) in series.enumerated() {
            let colour = LogLogScatter.colours[i % LogLogScatter.colours.count]
            out += "<line x1=\"\(fixed(lx, 2))\" y1=\"\(fixed(ly, 2))\" x2=\"\(fixed(lx + 24, 2))\" y2=\"\(fixed(ly, 2))\" stroke=\"\(colour)\" stroke-width=\"1.5\"/>\n"
            out += "<circle cx=\"\(fixed(lx + 12, 2))\" cy=\"\(fixed(ly, 2))\" r=\"3.5\" fill=\"\(colour)\"/>\n"
            out += "<text x=\"\(fixed(lx + 30, 2))\" y=\"\(fixed(ly + 4, 2))\" font-size=\"11\">\(xmlEscape(s.name))</text>\n"
            ly += 20
        }
        return out
    }
}
