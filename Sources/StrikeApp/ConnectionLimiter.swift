import Foundation
import Logging
import NIOCore
import NIOHTTPTypes
import Synchronization

/// Keeps the server's connections below the process's open-file limit, so a crowd of idle or half-sent
/// connections can never take the files the database and the outgoing calls need. A connection beyond the cap
/// makes room by closing the one that has been quiet the longest (idle between requests, or its request still
/// arriving); a connection being answered is never closed, and when every one is, the newcomer is.
final class ConnectionLimiter: Sendable {
    /// What the limiter knows of one open connection.
    struct Connection {
        let channel: any Channel
        /// Requests whose head was read and whose response has not ended.
        var unanswered = 0
        /// A request of this connection is still arriving.
        var reading = false
        var quietSince: NIODeadline

        /// The server is working on an answer: closing now would lose it.
        var isAnswering: Bool { unanswered > 0 && !reading }
    }

    struct State {
        var open: [ObjectIdentifier: Connection] = [:]
        var lastWarning: NIODeadline?
    }

    let capacity: Int
    private let state = Mutex(State())
    private let logger: Logger

    /// Files kept free for the database, the key file, logs and outgoing calls, when the limit allows it.
    static let reserve = 256

    init(capacity: Int, logger: Logger) {
        self.capacity = max(1, capacity)
        self.logger = logger
    }

    /// The cap for an open-file limit: the limit less the reserve, or half of a limit too small for that.
    static func capacity(forFileLimit limit: Int) -> Int {
        max(1, limit - reserve, limit / 2)
    }

    /// The soft `RLIMIT_NOFILE` of this process: the most files it may have open at once.
    static func openFileLimit() -> Int {
        var limit = rlimit()
        #if os(Linux)
        let read = getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
        #else
        let read = getrlimit(RLIMIT_NOFILE, &limit)
        #endif
        guard read == 0 else { return 1024 }
        return limit.rlim_cur >= rlim_t(Int32.max) ? Int(Int32.max) : Int(limit.rlim_cur)
    }

    /// A handler for one new connection's pipeline, after the HTTP codec.
    func handler() -> ConnectionSlot { ConnectionSlot(limiter: self) }

    /// Takes a new connection; when it is one too many, closes the connection quiet the longest, or this one.
    func opened(_ channel: any Channel) {
        let now = NIODeadline.now()
        let (closing, warn) = state.withLock { state -> ((any Channel)?, Bool) in
            state.open[ObjectIdentifier(channel)] = Connection(channel: channel, quietSince: now)
            guard state.open.count > capacity else { return (nil, false) }
            let quietest = state.open.filter { $0.key != ObjectIdentifier(channel) && !$0.value.isAnswering }
                .min { $0.value.quietSince < $1.value.quietSince }?.key
            let victim = quietest ?? ObjectIdentifier(channel)
            let closing = state.open.removeValue(forKey: victim)?.channel
            let warn = state.lastWarning.map { now - $0 > .minutes(1) } ?? true
            if warn { state.lastWarning = now }
            return (closing, warn)
        }
        guard let closing else { return }
        if warn {
            logger.warning(
                "connection limit reached: closing the connection quiet the longest",
                metadata: ["limit": "\(capacity)", "newcomer": "\(closing === channel)"])
        }
        closing.close(promise: nil)
    }

    func closed(_ id: ObjectIdentifier) {
        _ = state.withLock { $0.open.removeValue(forKey: id) }
    }

    func requestStarted(_ id: ObjectIdentifier) {
        update(id) {
            $0.unanswered += 1
            $0.reading = true
        }
    }

    func requestRead(_ id: ObjectIdentifier) {
        update(id) { $0.reading = false }
    }

    func responseEnded(_ id: ObjectIdentifier) {
        let now = NIODeadline.now()
        update(id) {
            $0.unanswered = max(0, $0.unanswered - 1)
            $0.quietSince = now
        }
    }

    private func update(_ id: ObjectIdentifier, _ change: (inout Connection) -> Void) {
        state.withLock { state in
            guard var connection = state.open[id] else { return }
            change(&connection)
            state.open[id] = connection
        }
    }
}

/// One connection's place under the cap: tells the limiter when it opens, starts and finishes requests, and closes.
final class ConnectionSlot: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let limiter: ConnectionLimiter
    private var id: ObjectIdentifier?

    init(limiter: ConnectionLimiter) {
        self.limiter = limiter
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let id = ObjectIdentifier(context.channel)
        self.id = id
        let limiter = self.limiter
        context.channel.closeFuture.whenComplete { _ in limiter.closed(id) }
        limiter.opened(context.channel)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if let id {
            switch unwrapInboundIn(data) {
            case .head: limiter.requestStarted(id)
            case .end: limiter.requestRead(id)
            case .body: break
            }
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if let id, case .end = unwrapOutboundIn(data) { limiter.responseEnded(id) }
        context.write(data, promise: promise)
    }
}
