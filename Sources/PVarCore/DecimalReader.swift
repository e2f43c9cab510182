// Decimal numbers to doubles without the C library's slow path: the Eisel-Lemire algorithm.

/// The double nearest to the JSON number `text` (correctly rounded, ties to even), or nil where
/// this fast path does not decide: more than 19 significant digits, a decimal exponent outside
/// `powersOfTenRange`, a result that would be subnormal, 0 by underflow or infinite, or a product
/// too close to a rounding boundary for 128 bits to tell (about one input in 10^9). The caller
/// then asks `strtod`, which decides every case (suite `DecimalReader` checks that both give the
/// same bits wherever this one answers).
///
/// Clinger's exact fast path where it applies, else Eisel-Lemire (D. Lemire, "Number Parsing at a
/// Gigabyte per Second", 2021; the form of Go's `strconv.eiselLemire64`): with the decimal significand w < 10^19 and exponent q, w is
/// normalised to 64 bits and multiplied by the top 128 bits of 10^q (`powersOfTen`, rounded down);
/// the top 54 bits of the product give the mantissa and the rounding bit unless the discarded
/// bits are all ones (the truncation of the table could carry into them) or exactly a tie.
/// `text` must already satisfy the JSON number grammar (the reader checks it).
func eiselLemireDouble(_ text: UnsafeBufferPointer<UInt8>) -> Double? {
    var k = 0
    let negative = text.first == UInt8(ascii: "-")
    if negative { k += 1 }
    var w: UInt64 = 0, significant = 0, q = 0, afterPoint = false
    while k < text.count {
        let c = text[k]
        if c == UInt8(ascii: ".") {
            afterPoint = true
        } else if c >= 0x30 && c <= 0x39 {
            let d = UInt64(c - 0x30)
            if afterPoint { q -= 1 }
            if d != 0 || significant > 0 {
                significant += 1
                guard significant <= 19 else { return nil }
                w = w * 10 + d
            }
        } else {
            break   // 'e' or 'E'
        }
        k += 1
    }
    if k < text.count {
        k += 1
        var exponentNegative = false
        if text[k] == UInt8(ascii: "+") || text[k] == UInt8(ascii: "-") {
            exponentNegative = text[k] == UInt8(ascii: "-")
            k += 1
        }
        guard text.count - k <= 5 else { return nil }
        var e = 0
        while k < text.count {
            e = e * 10 + Int(text[k] - 0x30)
            k += 1
        }
        q += exponentNegative ? -e : e
    }
    return eiselLemire(w, q, negative: negative)
}

/// Exact powers of ten, 10^0 ... 10^22 (every one is a double).
private let exactPowersOfTen: [Double] = (0...22).map { q in (0..<q).reduce(1.0) { x, _ in x * 10 } }

/// The double nearest to (-1)^negative w 10^q, or nil where 128 bits cannot decide it (see
/// `eiselLemireDouble`).
func eiselLemire(_ w: UInt64, _ q: Int, negative: Bool) -> Double? {
    if w == 0 { return negative ? -0.0 : 0.0 }
    // Clinger's fast path first: with trailing zeros moved into q, w <= 2^53 and |q| <= 22 make
    // w and 10^|q| exact doubles, so one IEEE multiplication or division rounds correctly (exact
    // decimals such as 1917069924330768.5, which the product test below would decline as ties).
    var (w0, q0) = (w, q)
    while w0 % 10 == 0 { (w0, q0) = (w0 / 10, q0 + 1) }
    if w0 <= 1 << 53 && (-22...22).contains(q0) {
        let x = q0 >= 0 ? Double(w0) * exactPowersOfTen[q0] : Double(w0) / exactPowersOfTen[-q0]
        return negative ? -x : x
    }
    guard powersOfTenRange.contains(q) else { return nil }
    let zeros = w.leadingZeroBitCount
    let m = w << zeros
    let (high, low) = powersOfTen[q - powersOfTenRange.lowerBound]
    var (xHi, xLo) = m.multipliedFullWidth(by: high)
    // The first product's discarded bits are all ones: add the second word's product.
    if xHi & 0x1FF == 0x1FF && xLo &+ m < m {
        let (yHi, yLo) = m.multipliedFullWidth(by: low)
        var mergedHi = xHi
        let mergedLo = xLo &+ yHi
        if mergedLo < xLo { mergedHi &+= 1 }
        if mergedHi & 0x1FF == 0x1FF && mergedLo &+ 1 == 0 && yLo &+ m < m { return nil }
        (xHi, xLo) = (mergedHi, mergedLo)
    }
    let top = xHi >> 63
    var mantissa = xHi >> (top + 9)
    // floor(q log2(10)) = (217706 q) >> 16 for |q| <= 1650.
    var exponent = ((217706 * q) >> 16) + 64 + 1023 - zeros - Int(1 ^ top)
    // Exactly halfway between two doubles: strtod rounds to even.
    if xLo == 0 && xHi & 0x1FF == 0 && mantissa & 3 == 1 { return nil }
    mantissa += mantissa & 1
    mantissa >>= 1
    if mantissa >> 53 > 0 {
        mantissa >>= 1
        exponent += 1
    }
    guard exponent >= 1 && exponent < 0x7FF else { return nil }
    let bits = UInt64(exponent) << 52 | mantissa & 0x000F_FFFF_FFFF_FFFF | (negative ? 1 << 63 : 0)
    return Double(bitPattern: bits)
}
