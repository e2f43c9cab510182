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
    @OptionGroup var threads: ThreadOptions
    @OptionGroup var shard: ShardOptions
    @Option(help: "Also write the results as JSON to this file (input of `pvar merge`).") var save: String?

    func validate() throws {
        guard instances >= 1 else { throw ValidationError("--instances must be >= 1, got \(instances)") }
    }

    func run() async throws {
        var rows: [CheckResult] = []
        for b in bound {
            rows.append(await checkBound(b, instances: instances, runSeed: seed, limits: shape.limits, families: family,
                                         threads: threads.threads, shard: shard.shard))
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

/// `--threads`, shared by the commands that run work in parallel.
struct ThreadOptions: ParsableArguments {
    @Option(help: "Tasks run at once (default: all cores); results do not depend on it.") var threads: Int?

    func validate() throws {
        if let t = threads, t < 1 { throw ValidationError("--threads must be >= 1, got \(t)") }
    }
}

/// `--shard i/n`, shared by the sweeping commands.
struct ShardOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Run only part i of n of the instances (i/n, 0 <= i < n), for batch schedulers; see `pvar merge`. "
                               + "(default: 0/1, all of them)",
                               valueName: "i/n"),
            transform: Shard.parse)
    var shard: Shard = .whole
}

/// Writes `text` to `path` atomically (`AtomicFile`); a failure is one line naming `option`.
func writeAtomically(_ text: String, to path: String, option: String) throws(CLIError) {
    do { try AtomicFile.write(text, to: path) } catch { throw CLIError(option, error) }
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
            guard let data = FileManager.default.contents(atPath: path) else { throw CLIError("\(path): cannot read the file; check the path") }
            do { return try CheckRun.parse(data, file: path) } catch { throw CLIError("\(error)") }
        }
        let merged: CheckRun
        do { merged = try CheckRun.merge(runs) } catch { throw CLIError("\(error)") }
        if let path = save { try writeAtomically(merged.json(), to: path, option: "--save") }
        guard let seed = merged.results.first?.runSeed else { throw CLIError("the shard files hold no results") }
        if let out = reportOut {
            do { try await writeReports(directory: out, seed: seed, results: merged.results) } catch { throw CLIError("--report-out", error) }
            return
        }
        try reportCheck(merged.results, seed: seed, limits: GeneratorLimits())
    }
}
