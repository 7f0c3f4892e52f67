import Foundation
import StrikeCore
import Testing

@Suite("Event coding")
struct EventCodingTests {
    static let line = EcoLocation.lineString([
        Position(longitude: -122.42, latitude: 37.77), Position(longitude: -122.41, latitude: 37.78),
    ])
    static let quarterPast = Date(timeIntervalSince1970: 1_750_000_000.25)

    static let ecoEvents: [EcoEvent] = [
        .created(EcoCreated(
            ecoID: Fixture.ecoID, nocTenantID: Fixture.noc, ospTenantID: Fixture.osp, jobID: Fixture.jobID,
            jobType: .fnol, description: "Fiber cut on Main St / 5th", location: line, attachments: ["https://x/1.jpg"])),
        .detailsUpdated(EcoDetailsUpdated(description: "Two cuts on Main St")),
        .detailsUpdated(EcoDetailsUpdated(jobType: .mfr, description: "Two cuts", location: Fixture.mainStreet)),
        .integrationStatusChanged(EcoIntegrationStatusChanged(from: .pending, to: .tasked, renderTaskID: "task-77")),
        .integrationStatusChanged(EcoIntegrationStatusChanged(from: .tasked, to: .failed(.pager), reason: "nobody accepted")),
        .integrationStatusChanged(EcoIntegrationStatusChanged(
            from: .tasked, to: .dispatched, pagerRunID: PagerRunID("run-9"), acceptedBy: "Dana Ortiz")),
        .statusChanged(EcoStatusChanged(from: .completed, to: .inProgress, reason: "late clone")),
        .taskChanged(EcoTaskChanged(taskID: "task-77", status: .jeopardy, assignee: nil, fingerprint: "abc123")),
        .lateCloneDetected(EcoLateCloneDetected(taskID: "task-78", taskCount: 2)),
        .gracePeriodStarted(EcoGracePeriodStarted(until: Fixture.noon)),
        .gracePeriodStarted(EcoGracePeriodStarted(until: quarterPast)),
        .hardCompleted(EcoHardCompleted()),
        .staleDetected(EcoStaleDetected(quietSince: Fixture.noon)),
        .cancelled(EcoCancelled(from: .open, reason: "duplicate of ECO 523")),
    ]

    static let pagerRunEvents: [PagerRunEvent] = [
        .started(Fixture.runStarted()),
        .attemptRecorded(PagerAttemptRecorded(contactIndex: 0, callSid: "CA0123456789", kind: .noAnswer)),
        .attemptRecorded(PagerAttemptRecorded(contactIndex: 1, kind: .calling)),
        .completed(PagerRunCompleted(outcome: .dispatched, acceptedContactIndex: 1)),
        .completed(PagerRunCompleted(outcome: .exhausted, reason: "2 rounds, nobody accepted")),
    ]

    /// A projection written from a fresh instant and one replayed from its stored text must agree to the
    /// millisecond: the text of a time read back is the text it was read from.
    @Test func aTimestampReadBackIsWrittenAsTheSameText() throws {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<5000 {
            let instant = Date(timeIntervalSince1970: Double.random(in: 0...4_000_000_000, using: &generator))
            let text = ISO8601.string(from: instant)
            #expect(ISO8601.string(from: try #require(ISO8601.date(from: text))) == text)
            // Half a millisecond at most, give or take the few units in the last place a Double of ~4e9 s carries
            // (about 5e-7 s each): an instant on the half-millisecond boundary rounds either way.
            let slack = 4 * instant.timeIntervalSince1970.ulp
            #expect(abs(try #require(ISO8601.date(from: text)).timeIntervalSince(instant)) <= 0.0005 + slack)
        }
        #expect(ISO8601.string(from: Date(timeIntervalSince1970: 1_795_000_000.8389)) == "2026-11-18T11:06:40.839Z")
        #expect(ISO8601.string(from: Date(timeIntervalSince1970: 1_795_000_000.9996)) == "2026-11-18T11:06:41.000Z")
        #expect(ISO8601.string(from: Date(timeIntervalSince1970: -0.25)) == "1969-12-31T23:59:59.750Z")
    }

    @Test func everyEventTypeIsCovered() {
        #expect(Set(Self.ecoEvents.map(\.type)).count == 10)
        #expect(Set(Self.pagerRunEvents.map(\.type)).count == 3)
    }

    @Test("ECO events survive encode then decode", arguments: ecoEvents)
    func ecoEventRoundTrip(event: EcoEvent) throws {
        let payload = try event.encodedPayload()
        #expect(try EcoEvent.decode(type: event.type, payload: payload) == event)
        #expect(event.schemaVersion == EcoEvent.currentSchemaVersion(of: event.type))
    }

    @Test("pager-run events survive encode then decode", arguments: pagerRunEvents)
    func pagerRunEventRoundTrip(event: PagerRunEvent) throws {
        let payload = try event.encodedPayload()
        #expect(try PagerRunEvent.decode(type: event.type, payload: payload) == event)
    }

    @Test func datesAreISO8601UTCWithMilliseconds() throws {
        let payload = try EcoEvent.gracePeriodStarted(EcoGracePeriodStarted(until: Self.quarterPast)).encodedPayload()
        #expect(String(decoding: payload, as: UTF8.self) == #"{"until":"2025-06-15T15:06:40.250Z"}"#)
    }

    @Test func unknownTypeIsRefused() {
        #expect(throws: UnknownEventType.self) { try EcoEvent.decode(type: "EcoExploded", payload: Data("{}".utf8)) }
        #expect(throws: UnknownEventType.self) { try PagerRunEvent.decode(type: "EcoCreated", payload: Data("{}".utf8)) }
    }
}
