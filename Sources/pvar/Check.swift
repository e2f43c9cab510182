// `pvar check`: randomized checks of B0-B3.

import ArgumentParser
import Foundation
import PVarCore
import PVarSelect
import PVarStudies
import PVarGSL
import PVarReport
import PVarVerify

struct Check: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check B0-B3 on random GSL-drawn instances; exit 1 on any violation certified in ball arithmetic.")

    @Option(help: "Instances per statement.") var instances: Int = 10_000
    @Option(help: "Run seed (every instance's own seed derives from it).") var seed: UInt64 = 1
    @Option(help: "Statements to check (repeatable).") var bound: [BoundID] = BoundID.allCases
    @Option(help: "Restrict to one family (repeatable).") var family: [Family] = Family.allCases
    @OptionGroup var shape: ShapeOptions
    @OptionGroup var parallel: ParallelOptions
    @Option(help: "Also write the results as JSON to this file (input of `pvar merge`).") var save: String?

    func validate() throws {
        guard instances >= 1 else { throw ValidationError("--instances must be >= 1, got \(instances)") }
    }

    func run() async throws {
        var rows: [CheckResult] = []
        for b in bound {
            rows.append(await checkBound(b, instances: instances, runSeed: seed, limits: shape.limits, families: family,
                                         threads: parallel.threads, shard: try parallel.shardValue()))
        }
        if let path = save { try writeAtomically(CheckRun(results: rows).json(), to: path, option: "--save") }
        try reportCheck(rows, seed: seed, limits: shape.limits)
    }
}

/// Prints the check table and the candidates; exits 1 on a certified violation.
func reportCheck(_ rows: [CheckResult], seed: UInt64, limits: GeneratorLimits) throws {
    print(checkTable(rows), terminator: "")
    let candidates = rows.flatMap { r in r.candidates.map { (r, $0) } }
    for (r, v) in candidates.prefix(10) {
        let verdict = v.certified?.rawValue ?? "undecided"
        print("\(verdict == "violated" ? "violation" : "uncertified candidate") of \(r.bound.rawValue): ratio \(v.ratio) "
              + "in doubles, certified \(verdict); replay: "
              + replayCommand(seed: seed, regime: r.regime, family: v.family, index: v.index, limits: limits)
              + " --certify")
    }
    if candidates.contains(where: { $0.1.certified == .violated }) { throw ExitCode(1) }
}

/// `--threads` and `--shard`, shared by the sweeping commands.
struct ParallelOptions: ParsableArguments {
    @Option(help: "Tasks run at once (default: all cores); results do not depend on it.") var threads: Int?
    @Option(help: "Run only part i of n of the instances (i/n, 0 <= i < n), for batch schedulers; see `pvar merge`.")
    var shard: String = "0/1"

    func validate() throws {
        if let t = threads, t < 1 { throw ValidationError("--threads must be >= 1, got \(t)") }
        _ = try shardValue()
    }

    func shardValue() throws -> Shard {
        guard let s = Shard(parsing: shard) else {
            throw ValidationError("--shard must be i/n with 0 <= i < n, got '\(shard)'")
        }
        return s
    }
}

/// Fails (one line, naming `option`) unless `path` is absent or a regular file: the tool never
/// replaces a directory, a device or anything else it did not write.
func requireWritableTarget(_ path: String, option: String) {
    var info = stat()
    if lstat(path, &info) == 0 && (info.st_mode & S_IFMT) != S_IFREG {
        fail("\(option): '\(path)' exists and is not a regular file; give a file path")
    }
}

/// Writes `text` to `path` through a temporary file in the same directory and `rename(2)`, which
/// replaces the target atomically (readers see the old file or the new one, never a part).
func writeAtomically(_ text: String, to path: String, option: String) throws {
    requireWritableTarget(path, option: option)
    let url = URL(fileURLWithPath: path)
    let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).tmp")
    do {
        try Data(text.utf8).write(to: temporary)
    } catch {
        fail("\(option): cannot write '\(path)' (\(error.localizedDescription)); give a writable path")
    }
    guard rename(temporary.path, url.path) == 0 else {
        let reason = String(cString: strerror(errno))
        unlink(temporary.path)
        fail("\(option): cannot write '\(path)' (\(reason)); give a writable path")
    }
}

struct Merge: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Merge the shard outputs of `pvar check --save` or `pvar report --shard` into the single-run result.")

    @Argument(help: "Shard files (JSON).") var files: [String]
    @Option(help: "Write the merged reports into this directory (shards of `pvar report`).") var reportOut: String?
    @Option(help: "Also write the merged results as JSON to this file.") var save: String?

    func validate() throws {
        guard !files.isEmpty else { throw ValidationError("give at least one shard file") }
        if let o = reportOut, o.isEmpty { throw ValidationError("--report-out must name a directory, got an empty path") }
    }

    func run() async throws {
        let runs = try files.map { path -> CheckRun in
            guard let data = FileManager.default.contents(atPath: path) else { fail("\(path): cannot read the file; check the path") }
            do { return try CheckRun.parse(data, file: path) } catch { fail("\(error)") }
        }
        let merged: CheckRun
        do { merged = try CheckRun.merge(runs) } catch { fail("\(error)") }
        if let path = save { try writeAtomically(merged.json(), to: path, option: "--save") }
        guard let seed = merged.results.first?.runSeed else { fail("the shard files hold no results") }
        if let out = reportOut {
            do { try await writeReports(directory: out, seed: seed, results: merged.results) } catch { fail("--report-out: \(error)") }
            return
        }
        try reportCheck(merged.results, seed: seed, limits: GeneratorLimits())
    }
}
