// swift-tools-version: 6.0
// pvar: exact DPO gradients, preference variance (PVar) and the bounds that relate them.
//
// One module per job, in pipeline order; each may import only the modules listed after it in
// its row (the `Architecture` suite reads every `import` under Sources/ and holds this table;
// each library module has a README.md saying its job and entry points):
//   CPairKernel  vectorised C kernels (O(K^2) pair sums, O(K^2 d) noise, Dot2 feature products):
//                SSE2, AVX2, AVX-512 chosen at run time, bit-identical; optimised in debug builds too
//   PVarCore     the math and the statement table (no GSL, no Arb)          <- CPairKernel
//   PVarSelect   `pvar select`: JSON Lines parser, selection size rule, radix threshold <- PVarCore
//   CGSL         system library: the GNU Scientific Library (Debian libgsl-dev)
//   PVarGSL      GSL wrappers only: random source, samplers, instance generator, simplex, fit,
//                derivative, Student-t quantile                              <- PVarCore, CGSL
//   CArb         system library: Arb ball arithmetic (Debian libflint-arb-dev, no pkg-config)
//   PVarCertify  ball arithmetic and certified verdicts                       <- PVarCore, CArb
//   PVarVerify   the statements checked: bound checks and shards, tightness searches, witness
//                families, the edge-case catalogue              <- PVarCore, PVarGSL, PVarCertify
//   PVarStudies  experiments: the PVar estimator study, the selection simulation, their
//                statistics                                     <- PVarCore, PVarGSL, PVarSelect
//   PVarReport   every Markdown, JSON table and SVG                <- all of the above (no C)
//   PVarServe    the bound explorer: web page, JSON API, /docs      <- PVarCore, PVarCertify, PVarReport,
//                                                                      Hummingbird
//   pvar-serve   the explorer's executable (`pvar serve` runs it)   <- PVarServe, PVarReport, ArgumentParser
//   pvar         the command-line tool: argument parsing only   <- the Swift modules, ArgumentParser
import PackageDescription

let package = Package(
    name: "pvar",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "pvar", targets: ["pvar"]),
        .library(name: "PVarCore", targets: ["PVarCore"]),
        .library(name: "PVarSelect", targets: ["PVarSelect"]),
        // The fuzz targets' bodies, for the libFuzzer drivers in Tests/Fuzz (`make fuzz`).
        .library(name: "PVarFuzzTargets", targets: ["PVarFuzzTargets"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // The explorer's web server (PVarServe only).
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        .target(
            name: "CPairKernel",
            // -O2 in every configuration (the tests' debug build would otherwise run the kernel
            // unoptimised); no FMA contraction, so every instruction set gives the same bits.
            exclude: ["README.md"],
            cSettings: [.unsafeFlags(["-O2", "-ffp-contract=off"])]
        ),
        .target(name: "PVarCore", dependencies: ["CPairKernel"], exclude: ["README.md"]),
        .target(name: "PVarSelect", dependencies: ["PVarCore"], exclude: ["README.md"]),
        .systemLibrary(
            name: "CGSL",
            pkgConfig: "gsl",
            providers: [.apt(["libgsl-dev"])]
        ),
        .target(name: "PVarGSL", dependencies: ["PVarCore", "CGSL"], exclude: ["README.md"]),
        .systemLibrary(name: "CArb", path: "Sources/CArb"),
        .target(name: "PVarCertify", dependencies: ["PVarCore", "CArb"], exclude: ["README.md"]),
        .target(name: "PVarVerify", dependencies: ["PVarCore", "PVarGSL", "PVarCertify"], exclude: ["README.md"]),
        .target(name: "PVarStudies", dependencies: ["PVarCore", "PVarGSL", "PVarSelect"], exclude: ["README.md"]),
        .target(name: "PVarReport", dependencies: [
            "PVarCore", "PVarSelect", "PVarGSL", "PVarCertify", "PVarVerify", "PVarStudies",
        ], exclude: ["README.md"]),
        // The bound explorer: a Hummingbird server with one page and a JSON API over PVarCore
        // (the evaluate and certify outputs are PVarReport's, so the same bytes as the CLI).
        .target(name: "PVarServe", dependencies: [
            "PVarCore", "PVarCertify", "PVarReport",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
        ], exclude: ["README.md"]),
        // `pvar serve` runs this executable (next to `pvar`, building it first if it is missing),
        // so `pvar` itself links no server code. (A target dependency of `pvar` on it would link
        // its libraries into `pvar`: SwiftPM links an executable dependency's library targets.)
        .executableTarget(
            name: "pvar-serve",
            dependencies: ["PVarServe", "PVarReport", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Sources/PVarServeMain",
            exclude: ["README.md"]
        ),
        .executableTarget(
            name: "pvar",
            dependencies: [
                "PVarCore", "PVarSelect", "PVarGSL", "PVarCertify", "PVarVerify", "PVarStudies", "PVarReport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            exclude: ["README.md"]
        ),
        // Tests: one target per module, plus the CLI's and a small shared support target
        // (run seed, replay messages, tolerances; seeded instances from PVarGSL).
        .target(name: "PVarTestSupport", dependencies: ["PVarCore", "PVarGSL"], path: "Tests/PVarTestSupport"),
        // The bodies of the fuzz targets (one function per input surface), shared by the libFuzzer
        // drivers (the package in Tests/Fuzz) and the FuzzRegressions suite.
        .target(name: "PVarFuzzTargets", dependencies: ["PVarCore", "PVarSelect", "PVarCertify", "PVarVerify"],
                path: "Tests/Fuzz/Targets"),
        .testTarget(name: "PVarCoreTests", dependencies: ["PVarCore"]),
        .testTarget(name: "PVarSelectTests", dependencies: ["PVarSelect", "PVarTestSupport"]),
        .testTarget(name: "PVarCertifyTests", dependencies: ["PVarCertify"]),
        .testTarget(name: "PVarVerifyTests", dependencies: ["PVarVerify", "PVarTestSupport", "PVarFuzzTargets"]),
        .testTarget(name: "PVarStudiesTests", dependencies: ["PVarStudies", "PVarTestSupport"]),
        .testTarget(name: "PVarReportTests", dependencies: ["PVarReport"]),
        .testTarget(name: "PVarCLITests", dependencies: ["PVarCore", "PVarGSL", "PVarTestSupport"], exclude: ["Help"]),
        .testTarget(name: "PVarServeTests", dependencies: [
            "PVarServe", "PVarCore", "PVarGSL", "PVarTestSupport",
            .product(name: "HummingbirdTesting", package: "hummingbird"),
            .product(name: "NIOCore", package: "swift-nio"),
        ]),
    ]
)
