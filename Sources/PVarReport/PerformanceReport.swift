// `performance.md`: measured seconds per evaluation against K, the reference ratios, threads.

import Foundation
import PVarCore
import PVarSelect
import PVarStudies
import PVarGSL

/// One measured shape: seconds per evaluation on all cores and, where measured (`make bench`
/// runs the same sweep pinned to one core with `taskset -c 0`), on one core.
public struct BenchTiming: Sendable {
    public let responses: Int
    public let dimension: Int
    public let secondsPerEval: Double
    public let singleCoreSecondsPerEval: Double?
    public init(responses: Int, dimension: Int, secondsPerEval: Double, singleCoreSecondsPerEval: Double? = nil) {
        self.responses = responses
        self.dimension = dimension
        self.secondsPerEval = secondsPerEval
        self.singleCoreSecondsPerEval = singleCoreSecondsPerEval
    }
}

/// What `make bench` measured besides pvar's own sweep: the reference implementations at the
/// largest shape and pvar on each instruction set its kernel is built for.
public struct BenchReferences: Sendable {
    public var numpySeconds: Double?
    public var cSeconds: Double?
    public var cSecondsNoLoss: Double?
    /// (instruction set, seconds/eval on all cores) at the largest shape; the first is the default.
    public var instructionSets: [(name: String, seconds: Double)]
    public var defaultInstructionSet: String
    public init(numpySeconds: Double?, cSeconds: Double?, cSecondsNoLoss: Double?,
                instructionSets: [(name: String, seconds: Double)], defaultInstructionSet: String) {
        self.numpySeconds = numpySeconds
        self.cSeconds = cSeconds
        self.cSecondsNoLoss = cSecondsNoLoss
        self.instructionSets = instructionSets
        self.defaultInstructionSet = defaultInstructionSet
    }
}

/// The largest K of the reference shape (the instruction-set comparison and the reference table
/// with NumPy and the C loop): above it NumPy's K x K matrices and the forced generic kernel
/// (about 3 times slower) take tens of seconds per evaluation.
public let referenceShapeLimit = 4096

/// The shape the reference points are measured at: the largest with K <= `referenceShapeLimit`.
public func referenceShape(_ timings: [BenchTiming]) -> BenchTiming? {
    timings.filter { $0.responses <= referenceShapeLimit }.max { $0.responses * $0.dimension < $1.responses * $1.dimension }
}

/// End-to-end timings at one large K (`make bench`): `pvar evaluate --input FILE --no-noise` on
/// the bench family's JSON file (reading and parsing included) on both cores and pinned to one,
/// and the C loop and NumPy on the same shape where measured (nil: not measured).
public struct LargeKTiming: Sendable, Equatable {
    public let responses: Int
    public let evaluateSeconds: Double
    public let evaluateOneCoreSeconds: Double?
    public let cSeconds: Double?
    public let cSecondsNoLoss: Double?
    public let numpySeconds: Double?
}

/// The columns of the `--large-table` file, in order (tab-separated; "-" = not measured).
public let largeKTableColumns = ["K", "evaluate", "evaluate_one_core", "c_loop", "c_loop_no_loss", "numpy"]

/// A malformed `--large-table` file: the line and column at fault.
public struct LargeKTableError: Error, CustomStringConvertible {
    public let description: String
}

