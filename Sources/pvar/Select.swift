// `pvar select`: PVar estimates from reward-model scores (JSON Lines) and the top N or top p%.

import ArgumentParser
import Foundation
import PVarCore
import PVarSelect
import PVarReport
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

struct Select: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Estimate each prompt's PVar from the reward-model scores of n sampled responses and select the top N or top p%.",
        discussion: """
        Input: JSON Lines, one prompt per line, {"id": ..., "rewards": [r_1, ..., r_n]} (id a string or a \
        number, n >= 2 finite scores; no other keys). Output: one line per prompt, in input order, \
        {"id": <as given>, "pvar": U, "selected": true|false}, with the unbiased estimate \
        U = (1/(n(n-1))) sum_{a != b} (sigmoid(r_a - r_b) - 1/2)^2. The first K prompts by pvar descending, \
        then input order (earlier lines first), are selected: K = N for --top N, ceil(M p / 100) of the M \
        prompts for --top p%. Blank lines are skipped. Memory is constant in the number of prompts: the input is \
        read once, the estimates and ids go to temporary files, and the exact threshold is found from the estimates.
        """)

    @Option(name: .long, help: "Prompts as JSON Lines, or - for standard input.") var input: String
    @Option(help: ArgumentHelp("How many to select: a count N >= 1 (e.g. 1000) or a percentage in (0, 100] with at most "
                               + "\(SelectionSize.maximumDecimals) decimals (e.g. 10%).", valueName: "N|P%"),
            transform: SelectionSize.parse)
    var top: SelectionSize
    @Option(help: "Write the output to this file (atomically: all of it or nothing) instead of standard output.")
    var output: String?
    @Flag(help: "Malformed lines: --strict fails on the first (with its line number), --lenient skips and counts them.")
    var mode: MalformedLines = .strict
    @Flag(inversion: .prefixedNo, help: "A progress line on stderr every 100,000 input lines (default: when stderr is a terminal).")
    var progress: Bool?

    enum MalformedLines: String, EnumerableFlag {
        case strict, lenient
    }

    func validate() throws {
        if let o = output, o.isEmpty { throw ValidationError("--output must name a file, got an empty path") }
    }

    func run() throws {
        let showProgress = progress ?? (isatty(2) != 0)
        var options = SelectionOptions(size: top, policy: mode == .strict ? .strict : .lenient)
        if showProgress {
            options.progress = { p in
                let skipped = p.skipped > 0 ? ", \(p.skipped) malformed skipped" : ""
                FileHandle.standardError.write(Data("pvar select: \(p.lines) lines read, \(p.prompts) prompts\(skipped)\n".utf8))
            }
        }

        let inputFD: Int32
        if input == "-" {
            inputFD = 0
        } else {
            inputFD = open(input, O_RDONLY)
            guard inputFD >= 0 else {
                throw CLIError("--input: cannot read file '\(input)' (\(String(cString: strerror(errno)))); check the path")
            }
        }
        defer { if inputFD != 0 { close(inputFD) } }

        // The output: standard output, or a file written atomically (renamed into place at the end).
        let target = output.flatMap { $0 == "-" ? nil : $0 }
        let file: AtomicFile?
        do { file = try target.map { try AtomicFile(path: $0) } } catch { throw CLIError("--output", error) }

        let summary: SelectionSummary
        do {
            summary = try selectPrompts(input: inputFD, inputName: input == "-" ? "--input - (standard input)" : "--input '\(input)'",
                                        output: file?.descriptor ?? 1,
                                        outputName: target == nil ? "standard output" : "--output", options: options)
        } catch {
            file?.abort()
            throw CLIError(error.description)
        }
        do { try file?.commit() } catch { throw CLIError("--output", error) }
        if summary.skipped > 0, let firstError = summary.firstSkipped {
            let lines = summary.skipped == 1 ? "line" : "lines"
            FileHandle.standardError.write(Data(
                "pvar: warning: skipped \(summary.skipped) malformed \(lines) (--lenient); the first: \(firstError.description)\n".utf8))
        }
        if showProgress {
            let threshold = summary.threshold.map { " (pvar >= \(InstanceFile.format($0)))" } ?? ""
            FileHandle.standardError.write(Data(
                "pvar select: selected \(summary.selected) of \(summary.prompts) prompts\(threshold)\n".utf8))
        }
    }
}
