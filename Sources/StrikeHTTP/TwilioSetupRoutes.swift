public import Foundation
import Hummingbird
import NIOCore
public import StrikeCore
public import StrikeRuntime
import Synchronization

/// Checks a NOC's Twilio setup from where Twilio stands; each check named, with what it found.
public typealias TwilioSetupChecking = @Sendable (_ noc: TenantID) async throws -> [Readiness.Check]

/// One-time words the appliance serves at `/twilio/ping/{nonce}`, so that fetching one through the public base
/// URL proves that address reaches this very appliance (and not another host, or a proxy's error page).
public final class PingNonces: Sendable {
    private let issued = Mutex<[String: Date]>([:])
    private let clock: ApplianceClock
    /// How long an issued nonce is served.
    static let lifetime: TimeInterval = 60

    public init(clock: ApplianceClock) { self.clock = clock }

    /// A new nonce, served once within the next minute.
    public func issue() -> String {
        let nonce = Secrets.random()
        let now = clock.now()
        issued.withLock { issued in
            issued = issued.filter { now.timeIntervalSince($0.value) < Self.lifetime }
            issued[nonce] = now
        }
        return nonce
    }

    /// Whether `nonce` was issued in the last minute and not yet served; it is served once.
    func redeem(_ nonce: String) -> Bool {
        let now = clock.now()
        guard let at = issued.withLock({ $0.removeValue(forKey: nonce) }) else { return false }
        return now.timeIntervalSince(at) < Self.lifetime
    }
}

/// The NOC admin's check of its Twilio setup, and the ping it fetches through the public base URL.
struct TwilioSetupRoutes {
    let pings: PingNonces
    let check: TwilioSetupChecking

    func register(_ api: APIRouter) {
        api.add(.get, "/twilio/ping/{nonce}", access: .anyone, ping)
        api.add(.post, "/api/twilio-account/check", access: .member(.admin), checkSetup)
    }

    @Sendable func ping(_ request: Request, _ context: StrikeRequestContext) async throws -> Response {
        let nonce = try context.parameters.require("nonce")
        guard pings.redeem(nonce) else { throw Problem.notFound("this appliance issued no such ping") }
        return Response(status: .ok, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: nonce)))
    }

    @Sendable func checkSetup(_ request: Request, _ context: StrikeRequestContext) async throws -> Response {
        let tenant = try context.requireTenant(.noc, because: "only a NOC has a Twilio account")
        let checks = try await check(tenant.id)
        return try jsonResponse(SetupReport(ok: checks.allSatisfy(\.ok), checks: checks))
    }

    private struct SetupReport: Encodable {
        let ok: Bool
        let checks: [Readiness.Check]
    }
}
