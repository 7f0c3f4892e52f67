public import Foundation
#if canImport(FoundationNetworking)
public import FoundationNetworking
#endif
import Synchronization

/// One outbound HTTP request, as the clients build it.
public struct OutboundRequest: Sendable, Equatable {
    public var method: String
    public var url: URL
    public var headers: [String: String]
    public var body: Data?
    public var timeout: Duration

    public init(method: String, url: URL, headers: [String: String] = [:], body: Data? = nil, timeout: Duration = .seconds(15)) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
    }
}

public struct InboundResponse: Sendable, Equatable {
    public var status: Int
    public var headers: [String: String]
    public var body: Data

    public init(status: Int, headers: [String: String] = [:], body: Data = Data()) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

/// Sends a request and returns whatever status came back; throws only when no answer arrived.
/// The clients talk to Render and Twilio (or their simulators) through this, so tests can stand in for both.
public protocol HTTPTransport: Sendable {
    func send(_ request: OutboundRequest) async throws -> InboundResponse
}

/// The production transport: Foundation's URLSession (libcurl on Linux).
///
/// On Linux, URLSession's `async` `data(for:)` waits with `DispatchQueue.sync` for the session's own work queue,
/// on the calling thread: on Swift's cooperative pool (two threads on a 2-core box), a busy session held those
/// threads and froze the appliance, SIGTERM included. So tasks are made, started and cancelled on a serial queue
/// of this transport's, and the answer comes back through the completion handler; the caller only awaits.
public struct URLSessionTransport: HTTPTransport {
    private let session: URLSession
    /// Where the session's blocking calls run: never a thread of the cooperative pool.
    private let starter = DispatchQueue(label: "strike.http-transport")

    /// `connectionsPerHost` caps the connections open to one host at once; requests beyond it wait for one
    /// (their timeout running). Foundation's default of 6 queued the workers' calls to the simulators, which
    /// share the appliance's own address.
    public init(connectionsPerHost: Int = 32) {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpMaximumConnectionsPerHost = connectionsPerHost
        configuration.httpCookieStorage = nil
        configuration.httpShouldSetCookies = false
        configuration.urlCache = nil
        session = URLSession(configuration: configuration)
    }

    public func send(_ request: OutboundRequest) async throws -> InboundResponse {
        var urlRequest = URLRequest(url: request.url)
        urlRequest.httpMethod = request.method
        urlRequest.httpBody = request.body
        urlRequest.timeoutInterval = Double(request.timeout.components.seconds) + Double(request.timeout.components.attoseconds) / 1e18
        for (name, value) in request.headers { urlRequest.setValue(value, forHTTPHeaderField: name) }
        let (data, response) = try await perform(urlRequest)
        guard let http = response as? HTTPURLResponse else { throw URLError(.badServerResponse) }
        var headers: [String: String] = [:]
        for (name, value) in http.allHeaderFields {
            if let name = name as? String, let value = value as? String { headers[name.lowercased()] = value }
        }
        return InboundResponse(status: http.statusCode, headers: headers, body: data)
    }

    /// The request's answer; cancelling the caller cancels the request, which then ends with `cancelled`.
    private func perform(_ request: URLRequest) async throws -> (Data, URLResponse) {
        let state = Mutex<(task: URLSessionDataTask?, cancelled: Bool)>((nil, false))
        let (session, starter) = (self.session, self.starter)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<(Data, URLResponse), any Error>) in
                starter.async {
                    // A caller cancelled before its turn here sends nothing; one cancelled later has its
                    // cancellation queued behind this block, so it finds the task.
                    guard !state.withLock({ $0.cancelled }) else { return continuation.resume(throwing: CancellationError()) }
                    let task = session.dataTask(with: request) { data, response, error in
                        if let data, let response {
                            continuation.resume(returning: (data, response))
                        } else {
                            continuation.resume(throwing: error ?? URLError(.badServerResponse))
                        }
                    }
                    state.withLock { $0.task = task }
                    task.resume()
                }
            }
        } onCancel: {
            state.withLock { $0.cancelled = true }
            starter.async { state.withLock { $0.task }?.cancel() }
        }
    }
}

/// `application/x-www-form-urlencoded`, with repeated names kept in order (Twilio's `StatusCallbackEvent`).
public enum FormEncoding {
    public static func encode(_ pairs: [(String, String)]) -> Data {
        Data(pairs.map { "\(escape($0.0))=\(escape($0.1))" }.joined(separator: "&").utf8)
    }

    public static func decode(_ data: Data) -> [(String, String)] {
        String(decoding: data, as: UTF8.self).split(separator: "&").map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = unescape(String(parts[0]))
            return (name, parts.count > 1 ? unescape(String(parts[1])) : "")
        }
    }

    private static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._*")

    private static func escape(_ text: String) -> String {
        (text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? text).replacingOccurrences(of: "%20", with: "+")
    }

    private static func unescape(_ text: String) -> String {
        text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? text
    }
}

/// HTTP Basic credentials as a header value.
public func basicAuthorization(user: String, password: String) -> String {
    "Basic " + Data("\(user):\(password)".utf8).base64EncodedString()
}
