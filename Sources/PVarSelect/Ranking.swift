// Ranking rules shared by `pvar select`'s in-memory paths and the studies: top and bottom indices.

/// The indices of the `k` largest values, largest first; ties broken by the smaller index.
public func topIndices(_ values: [Double], _ k: Int) -> [Int] {
    Array(values.indices.sorted { values[$0] != values[$1] ? values[$0] > values[$1] : $0 < $1 }.prefix(k))
}

/// The indices of the `count` smallest values, smallest first; ties broken by the smaller index
/// (the mirror of `topIndices`).
public func bottomIndices(_ values: [Double], _ count: Int) -> [Int] {
    Array(values.indices.sorted { values[$0] != values[$1] ? values[$0] < values[$1] : $0 < $1 }.prefix(count))
}
