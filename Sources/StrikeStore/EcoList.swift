import GRDB
import StrikeCore

/// One page of `GET /api/ecos` as SQL: the tenant's ECOs that pass every filter, newest first (`created_at`,
/// then `eco_id`), after the cursor's position, `count` of them.
///
/// Each filter is served by an index of its own (`EcoSearch.filterIndexes`, per NOC and per OSP side), read
/// newest first, so a page stops after `count` matching rows. The text `q` is a substring of the job id or the
/// description, letter case ignored for ASCII, as `LIKE '%q%'` has always found it:
/// - a text of three characters or more: first the newest `walkBeforeSearch` rows of the other filters are
///   read and matched row by row (a common text fills the page there); if that does not fill it, the trigram
///   index (with the ECOs not yet indexed) names every candidate, the candidates are ordered by the search
///   keys alone, and their rows are read newest first until the page is full. Every row is still checked
///   with `LIKE`: the index is a superset (it also folds non-ASCII case), never the judge.
/// - a text of one or two characters: too short for trigrams, matched row by row along the newest-first
///   index, as before; the answer is the same, only its cost is not bounded by the index.
struct EcoList {
    let visibility: Visibility
    let filter: EcoFilter
    /// The last item of the previous page: `created_at` and `eco_id`.
    let after: (createdAt: String, ecoID: String)?
    /// Rows wanted: the page and one more, to know whether there is a next page.
    let count: Int

    /// How many rows, newest first, a text search matches one by one before it asks the trigram index.
    static let walkBeforeSearch = 1000

    func fetch(_ db: Database) throws -> [EcoRecord] {
        switch textSearch {
        case .none, .rowByRow:
            return try fetch(walk(), db)
        case .indexed:
            let walked = try fetch(boundedWalk(), db)
            if walked.count >= count { return walked }
            return try fetch(searched(), db)
        }
    }

    enum TextSearch { case none, rowByRow, indexed }

    /// How the text filter, if any, is served.
    var textSearch: TextSearch {
        guard let text = filter.text, !text.isEmpty else { return .none }
        return text.unicodeScalars.count < EcoSearch.shortestIndexedText ? .rowByRow : .indexed
    }

    typealias Query = (sql: String, arguments: StatementArguments)

    /// Every filter, matched along the newest-first index of the narrowest one.
    func walk() -> Query {
        var (conditions, arguments) = scope(on: "eco_view")
        if let (condition, patterns) = textCondition(on: "eco_view") {
            conditions.append(condition)
            arguments += patterns
        }
        return ("SELECT * FROM eco_view WHERE \(conditions.joined(separator: " AND ")) ORDER BY created_at DESC, eco_id DESC LIMIT ?",
                StatementArguments(arguments + [count]))
    }

    /// The text matched along the newest `walkBeforeSearch` rows of the other filters only.
    func boundedWalk() -> Query {
        let (conditions, arguments) = scope(on: "eco_view")
        let (text, patterns) = textCondition(on: "newest")!
        let sql = """
            SELECT * FROM (
                SELECT * FROM eco_view WHERE \(conditions.joined(separator: " AND "))
                ORDER BY created_at DESC, eco_id DESC LIMIT \(Self.walkBeforeSearch)
            ) AS newest
            WHERE \(text) ORDER BY created_at DESC, eco_id DESC LIMIT ?
            """
        return (sql, StatementArguments(arguments + patterns + [count]))
    }

    /// The trigram index's candidates (and the ECOs pending indexing) in the tenant's scope, ordered by their
    /// search keys, then their rows checked against every filter until the page is full.
    func searched() -> Query {
        let (keyConditions, keyArguments) = keyScope(on: "k")
        let keyWhere = keyConditions.joined(separator: " AND ")
        var (rowConditions, rowArguments) = attributeConditions(on: "v")
        let (text, patterns) = textCondition(on: "v")!
        rowConditions.append(text)
        rowArguments += patterns
        let sql = """
            SELECT v.* FROM (
                SELECT k.eco_id, k.created_at FROM eco_search CROSS JOIN eco_search_key AS k ON k.search_id = eco_search.rowid
                WHERE eco_search MATCH ? AND \(keyWhere)
                UNION ALL
                SELECT k.eco_id, k.created_at FROM eco_search_pending AS p CROSS JOIN eco_search_key AS k ON k.search_id = p.search_id
                WHERE \(keyWhere)
                ORDER BY 2 DESC, 1 DESC
            ) AS candidate CROSS JOIN eco_view AS v ON v.eco_id = candidate.eco_id
            WHERE \(rowConditions.joined(separator: " AND "))
            ORDER BY candidate.created_at DESC, candidate.eco_id DESC LIMIT ?
            """
        let phrase: (any DatabaseValueConvertible)? = EcoSearch.phrase(filter.text!)
        return (sql, StatementArguments([phrase] + keyArguments + keyArguments + rowArguments + [count]))
    }

    private func fetch(_ query: Query, _ db: Database) throws -> [EcoRecord] {
        try EcoRecord.fetchAll(db, sql: query.sql, arguments: query.arguments)
    }

    /// Tenant, status filters, created range and cursor, on `eco_view` columns.
    private func scope(on table: String) -> (conditions: [String], arguments: [(any DatabaseValueConvertible)?]) {
        var (conditions, arguments) = keyScope(on: table)
        let (attributes, values) = attributeConditions(on: table)
        conditions += attributes
        arguments += values
        return (conditions, arguments)
    }

    /// What the search keys hold: tenant, created range and cursor.
    private func keyScope(on table: String) -> (conditions: [String], arguments: [(any DatabaseValueConvertible)?]) {
        var conditions = ["\(table).\(visibility.column) = ?"]
        var arguments: [(any DatabaseValueConvertible)?] = [visibility.tenantID.rawValue]
        if let from = filter.createdFrom { conditions.append("\(table).created_at >= ?"); arguments.append(ISO8601.string(from: from)) }
        if let before = filter.createdBefore { conditions.append("\(table).created_at < ?"); arguments.append(ISO8601.string(from: before)) }
        if let after {
            conditions.append("(\(table).created_at < ? OR (\(table).created_at = ? AND \(table).eco_id < ?))")
            arguments += [after.createdAt, after.createdAt, after.ecoID]
        }
        return (conditions, arguments)
    }

    /// Status, display status and job type: only `eco_view` holds them.
    private func attributeConditions(on table: String) -> (conditions: [String], arguments: [(any DatabaseValueConvertible)?]) {
        var conditions: [String] = []
        var arguments: [(any DatabaseValueConvertible)?] = []
        if let status = filter.status { conditions.append("\(table).status = ?"); arguments.append(status.rawValue) }
        if let display = filter.displayStatus { conditions.append("\(table).display_status = ?"); arguments.append(display.rawValue) }
        if let jobType = filter.jobType { conditions.append("\(table).job_type = ?"); arguments.append(jobType.rawValue) }
        return (conditions, arguments)
    }

    /// The text as a literal substring of the job id or the description (`%`, `_` and `\` are text).
    private func textCondition(on table: String) -> (condition: String, arguments: [(any DatabaseValueConvertible)?])? {
        guard let text = filter.text, !text.isEmpty else { return nil }
        let pattern = "%" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
            .replacingOccurrences(of: "_", with: "\\_") + "%"
        return ("(\(table).job_id LIKE ? ESCAPE '\\' OR \(table).description LIKE ? ESCAPE '\\')", [pattern, pattern])
    }
}
