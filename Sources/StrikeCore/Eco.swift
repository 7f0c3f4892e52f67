public import Foundation

/// An Emergency Callout Order, as its events make it.
public struct Eco: Aggregate {
    public var id: EcoID?
    public var nocTenantID = TenantID("")
    public var ospTenantID = TenantID("")
    public var jobID = JobID(prefix: "", number: 0, year: 0)
    public var jobType = JobType.cmr
    public var description = ""
    public var location = EcoLocation.point(Position(longitude: 0, latitude: 0))
    public var attachments: [String] = []
    public var status = EcoStatus.open
    public var integration = IntegrationState.pending
    public var integrationReason: String?
    public var renderTaskID: String?
    public var pagerRunID: PagerRunID?
    public var acceptedBy: String?
    /// Render tasks of the subsector, by task id.
    public var tasks: [String: EcoTaskChanged] = [:]
    public var knownTaskCount = 0
    public var graceUntil: Date?
    public var isStale = false
    public var cancelReason: String?
    /// Why work came back after completion, while it is back: the attention list's `REOPENED`.
    public var reopenReason: String?
    /// Accepted, but no task moved within the OSP's acceptance timeout.
    public var acceptanceOverdue = false
    /// Paging ran past the OSP's alert threshold.
    public var pagingOverdue = false
    /// The words a watcher or the poller gave with a cause it raised (stale, overdue), while the cause lasts.
    public var attentionNotes: [AttentionCause: String] = [:]
    /// The causes a person has acknowledged; a cause that ends and comes back is not among them.
    public var acknowledged: Set<AttentionCause> = []

    public init() {}

    public static let streamType = "eco"
    public static let snapshotVersion = 2
    public static let initial = Eco()

    public var exists: Bool { id != nil }
}

/// What an operator asks of an ECO, or what a worker reports about it.
public enum EcoCommand: Sendable {
    case create(NewEco)
    case updateDetails(EcoDetailsChange)
    case markTasked(renderTaskID: String)
    case failIntegration(IntegrationStage, reason: String)
    case markDispatched(pagerRunID: PagerRunID, acceptedBy: String)
    case retryIntegration
    case recordTaskChange(EcoTaskChanged)
    case detectLateClone(taskID: String, taskCount: Int)
    case startWork
    case completeWork
    case reopenWork(reason: String)
    case startGracePeriod(until: Date)
    case hardComplete
    case flagStale(quietSince: Date)
    case cancel(reason: String)
    /// A watcher saw a time-based cause (acceptance or paging overdue); with `repage`, the list is paged again.
    case raiseAttention(AttentionCause, detail: String, repage: Bool)
    /// A person has seen what needs attention and is on it.
    case acknowledgeAttention
    /// An operator takes over: dispatch, complete, close or reopen by hand.
    case intervene(Intervention)
}

// MARK: - decide

