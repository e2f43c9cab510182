// Every subcommand's --help text, pinned: a changed flag, default or help line shows up as a diff.

import Foundation
import Testing

/// The commands whose help is pinned: the root and every subcommand.
let helpCommands: [[String]] = [[]] + ["evaluate", "generate", "check", "tightness", "conjecture", "report", "merge", "bench",
                                       "flatten", "select", "simulate", "serve"].map { [$0] }

/// `Tests/PVarCLITests/Help/<name>.txt`, `pvar.txt` for the root.
func helpSnapshot(_ command: [String]) -> URL {
    packageRoot.appendingPathComponent("Tests/PVarCLITests/Help/\((["pvar"] + command).joined(separator: "-")).txt")
}

@Suite("HelpSnapshots")
struct HelpSnapshotTests {
    /// `--help` at a fixed width (argument-parser wraps to `COLUMNS`). With `PVAR_UPDATE_SNAPSHOTS=1`
    /// the files are rewritten from the binary instead (then review the diff and commit it).
    @Test("pvar [subcommand] --help prints exactly the pinned text", arguments: helpCommands)
    func helpMatchesSnapshot(command: [String]) throws {
        let r = try pvar(command + ["--help"], environment: ["COLUMNS": "100"])
        #expect(r.status == 0, "\(command): status \(r.status), stderr \(r.stderr)")
        let file = helpSnapshot(command)
        if ProcessInfo.processInfo.environment["PVAR_UPDATE_SNAPSHOTS"] == "1" && r.status == 0 {
            try r.stdout.write(to: file, atomically: true, encoding: .utf8)
            return
        }
        let pinned = try String(contentsOf: file, encoding: .utf8)
        let name = (["pvar"] + command).joined(separator: " ")
        #expect(r.stdout == pinned, "\(name) --help differs from \(file.lastPathComponent); rerun with PVAR_UPDATE_SNAPSHOTS=1 and review the diff")
    }

    @Test("every subcommand of the root help has a pinned snapshot")
    func everySubcommandIsPinned() throws {
        let root = try String(contentsOf: helpSnapshot([]), encoding: .utf8)
        let listed = root.components(separatedBy: "SUBCOMMANDS:").last?
            .split(separator: "\n").filter { $0.hasPrefix("  ") && !$0.hasPrefix("   ") && !$0.contains("See ") }
            .compactMap { $0.split(separator: " ").first.map(String.init) } ?? []
        #expect(!listed.isEmpty)
        #expect(Set(listed) == Set(helpCommands.compactMap(\.first)), "root lists \(listed)")
    }
}
