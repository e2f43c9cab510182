// The explorer's API through Hummingbird's test client: the same bytes as `pvar evaluate`, the
// CLI's error lines, the body limit on each side, concurrent requests, the page and its docs.

import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Hummingbird
import HummingbirdTesting
import NIOCore
import PVarCore
import PVarGSL
import PVarServe
import PVarTestSupport
import Testing

/// The `pvar` binary: `PVAR_BIN` (set by `make test`), else the debug build.
let pvarBinary: String = ProcessInfo.processInfo.environment["PVAR_BIN"]
    ?? packageRoot.appendingPathComponent(".build/debug/pvar").path

let proofs = ProofsLibrary(directory: packageRoot.appendingPathComponent("Proofs").path)

func explorer() -> some ApplicationProtocol {
    Application(router: explorerRouter(ExplorerConfiguration(proofs: proofs)))
}

/// One request's status and body text.
func send(_ client: any TestClientProtocol, _ method: HTTPRequest.Method, _ uri: String, _ body: String? = nil) async throws
    -> (status: Int, body: String) {
    let response = try await client.execute(uri: uri, method: method, body: body.map { ByteBuffer(string: $0) })
    return (response.status.code, String(buffer: response.body))
}

/// `pvar evaluate --input -` on `text` (with `--certify` when asked).
func cliEvaluate(_ text: String, certify: Bool = false) throws -> RunResult {
    try runProcess(pvarBinary, ["evaluate", "--input", "-"] + (certify ? ["--certify"] : []), stdin: text)
}

/// The walkthrough's example files.
func exampleFiles() throws -> [(name: String, text: String)] {
    let dir = packageRoot.appendingPathComponent("Proofs/examples")
    return try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".json") }.sorted().map {
        ($0, try String(contentsOf: dir.appendingPathComponent($0), encoding: .utf8))
    }
}

/// Seeded random instances of every regime and family (K up to 24), and sequence instances.
func randomInstances(_ count: Int) -> [(replay: String, text: String)] {
    let small = InstanceGenerator(runSeed: runSeed, limits: GeneratorLimits(responses: 1...24, dimension: 1...6))
    var out = spread(count).map { regime, family, index in
        (replay(regime, family, index) + " --max-responses 24 --max-dim 6", InstanceFile.encode(small.instance(regime, family, index: index)))
    }
    for i in 0..<3 {
        out.append(("sequence instance \(i), seed \(runSeed)", InstanceFile.encode(small.sequenceInstance(.general, index: i))))
    }
    return out
}

/// Malformed or invalid bodies, each a different error of the CLI.
let badBodies = [
    "",
    "not json",
    "[1, 2]",
    #"{"beta": -1, "theta": [0, 0], "reference": [0.5, 0.5], "rewards": [1, 0]}"#,
    #"{"beta": 1, "theta": [0, 0], "reference": [0.5, 0.6], "rewards": [1, 0]}"#,
    #"{"beta": 1, "theta": [0, 0], "reference": [0.5, 0.5], "rewards": [1, 0], "color": 3}"#,
    #"{"beta": 1e400, "theta": [0, 0], "reference": [0.5, 0.5], "rewards": [1, 0]}"#,
    #"{"beta": 1, "beta": 2, "theta": [0, 0], "reference": [0.5, 0.5], "rewards": [1, 0]}"#,
    #"{"beta": 1, "features": [[1, 2], [3]], "theta": [0, 0], "reference": [0.5, 0.5], "rewards": [1, 0]}"#,
    #"{"beta": 1, "theta": [0, 0], "reference": [0.5, 0.5], "rewards": [1, "a"]}"#,
    #"{"beta": 1e300, "features": [[1e300], [-1e300]], "theta": [1e300], "reference": [0.5, 0.5], "rewards": [1, 0]}"#,
]

/// `pvar serve --port 0` as a child process, and the address it printed.
final class ServerProcess {
    let process = Process()
    let url: URL

