import Crypto
import Foundation
import Hummingbird
import HTTPTypes
import StrikeResources
import StrikeStore

/// The dashboard (DESIGN §1): plain HTML, CSS and JavaScript modules from `Resources/dashboard`, with Leaflet,
/// built into the binary and served from memory. `/` is the page, `/app/…` its files. They need no
/// credentials: the page signs in through the API like any client. The page's policy lets images come from the
/// tile servers the tenants configured, and from nowhere else outside the appliance.
struct DashboardRoutes {
    static let page = "dashboard/index.html"
    let store: any TenantDirectory

    func register(on router: Router<StrikeRequestContext>) {
        router.get("/") { [store] request, _ in
            let policy = SecurityHeadersMiddleware<StrikeRequestContext>.contentSecurityPolicy(tileOrigins: try await store.tileOrigins())
            return try Self.serve(Self.page, request, policy: policy)
        }
        router.get("/app/**") { request, context in
            try Self.serve("dashboard/" + context.parameters.getCatchAll().joined(separator: "/"), request)
        }
    }

    /// The file with its type and an ETag; `304` when the browser already has this version. A page's own
    /// `policy` is part of its version, so a browser never keeps a page under a policy that has changed.
    static func serve(_ path: String, _ request: Request, policy: String? = nil) throws -> Response {
        guard let data = Resources.file(path) else { throw Problem.notFound("there is no such file") }
        let etag = "\"" + SHA256.hash(data: data + Data((policy ?? "").utf8)).prefix(12).map { String(format: "%02x", $0) }.joined() + "\""
        var headers: HTTPFields = [.eTag: etag, .cacheControl: "no-cache"]
        if let policy { headers[.contentSecurityPolicy] = policy }
        if request.headers[.ifNoneMatch] == etag { return Response(status: .notModified, headers: headers) }
        headers[.contentType] = contentType(of: path)
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(data: data)))
    }

    static func contentType(of path: String) -> String {
        switch path.split(separator: ".").last ?? "" {
        case "html": "text/html; charset=utf-8"
        case "js": "text/javascript; charset=utf-8"
        case "css": "text/css; charset=utf-8"
        case "json": "application/json"
        case "png": "image/png"
        case "svg": "image/svg+xml"
        default: "application/octet-stream"
        }
    }
}
