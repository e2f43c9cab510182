import Foundation
import PVarCore
import PVarCertify
import Testing

@Suite("EdgeCases")
struct EdgeCaseTests {
    @Test func explore() throws {
        let ps: [(String, Problem)] = [
            ("k1", try Problem(beta: 0.7, features: [[1.5, -0.25]], theta: [0.3, 2.0], reference: [1.0], rewards: [4.0])),
            ("k1tab", try Problem(beta: 0.7, features: nil, theta: [0.3], reference: [1.0], rewards: [4.0])),
            ("ident", try Problem(beta: 1.3, features: [[0.5, 2.0], [0.5, 2.0], [0.5, 2.0], [0.5, 2.0]], theta: [1.0, -1.0], reference: [0.1, 0.2, 0.3, 0.4], rewards: [1.0, -2.0, 0.5, 3.0])),
            ("onehot40", try Problem(beta: 0.1, features: nil, theta: [0, -40, -80], reference: [1.0/3, 1.0/3, 1.0/3], rewards: [0, 1, 2])),
            ("onehot800", try Problem(beta: 0.1, features: nil, theta: [0, -800, -800], reference: [1.0/3, 1.0/3, 1.0/3], rewards: [0, 1, 2])),
            ("l700", try Problem(beta: 1, features: nil, theta: [700, -700, 0], reference: [1.0/3, 1.0/3, 1.0/3], rewards: [0, 1, 2])),
            ("l710ref", try Problem(beta: 1, features: nil, theta: [710, -710, 0], reference: [1.0/3, 1.0/3, 1.0/3], rewards: [0, 1, 2], pairs: .reference)),
            ("l700f", try Problem(beta: 1, features: [[1],[-1],[0]], theta: [700], reference: [1.0/3, 1.0/3, 1.0/3], rewards: [0, 1, 2], pairs: .reference)),
            ("tinyref", try Problem(beta: 0.5, features: nil, theta: [log(1e-300), log(0.5), log(0.5)], reference: [1e-300, 0.5, 0.5], rewards: [3, 0, 1])),
            ("subref", try Problem(beta: 0.5, features: nil, theta: [log(0x1p-1074), log(0.5), log(0.5)], reference: [0x1p-1074, 0.5, 0.5], rewards: [3, 0, 1])),
            ("eqrew-exact", try Problem(beta: 2, features: [[1, 0], [1, 1], [1, -2]], theta: [0.7, 0], reference: [1.0/3, 1.0/3, 1.0/3], rewards: [1.5, 1.5, 1.5])),
            ("eqrew-round", try Problem(beta: 2, features: nil, theta: [0.1, 0.2, 0.3, 0.4].map { log($0) }, reference: [0.1, 0.2, 0.3, 0.4], rewards: [1.5, 1.5, 1.5, 1.5])),
            ("eqrew-away", try Problem(beta: 2, features: [[1, 0], [1, 1], [1, -2]], theta: [0.7, 0.4], reference: [1.0/3, 1.0/3, 1.0/3], rewards: [1.5, 1.5, 1.5])),
        ]
        for (name, p) in ps {
            let e = try Evaluation(p)
            print("=== \(name)")
            print(e.json())
            print(certify(p).json())
        }
    }
}
