/* correlate: joins tables on key columns and measures how two columns go
 * together: Pearson r, Spearman rho (ties get the average rank), their
 * two-sided p-values, the least-squares line and where it crosses y = 0.
 *
 * p-values: t = r sqrt((n-2)/(1-r^2)) follows Student's t with n-2 degrees
 * of freedom when the variables are uncorrelated (exact for Pearson r of
 * bivariate normal data; the usual large-sample approximation for Spearman,
 * as scipy.stats.spearmanr). p = 2 Q_t(|t|; n-2) (gsl_cdf_tdist_Q).
 * The line is linfit.h's: weighted by 1/yerr^2 when y errors are given
 * (x errors are not used in the fit). */
#ifndef SK_CORRELATE_H
#define SK_CORRELATE_H

#include <stddef.h>

#include "err.h"
#include "linfit.h"
#include "table.h"

/* NaN when x or y is constant or their sums of squares overflow. */
double corr_pearson(const double *x, const double *y, size_t n);
/* Ranks 1..n, ties averaged; rank[] of size n. 0, or -1 out of memory. */
int corr_ranks(const double *x, size_t n, double *rank);
/* Pearson r of the ranks; NaN when out of memory. */
double corr_spearman(const double *x, const double *y, size_t n);
/* Two-sided p-value of a correlation coefficient r from n >= 3 points. */
double corr_pvalue(double r, size_t n);

struct corr_result {
	size_t n;
	double r, r_p, rho, rho_p;
	struct linfit line;
	double x0, x0_err;    /* where the line crosses y = 0 */
};

/* At least 3 points; yerr may be NULL. */
int correlate(const double *x, const double *y, const double *yerr,
	      size_t n, struct corr_result *c, struct err *e);

/* Join: the rows of tables t[0..nt-1] that agree on all key columns (cells
 * equal as text, or both numbers of equal value: "1" matches "1.0"). Each
 * wanted column is taken from the first table that has it; rows of that
 * table without a partner in every other table used are dropped (counted
 * in ndrop). A key that repeats within a used table is an error. */
struct corr_join {
	size_t n, ncol, ndrop;
	char **key;           /* [n] joined key text ("a,b" for two keys) */
	double *val;          /* [n*ncol] */
	const char **unit;    /* [ncol] units of the wanted columns */
};
int corr_join(struct table *const *t, size_t nt, const char *const *keys,
	      size_t nkey, const char *const *cols, size_t ncol,
	      struct corr_join *j, struct err *e);
void corr_join_free(struct corr_join *j);

#endif
