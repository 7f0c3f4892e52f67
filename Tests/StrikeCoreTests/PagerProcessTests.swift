import Foundation
import StrikeCore
import Testing

/// The ring-down rules of DESIGN §5, signal by signal.
@Suite struct PagerProcessTests {
    static let contacts = [
        PagerContact(name: "Ana", phone: "+13035550101"), PagerContact(name: "Ben", phone: "+13035550102"),
        PagerContact(name: "Cy", phone: "+13035550103"),
    ]
    static let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    /// Runs signals in order (each at its own second after t0) and collects every step.
    struct Run {
        var process: PagerProcess
        var steps: [PagerStep]

        init(rounds: Int = 1, busy: Set<String> = []) throws {
            (process, steps) = try PagerProcess.start(
                runID: PagerRunID("run"), ecoID: EcoID("eco"), list: (PagerListID("list"), "Nights"), contacts: PagerProcessTests.contacts,
                message: "Fiber cut", rounds: rounds, contactTimeoutSeconds: 30, at: PagerProcessTests.t0, busy: busy)
        }

        @discardableResult
        mutating func send(_ signal: PagerSignal, atSecond second: Double, busy: Set<String> = []) -> [PagerStep] {
            let (next, new) = process.handle(signal, at: PagerProcessTests.t0.addingTimeInterval(second), busy: busy)
            process = next
            steps += new
            return new
        }

        /// The attempt kinds recorded, as `index:KIND`.
        var recorded: [String] {
            steps.compactMap { if case .record(let r) = $0 { "\(r.contactIndex):\(r.kind.rawValue)" } else { nil } }
        }

        var calls: [Int] {
            steps.compactMap { if case .call(let index, _) = $0 { index } else { nil } }
        }

        var completion: PagerRunCompleted? {
            steps.compactMap { if case .complete(let c) = $0 { c } else { nil } }.last
        }
    }

    @Test func theFirstContactPressingOneDispatches() throws {
        var run = try Run()
        run.send(.placed(attempt: 0, callSid: "CA0"), atSecond: 1)
        run.send(.status(attempt: 0, callStatus: "ringing"), atSecond: 2)
        run.send(.status(attempt: 0, callStatus: "in-progress"), atSecond: 5)
        run.send(.digits(attempt: 0, digits: "1"), atSecond: 9)
        #expect(run.recorded == ["0:CALLING", "0:RINGING", "0:ANSWERED", "0:ACCEPTED"])
        #expect(run.completion == PagerRunCompleted(outcome: .dispatched, acceptedContactIndex: 0))
        #expect(run.calls == [0])
        #expect(run.send(.status(attempt: 0, callStatus: "completed"), atSecond: 12).isEmpty, "nothing moves after the end")
    }

    @Test func aDeclineMovesOnAndTheSecondContactAccepts() throws {
        var run = try Run()
        run.send(.status(attempt: 0, callStatus: "in-progress"), atSecond: 3)
        run.send(.digits(attempt: 0, digits: "2"), atSecond: 6)
        run.send(.status(attempt: 1, callStatus: "in-progress"), atSecond: 10)
        run.send(.digits(attempt: 1, digits: "1"), atSecond: 12)
        #expect(run.recorded == ["0:ANSWERED", "0:DECLINED", "1:ANSWERED", "1:ACCEPTED"])
        #expect(run.calls == [0, 1])
        #expect(run.completion?.acceptedContactIndex == 1)
    }

    @Test func anAnswerWithoutAKeyPressIsNoResponseNotAcceptance() throws {
        var run = try Run()
        run.send(.status(attempt: 0, callStatus: "in-progress"), atSecond: 3)
        run.send(.status(attempt: 0, callStatus: "completed"), atSecond: 40)
        #expect(run.recorded == ["0:ANSWERED", "0:NO_RESPONSE"])
        #expect(run.calls == [0, 1])
        #expect(run.process.outcome == nil)
    }

