import Foundation

/// What an operator submits to open an ECO, before the appliance gives it an id and a job number.
public struct EcoDraft: Sendable, Equatable {
    public var location: EcoLocation
    public var jobType: JobType
    public var description: String
    public var nocTenantID: TenantID
    public var ospTenantID: TenantID
    public var attachments: [String]

    public init(
        location: EcoLocation, jobType: JobType, description: String, nocTenantID: TenantID,
        ospTenantID: TenantID, attachments: [String] = []
    ) {
        self.location = location
        self.jobType = jobType
        self.description = description
        self.nocTenantID = nocTenantID
        self.ospTenantID = ospTenantID
        self.attachments = attachments
    }

    public static let maxDescriptionLength = 4000
    public static let maxAttachments = 20

    /// The draft with its description trimmed, or every problem found at once.
    public func validated() throws(DomainError) -> EcoDraft {
        var problems: [FieldProblem] = []
        var checked = self
        do {
            checked.location = try location.validated()
        } catch {
            problems.append(FieldProblem(field: "location", message: error.description))
        }
        checked.description = description.trimmingCharacters(in: .whitespacesAndNewlines)
        if let problem = Self.descriptionProblem(checked.description) { problems.append(problem) }
        if nocTenantID.rawValue.isEmpty { problems.append(FieldProblem(field: "nocTenantID", message: "is required")) }
        if ospTenantID.rawValue.isEmpty { problems.append(FieldProblem(field: "ospTenantID", message: "is required")) }
        if !nocTenantID.rawValue.isEmpty, nocTenantID == ospTenantID {
            problems.append(FieldProblem(field: "ospTenantID", message: "must differ from the NOC tenant"))
        }
        if attachments.count > Self.maxAttachments {
            problems.append(FieldProblem(field: "attachments", message: "at most \(Self.maxAttachments) are allowed"))
        }
        for (index, attachment) in attachments.enumerated() where attachment.isEmpty || attachment.count > 2048 {
            problems.append(FieldProblem(field: "attachments[\(index)]", message: "must be 1 to 2048 characters"))
        }
        guard problems.isEmpty else { throw .invalid(problems) }
        return checked
    }

    static func descriptionProblem(_ trimmed: String) -> FieldProblem? {
        guard trimmed.isEmpty || trimmed.count > maxDescriptionLength else { return nil }
        return FieldProblem(field: "description", message: "must be 1 to \(maxDescriptionLength) characters after trimming")
    }
}

/// A validated draft with the id and job id the store allocated for it.
public struct NewEco: Sendable, Equatable {
    public let ecoID: EcoID
    public let draft: EcoDraft
    public let jobID: JobID

    public init(ecoID: EcoID, draft: EcoDraft, jobID: JobID) throws(DomainError) {
        self.ecoID = ecoID
        self.draft = try draft.validated()
        self.jobID = jobID
    }

    var event: EcoCreated {
        EcoCreated(
            ecoID: ecoID, nocTenantID: draft.nocTenantID, ospTenantID: draft.ospTenantID, jobID: jobID,
            jobType: draft.jobType, description: draft.description, location: draft.location,
            attachments: draft.attachments)
    }
}

/// An operator's edit of an ECO; absent fields stay as they are.
public struct EcoDetailsChange: Sendable, Equatable {
    public var jobType: JobType?
    public var description: String?
    public var location: EcoLocation?

    public init(jobType: JobType? = nil, description: String? = nil, location: EcoLocation? = nil) {
        self.jobType = jobType
        self.description = description
        self.location = location
    }

    func validated() throws(DomainError) -> EcoDetailsChange {
        var problems: [FieldProblem] = []
        var checked = self
        if let location {
            do {
                checked.location = try location.validated()
            } catch {
                problems.append(FieldProblem(field: "location", message: error.description))
            }
        }
        if let description {
            let trimmed = description.trimmingCharacters(in: .whitespacesAndNewlines)
            checked.description = trimmed
            if let problem = EcoDraft.descriptionProblem(trimmed) { problems.append(problem) }
        }
        guard problems.isEmpty else { throw .invalid(problems) }
        return checked
    }
}
