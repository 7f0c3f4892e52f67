/// Compares a secret given by a caller with the one expected without stopping at the first difference, so
/// the time taken tells nothing about how much of it was right.
public enum SecretComparison {
    public static func equal(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
