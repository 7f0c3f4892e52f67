import Foundation
public import Hummingbird
import HTTPTypes
import Logging
public import ServiceLifecycle
import StrikeCore
public import StrikeIntegrations
public import StrikeRuntime
public import StrikeStore
import Synchronization

/// DESIGN §6: Twilio's `Calls` API served under `/sim/twilio` for the NOCs whose Twilio account is `simulated`.
/// It checks Basic auth like Twilio, answers `Calls.json` like Twilio, then plays each call on its own: status
/// callbacks and the Gather's digits posted to the URLs the call named, signed with the account's auth token.
/// What the callee does comes from the ECO's scenario. Calls are kept in the database, and a restart resumes
/// the ones still playing, as the phone network would not stop because the appliance did.
public final class TwilioSimulator: Service, Sendable {
    let store: any SimulatorState & EventStore & PagerRuns & FieldAccounts
    let transport: any HTTPTransport
    let clock: ApplianceClock
    /// What each call still has to do (its script, or its last callback), stopped with the simulator.
    private let playing = Mutex<[String: (token: UUID, task: Task<Void, Never>)]>([:])
    private let logger = Logger(label: "strike.sim.twilio")
    /// Beats as `twilio simulator` every few seconds while it runs and on every step a call plays.
    let heartbeats: Heartbeats
    public static let worker = "twilio simulator"

    public init(store: any SimulatorState & EventStore & PagerRuns & FieldAccounts, transport: any HTTPTransport, clock: ApplianceClock, heartbeats: Heartbeats? = nil) {
        self.store = store
        self.transport = transport
        self.clock = clock
        self.heartbeats = heartbeats ?? Heartbeats(clock: clock)
    }

    public func register<Context: RequestContext>(on router: Router<Context>) {
        router.get(RouterPath("/sim/twilio/2010-04-01/Accounts/{account}")) { request, context in
            try await self.fetchAccount(request, resource: context.parameters.get("account") ?? "")
        }
        let calls = "/sim/twilio/2010-04-01/Accounts/{account}/Calls"
        router.post(RouterPath(calls + ".json")) { request, context in
            try await self.placeCall(request, account: context.parameters.get("account") ?? "")
        }
        router.post(RouterPath(calls + "/{call}")) { request, context in
            try await self.updateCall(request, account: context.parameters.get("account") ?? "", call: context.parameters.get("call") ?? "")
        }
        router.get(RouterPath(calls + "/{call}")) { request, context in
            try await self.fetchCall(request, account: context.parameters.get("account") ?? "", call: context.parameters.get("call") ?? "")
        }
    }

