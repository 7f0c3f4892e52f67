import Crypto
public import Foundation

/// Seals secrets (Render client secrets, Twilio auth tokens) for storage, DESIGN §8: each secret is encrypted
/// with its own random data key (AES-256-GCM), and that data key is encrypted with the master key from the key
/// file. A copy of the database without the key file holds no readable secret.
public struct SecretBox: Sendable {
    private let masterKey: SymmetricKey

    /// Sealed layout: a format byte, the wrapped data key (nonce, 32-byte key, tag), then the sealed secret.
    private static let format: UInt8 = 1
    private static let wrappedKeyLength = 12 + 32 + 16

    public init(masterKeyBytes: Data) throws(KeyFileError) {
        guard masterKeyBytes.count == 32 else { throw .wrongLength(masterKeyBytes.count) }
        masterKey = SymmetricKey(data: masterKeyBytes)
    }

    /// A box with a fresh random master key (tests, and the key file's first start).
    public static func random() -> SecretBox {
        try! SecretBox(masterKeyBytes: SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) })
    }

    public func seal(_ secret: String) throws -> Data {
        let dataKey = SymmetricKey(size: .bits256)
        let wrapped = try AES.GCM.seal(dataKey.withUnsafeBytes { Data($0) }, using: masterKey).combined!
        let sealed = try AES.GCM.seal(Data(secret.utf8), using: dataKey).combined!
        return Data([Self.format]) + wrapped + sealed
    }

    public func open(_ sealed: Data) throws(SecretError) -> String {
        let bytes = Data(sealed)
        guard bytes.count > 1 + Self.wrappedKeyLength, bytes.first == Self.format else { throw .unreadable }
        let wrapped = bytes.dropFirst().prefix(Self.wrappedKeyLength)
        let body = bytes.dropFirst(1 + Self.wrappedKeyLength)
        let plain: Data
        do {
            let dataKey = SymmetricKey(data: try AES.GCM.open(AES.GCM.SealedBox(combined: wrapped), using: masterKey))
            plain = try AES.GCM.open(AES.GCM.SealedBox(combined: body), using: dataKey)
        } catch {
            throw .wrongKey
        }
        guard let secret = String(data: plain, encoding: .utf8) else { throw .unreadable }
        return secret
    }
}

public enum SecretError: Error, Equatable, Sendable, CustomStringConvertible {
    case unreadable
    case wrongKey
    case noKey

    public var description: String {
        switch self {
        case .unreadable: "a stored secret is damaged"
        case .wrongKey: "a stored secret does not open with this key file: is it the key file that was beside this database?"
        case .noKey: "this store was opened without a key file, so secrets can be neither written nor read"
        }
    }
}

/// The master key file: 32 random bytes, base64 on one line, readable by its owner only.
public enum KeyFile {
    /// Reads the key file, or makes it (mode 0600) when it does not exist yet.
    public static func loadOrCreate(at path: String) throws(KeyFileError) -> SecretBox {
        if FileManager.default.fileExists(atPath: path) { return try load(at: path) }
        let key = SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard descriptor >= 0 else { throw .cannotCreate(path, String(cString: strerror(errno))) }
        let line = Array((key.base64EncodedString() + "\n").utf8)
        let written = line.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        let synced = fsync(descriptor)
        close(descriptor)
        guard written == line.count, synced == 0 else {
            unlink(path)
            throw .cannotCreate(path, "the key could not be written")
        }
        return try SecretBox(masterKeyBytes: key)
    }

    /// The key file for a database that already holds `sealed` secrets: it must exist and open them, since a
    /// new key would leave every stored secret unreadable. For a database that holds none, as `loadOrCreate(at:)`.
    public static func loadOrCreate(at path: String, opening sealed: [Data], database: String) throws(KeyFileError) -> SecretBox {
        guard !sealed.isEmpty else { return try loadOrCreate(at: path) }
        guard FileManager.default.fileExists(atPath: path) else { throw .missing(path, database: database) }
        let box = try load(at: path)
        // One secret that opens proves the key; a damaged secret fails the same way a wrong key does.
        guard sealed.contains(where: { (try? box.open($0)) != nil }) else { throw .notThisDatabasesKey(path, database: database) }
        return box
    }

    static func load(at path: String) throws(KeyFileError) -> SecretBox {
        var status = stat()
        guard stat(path, &status) == 0 else { throw .cannotRead(path, String(cString: strerror(errno))) }
        guard status.st_mode & 0o077 == 0 else { throw .tooOpen(path, mode: status.st_mode & 0o777) }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw .cannotRead(path, "not a text file") }
        guard let key = Data(base64Encoded: text.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw .notAKey(path)
        }
        return try SecretBox(masterKeyBytes: key)
    }
}

public enum KeyFileError: Error, Equatable, Sendable, CustomStringConvertible {
    case cannotCreate(String, String)
    case cannotRead(String, String)
    case tooOpen(String, mode: mode_t)
    case notAKey(String)
    case wrongLength(Int)
    case missing(String, database: String)
    case notThisDatabasesKey(String, database: String)

    public var description: String {
        switch self {
        case .cannotCreate(let path, let reason): "the key file \(path) could not be created: \(reason)"
        case .cannotRead(let path, let reason): "the key file \(path) could not be read: \(reason)"
        case .tooOpen(let path, let mode):
            "the key file \(path) may be read by others (mode \(String(mode, radix: 8))): run chmod 600 \(path)"
        case .notAKey(let path): "the key file \(path) does not hold a base64 key"
        case .wrongLength(let count): "a master key must be 32 bytes, this one is \(count)"
        case .missing(let path, let database):
            "the key file \(path) is missing, but the database \(database) holds Render or Twilio secrets sealed with it: "
                + Self.restoreAdvice(path)
        case .notThisDatabasesKey(let path, let database):
            "the key file \(path) does not open the Render or Twilio secrets sealed in the database \(database): "
                + Self.restoreAdvice(path)
        }
    }

    /// What to do when the key file does not match the database: only the original key opens its secrets.
    private static func restoreAdvice(_ path: String) -> String {
        "it must be the key file made with this database. Restore that key file from backup to \(path) "
            + "(or name it with --key-file or STRIKE_KEY_FILE) and start again; the appliance does not start, "
            + "and makes no new key, until then"
    }
}
