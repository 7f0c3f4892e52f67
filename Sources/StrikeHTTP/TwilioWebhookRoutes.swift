import Foundation
import Hummingbird
import HTTPTypes
import StrikeCore
import StrikeIntegrations
import StrikeStore

/// Twilio's status callbacks and Gather actions for pager calls (DESIGN §5). No session: each request must
/// carry `X-Twilio-Signature` made with the NOC's auth token over the URL Twilio called, or it gets 403 and
/// changes nothing. The URL is the callback the appliance gave, under its public base URL (live) or its
/// local address (the simulator). A signed callback must also be about the call it claims: its `AccountSid`
/// the NOC's account and its `CallSid` the run's call of that attempt; any other is 403 too, and logged.
struct TwilioWebhookRoutes {
    let store: any PagerRuns & FieldAccounts
    let signalPager: PagerSignaling
    let callbackBases: [URL]

    static let signatureHeader = HTTPField.Name("X-Twilio-Signature")!

    func register(_ api: APIRouter) {
        api.add(.post, "/twilio/status", access: .anyone, status)
        api.add(.post, "/twilio/gather", access: .anyone, gather)
    }

    @Sendable func status(_ request: Request, _ context: StrikeRequestContext) async throws -> Response {
        let call = try await signedCall(request, context)
        _ = try await signalPager(.status(attempt: call.attempt, callStatus: call.form["CallStatus"] ?? ""), call.run, call.process)
        return Response(status: .noContent)
    }

    @Sendable func gather(_ request: Request, _ context: StrikeRequestContext) async throws -> Response {
        let call = try await signedCall(request, context)
        let digits = call.form["Digits"] ?? ""
        let steps = try await signalPager(.digits(attempt: call.attempt, digits: digits), call.run, call.process)
        let accepted = steps.contains { if case .complete(let done) = $0 { done.outcome == .dispatched } else { false } }
        // A key pressed on a call the pager already gave up on must not sound like an acceptance.
        let reply = switch (digits.first, accepted, steps.isEmpty) {
        case ("1", true, _): "Thank you. The callout is yours."
        case (_, _, true): "This callout is no longer waiting for your answer. Thank you."
        case ("2", _, _): "Declined. Thank you."
        default: "No valid key was pressed. Goodbye."
        }
        return Response(
            status: .ok, headers: [.contentType: "text/xml; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: TwiML.say(reply))))
    }

    private struct SignedCall {
        let run: PagerRunID
        let attempt: Int
        let form: [String: String]
        /// The run's process as read to check the callback.
        let process: StoredPagerProcess
    }

    /// The call a webhook is about, once its signature holds; 403 for anything unsigned, wrongly signed or unknown.
    private func signedCall(_ request: Request, _ context: StrikeRequestContext) async throws -> SignedCall {
        let data = try await request.collectBody(upTo: 64 << 10, accepting: ["application/x-www-form-urlencoded"])
        let refused = Problem.forbidden("the request is not signed by Twilio for this call")
        let query = request.uri.queryParameters
        guard let signature = request.headers[Self.signatureHeader], let run = query["run"].map({ PagerRunID(String($0)) }),
            let attempt = query["attempt"].flatMap({ Int($0) }), let stored = try await store.pagerProcess(run),
            let (account, token) = try await store.twilioAccountWithToken(noc: stored.nocTenantID)
        else { throw refused }
        let parameters = FormEncoding.decode(data)
        let pathAndQuery = request.uri.path + (request.uri.query.map { "?\($0)" } ?? "")
        let signed = callbackBases.contains { base in
            let url = base.absoluteString.trimmingCharacters(in: CharacterSet(charactersIn: "/")) + pathAndQuery
            return TwilioSignature.isValid(signature, authToken: token, url: url, parameters: parameters)
        }
        guard signed else {
            // The one sign on the appliance's side of a public base URL that is not the address Twilio calls.
            context.logger.warning(
                "Twilio callback refused: the signature does not match any callback address",
                metadata: ["path": "\(request.uri.path)", "run": "\(run)", "addresses": "\(callbackBases.map(\.absoluteString))"])
            throw refused
        }
        let form = Dictionary(parameters, uniquingKeysWith: { first, _ in first })
        if let mismatch = mismatch(form, run: run, attempt: attempt, stored, account: account) {
            context.logger.warning(
                "Twilio callback refused: \(mismatch)",
                metadata: ["run": "\(run)", "attempt": "\(attempt)", "callSid": "\(form["CallSid"] ?? "")", "accountSid": "\(form["AccountSid"] ?? "")"])
            throw Problem.forbidden("the callback is not about this run's call: \(mismatch)")
        }
        return SignedCall(run: run, attempt: attempt, form: form, process: stored)
    }

    /// Why a signed callback is not about the call it names, if it is not: another Twilio account's, or a call
    /// the run never made for that attempt.
    private func mismatch(
        _ form: [String: String], run: PagerRunID, attempt: Int, _ stored: StoredPagerProcess, account: TwilioAccount
    ) -> String? {
        guard form["AccountSid"] == account.accountSID else { return "AccountSid is not the NOC's Twilio account" }
        guard let callSid = form["CallSid"], stored.process.isCall(callSid, of: attempt) else {
            return "CallSid is not the run's call of attempt \(attempt)"
        }
        return nil
    }
}
