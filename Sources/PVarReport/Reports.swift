// `pvar report`: every report, written deterministically and atomically.

import Foundation
import PVarCore
import PVarSelect
import PVarStudies
import PVarGSL
import PVarVerify

/// One file of a report: its path relative to the report directory and its full contents.
public struct ReportFile: Sendable, Equatable {
    public let path: String
    public let contents: String
    public init(path: String, contents: String) {
        self.path = path
        self.contents = contents
    }
}

/// A report could not be produced or written; the message names the file or the inconsistency.
public struct ReportError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// The command that regenerates the committed reports (`make report` runs it with seed 1 and
/// 10000 instances).
public func regenerationCommand(seed: UInt64, instances: Int) -> String {
    "swift run -c release pvar report --out Reports --seed \(seed) --instances \(instances)"
}

/// The compiler's language version, decided at compile time (deterministic: no shelling out).
public let swiftVersion: String = {
    #if compiler(>=7.0)
    return "Swift 7.0 or later"
    #elseif compiler(>=6.5)
    return "Swift 6.5"
    #elseif compiler(>=6.4)
    return "Swift 6.4"
    #elseif compiler(>=6.3)
    return "Swift 6.3"
    #elseif compiler(>=6.2)
    return "Swift 6.2"
    #elseif compiler(>=6.1)
    return "Swift 6.1"
    #else
    return "Swift 6.0"
    #endif
}()

/// Every report file for one run, in memory (nothing is written).
///
/// Checks B0–B3 on `instances` instances each (run seed `seed`, the six families cycling, the
/// first `plotSampleLimit` kept for the plots) and renders `bounds.md`, `plots/B*.svg`,
/// `witnesses/*.json` and the index `README.md`. The same seed and count give byte-identical
/// contents: no timestamps, commit ids or machine names, and the checks do not depend on the
/// number of threads.
public func reportFiles(seed: UInt64, instances: Int) async throws -> [ReportFile] {
    try await reportFiles(seed: seed, results: reportChecks(seed: seed, instances: instances))
}

/// The bound checks behind `bounds.md` (one shard of them, for batch schedulers; merged with
/// `mergeCheckResults`, the shards give exactly the single run's results).
public func reportChecks(seed: UInt64, instances: Int, threads: Int? = nil, shard: Shard = .whole) async throws -> [CheckResult] {
    guard instances >= 1 else {
        throw ReportError("instances must be >= 1, got \(instances)")
    }
    var results: [CheckResult] = []
    for id in BoundID.allCases {
        results.append(await checkBound(id, instances: instances, runSeed: seed, sampleLimit: plotSampleLimit,
                                        threads: threads, shard: shard))
    }
    return results
}

/// Every report file, from bound checks already run (`reportChecks`, or merged shards).
public func reportFiles(seed: UInt64, results: [CheckResult]) async throws -> [ReportFile] {
    guard results.map(\.bound) == BoundID.allCases, results.allSatisfy({ $0.shard == .whole && $0.runSeed == seed }) else {
        throw ReportError("the reports need the complete checks of B0-B3 for seed \(seed) (all shards merged)")
    }
    let instances = results[0].instances
    let bounds = try BoundsReport(seed: seed, instances: instances, results: results)
    let files = bounds.files() + (await tightnessReportFiles(seed: seed))
        + [ReportFile(path: "edge-cases.md", contents: edgeCaseReport())] + sequenceReportFiles(seed: seed)
        + estimationReportFiles(seed: seed) + (await selectionReportFiles(seed: seed))
        + (try await conjectureGalleryFiles(seed: seed))
    return [ReportFile(path: "README.md", contents: index(files, seed: seed, instances: instances))] + files
}

