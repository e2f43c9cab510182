// The fast O(K^2) pair kernel; see include/pair_kernel.h and the Swift wrapper `FastPairSums`.
//
// Per pair (i, j), with ea_y = exp(h_y - max h), eb_y = exp(r_y - max r), A = ea_i + ea_j,
// B = eb_i + eb_j, da = h_i - h_j = beta (v_i - v_j), db = r_i - r_j, dg = da - db:
//   tanh(da/2) = (ea_i - ea_j) / A          (series of the exact da where |da| <= 1/2)
//   tanh(db/2) = (eb_i - eb_j) / B          (series of db where |db| <= 1/2)
//   p - q = (ea_i eb_j - ea_j eb_i) / (A B)  (= tanh(dg/2) (ea_i eb_j + ea_j eb_i) / (A B), series
//                                             of dg where |dg| <= 1/2)
//   loss = (1 - q) da + log1p(ea_j / ea_i)   for da >= 0 (each pair is visited with da >= 0),
// with log1p(u), u in [0, 1], as 2 atanh(s), s = u / (2 + u) (u <= sqrt2 - 1) or
// log 2 + 2 atanh((u - 1)/(u + 3)), |s| <= 0.1716, by its series.
//
// Three passes, each over the responses sorted by its own key (descending), so that the pairs
// needing a series (a centred difference within 1/2 of 0) sit next to the diagonal and a vector
// of eight pairs evaluates the series only when one of its lanes needs it:
// - policy pass (by v): tanh(da/2) and the loss; 1/A and the log1p quotient from one reciprocal
//   (X = A den gives 1/A = den / X and s = num (A / X)), 1/B for (1 - q);
// - label pass (by r): tanh(db/2) with 1/B alone, so every label term (hence PVar of the labels)
//   is the same double for any policy and beta;
// - residual pass (by beta v - r): p - q with 1/(A B), the disagreement and the residual row sums.
// Each row's lanes are reduced in a fixed order and the rows enter compensated totals.
// Accuracy: the ratio forms lose at most ~8 eps where |tanh| >= tanh(1/4) and the series are
// accurate to ~4e-18 relative on |x| <= 1/2; see `FastPairSums` for the whole error budget.
//
// Determinism: no multiply-add is contracted to an FMA (pragma below and -ffp-contract=off in
// Package.swift) and the lane width is fixed, so the SSE2, AVX2 and AVX-512 builds of the body
// perform the same IEEE operations in the same order and produce bit-identical sums (a skipped
// series changes no lane: the select would have kept the ratio form in every lane). (Explicit
// FMAs were measured: 5% faster with AVX2, but a libm call per FMA made SSE2 nine times slower.)
#pragma STDC FP_CONTRACT OFF
// 8-lane vectors change the calling convention of non-inlined helpers between targets; every
// helper here is always_inline, so no vector crosses a call.
#pragma clang diagnostic ignored "-Wpsabi"

#include "lanes.h"

/// tanh(x/2) for |x| <= 1/2: x p(x^2) with p the near-minimax polynomial of degree 7 for
/// tanh(x/2)/x on [0, 1/4] (fitted error 1.9e-18, i.e. 3.8e-18 relative: as good as `tanh`
/// itself; coefficients from Tests/Reference/kernel_polynomials.py), Estrin's scheme.
INLINE lanes half_tanh_series(lanes x) {
    lanes y = x * x, y2 = y * y, y4 = y2 * y2;
    lanes a0 = mul_add(splat(-0.04166666666666569), y, splat(0.5));
    lanes a1 = mul_add(splat(-0.00042162698150931233), y, splat(0.0041666666665850245));
    lanes a2 = mul_add(splat(-4.327397633978365e-06), y, splat(4.271380352710016e-05));
    lanes a3 = mul_add(splat(-4.0185650509976026e-08), y, splat(4.36802204293277e-07));
    return mul_add(mul_add(a3, y2, a2), y4, mul_add(a1, y2, a0)) * x;
}

