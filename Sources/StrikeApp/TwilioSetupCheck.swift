import Foundation
import StrikeCore
import StrikeHTTP
import StrikeIntegrations
import StrikeStore
import StrikeWorkers

/// What a NOC admin checks before paging for real, from where Twilio stands: that the public base URL reaches
/// this appliance, that Twilio accepts the account's credentials, and that every number it calls is E.164.
struct TwilioSetupCheck: Sendable {
    let store: StrikeStore
    let client: TwilioClient
    let transport: any HTTPTransport
    let endpoints: Endpoints
    let pings: PingNonces

    func run(noc: TenantID) async throws -> [Readiness.Check] {
        guard let (account, authToken) = try await store.twilioAccountWithToken(noc: noc) else {
            return [Readiness.Check(name: "credentials", ok: false, detail: "no Twilio account is set up yet")]
        }
        return [
            await publicURL(account.mode),
            await credentials(account, authToken: authToken),
            try await numbers(account, noc: noc),
        ]
    }

    /// Fetches a one-time nonce through the public base URL: only this appliance can answer it.
    private func publicURL(_ mode: ServiceMode) async -> Readiness.Check {
        let name = "public URL"
        guard let base = endpoints.publicBaseURL else {
            return mode == .simulated
                ? .init(name: name, ok: true, detail: "the simulator calls back on this machine; a public base URL is needed once the account is live")
                : .init(name: name, ok: false, detail: "no public base URL is set: start the appliance with --public-base-url (or STRIKE_PUBLIC_BASE_URL)")
        }
        let nonce = pings.issue()
        let url = base.appending(path: "twilio/ping/\(nonce)")
        let shown = url.absoluteString.replacingOccurrences(of: nonce, with: "…")
        do {
            let response = try await transport.send(OutboundRequest(method: "GET", url: url, timeout: .seconds(10)))
            if response.status == 200, String(decoding: response.body, as: UTF8.self) == nonce {
                return .init(name: name, ok: true, detail: "\(shown) reached this appliance")
            }
            return .init(
                name: name, ok: false,
                detail: "\(shown) answered HTTP \(response.status), not this appliance's ping: check that the proxy forwards /twilio/ to this appliance")
        } catch {
            return .init(name: name, ok: false, detail: "\(shown) could not be reached from this appliance: \(Self.reason(error))")
        }
    }

    /// What went wrong in words: libcurl's message (a refused connection, a certificate problem) rather than the
    /// whole `NSError` with the URL it failed on.
    private static func reason(_ error: any Error) -> String {
        (error as NSError).userInfo[NSLocalizedDescriptionKey] as? String ?? "\(error)"
    }

    /// A read-only call to the account resource, on Twilio or the simulator as the account's mode says.
    private func credentials(_ account: TwilioAccount, authToken: String) async -> Readiness.Check {
        let name = "credentials"
        let credentials = TwilioCredentials(accountSID: account.accountSID, authToken: authToken, baseURL: endpoints.twilio(account.mode))
        do {
            let status = try await client.accountStatus(credentials)
            guard status == "active" else {
                return .init(name: name, ok: false, detail: "Twilio accepts the credentials, but the account is \(status)")
            }
            return .init(name: name, ok: true, detail: "Twilio accepts the credentials of \(account.accountSID); the account is active")
        } catch {
            return .init(name: name, ok: false, detail: "\(error)")
        }
    }

    /// The caller ID and every contact of the linked OSPs' pager lists, in E.164.
    private func numbers(_ account: TwilioAccount, noc: TenantID) async throws -> Readiness.Check {
        let contacts = try await store.contactsCalled(by: noc)
        var bad = contacts.filter { !PagerContact.isE164($0.phone) }.map { "\($0.name) (\($0.osp), \($0.list)): \($0.phone)" }
        if !PagerContact.isE164(account.fromNumber) { bad.insert("the From number \(account.fromNumber)", at: 0) }
        guard bad.isEmpty else {
            return .init(name: "contact numbers", ok: false, detail: "not E.164: " + bad.joined(separator: "; "))
        }
        return .init(name: "contact numbers", ok: true, detail: "the From number and \(contacts.count) contact number(s) are E.164")
    }
}
