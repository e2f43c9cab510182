// The plots of `selection.md`: learning curves per noise level and paired differences against the step.

import Foundation
import PVarCore
import PVarStudies

/// A line plot with linear axes, optional shaded bands and a dashed zero line, as a standalone
/// SVG document. Deterministic: two decimals (C locale), series in the order given, no ids.
struct SelectionLinePlot {
    struct Series {
        var name: String
        var points: [(x: Double, y: Double)]
        /// `(lower, upper)` per point, drawn as a translucent band; empty for none.
        var band: [(lower: Double, upper: Double)]
    }

    var title: String
    var subtitle: String
    var xLabel: String
    var yLabel: String
    var series: [Series]
    var zeroLine = false

    static let width = 860.0, height = 560.0
    static let left = 90.0, top = 80.0, plotWidth = 520.0, plotHeight = 400.0
    static let colours = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#000000"]

    /// Round tick positions (steps of 1, 2 or 5 times a power of ten) covering `[lo, hi]`.
    static func ticks(_ lo: Double, _ hi: Double) -> [Double] {
        let span = hi - lo
        let raw = span / 6
        let power = pow(10, (log10(raw)).rounded(.down))
        let step = [1.0, 2, 5, 10].map { $0 * power }.first { $0 >= raw } ?? 10 * power
        var out: [Double] = []
        var t = (lo / step).rounded(.up) * step
        while t <= hi + step * 1e-9 {
            out.append(abs(t) < step * 1e-9 ? 0 : t)
            t += step
        }
        return out
    }

    func svg() -> String {
        var xs: [Double] = [], ys: [Double] = []
        for s in series {
            for p in s.points where p.x.isFinite && p.y.isFinite { xs.append(p.x); ys.append(p.y) }
            for b in s.band where b.lower.isFinite && b.upper.isFinite { ys.append(b.lower); ys.append(b.upper) }
        }
        if zeroLine { ys.append(0) }
        var xlo = xs.min() ?? 0, xhi = xs.max() ?? 1
        var ylo = ys.min() ?? 0, yhi = ys.max() ?? 1
        if xhi <= xlo { xhi = xlo + 1 }
        if yhi <= ylo { let m = max(abs(ylo), 1) * 0.01; ylo -= m; yhi += m }
        let pad = 0.04 * (yhi - ylo)
        ylo -= pad
        yhi += pad
        if xhi - xlo > 0 { xlo = min(xlo, 0) }
        let l = Self.left, t = Self.top, w = Self.plotWidth, h = Self.plotHeight
        func px(_ x: Double) -> Double { l + (x - xlo) / (xhi - xlo) * w }
        func py(_ y: Double) -> Double { t + h - (y - ylo) / (yhi - ylo) * h }

        var out = """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(fixed(Self.width, 2))" height="\(fixed(Self.height, 2))" \
        viewBox="0 0 \(fixed(Self.width, 2)) \(fixed(Self.height, 2))" font-family="sans-serif" font-size="12">
        <rect width="100%" height="100%" fill="white"/>
        <text x="\(fixed(Self.width / 2, 2))" y="28" text-anchor="middle" font-size="16">\(xmlEscape(title))</text>
        <text x="\(fixed(Self.width / 2, 2))" y="50" text-anchor="middle" fill="#444">\(xmlEscape(subtitle))</text>

        """
        let yTicks = Self.ticks(ylo, yhi), xTicks = Self.ticks(xlo, xhi)
        out += "<g stroke=\"#ddd\" stroke-width=\"1\">\n"
        for y in yTicks { out += "<line x1=\"\(fixed(l, 2))\" y1=\"\(fixed(py(y), 2))\" x2=\"\(fixed(l + w, 2))\" y2=\"\(fixed(py(y), 2))\"/>\n" }
        for x in xTicks { out += "<line x1=\"\(fixed(px(x), 2))\" y1=\"\(fixed(t, 2))\" x2=\"\(fixed(px(x), 2))\" y2=\"\(fixed(t + h, 2))\"/>\n" }
        out += "</g>\n"
        for y in yTicks {
            out += "<text x=\"\(fixed(l - 8, 2))\" y=\"\(fixed(py(y) + 4, 2))\" text-anchor=\"end\">\(Self.label(y, yTicks))</text>\n"
        }
        for x in xTicks {
            out += "<text x=\"\(fixed(px(x), 2))\" y=\"\(fixed(t + h + 20, 2))\" text-anchor=\"middle\">\(Self.label(x, xTicks))</text>\n"
        }
        out += "<rect x=\"\(fixed(l, 2))\" y=\"\(fixed(t, 2))\" width=\"\(fixed(w, 2))\" height=\"\(fixed(h, 2))\" fill=\"none\" stroke=\"black\"/>\n"
        out += "<text x=\"\(fixed(l + w / 2, 2))\" y=\"\(fixed(t + h + 46, 2))\" text-anchor=\"middle\" font-size=\"13\">\(xmlEscape(xLabel))</text>\n"
        let yx = l - 62, yy = t + h / 2
        out += "<text x=\"\(fixed(yx, 2))\" y=\"\(fixed(yy, 2))\" text-anchor=\"middle\" font-size=\"13\" "
            + "transform=\"rotate(-90 \(fixed(yx, 2)) \(fixed(yy, 2)))\">\(xmlEscape(yLabel))</text>\n"
        if zeroLine {
            out += "<line x1=\"\(fixed(l, 2))\" y1=\"\(fixed(py(0), 2))\" x2=\"\(fixed(l + w, 2))\" y2=\"\(fixed(py(0), 2))\" stroke=\"black\" "
                + "stroke-width=\"1.2\" stroke-dasharray=\"6 4\"/>\n"
        }
        for (i, s) in series.enumerated() {
            let colour = Self.colours[i % Self.colours.count]
            if s.band.count == s.points.count, !s.band.isEmpty {
                let upper = zip(s.points, s.band).map { "\(fixed(px($0.x), 2)),\(fixed(py($1.upper), 2))" }
                let lower = zip(s.points, s.band).reversed().map { "\(fixed(px($0.x), 2)),\(fixed(py($1.lower), 2))" }
                out += "<polygon points=\"\((upper + lower).joined(separator: " "))\" fill=\"\(colour)\" fill-opacity=\"0.15\" stroke=\"none\"/>\n"
            }
            let line = s.points.map { "\(fixed(px($0.x), 2)),\(fixed(py($0.y), 2))" }.joined(separator: " ")
            out += "<polyline points=\"\(line)\" fill=\"none\" stroke=\"\(colour)\" stroke-width=\"1.8\"/>\n"
        }
        var ly = t + 10
        let lx = l + w + 20
        for (i, s) in series.enumerated() {
            let colour = Self.colours[i % Self.colours.count]
            out += "<line x1=\"\(fixed(lx, 2))\" y1=\"\(fixed(ly, 2))\" x2=\"\(fixed(lx + 24, 2))\" y2=\"\(fixed(ly, 2))\" stroke=\"\(colour)\" stroke-width=\"3\"/>\n"
            out += "<text x=\"\(fixed(lx + 30, 2))\" y=\"\(fixed(ly + 4, 2))\">\(xmlEscape(s.name))</text>\n"
            ly += 20
        }
        out += "</svg>\n"
        return out
    }

