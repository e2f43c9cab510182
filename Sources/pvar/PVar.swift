// The `pvar` command-line tool.

import ArgumentParser
import Foundation
import PVarCertify
import PVarCore
import PVarSelect
import PVarStudies
import PVarGSL
import PVarReport
import PVarVerify

@main
struct PVar: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pvar",
        abstract: "Exact DPO gradients, preference variance (PVar) and the bounds relating them.",
        version: "0.1.0",
        subcommands: [Evaluate.self, Generate.self, Check.self, Tightness.self, Conjecture.self, Report.self, Merge.self, Bench.self, Flatten.self, Select.self, Simulate.self, Serve.self]
    )

    /// Runs the command; a usage error is one line on stderr (`pvar: error: ...`) and a non-zero
    /// exit, like every other error of the tool; `--help` and `--version` print as usual.
    static func main() async {
        // Past a file-size limit (`ulimit -f`, or a quota) write(2) fails with EFBIG instead of
        // the process being killed by SIGXFSZ: the atomic writer then removes its temporary file
        // and the error is one line, and earlier outputs stay as they were.
        signal(SIGXFSZ, SIG_IGN)
        // A closed pipe (`pvar select ... | head -1`) ends the tool quietly, as it does any shell
        // tool, even when the parent ignores SIGPIPE (ignored signals are inherited through exec:
        // a server framework in the parent, such as SwiftNIO, ignores it process-wide).
        signal(SIGPIPE, SIG_DFL)
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let error as CLIError {
            FileHandle.standardError.write(Data(errorLine(error.description).utf8))
            Foundation.exit(1)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                print(fullMessage(for: error))
                Foundation.exit(0)
            }
            let text = message(for: error).split(separator: "\n").first.map(String.init) ?? ""
            if !text.isEmpty {
                FileHandle.standardError.write(Data(errorLine(text).utf8))
            }
            Foundation.exit(code.rawValue)
        }
    }
}

/// A failure of a command after its arguments parsed (bad input file, unwritable output): one
/// line naming the option or field and the fix, printed by `PVar.main` with exit status 1.
/// Helpers throw it; nothing below `main` calls `exit`, so every command runs in-process.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }

    /// `option: what the library said`.
    init(_ option: String, _ error: any Error) {
        self.description = "\(option): \(String(describing: error))"
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

/// An argument type whose parser says what was wrong: `parse` throws a `ValidationError` with the
/// accepted forms, which argument-parser prints after "The value '...' is invalid for '--flag'".
protocol ExplainedArgument: ExpressibleByArgument {
    /// The accepted forms, for the error message.
    static var expected: String { get }
}

extension ExplainedArgument {
    static func parse(_ text: String) throws -> Self {
        guard let value = Self(argument: text) else { throw ValidationError("expected \(expected)") }
        return value
    }
}

extension SelectionSize: ExplainedArgument {
    /// `--top N` or `--top P%` (`SelectionSize(parsing:)`).
    public init?(argument: String) { self.init(parsing: argument) }
    static var expected: String {
        "a count N >= 1 (e.g. 1000) or a percentage in (0, 100] with at most \(maximumDecimals) decimals (e.g. 10%)"
    }
}

extension Shard: ExplainedArgument {
    /// `--shard i/n` (`Shard(parsing:)`).
    public init?(argument: String) { self.init(parsing: argument) }
    static var expected: String { "i/n with 0 <= i < n (e.g. 3/16)" }
}

/// `--constant ID=C`: certify statement ID with constant C (a finite double > 0) instead of its own.
struct ConstantOverride: ExplainedArgument, Equatable {
    let id: BoundID
    let constant: Double
    static var expected: String { "ID=CONSTANT with ID in B0...B3 and a finite constant > 0 (e.g. B2=1)" }

    init?(argument: String) {
        let parts = argument.split(separator: "=", maxSplits: 1).map(String.init)
        guard parts.count == 2, let id = BoundID(rawValue: parts[0]), let c = Double(parts[1]), c.isFinite, c > 0 else {
            return nil
        }
        self.id = id
        self.constant = c
    }
}

/// The bytes of `path` (mapped, not copied: an 89 MB file took 0.15 s to copy), or of standard
/// input for `-`.
func readInput(_ path: String, option: String = "--input") throws(CLIError) -> Data {
    if path == "-" { return FileHandle.standardInput.readDataToEndOfFile() }
    guard let data = try? Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped) else {
        throw CLIError("\(option): cannot read file '\(path)'; check the path")
    }
    return data
}

