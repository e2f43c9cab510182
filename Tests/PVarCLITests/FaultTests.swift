// Faults a user's machine produces: a process killed with `kill -9` in the middle of writing, a
// reader that closes the pipe early, an output path that cannot be written, a full disk (a
// file-size limit). The tool must leave no partial or corrupt file, keep earlier outputs intact,
// and say what went wrong in one line.

import Foundation
import Testing

@Suite("Faults", .serialized)
struct FaultTests {
    /// A fresh empty directory.
    static func directory(_ name: String) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pvar-faults-\(name)-\(getpid())")
        try? FileManager.default.removeItem(at: dir)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// Everything in `dir`, hidden files included (a leftover temporary file is hidden).
    static func entries(_ dir: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
    }

    /// A JSON Lines input of `count` prompts with 8 rewards each (deterministic).
    static func prompts(_ count: Int) -> String {
        var out = ""
        out.reserveCapacity(count * 80)
        var x: UInt64 = 0x9E37_79B9_7F4A_7C15
        for i in 0..<count {
            var rewards: [String] = []
            for _ in 0..<8 {
                x = x &* 6364136223846793005 &+ 1442695040888963407
                rewards.append(String(Double(x >> 11) * 0x1p-53 * 4 - 2))
            }
            out += "{\"id\": \"p\(i)\", \"rewards\": [\(rewards.joined(separator: ", "))]}\n"
        }
        return out
    }

    /// Runs `command` in bash and returns its result (for `ulimit`, pipes and `kill -9`).
    static func bash(_ command: String) throws -> RunResult {
        try run("/bin/bash", ["-c", command])
    }

