/* soret: Soret coefficients from slab profiles of a periodic box with two
 * thermostatted slabs (notes/algorithms.md 2.4; paper Eq. 3):
 *
 *   d ln c / dT = -S_T
 *
 * The cold and the hot slab cut the periodic axis into two gradient
 * windows, A from the cold slab up to the hot slab and B from the hot slab
 * up to the cold one (through the periodic boundary when the cold slab lies
 * below the hot one), each shrunk by a margin on both ends. A slab (row of
 * the profile) belongs to a window when the whole slab, centre +- half its
 * width (box length / number of rows), lies inside the window.
 *
 * In each window:
 *   1. T against z is fitted by least squares (weights 1/T_err^2 when every
 *      T_err is positive, else unweighted) to check that the window carries
 *      a gradient: |dT/dz| must exceed grad_sigma standard errors. R^2 of
 *      the fit tells how linear T(z) is.
 *   2. ln c against T is fitted (gsl_fit_wlinear, weights 1/var(ln c) =
 *      (c/c_err)^2 when every c_err in the window is positive, else
 *      gsl_fit_linear and the window is marked unweighted); S_T = -slope.
 *      T is the measured slab temperature, or with t_linear the value of
 *      the T(z) fit at the slab (then S_T = -(d ln c/dz)/(dT/dz), and the
 *      error of dT/dz is added in quadrature). Noise in the measured T is
 *      noise in the regressor: it biases |S_T| low by the fraction
 *      tnoise = mean(T_err^2)/var(T) of the T variance it makes up
 *      (errors in variables), which the linear form avoids.
 * Standard errors come from the fit covariance; for weighted fits they are
 * scaled by sqrt(chi^2/(n-2)) when that exceeds 1 (the scatter is larger
 * than the stated errors), unweighted fits use the residual variance.
 * The replica's S_T is the mean of both windows, its error
 * 0.5 sqrt(err_A^2 + err_B^2). Slab values are correlated, so the spread
 * over independent replicas (soret_stats) is the uncertainty to report;
 * the per-replica errors are a guide.
 *
 * All functions return 0 or -1 with a message "source:line: what"; GSL is
 * called with its status checked (the tool turns off GSL's abort handler). */
#ifndef SK_SORET_H
#define SK_SORET_H

#include <stddef.h>

#include "err.h"
#include "table.h"

struct soret_opts {
	double cold[2], hot[2];  /* thermostatted slabs [lo, hi] along the axis */
	double margin;           /* excluded beyond each end of each slab (>= 0) */
	size_t min_slabs;        /* fewest slabs a window may hold (>= 3) */
	double grad_sigma;       /* |dT/dz| must exceed this many errors (2) */
	int t_linear;            /* regress on the T(z) fit, not measured T */
};
void soret_opts_default(struct soret_opts *o);

/* One replica's profile: columns z, T, c and optionally c_err, T_err. */
struct soret_profile {
	char *source;            /* file name for messages */
	size_t n;
	double *z, *T, *c;       /* [n] */
	double *c_err, *T_err;   /* [n] or NULL when the column is absent */
	long *line;              /* [n] source line of each row */
	double lo, len;          /* periodic extent along the axis */
};

/* Take the columns z, T, c (required, numeric; NaN allowed in T and c: a
 * slab without atoms) and c_err, T_err (optional) from a profile table.
 * The periodic extent is [box_lo, box_lo + box_len) when box_len > 0, else
 * the table's "# axis_lo:" and "# axis_len:" provenance (profile-bin writes
 * them), else inferred from equally spaced z (first centre minus half a
 * spacing, rows times spacing). */
int soret_profile_from_table(struct soret_profile *p, const struct table *t,
			     double box_lo, double box_len, struct err *e);
void soret_profile_free(struct soret_profile *p);

struct soret_window {
	double lo, len;          /* window [lo, lo+len] (lo in the box) */
	size_t nslab;
	int weighted;            /* ln c fit used c_err weights */
	double st, st_err;       /* S_T = -d ln c/dT, 1/temperature unit */
	double lnc0;             /* intercept of ln c at T = 0 */
	double chisq;            /* of the ln c fit (weighted: chi^2) */
	double dtdz, dtdz_err;   /* T(z) slope, temperature/distance */
	double r2;               /* R^2 of the T(z) fit */
	double dT;               /* T change across the window's slabs */
	double tnoise;           /* mean(T_err^2)/var(T); NaN without T_err */
};

struct soret_result {
	struct soret_window w[2];  /* A: cold -> hot, B: hot -> cold */
	double st, st_err;         /* mean of both windows */
};

/* The two windows for a periodic axis [lo, lo+len): wlo[k] in the box,
 * wlen[k] > 0. Errors: overlapping slabs, slabs longer than the box, a
 * margin that leaves a window empty. */
int soret_windows(const struct soret_opts *o, double lo, double len,
		  double wlo[2], double wlen[2], struct err *e);
/* Fit both windows of one replica. Refuses (returns -1) when a window has
 * fewer than min_slabs slabs, a fitted slab has c <= 0 or a non-number T or
 * c (naming its line), or a window has no significant temperature
 * gradient. */
int soret_fit(const struct soret_profile *p, const struct soret_opts *o,
	      struct soret_result *r, struct err *e);

/* Mean, standard deviation (n-1 denominator) and standard error of
 * x[0..n-1]; sd and sem are NaN for n < 2, all NaN for n = 0. */
void soret_stats(const double *x, size_t n, double *mean, double *sd,
		 double *sem);

#endif
