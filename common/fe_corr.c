/* fe_corr: statistical inefficiency, subsampling and equilibration
 * detection (pymbar 3 timeseries.statisticalInefficiency,
 * subsampleCorrelatedData, detectEquilibration). See fe_corr.h. */
#include "fe_corr.h"

#include <math.h>

int fe_corr_g(const double *a, size_t n, size_t mintime, double *g)
{
	*g = 1.0;
	if (n < 2)
		return -1;
	double mu = 0;
	for (size_t i = 0; i < n; i++)
		mu += a[i];
	mu /= (double)n;
	double s2 = 0;
	for (size_t i = 0; i < n; i++)
		s2 += (a[i] - mu) * (a[i] - mu);
	s2 /= (double)n;
	if (s2 == 0)
		return -1;
	double gg = 1.0;
	for (size_t t = 1; t + 1 < n; t++) {
		double c = 0;
		for (size_t i = 0; i + t < n; i++)
			c += (a[i] - mu) * (a[i + t] - mu);
		c /= (double)(n - t) * s2;
		if (c <= 0 && t > mintime)
			break;
		gg += 2.0 * c * (1.0 - (double)t / (double)n);
	}
	*g = gg < 1.0 ? 1.0 : gg;
	return 0;
}

size_t fe_corr_subsample(size_t n, double g, size_t *idx)
{
	size_t cnt = 0;
	if (!(g >= 1.0))
		g = 1.0;
	for (size_t i = 0;; i++) {
		double t = nearbyint((double)i * g);
		if (!(t < (double)n))
			break;
		size_t ti = (size_t)t;
		if (cnt == 0 || idx[cnt - 1] != ti)
			idx[cnt++] = ti;
	}
	return cnt;
}

void fe_corr_equilibrate(const double *a, size_t n, size_t nskip,
			 size_t mintime, size_t *t0, double *g,
			 double *neff)
{
	*t0 = 0;
	*g = 1.0;
	*neff = 1.0;
	if (n < 2)
		return;
	if (nskip < 1)
		nskip = 1;
	double gt;
	if (fe_corr_g(a, n, mintime, &gt) != 0)
		return;   /* constant: (0, 1, 1) as pymbar */
	double best = -1;
	for (size_t t = 0; t + 1 < n; t += nskip) {
		if (fe_corr_g(a + t, n - t, mintime, &gt) != 0)
			gt = (double)(n - t + 1);
		double ne = (double)(n - t + 1) / gt;
		if (ne > best) {
			best = ne;
			*t0 = t;
			*g = gt;
		}
	}
	*neff = best;
}
