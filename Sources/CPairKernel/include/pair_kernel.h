// The fast O(K^2) pair kernel of `Evaluation`, in C so that one source file is compiled for
// three instruction sets (SSE2, AVX2, AVX-512; the generic one only off x86-64) and the best one the CPU has is chosen at
// run time. Every build performs the same IEEE operations in the same order (no FMA
// contraction, fixed lane width), so all three return bit-identical results.
#ifndef PVAR_PAIR_KERNEL_H
#define PVAR_PAIR_KERNEL_H

#include <stddef.h>

/// Per-response inputs of the pair kernel, in three orders: each array has `k + PVAR_KERNEL_PAD`
/// doubles, the responses sorted by one key, descending, so that for j > i the pair's difference
/// in that key is >= 0 and the pairs where a centred quantity is near 0 (and needs its series)
/// sit next to the diagonal:
/// - the policy order (by v): PVar of the policy and the loss;
/// - the label order (by r): PVar of the labels;
/// - the residual order (by beta v - r): the residual p - q, the disagreement and the row sums.
/// Entries `k ..< k + PVAR_KERNEL_PAD` (and any response the caller wants left out) must be
/// neutral: weights 0 and otherwise a copy of a normal response's values (so every lane's
/// arithmetic is that of a real pair and stays finite; `PairLayout` in Swift builds them).
typedef struct {
    long k;
    double beta;
    /* policy order */
    const double *p_v;      ///< log-ratios v_y (h_y = beta v_y)
    const double *p_ea;     ///< exp(beta (v_y - max v)), each >= 2^-400
    const double *p_eb;     ///< exp(r_y - max r), each >= 2^-400
    const double *p_pi_s;   ///< scaled policy weights (PVar of the policy)
    const double *p_mu;     ///< pair weights (loss)
    /* label order */
    const double *l_r;      ///< rewards r_y
    const double *l_eb;
    const double *l_mu_s;   ///< scaled pair weights (PVar of the labels)
    /* residual order */
    const double *m_v;
    const double *m_r;
    const double *m_ea;
    const double *m_eb;
    const double *m_mu_s;   ///< scaled pair weights (disagreement)
    const double *m_mu;     ///< pair weights (residual row sums)
} pvar_pair_inputs;

/// Sums over the pairs (i, j), i in rows [row_begin, row_end) of each order, i < j < k.
typedef struct {
    double pvar_policy;   ///< sum pi_s,i pi_s,j tanh^2((h_i - h_j)/2)
    double pvar_labels;   ///< sum mu_s,i mu_s,j tanh^2((r_i - r_j)/2)
    double disagreement;  ///< sum mu_s,i mu_s,j (p - q)^2
    double loss;          ///< sum mu_i mu_j (q softplus(-(h_i - h_j)) + (1 - q) softplus(h_i - h_j))
} pvar_pair_sums;

/// Lane width of the kernel (fixed on every machine, so the summation order is too).
#define PVAR_KERNEL_LANES 8
/// Padding the caller appends to every input array.
#define PVAR_KERNEL_PAD PVAR_KERNEL_LANES

/// Runs the rows [row_begin, row_end) of the pair triangle in each of the three orders. `rows`
/// and `comp` (k + PAD doubles, zeroed by the caller, indexed in the residual order) receive the
/// compensated residual sums: row i gets + mu_i mu_j (p - q), row j gets the mirror term. `level` chooses the instruction set: 0 = best available,
/// 1 = SSE2, 2 = AVX2 + FMA, 3 = AVX-512 (a level the CPU lacks falls back to the best it has).
void pvar_pair_block(const pvar_pair_inputs *in, long row_begin, long row_end,
                     double *rows, double *comp, pvar_pair_sums *out, int level);

/// Inputs of the noise kernel: the pair kernel's per-response arrays (v, r, ea, eb, mu; same
/// neutral entries) plus the features transposed, d rows of k + PVAR_KERNEL_PAD entries
/// (phi_t[c * (k + PAD) + y] = phi_y,c; neutral entries copied from a normal response), and
/// m = grad L / beta (d entries).
typedef struct {
    long k;
    long d;
    double beta;
    const double *v;
    const double *r;
    const double *ea;
    const double *eb;
    const double *mu;
    const double *phi_t;
    const double *m;
} pvar_noise_inputs;

/// out[0] = sum over pairs i < j, i in [row_begin, row_end), of 2 mu_i mu_j ||(p - q)(phi_i - phi_j) - m||^2;
/// out[1] = the same with q (1 - q) ||phi_i - phi_j||^2. Same bits on every level.
void pvar_noise_block(const pvar_noise_inputs *in, long row_begin, long row_end, double *out, int level);

/// tanh(x / 2) for |x| <= 1/2 by the kernel's series (lane 0 of the vector code).
double pvar_half_tanh_series(double x);
/// log1p(u) for u in [0, 1] by the kernel's series (lane 0 of the vector code); log1p(0) = 0.
double pvar_log1p_unit(double u);

/// Anchored logits in double-double: for rows y in [row_begin, row_end) of the row-major
/// matrix x (cols columns), w_y = sum_k (x_yk - x_ak) t_k (a = anchor) by Dot2, each difference
/// split exactly; w_y = hi[y] + lo[y] (normalised). Same bits on every level.
void pvar_anchored_dot2_rows(const double *x, long cols, long anchor, const double *t, long row_begin, long row_end,
                             double *hi, double *lo, int level);

/// Anchored transpose product: for columns k in [column_begin, column_end),
/// out[k] = sum_i fl(x_ik - x_ak) coef_i by Dot2 in row order, rounded once. Same bits on every level.
void pvar_anchored_dot2_columns(const double *x, long rows, long cols, long anchor, const double *coef,
                                long column_begin, long column_end, double *out, int level);

/// The instruction-set level `level` resolves to on this CPU (1, 2 or 3).
int pvar_pair_kernel_level(int level);

#endif
