public import Foundation

// MARK: - Payloads

/// An ECO was opened. Schema v2 added `attachments` (v1 payloads are upcast with none).
public struct EcoCreated: Codable, Sendable, Equatable {
    public var ecoID: EcoID
    public var nocTenantID: TenantID
    public var ospTenantID: TenantID
    public var jobID: JobID
    public var jobType: JobType
    public var description: String
    public var location: EcoLocation
    public var attachments: [String]

    public init(
        ecoID: EcoID, nocTenantID: TenantID, ospTenantID: TenantID, jobID: JobID, jobType: JobType,
        description: String, location: EcoLocation, attachments: [String]
    ) {
        self.ecoID = ecoID
        self.nocTenantID = nocTenantID
        self.ospTenantID = ospTenantID
        self.jobID = jobID
        self.jobType = jobType
        self.description = description
        self.location = location
        self.attachments = attachments
    }
}

/// An operator changed what the ECO says; only the changed fields are present.
public struct EcoDetailsUpdated: Codable, Sendable, Equatable {
    public var jobType: JobType?
    public var description: String?
    public var location: EcoLocation?

    public init(jobType: JobType? = nil, description: String? = nil, location: EcoLocation? = nil) {
        self.jobType = jobType
        self.description = description
        self.location = location
    }
}

/// The integration moved on, with what it learned on the way.
public struct EcoIntegrationStatusChanged: Codable, Sendable, Equatable {
    public var from: IntegrationState
    public var to: IntegrationState
    public var reason: String?
    public var renderTaskID: String?
    public var pagerRunID: PagerRunID?
    public var acceptedBy: String?

    public init(
        from: IntegrationState, to: IntegrationState, reason: String? = nil, renderTaskID: String? = nil,
        pagerRunID: PagerRunID? = nil, acceptedBy: String? = nil
    ) {
        self.from = from
        self.to = to
        self.reason = reason
        self.renderTaskID = renderTaskID
        self.pagerRunID = pagerRunID
        self.acceptedBy = acceptedBy
    }
}

/// The work status moved (IN_PROGRESS or COMPLETED; hard completion and cancellation have their own events).
public struct EcoStatusChanged: Codable, Sendable, Equatable {
    public var from: EcoStatus
    public var to: EcoStatus
    public var reason: String?

    public init(from: EcoStatus, to: EcoStatus, reason: String? = nil) {
        self.from = from
        self.to = to
        self.reason = reason
    }
}

/// One Render task was seen changed.
public struct EcoTaskChanged: Codable, Sendable, Equatable {
    public var taskID: String
    public var status: RenderTaskStatus
    public var assignee: String?
    public var fingerprint: String

    public init(taskID: String, status: RenderTaskStatus, assignee: String? = nil, fingerprint: String) {
        self.taskID = taskID
        self.status = status
        self.assignee = assignee
        self.fingerprint = fingerprint
    }
}

/// More tasks appeared in the subsector than were known: a clone made in the field.
public struct EcoLateCloneDetected: Codable, Sendable, Equatable {
    public var taskID: String
    public var taskCount: Int

    public init(taskID: String, taskCount: Int) {
        self.taskID = taskID
        self.taskCount = taskCount
    }
}

/// Every task completed; the ECO becomes hard complete at `until` unless work reappears.
public struct EcoGracePeriodStarted: Codable, Sendable, Equatable {
    public var until: Date

    public init(until: Date) {
        self.until = until
    }
}

/// The grace period ended with all work complete; nothing changes this ECO any more.
public struct EcoHardCompleted: Codable, Sendable, Equatable {
    public init() {}
}

/// No change was seen for the inactivity limit.
public struct EcoStaleDetected: Codable, Sendable, Equatable {
    public var quietSince: Date

    public init(quietSince: Date) {
        self.quietSince = quietSince
    }
}

/// An operator cancelled the ECO.
public struct EcoCancelled: Codable, Sendable, Equatable {
    public var from: EcoStatus
    public var reason: String

    public init(from: EcoStatus, reason: String) {
        self.from = from
        self.reason = reason
    }
}

/// A watcher saw a time-based cause: accepted with no field movement, or paging for too long.
public struct EcoAttentionRaised: Codable, Sendable, Equatable {
    public var cause: AttentionCause
    public var detail: String

    public init(cause: AttentionCause, detail: String) {
        self.cause = cause
        self.detail = detail
    }
}

/// A person acknowledged what needed attention (the event's actor); the causes it covered.
public struct EcoAttentionAcknowledged: Codable, Sendable, Equatable {
    public var causes: [AttentionCause]

    public init(causes: [AttentionCause]) {
        self.causes = causes
    }
}

// MARK: - The event enum

