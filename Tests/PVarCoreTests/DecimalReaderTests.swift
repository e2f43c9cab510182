// The Eisel-Lemire fast path of the instance reader against the C library's strtod, bit for bit.

import Foundation
@testable import PVarCore
import Testing

@Suite("DecimalReader")
struct DecimalReaderTests {
    /// strtod's double for `text` (correctly rounded, ties to even).
    static func strtodValue(_ text: String) -> Double { text.withCString { strtod($0, nil) } }

    /// The fast path's double, nil where it does not decide.
    static func fast(_ text: String) -> Double? {
        Array(text.utf8).withUnsafeBufferPointer { eiselLemireDouble($0) }
    }

    /// SplitMix64: a seeded, replayable source of test strings (not of instances).
    struct SplitMix64 {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    }

    /// Checks one string: where the fast path answers, the same bits as strtod (counted in `decided`).
    static func check(_ text: String, _ decided: inout Int) {
        guard let x = fast(text) else { return }
        decided += 1
        let y = strtodValue(text)
        #expect(x.bitPattern == y.bitPattern, "\(text): fast path \(x) (\(String(x.bitPattern, radix: 16))), strtod \(y)")
    }

    @Test("hard cases: decided ones equal strtod; ties, subnormals, overflow and more than 19 digits go to strtod")
    func hardCases() {
        let decided = ["0", "-0", "0.0", "1", "-1", "0.1", "0.3", "1e22", "1e24", "8.98846567431158e307", "1.7976931348623157e308",
                       "2.2250738585072014e-308", "9007199254740992", "1234567890123456789", "0.000001", "123456789e-20",
                       "7.2057594037927933e16", "1.9156918820264798e-56", "3.0e-5", "-2.5E+10", "1917069924330768",
                       // A tie whose even neighbour is above: rounding up is right either way, so it is decided.
                       "9007199254740995"]
        for c in decided {
            let x = Self.fast(c), y = Self.strtodValue(c)
            #expect(x?.bitPattern == y.bitPattern, "\(c): fast path \(String(describing: x)), strtod \(y)")
        }
        #expect(Self.fast("-0").map { $0.sign == .minus && $0 == 0 } == true)
        // Exactly halfway between two doubles with the even neighbour below (ties to even is
        // strtod's), subnormal or zero by
        // underflow, overflow, more than 19 significant digits.
        // (1e23 = 5^23 2^23 with 5^23 odd and 54 bits long: exactly a tie.)
        let declined = ["1e23", "9007199254740993", "4503599627370496.5", "4503599627370497.5",
                        "2.2250738585072011e-308", "5e-324", "2.4703282292062327e-324", "1e-320", "1e-400", "1e309",
                        "12345678901234567890", "0.12345678901234567890", "1.00000000000000011102230246251565404236316680908203125"]
        for c in declined { #expect(Self.fast(c) == nil, "\(c) should go to strtod") }
    }

    @Test("every double's shortest form (repr, as instance files are written) reads to the same bits as strtod, and the fast path decides it", arguments: [UInt64(1), 2, 3])
    func shortestForms(seed: UInt64) {
        var rng = SplitMix64(state: seed)
        var decided = 0, total = 0
        for _ in 0..<100_000 {
            // Doubles of every normal binade, by their bits.
            let bits = rng.next() & 0x7FFF_FFFF_FFFF_FFFF
            let x = Double(bitPattern: bits | (rng.next() & 1) << 63)
            guard x.isFinite && (x == 0 || x.isNormal) else { continue }
            total += 1
            Self.check("\(x)", &decided)
        }
        // Nearly everything: a decimal exactly at a rounding boundary (a tie, or a 17-digit exact
        // value such as 1917069924330768.5, whose product with the truncated 10^-1 lands just
        // below the boundary) goes to strtod: measured 65 of about 10^5 for seed 1.
        #expect(total - decided <= total / 1000, "seed \(seed): \(total - decided) of \(total) declined")
    }

    @Test("random decimal strings (1 to 19 digits, a point anywhere, exponents -360 to 330) agree with strtod wherever the fast path answers", arguments: [UInt64(11), 12])
    func randomDecimals(seed: UInt64) {
        var rng = SplitMix64(state: seed)
        var decided = 0
        for _ in 0..<100_000 {
            let n = 1 + rng.below(19)
            var digits = (0..<n).map { _ in Character(String(rng.below(10))) }
            if rng.below(4) == 0 { digits = ["9"] + Array(repeating: "9", count: n - 1) }   // carries
            var text = rng.below(2) == 0 ? "-" : ""
            let point = rng.below(n + 1)
            let integer = point == 0 ? "0" : String(digits[0..<point]).replacingOccurrences(of: "^0+(?=.)", with: "", options: .regularExpression)
            text += integer
            if point < n { text += "." + String(digits[point...]) }
            if rng.below(3) != 0 { text += "e\(rng.below(691) - 360)" }
            Self.check(text, &decided)
        }
        #expect(decided > 80_000, "seed \(seed): the fast path decided only \(decided) of 100000")
    }
}
