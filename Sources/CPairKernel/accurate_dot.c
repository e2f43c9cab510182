// Accurate (Dot2) products of the feature matrix, eight rows or columns per vector step; see
// include/pair_kernel.h. Each lane runs Ogita, Rump and Oishi's Dot2 over its own row or column
// in index order, exactly as `AccurateDotAccumulator` (Swift) does for one dot product: product
// errors by FMA (exact, so hardware and libm FMA give the same bits), sums by TwoSum. Lanes are
// independent, so the result does not depend on the instruction set or on how rows are split.
#pragma STDC FP_CONTRACT OFF
#pragma clang diagnostic ignored "-Wpsabi"

#include "lanes.h"

/// One Dot2 step on every lane: (s, c) += x y.
INLINE void dot2_add(lanes *s, lanes *c, lanes x, lanes y) {
    const lanes p = x * y, pe = product_error(x, y, p);
    const lanes t = *s + p, z = t - *s;
    const lanes se = (*s - (t - z)) + (p - z);
    *s = t;
    *c += pe + se;
}

/// Rows [begin, end): w_y = sum_k (x_yk - x_ak) t_k with each difference split exactly
/// (TwoSum) and both parts in the Dot2 sum; out: the double-double TwoSum(s, c).
INLINE void rows_body(const double *x, long cols, long anchor, const double *t, long begin, long end,
                      double *hi, double *lo) {
    const double *xa = x + anchor * cols;
    for (long y0 = begin; y0 < end; y0 += PVAR_KERNEL_LANES) {
        lanes s = splat(0), c = splat(0);
        for (long k = 0; k < cols; k++) {
            lanes v;
            for (int l = 0; l < PVAR_KERNEL_LANES; l++) {
                const long y = y0 + l < end ? y0 + l : anchor;   // spare lanes: the anchor (difference 0)
                v[l] = x[y * cols + k];
            }
            const lanes b = splat(-xa[k]);
            const lanes d = v + b, bb = d - v;
            const lanes e = (v - (d - bb)) + (b - bb);
            dot2_add(&s, &c, d, splat(t[k]));
            dot2_add(&s, &c, e, splat(t[k]));
        }
        const lanes h = s + c, bb = h - s, r = (s - (h - bb)) + (c - bb);
        for (int l = 0; l < PVAR_KERNEL_LANES && y0 + l < end; l++) {
            hi[y0 + l] = h[l];
            lo[y0 + l] = r[l];
        }
    }
}

/// Columns [begin, end): out_k = sum_i fl(x_ik - x_ak) c_i by Dot2 in row order, rounded once.
INLINE void columns_body(const double *x, long rows, long cols, long anchor, const double *coef, long begin,
                         long end, double *out) {
    const double *xa = x + anchor * cols;
    for (long k0 = begin; k0 < end; k0 += PVAR_KERNEL_LANES) {
        const long width = end - k0 < PVAR_KERNEL_LANES ? end - k0 : PVAR_KERNEL_LANES;
        double anchor_row[PVAR_KERNEL_LANES] = {0}, row[PVAR_KERNEL_LANES] = {0};
        memcpy(anchor_row, xa + k0, (size_t)width * sizeof(double));
        const lanes a = load(anchor_row);
        lanes s = splat(0), c = splat(0);
        for (long i = 0; i < rows; i++) {
            lanes v;
            if (width == PVAR_KERNEL_LANES) {
                v = load(x + i * cols + k0);
            } else {
                memcpy(row, x + i * cols + k0, (size_t)width * sizeof(double));
                v = load(row);
            }
            dot2_add(&s, &c, v - a, splat(coef[i]));
        }
        const lanes value = s + c;
        for (long l = 0; l < width; l++) out[k0 + l] = value[l];
    }
}

static void rows_generic(const double *x, long cols, long anchor, const double *t, long b, long e, double *hi, double *lo) {
    rows_body(x, cols, anchor, t, b, e, hi, lo);
}
static void columns_generic(const double *x, long rows, long cols, long anchor, const double *coef, long b, long e, double *out) {
    columns_body(x, rows, cols, anchor, coef, b, e, out);
}
#if defined(__x86_64__)
PVAR_TARGET_AVX2
static void rows_avx2(const double *x, long cols, long anchor, const double *t, long b, long e, double *hi, double *lo) {
    rows_body(x, cols, anchor, t, b, e, hi, lo);
}
PVAR_TARGET_AVX512
static void rows_avx512(const double *x, long cols, long anchor, const double *t, long b, long e, double *hi, double *lo) {
    rows_body(x, cols, anchor, t, b, e, hi, lo);
}
PVAR_TARGET_AVX2
static void columns_avx2(const double *x, long rows, long cols, long anchor, const double *coef, long b, long e, double *out) {
    columns_body(x, rows, cols, anchor, coef, b, e, out);
}
PVAR_TARGET_AVX512
static void columns_avx512(const double *x, long rows, long cols, long anchor, const double *coef, long b, long e, double *out) {
    columns_body(x, rows, cols, anchor, coef, b, e, out);
}
#endif

void pvar_anchored_dot2_rows(const double *x, long cols, long anchor, const double *t, long row_begin, long row_end,
                             double *hi, double *lo, int level) {
    PVAR_DISPATCH(level, rows, x, cols, anchor, t, row_begin, row_end, hi, lo);
}

void pvar_anchored_dot2_columns(const double *x, long rows, long cols, long anchor, const double *coef,
                                long column_begin, long column_end, double *out, int level) {
    PVAR_DISPATCH(level, columns, x, rows, cols, anchor, coef, column_begin, column_end, out);
}
