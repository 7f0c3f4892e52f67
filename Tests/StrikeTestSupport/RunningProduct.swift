import Foundation

/// A product of this package running in the background, whose standard output is collected line by line.
public final class RunningProduct: @unchecked Sendable {
    private let process = Process()
    private let lock = NSLock()
    private var buffer = Data()
    private var errors = Data()

    public init(_ name: String, _ arguments: [String], environment: [String: String] = [:]) throws {
        process.executableURL = BuiltProducts.executable(name)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        out.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            self?.lock.withLock { self?.buffer.append(data) }
        }
        err.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            self?.lock.withLock { self?.errors.append(data) }
        }
        try ProcessLaunch.run(process)
    }

    /// Complete lines printed so far (a line still being written is left out).
    public var lines: [String] {
        let text = lock.withLock { String(decoding: buffer, as: UTF8.self) }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        lines.removeLast()  // after the last newline: empty, or a partial line
        return lines
    }

    public var standardError: String { lock.withLock { String(decoding: errors, as: UTF8.self) } }
    public var isRunning: Bool { process.isRunning }
    public var pid: Int32 { process.processIdentifier }

    /// Waits, a few milliseconds at a time, until `condition` holds or `seconds` pass; returns whether it held.
    @discardableResult
    public func wait(upTo seconds: Double, until condition: (RunningProduct) -> Bool) async throws -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition(self) { return true }
            try await Task.sleep(for: .milliseconds(5))
        }
        return condition(self)
    }

    /// Sends `signal` and waits for the process to end; returns its exit status.
    @discardableResult
    public func stop(_ signal: Int32) -> Int32 {
        if process.isRunning { kill(process.processIdentifier, signal) }
        process.waitUntilExit()
        // Let the readability handlers deliver what was already in the pipe.
        usleep(20_000)
        return process.terminationStatus
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
}
