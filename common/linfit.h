/* linfit: straight-line least squares y = c0 + c1 x with GSL, shared by
 * arrhenius and correlate.
 *
 * With errors sy (sy[i] > 0), weighted least squares (gsl_fit_wlinear,
 * weights 1/sy^2): the covariance is the absolute one from the weights, not
 * rescaled by the scatter; chi2 = sum w r^2 tells whether the errors
 * describe the scatter (chi2/(n-2) near 1). Without errors, ordinary least
 * squares (gsl_fit_linear): the covariance is scaled by the residual
 * variance sum r^2/(n-2), undefined (NaN) for n = 2. */
#ifndef SK_LINFIT_H
#define SK_LINFIT_H

#include <stddef.h>

#include "err.h"

struct linfit {
	size_t n;
	int weighted;
	double c0, c1;                 /* intercept, slope */
	double cov00, cov01, cov11;    /* NaN when undefined */
	double chi2;                   /* weighted: sum w r^2; else sum r^2 */
};

/* At least 2 points and 2 distinct x. sy may be NULL. */
int linfit(const double *x, const double *y, const double *sy, size_t n,
	   struct linfit *f, struct err *e);
/* x where the line crosses y = 0, -c0/c1, with its error by propagation:
 * var = (cov00 + 2 x0 cov01 + x0^2 cov11)/c1^2. Both NaN when the line is
 * flat (c1 = 0: no crossing). */
void linfit_x0(const struct linfit *f, double *x0, double *err);

#endif
