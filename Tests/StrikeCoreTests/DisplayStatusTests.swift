import StrikeCore
import Testing

/// DESIGN §3 "Display status": the first rule that matches wins.
@Suite("Display status")
struct DisplayStatusTests {
    static func derive(
        _ status: EcoStatus = .inProgress, _ integration: IntegrationState = .dispatched, reason: String? = nil,
        tasks: [RenderTaskStatus] = []
    ) -> (status: DisplayStatus, reason: String?) {
        DisplayStatus.derive(status: status, integration: integration, integrationReason: reason, taskStatuses: tasks)
    }

    @Test(arguments: [
        (RenderTaskStatus.blueprinted, TaskDisplayStatus.pending), (.pending, .pending), (.tasked, .pending),
        (.allocated, .assigned), (.releasable, .assigned), (.released, .inProgress), (.jeopardy, .blocked),
        (.completed, .complete),
    ])
    func eachTaskStatusMaps(task: RenderTaskStatus, shown: TaskDisplayStatus) {
        #expect(task.display == shown)
    }

    @Test("Cancelled beats everything", arguments: IntegrationState.allCases)
    func cancelledBeatsEverything(integration: IntegrationState) {
        let derived = Self.derive(.cancelled, integration, reason: "Render said 503", tasks: [.jeopardy, .released])
        #expect(derived.status == .cancelled)
        #expect(derived.reason == nil)
    }

    @Test("Closed when hard complete", arguments: IntegrationState.allCases)
    func closedWhenHardComplete(integration: IntegrationState) {
        #expect(Self.derive(.hardComplete, integration, reason: "late", tasks: [.completed]).status == .closed)
    }

    @Test("Needs escalation carries the reason", arguments: [IntegrationStage.render, .pager])
    func needsEscalation(stage: IntegrationStage) {
        let derived = Self.derive(.open, .failed(stage), reason: "nobody accepted", tasks: [.jeopardy])
        #expect(derived.status == .needsEscalation)
        #expect(derived.reason == "nobody accepted")
    }

    @Test func pagingWhileTasked() {
        #expect(Self.derive(.open, .tasked, tasks: [.tasked]).status == .paging)
        #expect(Self.derive(.inProgress, .tasked, tasks: [.released]).status == .paging)
    }

    @Test func dispatchedWhileNoTaskHasMoved() {
        #expect(Self.derive(.open, .dispatched).status == .dispatched)
        #expect(Self.derive(.open, .dispatched, tasks: [.tasked, .blueprinted]).status == .dispatched)
        #expect(Self.derive(.open, .dispatched, tasks: [.tasked, .allocated]).status == .assigned)
    }

    @Test func fromTasksBlockedFirst() {
        #expect(Self.derive(tasks: [.completed, .released, .allocated, .jeopardy]).status == .blocked)
    }

    @Test func fromTasksCompleteOnlyWhenAllAre() {
        #expect(Self.derive(.completed, tasks: [.completed, .completed]).status == .complete)
        #expect(Self.derive(tasks: [.completed, .released]).status == .inProgress)
    }

    @Test func fromTasksInProgressBeforeAssigned() {
        #expect(Self.derive(tasks: [.allocated, .released, .pending]).status == .inProgress)
    }

    @Test func fromTasksAssignedBeforePending() {
        #expect(Self.derive(tasks: [.pending, .releasable]).status == .assigned)
        #expect(Self.derive(tasks: [.completed, .allocated]).status == .assigned)
    }

    @Test func pendingOtherwise() {
        #expect(Self.derive(.open, .pending).status == .pending)
        #expect(Self.derive(.completed, .pending, tasks: [.pending, .completed]).status == .pending)
    }

    @Test func derivesFromAnEco() throws {
        // Given an ECO dispatched with one task released
        var eco = try Fixture.eco(status: .inProgress, integration: .dispatched)
        eco = Eco.replay(try Eco.decide(.recordTaskChange(Fixture.task("task-1", .released)), eco), from: eco)

        // Then the operator sees it in progress
        #expect(DisplayStatus.derive(eco).status == .inProgress)
    }
}
