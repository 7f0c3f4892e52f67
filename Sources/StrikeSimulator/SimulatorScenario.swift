import Foundation
public import StrikeStore

/// DESIGN §6: what the built-in Render and Twilio simulators do for one ECO. Times are in scenario seconds;
/// the simulators divide them by their speed factor.
public enum SimulatorScenario: String, CaseIterable, Codable, Sendable {
    case happyPath = "happy-path"
    case renderFails = "render-fails"
    case pagerDeclined = "pager-declined"
    case pagerExhausted = "pager-exhausted"
    case pagerTimeout = "pager-timeout"
    case slowRender = "slow-render"
    case secondAccepts = "second-accepts"

    /// What Render does, in the words of DESIGN §6's table.
    public var render: String {
        switch self {
        case .renderFails: "task creation errors"
        case .slowRender: "~10 s delays"
        default: "task made after ~3 s, then allocated → released → follow-on task cloned → completed"
        }
    }

    /// What the called contacts do.
    public var pager: String {
        switch self {
        case .happyPath, .slowRender: "the first contact accepts (~2 s)"
        case .renderFails: "no run starts"
        case .pagerDeclined: "the first contact declines; every later one lets it ring out"
        case .pagerExhausted: "every contact declines"
        case .pagerTimeout: "nobody answers and no callback comes; the deadline ends each call"
        case .secondAccepts: "the first contact declines, the second accepts"
        }
    }

    /// Whether Render refuses to create the ECO's task.
    public var renderRefusesTask: Bool { self == .renderFails }

    /// Seconds Render takes to create a task, and between the steps of the field work.
    public var renderDelaySeconds: Double { self == .slowRender ? 10 : 3 }

    /// What the `nth` call placed for the ECO (1 for the first) does.
    public func call(_ nth: Int) -> SimulatedCallBehavior {
        switch self {
        case .happyPath, .renderFails, .slowRender: .accept
        case .pagerDeclined: nth == 1 ? .decline : .ringOut
        case .pagerExhausted: .decline
        case .pagerTimeout: .silent
        case .secondAccepts: nth == 1 ? .decline : .accept
        }
    }
}

/// How a simulated callee handles one call.
public enum SimulatedCallBehavior: String, Codable, Sendable {
    /// Answers and presses 1.
    case accept
    /// Answers and presses 2.
    case decline
    /// Lets it ring until Twilio gives up (`no-answer`).
    case ringOut = "ring-out"
    /// Never answers, and Twilio reports nothing.
    case silent

    /// One thing Twilio does during the call, `at` scenario seconds after it was placed.
    public enum Step: Equatable, Sendable {
        /// A status callback with this `CallStatus`.
        case status(String)
        /// The Gather's action is posted with these digits.
        case press(String)
    }

    /// The call as Twilio plays it; `ringSeconds` is the call's `Timeout`.
    public func script(ringSeconds: Double) -> [(at: Double, step: Step)] {
        switch self {
        case .accept, .decline:
            [(1, .status("initiated")), (1.5, .status("ringing")), (2, .status("in-progress")),
             (3.5, .press(self == .accept ? "1" : "2")), (4.5, .status("completed"))]
        case .ringOut:
            [(1, .status("initiated")), (1.5, .status("ringing")), (ringSeconds, .status("no-answer"))]
        case .silent:
            []
        }
    }
}

/// The field work the Render simulator plays once the ECO is dispatched: one step every
/// `renderDelaySeconds`, each applied when its time has come.
enum FieldWork: Int, CaseIterable {
    case allocated = 1, released, cloned, firstCompleted, allCompleted

    static let crew = "Crew 14"

    /// The steps after the ones `eco` has played that have come due by `at`, counted from `start` one every
    /// `interval` seconds, with what each does to the ECO's tasks (the first one made is the one worked).
    static func steps(after eco: SimulatedEco, start: Date, interval: Double, at: Date, tasks: [SimulatedTask]) -> [SimulatedFieldStep] {
        guard let first = tasks.first?.id else { return [] }
        var open = tasks.filter { $0.status != .completed }.map(\.id)
        var steps: [SimulatedFieldStep] = []
        for work in allCases where work.rawValue > eco.fieldStep {
            let due = start.addingTimeInterval(interval * Double(work.rawValue))
            guard due <= at else { break }
            let changes: [SimulatedTaskChange]
            switch work {
            case .allocated:
                changes = [.update(taskID: first, status: .allocated, assignee: crew)]
            case .released:
                changes = [.update(taskID: first, status: .released, assignee: nil)]
            case .cloned:
                let clone = first + "-F"
                changes = [
                    .clone(
                        original: first, id: clone, taskType: "ECO follow-on splice", description: "Follow-on splicing found by the crew",
                        status: .released, assignee: crew)
                ]
                open.append(clone)
            case .firstCompleted:
                changes = [.update(taskID: first, status: .completed, assignee: nil)]
                open.removeAll { $0 == first }
            case .allCompleted:
                changes = open.map { .update(taskID: $0, status: .completed, assignee: nil) }
            }
            steps.append(SimulatedFieldStep(number: work.rawValue, due: due, changes: changes))
        }
        return steps
    }
}

extension SimulatedEco {
    /// The scenario this ECO plays (the happy path for a name this version does not know).
    public var playing: SimulatorScenario { SimulatorScenario(rawValue: scenario) ?? .happyPath }
}

extension SimulatedCall {
    /// What the callee does (nothing, for a name this version does not know).
    public var playing: SimulatedCallBehavior { SimulatedCallBehavior(rawValue: behavior) ?? .silent }
}
