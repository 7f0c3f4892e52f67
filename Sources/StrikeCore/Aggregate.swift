public import Foundation

/// An event of one aggregate: a stable type name, a payload schema version, and JSON coding.
public protocol AggregateEvent: Sendable, Equatable {
    /// The stored type name, such as `EcoCreated`. Never renamed once shipped.
    var type: String { get }
    /// The version of this event's payload schema as the code writes it today.
    var schemaVersion: Int { get }
    /// The schema version the code writes today for a stored type name.
    static func currentSchemaVersion(of type: String) -> Int
    func encodedPayload() throws -> Data
    /// Reads a payload already upcast to the current schema version.
    static func decode(type: String, payload: Data) throws -> Self
    /// How older payload versions become the current one.
    static var upcasters: UpcasterChain { get }
}

extension AggregateEvent {
    /// A payload stored at `schemaVersion`, upcast to the schema version this build writes for `type` and decoded.
    public static func decode(type: String, schemaVersion: Int, storedPayload: Data) throws -> Self {
        try decode(type: type, payload: try upcast(type: type, schemaVersion: schemaVersion, storedPayload: storedPayload))
    }

    /// A payload stored at `schemaVersion`, as the schema version this build writes for `type`.
    public static func upcast(type: String, schemaVersion: Int, storedPayload: Data) throws -> Data {
        try upcasters.upcast(eventType: type, version: schemaVersion, to: currentSchemaVersion(of: type), payload: storedPayload)
    }
}

/// A consistency boundary: `decide(command, state) -> [Event]` and `evolve(state, event) -> state`.
public protocol Aggregate: Sendable, Equatable, Codable {
    associatedtype Event: AggregateEvent
    associatedtype Command: Sendable

    /// The stored stream type, such as `eco`.
    static var streamType: String { get }
    /// Bumped when the state's own coding changes, so old snapshots are ignored instead of misread.
    static var snapshotVersion: Int { get }
    /// The state before the first event.
    static var initial: Self { get }

    static func decide(_ command: Command, _ state: Self) throws(DomainError) -> [Event]
    static func evolve(_ state: Self, _ event: Event) -> Self
}

extension Aggregate {
    /// Folds events into a state, starting from `initial` unless a state is given.
    public static func replay(_ events: some Sequence<Event>, from state: Self = initial) -> Self {
        events.reduce(state, evolve)
    }
}

/// Encodes and decodes event payloads the same way everywhere: ISO 8601 dates, sorted keys.
public enum EventCoding {
    public static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(ISO8601.string(from: date))
        }
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    public static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = ISO8601.date(from: text) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "not an ISO 8601 date: \(text)")
            }
            return date
        }
        return decoder
    }
}

/// ISO 8601 UTC timestamps with milliseconds, the one text form of time in the appliance.
public enum ISO8601 {
    /// Rounded to the nearest millisecond, counted in whole numbers: a text read back and written again is
    /// the same text (formatting a parsed `…44.839` as a binary fraction would truncate it to `…44.838`).
    public static func string(from date: Date) -> String {
        let milliseconds = (date.timeIntervalSince1970 * 1000).rounded()
        let seconds = (milliseconds / 1000).rounded(.down)
        let whole = Date(timeIntervalSince1970: seconds).formatted(.iso8601.year().month().day().time(includingFractionalSeconds: false).timeZone(separator: .omitted))
        return "\(whole.dropLast()).\(String(Int(milliseconds - seconds * 1000) + 1000).dropFirst())Z"
    }

    public static func date(from text: String) -> Date? {
        if let date = try? Date(text, strategy: .iso8601.year().month().day().time(includingFractionalSeconds: true)) {
            return date
        }
        return try? Date(text, strategy: .iso8601)
    }
}
