// The settings and outcomes of a `pvar select` run: selection size rule, malformed-line policy,
// progress, summary and errors.

import PVarCore

/// How many prompts to select: `--top N` or `--top P%`.
public enum SelectionSize: Equatable, Sendable, CustomStringConvertible {
    /// The `N` highest-ranked prompts (all of them if there are fewer).
    case count(Int)
    /// `ceil(M p / 100)` of `M` prompts, `p = numerator / 10^decimals` percent in `(0, 100]`:
    /// at least `p` percent, so a non-empty input always selects at least one prompt. Kept as a
    /// decimal fraction so that `10%` of `1000` is exactly 100, not one more by rounding.
    case percent(numerator: UInt64, decimals: Int)

    /// The most digits accepted after the decimal point of a percentage.
    public static let maximumDecimals = 9

    /// Parses `"1000"` (a count >= 1) or `"10%"`, `"12.5%"` (a percentage in `(0, 100]`);
    /// nil for anything else.
    public init?(parsing text: String) {
        if text.hasSuffix("%") {
            let number = text.dropLast()
            let parts = number.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
            guard let whole = parts.first, !whole.isEmpty, whole.allSatisfy(\.isASCIIDigit), whole.count <= 3 else { return nil }
            let fraction = parts.count == 2 ? parts[1] : ""
            guard parts.count == 1 || !fraction.isEmpty, fraction.allSatisfy(\.isASCIIDigit),
                  fraction.count <= Self.maximumDecimals,
                  let n = UInt64(whole + fraction) else { return nil }
            let scale = Self.power10(fraction.count)
            guard n > 0, n <= 100 * scale else { return nil }
            self = .percent(numerator: n, decimals: fraction.count)
        } else {
            guard !text.isEmpty, text.allSatisfy(\.isASCIIDigit), let n = Int(text), n >= 1 else { return nil }
            self = .count(n)
        }
    }

    /// The number of prompts selected out of `total`: `min(N, total)`, or `ceil(total p / 100)`
    /// in exact integer arithmetic (128-bit intermediate).
    public func count(of total: Int) -> Int {
        precondition(total >= 0, "SelectionSize.count: total must be >= 0")
        switch self {
        case .count(let n):
            return min(n, total)
        case .percent(let numerator, let decimals):
            let divisor = 100 * Self.power10(decimals)
            let product = numerator.multipliedFullWidth(by: UInt64(total))
            let (quotient, remainder) = divisor.dividingFullWidth(product)
            return min(total, Int(quotient) + (remainder > 0 ? 1 : 0))
        }
    }

    public var description: String {
        switch self {
        case .count(let n): return "\(n)"
        case .percent(let numerator, let decimals):
            let digits = String(numerator)
            guard decimals > 0 else { return digits + "%" }
            let padded = String(repeating: "0", count: max(0, decimals + 1 - digits.count)) + digits
            return String(padded.dropLast(decimals)) + "." + String(padded.suffix(decimals)) + "%"
        }
    }

    static func power10(_ k: Int) -> UInt64 { (0..<k).reduce(1) { p, _ in p * 10 } }
}

extension Character {
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}

/// What a malformed line does.
public enum MalformedLinePolicy: String, Sendable, CaseIterable {
    /// The run fails at the first malformed line (`SelectionError.malformedLine`), before any
    /// output is written.
    case strict
    /// Malformed lines are skipped and counted (`SelectionSummary.skipped`); the first is kept
    /// for the message.
    case lenient
}

/// Lines read so far, for a progress display.
public struct SelectionProgress: Sendable, Equatable {
    public let lines: Int
    public let prompts: Int
    public let skipped: Int
}

/// The settings of one selection run.
public struct SelectionOptions {
    public var size: SelectionSize
    public var policy: MalformedLinePolicy
    /// Called every `progressInterval` lines of the input and once at its end.
    public var progress: ((SelectionProgress) -> Void)?
    public var progressInterval: Int
    /// The largest threshold bin whose estimates are collected and sorted in memory; a larger
    /// bin is refined by one more pass over the estimates spool (`SelectionThreshold`). Bounds
    /// the memory of the selection (8 bytes per value). 0 forces refinement to the last bit
    /// (tests use it to exercise every level).
    public var candidateLimit: Int

    public init(size: SelectionSize, policy: MalformedLinePolicy = .strict,
                progress: ((SelectionProgress) -> Void)? = nil, progressInterval: Int = 100_000,
                candidateLimit: Int = 1 << 16) {
        precondition(progressInterval >= 1 && candidateLimit >= 0, "SelectionOptions: bad limits")
        self.size = size
        self.policy = policy
        self.progress = progress
        self.progressInterval = progressInterval
        self.candidateLimit = candidateLimit
    }
}

/// What a finished run did.
public struct SelectionSummary: Sendable, Equatable {
    /// Physical lines read (blank ones included).
    public let lines: Int
    /// Well-formed prompt lines, each one output line.
    public let prompts: Int
    public let selected: Int
    /// Malformed lines skipped (lenient mode; 0 in strict mode).
    public let skipped: Int
    /// The first skipped line's error (lenient mode).
    public let firstSkipped: SelectionError?
    /// The estimate of the lowest-ranked selected prompt; nil when nothing is selected.
    public let threshold: Double?
    /// Passes over the estimates spool to resolve the threshold (0 to 3).
    public let refinementPasses: Int
}

/// Why a run failed; `description` is the one-line message.
public enum SelectionError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A malformed input line (1-based physical line number) and what is wrong with it.
    case malformedLine(line: Int, InputError)
    /// A file could not be read or written: the option, the path and the reason.
    case io(String)

    public var description: String {
        switch self {
        case .malformedLine(let line, let e): "line \(line): \(e.description)"
        case .io(let message): message
        }
    }
}
