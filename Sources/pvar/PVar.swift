// The `pvar` command-line tool.

import ArgumentParser
import Foundation
import PVarCertify
import PVarCore
import PVarSelect
import PVarStudies
import PVarGSL
import PVarVerify

@main
struct PVar: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pvar",
        abstract: "Exact DPO gradients, preference variance (PVar) and the bounds relating them.",
        version: "0.1.0",
        subcommands: [Evaluate.self, Generate.self, Check.self, Tightness.self, Report.self, Merge.self, Bench.self, Flatten.self, Select.self, Simulate.self]
    )

    /// Runs the command; a usage error is one line on stderr (`pvar: error: ...`) and a non-zero
    /// exit, like every other error of the tool; `--help` and `--version` print as usual.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                print(fullMessage(for: error))
                Foundation.exit(0)
            }
            let text = message(for: error).split(separator: "\n").first.map(String.init) ?? ""
            if !text.isEmpty {
                FileHandle.standardError.write(Data(("pvar: error: " + text + "\n").utf8))
            }
            Foundation.exit(code.rawValue)
        }
    }
}

/// Output formats of `evaluate`.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case json, markdown
}

/// Options fixing the shapes random instances are drawn with.
struct ShapeOptions: ParsableArguments {
    @Option(help: "Smallest number of responses K.") var minResponses: Int = 1
    @Option(help: "Largest number of responses K.") var maxResponses: Int = 64
    @Option(help: "Smallest dimension d of theta.") var minDim: Int = 1
    @Option(help: "Largest dimension d of theta.") var maxDim: Int = 16

    func validate() throws {
        guard minResponses >= 1 else { throw ValidationError("--min-responses must be >= 1, got \(minResponses)") }
        guard maxResponses >= minResponses else {
            throw ValidationError("--max-responses (\(maxResponses)) must be >= --min-responses (\(minResponses))")
        }
        guard maxResponses <= 4096 else { throw ValidationError("--max-responses must be <= 4096, got \(maxResponses)") }
        guard minDim >= 1 else { throw ValidationError("--min-dim must be >= 1, got \(minDim)") }
        guard maxDim >= minDim else { throw ValidationError("--max-dim (\(maxDim)) must be >= --min-dim (\(minDim))") }
        guard maxDim <= 1024 else { throw ValidationError("--max-dim must be <= 1024, got \(maxDim)") }
    }

    var limits: GeneratorLimits {
        GeneratorLimits(responses: minResponses...maxResponses, dimension: minDim...maxDim)
    }
}

extension Regime: ExpressibleByArgument {}
extension Family: ExpressibleByArgument {}
extension BoundID: ExpressibleByArgument {}

/// Prints one line to stderr and exits with status 1 (bad input: never a trap).
func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data(("pvar: error: " + message + "\n").utf8))
    exit(1)
}

func readInput(_ path: String) -> Data {
    if path == "-" { return FileHandle.standardInput.readDataToEndOfFile() }
    guard let data = FileManager.default.contents(atPath: path) else {
        fail("--input: cannot read file '\(path)'; check the path")
    }
    return data
}

struct Evaluate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Evaluate one instance exactly: loss, gradient, PVars and the bounds B0-B3.")

    @Option(name: .long, help: "Instance file (JSON), or - for standard input.") var input: String
    @Option(help: "Output format.") var format: OutputFormat = .json
    @Flag(help: "Also decide every bound rigorously in ball arithmetic (Arb, 128 to 1024 bits).") var certify = false
    @Option(help: ArgumentHelp("With --certify: also certify a statement with another constant, e.g. B2=1 (repeatable).",
                               valueName: "ID=CONSTANT"))
    var constant: [String] = []

    /// `--constant` parsed into (statement, constant) pairs.
    func constantOverrides() throws -> [(BoundID, Double)] {
        try constant.map { item in
            let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, let id = BoundID(rawValue: parts[0]), let c = Double(parts[1]), c.isFinite, c > 0 else {
                throw ValidationError("--constant: expected ID=CONSTANT with ID in B0...B3 and a finite constant > 0, got '\(item)'")
            }
            return (id, c)
        }
    }

    func validate() throws {
        _ = try constantOverrides()
        guard constant.isEmpty || certify else { throw ValidationError("--constant needs --certify") }
    }

    func run() throws {
        let problem: Problem
        let evaluation: Evaluation
        do {
            problem = try InstanceFile.parse(readInput(input))
            evaluation = try Evaluation(problem)
        } catch {
            fail(error.description)
        }
        let certificate = certify ? PVarCertify.certify(problem) : nil
        let overrides = try constantOverrides().map { id, c in (id, c, certifyBound(problem, id, constant: c)) }
        let f = InstanceFile.format
        switch format {
        case .json:
            var extra: [(key: String, json: String)] = []
            if let c = certificate { extra.append(("certified", c.json())) }
            if !overrides.isEmpty {
                let items = overrides.map { id, c, r in
                    "\"\(id.rawValue)\": {\"constant\": \(f(c)), \"ratio\": [\(f(r.ratio.lo)), \(f(r.ratio.hi))], \"verdict\": \"\(r.verdict.rawValue)\"}"
                }
                extra.append(("certifiedWithConstant", "{" + items.joined(separator: ", ") + "}"))
            }
            print(evaluation.json(extra: extra), terminator: "")
        case .markdown:
            print(evaluation.markdown(), terminator: "")
            if let c = certificate { print("\n" + c.markdown(), terminator: "") }
            for (id, c, r) in overrides {
                print("\n\(id.rawValue) with constant \(f(c)) instead of \(statedConstant(id)): ratio in [\(f(r.ratio.lo)), \(f(r.ratio.hi))], certified \(r.verdict.rawValue)")
            }
        }
    }
}

struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write one seeded random instance (JSON), e.g. to replay a failed check.")

    @Option(help: "Run seed.") var seed: UInt64 = 1
    @Option(help: "Hypotheses the instance satisfies: general, on-policy, at-reference.") var regime: Regime = .general
    @Option(help: "Family: \(Family.allCases.map(\.rawValue).joined(separator: ", ")).") var family: Family = .gaussian
    @Option(help: "Instance index within the run.") var index: Int = 0
    @OptionGroup var shape: ShapeOptions

    func validate() throws {
        guard index >= 0 else { throw ValidationError("--index must be >= 0, got \(index)") }
    }

    func run() throws {
        let p = InstanceGenerator(runSeed: seed, limits: shape.limits).instance(regime, family, index: index)
        print(InstanceFile.encode(p), terminator: "")
    }
}

struct Flatten: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write an instance in the exported policy form (logProbabilities and scores), e.g. a sequence instance.")

    @Option(name: .long, help: "Instance file (JSON), or - for standard input.") var input: String

    func run() throws {
        do {
            let problem = try InstanceFile.parse(readInput(input))
            print(InstanceFile.encode(try problem.exportedForm()), terminator: "")
        } catch {
            fail(error.description)
        }
    }
}
