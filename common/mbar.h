/* mbar: the multistate Bennett acceptance ratio estimator (Shirts &
 * Chodera, J. Chem. Phys. 129, 124105 (2008)), pure numerics over arrays.
 *
 * Input: u_kn (K x N, row-major, kT): the reduced potential of sample n
 * evaluated in state k, for all N = sum N_k samples of all states (order
 * of the samples does not matter); N_k[k] samples were drawn from state k
 * (0 for an unsampled state). u_kn may hold +inf (the sample is
 * impossible in that state); NaN and -inf are refused, and every sample
 * needs a finite energy in some sampled state.
 *
 * Output: dimensionless free energies f_k (gauge f_0 = 0), the asymptotic
 * covariance Theta (pymbar 'svd-ew', notes/algorithms.md 3.4), the overlap
 * matrix O = W^T W diag(N) and its 1 - lambda_2.
 *
 * Solver (notes 3.3): preconditioned u (per-sample minimum removed, which
 * leaves the weights unchanged), log-sum-exp throughout; self-consistent
 * iterations (eq. C3) first, then Newton steps on the convex objective
 * (Cholesky of the (K'-1) Hessian of the sampled states, SVD
 * pseudo-inverse when it is not positive definite), a Newton step kept
 * only when it lowers the gradient norm (else halved, else a
 * self-consistent step). Converged when every sampled state's weights
 * sum to one within tol: max_k |1 - sum_n W_nk| = max_k |g_k|/N_k < tol,
 * the gradient of the objective in units of N_k. Unsampled states get
 * their f_k from one final self-consistent update (as pymbar does). */
#ifndef SK_MBAR_H
#define SK_MBAR_H

#include <stddef.h>

#include "err.h"

struct mbar_opts {
	double tol;       /* max_k |1 - sum_n W_nk| at convergence (1e-10) */
	long max_iter;    /* iteration cap (10000) */
	int min_sc_iter;  /* self-consistent iterations before Newton (2) */
};

void mbar_opts_default(struct mbar_opts *o);

struct mbar_result {
	size_t K;
	double *f;              /* [K] f_k - f_0 */
	double *theta;          /* [K*K] asymptotic covariance of f */
	double *overlap;        /* [K*K] O_ij = N_j sum_n W_ni W_nj */
	double overlap_scalar;  /* 1 - second largest eigenvalue of O */
	long iterations, newton_steps;
	double grad;            /* max_k |1 - sum_n W_nk| at the end */
};

/* 0 on success; -1 with a message (bad input, not converged, GSL). On
 * failure r holds nothing to free. */
int mbar_solve(size_t K, size_t N, const double *u_kn, const size_t *N_k,
	       const struct mbar_opts *o, struct mbar_result *r,
	       struct err *e);
void mbar_result_free(struct mbar_result *r);

/* Uncertainty of f_j - f_i: sqrt(Theta_ii + Theta_jj - 2 Theta_ij).
 * Small negative variances (> -1e-10, rounding) are 0; larger ones NaN. */
double mbar_df_err(const struct mbar_result *r, size_t i, size_t j);

#endif
