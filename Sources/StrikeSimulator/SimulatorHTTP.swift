import Foundation
import Hummingbird
import HTTPTypes
import StrikeIntegrations

/// What the simulators' handlers share: reading a request as the real services do, and answering in JSON.
enum SimulatorHTTP {
    /// The user and password of an `Authorization: Basic` header.
    static func basicCredentials(_ request: Request) -> (user: String, password: String)? {
        guard let header = request.headers[.authorization], header.hasPrefix("Basic "),
            let decoded = Data(base64Encoded: String(header.dropFirst(6))).map({ String(decoding: $0, as: UTF8.self) }),
            let colon = decoded.firstIndex(of: ":")
        else { return nil }
        return (String(decoded[..<colon]), String(decoded[decoded.index(after: colon)...]))
    }

    static func bearerToken(_ request: Request) -> String? {
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer ") else { return nil }
        return String(header.dropFirst(7))
    }

    /// The body, up to 64 KiB; nil when it is larger.
    static func body(_ request: Request) async -> Data? {
        var request = request
        return try? await Data(buffer: request.collectBody(upTo: 64 << 10))
    }

    /// A form-encoded body by field name (the first value of a repeated one), as Twilio and OAuth send them.
    static func form(_ request: Request) async -> [String: String] {
        Dictionary(FormEncoding.decode(await body(request) ?? Data()), uniquingKeysWith: { first, _ in first })
    }

        static func json(_ status: HTTPResponse.Status, _ object: [String: Any?]) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: object.mapValues { $0 ?? NSNull() }, options: [.sortedKeys])) ?? Data()
        return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(data: data)))
    }

    static func json<T: Encodable>(_ status: HTTPResponse.Status, encoding value: T) -> Response {
        let data = (try? JSONEncoder().encode(value)) ?? Data()
        return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(data: data)))
    }

    /// Random lowercase hex, `bytes` bytes long: tokens and ids.
    static func randomHex(_ bytes: Int) -> String {
        (0..<bytes).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
    }
}
