import Foundation

/// One Server-Sent Event as received.
public struct ReceivedEvent: Sendable, Equatable {
    public let id: String?
    public let event: String?
    public let data: String
}

/// A minimal client for `text/event-stream` over a plain loopback socket: HTTP/1.1 GET, chunked body, SSE parsing.
public final class EventStreamClient: @unchecked Sendable {
    private let socket: Int32
    private var isOpen = true
    private var raw = [UInt8]()
    private var body = [UInt8]()
    private var headersDone = false
    public private(set) var status = 0

    public init(port: Int, path: String, headers: [String: String]) throws {
        socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw POSIXError(.ECONNREFUSED) }
        var timeout = timeval(tv_sec: 0, tv_usec: 50_000)
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let lines = ["GET \(path) HTTP/1.1", "Host: 127.0.0.1:\(port)", "Accept: text/event-stream"]
            + headers.map { "\($0.key): \($0.value)" }
        let request = Array((lines.joined(separator: "\r\n") + "\r\n\r\n").utf8)
        _ = request.withUnsafeBytes { send(socket, $0.baseAddress, $0.count, 0) }
    }

    /// Reads until `count` events arrived or `seconds` passed; returns the events read (comments are skipped).
    /// Waits for `count` events at most `seconds`, reading on a thread of its own: a blocking read on the
    /// cooperative pool could starve the server under test on a two-core machine.
    public func events(_ count: Int, within seconds: Double) async -> [ReceivedEvent] {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: self.receive(count, within: seconds)) }
        }
    }

    private func receive(_ count: Int, within seconds: Double) -> [ReceivedEvent] {
        var received: [ReceivedEvent] = []
        let deadline = Date().addingTimeInterval(seconds)
        while isOpen, received.count < count, Date() < deadline {
            received += parseEvents()
            if received.count >= count { break }
            var chunk = [UInt8](repeating: 0, count: 4096)
            let read = recv(socket, &chunk, chunk.count, 0)
            if read == 0 { break }
            if read > 0 { raw += chunk[0..<read] }
        }
        return received
    }

    /// Closes the socket once: a second close could hit a descriptor the server in this process reused.
    public func close() {
        guard isOpen else { return }
        isOpen = false
        Glibc.close(socket)
    }

    deinit { close() }

    /// Moves complete chunks from `raw` into `body`, then cuts complete events off `body`.
    private func parseEvents() -> [ReceivedEvent] {
        if !headersDone, let end = find([13, 10, 13, 10], in: raw) {
            let head = String(decoding: raw[0..<end], as: UTF8.self)
            status = Int(head.split(separator: " ").dropFirst().first ?? "") ?? 0
            raw.removeFirst(end + 4)
            headersDone = true
        }
        guard headersDone else { return [] }
        while let lineEnd = find([13, 10], in: raw), let size = Int(String(decoding: raw[0..<lineEnd], as: UTF8.self), radix: 16),
            raw.count >= lineEnd + 2 + size + 2
        {
            body += raw[(lineEnd + 2)..<(lineEnd + 2 + size)]
            raw.removeFirst(lineEnd + 2 + size + 2)
        }
        var events: [ReceivedEvent] = []
        while let end = find([10, 10], in: body) {
            let block = String(decoding: body[0..<end], as: UTF8.self)
            body.removeFirst(end + 2)
            var id: String?, event: String?, data: [String] = []
            for line in block.split(separator: "\n") where !line.hasPrefix(":") {
                let parts = line.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                guard parts.count == 2 else { continue }
                switch parts[0] {
                case "id": id = parts[1]
                case "event": event = parts[1]
                case "data": data.append(parts[1])
                default: break
                }
            }
            if !data.isEmpty { events.append(ReceivedEvent(id: id, event: event, data: data.joined(separator: "\n"))) }
        }
        return events
    }

    private func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for start in 0...(haystack.count - needle.count) where Array(haystack[start..<(start + needle.count)]) == needle {
            return start
        }
        return nil
    }
}
