import Foundation
public import Hummingbird
import Logging
import StrikeCore
import StrikeStore

/// Turns every error a route throws into a problem answer; nothing internal reaches the client.
public struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let problem as Problem {
            throw problem
        } catch let error as DomainError {
            throw Self.problem(for: error)
        } catch let conflict as VersionConflict {
            throw Problem.conflict(conflict.description)
        } catch let error as StoreError where error.isLinkNotActive || error.isNotAnOSP {
            throw Problem.invalid([FieldProblem(field: "ospTenantID", message: error.description)])
        } catch let error as StoreError where error.isUnknownTenant {
            throw Problem.invalid([FieldProblem(field: "tenant", message: error.description)])
        } catch let error as AccountError {
            throw Self.problem(for: error)
        } catch let error as HTTPError {
            throw Problem(error.status, detail: error.body ?? error.status.reasonPhrase)
        } catch let error as any HTTPResponseError {
            throw Problem(error.status)
        } catch {
            context.logger.error("request failed", metadata: ["path": "\(request.uri.path)", "error": "\(error)"])
            throw Problem(.internalServerError, title: "Internal error", detail: "the appliance could not answer; the error is in its log")
        }
    }

    static func problem(for error: AccountError) -> Problem {
        switch error.code {
        case .usernameTaken, .alreadyMember: .taken(FieldProblem(field: "username", message: error.description))
        case .lastAdmin, .lastOwner: .conflict(error.description)
        case .unknownUser: .notFound(error.description)
        // Setup closes for good once an owner exists, even when two requests race for it.
        case .ownerExists: .notFound()
        }
    }

    static func problem(for error: DomainError) -> Problem {
        switch error {
        case .invalid(let problems): .invalid(problems)
        case .taken(let problem): .taken(problem)
        case .notFound: .notFound()
        case .alreadyExists, .invalidStatusTransition, .invalidIntegrationTransition, .ecoClosed, .nothingToRetry,
            .pagerRunAlreadyStarted, .pagerRunAlreadyCompleted, .pagerRunNotStarted, .ecoCompleted, .nothingNeedsAttention,
            .alreadyAcknowledged, .interventionRefused:
            .conflict(error.description)
        default: .invalid([FieldProblem(field: "request", message: error.description)])
        }
    }
}