/// Parses the `--large-table` file: a header line equal to `largeKTableColumns`, then one line per K.
public func parseLargeKTable(_ text: String) throws(LargeKTableError) -> [LargeKTiming] {
    let lines = text.split(separator: "\n", omittingEmptySubsequences: true).map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
    guard let header = lines.first, header == largeKTableColumns else {
        throw LargeKTableError(description: "line 1: expected the header \(largeKTableColumns.joined(separator: " "))")
    }
    return try lines.dropFirst().enumerated().map { (n, fields) throws(LargeKTableError) in
        let line = n + 2
        guard fields.count == largeKTableColumns.count else {
            throw LargeKTableError(description: "line \(line): expected \(largeKTableColumns.count) tab-separated fields, got \(fields.count)")
        }
        func seconds(_ c: Int) throws(LargeKTableError) -> Double? {
            if fields[c] == "-" && c >= 2 { return nil }
            guard let x = Double(fields[c]), x > 0, x.isFinite else {
                throw LargeKTableError(description: "line \(line): \(largeKTableColumns[c]) must be a positive number of seconds\(c >= 2 ? " or -" : ""), got '\(fields[c])'")
            }
            return x
        }
        guard let k = Int(fields[0]), k >= 2 else {
            throw LargeKTableError(description: "line \(line): K must be an integer >= 2, got '\(fields[0])'")
        }
        return LargeKTiming(responses: k, evaluateSeconds: try seconds(1)!, evaluateOneCoreSeconds: try seconds(2),
                            cSeconds: try seconds(3), cSecondsNoLoss: try seconds(4), numpySeconds: try seconds(5))
    }
}

/// The cost model `t = a K^2 + c K` (d fixed) fitted to one-core (else all-core) timings with
/// 256 <= K <= `referenceShapeLimit` (`t / K = a K + c`, GSL `gsl_fit_linear`): its coefficients,
/// or nil with fewer than two such shapes.
public func benchCostModel(_ timings: [BenchTiming]) -> (a: Double, c: Double, oneCore: Bool)? {
    let oneCore = timings.allSatisfy { $0.singleCoreSecondsPerEval != nil }
    let points = timings.filter { $0.responses >= 256 && $0.responses <= referenceShapeLimit }
        .map { (Double($0.responses), oneCore ? $0.singleCoreSecondsPerEval! : $0.secondsPerEval) }
    guard points.count >= 2, let fit = fitLine(x: points.map(\.0), y: points.map { $0.1 / $0.0 }) else { return nil }
    return (fit.slope, fit.intercept, oneCore)
}

