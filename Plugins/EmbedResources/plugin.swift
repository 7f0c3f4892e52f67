import Foundation
import PackagePlugin

/// Embeds every file under the package's `Resources/` folder, and Debian's Leaflet for the dashboard's map,
/// into the target as Swift source, so the one `strike` binary serves them from memory wherever it is copied
/// (no bundle beside it).
@main
struct EmbedResources: BuildToolPlugin {
    /// Leaflet as Debian's `libjs-leaflet` installs it (the Makefile's `deps`): built in, never committed.
    static let leaflet = URL(fileURLWithPath: "/usr/share/javascript/leaflet")
    static let leafletFiles = ["leaflet.esm.js", "leaflet.css", "images/layers.png", "images/layers-2x.png", "images/marker-icon.png",
                               "images/marker-icon-2x.png", "images/marker-shadow.png"]

    func createBuildCommands(context: PluginContext, target: any Target) async throws -> [Command] {
        let root = context.package.directoryURL.appending(path: "Resources")
        var named = Self.files(under: root).map { (Self.relativePath(of: $0, under: root), $0) }
        let missing = Self.leafletFiles.filter { !FileManager.default.fileExists(atPath: Self.leaflet.appending(path: $0).path) }
        guard missing.isEmpty else {
            throw EmbedError("Leaflet is missing from \(Self.leaflet.path) (\(missing.joined(separator: ", "))): run `make deps`, or apt-get install libjs-leaflet")
        }
        named += Self.leafletFiles.map { ("dashboard/vendor/leaflet/\($0)", Self.leaflet.appending(path: $0)) }
        let output = context.pluginWorkDirectoryURL.appending(path: "EmbeddedResources.swift")
        let arguments = [output.path] + named.flatMap { [$0.0, $0.1.path] }
        return [
            .buildCommand(
                displayName: "Embedding \(named.count) resource files",
                executable: try context.tool(named: "strike-embed").url,
                arguments: arguments,
                inputFiles: named.map(\.1),
                outputFiles: [output])
        ]
    }

    struct EmbedError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    static func files(under root: URL) -> [URL] {
        guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey]) else { return [] }
        return walker.compactMap { $0 as? URL }
            .filter { (try? $0.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true && !$0.lastPathComponent.hasPrefix(".") }
            .sorted { $0.path < $1.path }
    }

    static func relativePath(of file: URL, under root: URL) -> String {
        String(file.standardizedFileURL.path.dropFirst(root.standardizedFileURL.path.count + 1))
    }
}
