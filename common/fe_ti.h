/* fe_ti: thermodynamic integration weights. The integral of an
 * interpolant of values y_0..y_{m-1} at knots x_0..x_{m-1} is linear in
 * y; these functions give its weights interval by interval,
 *   int_{x_j}^{x_{j+1}} = sum_i wint[j*m + i] y_i,
 * so that cumulative integrals and their variances (sum w_i^2 sigma_i^2,
 * notes/algorithms.md 3.7: per-state weights, shared end points counted
 * once) follow from sums of rows.
 *
 * - trapezoid: wint[j] has (x_{j+1}-x_j)/2 at i = j and i = j+1.
 * - natural cubic spline (second derivative 0 at both ends; as
 *   alchemical-analysis `naturalcubicspline`, not scipy's not-a-knot):
 *   on [x_j, x_{j+1}] with h = x_{j+1}-x_j and second derivatives M,
 *   int = h (y_j + y_{j+1})/2 - h^3 (M_j + M_{j+1})/24, M linear in y
 *   through the tridiagonal system of the spline. Two knots: trapezoid.
 * Knots must be strictly monotonic (increasing or decreasing: the
 * integral then runs in that direction). */
#ifndef SK_FE_TI_H
#define SK_FE_TI_H

#include <stddef.h>

#include "err.h"

/* wint[(m-1)*m]; cubic 0: trapezoid, 1: natural cubic spline. */
int fe_ti_weights(size_t m, const double *x, int cubic, double *wint,
		  struct err *e);

#endif
