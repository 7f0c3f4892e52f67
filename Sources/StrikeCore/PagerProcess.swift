public import Foundation

/// What the pager hears about a call, from Twilio's callbacks, its Gather action, or the deadline worker.
/// `attempt` numbers the turns of one run from 0; each turn is one contact's.
public enum PagerSignal: Sendable, Equatable {
    /// Twilio accepted the call and named it.
    case placed(attempt: Int, callSid: String)
    /// Twilio could not place the call at all.
    case notPlaced(attempt: Int, reason: String)
    /// A status callback: `initiated`, `ringing`, `in-progress`, `answered`, `completed`, `busy`, `no-answer`,
    /// `failed` or `canceled`.
    case status(attempt: Int, callStatus: String)
    /// The key the contact pressed in the Gather.
    case digits(attempt: Int, digits: String)
    /// The deadline worker's look at the run.
    case deadlineCheck
    /// The ECO was cancelled: nobody else is called.
    case cancel(reason: String)
}

/// What the pager manager must do next, in order. The run's events are made from these steps only, so the
/// process is the one model of a run and its timeline is derived from it.
public enum PagerStep: Sendable, Equatable {
    /// Record the run's start: the list, its contacts in calling order, the rounds and what the calls say.
    case start(PagerRunStarted)
    /// Record in the run's timeline.
    case record(PagerAttemptRecorded)
    /// Ring this contact; the call is attempt `attempt`.
    case call(contactIndex: Int, attempt: Int)
    /// End a call the pager has given up on (timed out, or the ECO cancelled), so a late key press cannot
    /// seem to accept: `answered` calls are hung up, others cancelled while they ring.
    case hangUp(callSid: String, answered: Bool)
    /// The run is over.
    case complete(PagerRunCompleted)
}

/// DESIGN §5, the ring-down of one pager run as a state machine without I/O: who is being called, since
/// when, and what each signal changes. Stored as `pager_process` with `version` for optimistic locking
/// between the webhooks and the deadline worker; every change moves the version.
///
/// One call at a time per person: a contact already on another run's live call (`busy`, the phones the
/// caller found ringing elsewhere) is not rung; the run goes on to the next free contact and comes back to them
/// first once they are free. When everyone left is on another call, the run waits for one to be free. A turn is
/// spent only by a call, so a busy contact is never passed over for good.
public struct PagerProcess: Codable, Sendable, Equatable {
    public let runID: PagerRunID
    public let ecoID: EcoID
    public let contacts: [PagerContact]
    /// Passes through the list: 1 plus the tenant's list repeats.
    public let rounds: Int
    /// How long a call may go without activity before the next contact is called.
    public let contactTimeoutSeconds: Int
    public private(set) var attempt = 0
    /// The contact of the current turn.
    public private(set) var contactIndex = 0
    /// The turns still to come, in order: every contact once per round, and turns put back.
    public private(set) var queue: [Turn] = []
    /// Whether the run is waiting for the deadline to try a contact who was on another call.
    public private(set) var waiting = false
    public private(set) var callSid: String?
    public private(set) var answered = false
    /// The last status heard for the current call, so a duplicate callback changes nothing.
    public private(set) var lastStatus: String?
    public private(set) var deadline: Date
    public private(set) var outcome: PagerOutcome?
    public private(set) var version = 1
    /// The calls the run has moved on from, so a late callback is matched to its call and recorded once.
    public private(set) var endedCalls: [EndedCall] = []

    /// A call the run has moved on from: the SID Twilio gave it (none if it was never placed), and every
    /// ending recorded for it.
    public struct EndedCall: Codable, Sendable, Equatable {
        public let attempt: Int
        public let callSid: String?
        public var endings: [PagerAttemptKind]
        /// Whose call it was; one ended before turns were queued was contact `attempt % contacts.count`.
        public fileprivate(set) var contactIndex: Int

        init(attempt: Int, callSid: String?, endings: [PagerAttemptKind], contactIndex: Int) {
            self.attempt = attempt
            self.callSid = callSid
            self.endings = endings
            self.contactIndex = contactIndex
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            attempt = try container.decode(Int.self, forKey: .attempt)
            callSid = try container.decodeIfPresent(String.self, forKey: .callSid)
            endings = try container.decode([PagerAttemptKind].self, forKey: .endings)
            contactIndex = try container.decodeIfPresent(Int.self, forKey: .contactIndex) ?? -1
        }
    }

    /// A contact's turn to be called; `skipped` once it was passed over (and recorded) because the contact
    /// was on another run's call.
    public struct Turn: Codable, Sendable, Equatable {
        public let contact: Int
        public var skipped: Bool
    }

