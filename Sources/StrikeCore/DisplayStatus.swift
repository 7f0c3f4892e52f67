/// What a NOC operator sees: derived from the ECO and its tasks, never stored as truth.
public enum DisplayStatus: String, Codable, Sendable, CaseIterable {
    case cancelled = "Cancelled"
    case closed = "Closed"
    case needsEscalation = "Needs escalation"
    case paging = "Paging"
    case dispatched = "Dispatched"
    case blocked = "Blocked"
    case complete = "Complete"
    case inProgress = "In Progress"
    case assigned = "Assigned"
    case pending = "Pending"

    /// The display status by DESIGN §3's priority, with the reason when escalation is needed.
    public static func derive(
        status: EcoStatus, integration: IntegrationState, integrationReason: String?,
        taskStatuses: [RenderTaskStatus]
    ) -> (status: DisplayStatus, reason: String?) {
        if status == .cancelled { return (.cancelled, nil) }
        if status == .hardComplete { return (.closed, nil) }
        if case .failed = integration { return (.needsEscalation, integrationReason) }
        if integration == .tasked { return (.paging, nil) }
        let shown = taskStatuses.map(\.display)
        if integration == .dispatched, shown.allSatisfy({ $0 == .pending }) { return (.dispatched, nil) }
        if shown.contains(.blocked) { return (.blocked, nil) }
        if !shown.isEmpty, shown.allSatisfy({ $0 == .complete }) { return (.complete, nil) }
        if shown.contains(.inProgress) { return (.inProgress, nil) }
        if shown.contains(.assigned) { return (.assigned, nil) }
        return (.pending, nil)
    }

    public static func derive(_ eco: Eco) -> (status: DisplayStatus, reason: String?) {
        derive(
            status: eco.status, integration: eco.integration, integrationReason: eco.integrationReason,
            taskStatuses: eco.tasks.values.map(\.status))
    }
}
