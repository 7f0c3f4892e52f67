import Foundation

/// A plain TCP connection to a loopback port, for what an HTTP client hides: holding a socket idle, sending
/// half a request, seeing the server close it.
final class RawConnection {
    let descriptor: Int32

    /// Connects to `127.0.0.1:port`; throws when nothing accepts there.
    init(port: Int) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        guard Self.dial(descriptor, port: port) else {
            let failure = POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
            close(descriptor)
            throw failure
        }
    }

    deinit { close(descriptor) }

    func write(_ text: String) {
        _ = text.utf8CString.withUnsafeBufferPointer { send(descriptor, $0.baseAddress, $0.count - 1, Int32(MSG_NOSIGNAL)) }
    }

    /// Whether the server has closed the connection (end of stream or reset) by now, without waiting.
    var isClosedByServer: Bool {
        var byte: UInt8 = 0
        let read = recv(descriptor, &byte, 1, Int32(MSG_DONTWAIT | MSG_PEEK))
        return read == 0 || (read < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
    }

    /// Waits, a few milliseconds at a time, until the server closes the connection or `seconds` pass.
    func closedByServer(within seconds: Double) async throws -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if isClosedByServer { return true }
            try await Task.sleep(for: .milliseconds(10))
        }
        return isClosedByServer
    }

    /// Whether anything accepts a connection on `127.0.0.1:port` right now.
    static func accepts(port: Int) -> Bool {
        let probe = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(probe) }
        return dial(probe, port: port)
    }

    private static func dial(_ descriptor: Int32, port: Int) -> Bool {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }
}

/// The local addresses (as `/proc/net/tcp` spells them, such as `0100007F` for 127.0.0.1) that listen on `port`,
/// over IPv4 and IPv6.
func listeningAddresses(port: Int) throws -> [String] {
    let hexPort = String(format: "%04X", port)
    var found: [String] = []
    for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
        for line in try String(contentsOfFile: table, encoding: .utf8).split(separator: "\n").dropFirst() {
            let fields = line.split(separator: " ")
            guard fields.count > 3 else { continue }
            let local = fields[1].split(separator: ":")
            if local.count == 2, local[1] == hexPort, fields[3] == "0A" { found.append(String(local[0])) }
        }
    }
    return found
}
