// `pvar-serve`: the explorer's server; `pvar serve` runs it (so `pvar` does not link the server).

import ArgumentParser
import Foundation
import PVarReport
import PVarServe

@main
struct PVarServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pvar serve",
        abstract: "Start the bound explorer: a web page over pvar's library, on this machine only by default.")

    @Option(help: "Port to listen on (0: any free port; the printed address says which).") var port: Int = 8080
    @Option(help: "Address to listen on (127.0.0.1: this machine only).") var host: String = "127.0.0.1"
    @Option(help: "The Proofs folder served under /docs and read for the presets (default: the source tree's).")
    var proofs: String?

    /// Errors as `pvar` prints them: one line, `pvar: error: ...`, non-zero exit.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand { try await asyncCommand.run() } else { try command.run() }
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                print(fullMessage(for: error))
                Foundation.exit(0)
            }
            let text = message(for: error).split(separator: "\n").first.map(String.init) ?? ""
            if !text.isEmpty { FileHandle.standardError.write(Data(errorLine(text).utf8)) }
            Foundation.exit(code.rawValue)
        }
    }

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be in 0...65535, got \(port)") }
        guard !host.isEmpty else { throw ValidationError("--host must not be empty") }
        if let p = proofs, ProofsLibrary(directory: p).directory == nil {
            throw ValidationError("--proofs: no walkthrough.md in '\(p)'; give the repository's Proofs folder")
        }
    }

    func run() async throws {
        let library = ProofsLibrary(directory: proofs)
        if library.directory == nil {
            FileHandle.standardError.write(Data("pvar serve: no Proofs folder found (give --proofs): the page runs without presets and links\n".utf8))
        }
        let app = explorerApplication(ExplorerConfiguration(host: host, port: port, proofs: library)) { url in
            FileHandle.standardOutput.write(Data("pvar serve: the explorer is at \(url) (Ctrl-C stops it)\n".utf8))
        }
        do {
            try await app.runService()
        } catch {
            FileHandle.standardError.write(Data(errorLine("--host/--port: cannot serve on \(host):\(port) (\(error))").utf8))
            throw ExitCode(1)
        }
    }
}
