import Foundation
import StrikeIntegrations

/// A child `strike` process serving on a free loopback port, its output in a log file of the workspace.
final class BenchServer: Sendable {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    let port: Int
    /// Milliseconds from launching the process to its first `/readyz` 200.
    let startMilliseconds: Double
    private let process: Process
    private let exited: ChildExit
    private let logPath: String
    private let transport = URLSessionTransport(connectionsPerHost: 8)

    private init(port: Int, startMilliseconds: Double, process: Process, exited: ChildExit, logPath: String) {
        self.port = port
        self.startMilliseconds = startMilliseconds
        self.process = process
        self.exited = exited
        self.logPath = logPath
    }

    /// Runs the binary with `arguments` plus the loopback address and a free port (`["demo", "--db", path]`,
    /// `["serve", "--db", path]`), and returns once `/readyz` answers 200.
    static func start(_ context: BenchContext, arguments: [String], environment: [String: String] = [:]) async throws -> BenchServer {
        let port = try LoopbackPort.free()
        let logPath = context.file("server-\(port).log")
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: context.executable)
        process.arguments = arguments + ["--host", "127.0.0.1", "--port", String(port)]
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, given in given }
        process.standardOutput = log
        process.standardError = log
        let exited = ChildExit()
        process.terminationHandler = { exited.set($0.terminationStatus) }
        let launched = ContinuousClock.now
        try BenchCommand.launch(process)
        try? log.close()
        let server = try await waitUntilReady(
            port: port, launched: launched, process: process, exited: exited, logPath: logPath)
        context.progress("strike \(arguments.first ?? "") ready on port \(port) in \(Int(server.startMilliseconds)) ms")
        return server
    }

    private static func waitUntilReady(
        port: Int, launched: ContinuousClock.Instant, process: Process, exited: ChildExit, logPath: String
    ) async throws -> BenchServer {
        let probe = URLSessionTransport(connectionsPerHost: 1)
        let readyz = URL(string: "http://127.0.0.1:\(port)/readyz")!
        let deadline = launched + .seconds(600)
        while ContinuousClock.now < deadline {
            if let status = exited.status {
                throw Failure(description: "strike exited with status \(status) before serving: \(tail(of: logPath))")
            }
            if let answer = try? await probe.send(OutboundRequest(method: "GET", url: readyz, timeout: .seconds(2))), answer.status == 200 {
                let started = BenchStatistics.milliseconds(ContinuousClock.now - launched)
                return BenchServer(port: port, startMilliseconds: started, process: process, exited: exited, logPath: logPath)
            }
            try await Task.sleep(for: .milliseconds(2))
        }
        process.terminate()
        throw Failure(description: "strike did not answer /readyz 200 within 600 s: \(tail(of: logPath))")
    }

    var baseURL: URL { URL(string: "http://127.0.0.1:\(port)")! }

    /// One request; the milliseconds are the client's, from sending to the whole answer.
    func request(
        _ method: String, _ path: String, body: Data? = nil, headers: [String: String] = [:]
    ) async throws -> (status: Int, body: Data, milliseconds: Double) {
        var headers = headers
        if body != nil { headers["Content-Type"] = "application/json" }
        let outbound = OutboundRequest(method: method, url: URL(string: path, relativeTo: baseURL)!.absoluteURL, headers: headers, body: body, timeout: .seconds(60))
        let (answer, milliseconds) = try await BenchStatistics.timed { try await transport.send(outbound) }
        return (answer.status, answer.body, milliseconds)
    }

    /// Signs in; the headers a later request sends as that user (the cookie and its CSRF token).
    func signIn(_ username: String, _ password: String) async throws -> [String: String] {
        let body = try JSONSerialization.data(withJSONObject: ["username": username, "password": password])
        let outbound = OutboundRequest(
            method: "POST", url: baseURL.appendingPathComponent("api/session"), headers: ["Content-Type": "application/json"], body: body)
        let answer = try await transport.send(outbound)
        guard answer.status == 200, let cookie = answer.headers["set-cookie"]?.split(separator: ";").first,
            let session = try JSONSerialization.jsonObject(with: answer.body) as? [String: Any],
            let csrf = session["csrfToken"] as? String
        else { throw Failure(description: "signing in as \(username) answered \(answer.status)") }
        return ["Cookie": String(cookie), "X-CSRF-Token": csrf]
    }

    /// A JSON answer that must come with `status`.
    func json(_ method: String, _ path: String, _ body: [String: Any]? = nil, headers: [String: String], expecting status: Int = 200) async throws -> Any {
        let answer = try await request(method, path, body: try body.map { try JSONSerialization.data(withJSONObject: $0) }, headers: headers)
        guard answer.status == status else {
            throw Failure(description: "\(method) \(path) answered \(answer.status), not \(status): \(String(decoding: answer.body.prefix(300), as: UTF8.self))")
        }
        return try JSONSerialization.jsonObject(with: answer.body, options: [.fragmentsAllowed])
    }

    /// The Prometheus samples of `/metrics` by name (labels included as written).
    func metrics(headers: [String: String]) async throws -> [String: Double] {
        let answer = try await request("GET", "/metrics", headers: headers)
        guard answer.status == 200 else { throw Failure(description: "/metrics answered \(answer.status)") }
        var samples: [String: Double] = [:]
        for line in String(decoding: answer.body, as: UTF8.self).split(separator: "\n") where !line.hasPrefix("#") {
            let parts = line.split(separator: " ")
            if parts.count >= 2, let value = Double(parts[1]) { samples[String(parts[0])] = value }
        }
        return samples
    }

    var pid: Int32 { process.processIdentifier }

    /// The resident set now (`VmRSS`) and at its peak (`VmHWM`), in MiB.
    func memoryMiB() throws -> (resident: Double, peak: Double) {
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        func kib(_ field: String) -> Double {
            let line = status.split(separator: "\n").first { $0.hasPrefix(field + ":") }
            return line.flatMap { Double($0.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") } ?? 0
        }
        return (kib("VmRSS") / 1024, kib("VmHWM") / 1024)
    }

    /// User and system CPU seconds the process has used (`/proc/PID/stat`).
    func cpuSeconds() throws -> Double {
        let stat = try String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
        let fields = stat[stat.range(of: ") ")!.upperBound...].split(separator: " ")
        let ticks = (Double(fields[11]) ?? 0) + (Double(fields[12]) ?? 0)
        return ticks / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// SIGTERM, then waits for the process to exit; throws when it does not exit 0.
    func stop() async throws {
        if exited.status == nil { process.terminate() }
        let status = await exited.wait()
        guard status == 0 else { throw Failure(description: "strike exited with status \(status) on SIGTERM: \(Self.tail(of: logPath))") }
    }

    private static func tail(of path: String) -> String {
        String((try? String(contentsOfFile: path, encoding: .utf8))?.suffix(1500) ?? "")
    }
}
