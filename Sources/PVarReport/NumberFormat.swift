// The package's one set of number formats for people (tables, prose, plot labels). Every one is
// `String(format:)` in the C locale, or Swift's shortest round-trip decimal; full-precision numbers
// for programs are `InstanceFile.format`.

import Foundation

/// `x` with `decimals` digits after the point: `fixed(0.12345, 3) = "0.123"` (`%.<d>f`).
public func fixed(_ x: Double, _ decimals: Int) -> String { String(format: "%.\(decimals)f", x) }

/// `x` with a sign always: `signedFixed(0.5, 4) = "+0.5000"` (`%+.<d>f`).
public func signedFixed(_ x: Double, _ decimals: Int) -> String { String(format: "%+.\(decimals)f", x) }

/// `x` to `digits` significant digits, exponent form when needed: `significant(1234567, 4) = "1.235e+06"` (`%.<n>g`).
public func significant(_ x: Double, _ digits: Int) -> String { String(format: "%.\(digits)g", x) }

/// A fraction as a percentage: `percent(0.1234, 1) = "12.3%"`; `signed` adds `+` for positive values.
public func percent(_ fraction: Double, _ decimals: Int, signed: Bool = false) -> String {
    String(format: "%\(signed ? "+" : "").\(decimals)f%%", 100 * fraction)
}

/// The shortest decimal that reads back to `x`, without a trailing `.0`: `shortest(3.0) = "3"`,
/// `shortest(0.25) = "0.25"` (noise levels, settings, step sizes).
public func shortest(_ x: Double) -> String {
    let s = "\(x)"
    return s.hasSuffix(".0") ? String(s.dropLast(2)) : s
}
