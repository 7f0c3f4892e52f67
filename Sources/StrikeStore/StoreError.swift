/// Another writer appended to the stream first: reload and decide again.
public struct VersionConflict: Error, Equatable, Sendable, CustomStringConvertible {
    public let streamID: String
    public let expected: Int
    public let actual: Int
    public init(streamID: String, expected: Int, actual: Int) {
        self.streamID = streamID
        self.expected = expected
        self.actual = actual
    }

    public var description: String {
        "stream \(streamID) is at version \(actual), not the expected \(expected): it changed meanwhile"
    }
}

/// Infrastructure failures of the store, each with a message an admin can act on.
public struct StoreError: Error, Equatable, Sendable, CustomStringConvertible {
    enum Code: Equatable, Sendable {
        case spatialiteMissing
        case integrityCheckFailed
        case unknownTenant
        case linkNotActive
        case notAnOSP
        case backupFailed
        case notDurable
        case syncCounterUnavailable
    }

    let code: Code
    public let message: String

    public var description: String { message }

    static func spatialiteMissing(_ detail: String) -> StoreError {
        StoreError(
            code: .spatialiteMissing,
            message: "SpatiaLite (mod_spatialite) could not be loaded: \(detail). "
                + "Install the Debian package libsqlite3-mod-spatialite.")
    }

    static func integrityCheckFailed(_ detail: String) -> StoreError {
        StoreError(code: .integrityCheckFailed, message: "the database failed its integrity check: \(detail)")
    }

    static func unknownTenant(_ id: String) -> StoreError {
        StoreError(code: .unknownTenant, message: "there is no tenant \(id)")
    }

    static func notAnOSP(_ id: String) -> StoreError {
        StoreError(code: .notAnOSP, message: "tenant \(id) is not an OSP")
    }

    static func linkNotActive(noc: String, osp: String) -> StoreError {
        StoreError(code: .linkNotActive, message: "NOC \(noc) has no active link to OSP \(osp)")
    }

    static func backupFailed(_ detail: String) -> StoreError {
        StoreError(code: .backupFailed, message: "the backup failed: \(detail)")
    }

    static func notDurable(synchronous: Int?) -> StoreError {
        StoreError(
            code: .notDurable,
            message: "the database writer runs with PRAGMA synchronous = \(synchronous.map(String.init) ?? "?"), not FULL (2): "
                + "commits would not survive a power cut, so the appliance does not start")
    }

    static func syncCounterUnavailable(code: Int32) -> StoreError {
        StoreError(code: .syncCounterUnavailable, message: "SQLite's default VFS could not be wrapped to count syncs (SQLite error \(code))")
    }

    public var isLinkNotActive: Bool { code == .linkNotActive }
    public var isUnknownTenant: Bool { code == .unknownTenant }
    public var isNotAnOSP: Bool { code == .notAnOSP }
}