/// atanh(s)/s for |s| <= 3 - 2 sqrt 2 = 0.1716: the near-minimax polynomial of degree 7 in
/// y = s^2 (fitted error 1.2e-18; Tests/Reference/kernel_polynomials.py), Estrin's scheme.
INLINE lanes atanh_series_ratio(lanes s) {
    lanes y = s * s, y2 = y * y, y4 = y2 * y2;
    lanes a0 = mul_add(splat(0.33333333333333826), y, splat(1.0));
    lanes a1 = mul_add(splat(0.1428571438032084), y, splat(0.1999999999965117));
    lanes a2 = mul_add(splat(0.09091815840114664), y, splat(0.11111098528363024));
    lanes a3 = mul_add(splat(0.07404855180327638), y, splat(0.07656264074182095));
    return mul_add(mul_add(a3, y2, a2), y4, mul_add(a1, y2, a0));
}

/// log1p(u) for u in [0, 1] (the kernel's loss term): with `low = u <= sqrt2 - 1`, the caller
/// forms s = num / den from `log1p_parts`, and log1p(u) = [log 2 unless low] + 2 s atanh(s)/s.
INLINE void log1p_parts(lanes u, lane_mask *low, lanes *num, lanes *den) {
    *low = u <= 0.41421356237309503;
    *num = select_(*low, u, u - 1);   // exact: u - 1 is exact for u in [sqrt2 - 1, 1]
    *den = select_(*low, 2 + u, u + 3);
}
INLINE lanes log1p_finish(lane_mask low, lanes s) {
    return select_(low, splat(0), splat(0.69314718055994530942)) + 2 * s * atanh_series_ratio(s);
}
INLINE lanes log1p_unit(lanes u) {
    lane_mask low;
    lanes num, den;
    log1p_parts(u, &low, &num, &den);
    return log1p_finish(low, num / den);
}

INLINE lane_mask near_zero(lanes x) { return (x <= 0.5) & (x >= -0.5); }

/// Knuth's TwoSum, branch-free: s + x and its exact rounding error.
INLINE void two_sum(lanes s, lanes x, lanes *t, lanes *err) {
    lanes sum = s + x, z = sum - s;
    *t = sum;
    *err = (s - (sum - z)) + (x - z);
}

/// Adds x to the compensated pair (*sum, *comp) (Fast2Sum on the larger magnitude).
INLINE void add_compensated(double *sum, double *comp, double x) {
    const double t = *sum + x;
    *comp += fabs(*sum) >= fabs(x) ? (*sum - t) + x : (x - t) + *sum;
    *sum = t;
}

/// Whether any lane of the mask is set.
INLINE int any_lane(lane_mask m) { return __builtin_reduce_or(m) != 0; }

/// p - q = (ea_i eb_j - ea_j eb_i) / (A B), given inv_ab = 1/(A B): where |dg| <= 1/2
/// (dg = da - db, the model nearly fits the labels) as tanh(dg/2) (ea_i eb_j + ea_j eb_i) / (A B)
/// with the series of the exact dg, which keeps the residual's relative accuracy (evaluated only
/// when a lane needs it: the select would keep the difference in every other lane).
INLINE lanes residual(lanes eai, lanes ebi, lanes eaj, lanes ebj, lanes da, lanes db, lanes inv_ab) {
    const lanes dg = da - db;
    lanes e = eai * ebj - eaj * ebi;
    const lane_mask near = near_zero(dg);
    if (any_lane(near)) e = select_(near, half_tanh_series(dg) * (eai * ebj + eaj * ebi), e);
    return e * inv_ab;
}


/// A row's lanes, reduced in a fixed order, into the compensated total (total[0] + total[1]).
INLINE void add_row(double total[2], lanes row) {
    double s = 0;
    for (int lane = 0; lane < PVAR_KERNEL_LANES; lane++) s += row[lane];
    add_compensated(&total[0], &total[1], s);
}