/// A usage error found after parsing (e.g. a claim that does not parse): the message on stderr,
/// exit status 64.
func usageError(_ message: String) -> ExitCode {
    FileHandle.standardError.write(Data(errorLine(message).utf8))
    return ExitCode(64)
}

struct Evaluate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Evaluate one instance exactly: loss, gradient, PVars and the bounds B0-B3.")

    @Option(name: .long, help: "Instance file (JSON), or - for standard input.") var input: String
    @Option(help: "Output format.") var format: OutputFormat = .json
    @Flag(help: "Also decide every bound rigorously in ball arithmetic (Arb, 128 to 1024 bits).") var certify = false
    @Option(help: ArgumentHelp("With --certify: also certify a statement with another constant, e.g. B2=1 (repeatable; "
                               + "ID in B0...B3, a finite constant > 0).", valueName: "ID=CONSTANT"),
            transform: ConstantOverride.parse)
    var constant: [ConstantOverride] = []
    @Option(parsing: .unconditional,
            help: ArgumentHelp("Also evaluate a claim of pvar conjecture's language on the instance (with --certify: in balls too; "
                               + "exit status 1 when certified violated).", valueName: "CLAIM"))
    var claim: String?
    @Flag(name: .customLong("no-noise"),
          help: "Skip the O(K^2 d) noise of the one-pair gradient: noise, labelNoise and snr are null (for large K).")
    var noNoise = false
    @Option(name: .customLong("free-constant"), parsing: .unconditional,
            help: ArgumentHelp("With --claim: the value of the claim's free constant C, a decimal read exactly (0.1 is 1/10).", valueName: "C"))
    var freeConstant: String?

    func validate() throws {
        guard constant.isEmpty || certify else { throw ValidationError("--constant needs --certify") }
        guard freeConstant == nil || claim != nil else { throw ValidationError("--free-constant needs --claim") }
    }

    func run() throws {
        let progress = ProgressLine()
        defer { progress.finish() }
        progress.stage("reading the instance")
        let evaluation: Evaluation
        do {
            let data = try readInput(input)
            progress.stage("parsing the instance")
            evaluation = try evaluateInstance(data, stage: progress.stage)
        } catch let error as CLIError {
            throw error
        } catch {
            throw CLIError("\(error)")
        }
        let problem = evaluation.problem
        let k = problem.responseCount, d = problem.dimension
        progress.label = "K = \(k), d = \(d)"
        let noise: NoiseOutput
        if noNoise {
            noise = .skipped
        } else {
            progress.stage("the noise (O(K^2 d); --no-noise skips it)")
            noise = .given(evaluation.noiseDecomposition())
        }
        var checked: EvaluatedClaim? = nil
        if let text = claim {
            let parsed: Claim
            if let builtIn = builtInStatementClaim(text) {
                parsed = builtIn.claim
            } else {
                do { parsed = try Claim.parse(text) } catch { throw usageError(error.description) }
            }
            if parsed.hasFreeConstant && freeConstant == nil {
                throw usageError("--claim: the claim has the free constant C; give its value with --free-constant")
            }
            if !parsed.hasFreeConstant && freeConstant != nil {
                throw usageError("--free-constant: the claim has no free constant C")
            }
            guard let c = EvaluatedClaim(parsed, on: evaluation, freeConstant: freeConstant, certify: certify) else {
                throw usageError("--free-constant: expected a decimal number such as 1.5 or -2e-3, got '\(freeConstant ?? "")'")
            }
            checked = c
        }
        if certify { progress.stage("certifying in ball arithmetic") }
        let certificate = certify ? PVarCertify.certify(problem) : nil
        let overrides = constant.map { ConstantCertificate(problem, $0.id, constant: $0.constant) }
        progress.stage("writing")
        let text = switch format {
        case .json: evaluationJSON(evaluation, certificate: certificate, overrides: overrides, claim: checked, noise: noise)
        case .markdown: evaluationMarkdown(evaluation, certificate: certificate, overrides: overrides, claim: checked, noise: noise)
        }
        progress.finish()
        print(text, terminator: "")
        if checked?.certificate?.verdict == .violated { throw ExitCode(1) }
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
        } catch let error as CLIError {
            throw error
        } catch {
            throw CLIError("\(error)")
        }
    }
}
