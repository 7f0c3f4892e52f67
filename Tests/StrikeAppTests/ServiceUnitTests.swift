import Foundation
import StrikeApp
import StrikeTestSupport
import Testing

/// The shipped unit, `systemd/strike.service`, as systemd reads it and as the appliance runs under it.
@Suite struct ServiceUnitTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The unit's `Key=Value` lines; a repeated key (`Environment=`) keeps every value.
    static func directives() throws -> [String: [String]] {
        let unit = try String(contentsOf: root.appending(path: "systemd/strike.service"), encoding: .utf8)
        var directives: [String: [String]] = [:]
        for line in unit.split(separator: "\n") where !line.hasPrefix("#") {
            guard let equals = line.firstIndex(of: "=") else { continue }
            directives[String(line[..<equals]), default: []].append(String(line[line.index(after: equals)...]))
        }
        return directives
    }

    /// systemd restarts a frozen appliance only if the unit asks for the notify protocol and a watchdog, and
    /// the connection cap (the open-file limit less a reserve) leaves room only if the unit raises the limit.
    /// `systemd-analyze verify` accepts the unit as it is, with `ExecStart` pointed at the built binary.
    @Test func theUnitIsANotifyServiceWithAWatchdogAndRoomForConnectionsAndSystemdAcceptsIt() throws {
        let directives = try Self.directives()
        #expect(directives["Type"] == ["notify"])
        #expect(directives["NotifyAccess"] == ["main"])
        #expect((directives["WatchdogSec"]?.first.flatMap(Int.init) ?? 0) > 0)
        #expect((directives["LimitNOFILE"]?.first.flatMap(Int.init) ?? 0) >= 8 * 1024, "well above the default 1,024 open files")

        let directory = try TemporaryDirectory()
        let unit = try String(contentsOf: Self.root.appending(path: "systemd/strike.service"), encoding: .utf8)
            .replacingOccurrences(of: "ExecStart=/usr/bin/strike", with: "ExecStart=" + BuiltProducts.executable("strike").path)
        let copy = directory.path("strike.service")
        try unit.write(toFile: copy, atomically: true, encoding: .utf8)
        let verify = Process()
        verify.executableURL = URL(fileURLWithPath: "/usr/bin/systemd-analyze")
        verify.arguments = ["verify", copy]
        let errors = Pipe()
        verify.standardError = errors
        verify.standardOutput = errors
        try ProcessLaunch.run(verify)
        verify.waitUntilExit()
        let said = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(verify.terminationStatus == 0 && said.isEmpty, "\(said)")
    }

    /// `ExecStart` with the unit's `Environment=` lines serves on the database, host and port they name (only
    /// the paths and the port moved into a temporary directory and a free port).
    @Test func theUnitsCommandAndEnvironmentServeTheDatabaseItNames() async throws {
        let directives = try Self.directives()
        let command = try #require(directives["ExecStart"]?.first?.split(separator: " ").map(String.init))
        #expect(command.first == "/usr/bin/strike", "where the Debian package installs it")
        var environment: [String: String] = [:]
        for assignment in directives["Environment"] ?? [] {
            let parts = assignment.split(separator: "=", maxSplits: 1).map(String.init)
            environment[parts[0]] = parts[1]
        }
        #expect(Set(environment.keys) == ["STRIKE_DB", "STRIKE_HOST", "STRIKE_PORT"])
        let directory = try TemporaryDirectory()
        environment["STRIKE_DB"] = directory.path("strike.db")
        environment["STRIKE_HOST"] = "127.0.0.1"
        environment["STRIKE_PORT"] = "\(try LoopbackPort.free())"
        let server = try RunningProduct("strike", Array(command.dropFirst()), environment: environment)
        defer { server.stop(SIGTERM) }
        let serving = try await server.wait(upTo: 30) { $0.lines.contains { $0.contains("Server started") } }
        #expect(serving, "\(server.standardError)")
        #expect(server.lines.contains { $0.contains("path=\(directory.path("strike.db"))") }, "\(server.standardError)")
        #expect(server.lines.contains { $0.contains("listening on 127.0.0.1:\(environment["STRIKE_PORT"]!)") }, "\(server.standardError)")
    }
}
