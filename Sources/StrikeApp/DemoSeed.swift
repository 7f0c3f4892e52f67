import Foundation
public import StrikeCore
public import StrikeStore

/// The demo appliance's world: Metro NOC, two contractors linked to it, and pager-list regions around Denver.
public enum DemoSeed {
    public static let noc = TenantID("demo-noc-metro")
    public static let northOSP = TenantID("demo-osp-front-range")
    public static let southOSP = TenantID("demo-osp-summit")

    /// Seeds an empty database; a database that already has the demo tenants is left as it is.
    public static func seed(_ store: StrikeStore) async throws {
        let actor = ActorID.system("demo-seed")
        guard try await !store.tenants().contains(where: { $0.id == noc }) else { return }
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
        for (osp, name, priority, ring) in lists {
            let region = try ring.map { ring in
                try Region(polygons: [[ring.map { Position(longitude: $0[0], latitude: $0[1]) }]])
            }
            _ = try await store.createPagerList(
                PagerListDraft(ospTenantID: osp, name: name, priority: priority, isDefault: region == nil, region: region),
                actor: actor)
        }
    }

    private static func box(west: Double, south: Double, east: Double, north: Double) -> [[Double]] {
        [[west, south], [east, south], [east, north], [west, north], [west, south]]
    }
}
