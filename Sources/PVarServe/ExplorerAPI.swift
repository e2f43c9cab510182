// The explorer's JSON API, independent of the HTTP server: bytes in, status and bytes out.

import Foundation
import PVarCertify
import PVarCore
import PVarReport

/// One answer of the API.
public struct APIReply: Sendable, Equatable {
    public let status: Int
    public let contentType: String
    public let body: String

    static func json(_ body: String) -> APIReply { APIReply(status: 200, contentType: "application/json", body: body) }
    /// A bad request: the line `pvar` prints for the same mistake (`pvar: error: field: ...`).
    static func badRequest(_ error: InputError) -> APIReply {
        APIReply(status: 400, contentType: "text/plain; charset=utf-8", body: errorLine(error.description))
    }
}

/// The API's routes as functions (the server only moves bytes; the tests call both).
public enum ExplorerAPI {
    /// Largest request body accepted (larger ones get 413 before being read to the end): 1 MiB
    /// holds an instance of K = 4,096 tabular responses or K x d = 40,000 feature entries, far
    /// beyond what the page sends (K <= 6); a bigger instance belongs to `pvar evaluate`.
    public static let maximumBodyBytes = 1 << 20

    /// `POST /api/evaluate` (and `/api/certify` with `certify`): exactly `pvar evaluate [--certify]`
    /// on the body: the same function, so the same bytes; a bad body gets 400 with the CLI's line.
    public static func evaluate(_ body: Data, certify: Bool) -> APIReply {
        do {
            let e = try evaluateInstance(body)
            let certificate = certify ? PVarCertify.certify(e.problem) : nil
            return .json(evaluationJSON(e, certificate: certificate, overrides: []))
        } catch {
            return .badRequest(error)
        }
    }

    /// `POST /api/explore`: the page's draft (`ExplorerDraft`) -> `{"instance": the instance file,
    /// "evaluation": pvar evaluate's output on that file, "modelPreference": p(i, j),
    /// "labelPreference": q(i, j)}` (K x K each). The evaluation is computed from the instance
    /// file's bytes, so it is what `pvar evaluate` prints for the file the page shows.
    public static func explore(_ body: Data) -> APIReply {
        do {
            let instance = InstanceFile.encode(try ExplorerDraft.parse(body).problem())
            let e = try evaluateInstance(Data(instance.utf8))
            let k = e.problem.responseCount
            func matrix(_ f: (Int, Int) -> Double) -> String {
                "[" + (0..<k).map { i in "[" + (0..<k).map { j in json(f(i, j)) }.joined(separator: ", ") + "]" }
                    .joined(separator: ", ") + "]"
            }
            return .json("{\"instance\": \(instance), \"evaluation\": \(evaluationJSON(e, certificate: nil, overrides: [])), "
                         + "\"modelPreference\": \(matrix(e.modelPreference)), \"labelPreference\": \(matrix(e.labelPreference))}\n")
        } catch {
            return .badRequest(error)
        }
    }

    /// `POST /api/at-reference`: the draft moved onto the reference (`Evaluation.movedToReference`:
    /// tabular logits := log of the reference; a feature policy keeps theta and the reference
    /// becomes the policy), as a draft.
    public static func atReference(_ body: Data) -> APIReply {
        do throws(InputError) {
            let moved = try Evaluation(ExplorerDraft.parse(body).problem()).movedToReference()
            guard let draft = ExplorerDraft(moved) else {
                throw InputError(.malformed, field: "input", problem: "has a form the page cannot show", fix: "use logits or features")
            }
            return .json(encode(draft))
        } catch {
            return .badRequest(error)
        }
    }

    /// A draft as JSON, numbers in the shortest form that reads back to the same double.
    static func encode(_ d: ExplorerDraft) -> String {
        func array(_ v: [Double]) -> String { "[" + v.map(json).joined(separator: ", ") + "]" }
        var fields = ["\"beta\": \(json(d.beta))"]
        if let l = d.logits { fields.append("\"logits\": \(array(l))") }
        if let f = d.features { fields.append("\"features\": [" + f.map(array).joined(separator: ", ") + "]") }
        if let t = d.theta { fields.append("\"theta\": \(array(t))") }
        fields.append("\"referenceWeights\": \(array(d.referenceWeights))")
        fields.append("\"rewards\": \(array(d.rewards))")
        fields.append("\"pairs\": \"\(d.pairs)\"")
        return "{" + fields.joined(separator: ", ") + "}\n"
    }

    /// A finite double in shortest round-trip form (`InstanceFile.format`); non-finite as null.
    static func json(_ x: Double) -> String { x.isFinite ? InstanceFile.format(x) : "null" }
}
