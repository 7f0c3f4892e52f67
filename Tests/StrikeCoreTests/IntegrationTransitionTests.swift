import StrikeCore
import Testing

/// DESIGN §3: `PENDING → TASKED → DISPATCHED`; `FAILED(render)` from `PENDING`, `FAILED(pager)` from `TASKED`;
/// an operator's retry moves `FAILED(render) → PENDING` and `FAILED(pager) → TASKED`.
@Suite("ECO integration transitions")
struct IntegrationTransitionTests {
    enum Command: CaseIterable, Sendable, CustomStringConvertible {
        case markTasked, failRender, failPager, markDispatched, retry

        var ecoCommand: EcoCommand {
            switch self {
            case .markTasked: .markTasked(renderTaskID: "task-77")
            case .failRender: .failIntegration(.render, reason: "Render said 503")
            case .failPager: .failIntegration(.pager, reason: "nobody accepted")
            case .markDispatched: .markDispatched(pagerRunID: PagerRunID("run-9"), acceptedBy: "Dana Ortiz")
            case .retry: .retryIntegration
            }
        }

        var description: String {
            switch self {
            case .markTasked: "markTasked"
            case .failRender: "failIntegration(render)"
            case .failPager: "failIntegration(pager)"
            case .markDispatched: "markDispatched"
            case .retry: "retryIntegration"
            }
        }
    }

    /// Written out from the design: the only (state, command) pairs that succeed, and where they lead.
    static func allowedTarget(from: IntegrationState, _ command: Command) -> IntegrationState? {
        switch (from, command) {
        case (.pending, .markTasked): .tasked
        case (.tasked, .markDispatched): .dispatched
        case (.pending, .failRender): .failed(.render)
        case (.tasked, .failPager): .failed(.pager)
        case (.failed(.render), .retry): .pending
        case (.failed(.pager), .retry): .tasked
        default: nil
        }
    }

    /// Where the command would lead if it were allowed, as named in a refusal.
    static func requestedTarget(_ command: Command) -> IntegrationState? {
        switch command {
        case .markTasked: .tasked
        case .failRender: .failed(.render)
        case .failPager: .failed(.pager)
        case .markDispatched: .dispatched
        case .retry: nil
        }
    }

    @Test("every (state, command) pair is allowed exactly as the design says",
          arguments: IntegrationState.allCases, Command.allCases)
    func everyPair(from: IntegrationState, command: Command) throws {
        // Given an open ECO at integration state `from`
        let state = try Fixture.eco(integration: from)

        if let target = Self.allowedTarget(from: from, command) {
            // When the command is decided, then the ECO moves to `target`
            let events = try Eco.decide(command.ecoCommand, state)
            #expect(events.count == 1)
            #expect(Eco.replay(events, from: state).integration == target)
        } else if let target = Self.requestedTarget(command) {
            #expect(throws: DomainError.invalidIntegrationTransition(from: from, to: target)) {
                try Eco.decide(command.ecoCommand, state)
            }
        } else {
            #expect(throws: DomainError.nothingToRetry(from)) { try Eco.decide(command.ecoCommand, state) }
        }
    }

    @Test("the transition table holds exactly the design's moves",
          arguments: IntegrationState.allCases, IntegrationState.allCases)
    func transitionTable(from: IntegrationState, to: IntegrationState) {
        let allowed: Set<[IntegrationState]> = [
            [.pending, .tasked], [.tasked, .dispatched], [.pending, .failed(.render)], [.tasked, .failed(.pager)],
            [.failed(.render), .pending], [.failed(.pager), .tasked], [.dispatched, .tasked],
        ]
        #expect(from.canMove(to: to) == allowed.contains([from, to]))
    }

    @Test("a failure keeps its reason, and a retry clears it",
          arguments: [(IntegrationState.pending, IntegrationStage.render), (.tasked, .pager)])
    func failureReasonThenRetry(from: IntegrationState, stage: IntegrationStage) throws {
        // Given an ECO whose integration failed
        var state = try Fixture.eco(integration: from)
        state = Eco.replay(try Eco.decide(.failIntegration(stage, reason: "no answer from Render"), state), from: state)
        #expect(state.integration == .failed(stage))
        #expect(state.integrationReason == "no answer from Render")

        // When an operator retries
        state = Eco.replay(try Eco.decide(.retryIntegration, state), from: state)

        // Then the integration is back where it failed from, and the reason is gone
        #expect(state.integration == from)
        #expect(state.integrationReason == nil)
    }

    @Test func taskingAndDispatchRecordWhatTheyLearned() throws {
        var state = try Fixture.eco()
        state = Eco.replay(try Eco.decide(.markTasked(renderTaskID: "task-77"), state), from: state)
        #expect(state.renderTaskID == "task-77")

        let runID = PagerRunID("run-9")
        state = Eco.replay(try Eco.decide(.markDispatched(pagerRunID: runID, acceptedBy: "Dana Ortiz"), state), from: state)
        #expect(state.integration == .dispatched)
        #expect(state.pagerRunID == runID)
        #expect(state.acceptedBy == "Dana Ortiz")
        #expect(state.integrationReason == nil)
    }

    @Test func taskingNeedsATaskID() throws {
        let state = try Fixture.eco()
        let error = #expect(throws: DomainError.self) { try Eco.decide(.markTasked(renderTaskID: ""), state) }
        guard case .invalid(let problems)? = error else {
            Issue.record("expected .invalid, got \(String(describing: error))")
            return
        }
        #expect(problems.map(\.field) == ["renderTaskID"])
    }

    @Test("a closed ECO refuses integration commands", arguments: Command.allCases)
    func closedEcoRefuses(command: Command) throws {
        let state = try Fixture.eco(status: .cancelled, integration: .failed(.render))
        #expect(throws: DomainError.ecoClosed(.cancelled)) { try Eco.decide(command.ecoCommand, state) }
    }

    @Test("the integration state survives JSON coding", arguments: IntegrationState.allCases)
    func coding(state: IntegrationState) throws {
        let data = try EventCoding.encoder().encode(state)
        #expect(try EventCoding.decoder().decode(IntegrationState.self, from: data) == state)
        #expect(IntegrationState(code: state.code, stage: state.stage) == state)
    }
}
