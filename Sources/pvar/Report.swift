// `pvar report`: the main job.

import ArgumentParser
import Foundation
import PVarReport

struct Report: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write the Markdown reports and SVG plots (deterministic for a given seed).")

    @Option(help: "Output directory.") var out: String = "Reports"
    @Option(help: "Run seed.") var seed: UInt64 = 1
    @Option(help: "Instances per statement.") var instances: Int = 10_000

    func validate() throws {
        guard instances >= 1 else { throw ValidationError("--instances must be >= 1, got \(instances)") }
        guard !out.isEmpty else { throw ValidationError("--out must name a directory, got an empty path") }
    }

    func run() async throws {
        do {
            try await writeReports(directory: out, seed: seed, instances: instances)
        } catch {
            fail("--out: \((error as? CustomStringConvertible)?.description ?? error.localizedDescription)")
        }
    }
}
