/// Why an ECO needs a person now. The attention list is derived from these; each has a `since` and may be
/// acknowledged, and stays listed until its cause is gone.
public enum AttentionCause: String, Codable, CodingKeyRepresentable, Sendable, CaseIterable {
    /// Render refused the task, or nobody accepted the callout: integration `FAILED`.
    case needsEscalation = "NEEDS_ESCALATION"
    /// Work came back after completion, during the grace period: a late clone or a reopened task.
    case reopened = "REOPENED"
    /// No field change for the Render instance's inactivity limit.
    case stale = "STALE"
    /// A supervisor accepted, but no task moved within the OSP's acceptance timeout.
    case acceptanceOverdue = "ACCEPTANCE_OVERDUE"
    /// The pager has been ringing the list for longer than the OSP's alert threshold.
    case pagingOverdue = "PAGING_OVERDUE"
}

extension Eco {
    /// What needs a person about this ECO now, in a fixed order; empty once it is closed or cancelled.
    public var attentionCauses: [AttentionCause] {
        guard !status.isFinal else { return [] }
        var causes: [AttentionCause] = []
        if integration.stage != nil { causes.append(.needsEscalation) }
        if reopenReason != nil { causes.append(.reopened) }
        // A completed ECO waiting out its grace period is quiet by design: silence there needs nobody.
        if isStale, status != .completed { causes.append(.stale) }
        if acceptanceOverdue { causes.append(.acceptanceOverdue) }
        if pagingOverdue { causes.append(.pagingOverdue) }
        return causes
    }

    /// The words shown beside a cause: the reason the integration failed, why work reopened, and so on.
    public func attentionDetail(_ cause: AttentionCause) -> String? {
        switch cause {
        case .needsEscalation: integrationReason
        case .reopened: reopenReason
        case .stale, .acceptanceOverdue, .pagingOverdue: attentionNotes[cause]
        }
    }

    /// Whether any task in the field has moved past Pending: the supervisor's crew is on it.
    var fieldHasMoved: Bool {
        tasks.values.contains { $0.status.display != .pending }
    }

    /// Clears the flags whose cause is gone, and the acknowledgements of causes no longer present; run after
    /// every event, so a cause that returns later asks for a person again.
    mutating func settleAttention(after event: EcoEvent) {
        if status != .inProgress { reopenReason = nil }
        if acceptanceOverdue {
            let accepted = if case .integrationStatusChanged(let change) = event { change.to == .dispatched } else { false }
            if accepted || fieldHasMoved || status != .open || integration.stage != nil { acceptanceOverdue = false }
        }
        if integration != .tasked { pagingOverdue = false }
        let present = Set(attentionCauses)
        attentionNotes = attentionNotes.filter { present.contains($0.key) }
        acknowledged.formIntersection(present)
    }
}
