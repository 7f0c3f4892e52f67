public import Foundation
import Logging
public import StrikeRuntime
import Synchronization
import ServiceLifecycle
import StrikeStore

#if canImport(Glibc)
import Glibc
#endif

/// systemd's notification protocol (sd_notify): one datagram per state change, sent to the Unix socket named
/// by `$NOTIFY_SOCKET` (a leading `@` names an abstract socket): `READY=1` once the appliance serves,
/// `WATCHDOG=1` to feed `WatchdogSec=`. Sending never blocks.
public struct SystemdNotifier: Sendable {
    public let socketPath: String

    /// The notifier systemd asked for in `environment`, or nil when the appliance does not run under it.
    public init?(environment: [String: String] = ProcessInfo.processInfo.environment) {
        guard let path = environment["NOTIFY_SOCKET"], !path.isEmpty else { return nil }
        socketPath = path
    }

    /// How often to feed the watchdog (half of `$WATCHDOG_USEC`, as systemd advises); nil when it has none for
    /// this process.
    public static func watchdogInterval(environment: [String: String] = ProcessInfo.processInfo.environment) -> Duration? {
        guard let text = environment["WATCHDOG_USEC"], let microseconds = Int64(text), microseconds > 0 else { return nil }
        if let pid = environment["WATCHDOG_PID"].flatMap(Int32.init), pid != getpid() { return nil }
        return .microseconds(microseconds / 2)
    }

    /// Sends `state` (such as `READY=1`); false when the datagram could not be sent.
    @discardableResult
    public func send(_ state: String) -> Bool {
        let descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var path = Array(socketPath.utf8)
        if path.first == UInt8(ascii: "@") { path[0] = 0 }  // abstract namespace
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard path.count < capacity else { return false }
        withUnsafeMutableBytes(of: &address.sun_path) { bytes in bytes.copyBytes(from: path) }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + path.count + (path.first == 0 ? 0 : 1))
        let sent = state.utf8CString.withUnsafeBufferPointer { message in
            withUnsafePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                    sendto(descriptor, message.baseAddress, message.count - 1, Int32(MSG_DONTWAIT) | Int32(MSG_NOSIGNAL), socketAddress, length)
                }
            }
        }
        return sent == state.utf8.count
    }
}

/// What systemd asked of this process: to be told when it is ready, and to feed a watchdog every `interval`
/// from then on.
public final class SystemdSupervision: Sendable {
    public let notifier: SystemdNotifier
    public let watchdogInterval: Duration?
    public let clock: ApplianceClock
    private let readySent = Atomic(false)

    public init(notifier: SystemdNotifier, watchdogInterval: Duration?, clock: ApplianceClock = .system) {
        self.notifier = notifier
        self.watchdogInterval = watchdogInterval
        self.clock = clock
    }

    /// From `$NOTIFY_SOCKET` and `$WATCHDOG_USEC`; nil when not started by systemd with `Type=notify`.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> SystemdSupervision? {
        guard let notifier = SystemdNotifier(environment: environment) else { return nil }
        return SystemdSupervision(notifier: notifier, watchdogInterval: SystemdNotifier.watchdogInterval(environment: environment))
    }

    /// Tells systemd the appliance serves (`READY=1`); the watchdog is fed only after this.
    func ready() {
        notifier.send("READY=1")
        readySent.store(true, ordering: .releasing)
    }

    var isReady: Bool { readySent.load(ordering: .acquiring) }
}

/// Feeds systemd's watchdog while every worker makes progress, and stops feeding it as soon as one is stuck,
/// so that systemd restarts a frozen appliance. A process whose cooperative threads are all blocked cannot run
/// this loop either, and stops feeding it the same way.
struct Watchdog: Service {
    let supervision: SystemdSupervision
    let interval: Duration
    let heartbeats: Heartbeats
    let stallLimit: TimeInterval
    let clock: ApplianceClock
    let logger = Logger.strike("watchdog")

    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            var starving: [String] = []
            while !Task.isCancelled {
                let stalled = heartbeats.stalled(limit: stallLimit).map(\.worker)
                if stalled.isEmpty {
                    if supervision.isReady { supervision.notifier.send("WATCHDOG=1") }
                } else if stalled != starving {
                    logger.critical(
                        "a worker is stuck: no longer feeding the systemd watchdog, which will restart the appliance",
                        metadata: ["workers": "\(stalled.joined(separator: ", "))", "limit_s": "\(Int(stallLimit))"])
                }
                starving = stalled
                try await clock.sleep(for: interval)
            }
        }
    }
}
