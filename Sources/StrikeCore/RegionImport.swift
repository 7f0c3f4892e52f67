public import Foundation

/// A pager list's region from a GeoJSON FeatureCollection: each feature a Polygon or MultiPolygon, all of them
/// together one region. A bad feature refuses the whole import, named by its index and the reason.
public enum RegionImport {
    public static let maximumFeatures = 1000

    /// The region every feature makes together, each feature's geometry kept in order.
    public static func parse(featureCollection data: Data) throws(DomainError) -> (region: Region, features: [Region]) {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: data)
        } catch {
            throw .invalid([FieldProblem(field: "body", message: "is not valid JSON")])
        }
        guard let collection = object as? [String: Any], collection["type"] as? String == "FeatureCollection" else {
            throw .invalid([FieldProblem(field: "type", message: "must be \"FeatureCollection\"")])
        }
        guard let features = collection["features"] as? [Any] else {
            throw .invalid([FieldProblem(field: "features", message: "must be an array of features")])
        }
        guard (1...maximumFeatures).contains(features.count) else {
            throw .invalid([FieldProblem(field: "features", message: "must hold 1 to \(maximumFeatures) features, it holds \(features.count)")])
        }
        var regions: [Region] = []
        var problems: [FieldProblem] = []
        for (index, feature) in features.enumerated() {
            switch region(ofFeature: feature) {
            case .success(let region): regions.append(region)
            case .failure(let problem): problems.append(problem.at(index))
            }
        }
        guard problems.isEmpty else { throw .invalid(problems) }
        // Each polygon validated alone: joining them into a MultiPolygon cannot make a ring invalid.
        let region = try! Region(polygons: regions.flatMap(\.polygons))
        return (region, regions)
    }

    /// A feature's problem before its index is known.
    private struct FeatureProblem: Error {
        let suffix: String
        let message: String
        func at(_ index: Int) -> FieldProblem { FieldProblem(field: "features[\(index)]\(suffix)", message: message) }
    }

    private static func region(ofFeature feature: Any) -> Result<Region, FeatureProblem> {
        guard let feature = feature as? [String: Any], feature["type"] as? String == "Feature" else {
            return .failure(FeatureProblem(suffix: "", message: "must be a GeoJSON object of type \"Feature\""))
        }
        guard let geometry = feature["geometry"] as? [String: Any] else {
            return .failure(FeatureProblem(suffix: ".geometry", message: "must be a Polygon or MultiPolygon geometry object"))
        }
        do throws(GeometryError) {
            let data = try! JSONSerialization.data(withJSONObject: geometry)
            return .success(try Region.parse(geoJSON: data))
        } catch {
            return .failure(FeatureProblem(suffix: ".geometry", message: error.description))
        }
    }
}
