// Typed errors for everything a user can type or put in a file.

/// A problem with user input: names the field, says what is wrong and how to fix it.
///
/// The CLI prints `description` as its one-line error message and exits non-zero.
public struct InputError: Error, Equatable, CustomStringConvertible, Sendable {
    /// What kind of mistake this is (tests assert on the kind, users read the text).
    public enum Kind: String, Sendable, Equatable {
        case notFinite
        case nonPositiveBeta
        case nonPositiveReference
        case notNormalized
        case negativeWeight
        case sizeMismatch
        case raggedFeatures
        case noResponses
        case emptyTheta
        case outOfRange
        case malformed
        case missingKey
        case unknownKey
        case wrongType
    }

    public let kind: Kind
    /// The input field at fault, as a path (`reference[2]`, `features[1][0]`, `beta`).
    public let field: String
    /// What is wrong, in plain words.
    public let problem: String
    /// How to fix it.
    public let fix: String

    public init(_ kind: Kind, field: String, problem: String, fix: String) {
        self.kind = kind
        self.field = field
        self.problem = problem
        self.fix = fix
    }

    public var description: String { "\(field): \(problem); \(fix)" }
}