    @Test func busyNoAnswerAndFailureEachMoveOnAndTheLastEndsTheRunExhausted() throws {
        var run = try Run()
        run.send(.status(attempt: 0, callStatus: "busy"), atSecond: 2)
        run.send(.status(attempt: 1, callStatus: "no-answer"), atSecond: 30)
        run.send(.notPlaced(attempt: 2, reason: "Twilio refused the call (HTTP 400, code 21211)"), atSecond: 31)
        #expect(run.recorded == ["0:BUSY", "1:NO_ANSWER", "2:FAILED"])
        #expect(run.completion?.outcome == .exhausted)
        #expect(run.completion?.reason?.contains("21211") == true)
    }

    @Test func repeatsCallTheWholeListAgainBeforeGivingUp() throws {
        var run = try Run(rounds: 2)
        for attempt in 0..<6 { run.send(.digits(attempt: attempt, digits: "2"), atSecond: Double(attempt)) }
        #expect(run.calls == [0, 1, 2, 0, 1, 2])
        #expect(run.completion == PagerRunCompleted(outcome: .exhausted, reason: "no contact of the list accepted in 2 rounds"))
    }

    @Test func theContactTimeoutIsExtendedByActivity() throws {
        var run = try Run()
        #expect(run.send(.deadlineCheck, atSecond: 29).isEmpty)
        run.send(.status(attempt: 0, callStatus: "ringing"), atSecond: 20)
        #expect(run.send(.deadlineCheck, atSecond: 35).isEmpty, "ringing at 20 s moved the deadline to 50 s")
        let ended = run.send(.deadlineCheck, atSecond: 50)
        #expect(ended == [.record(PagerAttemptRecorded(contactIndex: 0, kind: .timeout)), .call(contactIndex: 1, attempt: 1)])
        #expect(run.send(.deadlineCheck, atSecond: 60).isEmpty, "the next contact has its own 30 s")
    }

    @Test func aCallGivenUpOnIsEndedSoALateKeyPressCannotSeemToAccept() throws {
        var run = try Run()
        run.send(.placed(attempt: 0, callSid: "CA0"), atSecond: 1)
        #expect(run.send(.deadlineCheck, atSecond: 31).contains(.hangUp(callSid: "CA0", answered: false)))
        run.send(.placed(attempt: 1, callSid: "CA1"), atSecond: 32)
        run.send(.status(attempt: 1, callStatus: "in-progress"), atSecond: 35)
        #expect(run.send(.cancel(reason: "duplicate"), atSecond: 36).first == .hangUp(callSid: "CA1", answered: true))
        #expect(run.completion?.outcome == .cancelled)
    }

