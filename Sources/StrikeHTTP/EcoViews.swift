import Foundation
import StrikeCore
import StrikeStore

/// An ECO as the API shows it. The integration status is internal: only admins see it (and the timeline).
struct EcoView: Encodable {
    struct Integration: Encodable {
        let status: String
        let stage: IntegrationStage?
        let reason: String?
        let renderTaskID: String?
        let pagerRunID: String?
    }

    let id: EcoID
    let jobID: String
    let jobNumber: Int
    let subsector: String
    let jobType: JobType
    let description: String
    let location: EcoLocation
    let status: EcoStatus
    let displayStatus: DisplayStatus
    let displayReason: String?
    let nocTenantID: TenantID
    let ospTenantID: TenantID
    let acceptedBy: String?
    let taskCount: Int
    let stale: Bool
    let graceUntil: String?
    let cancelReason: String?
    let createdAt: String
    let createdBy: String
    let updatedAt: String
    let version: Int
    let integration: Integration?

    init(_ record: EcoRecord, showIntegration: Bool) {
        id = record.id
        jobID = record.jobID
        jobNumber = record.jobNumber
        subsector = record.subsector
        jobType = record.jobType
        description = record.description
        location = record.location
        status = record.status
        displayStatus = record.displayStatus
        displayReason = record.displayReason
        nocTenantID = record.nocTenantID
        ospTenantID = record.ospTenantID
        acceptedBy = record.acceptedBy
        taskCount = record.taskCount
        stale = record.stale
        graceUntil = record.graceUntil
        cancelReason = record.cancelReason
        createdAt = record.createdAt
        createdBy = record.createdBy
        updatedAt = record.updatedAt
        version = record.version
        integration = showIntegration
            ? Integration(
                status: record.integration.code, stage: record.integration.stage, reason: record.integrationReason,
                renderTaskID: record.renderTaskID, pagerRunID: record.pagerRunID)
            : nil
    }
}

/// One ECO with its Render tasks and latest pager run.
struct EcoDetailView: Encodable {
    let eco: EcoView
    let tasks: [TaskRecord]
    let latestPagerRun: PagerRunRecord?
}

struct EcoListView: Encodable {
    let items: [EcoView]
    let nextCursor: String?
}

struct TimelineView: Encodable {
    struct Entry: Encodable {
        let position: Int64
        let type: String
        let at: String
        let actor: String
        /// Who `actor` is, in words, when known.
        let actorName: String?
        let payload: JSONFragment
    }

    let entries: [Entry]
}

/// Any JSON value, to carry stored event payloads into an answer unchanged.
enum JSONFragment: Codable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONFragment])
    case object([String: JSONFragment])

    init(_ data: Data) throws { self = try JSONDecoder().decode(JSONFragment.self, from: data) }

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let value = try? container.decode(Bool.self) { self = .bool(value) }
        else if let value = try? container.decode(Double.self) { self = .number(value) }
        else if let value = try? container.decode(String.self) { self = .string(value) }
        else if let value = try? container.decode([JSONFragment].self) { self = .array(value) }
        else { self = .object(try container.decode([String: JSONFragment].self)) }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }
}

/// The ECO as it stood at a past instant.
struct EcoAsOfView: Encodable {
    let id: EcoID
    let at: String
    let version: Int
    let jobID: String
    let jobType: JobType
    let description: String
    let location: EcoLocation
    let status: EcoStatus
    let displayStatus: DisplayStatus
    let displayReason: String?
    let tasks: [EcoTaskChanged]
}
