import Foundation
import Testing

/// The shape the code keeps (the store and pager reshaping): read from the sources themselves.
@Suite struct ArchitectureTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Every Swift file under `Sources`, by its path from the project's root, with its text.
    static func sources() throws -> [(path: String, text: String)] {
        let sources = root.appendingPathComponent("Sources")
        let files = FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil)?.compactMap { $0 as? URL } ?? []
        return try files.filter { $0.pathExtension == "swift" }.map { url in
            (String(url.path.dropFirst(root.path.count + 1)), try String(contentsOf: url, encoding: .utf8))
        }
    }

    @Test func onlyTheStoreImportsGRDBKeepsItsWriterAndReadsFewRowsByHand() throws {
        let sources = try Self.sources()
        #expect(sources.count > 50)
        let importing = sources.filter { $0.text.contains("import GRDB") }.map(\.path)
        #expect(importing.allSatisfy { $0.hasPrefix("Sources/StrikeStore/") }, "\(importing)")
        #expect(!sources.contains { $0.text.contains("public let writer") })
        let rowReads = try Regex(#"(row|\$0|stream)\[""#)
        let count = sources.reduce(0) { $0 + $1.text.matches(of: rowReads).count }
        #expect(count < 20, "\(count) hand-written row reads")
    }

    @Test func theDomainHasNoIOProtocolNoClockAndNoSimulator() throws {
        let core = try Self.sources().filter { $0.path.hasPrefix("Sources/StrikeCore/") }
        #expect(!core.isEmpty)
        let protocols = core.flatMap { $0.text.matches(of: try! Regex(#"protocol (\w+)"#)).map { String($0.output[1].substring ?? "") } }
        #expect(Set(protocols) == ["Aggregate", "AggregateEvent"], "\(protocols)")
        for file in core {
            #expect(!file.text.contains("Clock"), "\(file.path) has a clock")
            #expect(!file.text.contains("sleep("), "\(file.path) sleeps")
            #expect(!file.text.contains("SimulatorScenario"), "\(file.path) knows the simulator's scenarios")
        }
        let scenario = try Self.sources().filter { $0.text.contains("public enum SimulatorScenario") }.map(\.path)
        #expect(scenario == ["Sources/StrikeSimulator/SimulatorScenario.swift"])
    }

    @Test func everyStoreProtocolHasAContractSuite() throws {
        let declarations = try String(
            contentsOf: Self.root.appendingPathComponent("Sources/StrikeStore/StoreProtocols.swift"), encoding: .utf8)
        let protocols = declarations.matches(of: try Regex(#"public protocol (\w+)"#)).map { String($0.output[1].substring ?? "") }
        #expect(protocols.count == 9, "\(protocols)")
        let contracts = Self.root.appendingPathComponent("Tests/StrikeStoreTests/Contracts")
        for name in protocols {
            let suite = try String(contentsOf: contracts.appendingPathComponent("\(name)Contract.swift"), encoding: .utf8)
            #expect(suite.contains("@Suite(\"\(name) contract\")"), "\(name)")
            #expect(suite.contains("StoreEngine.allCases"), "\(name) runs on every engine")
            #expect(suite.contains(": any \(name)") || suite.contains("any \(name) "), "\(name) is reached through the protocol")
        }
    }
}
