import Foundation
import Hummingbird
import HummingbirdTesting
import HTTPTypes
import StrikeCore
import StrikeHTTP
import StrikeStore
import StrikeTestSupport
import Testing

/// Tenant settings through the API: defaults for a new tenant, partial changes by admins, ranges enforced.
@Suite struct SettingsAPITests {
    @Test func eachTenantSeesTheDefaultsOfTheSettingsThatActForItAndAnAdminChangesSomeOfThem() async throws {
        let api = try await APIWorld.make()
        try await api.test { client in
            // An OSP's lists are paged: it has the paging settings beside the map's.
            let ospViewer = try await client.signIn("osp-viewer")
            let ospDefaults = try await client.get("/api/settings", headers: ospViewer.headers).json
            #expect(ospDefaults["contactTimeoutSeconds"] as? Int == 30)
            #expect(ospDefaults["listRepeats"] as? Int == 0)
            #expect(ospDefaults["acceptanceTimeoutMinutes"] as? Int == 60)
            #expect(ospDefaults["repageOnAcceptanceTimeout"] as? Bool == false)
            #expect(ospDefaults["pagingAlertMinutes"] as? Int == 15)
            #expect(ospDefaults["mapZoom"] as? [String: Int] == ["create": 3, "view": 15, "list": 3])
            #expect(ospDefaults["gracePeriodHours"] == nil, "the grace period is the Render instance's")

            // A NOC pages nobody: only the map's settings act for it.
            let nocViewer = try await client.signIn("noc-viewer")
            let nocDefaults = try await client.get("/api/settings", headers: nocViewer.headers).json
            #expect(Set(nocDefaults.keys) == ["mapZoom", "mapCenter"])

            let ospAdmin = try await client.signIn("osp-admin")
            let change: [String: Any] = [
                "mapCenter": ["longitude": -104.99, "latitude": 39.74], "listRepeats": 2, "acceptanceTimeoutMinutes": 30,
                "repageOnAcceptanceTimeout": true, "pagingAlertMinutes": 5,
            ]
            let changed = try await client.send(.patch, "/api/settings", change, headers: ospAdmin.headers)
            #expect(changed.status == .ok, "\(changed.text)")
            let read = try await client.get("/api/settings", headers: ospViewer.headers).json
            #expect(read["mapCenter"] as? [String: Double] == ["longitude": -104.99, "latitude": 39.74])
            #expect(read["listRepeats"] as? Int == 2)
            #expect(read["acceptanceTimeoutMinutes"] as? Int == 30)
            #expect(read["repageOnAcceptanceTimeout"] as? Bool == true)
            #expect(read["pagingAlertMinutes"] as? Int == 5)
            #expect(read["contactTimeoutSeconds"] as? Int == 30)
            #expect(try await api.world.store.settings(of: TestWorld.noc) == TenantSettings(), "one tenant's settings are its own")
        }
    }

    @Test func aPagingSettingForANocIsRefusedByNameAndChangesNothing() async throws {
        let api = try await APIWorld.make()
        try await api.test { client in
            let admin = try await client.signIn("noc-admin")
            let refused = try await client.send(
                .patch, "/api/settings", ["listRepeats": 2, "contactTimeoutSeconds": 60, "mapZoom": ["create": 5, "view": 15, "list": 3]],
                headers: admin.headers)
            #expect(refused.status == .unprocessableContent)
            #expect(Set(refused.problemFields) == ["listRepeats", "contactTimeoutSeconds"])
            #expect(refused.text.contains("does nothing for a NOC"))
            #expect(try await api.world.store.settings(of: TestWorld.noc) == TenantSettings())
            let grace = try await client.send(.patch, "/api/settings", ["gracePeriodHours": 2], headers: admin.headers)
            #expect(grace.problemFields == ["gracePeriodHours"], "no longer a tenant setting: it is the Render instance's")
        }
    }

    @Test func outOfRangeAndUnknownNestedFieldsAreRefusedAndChangeNothing() async throws {
        let api = try await APIWorld.make()
        try await api.test { client in
            let admin = try await client.signIn("osp-admin")
            let refused = try await client.send(
                .patch, "/api/settings",
                [
                    "mapZoom": ["create": 0, "view": 15, "list": 21], "contactTimeoutSeconds": 5, "mapCenter": ["longitude": 200, "latitude": 0],
                    "acceptanceTimeoutMinutes": 4, "pagingAlertMinutes": 0,
                ],
                headers: admin.headers)
            #expect(refused.status == .unprocessableContent)
            #expect(
                Set(refused.problemFields)
                    == ["mapZoom.create", "mapZoom.list", "contactTimeoutSeconds", "mapCenter", "acceptanceTimeoutMinutes", "pagingAlertMinutes"])
            let nested = try await client.send(
                .patch, "/api/settings", ["mapZoom": ["create": 5, "view": 15, "list": 3, "tilt": 30]], headers: admin.headers)
            #expect(nested.problemFields == ["mapZoom.tilt"])
            #expect(try await api.world.store.settings(of: TestWorld.osp) == TenantSettings())
            let audit = try await client.get("/api/tenant-audit-log", headers: admin.headers)
            #expect(audit.jsonArray.allSatisfy { $0["entity"] as? String != "tenant_settings" })
        }
    }

    @Test func aTileServerTemplateAddsItsOriginToThePagePolicyAndNullRemovesIt() async throws {
        let api = try await APIWorld.make()
        try await api.test { client in
            let admin = try await client.signIn("noc-admin")
            func imageSources() async throws -> String {
                let page = try await client.get("/")
                let policy = page.headers[.contentSecurityPolicy] ?? ""
                return policy.split(separator: ";").first { $0.contains("img-src") }.map(String.init) ?? ""
            }
            #expect(try await imageSources() == " img-src 'self' data:")

            for bad in ["ftp://tiles.example.net/{z}/{x}/{y}.png", "https://tiles.example.net/{z}/{x}.png", "https:///{z}/{x}/{y}",
                "https://tiles example/{z}/{x}/{y}", "https://*.evil.example/{z}/{x}/{y}"] {
                let refused = try await client.send(.patch, "/api/settings", ["tileURLTemplate": bad], headers: admin.headers)
                #expect(refused.status == .unprocessableContent, "\(bad)")
                #expect(refused.problemFields == ["tileURLTemplate"], "\(bad)")
            }
            #expect(try await api.world.store.settings(of: TestWorld.noc).tileURLTemplate == nil)

            let template = "https://{s}.Tiles.example.net:8443/osm/{z}/{x}/{y}.png"
            let saved = try await client.send(.patch, "/api/settings", ["tileURLTemplate": template], headers: admin.headers)
            #expect(saved.status == .ok, "\(saved.text)")
            #expect(saved.json["tileURLTemplate"] as? String == template)
            #expect(try await imageSources() == " img-src 'self' data: https://*.tiles.example.net:8443")
            let unchanged = try await client.send(.patch, "/api/settings", ["mapZoom": ["create": 4, "view": 15, "list": 3]], headers: admin.headers)
            #expect(unchanged.json["tileURLTemplate"] as? String == template, "a change that leaves it out keeps it")

            let cleared = try await client.send(.patch, "/api/settings", ["tileURLTemplate": NSNull()], headers: admin.headers)
            #expect(cleared.status == .ok)
            #expect(cleared.json["tileURLTemplate"] == nil)
            #expect(try await imageSources() == " img-src 'self' data:")
        }
    }
}
