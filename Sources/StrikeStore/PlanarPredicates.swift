import Foundation

/// A vertex of a region or of an ECO's location, in degrees (x = longitude, y = latitude), exactly as SQLite
/// stores the doubles.
struct Vertex: Sendable, Equatable {
    var x: Double
    var y: Double
}

/// The planar predicates the in-memory region lookup is built on, decided the way GEOS decides them for
/// SpatiaLite's `ST_Contains` and `ST_Intersects`: same ray-crossing rule, same orientation test. The orientation
/// sign is exact (a floating-point filter, then exact expansion arithmetic when the filter cannot tell), so a
/// point on an edge or a vertex is found on it however the edge is slanted.
enum PlanarPredicates {
    enum Orientation: Int { case clockwise = -1, collinear = 0, counterClockwise = 1 }

    /// Which side of the directed line `a`→`b` the point `c` lies on.
    static func orientation(_ a: Vertex, _ b: Vertex, _ c: Vertex) -> Orientation {
        let left = (b.x - a.x) * (c.y - a.y)
        let right = (b.y - a.y) * (c.x - a.x)
        let determinant = left - right
        // Shewchuk's bound for this evaluation order: beyond it the rounded sign is the true sign.
        let bound = (3.0 + 16.0 * epsilon) * epsilon * (abs(left) + abs(right))
        if determinant > bound { return .counterClockwise }
        if -determinant > bound { return .clockwise }
        return exactOrientation(a, b, c)
    }

    private static let epsilon = 0x1p-53

    /// The sign of the determinant computed without rounding: each difference and product split into a rounded
    /// part and its exact error, all summed into a non-overlapping expansion whose largest term carries the sign.
    private static func exactOrientation(_ a: Vertex, _ b: Vertex, _ c: Vertex) -> Orientation {
        let abx = twoDifference(b.x, a.x), acy = twoDifference(c.y, a.y)
        let aby = twoDifference(b.y, a.y), acx = twoDifference(c.x, a.x)
        var expansion: [Double] = []
        expansion.reserveCapacity(32)
        for (first, second, sign) in [(abx, acy, 1.0), (aby, acx, -1.0)] {
            for u in [first.value, first.error] {
                for v in [second.value, second.error] {
                    let product = twoProduct(u, v)
                    grow(&expansion, sign * product.value)
                    grow(&expansion, sign * product.error)
                }
            }
        }
        guard let largest = expansion.last(where: { $0 != 0 }) else { return .collinear }
        return largest > 0 ? .counterClockwise : .clockwise
    }

    /// Adds one double to a non-overlapping expansion (Shewchuk's Grow-Expansion); the result is one too.
    private static func grow(_ expansion: inout [Double], _ value: Double) {
        var carry = value
        for index in expansion.indices {
            let sum = twoSum(carry, expansion[index])
            expansion[index] = sum.error
            carry = sum.value
        }
        expansion.append(carry)
    }

    private static func twoSum(_ a: Double, _ b: Double) -> (value: Double, error: Double) {
        let sum = a + b
        let virtualB = sum - a
        let virtualA = sum - virtualB
        return (sum, (a - virtualA) + (b - virtualB))
    }

    private static func twoDifference(_ a: Double, _ b: Double) -> (value: Double, error: Double) { twoSum(a, -b) }

    private static func twoProduct(_ a: Double, _ b: Double) -> (value: Double, error: Double) {
        let product = a * b
        return (product, (-product).addingProduct(a, b))
    }

    /// Where a point is relative to an areal shape.
    enum Location { case interior, boundary, exterior }

    /// Counts the crossings of a ray from `point` towards +x over the rings' edges, GEOS's `RayCrossingCounter`:
    /// an odd count is inside, and a point on any edge is on the boundary. `edges` gives every ring's edges.
    struct RayCrossing {
        let point: Vertex
        private(set) var crossings = 0
        private(set) var onBoundary = false

        init(_ point: Vertex) { self.point = point }

        mutating func count(_ start: Vertex, _ end: Vertex) {
            if start.x < point.x && end.x < point.x { return }
            if point == end {
                onBoundary = true
                return
            }
            if start.y == point.y && end.y == point.y {
                if min(start.x, end.x) <= point.x && point.x <= max(start.x, end.x) { onBoundary = true }
                return
            }
            if (start.y > point.y && end.y <= point.y) || (end.y > point.y && start.y <= point.y) {
                var side = orientation(start, end, point).rawValue
                if side == 0 {
                    onBoundary = true
                    return
                }
                if end.y < start.y { side = -side }
                if side > 0 { crossings += 1 }
            }
        }

        var location: Location { onBoundary ? .boundary : crossings % 2 == 1 ? .interior : .exterior }
    }

    /// Whether two closed segments share a point, with GEOS's `RobustLineIntersector` rule: the boxes meet, and
    /// neither segment lies strictly on one side of the other's line.
    static func segmentsIntersect(_ p1: Vertex, _ p2: Vertex, _ q1: Vertex, _ q2: Vertex) -> Bool {
        guard min(p1.x, p2.x) <= max(q1.x, q2.x), min(q1.x, q2.x) <= max(p1.x, p2.x),
            min(p1.y, p2.y) <= max(q1.y, q2.y), min(q1.y, q2.y) <= max(p1.y, p2.y)
        else { return false }
        let pq1 = orientation(p1, p2, q1).rawValue, pq2 = orientation(p1, p2, q2).rawValue
        if pq1 * pq2 > 0 { return false }
        let qp1 = orientation(q1, q2, p1).rawValue, qp2 = orientation(q1, q2, p2).rawValue
        if qp1 * qp2 > 0 { return false }
        // Collinear (all four zero) with overlapping boxes overlap; otherwise the segments cross or touch.
        return true
    }
}
