// Runs the built `pvar` binary as a user would.

import Foundation
import PVarTestSupport

/// The package root (two levels above this file's folder).
let packageRoot = PVarTestSupport.packageRoot

/// The `pvar` binary: `PVAR_BIN` (set by `make test`), else the debug build.
let pvarBinary: String = ProcessInfo.processInfo.environment["PVAR_BIN"]
    ?? packageRoot.appendingPathComponent(".build/debug/pvar").path

/// The process helpers live in PVarTestSupport (shared with the suites that run the reference
/// evaluator); these names keep the CLI suites' spelling.
typealias RunResult = PVarTestSupport.RunResult

/// Runs `executable` with `arguments`, feeding `stdin`, and collects both outputs.
func run(_ executable: String, _ arguments: [String], stdin: String? = nil,
         environment: [String: String] = [:]) throws -> RunResult {
    try PVarTestSupport.runProcess(executable, arguments, stdin: stdin, environment: environment)
}

func pvar(_ arguments: [String], stdin: String? = nil, environment: [String: String] = [:]) throws -> RunResult {
    try run(pvarBinary, arguments, stdin: stdin, environment: environment)
}
