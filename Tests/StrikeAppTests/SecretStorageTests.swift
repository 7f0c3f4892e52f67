import Foundation
import StrikeApp
import StrikeCore
import StrikeStore
import StrikeTestSupport
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The real `strike serve`, its log at trace level, the database file and the key file it makes: a secret
/// written through the API is in none of the answers or log lines, and in the file only sealed.
@Suite struct SecretStorageTests {
    private struct Client {
        let base: String
        let session: URLSession = {
            let configuration = URLSessionConfiguration.ephemeral
            configuration.httpCookieStorage = nil
            configuration.httpShouldSetCookies = false
            return URLSession(configuration: configuration)
        }()

        func call(_ method: String, _ path: String, _ body: [String: Any]? = nil, cookie: (String, String)? = nil) async throws -> (Int, String, String?) {
            var request = URLRequest(url: URL(string: base + path)!)
            request.httpMethod = method
            if let body {
                request.httpBody = try JSONSerialization.data(withJSONObject: body)
                request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            }
            if let (value, csrf) = cookie {
                request.setValue("strike_session=\(value)", forHTTPHeaderField: "Cookie")
                request.setValue(csrf, forHTTPHeaderField: "X-CSRF-Token")
            }
            let (data, response) = try await session.data(for: request)
            let http = response as! HTTPURLResponse
            return (http.statusCode, String(decoding: data, as: UTF8.self), http.value(forHTTPHeaderField: "Set-Cookie"))
        }

        func signIn(_ username: String) async throws -> (String, String) {
            let (status, body, setCookie) = try await call("POST", "/api/session", ["username": username, "password": APIWorld.password])
            #expect(status == 200, "\(body)")
            let cookie = try #require(setCookie?.split(separator: ";").first?.split(separator: "=", maxSplits: 1).last)
            let csrf = try #require((try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])?["csrfToken"] as? String)
            return (String(cookie), csrf)
        }
    }

    @Test func secretsAreInNoAnswerNoLogLineAndTheDatabaseFileOnlySealed() async throws {
        let directory = try TemporaryDirectory()
        let database = directory.path("secrets.db"), keyFile = database + ".key"
        do {
            let store = try StrikeStore(path: database)
            try await TestWorld.seedTenants(store)
            for (username, tenant) in [("osp-admin", TestWorld.osp), ("noc-admin", TestWorld.noc)] {
                let admin = NewAccount(
                    username: username, displayName: username, password: APIWorld.password, isOwner: false,
                    membership: NewAccount.Membership(tenant: tenant, role: .admin))
                _ = try await store.createAccount(admin, passwordCost: 4, actor: .system("test"))
            }
        }
        let port = Int.random(in: 20000...40000)
        let server = try RunningProduct(
            "strike", ["serve", "--db", database, "--host", "127.0.0.1", "--port", "\(port)", "--log-level", "trace"])
        #expect(try await server.wait(upTo: 30) { $0.lines.contains { $0.contains("Server started") } }, "\(server.standardError)")
        let attributes = try FileManager.default.attributesOfItem(atPath: keyFile)
        #expect((attributes[.posixPermissions] as? NSNumber)?.int16Value == 0o600)

        let client = Client(base: "http://127.0.0.1:\(port)")
        let osp = try await client.signIn("osp-admin"), noc = try await client.signIn("noc-admin")
        var answers: [String] = []
        for (method, path, body, cookie) in [
            ("PUT", "/api/render-instance", FieldAccountAPITests.render, osp),
            ("PUT", "/api/twilio-account", FieldAccountAPITests.twilio, noc),
            ("GET", "/api/render-instance", nil, osp),
            ("GET", "/api/twilio-account", nil, noc),
            ("GET", "/api/tenant-audit-log", nil, osp),
            ("GET", "/api/tenant-audit-log", nil, noc),
        ] as [(String, String, [String: Any]?, (String, String))] {
            let (status, answer, _) = try await client.call(method, path, body, cookie: cookie)
            #expect(status == 200, "\(method) \(path): \(answer)")
            answers.append(answer)
        }
        #expect(server.stop(SIGTERM) == 0)

        let secrets = [FieldAccountAPITests.clientSecret, FieldAccountAPITests.authToken]
        let log = server.lines.joined(separator: "\n") + server.standardError
        #expect(log.contains("PUT") || log.contains("/api/render-instance"), "the trace log shows the requests")
        for secret in secrets {
            #expect(!answers.joined().contains(secret))
            #expect(!log.contains(secret), "a secret reached the log")
            for file in [database, database + "-wal"] {
                let bytes = FileManager.default.contents(atPath: file) ?? Data()
                #expect(bytes.range(of: Data(secret.utf8)) == nil, "\(file) holds a secret in the clear")
            }
        }

        let withoutKey = try StrikeStore(path: database, secrets: .random())
        await #expect(throws: SecretError.wrongKey) { try await withoutKey.renderClientSecret(osp: TestWorld.osp) }
        let withKey = try StrikeStore(path: database, secrets: try KeyFile.loadOrCreate(at: keyFile))
        #expect(try await withKey.renderClientSecret(osp: TestWorld.osp) == FieldAccountAPITests.clientSecret)
        #expect(try await withKey.twilioAuthToken(noc: TestWorld.noc) == FieldAccountAPITests.authToken)
    }

    @Test func aKeyFileOthersMayReadStopsTheApplianceWithTheFix() throws {
        let directory = try TemporaryDirectory()
        let keyFile = directory.path("open.key")
        _ = try KeyFile.loadOrCreate(at: keyFile)
        chmod(keyFile, 0o644)
        let result = try runProduct("strike", ["serve", "--db", directory.path("a.db"), "--key-file", keyFile, "--port", "1"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("chmod 600 \(keyFile)"), "\(result.stderr)")
    }

    @Test func aSealedSecretOpensOnlyWithItsKeyAndEachSealingDiffers() throws {
        let box = SecretBox.random()
        let first = try box.seal("s3cret"), second = try box.seal("s3cret")
        #expect(first != second, "a fresh data key and nonce per sealing")
        #expect(try box.open(first) == "s3cret")
        #expect(throws: SecretError.wrongKey) { try SecretBox.random().open(first) }
        var tampered = first
        tampered[tampered.count - 1] ^= 1
        #expect(throws: SecretError.wrongKey) { try box.open(tampered) }
    }
}
