// The exact selection threshold by a radix selection on the estimates' bit patterns.

import PVarCore

/// Which prompts are selected, found without holding the estimates in memory.
///
/// Ranking: by estimate descending, then by input order ascending (the earlier line first); the
/// first `K` prompts in this order are selected. So with `T` the estimate of the `K`-th prompt,
/// every prompt with estimate `> T` is selected, and of those with estimate `= T` the first
/// `tiesSelected` in input order (all equal estimates included: all-equal rewards give 0 for
/// every prompt, and the first `K` lines are selected).
///
/// Resolution (a radix selection): estimates are doubles in `[0, 1/4]`, never `-0.0`, so their
/// IEEE bit patterns, as unsigned integers, order exactly like their values. The first pass
/// counts the top 16 bits of every pattern (65,536 bins); walking the bins from the top gives the
/// bin holding the `K`-th prompt, the number of prompts above it, and `K`'s rank inside it. If
/// that bin holds at most `candidateLimit` prompts, one pass collects and sorts them; otherwise one
/// pass counts the next 16 bits of the prompts in it, and so on. After at most 3 passes all 64
/// bits are fixed (or the bin has been sorted), so `T` is exact in every case, all-ties included.
///
/// Memory: one 65,536-bin histogram (512 KiB) and at most `candidateLimit` values, whatever the
/// number of prompts; time: at most 3 passes over the 8-byte-per-prompt estimates spool, usually 1.
public struct SelectionThreshold: Sendable, Equatable {
    /// `T`, the estimate of the lowest-ranked selected prompt.
    public let value: Double
    /// How many prompts have an estimate `> T` (all selected).
    public let greater: Int
    /// How many of the prompts with estimate `= T` are selected (the first ones in input order).
    public let tiesSelected: Int
    /// Passes over the estimates that the resolution took after the first histogram.
    public let passes: Int

    /// Bits per radix digit, and the bins of one histogram.
    public static let digitBits = 16
    static let binCount = 1 << digitBits

    /// The first digit of an estimate's bit pattern (its histogram bin in the first pass).
    @inline(__always)
    public static func topBin(_ value: Double) -> Int { Int(truncatingIfNeeded: value.bitPattern >> 48) }

    /// The threshold of the `k` top-ranked of `total` prompts (`1 <= k <= total`), from the
    /// first-pass histogram `histogram` (65,536 counts of `topBin`) and `pass`, which calls its
    /// argument with the bit pattern of every estimate in input order (once per call of `pass`).
    public static func resolve(k: Int, total: Int, histogram first: [Int], candidateLimit: Int,
                               pass: ((UInt64) -> Void) throws -> Void) rethrows -> SelectionThreshold {
        precondition(k >= 1 && k <= total && first.count == binCount, "SelectionThreshold.resolve: bad arguments")
        var histogram = first
        var prefix: UInt64 = 0
        var shift = 64 - digitBits
        var rank = k, greater = 0, passes = 0
        while true {
            var above = 0, bin = binCount - 1
            while above + histogram[bin] < rank {
                above += histogram[bin]
                bin -= 1
            }
            greater += above
            rank -= above
            prefix |= UInt64(bin) << UInt64(shift)
            let inBin = histogram[bin]
            if shift == 0 {
                return SelectionThreshold(value: Double(bitPattern: prefix), greater: greater, tiesSelected: rank, passes: passes)
            }
            let high = UInt64(shift)
            if inBin <= candidateLimit {
                var candidates: [UInt64] = []
                candidates.reserveCapacity(inBin)
                try pass { bits in if bits >> high == prefix >> high { candidates.append(bits) } }
                passes += 1
                precondition(candidates.count == inBin, "SelectionThreshold: the estimates changed between passes")
                candidates.sort(by: >)
                let t = candidates[rank - 1]
                let above = candidates.prefix { $0 > t }.count
                return SelectionThreshold(value: Double(bitPattern: t), greater: greater + above,
                                          tiesSelected: rank - above, passes: passes)
            }
            shift -= digitBits
            let low = UInt64(shift)
            for b in 0..<binCount { histogram[b] = 0 }
            try histogram.withUnsafeMutableBufferPointer { h in
                try pass { bits in
                    if bits >> high == prefix >> high { h[Int(truncatingIfNeeded: (bits >> low) & 0xFFFF)] += 1 }
                }
            }
            passes += 1
        }
    }
}
