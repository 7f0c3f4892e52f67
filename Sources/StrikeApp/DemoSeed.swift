import Foundation
public import StrikeCore
public import StrikeStore

/// The demo appliance's world: Metro NOC, two contractors linked to it, and pager-list regions around Denver.
public enum DemoSeed {
    public static let noc = TenantID("demo-noc-metro")
    public static let northOSP = TenantID("demo-osp-front-range")
    public static let southOSP = TenantID("demo-osp-summit")

    /// A demo sign-in, fixed so demos and scripts can rely on it. Demo databases only: never on a real appliance.
    public struct Credential: Sendable {
        public let username: String
        public let password: String
        public let who: String
        let isOwner: Bool
        let tenant: TenantID
        let role: Role

        init(username: String, password: String, who: String, isOwner: Bool = false, tenant: TenantID, role: Role) {
            self.username = username
            self.password = password
            self.who = who
            self.isOwner = isOwner
            self.tenant = tenant
            self.role = role
        }
    }

    /// The owner is also Metro NOC's admin, so the NOC's administration pages have a demo user.
    public static let credentials = [
        Credential(username: "owner", password: "osprey-owner-demo", who: "appliance owner, Metro NOC admin", isOwner: true, tenant: noc, role: .admin),
        Credential(username: "dispatcher", password: "osprey-dispatch-demo", who: "Metro NOC dispatcher", tenant: noc, role: .dispatcher),
        Credential(username: "viewer", password: "osprey-viewer-demo", who: "Metro NOC viewer", tenant: noc, role: .viewer),
        Credential(
            username: "supervisor", password: "osprey-field-demo", who: "Front Range Fiber supervisor", tenant: northOSP, role: .admin),
    ]

    /// Seeds an empty database; a database that already has the demo tenants is left as it is (`false`).
    @discardableResult
    public static func seed(_ store: StrikeStore, passwordCost: UInt8 = 10) async throws -> Bool {
        let actor = ActorID.system("demo-seed")
        guard try await !store.tenants().contains(where: { $0.id == noc }) else { return false }
        _ = try await store.createTenant(kind: .noc, name: "Metro NOC", id: noc, actor: actor)
        _ = try await store.createTenant(kind: .osp, name: "Front Range Fiber", jobPrefix: "E2", id: northOSP, actor: actor)
        _ = try await store.createTenant(kind: .osp, name: "Summit Splicing", jobPrefix: "SS", id: southOSP, actor: actor)
        try await store.setLink(noc: noc, osp: northOSP, status: .active, actor: actor)
        try await store.setLink(noc: noc, osp: southOSP, status: .active, actor: actor)

        let lists: [(TenantID, String, Int, [[Double]]?)] = [
            (northOSP, "Downtown Denver", 10, box(west: -105.01, south: 39.73, east: -104.97, north: 39.76)),
            (northOSP, "Denver Metro", 0, box(west: -105.15, south: 39.60, east: -104.80, north: 39.90)),
            (northOSP, "Front Range on-call", 0, nil),
            (southOSP, "South Suburbs", 5, box(west: -105.05, south: 39.55, east: -104.85, north: 39.68)),
            (southOSP, "Summit on-call", 0, nil),
        ]
        for (number, (osp, name, priority, ring)) in lists.enumerated() {
            let region = try ring.map { ring in
                try Region(polygons: [[ring.map { Position(longitude: $0[0], latitude: $0[1]) }]])
            }
            let list = try await store.createPagerList(
                PagerListDraft(ospTenantID: osp, name: name, priority: priority, isDefault: region == nil, region: region),
                actor: actor)
            _ = try await store.setPagerListContacts(list.id, osp: osp, contacts: contacts(list: number), actor: actor)
        }
        try await seedSimulatedServices(store, actor: actor)
        for credential in credentials {
            let account = NewAccount(
                username: credential.username, displayName: credential.who, password: credential.password, isOwner: credential.isOwner,
                membership: NewAccount.Membership(tenant: credential.tenant, role: credential.role))
            _ = try await store.createAccount(account, passwordCost: passwordCost, actor: actor)
        }
        return true
    }

    /// Both OSPs' Render instances and the NOC's Twilio account point at the built-in simulators, so the whole
    /// lifecycle plays offline; every tenant's maps open on Denver; both instances keep completed ECOs in their
    /// grace period for an hour.
    private static func seedSimulatedServices(_ store: StrikeStore, actor: ActorID) async throws {
        for (osp, client) in [(northOSP, "front-range-demo"), (southOSP, "summit-demo")] {
            _ = try await store.setRenderInstance(
                osp: osp,
                RenderInstanceChange(
                    mode: .simulated, baseURL: nil, clientID: client, clientSecret: "demo-render-secret-\(client)", projectID: "DEMO",
                    pollIntervalSeconds: 10, gracePeriodHours: 1),
                actor: actor)
        }
        _ = try await store.setTwilioAccount(
            noc: noc,
            TwilioAccountChange(mode: .simulated, accountSID: demoAccountSID, authToken: "demo-twilio-auth-token", fromNumber: "+13035550100"),
            actor: actor)
        var map = TenantSettingsChange()
        map.mapCenter = TenantSettings.MapCenter(longitude: -104.99, latitude: 39.74)
        map.mapZoom = TenantSettings.MapZoom(create: 11, view: 15, list: 10)
        for tenant in [northOSP, southOSP, noc] { _ = try await store.changeSettings(of: tenant, map, actor: actor) }
    }

    static let demoAccountSID = "AC" + String(repeating: "de", count: 16)

    /// Three on-call supervisors for each list, with numbers from the range kept for fiction (555-01xx).
    private static func contacts(list: Int) -> [PagerContact] {
        let names = [
            ["Maya Chen", "Luis Ortega", "Priya Natarajan"], ["Sam Whitfield", "Dana Kowalski", "Omar Haddad"],
            ["Grace Liu", "Tom Becker", "Ana Souza"], ["Jordan Reyes", "Kim Nguyen", "Ravi Patel"],
            ["Erin Walsh", "Felix Brandt", "Noor Aziz"],
        ][list % 5]
        return names.enumerated().map { index, name in
            PagerContact(name: name, phone: String(format: "+1303555%04d", 100 + list * 10 + index + 1))
        }
    }

    private static func box(west: Double, south: Double, east: Double, north: Double) -> [[Double]] {
        [[west, south], [east, south], [east, north], [west, north], [west, south]]
    }
}
