import Foundation

/// A read-only R-tree over boxes, packed once by Sort-Tile-Recursive: the boxes are sorted into vertical slices
/// by their centres' x, each slice by y, and cut into nodes of `fanout`; each level is packed the same way from
/// the one below. Built for a snapshot that never changes (a new snapshot builds a new tree), so it needs no
/// insertion or balancing, and a search visits only the nodes whose box meets the query.
struct BoxTree: Sendable {
    private struct Node: Sendable {
        let box: Box
        /// Children: entries of `levels[level - 1]`, or items when the node is a leaf.
        let first: Int
        let count: Int
    }

    static let fanout = 8

    /// `levels[0]` holds one node per item (its box, `first` the item); the last level holds the root(s).
    private let levels: [[Node]]

    /// A tree over `boxes`; a search answers their indices.
    init(_ boxes: [Box]) {
        var level = boxes.enumerated().map { Node(box: $0.element, first: $0.offset, count: 0) }
        var levels: [[Node]] = []
        while level.count > 1 {
            // Packing reorders the level; the parents refer to the order it leaves.
            let parents = Self.pack(&level)
            levels.append(level)
            level = parents
        }
        levels.append(level)
        self.levels = levels
    }

    /// Sorts `children` in place into tiles and returns their parents.
    private static func pack(_ children: inout [Node]) -> [Node] {
        let parentCount = (children.count + fanout - 1) / fanout
        let sliceCount = Int(Double(parentCount).squareRoot().rounded(.up))
        let sliceSize = sliceCount * fanout
        children.sort { $0.box.centre.x < $1.box.centre.x }
        var parents: [Node] = []
        parents.reserveCapacity(parentCount)
        for sliceStart in stride(from: 0, to: children.count, by: sliceSize) {
            let sliceEnd = min(sliceStart + sliceSize, children.count)
            children[sliceStart..<sliceEnd].sort { $0.box.centre.y < $1.box.centre.y }
            for first in stride(from: sliceStart, to: sliceEnd, by: fanout) {
                let end = min(first + fanout, sliceEnd)
                let box = children[first + 1..<end].reduce(children[first].box) { $0.union($1.box) }
                parents.append(Node(box: box, first: first, count: end - first))
            }
        }
        return parents
    }

    /// Calls `visit` with every item whose box meets `query`.
    func search(_ query: Box, _ visit: (Int) -> Void) {
        guard let top = levels.last else { return }
        for index in top.indices { descend(levels.count - 1, index, query, visit) }
    }

    private func descend(_ level: Int, _ index: Int, _ query: Box, _ visit: (Int) -> Void) {
        let node = levels[level][index]
        guard node.box.intersects(query) else { return }
        if level == 0 { return visit(node.first) }
        for child in node.first..<node.first + node.count { descend(level - 1, child, query, visit) }
    }
}
