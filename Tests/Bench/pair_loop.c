/* Reference point for `make bench`: the plain scalar C loop a numerical programmer would write.
 *
 * Over pairs i < j, with a = exp(h - max h) and b = exp(r - max r) (no exponential per pair):
 * p_ij = a_i / (a_i + a_j), q_ij = b_i / (b_i + b_j), and with w = mu_i mu_j:
 *   PVar_policy += w (p - 1/2)^2, PVar_labels += w (q - 1/2)^2, delta^2 += w (p - q)^2,
 *   c_i += w (p - q), c_j -= w (p - q), and (unless --no-loss) loss += w (-q log p - (1 - q) log(1 - p)),
 * then the gradient 2 beta Phi^T c (K x d). It is fast and naive: p - 1/2 and p - q lose their
 * digits when p is near 1/2 or near q, which is exactly what pvar's kernel must not do.
 *
 * Usage: pair_loop K d repeat [--no-loss]; prints "K=.. d=.. seconds/eval=.." (median).
 * Compiled with `cc -O2` (no fast-math) by `make bench`.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + 1e-9 * t.tv_nsec;
}

static unsigned long long state = 88172645463325252ULL;
static double uniform(void) { /* xorshift64 */
    state ^= state << 13; state ^= state >> 7; state ^= state << 17;
    return (state >> 11) * (1.0 / 9007199254740992.0);
}

static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv) {
    if (argc < 4) { fprintf(stderr, "usage: pair_loop K d repeat [--no-loss]\n"); return 2; }
    int K = atoi(argv[1]), d = atoi(argv[2]), R = atoi(argv[3]);
    int loss_on = !(argc > 4 && strcmp(argv[4], "--no-loss") == 0);
    double beta = 0.5;
    double *phi = malloc(sizeof(double) * K * d), *theta = malloc(sizeof(double) * d);
    double *h = malloc(sizeof(double) * K), *r = malloc(sizeof(double) * K), *mu = malloc(sizeof(double) * K);
    double *a = malloc(sizeof(double) * K), *b = malloc(sizeof(double) * K), *c = malloc(sizeof(double) * K);
    double *g = malloc(sizeof(double) * d), *times = malloc(sizeof(double) * R);
    for (int i = 0; i < K * d; i++) phi[i] = uniform() - 0.5;
    for (int k = 0; k < d; k++) theta[k] = uniform() - 0.5;
    double total = 0;
    for (int i = 0; i < K; i++) { r[i] = 2 * uniform() - 1; mu[i] = uniform() + 0.1; total += mu[i]; }
    for (int i = 0; i < K; i++) mu[i] /= total;
    double sink = 0;
    for (int rep = 0; rep < R; rep++) {
        double t0 = now();
        double hmax = -INFINITY, rmax = -INFINITY;
        for (int i = 0; i < K; i++) {
            double z = 0;
            for (int k = 0; k < d; k++) z += phi[i * d + k] * theta[k];
            h[i] = beta * z;
            if (h[i] > hmax) hmax = h[i];
            if (r[i] > rmax) rmax = r[i];
        }
        for (int i = 0; i < K; i++) { a[i] = exp(h[i] - hmax); b[i] = exp(r[i] - rmax); c[i] = 0; }
        double pvp = 0, pvl = 0, dis = 0, loss = 0;
        for (int i = 0; i < K; i++) {
            double ci = 0;
            for (int j = i + 1; j < K; j++) {
                double p = a[i] / (a[i] + a[j]), q = b[i] / (b[i] + b[j]);
                double w = mu[i] * mu[j], e = p - q;
                pvp += w * (p - 0.5) * (p - 0.5);
                pvl += w * (q - 0.5) * (q - 0.5);
                dis += w * e * e;
                ci += w * e;
                c[j] -= w * e;
                if (loss_on) loss += w * (-q * log(p) - (1 - q) * log(1 - p));
            }
            c[i] += ci;
        }
        for (int k = 0; k < d; k++) g[k] = 0;
        for (int i = 0; i < K; i++)
            for (int k = 0; k < d; k++) g[k] += 2 * beta * c[i] * phi[i * d + k];
        times[rep] = now() - t0;
        sink += pvp + pvl + dis + loss + g[0];
    }
    qsort(times, R, sizeof(double), cmp);
    printf("K=%d d=%d seconds/eval=%.6g%s (checksum %.3g)\n", K, d, times[R / 2], loss_on ? "" : " no-loss", sink);
    return 0;
}