extension Eco {
    public static func decide(_ command: EcoCommand, _ state: Eco) throws(DomainError) -> [EcoEvent] {
        if case .create(let new) = command {
            guard !state.exists else { throw .alreadyExists }
            return [.created(new.event)]
        }
        guard state.exists else { throw .notFound }
        if case .cancel(let reason) = command { return try state.cancel(reason: reason) }
        if case .intervene(let intervention) = command { return [.intervened(try state.decide(intervention))] }
        guard !state.status.isFinal else { throw .ecoClosed(state.status) }

        switch command {
        case .create, .cancel, .intervene:
            preconditionFailure("handled above")
        case .updateDetails(let change):
            return try state.updateDetails(change)
        case .markTasked(let taskID):
            guard !taskID.isEmpty else { throw .invalid([FieldProblem(field: "renderTaskID", message: "must not be empty")]) }
            // FAILED(pager) → TASKED is allowed, but only through an operator's retry, never by a new task.
            guard state.integration == .pending else {
                throw .invalidIntegrationTransition(from: state.integration, to: .tasked)
            }
            return [try state.integrationMove(to: .tasked, renderTaskID: taskID)]
        case .failIntegration(let stage, let reason):
            return [try state.integrationMove(to: .failed(stage), reason: reason)]
        case .markDispatched(let runID, let acceptedBy):
            return [try state.integrationMove(to: .dispatched, pagerRunID: runID, acceptedBy: acceptedBy)]
        case .retryIntegration:
            switch state.integration {
            case .failed(.render): return [try state.integrationMove(to: .pending, reason: "retried by an operator")]
            case .failed(.pager): return [try state.integrationMove(to: .tasked, reason: "retried by an operator")]
            default: throw .nothingToRetry(state.integration)
            }
        case .recordTaskChange(let task):
            guard state.tasks[task.taskID]?.fingerprint != task.fingerprint else { return [] }
            return [.taskChanged(task)]
        case .detectLateClone(let taskID, let count):
            return [.lateCloneDetected(EcoLateCloneDetected(taskID: taskID, taskCount: count))]
        case .startWork:
            // Work starts once; coming back from COMPLETED is a reopening, which says why.
            guard state.status == .open else { throw .invalidStatusTransition(from: state.status, to: .inProgress) }
            return [try state.statusMove(to: .inProgress)]
        case .completeWork:
            return [try state.statusMove(to: .completed)]
        case .reopenWork(let reason):
            guard state.status == .completed else { throw .invalidStatusTransition(from: state.status, to: .inProgress) }
            return [try state.statusMove(to: .inProgress, reason: reason)]
        case .startGracePeriod(let until):
            guard state.status == .completed else { throw .invalidStatusTransition(from: state.status, to: .completed) }
            return [.gracePeriodStarted(EcoGracePeriodStarted(until: until))]
        case .hardComplete:
            guard state.status.canMove(to: .hardComplete) else {
                throw .invalidStatusTransition(from: state.status, to: .hardComplete)
            }
            return [.hardCompleted(EcoHardCompleted())]
        case .flagStale(let quietSince):
            return state.isStale ? [] : [.staleDetected(EcoStaleDetected(quietSince: quietSince))]
        case .raiseAttention(let cause, let detail, let repage):
            return try state.raise(cause, detail: detail, repage: repage)
        case .acknowledgeAttention:
            let causes = state.attentionCauses
            guard !causes.isEmpty else { throw .nothingNeedsAttention }
            guard !Set(causes).isSubset(of: state.acknowledged) else { throw .alreadyAcknowledged }
            return [.attentionAcknowledged(EcoAttentionAcknowledged(causes: causes))]
        }
    }

    /// A time-based cause, raised once while it lasts: acceptance overdue while the accepted ECO's field has not
    /// moved, paging overdue while the list is still being rung. Anything else has nothing to raise. With
    /// `repage`, an acceptance overdue also sends the integration back to `TASKED`, so the list is paged again.
    private func raise(_ cause: AttentionCause, detail: String, repage: Bool) throws(DomainError) -> [EcoEvent] {
        let holds =
            switch cause {
            case .acceptanceOverdue: !acceptanceOverdue && integration == .dispatched && status == .open && !fieldHasMoved
            case .pagingOverdue: !pagingOverdue && integration == .tasked
            case .needsEscalation, .reopened, .stale: false
            }
        guard holds else { return [] }
        let raised = EcoEvent.attentionRaised(EcoAttentionRaised(cause: cause, detail: detail))
        guard repage, cause == .acceptanceOverdue else { return [raised] }
        return [raised, try integrationMove(to: .tasked, reason: "paged again: \(detail)")]
    }

    private func statusMove(to next: EcoStatus, reason: String? = nil) throws(DomainError) -> EcoEvent {
        guard status.canMove(to: next) else { throw .invalidStatusTransition(from: status, to: next) }
        return .statusChanged(EcoStatusChanged(from: status, to: next, reason: reason))
    }

