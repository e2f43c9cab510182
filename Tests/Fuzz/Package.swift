// swift-tools-version: 6.0
// Coverage-guided fuzzing of pvar's input surfaces with libFuzzer (Swift's `-sanitize=fuzzer`,
// with the address sanitizer). Built and run by `make fuzz` from the repository root; the
// bodies of the targets are the main package's PVarFuzzTargets (Tests/Fuzz/Targets), which
// the FuzzRegressions suite also runs on every seed input and pinned crash. README.md here.
import PackageDescription

let package = Package(
    name: "pvar-fuzz",
    dependencies: [.package(name: "pvar", path: "../..")],
    targets: [
        .target(name: "FuzzDriver", dependencies: [.product(name: "PVarFuzzTargets", package: "pvar")], path: "Drivers/FuzzDriver"),
        .executableTarget(name: "FuzzInstance", dependencies: ["FuzzDriver"], path: "Drivers/FuzzInstance"),
        .executableTarget(name: "FuzzSequence", dependencies: ["FuzzDriver"], path: "Drivers/FuzzSequence"),
        .executableTarget(name: "FuzzSelectLines", dependencies: ["FuzzDriver"], path: "Drivers/FuzzSelectLines"),
        .executableTarget(name: "FuzzShard", dependencies: ["FuzzDriver"], path: "Drivers/FuzzShard"),
        .executableTarget(name: "FuzzClaim", dependencies: ["FuzzDriver"], path: "Drivers/FuzzClaim"),
    ]
)
