// A tiny, dependency-free log–log scatter plot, written as a standalone SVG document.

import Foundation

/// A log–log scatter plot with decade ticks and an optional `y = x` line, rendered as SVG.
///
/// - Both axes share one decade range, `[10^lo, 10^hi]` with `lo = floor(log10 min)` and
///   `hi = ceil(log10 max)` over every plotted coordinate, so the plot area is square and `y = x`
///   is its diagonal (points below it satisfy `y < x`).
/// - Points whose `x` or `y` is zero, negative, infinite or NaN have no place on a log axis:
///   they are skipped and counted (`skippedCount`), never silently moved.
/// - Output is deterministic: coordinates are printed with two decimals (`%.2f`, C locale),
///   series and points in the order given, no timestamps or generated ids.
public struct LogLogScatter: Sendable {
    /// One named group of points, drawn in one colour and listed in the legend.
    public struct Series: Sendable {
        public var name: String
        public var points: [Point]
        public init(name: String, points: [Point]) {
            self.name = name
            self.points = points
        }
    }

    /// One point `(x, y)` in data coordinates.
    public struct Point: Sendable {
        public var x: Double
        public var y: Double
        public init(x: Double, y: Double) {
            self.x = x
            self.y = y
        }
    }

    public var title: String
    /// Up to two smaller lines under the title (the formula, counts such as "n plotted, m skipped").
    public var subtitles: [String]
    public var xLabel: String
    public var yLabel: String
    public var series: [Series]
    /// Whether to draw the dashed line `y = x`.
    public var identityLine: Bool

    public init(title: String, subtitles: [String] = [], xLabel: String, yLabel: String,
                series: [Series], identityLine: Bool = true) {
        self.title = title
        self.subtitles = subtitles
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.series = series
        self.identityLine = identityLine
    }

    /// Whether a point can be drawn on log axes: both coordinates finite and > 0.
    public static func isPlottable(_ p: Point) -> Bool {
        p.x > 0 && p.y > 0 && p.x.isFinite && p.y.isFinite
    }

    /// Points drawn.
    public var plottedCount: Int { series.reduce(0) { $0 + $1.points.filter(Self.isPlottable).count } }

    /// Points skipped because a coordinate is zero, negative or not finite.
    public var skippedCount: Int { series.reduce(0) { $0 + $1.points.count } - plottedCount }

    /// The shared decade range `(lo, hi)`, `hi > lo`; `(-1, 1)` when nothing is plottable.
    public var decades: (lo: Int, hi: Int) {
        var lo = Double.infinity, hi = -Double.infinity
        for s in series {
            for p in s.points where Self.isPlottable(p) {
                let lx = log10(p.x), ly = log10(p.y)
                lo = min(lo, lx, ly)
                hi = max(hi, lx, ly)
            }
        }
        guard lo.isFinite, hi.isFinite else { return (-1, 1) }
        let l = Int(lo.rounded(.down)), h = Int(hi.rounded(.up))
        return (l, max(h, l + 1))
    }

    // Layout (pixels).
    static let width = 800.0, height = 630.0
    static let left = 100.0, top = 90.0, side = 440.0
    static let colours = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#000000"]

    /// Label step and minor-tick step, in decades, for an axis spanning `span` decades.
    static func tickSteps(span: Int) -> (step: Int, minor: Int) {
        let steps = [(1, 1), (2, 1), (5, 1), (10, 2), (20, 5), (50, 10), (100, 20), (200, 50), (500, 100)]
        return steps.first { span <= 8 * $0.0 } ?? (1000, 200)
    }

