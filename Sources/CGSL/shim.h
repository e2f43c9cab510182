// Shim over the GNU Scientific Library (GSL 2.7.1, Debian libgsl-dev).
//
// Swift 6 strict concurrency rejects direct use of GSL's mutable C globals
// (generator types, minimiser types, the version string), so they are exposed
// through small inline accessors.
#ifndef PVAR_CGSL_SHIM_H
#define PVAR_CGSL_SHIM_H

#include <gsl/gsl_errno.h>
#include <gsl/gsl_version.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_deriv.h>
#include <gsl/gsl_math.h>
#include <gsl/gsl_multimin.h>
#include <gsl/gsl_vector.h>
#include <gsl/gsl_fit.h>
#include <gsl/gsl_cdf.h>

static inline const gsl_rng_type *pvar_gsl_rng_mt19937(void) { return gsl_rng_mt19937; }
static inline const gsl_multimin_fminimizer_type *pvar_gsl_nmsimplex2(void) {
    return gsl_multimin_fminimizer_nmsimplex2;
}
static inline const char *pvar_gsl_version(void) { return gsl_version; }

/// Turns GSL's default abort-on-error handler off, once; callers check status codes.
static inline void pvar_gsl_disable_abort(void) { gsl_set_error_handler_off(); }

#endif