/// The performance report (Markdown) and its plot (SVG, to be written as `plots/performance.svg`).
/// Timings are measurements, so this report is written by `make bench`, not by the deterministic
/// `make report`.
public func performanceReport(timings: [BenchTiming], throughput: [(threads: Int, perSecond: Double)],
                              references r: BenchReferences, large: [LargeKTiming] = [],
                              command: String) -> (markdown: String, svg: String) {
    func slope(_ ts: [(Int, Double)]) -> (slope: Double, slopeStandardError: Double)? {
        let points = ts.filter { $0.0 >= 256 }
        guard let f = fitLine(x: points.map { log(Double($0.0)) }, y: points.map { log($0.1) }) else { return nil }
        return (f.slope, f.slopeStandardError)
    }
    let allCores = slope(timings.map { ($0.responses, $0.secondsPerEval) })
    let oneCoreTimings = timings.compactMap { t in t.singleCoreSecondsPerEval.map { (t.responses, $0) } }
    let oneCore = oneCoreTimings.count == timings.count ? slope(oneCoreTimings) : nil
    var subtitles: [String] = []
    if let f = oneCore { subtitles.append("fitted slope (K >= 256): one core \(significant(f.slope, 4)), all cores \(allCores.map { significant($0.slope, 4) } ?? "-"); O(K^2) is slope 2") }
    var series: [LogLogScatter.Series] = Dictionary(grouping: timings, by: \.dimension).sorted { $0.key < $1.key }.map { d, ts in
        .init(name: "all cores, d = \(d)", points: ts.map { .init(x: Double($0.responses), y: $0.secondsPerEval) })
    }
    if oneCore != nil {
        series += Dictionary(grouping: timings, by: \.dimension).sorted { $0.key < $1.key }.map { d, ts in
            .init(name: "one core, d = \(d)", points: ts.map { .init(x: Double($0.responses), y: $0.singleCoreSecondsPerEval!) })
        }
    }
    let plot = LogLogScatter(title: "pvar: seconds per exact evaluation against K", subtitles: subtitles,
                             xLabel: "responses K", yLabel: "seconds per evaluation", series: series, identityLine: false)
    var md = "# Performance\n\nMeasured by `\(command)` on this machine kind (2 cores); timings vary by a few per cent "
        + "between runs. Each line is the median of repeated exact evaluations (all quantities: loss, gradient, both "
        + "PVars, disagreement, D, G, the bounds) of one seeded instance (`pvar bench`). \"One core\" is the same sweep "
        + "pinned to one core (`taskset -c 0`). The pair kernel ran on \(r.defaultInstructionSet), the best instruction "
        + "set of this CPU (chosen at run time; every instruction set gives bit-identical results, suite "
        + "`KernelInstructionSets`).\n\n"
    md += "| K | d | seconds/eval (all cores) | seconds/eval (one core) | evals/second (all cores) |\n|---|---|---|---|---|\n"
    for t in timings {
        md += "| \(t.responses) | \(t.dimension) | \(significant(t.secondsPerEval, 4)) | \(t.singleCoreSecondsPerEval.map { significant($0, 4) } ?? "-") | \(significant(1 / t.secondsPerEval, 4)) |\n"
    }
    if let f = oneCore {
        md += "\nCost against K (log-log least squares over K >= 256, GSL `gsl_fit_linear`): one core slope \(significant(f.slope, 4)) "
            + "(standard error \(significant(f.slopeStandardError, 4))): the O(K^2) pair kernel dominates, the O(K d) rest shows at small K. "
        if let a = allCores {
            md += "All cores: slope \(significant(a.slope, 4)) (standard error \(significant(a.slopeStandardError, 4))), lower because the pair rows "
                + "run on both cores only from K = 1024 on.\n"
        }
    } else if let a = allCores {
        md += "\nCost against K (log-log least squares over K >= 256, GSL `gsl_fit_linear`): slope \(significant(a.slope, 4)) "
            + "(standard error \(significant(a.slopeStandardError, 4))).\n"
    }
    // Cost model t = a K^2 + c K (d fixed), fitted up to the reference shape, predicting beyond.
    if let model = benchCostModel(timings), let reference = referenceShape(timings) {
        let k = Double(reference.responses)
        let measured = model.oneCore ? reference.singleCoreSecondsPerEval! : reference.secondsPerEval
        md += "\nCost model (\(model.oneCore ? "one core" : "all cores"), fitted on 256 <= K <= \(referenceShapeLimit)): seconds/eval divided by K "
            + "is a line in K, `t/K = a K + c` (GSL `gsl_fit_linear`): a = \(significant(model.a, 4)) s (the pair terms, a K^2 in all: "
            + "\(significant(2 * model.a * 1e9, 4)) ns per unordered pair), c = \(significant(model.c, 4)) s per response (the O(K d) stages at "
            + "d = \(timings.first?.dimension ?? 0)); at K = \(reference.responses) it gives \(significant(model.a * k * k, 4)) s for the K^2 part "
            + "and \(significant(model.c * k, 4)) s for the rest (measured \(significant(measured, 4)) s in all).\n"
        let beyond = timings.filter { $0.responses > referenceShapeLimit }
        if !beyond.isEmpty {
            md += "\nBeyond the fit, the model's prediction next to the measurement (the same instances, in-process, no file):\n\n"
                + "| K | predicted (\(model.oneCore ? "one core" : "all cores")) | measured | measured / predicted |\n|---|---|---|---|\n"
            for t in beyond {
                let kk = Double(t.responses), predicted = model.a * kk * kk + model.c * kk
                let m = model.oneCore ? t.singleCoreSecondsPerEval! : t.secondsPerEval
                md += "| \(t.responses) | \(significant(predicted, 4)) s | \(significant(m, 4)) s | \(significant(m / predicted, 3)) |\n"
            }
        }
    }
    md += "\n![seconds per evaluation against K](plots/performance.svg)\n"
    if let largest = referenceShape(timings) {
        let all = largest.secondsPerEval, one = largest.singleCoreSecondsPerEval
        md += "\n## Reference points at K = \(largest.responses), d = \(largest.dimension), measured in the same run\n\n"
        md += "| implementation | seconds/eval | NumPy / this | this / C loop with the loss |\n|---|---|---|---|\n"
        func row(_ name: String, _ t: Double) -> String {
            "| \(name) | \(significant(t, 4)) | \(r.numpySeconds.map { significant($0 / t, 4) + "x" } ?? "-") | \(r.cSeconds.map { significant(t / $0, 4) } ?? "-") |\n"
        }
        md += row("pvar, all cores (2; pair rows in 8 fixed blocks from K = 1024)", all)
        if let one { md += row("pvar, one core", one) }
        for (name, t) in r.instructionSets.dropFirst() { md += row("pvar, all cores, kernel forced to \(name)", t) }
        if let n = r.numpySeconds { md += row("NumPy, vectorised K x K (`Tests/Bench/numpy_eval.py`, one thread)", n) }
        if let c = r.cSeconds { md += row("scalar C pair loop with the loss (`Tests/Bench/pair_loop.c`, `cc -O3 -march=native`, one core)", c) }
        if let c = r.cSecondsNoLoss { md += row("scalar C pair loop without the loss (one core)", c) }
        md += "\nThe C loop computes `p = a_i/(a_i + a_j)` and `p - 1/2`, `p - q` as plain differences and the loss with "
            + "two `log` calls per pair; pvar keeps the centred forms (series near 1/2, the residual as a product) that "
            + "make every output agree with a 60-digit evaluation to about 1e-14, accumulates the residual row sums with "
            + "compensation, and evaluates its pair terms on 8 vector lanes without a library call per pair. Without "
            + "AVX-512 (the forced rows above) expect the AVX2 or generic figure.\n"
    }
    if !large.isEmpty {
        let d = timings.first?.dimension ?? 64
        md += "\n## Large K, end to end (d = \(d))\n\n`pvar evaluate --input FILE --no-noise` on the bench family's JSON file "
            + "(`Tests/Bench/large_instance.py`, the same distribution as above), reading and parsing included, every output but the "
            + "O(K^2 d) noise; wall seconds, median of the runs `make bench` made. The C loop and NumPy on the same shape "
            + "(their own random instance, no file), NumPy only where its K x K matrices fit in memory.\n\n"
            + "| K | pvar evaluate, all cores | pvar evaluate, one core | C loop with the loss | C loop without the loss | NumPy | pvar one core / C loop without the loss |\n"
            + "|---|---|---|---|---|---|---|\n"
        func cell(_ x: Double?) -> String { x.map { significant($0, 4) + " s" } ?? "-" }
        for t in large {
            let ratio = t.evaluateOneCoreSeconds.flatMap { one in t.cSecondsNoLoss.map { significant(one / $0, 3) } } ?? "-"
            md += "| \(t.responses) | \(cell(t.evaluateSeconds)) | \(cell(t.evaluateOneCoreSeconds)) | \(cell(t.cSeconds)) | "
                + "\(cell(t.cSecondsNoLoss)) | \(cell(t.numpySeconds)) | \(ratio) |\n"
        }
    }
    if !throughput.isEmpty {
        md += "\n## Sweeps (distinct instances, K = 256, d = 16)\n\n| threads | instances/second |\n|---|---|\n"
        for t in throughput { md += "| \(t.threads) | \(significant(t.perSecond, 4)) |\n" }
        md += "\nSweeps (`pvar check`, `pvar report`, `pvar tightness` restarts) run their chunks on all cores and reduce "
            + "them in index order, so their results are byte-identical for any `--threads` (suite `Sharding`).\n"
    }
    return (md, plot.svg())
}
