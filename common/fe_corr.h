/* fe_corr: correlation analysis of a time series, as pymbar 3's
 * timeseries module (notes/algorithms.md 3.8; Chodera et al., JCTC 3, 26
 * (2007); Chodera, JCTC 12, 1799 (2016)).
 *
 * Statistical inefficiency g = 1 + 2 sum_{t>=1} (1 - t/N) C(t), with the
 * normalised autocorrelation C(t) = sum_{i<N-t} dA_i dA_{i+t} / ((N-t)
 * sigma^2), sigma^2 the 1/N variance; the sum stops at the first
 * C(t) <= 0 with t > mintime (pymbar's default mintime 3, not the "fast"
 * growing stride), g >= 1. Cost O(N * t_stop). */
#ifndef SK_FE_CORR_H
#define SK_FE_CORR_H

#include <stddef.h>

/* g of a[0..n-1]; -1 when the series is constant (sigma^2 = 0) or n < 2. */
int fe_corr_g(const double *a, size_t n, size_t mintime, double *g);

/* Indices round(i g) (ties to even, as Python's round), i = 0, 1, ...,
 * below n, without repeats, into idx (room for n); returns the count. */
size_t fe_corr_subsample(size_t n, double g, size_t *idx);

/* pymbar detectEquilibration: for origins t0 = 0, nskip, 2 nskip, ... <
 * n-1, g(t0) of a[t0..n-1] (n - t0 + 1 when that fails) and
 * N_eff(t0) = (n - t0 + 1)/g(t0); *t0 is the first origin with the
 * largest N_eff, *g its g. A constant series gives (0, 1, 1). */
void fe_corr_equilibrate(const double *a, size_t n, size_t nskip,
			 size_t mintime, size_t *t0, double *g,
			 double *neff);

#endif
