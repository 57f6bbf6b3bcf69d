/* fe_bar: two-state estimators from work values, in kT.
 *
 * For neighbouring states A (sampled: x_A) and B (sampled: x_B):
 *   w_F = u_B(x_A) - u_A(x_A)   forward work, T_F values
 *   w_R = u_A(x_B) - u_B(x_B)   reverse work, T_R values
 * and the estimate is of dF = f_B - f_A.
 *
 * BAR (Bennett 1976; Shirts et al., PRL 91, 140601 (2003); pymbar 3
 * bar.BAR): the root of the log-Fermi form
 *   Z(dF) = logsumexp[-softplus(M + w_F - dF)]
 *         - logsumexp[-softplus(-M + w_R + dF)],   M = ln(T_F/T_R),
 * increasing in dF. Bracket [-EXP(w_R), EXP(w_F)] widened as pymbar does
 * until Z changes sign, then false position with the Illinois weighting
 * (no one-sided stall), to |bracket| <= tol max(1, |dF|) or Z = 0.
 * Variance: pymbar's 'BAR' form,
 *   <f_F^2>/(T_F <f_F>^2) + <f_R^2>/(T_R <f_R>^2) - (T_F + T_R)/(T_F T_R),
 * f_F = 1/(1 + exp(w_F + C)), f_R = 1/(1 + exp(w_R - C)), C = M - dF.
 *
 * EXP (Zwanzig; pymbar exp.EXP): dF = -ln <exp(-w)>, error
 * std(x)/sqrt(T)/mean(x), x = exp(-w - max(-w)), std with 1/T. The forward
 * estimate is EXP(w_F); the backward one -EXP(w_R).
 *
 * Work values may be +inf (a sample impossible in the other state). */
#ifndef SK_FE_BAR_H
#define SK_FE_BAR_H

#include <stddef.h>

#include "err.h"

struct fe_bar_opts {
	double tol;      /* bracket width, relative to max(1, |dF|) (1e-12) */
	long max_iter;   /* false-position iterations (500) */
};

void fe_bar_opts_default(struct fe_bar_opts *o);

int fe_bar(const double *w_F, size_t T_F, const double *w_R, size_t T_R,
	   const struct fe_bar_opts *o, double *df, double *ddf,
	   struct err *e);

/* -1 when every work value is +inf (no sample reaches the other state). */
int fe_exp(const double *w, size_t T, double *df, double *ddf,
	   struct err *e);

#endif