    func integrationMove(
        to next: IntegrationState, reason: String? = nil, renderTaskID: String? = nil,
        pagerRunID: PagerRunID? = nil, acceptedBy: String? = nil
    ) throws(DomainError) -> EcoEvent {
        guard integration.canMove(to: next) else { throw .invalidIntegrationTransition(from: integration, to: next) }
        return .integrationStatusChanged(
            EcoIntegrationStatusChanged(
                from: integration, to: next, reason: reason, renderTaskID: renderTaskID,
                pagerRunID: pagerRunID, acceptedBy: acceptedBy))
    }

    private func cancel(reason: String) throws(DomainError) -> [EcoEvent] {
        let trimmed = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...1000).contains(trimmed.count) else { throw .invalidCancelReason }
        guard status.canMove(to: .cancelled) else { throw .invalidStatusTransition(from: status, to: .cancelled) }
        return [.cancelled(EcoCancelled(from: status, reason: trimmed))]
    }

    private func updateDetails(_ change: EcoDetailsChange) throws(DomainError) -> [EcoEvent] {
        // "You can't update a completed ECO": reopen it first.
        guard status != .completed else { throw .ecoCompleted }
        let checked = try change.validated()
        let event = EcoDetailsUpdated(
            jobType: checked.jobType == jobType ? nil : checked.jobType,
            description: checked.description == description ? nil : checked.description,
            location: checked.location == location ? nil : checked.location)
        if event.jobType == nil, event.description == nil, event.location == nil { return [] }
        return [.detailsUpdated(event)]
    }
}

// MARK: - evolve

extension Eco {
    public static func evolve(_ state: Eco, _ event: EcoEvent) -> Eco {
        var next = state
        switch event {
        case .created(let created):
            next.id = created.ecoID
            next.nocTenantID = created.nocTenantID
            next.ospTenantID = created.ospTenantID
            next.jobID = created.jobID
            next.jobType = created.jobType
            next.description = created.description
            next.location = created.location
            next.attachments = created.attachments
        case .detailsUpdated(let change):
            if let jobType = change.jobType { next.jobType = jobType }
            if let description = change.description { next.description = description }
            if let location = change.location { next.location = location }
        case .integrationStatusChanged(let change):
            next.integration = change.to
            next.integrationReason = change.to.stage == nil ? nil : change.reason
            if let taskID = change.renderTaskID { next.renderTaskID = taskID }
            if let runID = change.pagerRunID { next.pagerRunID = runID }
            if let acceptedBy = change.acceptedBy { next.acceptedBy = acceptedBy }
        case .statusChanged(let change):
            next.status = change.to
            if change.to == .inProgress { next.graceUntil = nil }
            if change.from == .completed, change.to == .inProgress { next.reopenReason = change.reason ?? "work reopened" }
        case .taskChanged(let task):
            next.tasks[task.taskID] = task
            next.knownTaskCount = max(next.knownTaskCount, next.tasks.count)
            next.isStale = false
        case .lateCloneDetected(let clone):
            next.knownTaskCount = max(next.knownTaskCount, clone.taskCount)
        case .gracePeriodStarted(let grace):
            next.graceUntil = grace.until
        case .hardCompleted:
            next.status = .hardComplete
        case .staleDetected(let stale):
            next.isStale = true
            next.attentionNotes[.stale] = "no field change since \(ISO8601.string(from: stale.quietSince))"
        case .cancelled(let cancelled):
            next.status = .cancelled
            next.cancelReason = cancelled.reason
        case .attentionRaised(let raised):
            switch raised.cause {
            case .acceptanceOverdue: next.acceptanceOverdue = true
            case .pagingOverdue: next.pagingOverdue = true
            case .needsEscalation, .reopened, .stale: break
            }
            next.attentionNotes[raised.cause] = raised.detail
        case .attentionAcknowledged(let acknowledged):
            next.acknowledged.formUnion(acknowledged.causes)
        case .intervened(let intervention):
            next.apply(intervention)
        }
        next.settleAttention(after: event)
        return next
    }
}
