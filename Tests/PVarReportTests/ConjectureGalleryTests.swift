// Reports/conjectures.md against the gallery's rows: the committed report shows every claim, in
// order, with the verdict its proof predicts.

import Foundation
@testable import PVarReport
import Testing

@Suite("ConjectureGallery")
struct ConjectureGalleryTests {
    static let report = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Reports/conjectures.md")

    @Test("at least a dozen claims, among them the readings the issue asks for, and a violated and a not-refuted one")
    func coverage() {
        #expect(galleryEntries.count >= 12)
        let claims = galleryEntries.map(\.claim)
        for needle in ["sqrt(pvarPolicy)", "* pvarLabels", "fisherTrace", "scoreSpread * sqrt(pvarLabels)", "snr",
                       "C * beta * scoreBound * pvarLabels^(1/3)"] {
            #expect(claims.contains { $0.contains(needle) }, "no gallery claim uses \(needle)")
        }
        #expect(galleryEntries.contains { !$0.assumptions.atReference && $0.claim.hasSuffix("sqrt(pvarLabels)") }, "B2 off the reference")
        #expect(galleryEntries.contains { !$0.claim.contains("beta") && $0.claim.hasPrefix("gradientNorm") }, "a bound without beta")
        #expect(Set(galleryEntries.map(\.expected.rawValue)) == ["violated", "not refuted", "undecided"])
        #expect(galleryEntries.contains { $0.assumptions.sequence != nil }, "a claim on sequence policies")
    }

    @Test("the committed Reports/conjectures.md lists every gallery claim in order with the predicted verdict")
    func committedReportMatchesTheRows() throws {
        let text = try String(contentsOf: Self.report, encoding: .utf8)
        // The summary table: the rows after its header, up to the first line that is not a row.
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let header = try #require(lines.firstIndex { $0.hasPrefix("| # | reading | claim |") }, "no summary table")
        let rows = lines[(header + 2)...].prefix { $0.hasPrefix("| ") }
        #expect(rows.count == galleryEntries.count, "rows \(rows.count), entries \(galleryEntries.count): rerun make report")
        for (row, entry) in zip(rows, galleryEntries) {
            #expect(row.contains("`\(entry.claim)`"), "row \(row) does not show \(entry.claim)")
            #expect(row.contains("**\(entry.expected.rawValue)**"), "row \(row): expected \(entry.expected.rawValue)")
        }
    }
}
