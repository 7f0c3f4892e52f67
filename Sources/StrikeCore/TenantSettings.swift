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

    public init(
        mapZoom: TenantSettings.MapZoom? = nil, mapCenter: TenantSettings.MapCenter? = nil, contactTimeoutSeconds: Int? = nil,
        listRepeats: Int? = nil, gracePeriodHours: Int? = nil
    ) {
        self.mapZoom = mapZoom
        self.mapCenter = mapCenter
        self.contactTimeoutSeconds = contactTimeoutSeconds
        self.listRepeats = listRepeats
        self.gracePeriodHours = gracePeriodHours
    }

    /// The settings with this change made, or the problems that refuse it.
    public func applied(to settings: TenantSettings) throws(DomainError) -> TenantSettings {
        var changed = settings
        if let mapZoom { changed.mapZoom = mapZoom }
        if let mapCenter { changed.mapCenter = mapCenter }
        if let contactTimeoutSeconds { changed.contactTimeoutSeconds = contactTimeoutSeconds }
        if let listRepeats { changed.listRepeats = listRepeats }
        if let gracePeriodHours { changed.gracePeriodHours = gracePeriodHours }
        let problems = changed.problems()
        guard problems.isEmpty else { throw .invalid(problems) }
        return changed
    }
}