    @Test("kill -9 while pvar select --output writes: the target is absent or complete, and no temporary file is left")
    func killedSelectLeavesNoPartialFile() throws {
        let dir = try Self.directory("select-kill")
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("prompts.jsonl")
        try Data(Self.prompts(100_000).utf8).write(to: input)
        let full = dir.appendingPathComponent("full.jsonl")
        let start = Date()
        let whole = try pvar(["select", "--top", "10%", "--input", input.path, "--output", full.path])
        let duration = Date().timeIntervalSince(start)
        try #require(whole.status == 0, "\(whole.stderr)")
        let expected = try Data(contentsOf: full)
        // Kills spread over the run, the last ones while the output is being written (the
        // selected lines go out in a second pass over the input, in the last part of the run).
        let delays = [0.1, 0.5, 0.8, 0.9, 0.97].map { String(format: "%.3f", $0 * duration) }
        for (n, delay) in delays.enumerated() {
            let out = dir.appendingPathComponent("killed-\(n).jsonl")
            let r = try Self.bash("\(pvarBinary) select --top 10% --input \(input.path) --output \(out.path) & pid=$!; sleep \(delay); kill -9 $pid; wait $pid; echo $?")
            let written = FileManager.default.fileExists(atPath: out.path)
            if written { #expect(try Data(contentsOf: out) == expected, "killed after \(delay) s: a partial output") }
            print("Faults: select killed after \(delay) s (status \(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines))): output \(written ? "complete" : "absent")")
        }
        let left = try Self.entries(dir)
        #expect(left.allSatisfy { !$0.hasPrefix(".") }, "temporary files left: \(left)")
    }

    @Test("kill -9 during a sharded run (pvar report --shard): the shard file is absent or complete, no temporary file is left")
    func killedShardLeavesNoPartialFile() throws {
        let dir = try Self.directory("shard-kill")
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try Self.bash("\(pvarBinary) report --shard 0/2 --instances 400000 --out \(dir.path) > /dev/null & pid=$!; sleep 1; kill -9 $pid; wait $pid; echo $?")
        #expect(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "137", "the run ended before the kill: \(r.stdout) \(r.stderr)")
        let entries = try Self.entries(dir)
        #expect(entries.allSatisfy { !$0.hasPrefix(".") }, "temporary files left: \(entries)")
        for name in entries {
            let data = try Data(contentsOf: dir.appendingPathComponent(name))
            #expect((try? JSONSerialization.jsonObject(with: data)) != nil, "\(name) is not complete JSON")
        }
    }

    @Test("kill -9 during pvar report: every file in the output directory is the committed one or a complete new one; no temporary file is left")
    func killedReportLeavesEveryFileComplete() throws {
        let dir = try Self.directory("report-kill")
        defer { try? FileManager.default.removeItem(at: dir) }
        let committed = packageRoot.appendingPathComponent("Reports")
        let names = try FileManager.default.contentsOfDirectory(atPath: committed.path).filter { !$0.hasPrefix(".") }.sorted()
        for name in names {
            try FileManager.default.copyItem(at: committed.appendingPathComponent(name), to: dir.appendingPathComponent(name))
        }
        _ = try Self.bash("\(pvarBinary) report --out \(dir.path) --seed 1 --instances 100000 > /dev/null 2>&1 & pid=$!; sleep 20; kill -9 $pid; wait $pid")
        let after = try Self.entries(dir)
        #expect(after.allSatisfy { !$0.hasPrefix(".") }, "temporary files left: \(after)")
        var changed = 0
        for name in after {
            let url = dir.appendingPathComponent(name)
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            let data = try Data(contentsOf: url)
            if let old = try? Data(contentsOf: committed.appendingPathComponent(name)), old == data { continue }
            changed += 1
            // Rewritten: it must be a whole file of its kind.
            let text = String(decoding: data, as: UTF8.self)
            #expect(text.hasSuffix("\n"), "\(name): rewritten and not newline-terminated")
            if name.hasSuffix(".svg") { #expect(text.contains("</svg>"), "\(name): a partial SVG") }
            if name.hasSuffix(".json") { #expect((try? JSONSerialization.jsonObject(with: data)) != nil, "\(name): partial JSON") }
        }
        print("Faults: report killed after 20 s; \(changed) of \(after.count) files rewritten, all complete")
    }

    @Test("pvar select ... | head -1 ends quietly: nothing on stderr, exit 0 or the SIGPIPE status 141, never a crash")
    func closedPipeIsQuiet() throws {
        let dir = try Self.directory("pipe")
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("prompts.jsonl")
        try Data(Self.prompts(50_000).utf8).write(to: input)
        // Also with SIGPIPE ignored by the parent (`trap '' PIPE`; inherited through exec, as a
        // parent using SwiftNIO would pass it on): pvar restores the default and still ends quietly.
        for prefix in ["", "trap '' PIPE; "] {
            let r = try Self.bash("\(prefix)\(pvarBinary) select --top 10% --input \(input.path) | head -1 > /dev/null; echo ${PIPESTATUS[0]}")
            let status = r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(status == "0" || status == "141", "\(prefix)status \(status)")
            #expect(r.stderr.isEmpty, "\(prefix)stderr: \(r.stderr)")
        }
    }

    @Test("an output path that cannot be written: one line naming the option, a non-zero exit")
    func unwritableOutputIsOneLine() throws {
        let dir = try Self.directory("unwritable")
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("prompts.jsonl")
        try Data(Self.prompts(100).utf8).write(to: input)
        let plain = dir.appendingPathComponent("a-file")
        try Data("x\n".utf8).write(to: plain)
        for target in [plain.appendingPathComponent("out.jsonl").path, dir.appendingPathComponent("missing/out.jsonl").path] {
            let r = try pvar(["select", "--top", "10%", "--input", input.path, "--output", target])
            #expect(r.status != 0)
            #expect(r.stderr.split(separator: "\n").count == 1 && r.stderr.contains("--output"), "\(r.stderr)")
        }
        let check = try pvar(["check", "--instances", "10", "--save", plain.appendingPathComponent("run.json").path])
        #expect(check.status != 0 && check.stderr.split(separator: "\n").count == 1 && check.stderr.contains("--save"), "\(check.stderr)")
        #expect(try Data(contentsOf: plain) == Data("x\n".utf8))
    }

    @Test("a full disk (a file-size limit): one line, a non-zero exit, the earlier output byte for byte intact, no temporary file")
    func fullDiskKeepsEarlierOutputs() throws {
        let dir = try Self.directory("full-disk")
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("prompts.jsonl")
        try Data(Self.prompts(20_000).utf8).write(to: input)
        let out = dir.appendingPathComponent("selected.jsonl")
        let first = try pvar(["select", "--top", "10%", "--input", input.path, "--output", out.path])
        try #require(first.status == 0, "\(first.stderr)")
        let before = try Data(contentsOf: out)
        // 64 KiB of file size: the input is read, the output (about 1.3 MB) cannot be written.
        let r = try Self.bash("ulimit -f 64; \(pvarBinary) select --top 5% --input \(input.path) --output \(out.path)")
        #expect(r.status != 0, "the limited run succeeded")
        #expect(r.stderr.split(separator: "\n").count == 1 && r.stderr.hasPrefix("pvar: error:"), "\(r.stderr)")
        #expect(try Data(contentsOf: out) == before, "the earlier output changed")
        // A shard file too: the earlier one stays.
        let shardDir = dir.appendingPathComponent("shards")
        try FileManager.default.createDirectory(at: shardDir, withIntermediateDirectories: true)
        let shard = try pvar(["report", "--shard", "0/2", "--instances", "2000", "--out", shardDir.path])
        try #require(shard.status == 0, "\(shard.stderr)")
        let shardFile = shardDir.appendingPathComponent("shard-0-of-2.json")
        let shardBefore = try Data(contentsOf: shardFile)
        let limited = try Self.bash("ulimit -f 16; \(pvarBinary) report --shard 0/2 --instances 3000 --out \(shardDir.path) > /dev/null")
        #expect(limited.status != 0 && limited.stderr.split(separator: "\n").count == 1, "\(limited.status): \(limited.stderr)")
        #expect(try Data(contentsOf: shardFile) == shardBefore, "the earlier shard changed")
        let left = try Self.entries(dir) + Self.entries(shardDir)
        #expect(left.allSatisfy { !$0.hasPrefix(".") }, "temporary files left: \(left)")
    }
}

@Suite("Hypotheses")
struct HypothesisOutputTests {
    @Test("a statement whose hypotheses fail is never reported as holding or violated: holds is null, the certified verdict and a changed constant's verdict are 'not applicable'")
    func notApplicableIsNeitherHoldsNorViolated() throws {
        // Off the reference, pairs from the reference: only B0 applies.
        let file = #"{"beta": 1, "theta": [0, 1], "reference": [0.5, 0.5], "rewards": [1, 0], "pairs": "reference"}"# + "\n"
        let r = try pvar(["evaluate", "--input", "-", "--certify", "--constant", "B2=1"], stdin: file)
        try #require(r.status == 0, "\(r.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let bounds = try #require(json["bounds"] as? [String: [String: Any]])
        let certified = try #require((json["certified"] as? [String: Any])?["bounds"] as? [String: [String: Any]])
        for id in ["B1", "B2", "B3"] {
            #expect(bounds[id]?["applies"] as? Bool == false)
            #expect(bounds[id]?["holds"] is NSNull, "\(id): holds \(String(describing: bounds[id]?["holds"]))")
            #expect(certified[id]?["verdict"] as? String == "not applicable", "\(id)")
        }
        #expect(bounds["B0"]?["holds"] as? Bool == true)
        #expect(["holds", "tight"].contains(certified["B0"]?["verdict"] as? String ?? ""))
        let changed = try #require((json["certifiedWithConstant"] as? [String: [String: Any]])?["B2"])
        #expect(changed["verdict"] as? String == "not applicable")
        let md = try pvar(["evaluate", "--input", "-", "--certify", "--format", "markdown"], stdin: file)
        #expect(md.stdout.contains("| B2 |") && md.stdout.contains("not applicable"), "\(md.stdout)")
    }
}
