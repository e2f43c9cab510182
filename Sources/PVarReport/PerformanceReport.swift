// `performance.md`: measured seconds per evaluation against K, the reference ratios, threads.

import Foundation
import PVarCore
import PVarGSL

/// One measured shape.
public struct BenchTiming: Sendable {
    public let responses: Int
    public let dimension: Int
    public let secondsPerEval: Double
    public init(responses: Int, dimension: Int, secondsPerEval: Double) {
        self.responses = responses
        self.dimension = dimension
        self.secondsPerEval = secondsPerEval
    }
}

/// The performance report (Markdown) and its plot (SVG, to be written as `plots/performance.svg`).
/// Timings are measurements, so this report is written by `make bench`, not by the deterministic
/// `make report`.
public func performanceReport(timings: [BenchTiming], throughput: [(threads: Int, perSecond: Double)],
                              numpySeconds: Double?, cSeconds: Double?, cSecondsNoLoss: Double?,
                              command: String) -> (markdown: String, svg: String) {
    func g(_ x: Double) -> String { String(format: "%.4g", x) }
    let fitPoints = timings.filter { $0.responses >= 256 }
    let fit = fitLine(x: fitPoints.map { log(Double($0.responses)) }, y: fitPoints.map { log($0.secondsPerEval) })
    let plot = LogLogScatter(
        title: "pvar: seconds per exact evaluation against K",
        subtitles: fit.map { ["fitted slope (K >= 256) \(g($0.slope)) +- \(g($0.slopeStandardError)); O(K^2) is slope 2"] } ?? [],
        xLabel: "responses K", yLabel: "seconds per evaluation",
        series: Dictionary(grouping: timings, by: \.dimension).sorted { $0.key < $1.key }.map { d, ts in
            .init(name: "d = \(d)", points: ts.map { .init(x: Double($0.responses), y: $0.secondsPerEval) })
        },
        identityLine: false)
    var md = "# Performance\n\nMeasured by `\(command)` on this machine kind (2 cores); timings vary by a few per cent "
        + "between runs. Each line is the median of repeated exact evaluations (all quantities: loss, gradient, both "
        + "PVars, disagreement, D, G, the bounds) of one seeded instance (`pvar bench`).\n\n"
    md += "| K | d | seconds/eval | evals/second |\n|---|---|---|---|\n"
    for t in timings { md += "| \(t.responses) | \(t.dimension) | \(g(t.secondsPerEval)) | \(g(1 / t.secondsPerEval)) |\n" }
    if let f = fit {
        md += "\nCost against K (log-log least squares over K >= 256, GSL `gsl_fit_linear`): slope \(g(f.slope)) "
            + "(standard error \(g(f.slopeStandardError))); the pair kernel is O(K^2), the rest O(K d).\n"
    }
    md += "\n![seconds per evaluation against K](plots/performance.svg)\n"
    if let largest = timings.max(by: { $0.responses * $0.dimension < $1.responses * $1.dimension }) {
        md += "\n## Reference points at K = \(largest.responses), d = \(largest.dimension), measured in the same run\n\n"
        md += "| implementation | seconds/eval | pvar's speed-up |\n|---|---|---|\n"
        md += "| pvar (`Evaluation`; for K >= 1024 its pair rows run as 8 fixed blocks on all cores, here 2) | \(g(largest.secondsPerEval)) | 1 |\n"
        if let n = numpySeconds { md += "| NumPy, vectorised K x K (`Tests/Bench/numpy_eval.py`, one thread as measured here) | \(g(n)) | \(g(n / largest.secondsPerEval))x |\n" }
        if let c = cSeconds { md += "| scalar C pair loop with the loss (`Tests/Bench/pair_loop.c`, `cc -O2`, one core) | \(g(c)) | \(g(c / largest.secondsPerEval))x |\n" }
        if let c = cSecondsNoLoss { md += "| scalar C pair loop without the loss | \(g(c)) | \(g(c / largest.secondsPerEval))x |\n" }
        md += "\nThe C loop computes `p = a_i/(a_i + a_j)` and `p - 1/2`, `p - q` as plain differences; pvar keeps the "
            + "centred forms (series near 1/2, the residual as a product) that make every output agree with a 60-digit "
            + "evaluation to about 1e-14, and accumulates the residual row sums with compensation.\n"
    }
    if !throughput.isEmpty {
        md += "\n## Sweeps (distinct instances, K = 256, d = 16)\n\n| threads | instances/second |\n|---|---|\n"
        for t in throughput { md += "| \(t.threads) | \(g(t.perSecond)) |\n" }
        md += "\nSweeps (`pvar check`, `pvar report`, `pvar tightness` restarts) run their chunks on all cores and reduce "
            + "them in index order, so their results are byte-identical for any `--threads` (suite `Sharding`).\n"
    }
    return (md, plot.svg())
}
