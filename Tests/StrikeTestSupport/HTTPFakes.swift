public import Foundation
public import StrikeIntegrations
import Synchronization

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
            return InboundResponse(status: 200, body: Data(#"{"status":"canceled"}"#.utf8))
        }
        let count = placed.withLock { $0.append(form); return $0.count }
        return InboundResponse(status: 201, body: try JSONSerialization.data(withJSONObject: ["sid": "CA\(count)", "status": "queued"]))
    }
}

public final class ManualNow: Sendable {
    public init() {}

    private let current = Mutex(Date(timeIntervalSince1970: 1_800_000_000))
    public var date: Date { current.withLock { $0 } }
    public func advance(seconds: Double) { current.withLock { $0 = $0.addingTimeInterval(seconds) } }
}

