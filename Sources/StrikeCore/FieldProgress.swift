public import Foundation

/// One Render task as the poller saw it, with the fingerprint of the fields that matter.
public struct ObservedTask: Sendable, Equatable {
    public var id: String
    public var status: RenderTaskStatus
    public var assignee: String?
    public var fingerprint: String

    public init(id: String, status: RenderTaskStatus, assignee: String?, fingerprint: String) {
        self.id = id
        self.status = status
        self.assignee = assignee
        self.fingerprint = fingerprint
    }
}

/// DESIGN §5, what a poll of an ECO's subsector means for the ECO, as the commands to run in order:
/// changed tasks recorded; more tasks than known is a late clone; the first task assigned or released starts
/// the work; all tasks completed complete it and start the grace period; a new or reopened task during grace
/// reopens it; grace expired makes it hard complete; a long silence flags it stale, once.
public enum FieldProgress {
    public static func commands(
        for eco: Eco, tasks: [ObservedTask], at now: Date, gracePeriod: TimeInterval, quietSince: Date, staleAfter: TimeInterval
    ) -> [EcoCommand] {
        guard !eco.status.isFinal else { return [] }
        var commands: [EcoCommand] = []
        let changed = tasks.filter { eco.tasks[$0.id]?.fingerprint != $0.fingerprint }
        commands += changed.map { .recordTaskChange(EcoTaskChanged(taskID: $0.id, status: $0.status, assignee: $0.assignee, fingerprint: $0.fingerprint)) }
        let newTasks = tasks.filter { eco.tasks[$0.id] == nil }
        if !eco.tasks.isEmpty, let clone = newTasks.last, tasks.count > eco.knownTaskCount {
            commands.append(.detectLateClone(taskID: clone.id, taskCount: tasks.count))
        }
        let started = tasks.contains { [.allocated, .releasable, .released, .completed].contains($0.status) }
        let allCompleted = !tasks.isEmpty && tasks.allSatisfy { $0.status == .completed }
        let complete: [EcoCommand] = [.completeWork, .startGracePeriod(until: now.addingTimeInterval(gracePeriod))]
        switch eco.status {
        case .open:
            if started { commands.append(.startWork) }
            if allCompleted { commands += complete }
        case .inProgress:
            if allCompleted { commands += complete }
        case .completed:
            if let reopened = changed.first(where: { $0.status != .completed }) {
                let reason = eco.tasks[reopened.id] == nil ? "a new task \(reopened.id) appeared" : "task \(reopened.id) was reopened"
                commands.append(.reopenWork(reason: reason))
            } else if let until = eco.graceUntil, now >= until {
                commands.append(.hardComplete)
            }
        case .hardComplete, .cancelled:
            break
        }
        if commands.isEmpty, !eco.isStale, now.timeIntervalSince(quietSince) >= staleAfter {
            commands.append(.flagStale(quietSince: quietSince))
        }
        return commands
    }

    /// Whether the ECO is still followed in Render: dispatched, and neither hard complete nor cancelled.
    public static func isFollowed(_ eco: Eco) -> Bool {
        eco.integration == .dispatched && !eco.status.isFinal
    }
}
