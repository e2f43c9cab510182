// The repository's Proofs folder as the explorer serves it: Markdown pages with anchored
// headings, the walkthrough's example instances as presets, and the link of each quantity.

import Foundation
import PVarCore
import PVarReport

/// The Proofs folder (the walkthrough, the setting, one file per statement, `examples/`).
public struct ProofsLibrary: Sendable {
    /// The folder, or nil when none was found (the page then has no presets and no links).
    public let directory: URL?

    /// `directory` if given; else the `Proofs` folder of the source tree this server was built
    /// from (found from this file's path, so `swift run pvar serve` works from any directory);
    /// else `./Proofs`.
    public init(directory: String? = nil) {
        let candidates: [URL]
        if let d = directory {
            candidates = [URL(fileURLWithPath: d)]
        } else {
            let source = URL(fileURLWithPath: #filePath)
            candidates = [source.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
                            .appendingPathComponent("Proofs"),
                          URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent("Proofs")]
        }
        self.directory = candidates.first { url in
            FileManager.default.fileExists(atPath: url.appendingPathComponent("walkthrough.md").path)
        }
    }

    /// The text of `name` (a file directly in the folder, letters, digits and `-` then `.md`;
    /// nothing else is ever read).
    func markdown(_ name: String) -> String? {
        guard let dir = directory, name.hasSuffix(".md"),
              name.dropLast(3).allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }), name.count > 3,
              let data = FileManager.default.contents(atPath: dir.appendingPathComponent(name).path) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    /// GitHub's anchor of a heading: lower case, punctuation dropped, spaces to `-`
    /// ("## 3. Preference variance (PVar)" -> `3-preference-variance-pvar`).
    static func anchor(_ heading: String) -> String {
        let text = heading.drop { $0 == "#" }.trimmingCharacters(in: .whitespaces).lowercased()
        return String(text.compactMap { c -> Character? in
            if c == " " { return "-" }
            return c.isLetter || c.isNumber || c == "-" || c == "_" ? c : nil
        })
    }

