public import Foundation

/// The files of the package's `Resources/` folder (the OpenAPI document, and the dashboard), built into the
/// binary by the EmbedResources plugin.
public enum Resources {
    /// The bytes of a resource by its path under `Resources/`, such as `openapi.json`; nil when there is none.
    public static func file(_ path: String) -> Data? {
        decoded[path]
    }

    /// Every resource path, sorted.
    public static var paths: [String] { decoded.keys.sorted() }

    private static let decoded: [String: Data] = EmbeddedFiles.base64.compactMapValues { Data(base64Encoded: $0) }
}
