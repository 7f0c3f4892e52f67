import Foundation

/// A typed identifier: the tag keeps an ECO id from being passed where a tenant id is expected.
public struct Identifier<Tag>: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible,
    Comparable
{
    public let rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }

    /// A new random identifier (lower-case UUID).
    public static func random() -> Self { Self(UUID().uuidString.lowercased()) }

    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    public var description: String { rawValue }
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}

public enum EcoTag {}
public enum TenantTag {}
public enum PagerRunTag {}
public enum PagerListTag {}

public typealias EcoID = Identifier<EcoTag>
public typealias TenantID = Identifier<TenantTag>
public typealias PagerRunID = Identifier<PagerRunTag>
public typealias PagerListID = Identifier<PagerListTag>

public enum ActorTag {}

/// Who did something: a user id, or a named system actor such as `system:pager`.
public typealias ActorID = Identifier<ActorTag>

extension Identifier where Tag == ActorTag {
    public static func user(_ id: String) -> ActorID { ActorID("user:\(id)") }
    public static func system(_ name: String) -> ActorID { ActorID("system:\(name)") }
}

/// A NOC opens ECOs; an OSP works them.
public enum TenantKind: String, Codable, Sendable {
    case noc = "NOC"
    case osp = "OSP"
}
