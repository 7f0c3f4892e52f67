public import Foundation
public import StrikeIntegrations
public import StrikeRuntime
import Synchronization

/// Stands in for Render or Twilio: answers each request with `answer` and keeps every request it got.
public final class FakeTransport: HTTPTransport {
    private let received = Mutex<[OutboundRequest]>([])
    private let answer: @Sendable (OutboundRequest) async throws -> InboundResponse

    public init(_ answer: @escaping @Sendable (OutboundRequest) async throws -> InboundResponse) {
        self.answer = answer
    }

    public var requests: [OutboundRequest] { received.withLock { $0 } }

    public func requests(toPathEndingWith suffix: String) -> [OutboundRequest] {
        requests.filter { $0.url.path.hasSuffix(suffix) }
    }

    public func send(_ request: OutboundRequest) async throws -> InboundResponse {
        received.withLock { $0.append(request) }
        return try await answer(request)
    }
}

/// A JSON answer, as Render and Twilio give them.
public func json(_ status: Int, _ object: Any) -> InboundResponse {
    InboundResponse(status: status, headers: ["content-type": "application/json"], body: try! JSONSerialization.data(withJSONObject: object))
}

/// Twilio as the pager sees it: every call is accepted with a new sid and kept.
public final class FakeTwilio: HTTPTransport {
    public init() {}

    private let placed = Mutex<[[(String, String)]]>([])
    private let ends = Mutex<[String]>([])

    /// The calls ended, as `sid:Status`.
    public var ended: [String] { ends.withLock { $0 } }

    /// Each placed call's form fields.
    public var calls: [[(String, String)]] { placed.withLock { $0 } }
    public var calledNumbers: [String] { calls.map { form in form.first { $0.0 == "To" }?.1 ?? "" } }

    public func send(_ request: OutboundRequest) async throws -> InboundResponse {
        let form = FormEncoding.decode(request.body ?? Data())
        if !request.url.path.hasSuffix("/Calls.json") {
            let sid = request.url.deletingPathExtension().lastPathComponent
            ends.withLock { $0.append("\(sid):\(form.first { $0.0 == "Status" }?.1 ?? "")") }
            return json(200, ["status": "canceled"])
        }
        let count = placed.withLock { $0.append(form); return $0.count }
        return json(201, ["sid": "CA\(count)", "status": "queued"])
    }
}

public final class ManualNow: Sendable {
    public init() {}

    private let current = Mutex(Date(timeIntervalSince1970: 1_800_000_000))
    public var date: Date { current.withLock { $0 } }
    public func advance(seconds: Double) { current.withLock { $0 = $0.addingTimeInterval(seconds) } }
    /// An appliance clock reading this time, whose sleeps return at once.
    public var clock: ApplianceClock { ApplianceClock(sleeper: ImmediateClock()) { self.date } }
}

