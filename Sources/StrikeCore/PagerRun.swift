public import Foundation

/// A person on a pager list, as snapshotted into a run.
public struct PagerContact: Codable, Sendable, Equatable {
    public var name: String
    /// E.164, such as `+14155550100`.
    public var phone: String

    public init(name: String, phone: String) {
        self.name = name
        self.phone = phone
    }

    /// `+` then 2 to 15 digits, the first not zero.
    public static func isE164(_ phone: String) -> Bool {
        let digits = phone.dropFirst()
        return phone.first == "+" && (2...15).contains(digits.count) && digits.first != "0"
            && digits.allSatisfy { $0.isASCII && $0.isNumber }
    }
}

/// How one call to one contact went.
public enum PagerAttemptKind: String, Codable, Sendable, CaseIterable {
    case calling = "CALLING"
    case ringing = "RINGING"
    case answered = "ANSWERED"
    case accepted = "ACCEPTED"
    case declined = "DECLINED"
    case noAnswer = "NO_ANSWER"
    case busy = "BUSY"
    case failed = "FAILED"
    case timeout = "TIMEOUT"
    case noResponse = "NO_RESPONSE"
    /// Not rung: the contact was on another ECO's callout call at that moment.
    case onAnotherCallout = "ON_ANOTHER_CALLOUT"
}

/// How a pager run ended.
public enum PagerOutcome: String, Codable, Sendable, CaseIterable {
    case dispatched = "DISPATCHED"
    case exhausted = "EXHAUSTED"
    case failed = "FAILED"
    case cancelled = "CANCELLED"
}

public enum PagerRunStatus: String, Codable, Sendable, CaseIterable {
    case notStarted = "NOT_STARTED"
    case running = "RUNNING"
    case completed = "COMPLETED"
}

// MARK: - Events

public struct PagerRunStarted: Codable, Sendable, Equatable {
    public var runID: PagerRunID
    public var ecoID: EcoID
    public var pagerListID: PagerListID
    public var pagerListName: String
    public var contacts: [PagerContact]
    public var message: String
    /// How many times the whole list is called before the run is exhausted (1 = once).
    public var rounds: Int

    public init(
        runID: PagerRunID, ecoID: EcoID, pagerListID: PagerListID, pagerListName: String,
        contacts: [PagerContact], message: String, rounds: Int
    ) {
        self.runID = runID
        self.ecoID = ecoID
        self.pagerListID = pagerListID
        self.pagerListName = pagerListName
        self.contacts = contacts
        self.message = message
        self.rounds = rounds
    }
}

public struct PagerAttemptRecorded: Codable, Sendable, Equatable {
    public var contactIndex: Int
    public var callSid: String?
    public var kind: PagerAttemptKind

    public init(contactIndex: Int, callSid: String? = nil, kind: PagerAttemptKind) {
        self.contactIndex = contactIndex
        self.callSid = callSid
        self.kind = kind
    }
}

public struct PagerRunCompleted: Codable, Sendable, Equatable {
    public var outcome: PagerOutcome
    public var acceptedContactIndex: Int?
    public var reason: String?

    public init(outcome: PagerOutcome, acceptedContactIndex: Int? = nil, reason: String? = nil) {
        self.outcome = outcome
        self.acceptedContactIndex = acceptedContactIndex
        self.reason = reason
    }
}

public enum PagerRunEvent: Sendable, Equatable {
    case started(PagerRunStarted)
    case attemptRecorded(PagerAttemptRecorded)
    case completed(PagerRunCompleted)
}

extension PagerRunEvent: AggregateEvent {
    public var type: String {
        switch self {
        case .started: "PagerRunStarted"
        case .attemptRecorded: "PagerAttemptRecorded"
        case .completed: "PagerRunCompleted"
        }
    }

    public var schemaVersion: Int { 1 }
    public static func currentSchemaVersion(of type: String) -> Int { 1 }

    public func encodedPayload() throws -> Data {
        let encoder = EventCoding.encoder()
        return switch self {
        case .started(let payload): try encoder.encode(payload)
        case .attemptRecorded(let payload): try encoder.encode(payload)
        case .completed(let payload): try encoder.encode(payload)
        }
    }

    public static func decode(type: String, payload: Data) throws -> PagerRunEvent {
        let decoder = EventCoding.decoder()
        return switch type {
        case "PagerRunStarted": .started(try decoder.decode(PagerRunStarted.self, from: payload))
        case "PagerAttemptRecorded": .attemptRecorded(try decoder.decode(PagerAttemptRecorded.self, from: payload))
        case "PagerRunCompleted": .completed(try decoder.decode(PagerRunCompleted.self, from: payload))
        default: throw UnknownEventType(type: type)
        }
    }