    /// The first heading of `file` whose text contains `key`, as `/docs/FILE#anchor`
    /// (`/docs/FILE` for an empty key). Nil if there is no such file or heading.
    public func link(_ file: String, _ key: String = "") -> String? {
        guard let text = markdown(file) else { return nil }
        if key.isEmpty { return "/docs/\(file)" }
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) where line.hasPrefix("#") && line.contains(key) {
            return "/docs/\(file)#\(Self.anchor(String(line)))"
        }
        return nil
    }

    /// Where the page's labels point: each quantity to the section defining it.
    static let linkTargets: [(quantity: String, file: String, heading: String)] = [
        ("policy", "walkthrough.md", "1. One prompt"),
        ("loss", "walkthrough.md", "2. DPO on one prompt"),
        ("gradient", "walkthrough.md", "2. DPO on one prompt"),
        ("implicitRewards", "setting.md", "2. Reference, temperature, implicit reward"),
        ("preferences", "setting.md", "3. Preferences"),
        ("pairs", "setting.md", "4. Pairs"),
        ("pvarPolicy", "walkthrough.md", "3. Preference variance"),
        ("pvarLabels", "walkthrough.md", "3. Preference variance"),
        ("scoreBound", "setting.md", "7. Disagreement, score spread, score bound"),
        ("statements", "setting.md", "8. The statements as posed"),
        ("atReference", "B2-at-reference.md", "Assumptions"),
        ("B0", "B0-cauchy-schwarz.md", ""),
        ("B1", "B1-minkowski.md", ""),
        ("B2", "B2-at-reference.md", ""),
        ("B3", "B3-chebyshev.md", ""),
        ("C1", "C1-policy-pvar-alone.md", ""),
        ("certify", "setting.md", "8. The statements as posed"),
    ]

    /// Every quantity's link (only those whose file and heading exist).
    public func links() -> [(quantity: String, url: String)] {
        Self.linkTargets.compactMap { t in link(t.file, t.heading).map { (t.quantity, $0) } }
    }

    /// A preset: a name, what it shows, where it is explained, and its draft.
    public struct Preset: Sendable {
        public let name: String
        public let link: String?
        public let draft: ExplorerDraft
    }

    /// The walkthrough's examples (read from `examples/`, the files its commands evaluate) and
    /// C1's instance (two equally likely responses at the reference with reward gap 10: PVar of
    /// the policy is 0 while the gradient is near beta G / 2).
    public func presets() -> [Preset] {
        let examples: [(name: String, file: String, heading: String)] = [
            ("Example 1: two responses, uniform, at the reference", "k2-uniform-reference.json", "Example 1"),
            ("Example 2: two responses, skewed reference", "k2-skewed-reference.json", "Example 2"),
            ("Example 3: tabular, at a non-uniform reference", "k3-tabular-reference.json", "Example 3"),
            ("Example 4: features, beta = 0.1", "k3-features.json", "Example 4"),
            ("Example 5: the policy has moved, coin-flip labels", "k2-away-from-reference.json", "Example 5"),
            ("Example 6: a small reward gap", "k2-small-gap.json", "Example 6"),
        ]
        var out: [Preset] = []
        if let dir = directory {
            for e in examples {
                guard let data = FileManager.default.contents(atPath: dir.appendingPathComponent("examples/\(e.file)").path),
                      let problem = try? InstanceFile.parse(data), let draft = ExplorerDraft(problem) else { continue }
                out.append(Preset(name: e.name, link: link("walkthrough.md", e.heading), draft: draft))
            }
        }
        out.append(Preset(name: "C1: PVar of the policy is 0, the gradient is not small",
                          link: link("C1-policy-pvar-alone.md"),
                          draft: ExplorerDraft(beta: 1, logits: [0, 0], referenceWeights: [0.5, 0.5], rewards: [10, 0])))
        return out
    }

    /// `GET /api/setup`: the presets and the links, one JSON object.
    public func setupJSON() -> String {
        let presets = presets().map { p in
            "{\"name\": \(jsonString(p.name)), \"link\": \(p.link.map(jsonString) ?? "null"), \"draft\": "
                + ExplorerAPI.encode(p.draft).trimmingCharacters(in: .whitespacesAndNewlines) + "}"
        }
        let links = links().map { "\(jsonString($0.quantity)): \(jsonString($0.url))" }
        return "{\"presets\": [" + presets.joined(separator: ", ") + "], \"links\": {" + links.joined(separator: ", ") + "}}\n"
    }

    /// `GET /docs/NAME`: the Markdown as written (formulas in TeX), in a readable page whose
    /// headings carry their anchors; nil when there is no such page.
    public func htmlPage(_ name: String) -> String? {
        guard let text = markdown(name) else { return nil }
        var body = ""
        var inCode = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let s = String(line)
            if s.hasPrefix("```") { inCode.toggle() }
            if !inCode, s.hasPrefix("#") {
                let level = min(s.prefix { $0 == "#" }.count, 6)
                body += "<h\(level) id=\"\(Self.anchor(s))\">\(escape(s))</h\(level)>\n"
            } else {
                body += escape(s) + "\n"
            }
        }
        return """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><title>\(escape(name))</title>
        <style>body{font:18px/1.5 system-ui,sans-serif;max-width:60em;margin:1em auto;padding:0 1em}
        .md{white-space:pre-wrap;font-family:ui-monospace,monospace;font-size:16px}
        h1,h2,h3,h4{font-family:ui-monospace,monospace;margin:.6em 0 .2em}</style></head>
        <body><p><a href="/">Back to the explorer</a> · Proofs/\(escape(name)) as written (formulas in TeX)</p>
        <div class="md">\(body)</div></body></html>
        """
    }
}

/// `&`, `<`, `>` and `"` escaped for HTML.
func escape(_ s: String) -> String {
    s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
        .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
}
