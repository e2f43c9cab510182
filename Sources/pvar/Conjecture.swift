// `pvar conjecture`: pose a bound, get a certified verdict, a shrunk counterexample or the sharp constant.

import ArgumentParser
import Foundation
import PVarCore
import PVarReport
import PVarVerify

/// `--responses MIN...MAX` and `--dim MIN...MAX` (or one number).
struct CountRange: ExplainedArgument, Equatable {
    let range: ClosedRange<Int>
    static var expected: String { "MIN...MAX with 1 <= MIN <= MAX (e.g. 2...6), or one number" }

    init(_ range: ClosedRange<Int>) { self.range = range }

    init?(argument: String) {
        let parts = argument.components(separatedBy: "...")
        guard parts.count <= 2, let lo = Int(parts[0]), let hi = Int(parts[parts.count - 1]), lo >= 1, lo <= hi else { return nil }
        range = lo...hi
    }

    var defaultValueDescription: String { "\(range.lowerBound)...\(range.upperBound)" }
}

/// `--sequence V,T`: a vocabulary of V >= 2 tokens, sequences of T >= 1 tokens, V^T <= 64.
struct SequenceShapeArgument: ExplainedArgument, Equatable {
    let shape: ConjectureSequence
    static var expected: String { "V,T with V >= 2, T >= 1 and V^T <= \(ConjectureSequence.maximumResponses) (e.g. 2,3)" }

    init?(argument: String) {
        let parts = argument.split(separator: ",", omittingEmptySubsequences: false)
        guard parts.count == 2, let v = Int(parts[0]), let t = Int(parts[1]),
              let shape = ConjectureSequence(vocabulary: v, length: t) else { return nil }
        self.shape = shape
    }
}

/// `--assume`: the hypotheses a claim may be posed under besides the pairs and shapes.
enum ConjectureAssumption: String, ExpressibleByArgument, CaseIterable {
    case atReference = "at-reference"
}

extension ConjecturePairs: ExpressibleByArgument {}