/// The first position j >= from (j < k) whose difference x_i - x_j, times `scale`, exceeds 1/2,
/// in an order sorted by x descending (so the difference only grows with j), or k. The caller
/// passes the previous row's answer as `from` (it can only grow with i), so one row costs O(1)
/// on average. The comparison is the same IEEE arithmetic as the lanes' (`scale * (x_i - x_j)`),
/// so no lane at or beyond it can need a series.
INLINE long series_end(const double *x, double scale, long i, long from, long k) {
    long j = from > i + 1 ? from : i + 1;
    while (j < k && !(scale * (x[i] - x[j]) > 0.5)) j++;   // a NaN keeps the test on
    return j;
}

/// One vector of the policy order's row i (lanes j ... j + 7): tanh(da/2) and the loss term
/// (1 - q) da + log1p(ea_j / ea_i). `maybe_near` = 0 promises that every lane has da > 1/2.
INLINE void policy_vector(const pvar_pair_inputs *in, long j, int maybe_near, lanes vi, lanes eai, lanes ebi,
                          lanes rec_ai, lanes pi_si, lanes mui, lanes *pvp, lanes *loss) {
    const double *v = in->p_v, *ea = in->p_ea, *eb = in->p_eb, *pi_s = in->p_pi_s, *mu = in->p_mu;
    const lanes eaj = load(ea + j), ebj = load(eb + j);
    const lanes da = splat(in->beta) * (vi - load(v + j));
    const lanes a = eai + eaj;
    const lanes u = eaj * rec_ai;   // ea_j / ea_i <= 1
    lane_mask low;
    lanes num, den;
    log1p_parts(u, &low, &num, &den);
    const lanes x = 1 / (a * den);
    const lanes inv_a = den * x, s = num * (a * x), inv_b = 1 / (ebi + ebj);
    lanes tp = (eai - eaj) * inv_a;
    if (maybe_near) {
        const lane_mask near = near_zero(da);
        if (any_lane(near)) tp = select_(near, half_tanh_series(da), tp);
    }
    const lanes linear = ebj * inv_b * da;   // (1 - q) da
    *pvp += pi_si * load(pi_s + j) * tp * tp;
    *loss += mui * load(mu + j) * (linear + log1p_finish(low, s));
}

/// Rows [row_begin, row_end) of the policy order (v descending, so da >= 0 for j > i): PVar of
/// the policy and the loss. The vectors from `series_end` on skip the series test (the same
/// lanes, bit for bit: none of them is within 1/2 of 0).
INLINE void policy_rows(const pvar_pair_inputs *in, long row_begin, long row_end, double pvp_total[2], double loss_total[2]) {
    const long k = in->k;
    const double *v = in->p_v, *ea = in->p_ea, *eb = in->p_eb, *pi_s = in->p_pi_s, *mu = in->p_mu;
    long near_end = 0;
    for (long i = row_begin; i < row_end; i++) {
        const lanes vi = splat(v[i]), eai = splat(ea[i]), ebi = splat(eb[i]), rec_ai = splat(1 / ea[i]);
        const lanes pi_si = splat(pi_s[i]), mui = splat(mu[i]);
        lanes pvp = splat(0), loss = splat(0);
        near_end = series_end(v, in->beta, i, near_end, k);
        long j = i + 1;
        for (; j < near_end; j += PVAR_KERNEL_LANES) policy_vector(in, j, 1, vi, eai, ebi, rec_ai, pi_si, mui, &pvp, &loss);
        for (; j < k; j += PVAR_KERNEL_LANES) policy_vector(in, j, 0, vi, eai, ebi, rec_ai, pi_si, mui, &pvp, &loss);
        add_row(pvp_total, pvp);
        add_row(loss_total, loss);
    }
}

