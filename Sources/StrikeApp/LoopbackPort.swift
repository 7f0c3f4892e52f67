import Foundation

/// A TCP port on the loopback interface that nobody listens on (the demo's history plays on one; tests serve on one).
public enum LoopbackPort {
    /// The port the system gives a socket bound to `127.0.0.1:0`, released again for the caller to listen on.
    public static func free() throws(LoopbackPortError) -> Int {
        let probe = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard probe >= 0 else { throw LoopbackPortError(errno: errno) }
        defer { close(probe) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(probe, $0, length) == 0 && getsockname(probe, $0, &length) == 0 }
        }
        guard bound else { throw LoopbackPortError(errno: errno) }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// No loopback port could be had.
public struct LoopbackPortError: Error, CustomStringConvertible {
    let errno: Int32
    public var description: String { "no free loopback port: \(String(cString: strerror(errno)))" }
}