    init() throws {
        let output = Pipe()
        process.executableURL = URL(fileURLWithPath: pvarBinary)
        process.arguments = ["serve", "--port", "0"]
        process.standardOutput = output
        try process.run()
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        let text = String(decoding: line, as: UTF8.self)
        guard let address = text.components(separatedBy: "is at ").last?.split(separator: " ").first,
              text.contains("is at "), let url = URL(string: String(address)) else {
            process.terminate()
            throw ServerFailure(message: "pvar serve printed \(text)")
        }
        self.url = url
    }

    func stop() {
        process.terminate()
        process.waitUntilExit()
    }
}

struct ServerFailure: Error { let message: String }

/// Failures collected from URLSession's callback threads.
final class Tally: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var items: [String] = []
    func add(_ s: String) { lock.lock(); items.append(s); lock.unlock() }
}

@Suite("Explorer API")
struct ExplorerAPITests {
    @Test("POST /api/evaluate gives pvar evaluate's bytes on the walkthrough's examples and on random instances")
    func evaluateIsTheCLI() async throws {
        let cases = try exampleFiles().map { ($0.name, $0.text) } + randomInstances(24)
        var expected: [String] = []
        for (name, text) in cases {
            let cli = try cliEvaluate(text)
            #expect(cli.status == 0, "\(name): \(cli.stderr)")
            expected.append(cli.stdout)
        }
        let outputs = expected
        try await explorer().test(.router) { client in
            for ((name, text), cli) in zip(cases, outputs) {
                let answer = try await send(client, .post, "/api/evaluate", text)
                #expect(answer.status == 200, "\(name)")
                #expect(answer.body == cli, "\(name): the API's bytes differ from pvar evaluate's")
            }
        }
    }

    @Test("POST /api/certify gives pvar evaluate --certify's bytes")
    func certifyIsTheCLI() async throws {
        let cases = try exampleFiles().map { ($0.name, $0.text) } + randomInstances(6).prefix(6)
        try await explorer().test(.router) { client in
            for (name, text) in cases {
                let cli = try cliEvaluate(text, certify: true)
                #expect(cli.status == 0 && cli.stdout.contains("\"certified\""), "\(name)")
                let answer = try await send(client, .post, "/api/certify", text)
                #expect(answer.status == 200 && answer.body == cli.stdout, "\(name)")
            }
        }
    }

    @Test("a bad body gets 400 with the line pvar prints for the same bytes")
    func badBodiesAreTheCLIsErrors() async throws {
        try await explorer().test(.router) { client in
            for body in badBodies {
                let cli = try cliEvaluate(body)
                #expect(cli.status == 1 && cli.stdout.isEmpty, "\(body)")
                #expect(cli.stderr.hasPrefix("pvar: error: ") && cli.stderr.filter { $0 == "\n" }.count == 1, "\(cli.stderr)")
                for path in ["/api/evaluate", "/api/certify"] {
                    let answer = try await send(client, .post, path, body)
                    #expect(answer.status == 400, "\(path) \(body)")
                    #expect(answer.body == cli.stderr, "\(path) \(body): \(answer.body) vs \(cli.stderr)")
                }
            }
        }
    }

    @Test("the body limit: maximumBodyBytes bytes are read, one more byte gets 413")
    func bodyLimit() async throws {
        #expect(ExplorerAPI.maximumBodyBytes == 1 << 20)
        let instance = try #require(try exampleFiles().first).text
        let atLimit = instance + String(repeating: " ", count: ExplorerAPI.maximumBodyBytes - instance.utf8.count)
        #expect(atLimit.utf8.count == ExplorerAPI.maximumBodyBytes)
        let expected = try cliEvaluate(instance).stdout
        try await explorer().test(.router) { client in
            for path in ["/api/evaluate", "/api/explore", "/api/at-reference", "/api/certify"] {
                let over = try await send(client, .post, path, atLimit + " ")
                #expect(over.status == 413, "\(path)")
            }
            let at = try await send(client, .post, "/api/evaluate", atLimit)
            #expect(at.status == 200 && at.body == expected)
            let huge = try await send(client, .post, "/api/evaluate", String(repeating: "[", count: 8 << 20))
            #expect(huge.status == 413)
        }
    }

