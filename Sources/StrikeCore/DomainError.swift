/// A command the domain refuses. Each case is a rule an operator can understand.
public enum DomainError: Error, Equatable, Sendable, CustomStringConvertible {
    case invalid([FieldProblem])
    /// A name that must be unique is already used: a conflict with what exists, named by its field.
    case taken(FieldProblem)
    case sameTenantOnBothSides
    case alreadyExists
    case notFound
    case invalidStatusTransition(from: EcoStatus, to: EcoStatus)
    case invalidIntegrationTransition(from: IntegrationState, to: IntegrationState)
    case ecoClosed(EcoStatus)
    case nothingToRetry(IntegrationState)
    case invalidCancelReason
    case pagerRunNotStarted
    case pagerRunAlreadyStarted
    case pagerRunAlreadyCompleted
    case contactIndexOutOfRange(Int)
    case acceptanceNeedsContact
    case acceptanceOnlyWhenDispatched
    case noContacts
    case invalidContact(index: Int, reason: String)
    case ecoCompleted
    case nothingNeedsAttention
    case alreadyAcknowledged
    case interventionRefused(InterventionAction, because: String)

    public var description: String {
        switch self {
        case .invalid(let problems): problems.map(\.description).joined(separator: "; ")
        case .taken(let problem): problem.description
        case .sameTenantOnBothSides: "the NOC and the OSP must be different tenants"
        case .alreadyExists: "it already exists"
        case .notFound: "it does not exist"
        case .invalidStatusTransition(let from, let to): "status cannot move from \(from.rawValue) to \(to.rawValue)"
        case .invalidIntegrationTransition(let from, let to): "integration status cannot move from \(from) to \(to)"
        case .ecoClosed(let status):
            status == .hardComplete
                ? "the ECO is closed (HARD_COMPLETE); only an operator's reopen changes it" : "the ECO is \(status.rawValue) and can no longer change"
        case .nothingToRetry(let state): "there is nothing to retry while the integration status is \(state)"
        case .invalidCancelReason: "a cancellation needs a reason of 1 to 1000 characters"
        case .pagerRunNotStarted: "the pager run has not started"
        case .pagerRunAlreadyStarted: "the pager run has already started"
        case .pagerRunAlreadyCompleted: "the pager run has already completed"
        case .contactIndexOutOfRange(let index): "there is no contact number \(index) in this pager run"
        case .acceptanceNeedsContact: "a dispatched pager run must name the contact who accepted"
        case .acceptanceOnlyWhenDispatched: "only a dispatched pager run has an accepting contact"
        case .noContacts: "a pager run needs at least one contact"
        case .invalidContact(let index, let reason): "contact \(index): \(reason)"
        case .ecoCompleted: "the ECO is COMPLETED and cannot be edited; reopen it first"
        case .nothingNeedsAttention: "nothing about this ECO needs attention now"
        case .alreadyAcknowledged: "what this ECO needs has already been acknowledged"
        case .interventionRefused(let action, let because): "cannot \(action.rawValue) this ECO: \(because)"
        }
    }
}

/// One field's problem, so a form can show it beside the field.
public struct FieldProblem: Equatable, Sendable, Codable, CustomStringConvertible {
    public let field: String
    public let message: String
    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }
    public var description: String { "\(field): \(message)" }
}