/// One vector of the label order's row i: tanh(db/2), 1/B alone (so every label term is the
/// same double for any policy and beta). `maybe_near` = 0 promises that every lane has db > 1/2.
INLINE void label_vector(const pvar_pair_inputs *in, long j, int maybe_near, lanes ri, lanes ebi, lanes mu_si, lanes *pvl) {
    const double *r = in->l_r, *eb = in->l_eb, *mu_s = in->l_mu_s;
    const lanes ebj = load(eb + j), db = ri - load(r + j);
    lanes tq = (ebi - ebj) * (1 / (ebi + ebj));
    if (maybe_near) {
        const lane_mask near = near_zero(db);
        if (any_lane(near)) tq = select_(near, half_tanh_series(db), tq);
    }
    *pvl += mu_si * load(mu_s + j) * tq * tq;
}

/// Rows [row_begin, row_end) of the label order (r descending): PVar of the labels.
INLINE void label_rows(const pvar_pair_inputs *in, long row_begin, long row_end, double pvl_total[2]) {
    const long k = in->k;
    const double *r = in->l_r, *eb = in->l_eb, *mu_s = in->l_mu_s;
    long near_end = 0;
    for (long i = row_begin; i < row_end; i++) {
        const lanes ri = splat(r[i]), ebi = splat(eb[i]), mu_si = splat(mu_s[i]);
        lanes pvl = splat(0);
        near_end = series_end(r, 1, i, near_end, k);
        long j = i + 1;
        for (; j < near_end; j += PVAR_KERNEL_LANES) label_vector(in, j, 1, ri, ebi, mu_si, &pvl);
        for (; j < k; j += PVAR_KERNEL_LANES) label_vector(in, j, 0, ri, ebi, mu_si, &pvl);
        add_row(pvl_total, pvl);
    }
}

/// One vector of the residual order's row i: p - q (the series of the exact dg where |dg| <= 1/2,
/// unless `maybe_near` = 0 promises that no lane is), the disagreement and the row sums.
INLINE void residual_vector(const pvar_pair_inputs *in, long j, int maybe_near, lanes vi, lanes ri, lanes eai,
                            lanes ebi, lanes mu_si, lanes mui, double *rows, double *comp,
                            lanes *dis, lanes *row, lanes *row_comp) {
    const double *v = in->m_v, *r = in->m_r, *ea = in->m_ea, *eb = in->m_eb, *mu_s = in->m_mu_s, *mu = in->m_mu;
    const lanes eaj = load(ea + j), ebj = load(eb + j);
    const lanes inv_ab = 1 / ((eai + eaj) * (ebi + ebj));
    const lanes e = maybe_near ? residual(eai, ebi, eaj, ebj, splat(in->beta) * (vi - load(v + j)), ri - load(r + j), inv_ab)
                               : (eai * ebj - eaj * ebi) * inv_ab;
    *dis += mu_si * load(mu_s + j) * e * e;
    const lanes we = mui * load(mu + j) * e;
    lanes t, err;
    two_sum(*row, we, &t, &err);
    *row = t;
    *row_comp += err;
    two_sum(load(rows + j), -we, &t, &err);
    store(rows + j, t);
    store(comp + j, load(comp + j) + err);
}

