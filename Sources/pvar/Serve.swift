// `pvar serve`: runs the explorer's server, the executable `pvar-serve` next to `pvar`.

import ArgumentParser
import Foundation

struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Start the bound explorer: a web page over pvar's library (runs pvar-serve, built next to pvar).",
        discussion: """
        Open the printed address in a browser. The page moves rewards, logits or theta, the reference, \
        beta and the pair distribution; every number it shows comes from the library through the JSON \
        API (POST /api/evaluate takes pvar evaluate's input and returns its output, /api/certify the \
        --certify output). The server is its own executable, so pvar links no server code; when it \
        is missing next to pvar and pvar runs from its source tree, it is built first \
        (swift build --product pvar-serve).
        """)

    @Option(help: "Port to listen on (0: any free port; the printed address says which).") var port: Int = 8080
    @Option(help: "Address to listen on (127.0.0.1: this machine only).") var host: String = "127.0.0.1"
    @Option(help: "The Proofs folder served under /docs and read for the presets (default: the source tree's).")
    var proofs: String?

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be in 0...65535, got \(port)") }
    }

    func run() throws {
        let me = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        let folder = URL(fileURLWithPath: me).deletingLastPathComponent()
        let server = folder.appendingPathComponent("pvar-serve").path
        let build = "swift build --product pvar-serve\(folder.lastPathComponent == "release" ? " -c release" : "")"
        if !FileManager.default.isExecutableFile(atPath: server) {
            try buildServer(command: build)
        }
        guard FileManager.default.isExecutableFile(atPath: server) else {
            throw CLIError("serve: the server executable is not at \(server); build it with `\(build)`")
        }
        var arguments = [server, "--port", String(port), "--host", host]
        if let p = proofs { arguments += ["--proofs", p] }
        let cArguments = arguments.map { strdup($0) } + [nil]
        execv(server, cArguments)
        throw CLIError("serve: could not start \(server) (errno \(errno))")
    }

    /// Builds `pvar-serve` in the source tree `pvar` was built from (found from this file's
    /// path), as `swift run pvar serve` would expect; nothing happens outside a source tree.
    func buildServer(command: String) throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        guard FileManager.default.fileExists(atPath: root.appendingPathComponent("Package.swift").path) else { return }
        FileHandle.standardError.write(Data("pvar serve: building the server once: \(command) (a few minutes the first time)\n".utf8))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = command.split(separator: " ").map(String.init) + ["--package-path", root.path]
        process.standardOutput = FileHandle.standardError
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CLIError("serve: building the server failed (\(command), exit \(process.terminationStatus))")
        }
    }
}