/// The directory's `README.md`: one line per report file.
func index(_ files: [ReportFile], seed: UInt64, instances: Int) -> String {
    func describe(_ path: String) -> String {
        let name = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
        if path == "bounds.md" {
            return "B0–B3 checked on \(instances) GSL-drawn instances each (seed \(seed)): worst ratios, witnesses, plots; C1"
        }
        if path == "selection.md" {
            return "the paper's experiment in a synthetic world: PVar-based prompt selection, exact DPO training, held-out reward and win rate (20 seeds, 95% CIs)"
        }
        if path.hasPrefix("plots/selection") { return "\(name): plot of the selection report" }
        if path == "estimation.md" {
            return "estimating PVar from n sampled responses: unbiased U-statistic, plug-in, exact variance, concentration, top-k agreement"
        }
        if path.hasPrefix("plots/estimation") { return "\(name): plot of the estimation report" }
        if path == "conjectures.md" {
            return "a gallery of claims a reader of the paper might guess, each with its certified verdict, shrunk counterexample or fitted constant (`pvar conjecture`)"
        }
        if path == "sequences.md" { return "sequence-level policies: how G and D grow with the length T" }
        if path == "plots/sequence-growth.svg" { return "G, D and the gradient norm against T (sequence policies)" }
        if path == "edge-cases.md" {
            return "the edge-case catalogue (K = 1, identical features, one-hot, beta limits, logits +-700, tiny references, equal rewards, zero pair weights)"
        }
        if path == "tightness.md" {
            return "how close the worst case comes to each bound: searches, certified witnesses, sharpness, exponent fits"
        }
        if path.hasPrefix("plots/tightness") { return "\(name): witness-family plot of the tightness report" }
        if path.hasPrefix("witnesses/tightness") { return "\(name): the best witness of the tightness search" }
        if path.hasPrefix("plots/") { return "\(name): log-log scatter of ||grad L|| against the bound" }
        if name == "C1" { return "C1: the counterexample instance (PVar_policy = 0, non-zero gradient)" }
        return "\(name): the worst instance found (input of `pvar evaluate`)"
    }
    var out = "# Reports\n\nGenerated by `\(regenerationCommand(seed: seed, instances: instances))`; "
        + "the same command gives byte-identical files.\n\n"
    for file in files {
        out += "- [\(file.path)](\(file.path)): \(describe(file.path))\n"
    }
    out += "- [performance.md](performance.md): speed against a C loop and NumPy; written by `make bench` "
        + "(timings are measurements, so not by this command)\n"
    out += "- [robustness.md](robustness.md): fuzzing, sanitizers, planted defects and fault tests; written by "
        + "`make robustness` (from those tools' logs, so not by this command)\n"
    out += "- [explorer.png](explorer.png): the bound explorer (`pvar serve`) in headless Chromium; written by the "
        + "browser test with `make screenshot` (a picture of a browser, so not by this command)\n"
    return out
}

/// Writes every report into `directory` (created if missing), e.g. for
/// `pvar report --out Reports --seed 1 --instances 10000`.
///
/// All contents are computed before anything is written, so a failed check or an inconsistent
/// witness leaves the directory untouched. Each file is written to a temporary name in its own
/// directory and then renamed over the target, so no reader ever sees a partial file.
///
/// - Throws: `ReportError` (inconsistent witness, invalid `instances`, a directory that cannot be
///   created), `FileWriteError` (a file that cannot be written), or `InputError` (a witness the
///   library refuses to evaluate).
public func writeReports(directory: String, seed: UInt64, instances: Int) async throws {
    try await writeFiles(reportFiles(seed: seed, instances: instances), to: directory)
}

/// Writes every report from bound checks already run (merged shards).
public func writeReports(directory: String, seed: UInt64, results: [CheckResult]) async throws {
    try await writeFiles(reportFiles(seed: seed, results: results), to: directory)
}

func writeFiles(_ files: [ReportFile], to directory: String) throws {
    let root = URL(fileURLWithPath: directory, isDirectory: true)
    for file in files {
        let target = root.appendingPathComponent(file.path)
        let folder = target.deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw ReportError("cannot create the directory '\(folder.path)' (\(error.localizedDescription)); give a writable path")
        }
        try AtomicFile.write(file.contents, to: target.path)
    }
}
