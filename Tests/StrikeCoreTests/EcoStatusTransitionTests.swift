import StrikeCore
import Testing

/// DESIGN §3: `OPEN → IN_PROGRESS → COMPLETED → HARD_COMPLETE`, `COMPLETED → IN_PROGRESS`,
/// `CANCELLED` from `OPEN` or `IN_PROGRESS`; nothing leaves `HARD_COMPLETE` or `CANCELLED`.
@Suite("ECO status transitions")
struct EcoStatusTransitionTests {
    struct Move: Hashable {
        let from: EcoStatus
        let to: EcoStatus
    }

    /// Written out from the design, not read from `EcoStatus.allowedTransitions`.
    static let allowed: Set<Move> = [
        Move(from: .open, to: .inProgress),
        Move(from: .inProgress, to: .completed),
        Move(from: .completed, to: .inProgress),
        Move(from: .completed, to: .hardComplete),
        Move(from: .open, to: .cancelled),
        Move(from: .inProgress, to: .cancelled),
    ]

    /// The command that asks for `to`; `nil` for OPEN, which no command reaches.
    static func command(from: EcoStatus, to: EcoStatus) -> EcoCommand? {
        switch to {
        case .open: nil
        case .inProgress: from == .completed ? .reopenWork(reason: "a late clone appeared") : .startWork
        case .completed: .completeWork
        case .hardComplete: .hardComplete
        case .cancelled: .cancel(reason: "duplicate of ECO 523")
        }
    }

    @Test("every (from, to) pair is allowed exactly as the design says", arguments: EcoStatus.allCases, EcoStatus.allCases)
    func everyPair(from: EcoStatus, to: EcoStatus) throws {
        // Given an ECO at `from`
        let state = try Fixture.eco(status: from)
        let isAllowed = Self.allowed.contains(Move(from: from, to: to))
        #expect(from.canMove(to: to) == isAllowed)

        guard let command = Self.command(from: from, to: to) else {
            #expect(!from.canMove(to: .open), "OPEN is reachable from nothing")
            return
        }

        if isAllowed {
            // When the command is decided, then one event moves the ECO to `to`
            let events = try Eco.decide(command, state)
            #expect(events.count == 1)
            #expect(Eco.replay(events, from: state).status == to)
        } else {
            // When the command is decided, then it is refused with a rule naming the move
            let error = #expect(throws: DomainError.self) { try Eco.decide(command, state) }
            switch error {
            case .invalidStatusTransition(let refusedFrom, let refusedTo)?:
                #expect(refusedFrom == from)
                #expect(refusedTo == to)
            case .ecoClosed(let status)?:
                #expect(status == from)
                #expect(from.isFinal)
            default:
                Issue.record("unexpected refusal \(String(describing: error)) for \(from) → \(to)")
            }
        }
    }

    @Test("final statuses refuse every command", arguments: [EcoStatus.hardComplete, .cancelled])
    func finalRefusesEverything(status: EcoStatus) throws {
        let state = try Fixture.eco(status: status)
        let commands: [EcoCommand] = [
            .updateDetails(EcoDetailsChange(description: "new words")),
            .markTasked(renderTaskID: "task-1"),
            .recordTaskChange(Fixture.task("task-1", .released)),
            .startWork, .completeWork, .reopenWork(reason: "again"), .hardComplete,
            .flagStale(quietSince: Fixture.noon), .cancel(reason: "again"),
        ]
        for command in commands {
            #expect(throws: DomainError.self) { try Eco.decide(command, state) }
        }
    }

    @Test func cancellingKeepsTheTrimmedReason() throws {
        let state = try Fixture.eco(status: .inProgress)
        let events = try Eco.decide(.cancel(reason: "  duplicate of ECO 523 \n"), state)
        #expect(events == [.cancelled(EcoCancelled(from: .inProgress, reason: "duplicate of ECO 523"))])
        #expect(Eco.replay(events, from: state).cancelReason == "duplicate of ECO 523")
    }

    @Test(arguments: ["", "   ", String(repeating: "x", count: 1001)])
    func cancellingNeedsAReason(reason: String) throws {
        let state = try Fixture.eco(status: .open)
        #expect(throws: DomainError.invalidCancelReason) { try Eco.decide(.cancel(reason: reason), state) }
    }

    @Test func reopeningKeepsTheReasonAndClearsTheGracePeriod() throws {
        // Given a completed ECO in its grace period
        var state = try Fixture.eco(status: .completed)
        state = Eco.replay(try Eco.decide(.startGracePeriod(until: Fixture.noon), state), from: state)
        #expect(state.graceUntil == Fixture.noon)

        // When a task reopens
        let events = try Eco.decide(.reopenWork(reason: "task reopened"), state)

        // Then the ECO is in progress again, with no grace period
        #expect(events == [.statusChanged(EcoStatusChanged(from: .completed, to: .inProgress, reason: "task reopened"))])
        let after = Eco.replay(events, from: state)
        #expect(after.status == .inProgress)
        #expect(after.graceUntil == nil)
    }

    @Test func workStartsOnlyOnceAndComesBackFromCompletedOnlyAsAReopening() throws {
        #expect(throws: DomainError.invalidStatusTransition(from: .completed, to: .inProgress)) {
            try Eco.decide(.startWork, try Fixture.eco(status: .completed))
        }
        #expect(throws: DomainError.invalidStatusTransition(from: .inProgress, to: .inProgress)) {
            try Eco.decide(.startWork, try Fixture.eco(status: .inProgress))
        }
    }

    @Test func creatingTwiceIsRefusedAndCommandsNeedAnEco() throws {
        let new = try NewEco(ecoID: Fixture.ecoID, draft: Fixture.draft(), jobID: Fixture.jobID)
        #expect(throws: DomainError.alreadyExists) { try Eco.decide(.create(new), try Fixture.eco()) }
        #expect(throws: DomainError.notFound) { try Eco.decide(.startWork, .initial) }
    }
}