    public static let upcasters = UpcasterChain([])
}

// MARK: - Aggregate

/// One ring-down of a pager list for one ECO.
public struct PagerRun: Aggregate {
    public var started: PagerRunStarted?
    public var status = PagerRunStatus.notStarted
    public var attempts: [PagerAttemptRecorded] = []
    public var outcome: PagerOutcome?
    public var acceptedContactIndex: Int?
    public var completionReason: String?

    public init() {}

    public static let streamType = "pager_run"
    public static let snapshotVersion = 1
    public static let initial = PagerRun()

    /// Every move a run may make; `RUNNING → RUNNING` is an attempt being recorded.
    public static let allowedTransitions: [PagerRunStatus: Set<PagerRunStatus>] = [
        .notStarted: [.running],
        .running: [.running, .completed],
        .completed: [],
    ]

    public static func decide(_ command: PagerRunCommand, _ state: PagerRun) throws(DomainError) -> [PagerRunEvent] {
        switch command {
        case .start(let started):
            guard state.status == .notStarted else { throw .pagerRunAlreadyStarted }
            guard !started.contacts.isEmpty else { throw .noContacts }
            for (index, contact) in started.contacts.enumerated() {
                if contact.name.trimmingCharacters(in: .whitespaces).isEmpty {
                    throw .invalidContact(index: index, reason: "name is empty")
                }
                if !PagerContact.isE164(contact.phone) {
                    throw .invalidContact(index: index, reason: "\(contact.phone) is not an E.164 number")
                }
            }
            guard started.rounds >= 1 else { throw .invalid([FieldProblem(field: "rounds", message: "must be at least 1")]) }
            return [.started(started)]
        case .recordAttempt(let attempt):
            try state.requireRunning()
            guard state.started!.contacts.indices.contains(attempt.contactIndex) else {
                throw .contactIndexOutOfRange(attempt.contactIndex)
            }
            return [.attemptRecorded(attempt)]
        case .complete(let completed):
            try state.requireRunning()
            switch (completed.outcome, completed.acceptedContactIndex) {
            case (.dispatched, nil): throw .acceptanceNeedsContact
            case (.dispatched, let index?):
                guard state.started!.contacts.indices.contains(index) else { throw .contactIndexOutOfRange(index) }
            case (_, .some): throw .acceptanceOnlyWhenDispatched
            case (_, nil): break
            }
            return [.completed(completed)]
        }
    }

    public static func evolve(_ state: PagerRun, _ event: PagerRunEvent) -> PagerRun {
        var next = state
        switch event {
        case .started(let started):
            next.started = started
            next.status = .running
        case .attemptRecorded(let attempt):
            next.attempts.append(attempt)
        case .completed(let completed):
            next.status = .completed
            next.outcome = completed.outcome
            next.acceptedContactIndex = completed.acceptedContactIndex
            next.completionReason = completed.reason
        }
        return next
    }

    private func requireRunning() throws(DomainError) {
        switch status {
        case .notStarted: throw .pagerRunNotStarted
        case .completed: throw .pagerRunAlreadyCompleted
        case .running: return
        }
    }
}

public enum PagerRunCommand: Sendable {
    case start(PagerRunStarted)
    case recordAttempt(PagerAttemptRecorded)
    case complete(PagerRunCompleted)
}

/// The words spoken to a contact: `"Metro NOC: ECO 524 - Fiber cut on Main St"`, cut to fit.
public enum PagerMessage {
    public static let maxLength = 240

    public static func make(nocName: String, jobNumber: Int, description: String) -> String {
        let head = "\(nocName): ECO \(jobNumber) - "
        let flat = description.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        let room = max(0, maxLength - head.count)
        guard flat.count > room else { return head + flat }
        return head + flat.prefix(max(0, room - 1)) + "…"
    }
}

extension Eco {
    /// What a finished pager run does to its ECO: `DISPATCHED` to the contact who accepted, or `FAILED(pager)`
    /// with the run's reason; nothing once the ECO is closed (cancelled or hard complete while the run rang).
    public func command(after run: PagerRunID, ended completed: PagerRunCompleted, acceptedBy: String?) -> EcoCommand? {
        // A run cancelled, or one that ended after an operator dispatched by hand, changes nothing more.
        guard !status.isFinal, integration == .tasked, completed.outcome != .cancelled else { return nil }
        if completed.outcome == .dispatched { return .markDispatched(pagerRunID: run, acceptedBy: acceptedBy ?? "a contact") }
        return .failIntegration(.pager, reason: completed.reason ?? "the pager run ended \(completed.outcome.rawValue.lowercased())")
    }
}
