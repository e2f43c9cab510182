// Sweeps give the same result whatever the thread count, and merged shards give the single run.

import Foundation
import PVarCore
import PVarGSL
import PVarVerify
import PVarTestSupport
import Testing

@Suite("Sharding")
struct ShardingTests {
    @Test("checkBound: 1 thread and 2 threads give identical results", arguments: BoundID.allCases)
    func threadCountDoesNotMatter(_ bound: BoundID) async {
        let one = await checkBound(bound, instances: 1500, runSeed: runSeed, sampleLimit: 300, threads: 1)
        let two = await checkBound(bound, instances: 1500, runSeed: runSeed, sampleLimit: 300, threads: 2)
        #expect(one == two)
    }

    @Test("4 shards merged equal 1 run, including the saved JSON byte for byte", arguments: BoundID.allCases)
    func mergedShardsEqualSingleRun(_ bound: BoundID) async throws {
        let whole = await checkBound(bound, instances: 1500, runSeed: runSeed, sampleLimit: 300)
        var parts: [CheckResult] = []
        for i in [2, 0, 3, 1] {   // any order
            parts.append(await checkBound(bound, instances: 1500, runSeed: runSeed, sampleLimit: 300, shard: Shard(index: i, count: 4)))
        }
        let merged = try mergeCheckResults(parts)
        #expect(merged == whole)
        #expect(try CheckRun(results: [merged]).json() == CheckRun(results: [whole]).json())
        // A saved run reads back to the same results.
        let json = try CheckRun(results: [whole]).json()
        #expect(try CheckRun.parse(Data(json.utf8), file: "test") == CheckRun(results: [whole]))
    }

    @Test("merging refuses incomplete, duplicated or foreign shards")
    func mergeRejectsBadShardSets() async throws {
        let a = await checkBound(.B0, instances: 100, runSeed: runSeed, shard: Shard(index: 0, count: 2))
        let b = await checkBound(.B0, instances: 100, runSeed: runSeed, shard: Shard(index: 1, count: 2))
        let other = await checkBound(.B0, instances: 100, runSeed: runSeed &+ 1, shard: Shard(index: 1, count: 2))
        #expect(throws: MergeError.self) { try mergeCheckResults([a]) }
        #expect(throws: MergeError.self) { try mergeCheckResults([a, a]) }
        #expect(throws: MergeError.self) { try mergeCheckResults([a, other]) }
        #expect(try mergeCheckResults([a, b]).instances == 100)
        // Equal per-shard counts, different runs: 100 vs 99 instances (shard 0 holds 50 in both)
        // and the same count with other instance shapes.
        let shorter = await checkBound(.B0, instances: 99, runSeed: runSeed, shard: Shard(index: 1, count: 2))
        let smaller = await checkBound(.B0, instances: 100, runSeed: runSeed, limits: GeneratorLimits(responses: 2...3, dimension: 1...2),
                                       shard: Shard(index: 1, count: 2))
        #expect(shorter.instances == b.instances - 1 && smaller.instances == b.instances)
        #expect(throws: MergeError.self) { try mergeCheckResults([a, shorter]) }
        #expect(throws: MergeError.self) { try mergeCheckResults([a, smaller]) }
        #expect(Shard(parsing: "3/2") == nil && Shard(parsing: "1/0") == nil && Shard(parsing: "2/4") == Shard(index: 2, count: 4))
    }
}
