import StrikeCore
import Testing

@Suite("Pager run")
struct PagerRunTests {
    enum Command: Sendable, CustomStringConvertible {
        case start
        case recordAttempt
        case complete(PagerOutcome)

        static let allCases: [Command] = [.start, .recordAttempt] + PagerOutcome.allCases.map(Command.complete)

        var pagerCommand: PagerRunCommand {
            switch self {
            case .start: .start(Fixture.runStarted())
            case .recordAttempt: .recordAttempt(PagerAttemptRecorded(contactIndex: 1, callSid: "CA123", kind: .ringing))
            case .complete(let outcome):
                .complete(PagerRunCompleted(outcome: outcome, acceptedContactIndex: outcome == .dispatched ? 1 : nil))
            }
        }

        var description: String {
            switch self {
            case .start: "start"
            case .recordAttempt: "recordAttempt"
            case .complete(let outcome): "complete(\(outcome.rawValue))"
            }
        }
    }

    /// A run brought to `status` by its own events.
    static func run(_ status: PagerRunStatus) -> PagerRun {
        switch status {
        case .notStarted: .initial
        case .running: PagerRun.replay([.started(Fixture.runStarted())])
        case .completed:
            PagerRun.replay([.started(Fixture.runStarted()), .completed(PagerRunCompleted(outcome: .exhausted))])
        }
    }

    @Test("every (status, command) pair is allowed exactly as the design says",
          arguments: PagerRunStatus.allCases, Command.allCases)
    func everyPair(status: PagerRunStatus, command: Command) throws {
        let state = Self.run(status)
        #expect(state.status == status)

        switch (status, command) {
        case (.notStarted, .start):
            let after = PagerRun.replay(try PagerRun.decide(command.pagerCommand, state), from: state)
            #expect(after.status == .running)
            #expect(after.started == Fixture.runStarted())
        case (.running, .recordAttempt):
            let after = PagerRun.replay(try PagerRun.decide(command.pagerCommand, state), from: state)
            #expect(after.status == .running)
            #expect(after.attempts == [PagerAttemptRecorded(contactIndex: 1, callSid: "CA123", kind: .ringing)])
        case (.running, .complete(let outcome)):
            let after = PagerRun.replay(try PagerRun.decide(command.pagerCommand, state), from: state)
            #expect(after.status == .completed)
            #expect(after.outcome == outcome)
            #expect(after.acceptedContactIndex == (outcome == .dispatched ? 1 : nil))
        case (_, .start):
            #expect(throws: DomainError.pagerRunAlreadyStarted) { try PagerRun.decide(command.pagerCommand, state) }
        case (.notStarted, _):
            #expect(throws: DomainError.pagerRunNotStarted) { try PagerRun.decide(command.pagerCommand, state) }
        case (.completed, _):
            #expect(throws: DomainError.pagerRunAlreadyCompleted) { try PagerRun.decide(command.pagerCommand, state) }
        }
    }

    @Test func dispatchedNeedsTheAcceptingContact() {
        let command = PagerRunCommand.complete(PagerRunCompleted(outcome: .dispatched))
        #expect(throws: DomainError.acceptanceNeedsContact) { try PagerRun.decide(command, Self.run(.running)) }
    }

    @Test("only a dispatched run names who accepted", arguments: [PagerOutcome.exhausted, .failed, .cancelled])
    func acceptanceOnlyWhenDispatched(outcome: PagerOutcome) {
        let command = PagerRunCommand.complete(PagerRunCompleted(outcome: outcome, acceptedContactIndex: 0))
        #expect(throws: DomainError.acceptanceOnlyWhenDispatched) { try PagerRun.decide(command, Self.run(.running)) }
    }

    @Test func contactIndexMustBeInTheRun() {
        let running = Self.run(.running)
        let accepted = PagerRunCommand.complete(PagerRunCompleted(outcome: .dispatched, acceptedContactIndex: 2))
        #expect(throws: DomainError.contactIndexOutOfRange(2)) { try PagerRun.decide(accepted, running) }
        let attempt = PagerRunCommand.recordAttempt(PagerAttemptRecorded(contactIndex: -1, kind: .calling))
        #expect(throws: DomainError.contactIndexOutOfRange(-1)) { try PagerRun.decide(attempt, running) }
    }

    @Test func startNeedsContacts() {
        #expect(throws: DomainError.noContacts) { try PagerRun.decide(.start(Fixture.runStarted(contacts: [])), .initial) }
    }

    @Test func startRefusesABadContact() {
        let badPhone = Fixture.contacts + [PagerContact(name: "Sam Lee", phone: "415-555-0102")]
        let error = #expect(throws: DomainError.self) { try PagerRun.decide(.start(Fixture.runStarted(contacts: badPhone)), .initial) }
        guard case .invalidContact(let index, let reason)? = error else {
            Issue.record("expected .invalidContact, got \(String(describing: error))")
            return
        }
        #expect(index == 2)
        #expect(reason.contains("415-555-0102"))

        let noName = [PagerContact(name: "  ", phone: "+14155550100")]
        let nameError = #expect(throws: DomainError.self) { try PagerRun.decide(.start(Fixture.runStarted(contacts: noName)), .initial) }
        guard case .invalidContact(index: 0, _)? = nameError else {
            Issue.record("expected .invalidContact(index: 0), got \(String(describing: nameError))")
            return
        }
    }

