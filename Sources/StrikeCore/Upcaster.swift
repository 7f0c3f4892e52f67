public import Foundation

/// Turns one event type's payload from one schema version into the next. History is never rewritten:
/// upcasting happens as events are read.
public struct Upcaster: Sendable {
    public let eventType: String
    public let fromVersion: Int
    public let transform: @Sendable (_ payload: [String: any Sendable]) throws -> [String: any Sendable]

    public init(
        eventType: String, fromVersion: Int,
        transform: @escaping @Sendable (_ payload: [String: any Sendable]) throws -> [String: any Sendable]
    ) {
        self.eventType = eventType
        self.fromVersion = fromVersion
        self.transform = transform
    }
}

/// Why a stored payload could not be brought to the current schema.
public struct UpcastError: Error, CustomStringConvertible, Sendable {
    public let eventType: String
    public let version: Int
    public let reason: String
    public var description: String { "cannot upcast \(eventType) v\(version): \(reason)" }
}

/// Upcasters applied in order: v1→v2, then v2→v3, until the payload is at the current version.
public struct UpcasterChain: Sendable {
    private let steps: [String: [Int: Upcaster]]

    public init(_ upcasters: [Upcaster]) {
        var steps: [String: [Int: Upcaster]] = [:]
        for upcaster in upcasters { steps[upcaster.eventType, default: [:]][upcaster.fromVersion] = upcaster }
        self.steps = steps
    }

    /// Returns the payload at `currentVersion`; a payload already current comes back unchanged.
    public func upcast(eventType: String, version: Int, to currentVersion: Int, payload: Data) throws -> Data {
        guard version < currentVersion else {
            guard version == currentVersion else {
                throw UpcastError(eventType: eventType, version: version, reason: "newer than this build (v\(currentVersion))")
            }
            return payload
        }
        guard var object = try JSONSerialization.jsonObject(with: payload) as? [String: any Sendable] else {
            throw UpcastError(eventType: eventType, version: version, reason: "payload is not a JSON object")
        }
        var at = version
        while at < currentVersion {
            guard let step = steps[eventType]?[at] else {
                throw UpcastError(eventType: eventType, version: at, reason: "no upcaster from v\(at)")
            }
            object = try step.transform(object)
            at += 1
        }
        return try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
    }
}
