import Foundation
public import Hummingbird
public import StrikeCore

/// An error answer as `application/problem+json` (RFC 9457), with per-field problems for validation.
public struct Problem: HTTPResponseError, Sendable {
    public let status: HTTPResponse.Status
    public let title: String
    public let detail: String?
    public let errors: [FieldProblem]
    public var headers: HTTPFields = [:]

    public init(_ status: HTTPResponse.Status, title: String? = nil, detail: String? = nil, errors: [FieldProblem] = []) {
        self.status = status
        self.title = title ?? status.reasonPhrase
        self.detail = detail
        self.errors = errors
    }

    public static func unauthorized(_ detail: String = "sign in or give an API token") -> Problem {
        Problem(.unauthorized, title: "Authentication required", detail: detail)
    }

    public static func forbidden(_ detail: String) -> Problem { Problem(.forbidden, title: "Not allowed", detail: detail) }
    public static func notFound(_ detail: String = "there is nothing here") -> Problem { Problem(.notFound, title: "Not found", detail: detail) }
    public static func conflict(_ detail: String) -> Problem { Problem(.conflict, title: "Conflict", detail: detail) }

    /// 409: the value of a field that must be unique is already used.
    public static func taken(_ error: FieldProblem) -> Problem {
        Problem(.conflict, title: "Already taken", detail: error.description, errors: [error])
    }

    public static func invalid(_ errors: [FieldProblem]) -> Problem {
        Problem(.unprocessableContent, title: "Invalid request", detail: errors.map(\.description).joined(separator: "; "), errors: errors)
    }

    public static func tooManyRequests(retryAfter seconds: Int, detail: String) -> Problem {
        var problem = Problem(.tooManyRequests, title: "Too many attempts", detail: detail)
        problem.headers[.retryAfter] = String(seconds)
        return problem
    }

    private struct Body: Encodable {
        let type: String
        let title: String
        let status: Int
        let detail: String?
        let errors: [FieldProblem]?
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let body = Body(type: "about:blank", title: title, status: status.code, detail: detail, errors: errors.isEmpty ? nil : errors)
        var headers = self.headers
        headers[.contentType] = "application/problem+json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(data: try EventCoding.encoder().encode(body))))
    }
}
