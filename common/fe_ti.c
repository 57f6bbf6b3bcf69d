/* fe_ti: trapezoid and natural-cubic-spline integration weights (see
 * fe_ti.h). The spline's second derivatives solve, for interior knots
 * i = 1..m-2 (M_0 = M_{m-1} = 0),
 *   h_{i-1} M_{i-1} + 2 (h_{i-1} + h_i) M_i + h_i M_{i+1}
 *     = 6 [(y_{i+1} - y_i)/h_i - (y_i - y_{i-1})/h_{i-1}],
 * solved once per unit vector y = e_k (GSL symmetric tridiagonal). */
#include "fe_ti.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_vector.h>

static int natural_spline(size_t m, const double *x, double *wint,
			  struct err *e)
{
	size_t n = m - 2;   /* interior knots */
	gsl_vector *diag = gsl_vector_alloc(n), *rhs = gsl_vector_alloc(n);
	gsl_vector *sol = gsl_vector_alloc(n);
	gsl_vector *off = n > 1 ? gsl_vector_alloc(n - 1) : NULL;
	double *M = calloc(m, sizeof *M);
	int rc = -1;
	if (!diag || !rhs || !sol || (n > 1 && !off) || !M) {
		err_set(e, "TI: out of memory");
		goto out;
	}
	for (size_t i = 1; i + 1 < m; i++) {
		double h0 = x[i] - x[i - 1], h1 = x[i + 1] - x[i];
		gsl_vector_set(diag, i - 1, 2.0 * (h0 + h1));
		if (i + 2 < m)
			gsl_vector_set(off, i - 1, h1);
	}
	for (size_t k = 0; k < m; k++) {
		/* y = e_k: rhs_i = 6 [(y_{i+1}-y_i)/h_i - (y_i-y_{i-1})/h_{i-1}] */
		for (size_t i = 1; i + 1 < m; i++) {
			double h0 = x[i] - x[i - 1], h1 = x[i + 1] - x[i];
			double yl = i - 1 == k, yc = i == k, yr = i + 1 == k;
			gsl_vector_set(rhs, i - 1,
				       6.0 * ((yr - yc) / h1 - (yc - yl) / h0));
		}
		int st = GSL_SUCCESS;
		if (n > 1)
			st = gsl_linalg_solve_symm_tridiag(diag, off, rhs, sol);
		else
			gsl_vector_set(sol, 0, gsl_vector_get(rhs, 0) /
					       gsl_vector_get(diag, 0));
		if (st != GSL_SUCCESS) {
			err_set(e, "TI: cubic spline system failed (%s)",
				gsl_strerror(st));
			goto out;
		}
		M[0] = M[m - 1] = 0;
		for (size_t i = 1; i + 1 < m; i++)
			M[i] = gsl_vector_get(sol, i - 1);
		for (size_t j = 0; j + 1 < m; j++) {
			double h = x[j + 1] - x[j];
			double y = (double)(j == k) + (double)(j + 1 == k);
			wint[j * m + k] = h * y / 2.0 -
					  h * h * h * (M[j] + M[j + 1]) / 24.0;
		}
	}
	rc = 0;
out:
	gsl_vector_free(diag);
	gsl_vector_free(rhs);
	gsl_vector_free(sol);
	if (off)
		gsl_vector_free(off);
	free(M);
	return rc;
}

int fe_ti_weights(size_t m, const double *x, int cubic, double *wint,
		  struct err *e)
{
	if (m < 2)
		return err_set(e, "TI: %zu knot(s); need at least 2", m);
	double dir = x[1] > x[0] ? 1.0 : -1.0;
	for (size_t j = 0; j + 1 < m; j++)
		if (!isfinite(x[j]) || !isfinite(x[j + 1]) ||
		    !((x[j + 1] - x[j]) * dir > 0))
			return err_set(e, "TI: lambda is not strictly monotonic "
				       "(%.10g then %.10g at states %zu, %zu)",
				       x[j], x[j + 1], j, j + 1);
	memset(wint, 0, (m - 1) * m * sizeof *wint);
	if (!cubic || m == 2) {
		for (size_t j = 0; j + 1 < m; j++) {
			double h = x[j + 1] - x[j];
			wint[j * m + j] = h / 2.0;
			wint[j * m + j + 1] = h / 2.0;
		}
		return 0;
	}
	return natural_spline(m, x, wint, e);
}
