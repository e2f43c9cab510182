// Shared by the C kernels: fixed-width vector lanes (clang vector extensions) and the run-time
// choice of instruction set. Private to the CPairKernel target.
#ifndef PVAR_LANES_H
#define PVAR_LANES_H

#include "pair_kernel.h"

#include <math.h>
#include <string.h>

#if !defined(__clang__)
#error "pair_kernel.c needs clang's vector extensions (the Swift toolchain's clang)"
#endif

typedef double lanes __attribute__((ext_vector_type(PVAR_KERNEL_LANES)));
/// The lane type of a comparison of two `lanes` (64-bit integers; `long` or `long long` by platform).
typedef __typeof__((lanes)0.0 < (lanes)0.0) lane_mask;

#define INLINE static inline __attribute__((always_inline))

INLINE lanes load(const double *p) { lanes x; memcpy(&x, p, sizeof x); return x; }
INLINE void store(double *p, lanes x) { memcpy(p, &x, sizeof x); }
INLINE lanes splat(double x) { return (lanes)x; }
/// a b + c, rounded twice (no contraction: the same bits with or without an FMA unit).
INLINE lanes mul_add(lanes a, lanes b, lanes c) { return a * b + c; }
INLINE lanes select_(lane_mask m, lanes a, lanes b) { return m ? a : b; }

/// Exact product error: a b - fl(a b) (hardware FMA on AVX2 / AVX-512, libm `fma` on the
/// generic build: the same exact value either way).
INLINE lanes product_error(lanes a, lanes b, lanes p) { return __builtin_elementwise_fma(a, b, -p); }

/// Runs `name##_generic`, `name##_avx2` or `name##_avx512` for the resolved level.
#if defined(__x86_64__)
#define PVAR_DISPATCH(level, name, ...) do { \
        switch (pvar_pair_kernel_level(level)) { \
        case 3: name##_avx512(__VA_ARGS__); break; \
        case 2: name##_avx2(__VA_ARGS__); break; \
        default: name##_generic(__VA_ARGS__); break; \
        } } while (0)
#define PVAR_TARGET_AVX2 __attribute__((target("avx2,fma")))
#define PVAR_TARGET_AVX512 __attribute__((target("avx512f,avx512dq,avx512vl,avx2,fma")))
#else
#define PVAR_DISPATCH(level, name, ...) name##_generic(__VA_ARGS__)
#endif

#endif
