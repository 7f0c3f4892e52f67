import Foundation
import StrikeStore

/// What the figures were measured on: cores, memory, processor, kernel, SQLite and SpatiaLite, and how many
/// durable writes a second the disk under the workspace takes.
enum BenchMachine {
    static func describe(_ context: BenchContext) async throws -> BenchFigures {
        var machine = BenchFigures()
        machine.set("cores", ProcessInfo.processInfo.activeProcessorCount)
        machine.set("memory_gib", Double(ProcessInfo.processInfo.physicalMemory) / 1_073_741_824)
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let model = cpuinfo.split(separator: "\n").first { $0.hasPrefix("model name") }?.split(separator: ":", maxSplits: 1).last
        machine.set("processor", model.map { $0.trimmingCharacters(in: .whitespaces) } ?? "unknown")
        machine.set("kernel", ProcessInfo.processInfo.operatingSystemVersionString)
        let store = try StrikeStore(path: context.file("versions.db"))
        let versions = try await store.versions()
        machine.set("sqlite", versions.sqlite)
        machine.set("spatialite", versions.spatialite)
        machine.set("disk_syncs_per_s", try await syncRate(at: context.file("sync-probe"), for: context.size == .tiny ? 0.2 : 2))
        return machine
    }

    /// Rewrites one 4 KiB block and `fdatasync`s it, as a WAL commit does, for `seconds`: the syncs a second.
    /// It blocks its thread by design, so it runs on a thread of its own, not on the cooperative pool.
    private static func syncRate(at path: String, for seconds: Double) async throws -> Double {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                let descriptor = open(path, O_CREAT | O_WRONLY, 0o600)
                guard descriptor >= 0 else { return continuation.resume(throwing: CocoaError(.fileWriteUnknown)) }
                defer {
                    close(descriptor)
                    unlink(path)
                }
                let block = [UInt8](repeating: 0x5a, count: 4096)
                let started = Date()
                var syncs = 0
                while Date().timeIntervalSince(started) < seconds {
                    _ = pwrite(descriptor, block, block.count, 0)
                    fdatasync(descriptor)
                    syncs += 1
                }
                continuation.resume(returning: Double(syncs) / Date().timeIntervalSince(started))
            }
        }
    }
}
