// Shim over Arb 2.23 (ball arithmetic; Debian libflint-arb-dev).
//
// Debian installs the headers as /usr/include/arb.h etc. and the library as libflint-arb, with
// no pkg-config file, so the module map links flint-arb, flint, mpfr and gmp explicitly.
//
// Swift cannot call C function-like macros (arb_midref, arb_radref, arf_mul) and imports
// macro constants (ARF_RND_*) with a guessed type, so the few that PVarCertify needs are
// exposed here as small static inline functions with explicit types.
#ifndef PVAR_CARB_SHIM_H
#define PVAR_CARB_SHIM_H

#include <arb.h>
#include <arf.h>
#include <mag.h>

/// Rounding towards -infinity (ARF_RND_FLOOR).
static inline arf_rnd_t pvar_arf_rnd_floor(void) { return ARF_RND_FLOOR; }
/// Rounding towards +infinity (ARF_RND_CEIL).
static inline arf_rnd_t pvar_arf_rnd_ceil(void) { return ARF_RND_CEIL; }
/// Rounding towards zero (ARF_RND_DOWN).
static inline arf_rnd_t pvar_arf_rnd_down(void) { return ARF_RND_DOWN; }

/// The midpoint of a ball (arb_midref).
static inline arf_ptr pvar_arb_mid(arb_ptr x) { return arb_midref(x); }
/// The radius of a ball (arb_radref).
static inline mag_ptr pvar_arb_rad(arb_ptr x) { return arb_radref(x); }

/// z = x * y rounded to prec bits in direction rnd (arf_mul is a macro); returns nonzero iff
/// the product is inexact.
static inline int pvar_arf_mul(arf_ptr z, arf_srcptr x, arf_srcptr y, slong prec, arf_rnd_t rnd) {
    return arf_mul(z, x, y, prec, rnd);
}

/// Arb's library version string (a C global).
static inline const char *pvar_arb_version(void) { return arb_version; }

#endif
