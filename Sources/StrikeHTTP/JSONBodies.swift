import Foundation
public import Hummingbird
import StrikeCore

/// A request body type that names its fields, so unknown ones are refused instead of ignored.
/// Fields of nested objects are named by path: `mapZoom.create`, `contacts[].phone`. An object field with no
/// nested names listed (a GeoJSON geometry) is taken whole.
public protocol RequestBody: Decodable, Sendable {
    static var fields: Set<String> { get }
}

extension Request {
    /// Reads a JSON body: 415 for another content type, 413 when too large, 400 for malformed JSON,
    /// 422 naming each unknown, missing or mistyped field.
    public func decodeBody<Body: RequestBody>(_: Body.Type, context: StrikeRequestContext) async throws -> Body {
        let (data, dictionary) = try await collectJSONObject(upTo: context.maxUploadSize)
        let unknown = Self.unknownFields(in: dictionary, allowed: Body.fields).sorted()
        guard unknown.isEmpty else {
            throw Problem.invalid(unknown.map { FieldProblem(field: $0, message: "is not a field of this request") })
        }
        do {
            return try JSONDecoder().decode(Body.self, from: data)
        } catch DecodingError.keyNotFound(let key, let detail) {
            throw Problem.invalid([FieldProblem(field: Self.path(detail.codingPath + [key]), message: "is required")])
        } catch DecodingError.typeMismatch(let type, let detail) {
            throw Problem.invalid([FieldProblem(field: Self.path(detail.codingPath), message: "must be \(Self.describe(type))")])
        } catch DecodingError.valueNotFound(let type, let detail) {
            throw Problem.invalid([FieldProblem(field: Self.path(detail.codingPath), message: "must be \(Self.describe(type)), not null")])
        } catch DecodingError.dataCorrupted(let detail) {
            throw Problem.invalid([FieldProblem(field: Self.path(detail.codingPath), message: detail.debugDescription)])
        }
    }

    /// Reads a body that must be one JSON object: 415 for another content type, 413 when larger than `limit`,
    /// 400 when it is not a JSON object.
    func collectJSONObject(
        upTo limit: Int, accepting types: [String] = ["application/json"]
    ) async throws -> (data: Data, object: [String: Any]) {
        let data = try await collectBody(upTo: limit, accepting: types)
        guard let object = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) else {
            throw Problem(.badRequest, title: "Malformed JSON", detail: "the body is not valid JSON")
        }
        guard let dictionary = object as? [String: Any] else {
            throw Problem(.badRequest, title: "Malformed JSON", detail: "the body must be a JSON object")
        }
        return (data, dictionary)
    }

    /// The whole body: 415 unless its content type is one of `types`, 413 when larger than `limit`.
    func collectBody(upTo limit: Int, accepting types: [String]) async throws -> Data {
        let type = headers[.contentType]?.lowercased() ?? ""
        guard types.contains(where: { type.hasPrefix($0) }) else {
            throw Problem(.unsupportedMediaType, detail: "send the body as \(types.joined(separator: " or "))")
        }
        var request = self
        do {
            return Data(buffer: try await request.collectBody(upTo: limit))
        } catch {
            throw Problem(.contentTooLarge, detail: "the body is larger than \(limit) bytes")
        }
    }

    /// Every key not named by `allowed`, as a path with array indexes (`contacts[2].nickname`).
    static func unknownFields(in object: [String: Any], allowed: Set<String>, pattern: String = "", shown: String = "") -> [String] {
        object.flatMap { key, value -> [String] in
            let keyPattern = pattern + key, keyShown = shown + key
            guard allowed.contains(keyPattern) else { return [keyShown] }
            if let child = value as? [String: Any], allowed.contains(where: { $0.hasPrefix(keyPattern + ".") }) {
                return unknownFields(in: child, allowed: allowed, pattern: keyPattern + ".", shown: keyShown + ".")
            }
            if let elements = value as? [Any], allowed.contains(where: { $0.hasPrefix(keyPattern + "[].") }) {
                return elements.enumerated().flatMap { index, element -> [String] in
                    guard let child = element as? [String: Any] else { return [] }
                    return unknownFields(in: child, allowed: allowed, pattern: keyPattern + "[].", shown: keyShown + "[\(index)].")
                }
            }
            return []
        }
    }

    private static func path(_ keys: [any CodingKey]) -> String {
        keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".").replacingOccurrences(of: ".[", with: "[")
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type, is Double.Type: "a number"
        case is Bool.Type: "true or false"
        default: "\(type)"
        }
    }
}

/// A JSON answer with sorted keys and ISO 8601 dates.
public func jsonResponse(_ value: some Encodable, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) throws -> Response {
    var headers = headers
    headers[.contentType] = "application/json"
    headers[.cacheControl] = "no-store"
    let body = if let view = value as? any JSONFragmentView {
        ByteBuffer(bytes: view.fragment.json)
    } else {
        ByteBuffer(data: try EventCoding.encoder().encode(value))
    }
    return Response(status: status, headers: headers, body: .init(byteBuffer: body))
}

extension Request {
    /// The query's parameters as a browser's form encoding means them: `+` is a space (`Needs+escalation`), and
    /// `%2B` a plus. The first value of a repeated name counts.
    var formQuery: [String: String] {
        var parameters: [String: String] = [:]
        for pair in (uri.query ?? "").split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decoded(_ text: Substring) -> String {
                let spaced = text.replacingOccurrences(of: "+", with: " ")
                return spaced.removingPercentEncoding ?? spaced
            }
            let name = decoded(parts[0])
            if parameters[name] == nil { parameters[name] = parts.count > 1 ? decoded(parts[1]) : "" }
        }
        return parameters
    }
}