    /// The SVG document.
    public func svg() -> String {
        let (lo, hi) = decades
        let span = Double(hi - lo)
        let l = Self.left, t = Self.top, s = Self.side
        func px(_ x: Double) -> Double { l + (log10(x) - Double(lo)) / span * s }
        func py(_ y: Double) -> Double { t + s - (log10(y) - Double(lo)) / span * s }

        var out = """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(fixed(Self.width, 2))" height="\(fixed(Self.height, 2))" \
        viewBox="0 0 \(fixed(Self.width, 2)) \(fixed(Self.height, 2))" font-family="sans-serif" font-size="12">
        <rect width="100%" height="100%" fill="white"/>
        <text x="\(fixed(Self.width / 2, 2))" y="28" text-anchor="middle" font-size="16">\(xmlEscape(title))</text>

        """
        for (i, line) in subtitles.prefix(2).enumerated() {
            out += "<text x=\"\(fixed(Self.width / 2, 2))\" y=\"\(fixed(50 + 17 * Double(i), 2))\" text-anchor=\"middle\" fill=\"#444\">"
                + "\(xmlEscape(line))</text>\n"
        }

        // Decade grid, ticks and labels: labels (and grid lines) every `step` decades, the first
        // round step that leaves at most eight labels per axis; minor ticks every `minor` decades.
        let (step, minor) = Self.tickSteps(span: hi - lo)
        out += "<g stroke=\"#ddd\" stroke-width=\"1\">\n"
        for k in lo...hi where k.isMultiple(of: step) {
            let x = l + Double(k - lo) / span * s, y = t + s - Double(k - lo) / span * s
            out += "<line x1=\"\(fixed(x, 2))\" y1=\"\(fixed(t, 2))\" x2=\"\(fixed(x, 2))\" y2=\"\(fixed(t + s, 2))\"/>\n"
            out += "<line x1=\"\(fixed(l, 2))\" y1=\"\(fixed(y, 2))\" x2=\"\(fixed(l + s, 2))\" y2=\"\(fixed(y, 2))\"/>\n"
        }
        out += "</g>\n<g stroke=\"black\" stroke-width=\"1\">\n"
        for k in lo...hi where k.isMultiple(of: minor) {
            let len = k.isMultiple(of: step) ? 6.0 : 3.0
            let x = l + Double(k - lo) / span * s, y = t + s - Double(k - lo) / span * s
            out += "<line x1=\"\(fixed(x, 2))\" y1=\"\(fixed(t + s, 2))\" x2=\"\(fixed(x, 2))\" y2=\"\(fixed(t + s + len, 2))\"/>\n"
            out += "<line x1=\"\(fixed(l - len, 2))\" y1=\"\(fixed(y, 2))\" x2=\"\(fixed(l, 2))\" y2=\"\(fixed(y, 2))\"/>\n"
        }
        out += "</g>\n"
        for k in lo...hi where k.isMultiple(of: step) {
            let x = l + Double(k - lo) / span * s, y = t + s - Double(k - lo) / span * s
            out += "<text x=\"\(fixed(x, 2))\" y=\"\(fixed(t + s + 22, 2))\" text-anchor=\"middle\">10<tspan dy=\"-6\" font-size=\"9\">\(k)</tspan></text>\n"
            out += "<text x=\"\(fixed(l - 10, 2))\" y=\"\(fixed(y + 4, 2))\" text-anchor=\"end\">10<tspan dy=\"-6\" font-size=\"9\">\(k)</tspan></text>\n"
        }
        out += "<rect x=\"\(fixed(l, 2))\" y=\"\(fixed(t, 2))\" width=\"\(fixed(s, 2))\" height=\"\(fixed(s, 2))\" fill=\"none\" stroke=\"black\"/>\n"

        // Axis labels.
        out += "<text x=\"\(fixed(l + s / 2, 2))\" y=\"\(fixed(t + s + 50, 2))\" text-anchor=\"middle\" font-size=\"13\">\(xmlEscape(xLabel))</text>\n"
        let yx = l - 62, yy = t + s / 2
        out += "<text x=\"\(fixed(yx, 2))\" y=\"\(fixed(yy, 2))\" text-anchor=\"middle\" font-size=\"13\" "
            + "transform=\"rotate(-90 \(fixed(yx, 2)) \(fixed(yy, 2)))\">\(xmlEscape(yLabel))</text>\n"

        if identityLine {
            out += "<line x1=\"\(fixed(l, 2))\" y1=\"\(fixed(t + s, 2))\" x2=\"\(fixed(l + s, 2))\" y2=\"\(fixed(t, 2))\" "
                + "stroke=\"black\" stroke-width=\"1.2\" stroke-dasharray=\"6 4\"/>\n"
        }

        // Points, one group per series.
        for (i, series) in series.enumerated() {
            let colour = Self.colours[i % Self.colours.count]
            out += "<g fill=\"\(colour)\" fill-opacity=\"0.6\">\n"
            for p in series.points where Self.isPlottable(p) {
                out += "<circle cx=\"\(fixed(px(p.x), 2))\" cy=\"\(fixed(py(p.y), 2))\" r=\"2.2\"/>\n"
            }
            out += "</g>\n"
        }

        // Legend.
        var ly = t + 10
        let lx = l + s + 20
        if identityLine {
            out += "<line x1=\"\(fixed(lx, 2))\" y1=\"\(fixed(ly, 2))\" x2=\"\(fixed(lx + 24, 2))\" y2=\"\(fixed(ly, 2))\" stroke=\"black\" stroke-dasharray=\"6 4\"/>\n"
            out += "<text x=\"\(fixed(lx + 30, 2))\" y=\"\(fixed(ly + 4, 2))\">y = x</text>\n"
            ly += 20
        }
        for (i, series) in series.enumerated() {
            let colour = Self.colours[i % Self.colours.count]
            let count = series.points.filter(Self.isPlottable).count
            out += "<circle cx=\"\(fixed(lx + 12, 2))\" cy=\"\(fixed(ly, 2))\" r=\"4\" fill=\"\(colour)\"/>\n"
            out += "<text x=\"\(fixed(lx + 30, 2))\" y=\"\(fixed(ly + 4, 2))\">\(xmlEscape(series.name)) (\(count))</text>\n"
            ly += 20
        }
        out += "</svg>\n"
        return out
    }
}

/// Escapes the five XML special characters.
func xmlEscape(_ s: String) -> String {
    var out = ""
    for c in s {
        switch c {
        case "&": out += "&amp;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "\"": out += "&quot;"
        case "'": out += "&apos;"
        default: out.append(c)
        }
    }
    return out
}