    @Test("300 concurrent requests (64 in flight) to a running pvar serve are each answered with their own bytes")
    func concurrentRequests() throws {
        // The server runs as its own process and the requests come from URLSession's threads, so
        // the other suites' work on this process's task pool cannot starve either side.
        let bodies = randomInstances(24).map(\.text) + badBodies
        let expected = bodies.map { ExplorerAPI.evaluate(Data($0.utf8), certify: false) }
        #expect(expected[0].body == (try cliEvaluate(bodies[0]).stdout))
        let server = try ServerProcess()
        defer { server.stop() }
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpMaximumConnectionsPerHost = 64
        configuration.timeoutIntervalForRequest = 120
        let session = URLSession(configuration: configuration)
        let total = 300, inFlight = DispatchSemaphore(value: 64), done = DispatchGroup()
        let wrong = Tally()
        for i in 0..<total {
            inFlight.wait()
            done.enter()
            let k = i % bodies.count
            var request = URLRequest(url: server.url.appendingPathComponent("api/evaluate"))
            request.httpMethod = "POST"
            request.httpBody = Data(bodies[k].utf8)
            session.dataTask(with: request) { data, response, error in
                let status = (response as? HTTPURLResponse)?.statusCode ?? -1
                let body = data.map { String(decoding: $0, as: UTF8.self) } ?? ""
                if error != nil || status != expected[k].status || body != expected[k].body { wrong.add("request \(i): \(status) \(error.map { "\($0)" } ?? "")") }
                inFlight.signal()
                done.leave()
            }.resume()
        }
        done.wait()
        #expect(wrong.items.isEmpty, "\(wrong.items.count) of \(total) answers wrong: \(wrong.items.prefix(3))")
    }

