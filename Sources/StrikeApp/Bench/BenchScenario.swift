public import Foundation

/// How big a `strike bench` run is: `full` is what the figures in docs/benchmarks.md come from, `tiny` is what
/// `make test` runs to keep every scenario working (seconds, not minutes; its figures mean nothing).
public enum BenchSize: String, Sendable, CaseIterable {
    case tiny, full
}

/// What a scenario gets: a fresh directory of its own, the size, and the `strike` binary for child processes.
public struct BenchContext: Sendable {
    /// A fresh directory for this scenario, removed after it.
    public let workspace: URL
    public let size: BenchSize
    /// The `strike` binary: child servers and commands are started from it.
    public let executable: String
    private let report: @Sendable (String) -> Void

    public init(workspace: URL, size: BenchSize, executable: String, progress: @escaping @Sendable (String) -> Void) {
        self.workspace = workspace
        self.size = size
        self.executable = executable
        self.report = progress
    }

    /// One line on standard error, so standard output keeps only the JSON document.
    public func progress(_ line: String) { report(line) }

    /// The size-dependent count: `tiny` at `tiny`, `full` otherwise.
    public func count(tiny: Int, full: Int) -> Int { size == .tiny ? tiny : full }

    /// A path in the workspace.
    public func file(_ name: String) -> String { workspace.appendingPathComponent(name).path }
}

/// One named measurement of `strike bench`.
public protocol BenchScenario: Sendable {
    /// snake_case: the name given to `--scenario` and the key of the figures in the JSON document.
    var name: String { get }
    /// What it measures, for `strike bench --list`.
    var summary: String { get }
    func run(_ context: BenchContext) async throws -> BenchFigures
}

/// A scenario's figures: a JSON object that keeps the order its values were set in.
public struct BenchFigures: Sendable {
    enum Value: Sendable {
        case number(Double)
        case integer(Int)
        case text(String)
        case object(BenchFigures)
    }

    private(set) var entries: [(name: String, value: Value)] = []

    public init() {}

    public mutating func set(_ name: String, _ value: Double) { put(name, .number(value)) }
    public mutating func set(_ name: String, _ value: Int) { put(name, .integer(value)) }
    public mutating func set(_ name: String, _ value: String) { put(name, .text(value)) }
    public mutating func set(_ name: String, _ value: BenchFigures) { put(name, .object(value)) }

    /// A nested object set before.
    public func entry(_ name: String) -> BenchFigures? {
        if case .object(let value) = entries.first(where: { $0.name == name })?.value { return value }
        return nil
    }

    /// A number set before, for figures derived from others (the peer ratio).
    public func number(_ name: String) -> Double? {
        switch entries.first(where: { $0.name == name })?.value {
        case .number(let value): value
        case .integer(let value): Double(value)
        default: nil
        }
    }

    private mutating func put(_ name: String, _ value: Value) {
        if let index = entries.firstIndex(where: { $0.name == name }) {
            entries[index].value = value
        } else {
            entries.append((name, value))
        }
    }

    /// The object as indented JSON, in the order of its entries; numbers to three decimals.
    public func json(indent: String = "") -> String {
        guard !entries.isEmpty else { return "{}" }
        let inner = indent + "  "
        let lines = entries.map { entry in
            let value: String = switch entry.value {
            case .number(let number): number.isFinite ? String(format: "%.3f", number).replacingOccurrences(of: ".000", with: "") : "null"
            case .integer(let integer): String(integer)
            case .text(let text): Self.quoted(text)
            case .object(let object): object.json(indent: inner)
            }
            return "\(inner)\(Self.quoted(entry.name)): \(value)"
        }
        return "{\n" + lines.joined(separator: ",\n") + "\n\(indent)}"
    }

    private static func quoted(_ text: String) -> String {
        let data = try? JSONSerialization.data(withJSONObject: [text], options: [.withoutEscapingSlashes])
        return data.map { String(decoding: $0.dropFirst().dropLast(), as: UTF8.self) } ?? "\"\""
    }
}

enum BenchStatistics {
    /// The value below which `fraction` of the values lie (nearest rank), rounded to the microsecond when the
    /// values are milliseconds.
    static func percentile(_ values: [Double], _ fraction: Double) -> Double {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        let index = min(sorted.count - 1, Int((Double(sorted.count) * fraction).rounded(.up)) - 1)
        return (sorted[max(0, index)] * 1000).rounded() / 1000
    }

    /// p50, p99 and the largest of a set of milliseconds, as `p50_ms`, `p99_ms`, `max_ms` under `prefix`.
    static func latencies(_ values: [Double], prefix: String = "", into figures: inout BenchFigures) {
        figures.set(prefix + "p50_ms", percentile(values, 0.50))
        figures.set(prefix + "p99_ms", percentile(values, 0.99))
        figures.set(prefix + "max_ms", values.max() ?? 0)
    }

    static func milliseconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
    }

    /// Milliseconds `body` took on the continuous clock, with its result.
    static func timed<T>(_ body: () async throws -> T) async rethrows -> (T, Double) {
        let started = ContinuousClock.now
        let value = try await body()
        return (value, milliseconds(ContinuousClock.now - started))
    }
}
