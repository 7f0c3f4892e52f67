import Foundation
import StrikeCore
import StrikeSimulator
import StrikeTestSupport
import Testing

/// DESIGN §6 end to end: the real server on a loopback port with its Render and Twilio simulators, an ECO
/// opened through the API, and each scenario followed to its end through the API alone.
@Suite(.serialized) struct SimulatorScenarioTests {
    /// What each scenario must come to: the ECO's timeline in order (every event but the task changes, whose
    /// number depends on when the poller looks; each with the status, attempt kind or outcome it records),
    /// its final state, and how each called contact's attempt ended.
    struct Expected: Sendable {
        let timeline: [String]
        let status: String
        let integration: String
        let endings: [String]
    }

    static let created = ["EcoCreated", "EcoIntegrationStatusChanged:TASKED", "PagerRunStarted"]
    static let accepts = attempt("CALLING", "RINGING", "ANSWERED", "ACCEPTED")
    static let declines = attempt("CALLING", "RINGING", "ANSWERED", "DECLINED")
    static let ringsOut = attempt("CALLING", "RINGING", "NO_ANSWER")
    static let timesOut = attempt("CALLING", "TIMEOUT")
    static let fieldWork = [
        "PagerRunCompleted:DISPATCHED", "EcoIntegrationStatusChanged:DISPATCHED", "EcoLateCloneDetected", "EcoStatusChanged:IN_PROGRESS",
        "EcoStatusChanged:COMPLETED", "EcoGracePeriodStarted", "EcoHardCompleted",
    ]
    /// Slow Render's steps come a poll apart, so the work is seen started before the follow-on task appears.
    static let slowFieldWork = [
        "PagerRunCompleted:DISPATCHED", "EcoIntegrationStatusChanged:DISPATCHED", "EcoStatusChanged:IN_PROGRESS", "EcoLateCloneDetected",
        "EcoStatusChanged:COMPLETED", "EcoGracePeriodStarted", "EcoHardCompleted",
    ]
    static let exhausted = ["PagerRunCompleted:EXHAUSTED", "EcoIntegrationStatusChanged:FAILED(pager)"]

    static func attempt(_ kinds: String...) -> [String] { kinds.map { "PagerAttemptRecorded:\($0)" } }

    static let expected: [SimulatorScenario: Expected] = [
        .happyPath: Expected(timeline: created + accepts + fieldWork, status: "HARD_COMPLETE", integration: "DISPATCHED", endings: ["ACCEPTED"]),
        .slowRender: Expected(timeline: created + accepts + slowFieldWork, status: "HARD_COMPLETE", integration: "DISPATCHED", endings: ["ACCEPTED"]),
        .secondAccepts: Expected(
            timeline: created + declines + accepts + fieldWork, status: "HARD_COMPLETE", integration: "DISPATCHED",
            endings: ["DECLINED", "ACCEPTED"]),
        .renderFails: Expected(
            timeline: ["EcoCreated", "EcoIntegrationStatusChanged:FAILED(render)"], status: "OPEN", integration: "FAILED", endings: []),
        .pagerDeclined: Expected(
            timeline: created + declines + ringsOut + ringsOut + exhausted, status: "OPEN", integration: "FAILED",
            endings: ["DECLINED", "NO_ANSWER", "NO_ANSWER"]),
        .pagerExhausted: Expected(
            timeline: created + declines + declines + declines + exhausted, status: "OPEN", integration: "FAILED",
            endings: ["DECLINED", "DECLINED", "DECLINED"]),
        .pagerTimeout: Expected(
            timeline: created + timesOut + timesOut + timesOut + exhausted, status: "OPEN", integration: "FAILED",
            endings: ["TIMEOUT", "TIMEOUT", "TIMEOUT"]),
    ]

