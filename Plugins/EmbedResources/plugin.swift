import Foundation
import PackagePlugin

/// Embeds every file under the package's `Resources/` folder into the target as Swift source, so the one
/// `strike` binary serves them from memory wherever it is copied (no bundle beside it).
@main
struct EmbedResources: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: any Target) async throws -> [Command] {
        let root = context.package.directoryURL.appending(path: "Resources")
        let files = Self.files(under: root)
        let output = context.pluginWorkDirectoryURL.appending(path: "EmbeddedResources.swift")
        let arguments = [output.path] + files.flatMap { [Self.relativePath(of: $0, under: root), $0.path] }
        return [
            .buildCommand(
                displayName: "Embedding \(files.count) resource files",
                executable: try context.tool(named: "strike-embed").url,
                arguments: arguments,
                inputFiles: files,
                outputFiles: [output])
        ]
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