struct Conjecture: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Test a claimed inequality on random and adversarial instances; certify, shrink and replay a violation, or fit a constant.",
        discussion: """
        CLAIM is EXPR <= EXPR (or <, >=, >) over the quantities \(ClaimQuantity.allCases.map(\.rawValue).joined(separator: ", ")), \
        numbers, + - * / ^ and \(ClaimFunction.allCases.map(\.rawValue).joined(separator: " ")). \
        Exit status: 0 not refuted, 1 certified violation, 2 undecided (undefined everywhere, or a strict claim at apparent ties), \
        64 usage or parse error.
        """)

    @Option(parsing: .unconditional,
            help: ArgumentHelp("The claim, e.g. 'gradientNorm <= sqrt(2) * beta * scoreBound * sqrt(pvarLabels)' (it may start with '-'), "
                               + "or a built-in statement B0, B1, B2, B3 or S1, which also assumes its hypotheses.", valueName: "CLAIM"))
    var claim: String
    @Option(help: "Assume the policy is exactly at its reference, which with double inputs means a uniform reference and theta = 0 (repeatable; only at-reference).") var assume: [ConjectureAssumption] = []
    @Option(help: "Pair distribution assumed: policy, reference or any.") var pairs: ConjecturePairs = .any
    @Option(help: ArgumentHelp("Numbers of responses K (MIN...MAX within 1...64). (default: 2...6)", valueName: "MIN...MAX"), transform: CountRange.parse)
    var responses: CountRange?
    @Option(help: ArgumentHelp("Dimensions d of log-linear policies (MIN...MAX within 1...16; a tabular policy has d = K). (default: 1...4)", valueName: "MIN...MAX"),
            transform: CountRange.parse)
    var dim: CountRange?
    @Flag(help: "Only tabular policies (Phi = I, d = K).") var tabular = false
    @Option(help: ArgumentHelp("Only sequence policies: sequences of T tokens from a vocabulary of V (K = V^T <= \(ConjectureSequence.maximumResponses); "
                               + "--responses is then unused, --dim bounds the token features' d).", valueName: "V,T"),
            transform: SequenceShapeArgument.parse)
    var sequence: SequenceShapeArgument?
    @Option(help: "Random instances from the GSL generator.") var instances: Int = 1000
    @Option(help: "Nelder-Mead restarts per searched shape (K, d).") var restarts: Int = 4
    @Option(help: "Iteration cap per simplex run.") var iterations: Int = 4000
    @Option(help: "Run seed.") var seed: UInt64 = 1
    @OptionGroup var threads: ThreadOptions
    @Option(help: "Output format.") var format: OutputFormat = .json
    @Option(help: ArgumentHelp("Find the sharp value of the free constant C of the claim (C a factor of the larger side).", valueName: "C"))
    var fit: String?

    /// `--responses`, default 2...6.
    var responseRange: ClosedRange<Int> { responses?.range ?? ConjectureAssumptions().responses }
    /// `--dim`, default 1...4.
    var dimensionRange: ClosedRange<Int> { dim?.range ?? ConjectureAssumptions().dimension }

    func validate() throws {
        guard responseRange.upperBound <= 64 else { throw ValidationError("--responses must lie in 1...64, got \(responses!.defaultValueDescription)") }
        guard dimensionRange.upperBound <= 16 else { throw ValidationError("--dim must lie in 1...16, got \(dim!.defaultValueDescription)") }
        if tabular && dim != nil { throw ValidationError("--dim does not apply with --tabular: a tabular policy has d = K (set K with --responses)") }
        if sequence != nil && responses != nil { throw ValidationError("--responses does not apply with --sequence: K = V^T") }
        guard (0...10_000_000).contains(instances) else { throw ValidationError("--instances must be in 0...10000000, got \(instances)") }
        guard (0...10_000).contains(restarts) else { throw ValidationError("--restarts must be in 0...10000, got \(restarts)") }
        guard instances + restarts > 0 else { throw ValidationError("--instances and --restarts are both 0: nothing to check") }
        guard (1...1_000_000).contains(iterations) else { throw ValidationError("--iterations must be in 1...1000000, got \(iterations)") }
        if let c = fit, c != "C" { throw ValidationError("--fit: the free constant is named C, got '\(c)'") }
        if sequence != nil && tabular { throw ValidationError("--sequence and --tabular exclude each other: a sequence policy is not tabular") }
    }


    func run() async throws {
        let parsed: Claim
        var assumptions = ConjectureAssumptions(atReference: assume.contains(.atReference), pairs: pairs,
                                                responses: responseRange, dimension: dimensionRange, tabular: tabular,
                                                sequence: sequence?.shape)
        if let builtIn = builtInStatementClaim(claim) {
            // A statement of the table, with its hypotheses added to the assumptions.
            parsed = builtIn.claim
            assumptions.atReference = assumptions.atReference || builtIn.atReference
            if builtIn.pairsArePolicy {
                guard pairs != .reference else {
                    throw usageError("--claim \(claim) assumes pairs from the policy; --pairs reference contradicts it")
                }
                assumptions.pairs = .policy
            }
        } else {
            do { parsed = try Claim.parse(claim) } catch { throw usageError(error.description) }
        }
        var options = ConjectureOptions()
        options.instances = instances
        options.restarts = restarts
        options.maxIterations = iterations
        options.seed = seed
        options.threads = threads.threads
        options.fit = fit != nil
        let result: ConjectureResult
        do {
            result = try await checkConjecture(parsed, assumptions: assumptions, options: options)
        } catch {
            throw usageError(error.description)
        }
        print(format == .json ? conjectureJSON(result) : conjectureMarkdown(result), terminator: "")
        switch result.verdict {
        case .violated: throw ExitCode(1)
        case .undecided: throw ExitCode(2)
        case .notRefuted: break
        }
    }
}
