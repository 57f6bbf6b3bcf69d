#include "linfit.h"

#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_fit.h>

int linfit(const double *x, const double *y, const double *sy, size_t n,
	   struct linfit *f, struct err *e)
{
	f->n = n;
	f->weighted = sy != NULL;
	f->c0 = f->c1 = f->cov00 = f->cov01 = f->cov11 = f->chi2 = NAN;
	if (n < 2)
		return err_set(e, "%zu point%s: a line needs at least 2", n,
			       n == 1 ? "" : "s");
	int distinct = 0;
	for (size_t i = 1; i < n; i++)
		distinct |= x[i] != x[0];
	if (!distinct)
		return err_set(e, "all %zu points have the same x (%g): no slope", n,
			       x[0]);
	int s;
	if (sy) {
		double *w = malloc(n * sizeof *w);
		if (!w)
			return err_set(e, "out of memory");
		for (size_t i = 0; i < n; i++) {
			if (!(sy[i] > 0.0) || !isfinite(sy[i])) {
				free(w);
				return err_set(e, "error %g of point %zu is not positive",
					       sy[i], i + 1);
			}
			w[i] = 1.0 / (sy[i] * sy[i]);
		}
		s = gsl_fit_wlinear(x, 1, w, 1, y, 1, n, &f->c0, &f->c1, &f->cov00,
				    &f->cov01, &f->cov11, &f->chi2);
		free(w);
	} else {
		s = gsl_fit_linear(x, 1, y, 1, n, &f->c0, &f->c1, &f->cov00,
				   &f->cov01, &f->cov11, &f->chi2);
		if (n == 2)   /* no degree of freedom left for the scatter */
			f->cov00 = f->cov01 = f->cov11 = NAN;
	}
	if (s != GSL_SUCCESS)
		return err_set(e, "least-squares fit failed: %s", gsl_strerror(s));
	if (!isfinite(f->c0) || !isfinite(f->c1))
		return err_set(e, "least-squares fit failed: sums out of the range "
			       "of double precision (rescale the values)");
	return 0;
}

void linfit_x0(const struct linfit *f, double *x0, double *err)
{
	*x0 = -f->c0 / f->c1;
	if (!isfinite(*x0)) {   /* a flat line (c1 = 0) has no crossing */
		*x0 = *err = NAN;
		return;
	}
	double v = f->cov00 + 2.0 * *x0 * f->cov01 + *x0 * *x0 * f->cov11;
	*err = v >= 0.0 ? sqrt(v) / fabs(f->c1) : NAN;
}