/// Rows [row_begin, row_end) of the residual order (g = beta v - r descending, so dg >= 0 up to
/// rounding for j > i): p - q, the disagreement and the compensated residual row sums. The lanes'
/// dg = (beta (v_i - v_j)) - (r_i - r_j) and fl(g_i - g_j) differ by at most about
/// 8 eps (max |beta v| + max |r|) + 2 eps |dg|, far below `margin`; so once fl(g_i - g_j) exceeds
/// 1/2 + margin (it only grows with j) no lane can need the series, and the vectors from there on
/// skip the test (the same lanes, bit for bit). A NaN or infinite margin keeps the test everywhere.
INLINE void residual_rows(const pvar_pair_inputs *in, long row_begin, long row_end,
                          double *rows, double *comp, double dis_total[2]) {
    const long k = in->k;
    const double beta = in->beta;
    const double *v = in->m_v, *r = in->m_r, *ea = in->m_ea, *eb = in->m_eb, *mu_s = in->m_mu_s, *mu = in->m_mu;
    double largest = 0;
    for (long y = 0; y < k; y++) {
        const double a = fabs(beta * v[y]) + fabs(r[y]);
        if (!(a <= largest)) largest = a;
    }
    const double margin = 1e-9 * (1 + largest);
    long near_end = 0;
    for (long i = row_begin; i < row_end; i++) {
        const lanes vi = splat(v[i]), ri = splat(r[i]), eai = splat(ea[i]), ebi = splat(eb[i]);
        const lanes mu_si = splat(mu_s[i]), mui = splat(mu[i]);
        lanes dis = splat(0), row = splat(0), row_comp = splat(0);
        const double gi = beta * v[i] - r[i];
        long j = near_end > i + 1 ? near_end : i + 1;
        while (j < k && !(gi - (beta * v[j] - r[j]) > 0.5 + margin)) j++;
        near_end = j;
        for (j = i + 1; j < near_end; j += PVAR_KERNEL_LANES)
            residual_vector(in, j, 1, vi, ri, eai, ebi, mu_si, mui, rows, comp, &dis, &row, &row_comp);
        for (; j < k; j += PVAR_KERNEL_LANES)
            residual_vector(in, j, 0, vi, ri, eai, ebi, mu_si, mui, rows, comp, &dis, &row, &row_comp);
        // Row i's lanes into its compensated sum, lane by lane in a fixed order.
        for (int lane = 0; lane < PVAR_KERNEL_LANES; lane++) {
            add_compensated(rows + i, comp + i, row[lane]);
            comp[i] += row_comp[lane];
        }
        add_row(dis_total, dis);
    }
}

INLINE void block_body(const pvar_pair_inputs *in, long row_begin, long row_end,
                       double *rows, double *comp, pvar_pair_sums *out) {
    double pvp[2] = {0, 0}, loss[2] = {0, 0}, pvl[2] = {0, 0}, dis[2] = {0, 0};
    policy_rows(in, row_begin, row_end, pvp, loss);
    label_rows(in, row_begin, row_end, pvl);
    residual_rows(in, row_begin, row_end, rows, comp, dis);
    out->pvar_policy = pvp[0] + pvp[1];
    out->pvar_labels = pvl[0] + pvl[1];
    out->disagreement = dis[0] + dis[1];
    out->loss = loss[0] + loss[1];
}