    /// A tick label with as many decimals as the tick step needs.
    static func label(_ v: Double, _ ticks: [Double]) -> String {
        let step = ticks.count >= 2 ? ticks[1] - ticks[0] : 1
        let decimals = max(0, Int((-log10(step)).rounded(.up)))
        return fixed(v, decimals)
    }
}

/// Held-out expected true reward against the step, one line (with its 95% band) per strategy.
func learningCurvePlot(_ r: SimulationResult, noiseIndex n: Int) -> SelectionLinePlot {
    let c = r.configuration
    // Step 0 (the starting policy, the same for every strategy) is left out so the axis resolves
    // the differences between the strategies after training starts.
    let series = SelectionStrategy.allCases.map { s -> SelectionLinePlot.Series in
        let intervals = (1...c.steps).map { r.summary(noiseIndex: n, s, .expectedReward, step: $0) }
        return SelectionLinePlot.Series(name: s.label, points: intervals.enumerated().map { (Double($0 + 1), $1.mean) },
                                        band: intervals.map { ($0.lower, $0.upper) })
    }
    let start = r.summary(noiseIndex: n) { $0.referenceReward }.mean
    return SelectionLinePlot(
        title: "Held-out expected true reward, reward-model noise sigma = \(shortest(c.noiseLevels[n]))",
        subtitle: "mean and 95% band over \(c.seeds) seeds from step 1 (step 0: \(fixed(start, 3)) for all); M = \(c.prompts), K = \(c.responses), "
            + "d = \(c.dimension), learning rate \(shortest(c.learningRate))",
        xLabel: "gradient step", yLabel: "E_{y ~ pi_theta}[r*(x, y)]", series: series)
}

/// The paired difference top 10% minus `other` in held-out reward against the step, one line
/// (with its 95% band) per noise level, and the zero line.
func differencePlot(_ r: SimulationResult, against other: SelectionStrategy) -> SelectionLinePlot {
    let c = r.configuration
    let series = c.noiseLevels.indices.map { n -> SelectionLinePlot.Series in
        let intervals = (0...c.steps).map { r.difference(noiseIndex: n, .top10, other, .expectedReward, step: $0) }
        return SelectionLinePlot.Series(name: "sigma = \(shortest(c.noiseLevels[n]))",
                                        points: intervals.enumerated().map { (Double($0), $1.mean) },
                                        band: intervals.map { ($0.lower, $0.upper) })
    }
    return SelectionLinePlot(
        title: "Top 10% minus \(other.label): held-out expected true reward",
        subtitle: "paired over \(c.seeds) seeds, mean and 95% band; above the dashed line the top 10% is ahead",
        xLabel: "gradient step", yLabel: "difference in expected true reward", series: series, zeroLine: true)
}
