public import Foundation
public import StrikeCore
public import StrikeIntegrations
public import StrikeStore

/// Where the appliance's outbound calls go and where Twilio calls it back, for each service mode: the real
/// services and the appliance's public address when `live`, its own simulators and loopback address when
/// `simulated`. The one place a mode becomes a URL.
public struct Endpoints: Sendable {
    /// Where Twilio reaches the appliance's webhooks (live mode); nil when none is set.
    public var publicBaseURL: URL?
    /// Where the appliance is reached on its own machine: the built-in simulators and their callbacks.
    public var localBaseURL: URL

    public init(publicBaseURL: URL?, localBaseURL: URL) {
        self.publicBaseURL = publicBaseURL
        self.localBaseURL = localBaseURL
    }

    /// Every base a Twilio callback may have been signed for.
    public var callbackBases: [URL] { [publicBaseURL, localBaseURL].compactMap { $0 } }

    /// The OSP's Render instance (its settings) and how the client reaches it, its secret opened; nil when it has
    /// none set up (or a live one without a usable URL).
    public func render(osp: TenantID, in store: any FieldAccounts) async throws -> (instance: RenderInstance, credentials: RenderCredentials)? {
        guard let instance = try await store.renderInstance(osp: osp), let secret = try await store.renderClientSecret(osp: osp) else { return nil }
        let base = instance.mode == .simulated ? localBaseURL.appending(path: "sim/render") : URL(string: instance.baseURL ?? "")
        guard let base else { return nil }
        let credentials = RenderCredentials(
            instanceKey: osp.rawValue, baseURL: base, clientID: instance.clientID, clientSecret: secret, projectID: instance.projectID)
        return (instance, credentials)
    }

    /// Twilio's API for an account of this mode.
    public func twilio(_ mode: ServiceMode) -> URL {
        mode == .simulated ? localBaseURL.appending(path: "sim/twilio") : TwilioCredentials.live
    }

    /// The base Twilio's callbacks for an account of this mode are sent to.
    public func callbacks(_ mode: ServiceMode) throws(PagerError) -> URL {
        switch mode {
        case .simulated: return localBaseURL
        case .live:
            guard let publicBaseURL else { throw .noPublicBaseURL }
            return publicBaseURL
        }
    }
}