    public var isFinished: Bool { outcome != nil }

    /// The phone of the call this run has placed or is placing: the one no other run may ring now.
    public var ringingPhone: String? {
        isFinished || waiting ? nil : contacts[contactIndex].phone
    }

    /// While the run waits, the phones of the contacts it still has to call: one of them free, it can go on.
    public var awaitedPhones: [String]? {
        guard waiting, !isFinished else { return nil }
        return Set(queue.map { contacts[$0.contact].phone }).sorted()
    }

    /// A new run of `list` and its first steps: record the start, call the first contact not on another call.
    public static func start(
        runID: PagerRunID, ecoID: EcoID, list: (id: PagerListID, name: String), contacts: [PagerContact], message: String, rounds: Int,
        contactTimeoutSeconds: Int, at now: Date, busy: Set<String> = []
    ) throws(DomainError) -> (PagerProcess, [PagerStep]) {
        guard !contacts.isEmpty else { throw .noContacts }
        var process = PagerProcess(
            runID: runID, ecoID: ecoID, contacts: contacts, rounds: max(1, rounds), contactTimeoutSeconds: contactTimeoutSeconds,
            deadline: now.addingTimeInterval(Double(contactTimeoutSeconds)))
        let started = PagerRunStarted(
            runID: runID, ecoID: ecoID, pagerListID: list.id, pagerListName: list.name, contacts: process.contacts, message: message,
            rounds: process.rounds)
        process.queue = (0..<process.rounds).flatMap { _ in contacts.indices.map { Turn(contact: $0, skipped: false) } }
        let first = process.nextTurn(at: now, busy: busy)
        return (process, [.start(started)] + first)
    }

    init(runID: PagerRunID, ecoID: EcoID, contacts: [PagerContact], rounds: Int, contactTimeoutSeconds: Int, deadline: Date) {
        self.runID = runID
        self.ecoID = ecoID
        self.contacts = contacts
        self.rounds = rounds
        self.contactTimeoutSeconds = contactTimeoutSeconds
        self.deadline = deadline
    }

    enum CodingKeys: String, CodingKey {
        case runID, ecoID, contacts, rounds, contactTimeoutSeconds, attempt, callSid, answered, lastStatus, deadline, outcome, version
        case endedCalls, contactIndex, queue, waiting
    }

