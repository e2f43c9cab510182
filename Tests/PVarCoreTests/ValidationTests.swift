// Every invalid input raises its typed error, naming the field; never a trap or a NaN.

import Foundation
import PVarCore
import Testing

/// Parses a JSON instance and returns the error it raises (nil if it parses).
func parseError(_ json: String) -> InputError? {
    do {
        _ = try Evaluation(InstanceFile.parse(Data(json.utf8)))
        return nil
    } catch {
        return error
    }
}

@Suite("Validation")
struct ValidationTests {
    static let cases: [(String, InputError.Kind, String)] = [
        (#"{"beta": -1, "theta": [0], "reference": [1], "rewards": [0]}"#, .nonPositiveBeta, "beta"),
        (#"{"beta": 0, "theta": [0], "reference": [1], "rewards": [0]}"#, .nonPositiveBeta, "beta"),
        (#"{"beta": 1, "theta": [0, 0], "reference": [0, 1], "rewards": [0, 1]}"#, .nonPositiveReference, "reference[0]"),
        (#"{"beta": 1, "theta": [0, 0], "reference": [-0.5, 1.5], "rewards": [0, 1]}"#, .nonPositiveReference, "reference[0]"),
        (#"{"beta": 1, "theta": [0, 0], "reference": [0.5, 0.6], "rewards": [0, 1]}"#, .notNormalized, "reference"),
        (#"{"beta": 1, "theta": [0, 0], "reference": [0.5, 0.5], "rewards": [0, 1], "pairs": [0.2, 0.2]}"#, .notNormalized, "pairs"),
        (#"{"beta": 1, "theta": [0, 0, 0], "reference": [0.25, 0.25, 0.5], "rewards": [0, 1, 2], "pairs": [0.75, -0.25, 0.5]}"#, .negativeWeight, "pairs[1]"),
        (#"{"beta": 1, "theta": [0, 0], "reference": [0.5, 0.5], "rewards": [0, 1, 2]}"#, .sizeMismatch, "rewards"),
        (#"{"beta": 1, "theta": [0, 0], "reference": [0.5, 0.5], "rewards": [0, 1], "pairs": [1]}"#, .sizeMismatch, "pairs"),
        (#"{"beta": 1, "theta": [0, 0, 0], "reference": [0.5, 0.5], "rewards": [0, 1]}"#, .sizeMismatch, "theta"),
        (#"{"beta": 1, "features": [[1, 2], [3, 4], [5, 6]], "theta": [0, 0], "reference": [0.5, 0.5], "rewards": [0, 1]}"#, .sizeMismatch, "features"),
        (#"{"beta": 1, "features": [[1, 2], [3]], "theta": [0, 0], "reference": [0.5, 0.5], "rewards": [0, 1]}"#, .raggedFeatures, "features[1]"),
        (#"{"beta": 1, "features": [[1], [3]], "theta": [0, 0], "reference": [0.5, 0.5], "rewards": [0, 1]}"#, .sizeMismatch, "features[0]"),
        (#"{"beta": 1, "theta": [], "reference": [], "rewards": []}"#, .noResponses, "reference"),
        (#"{"beta": 1, "features": [[]], "theta": [], "reference": [1], "rewards": [0]}"#, .emptyTheta, "theta"),
        (#"{"beta": 1, "theta": [0], "reference": [1]}"#, .missingKey, "rewards"),
        (#"{"beta": 1, "theta": [0], "reference": [1], "rewards": [0], "temperature": 2}"#, .unknownKey, "temperature"),
        (#"{"beta": true, "theta": [0], "reference": [1], "rewards": [0]}"#, .wrongType, "beta"),
        (#"{"beta": 1, "theta": [0, "x"], "reference": [0.5, 0.5], "rewards": [0, 1]}"#, .wrongType, "theta[1]"),
        (#"{"beta": 1, "theta": [0], "reference": [1], "rewards": [0], "pairs": "uniform"}"#, .wrongType, "pairs"),
        (#"{"beta": 1e999, "theta": [0], "reference": [1], "rewards": [0]}"#, .outOfRange, "beta"),
        (#"{"beta": 1, "theta": [0, 0], "reference": [0.5, 0.5], "rewards": [0, 1], "pairs": [1.5, -0.5]}"#, .notNormalized, "pairs[0]"),
        (#"{"beta": 1, "beta": 2, "theta": [0], "reference": [1], "rewards": [0]}"#, .malformed, "beta"),
        (#"{"beta": NaN, "theta": [0], "reference": [1], "rewards": [0]}"#, .malformed, "input"),
        (#"[1, 2]"#, .malformed, "input"),
        (#"{"beta": 1e307, "theta": [0, 700], "reference": [0.5, 0.5], "rewards": [0, 1]}"#, .outOfRange, "beta"),
        (#"{"beta": 1, "features": [[1e300], [-1e300]], "theta": [1e10], "reference": [0.5, 0.5], "rewards": [0, 1]}"#, .outOfRange, "theta"),
    ]

    @Test("each invalid input raises its error kind and names the field", arguments: 0..<cases.count)
    func invalidInputRaisesNamedError(_ i: Int) {
        let (json, kind, field) = Self.cases[i]
        let error = parseError(json)
        #expect(error?.kind == kind, "input: \(json) gave \(String(describing: error))")
        #expect(error?.field == field, "input: \(json) gave \(String(describing: error))")
        #expect(error.map { !$0.description.isEmpty && !$0.description.contains("\n") } ?? false)
    }

    @Test("non-finite numbers passed programmatically are rejected by name")
    func nonFiniteValuesAreRejected() {
        func kindAndField(_ make: () throws(InputError) -> Problem) -> (InputError.Kind, String)? {
            do { _ = try make(); return nil } catch { return (error.kind, error.field) }
        }
        let nan = Double.nan, inf = Double.infinity
        #expect(kindAndField { () throws(InputError) in try Problem(beta: nan, features: nil, theta: [0], reference: [1], rewards: [0]) }! == (.notFinite, "beta"))
        #expect(kindAndField { () throws(InputError) in try Problem(beta: 1, features: nil, theta: [inf], reference: [1], rewards: [0]) }! == (.notFinite, "theta[0]"))
        #expect(kindAndField { () throws(InputError) in try Problem(beta: 1, features: [[nan]], theta: [0], reference: [1], rewards: [0]) }! == (.notFinite, "features[0][0]"))
        #expect(kindAndField { () throws(InputError) in try Problem(beta: 1, features: nil, theta: [0], reference: [nan], rewards: [0]) }! == (.notFinite, "reference[0]"))
        #expect(kindAndField { () throws(InputError) in try Problem(beta: 1, features: nil, theta: [0], reference: [1], rewards: [-inf]) }! == (.notFinite, "rewards[0]"))
        #expect(kindAndField { () throws(InputError) in try Problem(beta: 1, features: nil, theta: [0], reference: [1], rewards: [0], pairs: .weights([nan])) }! == (.notFinite, "pairs[0]"))
    }

    @Test("a valid instance round-trips through the file format to the same doubles")
    func instanceFileRoundTrips() throws {
        let p = try Problem(beta: 0.1, features: [[0.1, -2.5e-300], [1e300, 0.3]], theta: [1 / 3, -0.0],
                            reference: [0.3, 0.7], rewards: [0.1, 0.2], pairs: .weights([0.25, 0.75]))
        let q = try InstanceFile.parse(Data(InstanceFile.encode(p).utf8))
        #expect(p == q)
    }
}