    @Test func duplicatedCallbacksChangeNothingAndLateOnesAreOnlyRecorded() throws {
        var run = try Run()
        run.send(.status(attempt: 0, callStatus: "ringing"), atSecond: 1)
        let version = run.process.version
        #expect(run.send(.status(attempt: 0, callStatus: "ringing"), atSecond: 2).isEmpty)
        #expect(run.process.version == version, "a duplicate moves no version, so it writes nothing")

        run.send(.status(attempt: 0, callStatus: "in-progress"), atSecond: 2)
        let answered = run.process
        #expect(run.send(.status(attempt: 0, callStatus: "ringing"), atSecond: 2).isEmpty, "a ringing delivered after the answer")
        #expect(run.process == answered, "an out-of-order callback changes nothing")

        run.send(.digits(attempt: 0, digits: "2"), atSecond: 3)
        let before = run.process
        #expect(run.send(.status(attempt: 0, callStatus: "completed"), atSecond: 4).isEmpty, "the declined call's normal end says nothing new")
        let late = run.send(.digits(attempt: 0, digits: "1"), atSecond: 5)
        #expect(late == [.record(PagerAttemptRecorded(contactIndex: 0, kind: .accepted))], "a late key press is kept for the timeline")
        #expect(
            run.process.attempt == before.attempt && run.process.deadline == before.deadline && run.process.callSid == before.callSid,
            "a callback for an earlier call moves nothing")
        #expect(run.send(.digits(attempt: 0, digits: "1"), atSecond: 6).isEmpty, "and is recorded once")
        #expect(run.send(.digits(attempt: 0, digits: "2"), atSecond: 6).isEmpty, "as is the ending already recorded")
        #expect(run.send(.digits(attempt: 7, digits: "1"), atSecond: 6).isEmpty, "a call that was never made is ignored")
        #expect(run.process.outcome == nil)
    }

    @Test func aListWithoutContactsCannotStart() {
        #expect(throws: DomainError.noContacts) {
            try PagerProcess.start(
                runID: PagerRunID("r"), ecoID: EcoID("e"), list: (PagerListID("l"), "L"), contacts: [], message: "m", rounds: 1,
                contactTimeoutSeconds: 30, at: Self.t0)
        }
    }

    // MARK: One call at a time per person

    @Test func aContactOnAnotherCalloutIsPassedOverForTheNextAndComeBackTo() throws {
        let ana = Self.contacts[0].phone
        var run = try Run(busy: [ana])
        #expect(run.recorded == ["0:ON_ANOTHER_CALLOUT"])
        #expect(run.calls == [1], "Ben is called while Ana is on the other ECO's call")
        #expect(run.process.ringingPhone == Self.contacts[1].phone)
        run.send(.placed(attempt: 0, callSid: "CA1"), atSecond: 1, busy: [ana])
        run.send(.digits(attempt: 0, digits: "2"), atSecond: 2)
        #expect(run.calls == [1, 0], "Ana is free again: the run comes back to her first")
        #expect(run.recorded.filter { $0.hasSuffix("ON_ANOTHER_CALLOUT") }.count == 1, "passed over once, recorded once")
        run.send(.placed(attempt: 1, callSid: "CA2"), atSecond: 3)
        run.send(.digits(attempt: 1, digits: "2"), atSecond: 4)
        run.send(.placed(attempt: 2, callSid: "CA3"), atSecond: 5)
        run.send(.digits(attempt: 2, digits: "2"), atSecond: 6)
        #expect(run.calls == [1, 0, 2])
        #expect(run.completion?.outcome == .exhausted, "a turn is spent only by a call")
    }

    @Test func whenEveryoneLeftIsOnAnotherCalloutTheRunWaitsForOneToBeFree() throws {
        let everyone = Set(Self.contacts.map(\.phone))
        var run = try Run(busy: everyone)
        #expect(run.calls.isEmpty)
        #expect(run.process.waiting && run.process.ringingPhone == nil)
        #expect(run.process.deadline == Self.t0.addingTimeInterval(PagerProcess.busyRecheckSeconds))
        let waiting = run.process
        run.send(.deadlineCheck, atSecond: 5, busy: everyone)
        #expect(run.calls.isEmpty && run.process.outcome == nil, "still busy: it waits on, and exhausts nothing")
        #expect(run.process == waiting, "a look that finds everyone busy changes nothing, so nothing is written")
        #expect(run.recorded.count == 3, "each recorded once")
        run.send(.deadlineCheck, atSecond: 10, busy: [Self.contacts[0].phone])
        #expect(run.calls == [1])
        #expect(run.process.deadline == Self.t0.addingTimeInterval(40), "the call has its contact timeout")
    }

    @Test func aProcessStoredBeforeTurnsWereQueuedGoesOnFromItsAttempt() throws {
        var run = try Run(rounds: 2)
        run.send(.placed(attempt: 0, callSid: "CA1"), atSecond: 1)
        run.send(.digits(attempt: 0, digits: "2"), atSecond: 2)
        var json = try JSONSerialization.jsonObject(with: try EventCoding.encoder().encode(run.process)) as! [String: Any]
        for key in ["queue", "contactIndex", "waiting"] { json.removeValue(forKey: key) }
        json["endedCalls"] = (json["endedCalls"] as! [[String: Any]]).map { $0.filter { $0.key != "contactIndex" } }
        let old = try EventCoding.decoder().decode(PagerProcess.self, from: try JSONSerialization.data(withJSONObject: json))
        #expect(old.contactIndex == 1)
        #expect(old.queue.map(\.contact) == [2, 0, 1, 2])
        #expect(old.endedCalls.map(\.contactIndex) == [0])
        #expect(old == run.process, "it reads back as the process it was")
    }
}
