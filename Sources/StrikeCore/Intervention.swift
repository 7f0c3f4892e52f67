public import Foundation

/// What an operator does by hand when the automatic path is not enough.
public enum InterventionAction: String, Codable, Sendable, CaseIterable {
    /// A supervisor called the NOC back and took the job: the ECO is dispatched to them, the pager stops.
    case dispatch
    /// The work is done, whatever the field platform shows.
    case complete
    /// Nothing more will happen: the ECO is closed (hard complete) at once.
    case close
    /// A completed or closed ECO needs work again.
    case reopen
}

/// An operator's intervention as asked: the action, why, and for a dispatch who accepted.
public struct Intervention: Sendable, Equatable {
    public var action: InterventionAction
    public var reason: String
    public var acceptedBy: String?
    /// For a completion: when its grace period ends (the Render instance's grace period from now).
    public var graceUntil: Date?

    public init(action: InterventionAction, reason: String, acceptedBy: String? = nil, graceUntil: Date? = nil) {
        self.action = action
        self.reason = reason
        self.acceptedBy = acceptedBy
        self.graceUntil = graceUntil
    }

    /// The trimmed intervention, or the fields that refuse it.
    func validated() throws(DomainError) -> Intervention {
        var checked = self
        var problems: [FieldProblem] = []
        checked.reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        if !(1...1000).contains(checked.reason.count) {
            problems.append(FieldProblem(field: "reason", message: "must be 1 to 1000 characters"))
        }
        checked.acceptedBy = acceptedBy?.trimmingCharacters(in: .whitespacesAndNewlines)
        switch (action, checked.acceptedBy) {
        case (.dispatch, let name?) where (1...200).contains(name.count): break
        case (.dispatch, _): problems.append(FieldProblem(field: "acceptedBy", message: "must name who accepted, 1 to 200 characters"))
        case (_, nil): break
        case (_, .some): problems.append(FieldProblem(field: "acceptedBy", message: "is only for a dispatch"))
        }
        guard problems.isEmpty else { throw .invalid(problems) }
        if action != .complete { checked.graceUntil = nil }
        return checked
    }
}

/// An operator intervened; the timeline shows it with the event's actor and the reason.
public struct EcoInterventionRecorded: Codable, Sendable, Equatable {
    public var action: InterventionAction
    public var reason: String
    public var acceptedBy: String?
    public var graceUntil: Date?
    /// The status it was taken from.
    public var from: EcoStatus

    public init(action: InterventionAction, reason: String, acceptedBy: String? = nil, graceUntil: Date? = nil, from: EcoStatus) {
        self.action = action
        self.reason = reason
        self.acceptedBy = acceptedBy
        self.graceUntil = graceUntil
        self.from = from
    }
}

extension Eco {
    /// The seeds' rule, with its one way back: nothing returns from COMPLETED (or a close) to work without an
    /// explicit intervention, and each intervention is refused where the status machine does not allow it.
    func decide(_ intervention: Intervention) throws(DomainError) -> EcoInterventionRecorded {
        let checked = try intervention.validated()
        let refuse = { (because: String) throws(DomainError) -> Never in throw .interventionRefused(checked.action, because: because) }
        switch checked.action {
        case .dispatch:
            guard status == .open || status == .inProgress else { try refuse("it is \(status.rawValue)") }
            switch integration {
            case .tasked, .failed: break
            case .dispatched: try refuse("it is already dispatched" + (acceptedBy.map { " (accepted by \($0))" } ?? ""))
            case .pending: try refuse("its Render task is still being made")
            }
        case .complete:
            guard status == .open || status == .inProgress else { try refuse("it is \(status.rawValue)") }
        case .close:
            guard status == .open || status == .inProgress || status == .completed else { try refuse("it is \(status.rawValue)") }
        case .reopen:
            guard status == .completed || status == .hardComplete else {
                try refuse("only a COMPLETED or closed ECO is reopened, and it is \(status.rawValue)")
            }
        }
        return EcoInterventionRecorded(
            action: checked.action, reason: checked.reason, acceptedBy: checked.acceptedBy, graceUntil: checked.graceUntil, from: status)
    }

    mutating func apply(_ intervention: EcoInterventionRecorded) {
        switch intervention.action {
        case .dispatch:
            integration = .dispatched
            integrationReason = nil
            acceptedBy = intervention.acceptedBy
        case .complete:
            status = .completed
            graceUntil = intervention.graceUntil
        case .close:
            status = .hardComplete
        case .reopen:
            status = .inProgress
            graceUntil = nil
        }
    }
}
