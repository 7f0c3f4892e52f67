public import Foundation
public import StrikeCore
public import StrikeRuntime

/// Where and as whom the appliance reaches one OSP's Render instance (or the simulator).
public struct RenderCredentials: Sendable, Equatable {
    /// Keys the token cache: one token per instance.
    public var instanceKey: String
    public var baseURL: URL
    public var clientID: String
    public var clientSecret: String
    public var projectID: String

    public init(instanceKey: String, baseURL: URL, clientID: String, clientSecret: String, projectID: String) {
        self.instanceKey = instanceKey
        self.baseURL = baseURL
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.projectID = projectID
    }
}

/// A task as Render answers it (docs/render-api.md).
public struct RenderTask: Codable, Sendable, Equatable {
    public var id: String
    public var subsector: String
    public var taskType: String
    public var status: RenderTaskStatus
    public var description: String?
    public var externalReference: String?
    public var assignee: String?
    public var updatedAt: String?

    public init(
        id: String, subsector: String, taskType: String, status: RenderTaskStatus, description: String? = nil,
        externalReference: String? = nil, assignee: String? = nil, updatedAt: String? = nil
    ) {
        self.id = id
        self.subsector = subsector
        self.taskType = taskType
        self.status = status
        self.description = description
        self.externalReference = externalReference
        self.assignee = assignee
        self.updatedAt = updatedAt
    }
}

/// The answer to listing a subsector (docs/render-api.md): `{"tasks": [...]}`.
public struct RenderTaskList: Codable, Sendable, Equatable {
    public var tasks: [RenderTask]

    public init(tasks: [RenderTask]) { self.tasks = tasks }
}

/// What the appliance asks Render to create for an ECO.
public struct NewRenderTask: Sendable, Equatable {
    public var subsector: String
    public var taskType: String
    public var description: String
    public var location: EcoLocation
    /// Our ECO id, so a task found in Render can be traced back.
    public var externalReference: String

    public init(subsector: String, taskType: String, description: String, location: EcoLocation, externalReference: String) {
        self.subsector = subsector
        self.taskType = taskType
        self.description = description
        self.location = location
        self.externalReference = externalReference
    }
}

/// Why a Render call failed, in words an operator understands.
public enum RenderError: Error, Equatable, Sendable, CustomStringConvertible {
    case unauthorized
    case tokenRefused(status: Int, detail: String)
    case rejected(status: Int, detail: String)
    case unavailable(status: Int)
    case unreachable(String)
    case malformedAnswer(String)

    public var description: String {
        switch self {
        case .unauthorized: "Render refused the appliance's credentials even with a fresh token"
        case .tokenRefused(let status, let detail): "Render refused the client credentials (HTTP \(status)): \(detail)"
        case .rejected(let status, let detail): "Render refused the request (HTTP \(status)): \(detail)"
        case .unavailable(let status): "Render is not answering normally (HTTP \(status))"
        case .unreachable(let detail): "Render could not be reached: \(detail)"
        case .malformedAnswer(let detail): "Render's answer could not be read: \(detail)"
        }
    }

    /// Worth trying again after a pause: Render's trouble, not our request's.
    public var isTransient: Bool {
        switch self {
        case .unavailable, .unreachable: true
        default: false
        }
    }
}

/// The Render API client (DESIGN §5): OAuth2 client credentials with a per-instance token cache shared by
/// every caller, and a 401 answered by one refresh and one retry. Each call is tried once otherwise: whether
/// and when to try again is the caller's to say (the Render integration backs off, the poller polls again),
/// so a request is never retried by two layers at once.
public struct RenderClient: Sendable {
    let transport: any HTTPTransport
    let tokens: RenderTokenCache

    public init(transport: any HTTPTransport, clock: ApplianceClock = .system) {
        self.transport = transport
        self.tokens = RenderTokenCache(transport: transport, clock: clock)
    }

    /// Creates a task in the instance's project. A caller trying again after a lost answer looks for the
    /// subsector's task first, so a task is never made twice.
    public func createTask(_ task: NewRenderTask, on instance: RenderCredentials) async throws -> RenderTask {
        let body = try EventCoding.encoder().encode(CreateTaskBody(task))
        let response = try await authorized(on: instance) { token in
            OutboundRequest(
                method: "POST", url: Self.tasksURL(instance), headers: Self.headers(token, json: true), body: body)
        }
        return try Self.decode(RenderTask.self, response.body)
    }

    /// Every task of a subsector, in Render's order.
    public func tasks(inSubsector subsector: String, on instance: RenderCredentials) async throws -> [RenderTask] {
        var components = URLComponents(url: Self.tasksURL(instance), resolvingAgainstBaseURL: false)!
        components.queryItems = [URLQueryItem(name: "subsector", value: subsector)]
        let url = components.url!
        let response = try await authorized(on: instance) { token in
            OutboundRequest(method: "GET", url: url, headers: Self.headers(token, json: false))
        }
        return try Self.decode(RenderTaskList.self, response.body).tasks
    }

    private func authorized(
        on instance: RenderCredentials, _ request: @escaping @Sendable (String) -> OutboundRequest
    ) async throws -> InboundResponse {
        WorkerProgress.report()
        let token = try await tokens.token(for: instance)
        var response = try await send(request(token))
        if response.status == 401 {
            let fresh = try await tokens.refresh(for: instance, replacing: token)
            response = try await send(request(fresh))
            if response.status == 401 { throw RenderError.unauthorized }
        }
        switch response.status {
        case 200...299: return response
        case 500...599: throw RenderError.unavailable(status: response.status)
        default: throw RenderError.rejected(status: response.status, detail: Self.detail(response.body))
        }
    }

    private func send(_ request: OutboundRequest) async throws -> InboundResponse {
        do {
            return try await transport.send(request)
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw RenderError.unreachable("\(error)")
        }
    }

    static func tasksURL(_ instance: RenderCredentials) -> URL {
        instance.baseURL.appending(path: "projects").appending(path: instance.projectID).appending(path: "tasks")
    }

    private static func headers(_ token: String, json: Bool) -> [String: String] {
        var headers = ["Authorization": "Bearer \(token)", "Accept": "application/json"]
        if json { headers["Content-Type"] = "application/json" }
        return headers
    }

    static func decode<T: Decodable>(_ type: T.Type, _ body: Data) throws -> T {
        do {
            return try JSONDecoder().decode(T.self, from: body)
        } catch {
            throw RenderError.malformedAnswer("\(error)")
        }
    }

    /// Render's error text (`{"error": …, "message": …}`), or the start of the body.
    static func detail(_ body: Data) -> String {
        if let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any] {
            if let message = object["message"] as? String ?? object["error_description"] as? String ?? object["error"] as? String {
                return message
            }
        }
        return String(decoding: body.prefix(200), as: UTF8.self)
    }

    private struct CreateTaskBody: Encodable {
        let subsector: String
        let taskType: String
        let description: String
        let geometry: EcoLocation
        let externalReference: String

        init(_ task: NewRenderTask) {
            subsector = task.subsector
            taskType = task.taskType
            description = task.description
            geometry = task.location
            externalReference = task.externalReference
        }
    }
}