    @Test func startNeedsAtLeastOneRound() {
        let error = #expect(throws: DomainError.self) { try PagerRun.decide(.start(Fixture.runStarted(rounds: 0)), .initial) }
        guard case .invalid(let problems)? = error else {
            Issue.record("expected .invalid, got \(String(describing: error))")
            return
        }
        #expect(problems.map(\.field) == ["rounds"])
    }

    @Test(arguments: ["+14155550100", "+442071838750", "+123456789012345", "+44"])
    func validE164(phone: String) {
        #expect(PagerContact.isE164(phone))
    }

    @Test(arguments: [
        "", "+", "+1", "14155550100", "+04155550100", "+1 415 555 0100", "+1-415-555-0100",
        "+1234567890123456", "+1415555010a", "++14155550100", "+١٤١٥٥٥٥٠١٠٠",
    ])
    func invalidE164(phone: String) {
        #expect(!PagerContact.isE164(phone))
    }
}

@Suite("Pager message")
struct PagerMessageTests {
    @Test func readsNocJobAndDescription() {
        #expect(PagerMessage.make(nocName: "Metro NOC", jobNumber: 524, description: "Fiber cut on Main St")
            == "Metro NOC: ECO 524 - Fiber cut on Main St")
    }

    @Test func flattensWhitespace() {
        #expect(PagerMessage.make(nocName: "Metro NOC", jobNumber: 524, description: " Fiber  cut\non\tMain St \n")
            == "Metro NOC: ECO 524 - Fiber cut on Main St")
    }

    @Test func cutsALongDescriptionToFit() {
        let message = PagerMessage.make(nocName: "Metro NOC", jobNumber: 524, description: String(repeating: "cable ", count: 200))
        #expect(message.count == PagerMessage.maxLength)
        #expect(message.hasPrefix("Metro NOC: ECO 524 - cable cable"))
        #expect(message.hasSuffix("…"))
    }

    @Test func keepsADescriptionThatJustFits() {
        let head = "Metro NOC: ECO 524 - "
        let description = String(repeating: "x", count: PagerMessage.maxLength - head.count)
        let message = PagerMessage.make(nocName: "Metro NOC", jobNumber: 524, description: description)
        #expect(message == head + description)
        #expect(!message.hasSuffix("…"))
    }
}

@Suite("A finished pager run's ECO")
struct PagerRunEndingTests {
    static let run = PagerRunID("run-1")

    @Test func anAcceptedRunDispatchesTheEcoToWhoAccepted() throws {
        let eco = try Fixture.eco(integration: .tasked)
        let command = eco.command(after: Self.run, ended: PagerRunCompleted(outcome: .dispatched, acceptedContactIndex: 0), acceptedBy: "Dana Ortiz")
        guard case .markDispatched(let runID, let acceptedBy) = command else { Issue.record("got \(String(describing: command))"); return }
        #expect(runID == Self.run)
        #expect(acceptedBy == "Dana Ortiz")
    }

    @Test func aCancelledRunOrOneEndingAfterAManualDispatchChangesNothing() throws {
        let tasked = try Fixture.eco(integration: .tasked)
        #expect(tasked.command(after: Self.run, ended: PagerRunCompleted(outcome: .cancelled, reason: "dispatched by hand"), acceptedBy: nil) == nil)
        let dispatched = try Fixture.eco(integration: .dispatched)
        #expect(dispatched.command(after: Self.run, ended: PagerRunCompleted(outcome: .dispatched, acceptedContactIndex: 0), acceptedBy: "Dana") == nil)
        #expect(dispatched.command(after: Self.run, ended: PagerRunCompleted(outcome: .exhausted), acceptedBy: nil) == nil)
    }

    @Test(arguments: [PagerOutcome.exhausted, .failed])
    func anyOtherEndFailsTheIntegrationAtThePagerWithTheRunsReason(_ outcome: PagerOutcome) throws {
        let eco = try Fixture.eco(integration: .tasked)
        let withReason = eco.command(after: Self.run, ended: PagerRunCompleted(outcome: outcome, reason: "nobody accepted"), acceptedBy: nil)
        guard case .failIntegration(.pager, let reason) = withReason else { Issue.record("got \(String(describing: withReason))"); return }
        #expect(reason == "nobody accepted")
        let withoutReason = eco.command(after: Self.run, ended: PagerRunCompleted(outcome: outcome), acceptedBy: nil)
        guard case .failIntegration(.pager, let said) = withoutReason else { Issue.record("got \(String(describing: withoutReason))"); return }
        #expect(said == "the pager run ended \(outcome.rawValue.lowercased())")
    }

    @Test(arguments: [EcoStatus.cancelled, .hardComplete])
    func aClosedEcoTakesNothing(_ status: EcoStatus) throws {
        let eco = try Fixture.eco(status: status, integration: .tasked)
        #expect(eco.command(after: Self.run, ended: PagerRunCompleted(outcome: .dispatched, acceptedContactIndex: 0), acceptedBy: "Dana") == nil)
    }
}
