import Foundation

/// A tenant's own settings (DESIGN §7), every one with a default so a new tenant works at once.
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
    /// How long one contact's call may go without activity before the pager moves on.
    public var contactTimeoutSeconds = 30
    /// How many more times the whole list is called after the first pass ends unaccepted.
    public var listRepeats = 0
    /// How long a completed ECO is still watched for new or reopened field tasks.
    public var gracePeriodHours = 24
    /// A tile server's URL template (`https://tiles.example.net/{z}/{x}/{y}.png`) for sites that host map tiles;
    /// without one the dashboard's maps draw their layers on a plain background.
    public var tileURLTemplate: String?

    public init() {}

    public static let zoomRange = 1...20
    public static let contactTimeoutRange = 10...600
    public static let listRepeatsRange = 0...5
    public static let gracePeriodRange = 1...720

    /// Stored settings missing a field (written before that field existed) take its default.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = TenantSettings()
        mapZoom = try container.decodeIfPresent(MapZoom.self, forKey: .mapZoom) ?? defaults.mapZoom
        mapCenter = try container.decodeIfPresent(MapCenter.self, forKey: .mapCenter) ?? defaults.mapCenter
        contactTimeoutSeconds = try container.decodeIfPresent(Int.self, forKey: .contactTimeoutSeconds) ?? defaults.contactTimeoutSeconds
        listRepeats = try container.decodeIfPresent(Int.self, forKey: .listRepeats) ?? defaults.listRepeats
        gracePeriodHours = try container.decodeIfPresent(Int.self, forKey: .gracePeriodHours) ?? defaults.gracePeriodHours
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
        check(gracePeriodHours, in: Self.gracePeriodRange, "gracePeriodHours")
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
    public var gracePeriodHours: Int?
    /// `.some(nil)` (or an empty template) removes the base map; `nil` leaves it as it is.
    public var tileURLTemplate: String??

    public init(
        mapZoom: TenantSettings.MapZoom? = nil, mapCenter: TenantSettings.MapCenter? = nil, contactTimeoutSeconds: Int? = nil,
        listRepeats: Int? = nil, gracePeriodHours: Int? = nil, tileURLTemplate: String?? = nil
    ) {
        self.mapZoom = mapZoom
        self.mapCenter = mapCenter
        self.contactTimeoutSeconds = contactTimeoutSeconds
        self.listRepeats = listRepeats
        self.gracePeriodHours = gracePeriodHours
        self.tileURLTemplate = tileURLTemplate
    }

    /// The settings with this change made, or the problems that refuse it.
    public func applied(to settings: TenantSettings) throws(DomainError) -> TenantSettings {
        var changed = settings
        if let mapZoom { changed.mapZoom = mapZoom }
        if let mapCenter { changed.mapCenter = mapCenter }
        if let contactTimeoutSeconds { changed.contactTimeoutSeconds = contactTimeoutSeconds }
        if let listRepeats { changed.listRepeats = listRepeats }
        if let gracePeriodHours { changed.gracePeriodHours = gracePeriodHours }
        if let tileURLTemplate {
            let trimmed = tileURLTemplate?.trimmingCharacters(in: .whitespaces)
            changed.tileURLTemplate = trimmed?.isEmpty == false ? trimmed : nil
        }
        let problems = changed.problems()
        guard problems.isEmpty else { throw .invalid(problems) }
        return changed
    }
}