    /// Resumes the calls a stop interrupted, plays new ones until the appliance stops, then stops them all.
    public func run() async throws {
        heartbeats.register(Self.worker)
        do {
            for call in try await store.playingSimulatedCalls() { start(call) }
        } catch {
            logger.error("simulated calls could not be resumed", metadata: ["error": "\(error)"])
        }
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                self.heartbeats.beat(Self.worker)
                try await self.clock.sleep(for: .seconds(5))
            }
        }
        for entry in playing.withLock({ Array($0.values) }) { entry.task.cancel() }
    }

    // MARK: The REST API

    /// The account resource (`{sid}.json`), as Twilio answers it to its own credentials.
    func fetchAccount(_ request: Request, resource: String) async throws -> Response {
        guard resource.hasSuffix(".json") else { return Self.error(.notFound, 20404, "The requested resource was not found") }
        let account = String(resource.dropLast(5))
        guard try await authenticate(request, account: account) != nil else { return Self.notAuthenticated }
        return SimulatorHTTP.json(
            .ok,
            ["sid": account, "friendly_name": "Osprey Strike simulator", "status": "active", "type": "Full",
             "uri": "/2010-04-01/Accounts/\(account).json"])
    }

    func placeCall(_ request: Request, account: String) async throws -> Response {
        guard let noc = try await authenticate(request, account: account) else { return Self.notAuthenticated }
        let form = await SimulatorHTTP.form(request)
        guard let to = form["To"], !to.isEmpty else { return Self.error(.badRequest, 21201, "No 'To' number is specified") }
        guard let from = form["From"], !from.isEmpty else { return Self.error(.badRequest, 21213, "No 'From' number is specified") }
        let twiml = form["Twiml"].flatMap { $0.isEmpty ? nil : $0 }
        let url = form["Url"].flatMap(Self.webURL)
        guard twiml != nil || url != nil else { return Self.error(.badRequest, 21205, "Url or Twiml is required, and Url must be http(s)") }
        let statusCallback = form["StatusCallback"].flatMap(Self.webURL)
        if form["StatusCallback"] != nil, statusCallback == nil {
            return Self.error(.badRequest, 21609, "StatusCallback is not a valid http(s) URL")
        }
        let ringSeconds = min(max(Double(form["Timeout"] ?? "") ?? 60, 5), 600)
        let settings = try await store.simulatorSettings(noc: noc)
        let eco = try await ecoCalled(statusCallback, noc: noc)
        var chosen = SimulatorScenario(rawValue: settings.defaultScenario) ?? .happyPath
        if let eco { chosen = try await store.simulatedEco(eco, noc: noc).playing }
        let scenario = chosen
        let call = try await store.addSimulatedCall(
            sid: "CA" + SimulatorHTTP.randomHex(16), noc: noc, eco: eco, behavior: { scenario.call($0).rawValue }, to: to, from: from, twiml: twiml,
            url: url, statusCallback: statusCallback, ringSeconds: ringSeconds, speed: settings.speed)
        start(call)
        return SimulatorHTTP.json(.created, Self.resource(call, account: account))
    }

    /// `Status=completed` hangs up, `Status=canceled` stops a call still ringing; the call's status callback
    /// reports the end.
    func updateCall(_ request: Request, account: String, call sid: String) async throws -> Response {
        guard let noc = try await authenticate(request, account: account) else { return Self.notAuthenticated }
        guard var call = try await store.simulatedCall(Self.callSid(sid)), call.nocTenantID == noc else { return Self.noSuchCall }
        let form = await SimulatorHTTP.form(request)
        guard let status = form["Status"], ["completed", "canceled"].contains(status) else {
            return Self.error(.badRequest, 21218, "Status must be completed or canceled")
        }
        if call.endedAt == nil {
            playing.withLock { $0.removeValue(forKey: call.sid) }?.task.cancel()
            call.status = call.status == "in-progress" ? "completed" : "canceled"
            call.endedAt = clock.now()
            if try await store.updateSimulatedCall(call), call.playing != .silent {
                // Like Twilio, answer the update now and report the end through the status callback after:
                // the webhook may be the very request that is waiting for this answer.
                let ended = call
                follow(call.sid) { await self.post(ended, to: ended.statusCallback, ["CallStatus": ended.status]) }
            }
        }
        return SimulatorHTTP.json(.ok, Self.resource(call, account: account))
    }

    func fetchCall(_ request: Request, account: String, call sid: String) async throws -> Response {
        guard let noc = try await authenticate(request, account: account) else { return Self.notAuthenticated }
        guard let call = try await store.simulatedCall(Self.callSid(sid)), call.nocTenantID == noc else { return Self.noSuchCall }
        return SimulatorHTTP.json(.ok, Self.resource(call, account: account))
    }

    /// The call sid of a path segment such as `CA….json`.
    private static func callSid(_ segment: String) -> String {
        segment.hasSuffix(".json") ? String(segment.dropLast(5)) : segment
    }

    /// The NOC whose simulated account the Basic credentials name; the path's account must be the same.
    private func authenticate(_ request: Request, account: String) async throws -> TenantID? {
        guard let credentials = SimulatorHTTP.basicCredentials(request), credentials.user == account else { return nil }
        return try await store.simulatedTwilioAccount(accountSID: credentials.user, authToken: credentials.password)
    }

    /// The ECO a call is for, from the pager run its status callback names (`?run=`); nil for any other call.
    private func ecoCalled(_ statusCallback: URL?, noc: TenantID) async throws -> EcoID? {
        guard let statusCallback, let run = URLComponents(url: statusCallback, resolvingAgainstBaseURL: false)?
            .queryItems?.first(where: { $0.name == "run" })?.value,
            let stored = try await store.pagerProcess(PagerRunID(run)), stored.nocTenantID == noc
        else { return nil }
        return stored.process.ecoID
    }

    // MARK: Playing a call

    private func start(_ call: SimulatedCall) {
        follow(call.sid) { await self.play(call) }
    }

    /// Runs `work` for the call in a task of its own, listed under the call until it ends.
    private func follow(_ sid: String, _ work: @escaping @Sendable () async -> Void) {
        let token = UUID.random()
        playing.withLock { playing in
            playing[sid] = (token, Task {
                await work()
                self.playing.withLock { if $0[sid]?.token == token { $0.removeValue(forKey: sid) } }
            })
        }
    }

    /// Plays the rest of the call's script, each step at its time, saving how far it got after each one.
    private func play(_ call: SimulatedCall) async {
        let script = call.playing.script(ringSeconds: call.ringSeconds)
        do {
            for (index, entry) in script.enumerated() where index >= call.step {
                let wait = call.placedAt.addingTimeInterval(entry.at / call.speed).timeIntervalSince(clock.now())
                if wait > 0 { try await clock.sleep(for: .seconds(wait)) }
                heartbeats.beat(Self.worker)
                guard var current = try await store.simulatedCall(call.sid), current.endedAt == nil else { return }
                switch entry.step {
                case .status(let status):
                    current.status = status
                    await post(current, to: current.statusCallback, ["CallStatus": status] + (status == "completed" ? ["CallDuration": "5"] : [:]))
                    if ["completed", "no-answer", "busy", "failed"].contains(status) { current.endedAt = clock.now() }
                case .press(let digits):
                    current.heard = await press(digits, on: current)
                }
                current.step = index + 1
                guard try await store.updateSimulatedCall(current) else { return }
            }
        } catch is CancellationError {
        } catch {
            logger.warning("simulated call stopped", metadata: ["call": "\(call.sid)", "error": "\(error)"])
        }
    }

    /// Presses the keys on the call's Gather (the TwiML given, or fetched from its URL) and returns what the
    /// appliance said back.
    private func press(_ digits: String, on call: SimulatedCall) async -> String? {
        var twiml = call.twiml
        if twiml == nil, let url = call.url {
            twiml = await post(call, to: url, ["CallStatus": "in-progress"]).map { String(decoding: $0, as: UTF8.self) }
        }
        guard let twiml, let action = TwiML.gatherAction(in: twiml), let url = URL(string: action) else { return nil }
        let reply = await post(call, to: url, ["CallStatus": "in-progress", "Digits": digits])
        return reply.map { TwiML.spokenText(in: String(decoding: $0, as: UTF8.self)) }
    }

    /// Posts Twilio's parameters for the call, signed as Twilio signs them; the answer's body, or nil.
    @discardableResult
    private func post(_ call: SimulatedCall, to url: URL?, _ extra: [String: String]) async -> Data? {
        guard let url else { return nil }
        do {
            guard let (account, token) = try await store.twilioAccountWithToken(noc: call.nocTenantID) else { return nil }
            let parameters = [
                "CallSid": call.sid, "AccountSid": account.accountSID, "From": call.fromNumber, "To": call.toNumber, "Direction": "outbound-api",
                "ApiVersion": "2010-04-01", "Timestamp": Self.rfc2822(clock.now()),
            ].merging(extra) { $1 }.map { ($0.key, $0.value) }
            let signature = TwilioSignature.compute(authToken: token, url: url.absoluteString, parameters: parameters)
            let response = try await transport.send(
                OutboundRequest(
                    method: "POST", url: url,
                    headers: ["Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature, "User-Agent": "TwilioProxy/1.1"],
                    body: FormEncoding.encode(parameters)))
            guard (200...299).contains(response.status) else {
                logger.warning("webhook refused the simulated call", metadata: ["call": "\(call.sid)", "status": "\(response.status)"])
                return nil
            }
            return response.body
        } catch {
            logger.warning("webhook not reached", metadata: ["call": "\(call.sid)", "error": "\(error)"])
            return nil
        }
    }

    // MARK: Twilio's answers

    /// The call resource as Twilio's REST API answers it.
    static func resource(_ call: SimulatedCall, account: String) -> [String: Any?] {
        [
            "sid": call.sid, "account_sid": account, "to": call.toNumber, "from": call.fromNumber, "status": call.status,
            "direction": "outbound-api", "api_version": "2010-04-01", "date_created": rfc2822(call.placedAt),
            "date_updated": rfc2822(call.endedAt ?? call.placedAt), "start_time": nil, "end_time": call.endedAt.map(rfc2822),
            "duration": nil, "price": nil, "price_unit": "USD", "answered_by": nil, "caller_name": nil, "parent_call_sid": nil,
            "phone_number_sid": nil, "forwarded_from": nil, "group_sid": nil, "queue_time": "0", "trunk_sid": nil, "annotation": nil,
            "uri": "/2010-04-01/Accounts/\(account)/Calls/\(call.sid).json", "subresource_uris": [String: String](),
        ]
    }

    static func error(_ status: HTTPResponse.Status, _ code: Int, _ message: String) -> Response {
        SimulatorHTTP.json(
            status, ["code": code, "message": message, "more_info": "https://www.twilio.com/docs/errors/\(code)", "status": Int(status.code)])
    }

    static var notAuthenticated: Response { error(.unauthorized, 20003, "Authenticate") }

    /// Another account's call is answered as if it did not exist.
    static var noSuchCall: Response { error(.notFound, 20404, "The requested resource was not found") }

    private static func webURL(_ text: String) -> URL? {
        guard let url = URL(string: text), ["http", "https"].contains(url.scheme ?? ""), url.host != nil else { return nil }
        return url
    }

    static func rfc2822(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
        return formatter.string(from: date)
    }
}

private func + (lhs: [String: String], rhs: [String: String]) -> [String: String] { lhs.merging(rhs) { $1 } }
