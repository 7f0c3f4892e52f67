import Foundation

/// A tenant's own settings (DESIGN §7), every one with a default so a new tenant works at once. The map's act
/// for every tenant; the paging settings act only for an OSP (its lists are paged); what follows the field work
/// (polling, inactivity, grace, project, task type) belongs to the OSP's Render instance, not here.
public struct TenantSettings: Codable, Sendable, Equatable {
    /// Initial map zoom for the create form, one ECO's view and the list (the board).
    public struct MapZoom: Codable, Sendable, Equatable {
        public var create: Int
        public var view: Int
        public var list: Int

        public init(create: Int, view: Int, list: Int) {
            self.create = create
            self.view = view
            self.list = list
        }
    }

    public struct MapCenter: Codable, Sendable, Equatable {
        public var longitude: Double
        public var latitude: Double

        public init(longitude: Double, latitude: Double) {
            self.longitude = longitude
            self.latitude = latitude
        }
    }

    public var mapZoom = MapZoom(create: 3, view: 15, list: 3)
    public var mapCenter = MapCenter(longitude: 0, latitude: 20)
    /// How long one contact's call may go without activity before the pager moves on. OSP only.
    public var contactTimeoutSeconds = 30
    /// How many more times the whole list is called after the first pass ends unaccepted. OSP only.
    public var listRepeats = 0
    /// An accepted callout whose field has not moved after this long needs a person. OSP only.
    public var acceptanceTimeoutMinutes = 60
    /// Whether the pager list is run again when the acceptance timeout passes. OSP only.
    public var repageOnAcceptanceTimeout = false
    /// Paging still running after this long needs a person. OSP only.
    public var pagingAlertMinutes = 15
    /// A tile server's URL template (`https://tiles.example.net/{z}/{x}/{y}.png`) for sites that host map tiles;
    /// without one the dashboard's maps draw their layers on a plain background.
    public var tileURLTemplate: String?

    public init() {}

    public static let zoomRange = 1...20
    public static let contactTimeoutRange = 10...600
    public static let listRepeatsRange = 0...5
    public static let acceptanceTimeoutRange = 5...1440
    public static let pagingAlertRange = 1...240

    /// The settings that act only for an OSP: the paging of its lists.
    public static let pagingFields: Set<String> = [
        "contactTimeoutSeconds", "listRepeats", "acceptanceTimeoutMinutes", "repageOnAcceptanceTimeout", "pagingAlertMinutes",
    ]

    /// Stored settings missing a field (written before that field existed) take its default.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = TenantSettings()
        mapZoom = try container.decodeIfPresent(MapZoom.self, forKey: .mapZoom) ?? defaults.mapZoom
        mapCenter = try container.decodeIfPresent(MapCenter.self, forKey: .mapCenter) ?? defaults.mapCenter
        contactTimeoutSeconds = try container.decodeIfPresent(Int.self, forKey: .contactTimeoutSeconds) ?? defaults.contactTimeoutSeconds
        listRepeats = try container.decodeIfPresent(Int.self, forKey: .listRepeats) ?? defaults.listRepeats
        acceptanceTimeoutMinutes = try container.decodeIfPresent(Int.self, forKey: .acceptanceTimeoutMinutes) ?? defaults.acceptanceTimeoutMinutes
        repageOnAcceptanceTimeout = try container.decodeIfPresent(Bool.self, forKey: .repageOnAcceptanceTimeout) ?? defaults.repageOnAcceptanceTimeout
        pagingAlertMinutes = try container.decodeIfPresent(Int.self, forKey: .pagingAlertMinutes) ?? defaults.pagingAlertMinutes
        tileURLTemplate = try container.decodeIfPresent(String.self, forKey: .tileURLTemplate)
    }

    /// Where the tiles come from, as a Content-Security-Policy source: `https://tiles.example.net`, or
    /// `https://*.tile.example.org` for a template whose first host label is Leaflet's `{s}` subdomain.
    /// `nil` when there is no template or it is not a usable http(s) template.
    public var tileOrigin: String? {
        guard let template = tileURLTemplate, let schemeEnd = template.range(of: "://") else { return nil }
        let scheme = template[..<schemeEnd.lowerBound].lowercased()
        let authority = template[schemeEnd.upperBound...].prefix { $0 != "/" }
        let subdomains = authority.hasPrefix("{s}.")
        let host = subdomains ? authority.dropFirst(4) : authority
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:")
        guard ["http", "https"].contains(scheme), host.first?.isLetter == true || host.first?.isNumber == true, host.allSatisfy(allowed.contains)
        else { return nil }
        return "\(scheme)://\(subdomains ? "*." : "")\(host.lowercased())"
    }

    /// Every value out of its range, named by field.
    public func problems() -> [FieldProblem] {
        var problems: [FieldProblem] = []
        func check(_ value: Int, in range: ClosedRange<Int>, _ field: String) {
            if !range.contains(value) {
                problems.append(FieldProblem(field: field, message: "must be \(range.lowerBound) to \(range.upperBound)"))
            }
        }
        check(mapZoom.create, in: Self.zoomRange, "mapZoom.create")
        check(mapZoom.view, in: Self.zoomRange, "mapZoom.view")
        check(mapZoom.list, in: Self.zoomRange, "mapZoom.list")
        do {
            _ = try Position(longitude: mapCenter.longitude, latitude: mapCenter.latitude).validated()
        } catch {
            problems.append(FieldProblem(field: "mapCenter", message: error.description))
        }
        check(contactTimeoutSeconds, in: Self.contactTimeoutRange, "contactTimeoutSeconds")
        check(listRepeats, in: Self.listRepeatsRange, "listRepeats")
        check(acceptanceTimeoutMinutes, in: Self.acceptanceTimeoutRange, "acceptanceTimeoutMinutes")
        check(pagingAlertMinutes, in: Self.pagingAlertRange, "pagingAlertMinutes")
        if let template = tileURLTemplate {
            let placeholders = ["{z}", "{x}", "{y}"].allSatisfy(template.contains)
            if template.count > 500 || tileOrigin == nil || !placeholders {
                problems.append(
                    FieldProblem(field: "tileURLTemplate", message: "must be an http or https URL of at most 500 characters with {z}, {x} and {y}"))
            }
        }
        return problems
    }
}

