public import Foundation
public import StrikeCore
public import StrikeRuntime

/// A NOC's Twilio account, and where its REST API is (api.twilio.com, or the built-in simulator).
public struct TwilioCredentials: Sendable, Equatable {
    public var accountSID: String
    public var authToken: String
    public var baseURL: URL

    public static let live = URL(string: "https://api.twilio.com")!

    public init(accountSID: String, authToken: String, baseURL: URL = TwilioCredentials.live) {
        self.accountSID = accountSID
        self.authToken = authToken
        self.baseURL = baseURL
    }
}

/// One outbound call: who to ring, the TwiML to play, and where Twilio reports the call's progress.
public struct CallRequest: Sendable, Equatable {
    public var to: String
    public var from: String
    public var twiml: String
    public var statusCallback: URL
    /// How long Twilio lets it ring before giving up (`no-answer`).
    public var ringSeconds: Int

    public init(to: String, from: String, twiml: String, statusCallback: URL, ringSeconds: Int = 25) {
        self.to = to
        self.from = from
        self.twiml = twiml
        self.statusCallback = statusCallback
        self.ringSeconds = ringSeconds
    }
}

public struct PlacedCall: Decodable, Sendable, Equatable {
    public let sid: String
    public let status: String

    public init(sid: String, status: String) {
        self.sid = sid
        self.status = status
    }
}

/// Twilio's JSON error (`{code, message, more_info, status}`), or why no answer came.
public enum TwilioError: Error, Equatable, Sendable, CustomStringConvertible {
    case refused(status: Int, code: Int?, message: String, moreInfo: String?)
    case unreachable(String)
    case malformedAnswer(String)

    public var description: String {
        switch self {
        case .refused(let status, let code, let message, _): "Twilio refused the call (HTTP \(status)\(code.map { ", code \($0)" } ?? "")): \(message)"
        case .unreachable(let detail): "Twilio could not be reached: \(detail)"
        case .malformedAnswer(let detail): "Twilio's answer could not be read: \(detail)"
        }
    }

    /// Twilio's "too many requests": the call was not placed, so it is safe to ask again after a pause.
    public var isRateLimit: Bool {
        if case .refused(let status, let code, _, _) = self { return status == 429 || code == 20429 }
        return false
    }
}

/// Places calls through Twilio's REST API (`POST /2010-04-01/Accounts/{sid}/Calls.json`).
/// Only a rate-limit answer is retried: any other failure may have placed the call, and ringing a
/// supervisor twice is worse than reporting the failure.
public struct TwilioClient: Sendable {
    let transport: any HTTPTransport
    let clock: ApplianceClock
    let retry: RetryPolicy

    public init(
        transport: any HTTPTransport, clock: ApplianceClock = .system,
        retry: RetryPolicy = RetryPolicy(maxAttempts: 5, initialDelay: .seconds(1), maxDelay: .seconds(16))
    ) {
        self.transport = transport
        self.clock = clock
        self.retry = retry
    }

    public func placeCall(_ call: CallRequest, account: TwilioCredentials) async throws -> PlacedCall {
        let url = callsURL(account).appendingPathExtension("json")
        var form: [(String, String)] = [
            ("To", call.to), ("From", call.from), ("Twiml", call.twiml), ("StatusCallback", call.statusCallback.absoluteString),
            ("StatusCallbackMethod", "POST"), ("Timeout", String(call.ringSeconds)),
        ]
        form += ["initiated", "ringing", "answered", "completed"].map { ("StatusCallbackEvent", $0) }
        let request = OutboundRequest(method: "POST", url: url, headers: headers(account), body: FormEncoding.encode(form))
        return try await retry.run(on: clock, isRetryable: { ($0 as? TwilioError)?.isRateLimit ?? false }) {
            let response = try await send(request)
            do {
                return try JSONDecoder().decode(PlacedCall.self, from: response.body)
            } catch {
                throw TwilioError.malformedAnswer("\(error)")
            }
        }
    }

    /// Ends a call: `completed` hangs up an answered call, `canceled` stops one still ringing.
    public func endCall(_ callSid: String, answered: Bool, account: TwilioCredentials) async throws {
        let request = OutboundRequest(
            method: "POST", url: callsURL(account).appending(path: "\(callSid).json"),
            headers: headers(account), body: FormEncoding.encode([("Status", answered ? "completed" : "canceled")]))
        _ = try await send(request)
    }

    /// Reads the account resource (`GET /2010-04-01/Accounts/{sid}.json`): proof that Twilio accepts the
    /// credentials, without placing a call. Returns the account's status (`active`, `suspended`, `closed`).
    public func accountStatus(_ account: TwilioCredentials) async throws -> String {
        let request = OutboundRequest(
            method: "GET", url: accountURL(account).appendingPathExtension("json"), headers: headers(account))
        let response = try await send(request)
        struct Resource: Decodable { let status: String }
        do {
            return try JSONDecoder().decode(Resource.self, from: response.body).status
        } catch {
            throw TwilioError.malformedAnswer("\(error)")
        }
    }

    /// One request: a transport failure is `unreachable`, an answer outside 2xx is Twilio's refusal.
    private func send(_ request: OutboundRequest) async throws -> InboundResponse {
        let response: InboundResponse
        do {
            response = try await transport.send(request)
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw TwilioError.unreachable("\(error)")
        }
        guard (200...299).contains(response.status) else { throw Self.error(response) }
        return response
    }

    private func accountURL(_ account: TwilioCredentials) -> URL {
        account.baseURL.appending(path: "2010-04-01").appending(path: "Accounts").appending(path: account.accountSID)
    }

    private func callsURL(_ account: TwilioCredentials) -> URL {
        accountURL(account).appending(path: "Calls")
    }

    private func headers(_ account: TwilioCredentials) -> [String: String] {
        [
            "Authorization": basicAuthorization(user: account.accountSID, password: account.authToken),
            "Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json",
        ]
    }

    private struct ErrorBody: Decodable {
        let code: Int?
        let message: String?
        let more_info: String?
    }

    static func error(_ response: InboundResponse) -> TwilioError {
        let body = try? JSONDecoder().decode(ErrorBody.self, from: response.body)
        return .refused(
            status: response.status, code: body?.code, message: body?.message ?? String(decoding: response.body.prefix(200), as: UTF8.self),
            moreInfo: body?.more_info)
    }
}
