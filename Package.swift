// swift-tools-version: 6.0
// pvar: exact DPO gradients, preference variance (PVar) and the bounds that relate them.
//
// Pipeline, one target per stage:
//   CPairKernel the vectorised C kernels (O(K^2) pair sums, O(K^2 d) noise, Dot2 feature products): built
//              for SSE2, AVX2 and AVX-512, chosen at run time, bit-identical results (optimised
//              even in debug builds)
//   PVarCore   the math (Swift, no GSL): problem, exact evaluation, bounds, input schema
//   CGSL       system library: the GNU Scientific Library (Debian libgsl-dev)
//   PVarGSL    GSL-backed random instances, distributions and numerical derivatives
//   PVarVerify randomized bound checks and the C1 counterexample
//   PVarReport Markdown reports and SVG plots
//   CArb       system library: Arb ball arithmetic (Debian libflint-arb-dev, no pkg-config)
//   PVarCertify rigorous re-evaluation in ball arithmetic (certified verdicts)
//   pvar       the command-line tool
import PackageDescription

let package = Package(
    name: "pvar",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "pvar", targets: ["pvar"]),
        .library(name: "PVarCore", targets: ["PVarCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        .target(
            name: "CPairKernel",
            // -O2 in every configuration (the tests' debug build would otherwise run the kernel
            // unoptimised); no FMA contraction, so every instruction set gives the same bits.
            cSettings: [.unsafeFlags(["-O2", "-ffp-contract=off"])]
        ),
        .target(name: "PVarCore", dependencies: ["CPairKernel"]),
        .systemLibrary(
            name: "CGSL",
            pkgConfig: "gsl",
            providers: [.apt(["libgsl-dev"])]
        ),
        .target(name: "PVarGSL", dependencies: ["PVarCore", "CGSL"]),
        .target(name: "PVarVerify", dependencies: ["PVarCore", "PVarGSL", "PVarCertify"]),
        .target(name: "PVarReport", dependencies: ["PVarCore", "PVarGSL", "PVarVerify", "PVarCertify"]),
        .systemLibrary(name: "CArb", path: "Sources/CArb"),
        .target(name: "PVarCertify", dependencies: ["PVarCore", "CArb"]),
        .executableTarget(
            name: "pvar",
            dependencies: [
                "PVarCore", "PVarGSL", "PVarVerify", "PVarReport", "PVarCertify",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "PVarCoreTests", dependencies: ["PVarCore"]),
        .testTarget(name: "PVarPropertyTests", dependencies: ["PVarCore", "PVarGSL", "PVarVerify", "PVarCertify"]),
        .testTarget(name: "PVarCLITests", dependencies: ["PVarCore", "PVarGSL"]),
        .testTarget(name: "PVarCertifyTests", dependencies: ["PVarCore", "PVarCertify"]),
    ]
)