public enum EcoEvent: Sendable, Equatable {
    case created(EcoCreated)
    case detailsUpdated(EcoDetailsUpdated)
    case integrationStatusChanged(EcoIntegrationStatusChanged)
    case statusChanged(EcoStatusChanged)
    case taskChanged(EcoTaskChanged)
    case lateCloneDetected(EcoLateCloneDetected)
    case gracePeriodStarted(EcoGracePeriodStarted)
    case hardCompleted(EcoHardCompleted)
    case staleDetected(EcoStaleDetected)
    case cancelled(EcoCancelled)
    case attentionRaised(EcoAttentionRaised)
    case attentionAcknowledged(EcoAttentionAcknowledged)
    case intervened(EcoInterventionRecorded)
}

extension EcoEvent: AggregateEvent {
    public var type: String {
        switch self {
        case .created: "EcoCreated"
        case .detailsUpdated: "EcoDetailsUpdated"
        case .integrationStatusChanged: "EcoIntegrationStatusChanged"
        case .statusChanged: "EcoStatusChanged"
        case .taskChanged: "EcoTaskChanged"
        case .lateCloneDetected: "EcoLateCloneDetected"
        case .gracePeriodStarted: "EcoGracePeriodStarted"
        case .hardCompleted: "EcoHardCompleted"
        case .staleDetected: "EcoStaleDetected"
        case .cancelled: "EcoCancelled"
        case .attentionRaised: "EcoAttentionRaised"
        case .attentionAcknowledged: "EcoAttentionAcknowledged"
        case .intervened: "EcoInterventionRecorded"
        }
    }

    public var schemaVersion: Int { Self.currentSchemaVersion(of: type) }

    /// The schema version each type is written at today.
    public static func currentSchemaVersion(of type: String) -> Int {
        type == "EcoCreated" ? 2 : 1
    }

    public func encodedPayload() throws -> Data {
        let encoder = EventCoding.encoder()
        return switch self {
        case .created(let payload): try encoder.encode(payload)
        case .detailsUpdated(let payload): try encoder.encode(payload)
        case .integrationStatusChanged(let payload): try encoder.encode(payload)
        case .statusChanged(let payload): try encoder.encode(payload)
        case .taskChanged(let payload): try encoder.encode(payload)
        case .lateCloneDetected(let payload): try encoder.encode(payload)
        case .gracePeriodStarted(let payload): try encoder.encode(payload)
        case .hardCompleted(let payload): try encoder.encode(payload)
        case .staleDetected(let payload): try encoder.encode(payload)
        case .cancelled(let payload): try encoder.encode(payload)
        case .attentionRaised(let payload): try encoder.encode(payload)
        case .attentionAcknowledged(let payload): try encoder.encode(payload)
        case .intervened(let payload): try encoder.encode(payload)
        }
    }

    public static func decode(type: String, payload: Data) throws -> EcoEvent {
        let decoder = EventCoding.decoder()
        return switch type {
        case "EcoCreated": .created(try decoder.decode(EcoCreated.self, from: payload))
        case "EcoDetailsUpdated": .detailsUpdated(try decoder.decode(EcoDetailsUpdated.self, from: payload))
        case "EcoIntegrationStatusChanged":
            .integrationStatusChanged(try decoder.decode(EcoIntegrationStatusChanged.self, from: payload))
        case "EcoStatusChanged": .statusChanged(try decoder.decode(EcoStatusChanged.self, from: payload))
        case "EcoTaskChanged": .taskChanged(try decoder.decode(EcoTaskChanged.self, from: payload))
        case "EcoLateCloneDetected": .lateCloneDetected(try decoder.decode(EcoLateCloneDetected.self, from: payload))
        case "EcoGracePeriodStarted": .gracePeriodStarted(try decoder.decode(EcoGracePeriodStarted.self, from: payload))
        case "EcoHardCompleted": .hardCompleted(try decoder.decode(EcoHardCompleted.self, from: payload))
        case "EcoStaleDetected": .staleDetected(try decoder.decode(EcoStaleDetected.self, from: payload))
        case "EcoCancelled": .cancelled(try decoder.decode(EcoCancelled.self, from: payload))
        case "EcoAttentionRaised": .attentionRaised(try decoder.decode(EcoAttentionRaised.self, from: payload))
        case "EcoAttentionAcknowledged": .attentionAcknowledged(try decoder.decode(EcoAttentionAcknowledged.self, from: payload))
        case "EcoInterventionRecorded": .intervened(try decoder.decode(EcoInterventionRecorded.self, from: payload))
        default: throw UnknownEventType(type: type)
        }
    }

    public static let upcasters = UpcasterChain([
        // v1 of EcoCreated was written before attachments existed: it had none.
        Upcaster(eventType: "EcoCreated", fromVersion: 1) { payload in
            var payload = payload
            if payload["attachments"] == nil { payload["attachments"] = [String]() }
            return payload
        }
    ])
}

/// A stored event whose type this build does not know.
public struct UnknownEventType: Error, CustomStringConvertible, Sendable {
    public let type: String
    public var description: String { "unknown event type \(type)" }
}