    /// Reads a stored process; one saved before the ended calls were kept has none, and one saved before turns
    /// were queued called contact `attempt % contacts.count`, round after round.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        runID = try container.decode(PagerRunID.self, forKey: .runID)
        ecoID = try container.decode(EcoID.self, forKey: .ecoID)
        contacts = try container.decode([PagerContact].self, forKey: .contacts)
        rounds = try container.decode(Int.self, forKey: .rounds)
        contactTimeoutSeconds = try container.decode(Int.self, forKey: .contactTimeoutSeconds)
        attempt = try container.decode(Int.self, forKey: .attempt)
        callSid = try container.decodeIfPresent(String.self, forKey: .callSid)
        answered = try container.decode(Bool.self, forKey: .answered)
        lastStatus = try container.decodeIfPresent(String.self, forKey: .lastStatus)
        deadline = try container.decode(Date.self, forKey: .deadline)
        outcome = try container.decodeIfPresent(PagerOutcome.self, forKey: .outcome)
        version = try container.decode(Int.self, forKey: .version)
        let count = contacts.count
        endedCalls = try (container.decodeIfPresent([EndedCall].self, forKey: .endedCalls) ?? []).map { call in
            var call = call
            if call.contactIndex < 0 { call.contactIndex = call.attempt % count }
            return call
        }
        contactIndex = try container.decodeIfPresent(Int.self, forKey: .contactIndex) ?? attempt % count
        queue =
            try container.decodeIfPresent([Turn].self, forKey: .queue)
            ?? ((attempt + 1)..<max(attempt + 1, count * rounds)).map { Turn(contact: $0 % count, skipped: false) }
        waiting = try container.decodeIfPresent(Bool.self, forKey: .waiting) ?? false
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(runID, forKey: .runID)
        try container.encode(ecoID, forKey: .ecoID)
        try container.encode(contacts, forKey: .contacts)
        try container.encode(rounds, forKey: .rounds)
        try container.encode(contactTimeoutSeconds, forKey: .contactTimeoutSeconds)
        try container.encode(attempt, forKey: .attempt)
        try container.encodeIfPresent(callSid, forKey: .callSid)
        try container.encode(answered, forKey: .answered)
        try container.encodeIfPresent(lastStatus, forKey: .lastStatus)
        try container.encode(deadline, forKey: .deadline)
        try container.encodeIfPresent(outcome, forKey: .outcome)
        try container.encode(version, forKey: .version)
        try container.encode(endedCalls, forKey: .endedCalls)
        try container.encode(contactIndex, forKey: .contactIndex)
        try container.encode(queue, forKey: .queue)
        try container.encode(waiting, forKey: .waiting)
    }

    /// The process after `signal`, and what to do. A signal about an earlier call that says something new
    /// about how it ended is recorded, but moves the ring-down nowhere; a repeated one, or any signal after
    /// the run ended, changes nothing at all. `busy` are the phones on other runs' live calls.
    public func handle(_ signal: PagerSignal, at now: Date, busy: Set<String> = []) -> (PagerProcess, [PagerStep]) {
        guard !isFinished else { return (self, []) }
        var next = self
        let steps =
            if let earlier = signal.attempt, earlier != attempt {
                next.recordLate(signal, about: earlier)
            } else {
                next.apply(signal, at: now, busy: busy)
            }
        if next != self { next.version += 1 }
        return (next, steps)
    }

    /// Whether `signal` is about a call the run has already moved on from: whatever it records, it can no
    /// longer change who is called.
    public func isAboutEndedCall(_ signal: PagerSignal) -> Bool {
        signal.attempt.map { $0 < attempt } ?? false
    }

    /// Whether Twilio's `callSid` is the call of `attempt`: the current call (also before Twilio's answer
    /// naming it has been recorded, as its first callbacks may arrive sooner) or one the run moved on from.
    public func isCall(_ callSid: String, of attempt: Int) -> Bool {
        if attempt == self.attempt { return self.callSid == nil || self.callSid == callSid }
        return endedCalls.first { $0.attempt == attempt }?.callSid == callSid
    }

    /// Records an ending a late callback tells of an earlier call, once: a call never made, a signal that
    /// tells no ending, or an ending already recorded changes nothing.
    private mutating func recordLate(_ signal: PagerSignal, about earlier: Int) -> [PagerStep] {
        guard let kind = signal.endingKind, let index = endedCalls.firstIndex(where: { $0.attempt == earlier }),
            !endedCalls[index].endings.contains(kind)
        else { return [] }
        endedCalls[index].endings.append(kind)
        let call = endedCalls[index]
        return [.record(PagerAttemptRecorded(contactIndex: call.contactIndex, callSid: call.callSid, kind: kind))]
    }

    private mutating func apply(_ signal: PagerSignal, at now: Date, busy: Set<String>) -> [PagerStep] {
        switch signal {
        case .placed(_, let sid):
            guard callSid == nil else { return [] }
            callSid = sid
            extendDeadline(now)
            return [.record(attemptRecord(.calling))]
        case .notPlaced(_, let reason):
            return moveOn(.failed, at: now, busy: busy, detail: reason)
        case .status(_, let status):
            // Twilio may repeat a callback or deliver one late: a status that does not move the call forward
            // (ringing after answered, the same one twice) changes nothing.
            guard Self.progress(of: status) > lastStatus.map(Self.progress(of:)) ?? -1 else { return [] }
            lastStatus = status
            switch status {
            case "initiated", "queued":
                extendDeadline(now)
                return []
            case "ringing":
                extendDeadline(now)
                return [.record(attemptRecord(.ringing))]
            case "in-progress", "answered":
                guard !answered else { return [] }
                answered = true
                extendDeadline(now)
                return [.record(attemptRecord(.answered))]
            case "completed":
                // Ended without a key press: voicemail or a hang-up is not an acceptance.
                return moveOn(answered ? .noResponse : .noAnswer, at: now, busy: busy)
            case "busy": return moveOn(.busy, at: now, busy: busy)
            case "no-answer": return moveOn(.noAnswer, at: now, busy: busy)
            default: return moveOn(.failed, at: now, busy: busy)
            }
        case .digits(_, let digits):
            switch digits.first {
            case "1":
                outcome = .dispatched
                return [
                    .record(attemptRecord(.accepted)),
                    .complete(PagerRunCompleted(outcome: .dispatched, acceptedContactIndex: contactIndex)),
                ]
            case "2":
                return moveOn(.declined, at: now, busy: busy)
            default:
                extendDeadline(now)
                return []
            }
        case .deadlineCheck:
            guard now >= deadline else { return [] }
            guard waiting else { return moveOn(.timeout, at: now, busy: busy) }
            return nextTurn(at: now, busy: busy)
        case .cancel(let reason):
            outcome = .cancelled
            let hangUp = callSid.map { [PagerStep.hangUp(callSid: $0, answered: answered)] } ?? []
            return hangUp + [.complete(PagerRunCompleted(outcome: .cancelled, reason: reason))]
        }
    }

    /// Ends the current call with `kind`, then calls the next contact, or ends the run when every turn is spent.
    private mutating func moveOn(_ kind: PagerAttemptKind, at now: Date, busy: Set<String>, detail: String? = nil) -> [PagerStep] {
        var ended = [PagerStep.record(attemptRecord(kind))]
        if kind == .timeout, let callSid { ended.append(.hangUp(callSid: callSid, answered: answered)) }
        endTurn(kind)
        return ended + nextTurn(at: now, busy: busy, detail: detail)
    }

    private mutating func endTurn(_ kind: PagerAttemptKind) {
        endedCalls.append(EndedCall(attempt: attempt, callSid: callSid, endings: [kind], contactIndex: contactIndex))
        attempt += 1
        callSid = nil
        answered = false
        lastStatus = nil
    }

    /// Calls the first contact still to be called who is not on another run's call, or ends the run when
    /// nobody is left. Busy contacts keep their place at the head of the queue, so the run comes back to them
    /// first; each is recorded once as on another callout. When everyone left is busy, the run waits and looks
    /// again from `busyRecheckSeconds` on.
    private mutating func nextTurn(at now: Date, busy: Set<String>, detail: String? = nil) -> [PagerStep] {
        guard !queue.isEmpty else {
            outcome = .exhausted
            let reason = "no contact of the list accepted" + (rounds > 1 ? " in \(rounds) rounds" : "")
            return [.complete(PagerRunCompleted(outcome: .exhausted, reason: detail.map { "\(reason); last call: \($0)" } ?? reason))]
        }
        let free = queue.firstIndex { !busy.contains(contacts[$0.contact].phone) }
        var skipped: [PagerStep] = []
        for index in queue.indices[..<(free ?? queue.endIndex)] where !queue[index].skipped {
            queue[index].skipped = true
            skipped.append(.record(PagerAttemptRecorded(contactIndex: queue[index].contact, kind: .onAnotherCallout)))
        }
        guard let free else {
            // Overdue from now on, so each pass of the deadline worker looks again; a look that finds everyone
            // still busy changes nothing and writes nothing.
            if !waiting { deadline = now.addingTimeInterval(Self.busyRecheckSeconds) }
            waiting = true
            return skipped
        }
        contactIndex = queue.remove(at: free).contact
        waiting = false
        extendDeadline(now)
        return skipped + [.call(contactIndex: contactIndex, attempt: attempt)]
    }

    /// How soon a run whose every remaining contact was on another call first looks again; after that, every
    /// pass of the deadline worker looks.
    public static let busyRecheckSeconds: TimeInterval = 5

    /// How far along a call a status is: queued, ringing, answered, then any ending.
    static func progress(of status: String) -> Int {
        switch status {
        case "queued", "initiated": 0
        case "ringing": 1
        case "in-progress", "answered": 2
        default: 3
        }
    }

    private mutating func extendDeadline(_ now: Date) {
        deadline = now.addingTimeInterval(Double(contactTimeoutSeconds))
    }

    private func attemptRecord(_ kind: PagerAttemptKind) -> PagerAttemptRecorded {
        PagerAttemptRecorded(contactIndex: contactIndex, callSid: callSid, kind: kind)
    }
}

extension PagerSignal {
    var attempt: Int? {
        switch self {
        case .placed(let attempt, _), .notPlaced(let attempt, _), .status(let attempt, _), .digits(let attempt, _): attempt
        case .deadlineCheck, .cancel: nil
        }
    }

    /// How a late signal about an earlier call ended it, when it says; recorded for the timeline only.
    var endingKind: PagerAttemptKind? {
        switch self {
        case .status(_, let status):
            // `completed` and `canceled` are how every ended call finishes (after a key press, or the
            // appliance's own hang-up): they say nothing new about how the attempt ended.
            switch status {
            case "busy": .busy
            case "no-answer": .noAnswer
            case "failed": .failed
            default: nil
            }
        case .digits(_, let digits): digits.hasPrefix("1") ? .accepted : digits.hasPrefix("2") ? .declined : nil
        case .notPlaced: .failed
        case .placed, .deadlineCheck, .cancel: nil
        }
    }
}
