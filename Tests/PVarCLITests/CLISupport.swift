// Runs the built `pvar` binary as a user would.

import Foundation

/// The package root (two levels above this file's folder).
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// The `pvar` binary: `PVAR_BIN` (set by `make test`), else the debug build.
let pvarBinary: String = ProcessInfo.processInfo.environment["PVAR_BIN"]
    ?? packageRoot.appendingPathComponent(".build/debug/pvar").path

struct RunResult {
    let status: Int32
    let stdout: String
    let stderr: String
}

/// Runs `executable` with `arguments`, feeding `stdin`, and collects both outputs.
func run(_ executable: String, _ arguments: [String], stdin: String? = nil,
         environment: [String: String] = [:]) throws -> RunResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    if !environment.isEmpty {
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
    }
    let out = Pipe(), err = Pipe(), inp = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = inp
    try process.run()
    if let s = stdin { inp.fileHandleForWriting.write(Data(s.utf8)) }
    try inp.fileHandleForWriting.close()
    let o = out.fileHandleForReading.readDataToEndOfFile()
    let e = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return RunResult(status: process.terminationStatus, stdout: String(decoding: o, as: UTF8.self),
                     stderr: String(decoding: e, as: UTF8.self))
}

func pvar(_ arguments: [String], stdin: String? = nil, environment: [String: String] = [:]) throws -> RunResult {
    try run(pvarBinary, arguments, stdin: stdin, environment: environment)
}
