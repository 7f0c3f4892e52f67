import Foundation
import StrikeCore
import StrikeRuntime

/// One OAuth2 access token per Render instance, fetched with the client-credentials grant
/// (RFC 6749 §4.4: form `grant_type=client_credentials`, HTTP Basic client authentication) and renewed
/// before it expires. However many callers need a token at once, one request is made (single flight).
/// A caller that stops waiting (cancelled, as when the appliance stops) leaves at once, whatever the request
/// is doing; the request itself is cancelled when nobody waits for it any more.
actor RenderTokenCache {
    private struct Token {
        let value: String
        let renewAt: Date
    }

    /// One token request in flight for an instance, and the callers waiting for it.
    private struct Flight {
        let id: UUID
        let request: Task<Void, Never>
        var waiters: [UUID: CheckedContinuation<Token, any Error>] = [:]
    }

    private let transport: any HTTPTransport
    private let clock: ApplianceClock
    private var tokens: [String: Token] = [:]
    private var flights: [String: Flight] = [:]

    init(transport: any HTTPTransport, clock: ApplianceClock) {
        self.transport = transport
        self.clock = clock
    }

    /// A token still fresh, or a new one.
    func token(for instance: RenderCredentials) async throws -> String {
        if let token = tokens[instance.instanceKey], clock.now() < token.renewAt { return token.value }
        return try await fetch(for: instance)
    }

    /// After `stale` was refused: the token another caller already fetched since, or a new one.
    func refresh(for instance: RenderCredentials, replacing stale: String) async throws -> String {
        if let token = tokens[instance.instanceKey], token.value != stale, clock.now() < token.renewAt { return token.value }
        tokens[instance.instanceKey] = nil
        return try await fetch(for: instance)
    }

    private func fetch(for instance: RenderCredentials) async throws -> String {
        let key = instance.instanceKey, waiter = UUID.random()
        let token = try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                join(instance, waiter: waiter, continuation: continuation)
            }
        } onCancel: {
            Task { await self.leave(key, waiter: waiter) }
        }
        return token.value
    }

    /// Waits for the instance's request in flight, starting one if there is none.
    private func join(_ instance: RenderCredentials, waiter: UUID, continuation: CheckedContinuation<Token, any Error>) {
        guard !Task.isCancelled else { return continuation.resume(throwing: CancellationError()) }
        let key = instance.instanceKey
        if flights[key] == nil {
            let id = UUID.random(), transport = self.transport, clock = self.clock
            let request = Task {
                do {
                    self.land(key, flight: id, .success(try await Self.request(instance, transport: transport, clock: clock)))
                } catch {
                    self.land(key, flight: id, .failure(error))
                }
            }
            flights[key] = Flight(id: id, request: request)
        }
        flights[key]?.waiters[waiter] = continuation
    }

    /// A waiter was cancelled: it gets its `CancellationError` now; the last one out cancels the request.
    private func leave(_ key: String, waiter: UUID) {
        guard let continuation = flights[key]?.waiters.removeValue(forKey: waiter) else { return }
        continuation.resume(throwing: CancellationError())
        if let flight = flights[key], flight.waiters.isEmpty {
            flight.request.cancel()
            flights[key] = nil
        }
    }

    /// The request ended: everyone still waiting gets its result, and a token is kept for the next callers.
    private func land(_ key: String, flight id: UUID, _ result: Result<Token, any Error>) {
        guard let flight = flights[key], flight.id == id else { return }
        flights[key] = nil
        if case .success(let token) = result { tokens[key] = token }
        for continuation in flight.waiters.values { continuation.resume(with: result) }
    }

    private struct Answer: Decodable {
        let access_token: String
        let token_type: String
        let expires_in: Int
    }

    private static func request(_ instance: RenderCredentials, transport: any HTTPTransport, clock: ApplianceClock) async throws -> Token {
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
        return Token(value: answer.access_token, renewAt: clock.now().addingTimeInterval(Double(answer.expires_in) - margin))
    }
}
