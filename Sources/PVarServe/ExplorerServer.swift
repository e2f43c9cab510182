// The explorer's HTTP server (Hummingbird 2): the page, the API, the Proofs pages.

import Foundation
import Hummingbird
import Logging
import NIOCore

/// Where the server listens and what it serves.
public struct ExplorerConfiguration: Sendable {
    public var host: String
    /// 0 picks a free port (the address printed once the server runs says which).
    public var port: Int
    public var proofs: ProofsLibrary

    public init(host: String = "127.0.0.1", port: Int = 8080, proofs: ProofsLibrary = ProofsLibrary()) {
        self.host = host
        self.port = port
        self.proofs = proofs
    }
}

/// The routes:
/// - `GET /`: the page (`explorerPage`);
/// - `GET /api/setup`: presets and links (`ProofsLibrary.setupJSON`);
/// - `POST /api/evaluate`, `/api/certify`, `/api/explore`, `/api/at-reference`: `ExplorerAPI`;
/// - `GET /docs/NAME.md`: a Proofs page.
/// Bodies above `ExplorerAPI.maximumBodyBytes` get 413; unknown paths 404.
public func explorerRouter(_ configuration: ExplorerConfiguration) -> Router<BasicRequestContext> {
    let router = Router()
    let proofs = configuration.proofs
    let setup = proofs.setupJSON()
    router.get("/") { _, _ in reply(APIReply(status: 200, contentType: "text/html; charset=utf-8", body: explorerPage)) }
    router.get("/api/setup") { _, _ in reply(.json(setup)) }
    router.get("/docs/:name") { _, context in
        guard let name = context.parameters.get("name"), let page = proofs.htmlPage(name) else {
            return reply(APIReply(status: 404, contentType: "text/plain; charset=utf-8", body: "no such page\n"))
        }
        return reply(APIReply(status: 200, contentType: "text/html; charset=utf-8", body: page))
    }
    let routes: [(String, @Sendable (Data) -> APIReply)] = [
        ("/api/evaluate", { ExplorerAPI.evaluate($0, certify: false) }),
        ("/api/certify", { ExplorerAPI.evaluate($0, certify: true) }),
        ("/api/explore", ExplorerAPI.explore),
        ("/api/at-reference", ExplorerAPI.atReference),
    ]
    for (path, handle) in routes {
        router.post(RouterPath(path)) { request, _ in
            // collect(upTo:) throws HTTPError(.contentTooLarge): the client gets 413.
            let buffer = try await request.body.collect(upTo: ExplorerAPI.maximumBodyBytes)
            return reply(handle(Data(buffer.readableBytesView)))
        }
    }
    return router
}

/// The application: `explorerRouter` on the configured address; `onReady` gets the URL once
/// the server listens (with the real port when `port` is 0).
public func explorerApplication(_ configuration: ExplorerConfiguration,
                                onReady: @escaping @Sendable (String) async -> Void = { _ in }) -> some ApplicationProtocol {
    var logger = Logger(label: "pvar-serve")
    logger.logLevel = .warning
    let host = configuration.host
    return Application(
        router: explorerRouter(configuration),
        configuration: .init(address: .hostname(host, port: configuration.port), serverName: "pvar"),
        onServerRunning: { channel in
            let port = channel.localAddress?.port ?? configuration.port
            await onReady("http://\(host.contains(":") ? "[\(host)]" : host):\(port)/")
        },
        logger: logger
    )
}

func reply(_ r: APIReply) -> Response {
    Response(status: .init(code: r.status), headers: [.contentType: r.contentType, .cacheControl: "no-store"],
             body: .init(byteBuffer: ByteBuffer(string: r.body)))
}
