/// The work status of an ECO.
public enum EcoStatus: String, Codable, Sendable, CaseIterable {
    case open = "OPEN"
    case inProgress = "IN_PROGRESS"
    case completed = "COMPLETED"
    case hardComplete = "HARD_COMPLETE"
    case cancelled = "CANCELLED"

    /// Every move the status may make; anything else is refused.
    public static let allowedTransitions: [EcoStatus: Set<EcoStatus>] = [
        .open: [.inProgress, .cancelled],
        .inProgress: [.completed, .cancelled],
        .completed: [.hardComplete, .inProgress],
        .hardComplete: [],
        .cancelled: [],
    ]

    public func canMove(to next: EcoStatus) -> Bool {
        Self.allowedTransitions[self, default: []].contains(next)
    }

    /// Nothing leaves these statuses, and no field work is followed after them.
    public var isFinal: Bool { self == .hardComplete || self == .cancelled }
}

/// The kind of work an ECO asks for.
public enum JobType: String, Codable, Sendable, CaseIterable {
    case cmr = "CMR"
    case mfr = "MFR"
    case fnol = "FNOL"
}

/// Which part of the integration failed.
public enum IntegrationStage: String, Codable, Sendable, CaseIterable {
    case render
    case pager
}

/// The integration status: how far the appliance got in handing the ECO to the field.
public enum IntegrationState: Hashable, Sendable, CustomStringConvertible {
    case pending
    case tasked
    case dispatched
    case failed(IntegrationStage)

    public static let allCases: [IntegrationState] = [
        .pending, .tasked, .dispatched, .failed(.render), .failed(.pager),
    ]

    /// `PENDING → TASKED → DISPATCHED`; `FAILED` from `PENDING` (render) or `TASKED` (pager); retry back;
    /// `DISPATCHED → TASKED` when the accepted field did not move in time and the OSP pages again. (An operator's
    /// manual dispatch is an intervention, outside these moves.)
    public static let allowedTransitions: [IntegrationState: Set<IntegrationState>] = [
        .pending: [.tasked, .failed(.render)],
        .tasked: [.dispatched, .failed(.pager)],
        .dispatched: [.tasked],
        .failed(.render): [.pending],
        .failed(.pager): [.tasked],
    ]

    public func canMove(to next: IntegrationState) -> Bool {
        Self.allowedTransitions[self, default: []].contains(next)
    }

    public var code: String {
        switch self {
        case .pending: "PENDING"
        case .tasked: "TASKED"
        case .dispatched: "DISPATCHED"
        case .failed: "FAILED"
        }
    }

    public var stage: IntegrationStage? {
        if case .failed(let stage) = self { stage } else { nil }
    }

    public var description: String {
        if let stage { "FAILED(\(stage.rawValue))" } else { code }
    }

    public init?(code: String, stage: IntegrationStage?) {
        switch (code, stage) {
        case ("PENDING", nil): self = .pending
        case ("TASKED", nil): self = .tasked
        case ("DISPATCHED", nil): self = .dispatched
        case ("FAILED", let stage?): self = .failed(stage)
        default: return nil
        }
    }
}

extension IntegrationState: Codable {
    private enum CodingKeys: String, CodingKey { case status, stage }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let code = try container.decode(String.self, forKey: .status)
        let stage = try container.decodeIfPresent(IntegrationStage.self, forKey: .stage)
        guard let state = IntegrationState(code: code, stage: stage) else {
            throw DecodingError.dataCorruptedError(
                forKey: .status, in: container, debugDescription: "unknown integration status \(code)")
        }
        self = state
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(code, forKey: .status)
        try container.encodeIfPresent(stage, forKey: .stage)
    }
}

/// A Render task's status, as Render reports it.
public enum RenderTaskStatus: String, Codable, Sendable, CaseIterable {
    case blueprinted, pending, tasked, allocated, releasable, released, jeopardy, completed

    /// What an operator sees for this one task.
    public var display: TaskDisplayStatus {
        switch self {
        case .blueprinted, .pending, .tasked: .pending
        case .allocated, .releasable: .assigned
        case .released: .inProgress
        case .jeopardy: .blocked
        case .completed: .complete
        }
    }
}

/// A task's operator-facing status.
public enum TaskDisplayStatus: String, Codable, Sendable {
    case pending = "Pending"
    case assigned = "Assigned"
    case inProgress = "In Progress"
    case blocked = "Blocked"
    case complete = "Complete"
}
