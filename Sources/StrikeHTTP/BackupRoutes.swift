import Foundation
import Hummingbird
import HTTPTypes
import NIOCore
import StrikeCore
import StrikeStore
import _NIOFileSystem

struct BackupScheduleBody: RequestBody {
    static let fields: Set<String> = ["enabled", "directory", "everyMinutes", "keep"]
    let enabled: Bool
    let directory: String
    let everyMinutes: Int
    let keep: Int
}

/// The appliance's backups, for its owner: the schedule and its outcomes, a backup now, and a download.
struct BackupRoutes {
    let backups: ScheduledBackups

    func register(_ api: APIRouter) {
        api.add(.get, "/api/backups", access: .owner, status)
        api.add(.put, "/api/backups/schedule", access: .owner, setSchedule)
        api.add(.post, "/api/backups", access: .owner, backUpNow)
        api.add(.get, "/api/backup", access: .owner, download)
    }

    @Sendable func status(_ request: Request, _ context: StrikeRequestContext) async throws -> Response {
        try jsonResponse(try await backups.status())
    }

    @Sendable func setSchedule(_ request: Request, _ context: StrikeRequestContext) async throws -> Response {
        let body = try await request.decodeBody(BackupScheduleBody.self, context: context)
        let schedule = BackupSchedule(enabled: body.enabled, directory: body.directory, everyMinutes: body.everyMinutes, keep: body.keep)
        do {
            try await backups.save(schedule, actor: try context.requireCaller().actor)
        } catch let fixed as BackupScheduleFixed {
            throw Problem.conflict(fixed.description)
        }
        return try jsonResponse(try await backups.status())
    }

    /// One backup into the schedule's directory now; its failure is recorded (and shown) as a scheduled one's.
    @Sendable func backUpNow(_ request: Request, _ context: StrikeRequestContext) async throws -> Response {
        do {
            try await backups.runNow()
        } catch {
            throw Problem(.internalServerError, title: "Backup failed", detail: "\(error)")
        }
        return try jsonResponse(try await backups.status(), status: .created)
    }

    /// A consistent, checked copy made while writes go on, streamed from a temporary file that is gone once
    /// the download ends (it is unlinked as soon as it is open). It never holds the key file.
    @Sendable func download(_ request: Request, _ context: StrikeRequestContext) async throws -> Response {
        let taken = backups.store.now()
        let name = "strike-\(FileStamp.of(taken)).db"
        let copy = FileManager.default.temporaryDirectory.appendingPathComponent("strike-download-\(UUID().uuidString).db")
        try await backups.copy(to: copy)
        // Unlinked once open (or when it cannot be opened): the open handle keeps the file for the download.
        defer { try? FileManager.default.removeItem(at: copy) }
        let handle = try await FileSystem.shared.openFile(forReadingAt: FilePath(copy.path))
        let size: Int
        do {
            size = Int(try await handle.info().size)
        } catch {
            try? await handle.close()
            throw error
        }
        let body = ResponseBody(contentLength: size) { writer in
            do {
                for try await chunk in handle.readChunks(chunkLength: .kibibytes(256)) { try await writer.write(chunk) }
                try await handle.close()
            } catch {
                try? await handle.close()
                throw error
            }
            try await writer.finish(nil)
        }
        var headers = HTTPFields()
        headers[.contentType] = "application/vnd.sqlite3"
        headers[.contentDisposition] = "attachment; filename=\"\(name)\""
        headers[.cacheControl] = "no-store"
        return Response(status: .ok, headers: headers, body: body)
    }
}