    @Test("POST /api/explore: the instance file, pvar evaluate's bytes on it, and p, q from the library")
    func explore() async throws {
        let shapes = InstanceGenerator(runSeed: runSeed, limits: GeneratorLimits(responses: 2...6, dimension: 1...2))
        var drafts: [ExplorerDraft] = []
        for (regime, family, index) in spread(30) {
            if let d = ExplorerDraft(shapes.instance(regime, family, index: index)) { drafts.append(d) }
        }
        // Unnormalised reference weights and uniform pairs, as the page's sliders send them.
        drafts.append(ExplorerDraft(beta: 0.5, logits: [0.3, -1, 2], referenceWeights: [1, 2, 3.5], rewards: [1, 0, -0.25], pairs: "uniform"))
        drafts.append(ExplorerDraft(beta: 2, features: [[1, 0], [0, 1], [1, 1], [-1, 0]], theta: [0.5, -0.25],
                                    referenceWeights: [0.05, 5, 1, 1], rewards: [0, 1, 3, -2], pairs: "reference"))
        #expect(drafts.count >= 20)
        let cases = drafts
        struct Matrices: Decodable { let modelPreference: [[Double]]; let labelPreference: [[Double]] }
        try await explorer().test(.router) { client in
            for draft in cases {
                let body = String(decoding: try JSONEncoder().encode(draft), as: UTF8.self)
                let problem = try draft.problem()
                let instance = InstanceFile.encode(problem)
                let cli = try cliEvaluate(instance)
                let answer = try await send(client, .post, "/api/explore", body)
                #expect(answer.status == 200, "\(body): \(answer.body)")
                #expect(answer.body.hasPrefix("{\"instance\": \(instance), \"evaluation\": \(cli.stdout), \"modelPreference\": "), "\(body)")
                let m = try JSONDecoder().decode(Matrices.self, from: Data(answer.body.utf8))
                let e = try Evaluation(problem)
                let k = problem.responseCount
                #expect(m.modelPreference == (0..<k).map { i in (0..<k).map { j in e.modelPreference(i, j) } })
                #expect(m.labelPreference == (0..<k).map { i in (0..<k).map { j in e.labelPreference(i, j) } })
                let sum = draft.referenceWeights.reduce(0, +)
                if abs(sum - 1) > normalizationTolerance {
                    #expect(problem.reference == draft.referenceWeights.map { $0 / sum })
                } else {
                    #expect(problem.reference == draft.referenceWeights)
                }
            }
            let bad = try await send(client, .post, "/api/explore", #"{"beta": 1, "logits": [0, 0], "referenceWeights": [1, 0], "rewards": [1, 0], "pairs": "policy"}"#)
            #expect(bad.status == 400 && bad.body.hasPrefix("pvar: error: referenceWeights[1]: "))
            let both = try await send(client, .post, "/api/explore", #"{"beta": 1, "referenceWeights": [1, 1], "rewards": [1, 0], "pairs": "policy"}"#)
            #expect(both.status == 400 && both.body.hasPrefix("pvar: error: logits: "))
        }
    }

    @Test("POST /api/at-reference puts a tabular policy at the reference, moves a feature policy's reference, and says when it cannot")
    func atReference() async throws {
        struct Evaluated: Decodable {
            struct Bound: Decodable { let applies: Bool }
            let atReference: Bool
            let policy: [Double]
            let bounds: [String: Bound]
        }
        struct Explored: Decodable { let evaluation: Evaluated }
        let drafts = [
            ExplorerDraft(beta: 1, logits: [1, -0.5, 2, 0], referenceWeights: [1, 2, 3, 4], rewards: [0, 1, 2, 3]),
            ExplorerDraft(beta: 0.1, features: [[1, 0], [0, 1], [1, 1]], theta: [1.5, -2], referenceWeights: [1, 1, 1], rewards: [0, 1, 3]),
            ExplorerDraft(beta: 3, features: [[0], [1], [-2]], theta: [0.75], referenceWeights: [0.2, 0.3, 0.5], rewards: [2, 0, 1], pairs: "uniform"),
        ]
        try await explorer().test(.router) { client in
            for draft in drafts {
                let before = try await send(client, .post, "/api/explore", String(decoding: try JSONEncoder().encode(draft), as: UTF8.self))
                let was = try JSONDecoder().decode(Explored.self, from: Data(before.body.utf8)).evaluation
                #expect(!was.atReference && !(was.bounds["B2"]?.applies ?? true))
                let moved = try await send(client, .post, "/api/at-reference", String(decoding: try JSONEncoder().encode(draft), as: UTF8.self))
                #expect(moved.status == 200, "\(moved.body)")
                let after = try await send(client, .post, "/api/explore", moved.body)
                let now = try JSONDecoder().decode(Explored.self, from: Data(after.body.utf8)).evaluation
                // B2 and B3 as posed need the pairs drawn from the policy too (the third draft's are uniform).
                #expect(now.atReference)
                #expect(now.bounds["B2"]?.applies == (draft.pairs == "policy") && now.bounds["B3"]?.applies == (draft.pairs == "policy"))
                let m = try JSONDecoder().decode(ExplorerDraft.self, from: Data(moved.body.utf8))
                if draft.logits != nil {
                    #expect(m.referenceWeights == draft.referenceWeights.map { $0 / draft.referenceWeights.reduce(0, +) } && m.rewards == draft.rewards)
                } else {
                    #expect(m.theta == draft.theta && m.features == draft.features && m.referenceWeights == was.policy)
                }
            }
            // A policy probability that underflows to 0 cannot become a reference probability.
            let underflow = ExplorerDraft(beta: 1, features: [[0], [1]], theta: [800], referenceWeights: [1, 1], rewards: [1, 0])
            let refused = try await send(client, .post, "/api/at-reference", String(decoding: try JSONEncoder().encode(underflow), as: UTF8.self))
            #expect(refused.status == 400 && refused.body.hasPrefix("pvar: error: reference[0]: "), "\(refused.body)")
        }
    }

    @Test("the page loads nothing from elsewhere, and the presets and links resolve to Proofs pages and headings")
    func pageAndDocs() async throws {
        struct Setup: Decodable {
            struct Preset: Decodable { let name: String; let link: String?; let draft: ExplorerDraft }
            let presets: [Preset]
            let links: [String: String]
        }
        try await explorer().test(.router) { client in
            let page = try await send(client, .get, "/")
            #expect(page.status == 200 && page.body.hasPrefix("<!doctype html>"))
            #expect(!page.body.contains("http://") && !page.body.contains("https://") && !page.body.contains("src=\"//"))
            let setup = try JSONDecoder().decode(Setup.self, from: Data(try await send(client, .get, "/api/setup").body.utf8))
            #expect(setup.presets.count == 7 && setup.presets.allSatisfy { $0.link != nil })
            #expect(Set(setup.links.keys).isSuperset(of: ["gradient", "pvarLabels", "pvarPolicy", "B0", "B1", "B2", "B3", "atReference", "C1"]))
            for url in Array(setup.links.values) + setup.presets.compactMap(\.link) {
                let parts = url.split(separator: "#", maxSplits: 1).map(String.init)
                let doc = try await send(client, .get, parts[0])
                #expect(doc.status == 200, "\(url)")
                if parts.count == 2 { #expect(doc.body.contains("id=\"\(parts[1])\""), "\(url): no such heading") }
            }
            for preset in setup.presets {
                let answer = try await send(client, .post, "/api/explore", String(decoding: try JSONEncoder().encode(preset.draft), as: UTF8.self))
                #expect(answer.status == 200, "\(preset.name)")
            }
            let files = Set(try exampleFiles().map { InstanceFile.encode(try InstanceFile.parse(Data($0.text.utf8))) })
            // The presets of the example files give back those files exactly.
            let presetInstances = Set(try setup.presets.prefix(6).map { InstanceFile.encode(try $0.draft.problem()) })
            #expect(presetInstances == files)
            for bad in ["/docs/..%2FPackage.swift", "/docs/Package.swift", "/docs/.md", "/docs/examples%2Fk2-small-gap.json", "/docs/nothing.md"] {
                #expect(try await send(client, .get, bad).status == 404, "\(bad)")
            }
        }
    }

    @Test("pvar links no server code; pvar-serve does (so the check can fail)")
    func serverIsItsOwnExecutable() throws {
        let marker = Data("Hummingbird".utf8)
        let pvar = try Data(contentsOf: URL(fileURLWithPath: pvarBinary))
        let server = try Data(contentsOf: URL(fileURLWithPath: pvarBinary).deletingLastPathComponent().appendingPathComponent("pvar-serve"))
        #expect(pvar.range(of: marker) == nil)
        #expect(server.range(of: marker) != nil)
    }

    @Test("pvar serve refuses a bad port and a taken one with one line")
    func serveErrors() throws {
        let bad = try runProcess(pvarBinary, ["serve", "--port", "70000"])
        #expect(bad.status != 0 && bad.stderr == "pvar: error: --port must be in 0...65535, got 70000\n")
        let proofsMissing = try runProcess(pvarBinary, ["serve", "--port", "0", "--proofs", "/nonexistent"])
        #expect(proofsMissing.status != 0 && proofsMissing.stderr.hasPrefix("pvar: error: --proofs: ") && proofsMissing.stderr.filter { $0 == "\n" }.count == 1,
                "\(proofsMissing.stderr)")
    }
}