/// The noise sums of rows [row_begin, row_end): for pairs i < j (weights 2 mu_i mu_j, both
/// orders), sum w ||r Delta - m||^2 and sum w q (1 - q) ||Delta||^2 with r = p - q (`residual`),
/// q (1 - q) = eb_i eb_j / B^2 and Delta = phi_i - phi_j from the transposed features. Each pair's
/// two squared norms are summed over the d coordinates in lanes, each row's lanes are reduced in a
/// fixed order, and rows enter compensated block totals: nonnegative terms throughout.
INLINE void noise_body(const pvar_noise_inputs *in, long row_begin, long row_end, double *out) {
    const long k = in->k, d = in->d, stride = k + PVAR_KERNEL_PAD;
    const double beta = in->beta;
    const double *v = in->v, *r = in->r, *ea = in->ea, *eb = in->eb, *mu = in->mu, *phi = in->phi_t, *m = in->m;
    double pair = 0, pair_c = 0, label = 0, label_c = 0;
    for (long i = row_begin; i < row_end; i++) {
        const lanes vi = splat(v[i]), ri = splat(r[i]), eai = splat(ea[i]), ebi = splat(eb[i]), wi = splat(2 * mu[i]);
        lanes row_pair = splat(0), row_label = splat(0);
        for (long j = i + 1; j < k; j += PVAR_KERNEL_LANES) {
            const lanes eaj = load(ea + j), ebj = load(eb + j);
            const lanes da = splat(beta) * (vi - load(v + j)), db = ri - load(r + j);
            const lanes inv_a = 1 / (eai + eaj), inv_b = 1 / (ebi + ebj);
            const lanes e = residual(eai, ebi, eaj, ebj, da, db, inv_a * inv_b);
            lanes spread = splat(0), squared = splat(0);
            for (long c = 0; c < d; c++) {
                const lanes delta = splat(phi[c * stride + i]) - load(phi + c * stride + j);
                const lanes t = e * delta - splat(m[c]);
                spread += t * t;
                squared += delta * delta;
            }
            // Weightless lanes (zero pair weights, tiny responses, padding) add exactly 0, also
            // where their feature difference overflows (0 * inf would be NaN).
            const lanes w = wi * load(mu + j);
            const lane_mask live = w != 0;
            row_pair += select_(live, w * spread, splat(0));
            row_label += select_(live, w * (ebi * inv_b) * (ebj * inv_b) * squared, splat(0));
        }
        double rp = 0, rl = 0;
        for (int lane = 0; lane < PVAR_KERNEL_LANES; lane++) {
            rp += row_pair[lane];
            rl += row_label[lane];
        }
        add_compensated(&pair, &pair_c, rp);
        add_compensated(&label, &label_c, rl);
    }
    out[0] = pair + pair_c;
    out[1] = label + label_c;
}

static void noise_generic(const pvar_noise_inputs *in, long b, long e, double *out) { noise_body(in, b, e, out); }
#if defined(__x86_64__)
PVAR_TARGET_AVX2
static void noise_avx2(const pvar_noise_inputs *in, long b, long e, double *out) { noise_body(in, b, e, out); }
PVAR_TARGET_AVX512
static void noise_avx512(const pvar_noise_inputs *in, long b, long e, double *out) { noise_body(in, b, e, out); }
#endif

void pvar_noise_block(const pvar_noise_inputs *in, long row_begin, long row_end, double *out, int level) {
    PVAR_DISPATCH(level, noise, in, row_begin, row_end, out);
}

double pvar_half_tanh_series(double x) { return half_tanh_series(splat(x))[0]; }
double pvar_log1p_unit(double u) { return log1p_unit(splat(u))[0]; }

// The same body compiled once per instruction set; `always_inline` puts it into each.
static void block_generic(const pvar_pair_inputs *in, long b, long e, double *rows, double *comp, pvar_pair_sums *out) {
    block_body(in, b, e, rows, comp, out);
}
#if defined(__x86_64__)
PVAR_TARGET_AVX2
static void block_avx2(const pvar_pair_inputs *in, long b, long e, double *rows, double *comp, pvar_pair_sums *out) {
    block_body(in, b, e, rows, comp, out);
}
PVAR_TARGET_AVX512
static void block_avx512(const pvar_pair_inputs *in, long b, long e, double *rows, double *comp, pvar_pair_sums *out) {
    block_body(in, b, e, rows, comp, out);
}
#endif

int pvar_pair_kernel_level(int level) {
#if defined(__x86_64__)
    __builtin_cpu_init();
    int best = 1;
    // The Dot2 kernels use FMA instructions at levels 2 and 3: require it with AVX2.
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) best = 2;
    if (best == 2 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq")
        && __builtin_cpu_supports("avx512vl")) best = 3;
    return (level <= 0 || level > best) ? best : level;
#else
    (void)level;
    return 1;
#endif
}

void pvar_pair_block(const pvar_pair_inputs *in, long row_begin, long row_end,
                     double *rows, double *comp, pvar_pair_sums *out, int level) {
    PVAR_DISPATCH(level, block, in, row_begin, row_end, rows, comp, out);
}
