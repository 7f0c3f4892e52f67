import Foundation
import StrikeCore

/// Values the domain tests share: one NOC, one OSP, one ECO on Main St.
enum Fixture {
    static let noc = TenantID("noc-metro")
    static let osp = TenantID("osp-eastside")
    static let ecoID = EcoID("eco-0001")
    static let jobID = JobID(prefix: "E2", number: 524, year: 2025)
    static let mainStreet = EcoLocation.point(Position(longitude: -122.4194, latitude: 37.7749))
    static let noon = Date(timeIntervalSince1970: 1_750_000_000)

    static func draft(
        description: String = "Fiber cut on Main St", noc: TenantID = noc, osp: TenantID = osp,
        location: EcoLocation = mainStreet
    ) -> EcoDraft {
        EcoDraft(location: location, jobType: .cmr, description: description, nocTenantID: noc, ospTenantID: osp)
    }

    /// An ECO as its `EcoCreated` event makes it, then put at `status` and `integration` directly.
    static func eco(status: EcoStatus = .open, integration: IntegrationState = .pending) throws -> Eco {
        let new = try NewEco(ecoID: ecoID, draft: draft(), jobID: jobID)
        var state = Eco.replay(try Eco.decide(.create(new), .initial))
        state.status = status
        state.integration = integration
        return state
    }

    static let contacts = [
        PagerContact(name: "Dana Ortiz", phone: "+14155550100"),
        PagerContact(name: "Lee Park", phone: "+14155550101"),
    ]

    static func runStarted(contacts: [PagerContact] = contacts, rounds: Int = 2) -> PagerRunStarted {
        PagerRunStarted(
            runID: PagerRunID("run-1"), ecoID: ecoID, pagerListID: PagerListID("list-downtown"),
            pagerListName: "Downtown", contacts: contacts,
            message: PagerMessage.make(nocName: "Metro NOC", jobNumber: 524, description: "Fiber cut on Main St"),
            rounds: rounds)
    }

    static func task(_ id: String, _ status: RenderTaskStatus, fingerprint: String = "f1") -> EcoTaskChanged {
        EcoTaskChanged(taskID: id, status: status, assignee: "crew 7", fingerprint: fingerprint)
    }
}