/// A change to some of a tenant's settings; what is absent stays as it is.
public struct TenantSettingsChange: Sendable, Equatable {
    public var mapZoom: TenantSettings.MapZoom?
    public var mapCenter: TenantSettings.MapCenter?
    public var contactTimeoutSeconds: Int?
    public var listRepeats: Int?
    public var acceptanceTimeoutMinutes: Int?
    public var repageOnAcceptanceTimeout: Bool?
    public var pagingAlertMinutes: Int?
    /// `.some(nil)` (or an empty template) removes the base map; `nil` leaves it as it is.
    public var tileURLTemplate: String??

    public init(
        mapZoom: TenantSettings.MapZoom? = nil, mapCenter: TenantSettings.MapCenter? = nil, contactTimeoutSeconds: Int? = nil,
        listRepeats: Int? = nil, acceptanceTimeoutMinutes: Int? = nil, repageOnAcceptanceTimeout: Bool? = nil,
        pagingAlertMinutes: Int? = nil, tileURLTemplate: String?? = nil
    ) {
        self.mapZoom = mapZoom
        self.mapCenter = mapCenter
        self.contactTimeoutSeconds = contactTimeoutSeconds
        self.listRepeats = listRepeats
        self.acceptanceTimeoutMinutes = acceptanceTimeoutMinutes
        self.repageOnAcceptanceTimeout = repageOnAcceptanceTimeout
        self.pagingAlertMinutes = pagingAlertMinutes
        self.tileURLTemplate = tileURLTemplate
    }

    /// The paging fields this change sets.
    var pagingFieldsSet: [String] {
        let set: [(String, Bool)] = [
            ("contactTimeoutSeconds", contactTimeoutSeconds != nil), ("listRepeats", listRepeats != nil),
            ("acceptanceTimeoutMinutes", acceptanceTimeoutMinutes != nil), ("repageOnAcceptanceTimeout", repageOnAcceptanceTimeout != nil),
            ("pagingAlertMinutes", pagingAlertMinutes != nil),
        ]
        return set.filter(\.1).map(\.0)
    }

    /// The settings of a tenant of `kind` with this change made, or the problems that refuse it: out of range,
    /// or a paging setting for a NOC, where it would do nothing.
    public func applied(to settings: TenantSettings, kind: TenantKind) throws(DomainError) -> TenantSettings {
        if kind == .noc, !pagingFieldsSet.isEmpty {
            throw .invalid(pagingFieldsSet.map { FieldProblem(field: $0, message: "is an OSP's paging setting and does nothing for a NOC") })
        }
        var changed = settings
        if let mapZoom { changed.mapZoom = mapZoom }
        if let mapCenter { changed.mapCenter = mapCenter }
        if let contactTimeoutSeconds { changed.contactTimeoutSeconds = contactTimeoutSeconds }
        if let listRepeats { changed.listRepeats = listRepeats }
        if let acceptanceTimeoutMinutes { changed.acceptanceTimeoutMinutes = acceptanceTimeoutMinutes }
        if let repageOnAcceptanceTimeout { changed.repageOnAcceptanceTimeout = repageOnAcceptanceTimeout }
        if let pagingAlertMinutes { changed.pagingAlertMinutes = pagingAlertMinutes }
        if let tileURLTemplate {
            let trimmed = tileURLTemplate?.trimmingCharacters(in: .whitespaces)
            changed.tileURLTemplate = trimmed?.isEmpty == false ? trimmed : nil
        }
        let problems = changed.problems()
        guard problems.isEmpty else { throw .invalid(problems) }
        return changed
    }
}
