/* fe_analysis: free-energy differences along a schedule of K states from
 * the window tables (fe_window.h), by every estimator mbar(1) reports.
 * Numerics only: no I/O, no messages printed.
 *
 * 1. Correlation (fe_corr.h), per window: the observable is the sum of
 *    the dU/dlambda columns when the windows have them, else
 *    u_{k+1} - u_k (u_{k-1} - u_k for the last state), the energy
 *    difference to the neighbouring state. With `equilibrate`, the prefix
 *    before the origin of largest N_eff is dropped (about `origins`
 *    origins scanned); with `subsample`, the rest is subsampled at
 *    indices round(i g). A constant observable counts as g = 1.
 * 2. MBAR (mbar.h) on the kept samples of all states: f_k - f_0 and the
 *    error of f_k - f_0 from Theta (0 for a state whose energies equal
 *    state 0's on every sample, as pymbar's "same states").
 * 3. BAR (fe_bar.h) between neighbours k, k+1 and EXP forward (samples of
 *    k) and backward (samples of k+1), summed along the path; errors add
 *    in quadrature, as alchemical-analysis and alchemlyb do. For EXP the
 *    pairs use disjoint samples and that is exact; BAR pairs k-1,k and
 *    k,k+1 share the samples of k, whose (positive) correlation this
 *    ignores: BAR's path error runs low, by up to ~25% in the tests.
 *    MBAR's error (Theta) has no such approximation.
 * 4. TI, trapezoid and natural cubic spline (fe_ti.h), per lambda
 *    component over each stretch of the schedule where that component
 *    changes monotonically; for the integral up to state k the per-state
 *    weights multiply each sample's dU/dlambda, and the error is
 *    sqrt(sum_i sem_i^2) of these weighted samples (sem with N-1).
 *
 * Every result is cumulative from state 0: dg[m*K + k] estimates
 * f_k - f_0 (kT) by method m; dG of the schedule is dg[m*K + K-1]. */
#ifndef SK_FE_ANALYSIS_H
#define SK_FE_ANALYSIS_H

#include <stddef.h>

#include "err.h"
#include "fe_bar.h"
#include "fe_window.h"
#include "mbar.h"

enum fe_method { FE_MBAR, FE_BAR, FE_TI, FE_TI_CUBIC, FE_EXP_FWD,
		 FE_EXP_BWD, FE_NMETHOD };
extern const char *const fe_method_name[FE_NMETHOD];

struct fe_analysis_opts {
	int subsample;      /* 1: keep samples round(i g) (default 1) */
	int equilibrate;    /* 1: drop the detected equilibration (0) */
	size_t mintime;     /* statistical inefficiency (3) */
	size_t origins;     /* equilibration origins scanned (100) */
	struct mbar_opts mbar;
	struct fe_bar_opts bar;
};

void fe_analysis_opts_default(struct fe_analysis_opts *o);

struct fe_state_stats {
	size_t n;        /* samples in the window */
	size_t t0;       /* dropped as equilibration */
	double g;        /* statistical inefficiency used (1: none) */
	size_t kept;     /* samples used by the estimators */
	int constant;    /* the observable was constant (g taken as 1) */
};

struct fe_analysis {
	size_t K;
	int have[FE_NMETHOD];
	double *dg, *err;           /* [FE_NMETHOD*K] cumulative, kT */
	struct fe_state_stats *st;  /* [K] */
	double *overlap;            /* [K*K] MBAR overlap matrix */
	double overlap_scalar;
	long mbar_iterations;
	double mbar_grad;           /* max_k |1 - sum_n W_nk| */
	double mbar_seconds;        /* wall time of the MBAR solve */
	const char *observable;     /* "dudl" or "dU to neighbour" */
	char ti_note[256];          /* why TI-CUBIC or TI is missing, or "" */
};

int fe_analyze(const struct fe_windows *w, const struct fe_analysis_opts *o,
	       struct fe_analysis *r, struct err *e);
void fe_analysis_free(struct fe_analysis *r);

#endif