    @Test(arguments: SimulatorScenario.allCases)
    func eachScenarioPlaysOutThroughHTTP(_ scenario: SimulatorScenario) async throws {
        let live = try await LiveAppliance.start(speed: 2, defaultScenario: scenario)
        defer { Task { await live.stop() } }
        let expected = try #require(Self.expected[scenario])
        let id = try await live.createEco("Fiber cut at 5th and Main (\(scenario.rawValue))")

        try await live.run(until: "\(scenario.rawValue) settled") {
            let state = try await live.state(id)
            return state.integration == "FAILED" || state.status == "COMPLETED"
        }
        if expected.status == "HARD_COMPLETE" {
            // The grace period (1 h) passes with nothing new in Render.
            try await live.run(id, to: "HARD_COMPLETE", step: .seconds(30), limit: .seconds(7200))
        }
        let state = try await live.state(id)
        #expect(state.status == expected.status && state.integration == expected.integration, "\(scenario.rawValue): \(state)")
        let timeline = try await Self.timeline(live, id)
        #expect(timeline == expected.timeline, "\(scenario.rawValue)")
        try await Self.expectEachTaskChangeReportedOnce(live, id)

        let runs = try await live.pagerRuns(id)
        #expect(runs.count == (scenario == .renderFails ? 0 : 1))
        #expect(Self.endings(runs.first) == expected.endings, "\(scenario.rawValue)")
        let eco = try await live.eco(id)
        switch scenario {
        case .renderFails:
            let reason = (eco["integration"] as? [String: Any])?["reason"] as? String ?? ""
            #expect(reason.contains("closed to new tasks"), "\(reason)")
        case .happyPath, .slowRender, .secondAccepts:
            #expect(eco["acceptedBy"] as? String == LiveAppliance.contacts[expected.endings.count - 1].name)
            #expect(eco["taskCount"] as? Int == 2, "the follow-on task was seen")
            let tasks = try await live.simulated(id)["renderTasks"] as? [[String: Any]] ?? []
            #expect(tasks.map { $0["status"] as? String } == ["completed", "completed"])
        case .pagerDeclined, .pagerExhausted, .pagerTimeout:
            #expect(runs.first?["outcome"] as? String == "EXHAUSTED", "\(runs.first ?? [:])")
        }
        // Every call the simulator played was for one attempt, in the list's order.
        let calls = try await live.simulated(id)["calls"] as? [[String: Any]] ?? []
        #expect(calls.compactMap { $0["to"] as? String } == LiveAppliance.contacts.prefix(expected.endings.count).map(\.phone))
    }

    @Test func anOperatorRetryAfterEitherFailureStartsTheWorkAgain() async throws {
        let live = try await LiveAppliance.start(speed: 2, defaultScenario: .renderFails)
        defer { Task { await live.stop() } }
        let id = try await live.createEco("Cut retried")
        try await live.run(id, to: "OPEN", "FAILED")

        // Render works again: the retry makes the task, and the pager (every contact declining) fails in turn.
        try await live.setScenario(.pagerExhausted, eco: id)
        #expect(try await live.request("POST", "/api/ecos/\(id)/retry", [:]).status == 200)
        try await live.run(until: "the pager gives up") { try await live.pagerRuns(id).first?["outcome"] as? String == "EXHAUSTED" }
        let failed = try await live.state(id)
        #expect(failed.status == "OPEN" && failed.integration == "FAILED")

        // A retry after the pager's failure starts a new run, which the first contact now accepts.
        try await live.setScenario(.happyPath, eco: id)
        #expect(try await live.request("POST", "/api/ecos/\(id)/retry", [:]).status == 200)
        try await live.run(id, to: "OPEN", "DISPATCHED")
        let runs = try await live.pagerRuns(id)
        #expect(runs.compactMap { $0["outcome"] as? String } == ["EXHAUSTED", "DISPATCHED"])
        #expect(Self.endings(runs.last) == ["ACCEPTED"])
        let renderTasks = try await live.simulated(id)["renderTasks"] as? [[String: Any]] ?? []
        #expect(renderTasks.count == 1, "the retries made one Render task")
    }

    /// The ECO's timeline without the task changes, each event with what it moved to or recorded.
    static func timeline(_ live: LiveAppliance, _ id: String) async throws -> [String] {
        try await live.timelineEntries(id).compactMap { entry in
            let type = entry["type"] as? String ?? ""
            let payload = entry["payload"] as? [String: Any] ?? [:]
            switch type {
            case "EcoTaskChanged":
                return nil
            case "EcoIntegrationStatusChanged":
                let to = payload["to"] as? [String: Any] ?? [:]
                return "\(type):\(to["status"] as? String ?? "")" + ((to["stage"] as? String).map { "(\($0))" } ?? "")
            case "EcoStatusChanged":
                return "\(type):\(payload["to"] as? String ?? "")"
            case "PagerAttemptRecorded":
                return "\(type):\(payload["kind"] as? String ?? "")"
            case "PagerRunCompleted":
                return "\(type):\(payload["outcome"] as? String ?? "")"
            default:
                return type
            }
        }
    }

    /// No task change is reported twice: each (task, fingerprint) appears once.
    static func expectEachTaskChangeReportedOnce(_ live: LiveAppliance, _ id: String) async throws {
        let changes = try await live.timelineEntries(id).filter { $0["type"] as? String == "EcoTaskChanged" }
            .compactMap { $0["payload"] as? [String: Any] }
        let keys = changes.map { "\($0["taskID"] ?? "")/\($0["fingerprint"] ?? "")" }
        #expect(Set(keys).count == keys.count, "a task change was reported twice: \(keys)")
    }

    /// How each called contact's attempt ended, in the order they were called.
    static func endings(_ run: [String: Any]?) -> [String] {
        let ongoing: Set<String> = ["CALLING", "RINGING", "ANSWERED"]
        return (run?["attempts"] as? [[String: Any]] ?? []).compactMap { $0["kind"] as? String }.filter { !ongoing.contains($0) }
    }
}
