// `pvar report`: the main job.

import ArgumentParser
import Foundation
import PVarReport
import PVarStudies
import PVarVerify

struct Report: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write the Markdown reports and SVG plots (deterministic for a given seed).")

    @Option(help: "Output directory.") var out: String = "Reports"
    @Option(help: "Run seed.") var seed: UInt64 = 1
    @Option(help: "Instances per statement.") var instances: Int = 10_000
    @OptionGroup var threads: ThreadOptions
    @OptionGroup var shard: ShardOptions

    func validate() throws {
        guard instances >= 1 else { throw ValidationError("--instances must be >= 1, got \(instances)") }
        guard !out.isEmpty else { throw ValidationError("--out must name a directory, got an empty path") }
    }

    func run() async throws {
        do {
            if shard.shard == .whole {
                try await writeReports(directory: out, seed: seed,
                                       results: reportChecks(seed: seed, instances: instances, threads: threads.threads))
            } else {
                // One part of the checks: saved for `pvar merge --report-out DIR shard-*.json`.
                let part = shard.shard
                let results = try await reportChecks(seed: seed, instances: instances, threads: threads.threads, shard: part)
                try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
                let path = (out as NSString).appendingPathComponent("shard-\(part.index)-of-\(part.count).json")
                try AtomicFile.write(CheckRun(results: results).json(), to: path)
                print(path)
            }
        } catch let error as FileWriteError {
            throw CLIError("--out", error)
        } catch let error as ReportError {
            throw CLIError("--out", error)
        } catch let error as CocoaError {
            throw CLIError("--out", error)
        } catch {
            // Not about the output directory (a check or a witness the library refused): as it is.
            throw CLIError("\(error)")
        }
    }
}
