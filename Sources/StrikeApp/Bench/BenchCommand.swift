import Foundation
import Synchronization

/// A command run to its end from the benchmark (wrk, psql, pgbench, a `strike` tool), its output in a file of
/// the workspace so that a full pipe can never stall it; waiting never blocks a thread.
enum BenchCommand {
    struct Failed: Error, CustomStringConvertible {
        let description: String
    }

    /// Runs `executable` (a path, or a name looked up on the PATH) to its end; its standard output and error.
    /// Throws, with the output's end, when it exits nonzero.
    @discardableResult
    static func run(
        _ executable: String, _ arguments: [String], environment: [String: String] = [:], in context: BenchContext
    ) async throws -> String {
        guard let path = locate(executable) else {
            throw Failed(description: "\(executable) is not installed (make bench installs it)")
        }
        let outputPath = context.file("\((executable as NSString).lastPathComponent)-\(UUID().uuidString.prefix(8)).out")
        _ = FileManager.default.createFile(atPath: outputPath, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: outputPath))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, given in given }
        process.standardOutput = output
        process.standardError = output
        let exit = ChildExit()
        process.terminationHandler = { exit.set($0.terminationStatus) }
        try launch(process)
        try? output.close()
        let status = await exit.wait()
        let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        guard status == 0 else {
            throw Failed(description: "\(executable) \(arguments.joined(separator: " ")) exited with status \(status): \(text.suffix(1500))")
        }
        return text
    }

    /// Starts `process` with no signal blocked. Foundation spawns the child from the calling thread, and the
    /// threads of Swift's cooperative pool block most signals (SIGALRM, SIGTERM, SIGINT, ...), a mask the child
    /// inherits: pgbench ends a `--time` run on SIGALRM, so it never ended, and a child server never saw SIGTERM.
    static func launch(_ process: Process) throws {
        var none = sigset_t()
        var previous = sigset_t()
        sigemptyset(&none)
        pthread_sigmask(SIG_SETMASK, &none, &previous)
        defer { pthread_sigmask(SIG_SETMASK, &previous, nil) }
        try process.run()
    }

    /// The executable's path: as given when it has a slash, else the first match on the PATH, then in `directories`.
    static func locate(
        _ executable: String, searchPath: String = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin",
        thenIn directories: [String] = []
    ) -> String? {
        if executable.contains("/") { return FileManager.default.isExecutableFile(atPath: executable) ? executable : nil }
        return (searchPath.split(separator: ":").map(String.init) + directories).map { "\($0)/\(executable)" }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}

/// A child process's exit status once it has one.
final class ChildExit: Sendable {
    private let state = Mutex<(status: Int32?, waiters: [CheckedContinuation<Int32, Never>])>((nil, []))

    var status: Int32? { state.withLock { $0.status } }

    func set(_ status: Int32) {
        let waiters = state.withLock { state in
            state.status = status
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume(returning: status) }
    }

    func wait() async -> Int32 {
        await withCheckedContinuation { continuation in
            let now = state.withLock { state -> Int32? in
                if let status = state.status { return status }
                state.waiters.append(continuation)
                return nil
            }
            if let now { continuation.resume(returning: now) }
        }
    }
}
