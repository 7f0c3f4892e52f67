import Foundation

/// One OAuth2 access token per Render instance, fetched with the client-credentials grant
/// (RFC 6749 §4.4: form `grant_type=client_credentials`, HTTP Basic client authentication) and renewed
/// before it expires. However many callers need a token at once, one request is made (single flight).
actor RenderTokenCache {
    private struct Token {
        let value: String
        let renewAt: Date
    }

    private let transport: any HTTPTransport
    private let now: @Sendable () -> Date
    private var tokens: [String: Token] = [:]
    private var pending: [String: Task<Token, any Error>] = [:]

    init(transport: any HTTPTransport, now: @escaping @Sendable () -> Date) {
        self.transport = transport
        self.now = now
    }

    /// A token still fresh, or a new one.
    func token(for instance: RenderCredentials) async throws -> String {
        if let token = tokens[instance.instanceKey], now() < token.renewAt { return token.value }
        return try await fetch(for: instance)
    }

    /// After `stale` was refused: the token another caller already fetched since, or a new one.
    func refresh(for instance: RenderCredentials, replacing stale: String) async throws -> String {
        if let token = tokens[instance.instanceKey], token.value != stale, now() < token.renewAt { return token.value }
        tokens[instance.instanceKey] = nil
        return try await fetch(for: instance)
    }

    private func fetch(for instance: RenderCredentials) async throws -> String {
        let key = instance.instanceKey
        if let inFlight = pending[key] { return try await inFlight.value.value }
        let transport = self.transport, now = self.now
        let request = Task { try await Self.request(instance, transport: transport, now: now) }
        pending[key] = request
        do {
            let token = try await request.value
            tokens[key] = token
            pending[key] = nil
            return token.value
        } catch {
            pending[key] = nil
            throw error
        }
    }

    private struct Answer: Decodable {
        let access_token: String
        let token_type: String
        let expires_in: Int
    }

    private static func request(_ instance: RenderCredentials, transport: any HTTPTransport, now: @Sendable () -> Date) async throws -> Token {
        let request = OutboundRequest(
            method: "POST", url: instance.baseURL.appending(path: "oauth").appending(path: "token"),
            headers: [
                "Authorization": basicAuthorization(user: instance.clientID, password: instance.clientSecret),
                "Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json",
            ],
            body: FormEncoding.encode([("grant_type", "client_credentials")]))
        let response: InboundResponse
        do {
            response = try await transport.send(request)
        } catch {
            throw RenderError.unreachable("\(error)")
        }
        if (500...599).contains(response.status) { throw RenderError.unavailable(status: response.status) }
        guard response.status == 200 else {
            throw RenderError.tokenRefused(status: response.status, detail: RenderClient.detail(response.body))
        }
        let answer = try RenderClient.decode(Answer.self, response.body)
        guard answer.token_type.lowercased() == "bearer", answer.expires_in > 0 else {
            throw RenderError.malformedAnswer("expected a bearer token with a positive lifetime")
        }
        // Renewed a minute early (or at half its life, if shorter), so a request never carries a token that
        // expires on the way.
        let margin = min(60, Double(answer.expires_in) / 2)
        return Token(value: answer.access_token, renewAt: now().addingTimeInterval(Double(answer.expires_in) - margin))
    }
}
