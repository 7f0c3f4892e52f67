public import Foundation

/// A typed identifier: the tag keeps an ECO id from being passed where a tenant id is expected.
public struct Identifier<Tag>: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible,
    Comparable
{
    public let rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }

    /// A new random identifier (lower-case UUID).
    public static func random() -> Self { Self(UUID.random().uuidString.lowercased()) }

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

extension UUID {
    /// A version 4 UUID from one `getrandom` call (glibc's `arc4random_buf`). Foundation's `UUID()` on Linux
    /// opens, reads and closes /dev/urandom for each one; the appliance makes several for every ECO (its id, each
    /// event's id), so those were three system calls and a file descriptor each.
    public static func random() -> UUID {
        var bytes: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &bytes) { arc4random_buf($0.baseAddress!, 16) }
        bytes.6 = (bytes.6 & 0x0F) | 0x40  // version 4: random
        bytes.8 = (bytes.8 & 0x3F) | 0x80  // the RFC 4122 variant
        return UUID(uuid: bytes)
    }
}

