public import Foundation
import StrikeStore

/// `strike bench`: the named scenarios, each in a fresh directory, the machine they ran on and, given a
/// PostgreSQL server, the peer run of the same ECO transaction with the ratio of the two rates.
public enum Bench {
    /// Every scenario, in the order a whole run takes them.
    public static let scenarios: [any BenchScenario] = [
        AppendScenario(),
        DurableCreatesScenario(),
        CreateToFirstCallScenario(),
        RegionLookupScenario(),
        ListFiltersScenario(),
        ReplayScenario(),
        BacklogDrainScenario(),
        MemoryAndStartScenario(),
    ]

    public struct Options: Sendable {
        public var scenarioNames: [String] = []
        public var size: BenchSize = .full
        /// libpq connection string of the PostgreSQL server for the peer run; none skips it.
        public var postgres: String?
        /// Where the scenarios' directories are made.
        public var directory: URL = FileManager.default.temporaryDirectory
        /// Keep each scenario's directory (its databases and server logs) to look into afterwards.
        public var keep = false
        public var executable: String

        public init(executable: String) { self.executable = executable }
    }

    /// Runs the chosen scenarios (all when none is named) and returns the JSON document.
    public static func run(_ options: Options, progress: @escaping @Sendable (String) -> Void) async throws -> String {
        let chosen = try choose(options.scenarioNames)
        let root = options.directory.appendingPathComponent("strike-bench-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        defer { if !options.keep { try? FileManager.default.removeItem(at: root) } }
        if options.keep { progress("keeping every scenario's files in \(root.path)") }
        func context(_ name: String) throws -> BenchContext {
            let workspace = root.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: workspace, withIntermediateDirectories: true)
            return BenchContext(workspace: workspace, size: options.size, executable: options.executable, progress: progress)
        }

        var document = BenchFigures()
        document.set("date", ISO8601DateFormatter().string(from: Date()))
        document.set("size", options.size.rawValue)
        document.set("machine", try await BenchMachine.describe(try context("machine")))
        var results = BenchFigures()
        for scenario in chosen {
            progress("scenario \(scenario.name): \(scenario.summary)")
            let scenarioContext = try context(scenario.name)
            results.set(scenario.name, try await scenario.run(scenarioContext))
            if !options.keep { try? FileManager.default.removeItem(at: scenarioContext.workspace) }
        }
        document.set("scenarios", results)
        if let postgres = options.postgres {
            progress("peer: PostgreSQL running the same ECO transaction")
            let peer = try await PostgresPeer(connection: postgres).run(try context("peer"))
            document.set("peer", peer)
            if let creates = results.entry(DurableCreatesScenario.name)?.number("creates_per_s"), let tps = peer.number("tps"), tps > 0 {
                document.set("ratio", creates / tps)
            }
        }
        return document.json()
    }

    private static func choose(_ names: [String]) throws -> [any BenchScenario] {
        guard !names.isEmpty else { return scenarios }
        return try names.map { name in
            guard let scenario = scenarios.first(where: { $0.name == name }) else {
                throw UnknownScenario(name: name, known: scenarios.map(\.name))
            }
            return scenario
        }
    }

    public struct UnknownScenario: Error, CustomStringConvertible {
        let name: String
        let known: [String]
        public var description: String { "no scenario is called \(name); the scenarios are \(known.joined(separator: ", "))" }
    }
}
