import Foundation
import StrikeIntegrations
import Synchronization

/// Stands in for Render or Twilio: answers each request with `answer` and keeps every request it got.
final class FakeTransport: HTTPTransport {
    private let received = Mutex<[OutboundRequest]>([])
    private let answer: @Sendable (OutboundRequest) async throws -> InboundResponse

    init(_ answer: @escaping @Sendable (OutboundRequest) async throws -> InboundResponse) {
        self.answer = answer
    }

    var requests: [OutboundRequest] { received.withLock { $0 } }

    func requests(toPathEndingWith suffix: String) -> [OutboundRequest] {
        requests.filter { $0.url.path.hasSuffix(suffix) }
    }

    func send(_ request: OutboundRequest) async throws -> InboundResponse {
        received.withLock { $0.append(request) }
        return try await answer(request)
    }
}

func json(_ status: Int, _ object: Any) -> InboundResponse {
    InboundResponse(status: status, headers: ["content-type": "application/json"], body: try! JSONSerialization.data(withJSONObject: object))
}

/// A wall clock the test moves by hand.
final class TestNow: Sendable {
    private let current = Mutex(Date(timeIntervalSince1970: 1_800_000_000))
    var date: Date { current.withLock { $0 } }
    func advance(seconds: Double) { current.withLock { $0 = $0.addingTimeInterval(seconds) } }
}
