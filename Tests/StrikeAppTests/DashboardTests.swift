import Foundation
import Hummingbird
import HummingbirdTesting
import HTTPTypes
import StrikeResources
import StrikeTestSupport
import Testing

/// The dashboard served from the binary: the page and every file of it, with its type, an ETag, and the
/// security headers; only modules loaded by URL, never an inline script; nothing fetched from elsewhere.
@Suite struct DashboardTests {
    static let files = Resources.paths.filter { $0.hasPrefix("dashboard/") }

    @Test func thePageAndEachOfItsFilesAreServedFromTheBinary() async throws {
        let api = try await APIWorld.make()
        #expect(Self.files.contains("dashboard/vendor/leaflet/leaflet.esm.js"), "Leaflet is built in")
        try await api.test { client in
            let page = try await client.get("/")
            #expect(page.status == .ok)
            #expect(page.headers[.contentType] == "text/html; charset=utf-8")
            #expect(page.headers[.contentSecurityPolicy]?.contains("default-src 'self'") == true)
            #expect(page.text.contains(#"<script type="module" src="/app/main.js"></script>"#))

            for path in Self.files {
                let answer = try await client.get("/app/" + path.dropFirst("dashboard/".count))
                #expect(answer.status == .ok, "\(path)")
                #expect(Data(buffer: answer.body) == Resources.file(path), "\(path) is served as built")
                let etag = try #require(answer.headers[.eTag])
                #expect(try await client.get("/app/" + path.dropFirst("dashboard/".count), headers: [.ifNoneMatch: etag]).status == .notModified)
            }
            #expect(try await client.get("/app/main.js").headers[.contentType] == "text/javascript; charset=utf-8")
            #expect(try await client.get("/app/style.css").headers[.contentType] == "text/css; charset=utf-8")
            #expect(try await client.get("/app/nothing.js").status == .notFound)
        }
    }

    @Test func ourOwnFilesHaveNoInlineScriptAndReachNothingOutsideTheAppliance() throws {
        for path in Self.files where !path.hasPrefix("dashboard/vendor/") {
            let text = String(decoding: try #require(Resources.file(path)), as: UTF8.self)
            // Only the reserved example domains (RFC 2606) may appear, in hints that show an address's form.
            let outside = text.matches(of: /https?:\/\/[^\s"'`]+/).map { String($0.output) }
                .filter { $0.firstMatch(of: /^https?:\/\/([a-z0-9-]+\.)*example(\.(com|net|org))?([\/:.]|$)/) == nil }
            #expect(outside.isEmpty, "\(path) names an outside address: \(outside)")
            #expect(!text.contains("innerHTML"), "\(path) parses data as HTML")
            if path.hasSuffix(".html") {
                let scripts = text.components(separatedBy: "<script").dropFirst()
                #expect(scripts.allSatisfy { $0.prefix { $0 != ">" }.contains("src=") }, "\(path) has an inline script")
                #expect(text.range(of: #"\son[a-z]+\s*="#, options: .regularExpression) == nil, "\(path) has an inline handler")
            }
        }
    }

    @Test func aStaleCookieDoesNotStopSignInAndAReloadedPageGetsItsCSRFToken() async throws {
        let api = try await APIWorld.make()
        try await api.test { client in
            let stale: HTTPFields = [.cookie: "strike_session=left-from-last-week", .contentType: "application/json"]
            let signedIn = try await client.post("/api/session", ["username": "noc-dispatcher", "password": APIWorld.password], headers: stale)
            #expect(signedIn.status == .ok, "\(signedIn.text)")

            let session = try await client.signIn("noc-dispatcher")
            let me = try await client.get("/api/me", headers: [.cookie: "strike_session=\(session.cookie)"])
            #expect(me.json["csrfToken"] as? String == session.csrf)
        }
    }
}
