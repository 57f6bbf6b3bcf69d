#include "build.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>

static void shuffle_types(int *type, size_t n, struct rng *r)
{
	for (size_t i = n; i > 1; i--) {
		size_t j = (size_t)(rng_uniform(r) * (double)i);
		int t = type[i - 1];
		type[i - 1] = type[j];
		type[j] = t;
	}
}

/* Random sequential insertion. A cell grid of edge >= min_dist holds the
 * atoms placed so far; each trial checks the 27 neighbouring cells. */
static int fill_random(const double len[3], size_t n, double dmin,
		       struct rng *r, double *x, double *y, double *z,
		       struct err *e)
{
	int nc[3];
	for (int a = 0; a < 3; a++) {
		nc[a] = (int)(len[a] / (dmin > 0 ? dmin : len[a]));
		if (nc[a] < 1)
			nc[a] = 1;
	}
	size_t ncell = (size_t)nc[0] * nc[1] * nc[2];
	long *head = malloc(ncell * sizeof *head), *next = malloc(n * sizeof *next);
	if (!head || !next) {
		free(head);
		free(next);
		return err_set(e, "out of memory");
	}
	for (size_t c = 0; c < ncell; c++)
		head[c] = -1;
	double d2 = dmin * dmin;
	const long max_trials = 100000;
	for (size_t i = 0; i < n; i++) {
		long trial;
		for (trial = 0; trial < max_trials; trial++) {
			double p[3] = {rng_uniform(r) * len[0], rng_uniform(r) * len[1],
				       rng_uniform(r) * len[2]};
			int ci[3];
			for (int a = 0; a < 3; a++) {
				ci[a] = (int)(p[a] / len[a] * nc[a]);
				if (ci[a] >= nc[a])
					ci[a] = nc[a] - 1;
			}
			int clash = 0;
			for (int dx = -1; dx <= 1 && !clash; dx++)
				for (int dy = -1; dy <= 1 && !clash; dy++)
					for (int dz = -1; dz <= 1 && !clash; dz++) {
						int cx = (ci[0] + dx + nc[0]) % nc[0];
						int cy = (ci[1] + dy + nc[1]) % nc[1];
						int cz = (ci[2] + dz + nc[2]) % nc[2];
						long c = ((long)cz * nc[1] + cy) * nc[0] + cx;
						for (long j = head[c]; j >= 0; j = next[j]) {
							double q[3] = {p[0] - x[j], p[1] - y[j], p[2] - z[j]};
							double rr = 0;
							for (int a = 0; a < 3; a++) {
								q[a] -= len[a] * round(q[a] / len[a]);
								rr += q[a] * q[a];
							}
							if (rr < d2) {
								clash = 1;
								break;
							}
						}
						/* small grids: a cell may be visited twice; harmless */
					}
			if (clash)
				continue;
			x[i] = p[0];
			y[i] = p[1];
			z[i] = p[2];
			long c = ((long)ci[2] * nc[1] + ci[1]) * nc[0] + ci[0];
			next[i] = head[c];
			head[c] = (long)i;
			break;
		}
		if (trial == max_trials) {
			free(head);
			free(next);
			return err_set(e, "could not place atom %zu of %zu at minimum "
				       "distance %g after %ld trials: lower --min-dist "
				       "or use --lattice", i + 1, n, dmin, max_trials);
		}
	}
	free(head);
	free(next);
	return 0;
}

/* fcc lattice with the smallest cubic-ish cell count giving >= n sites;
 * n sites drawn at random without replacement. Sites closer than min_dist
 * (too many atoms for the box) are an error, as for random positions. */
static int fill_fcc(const double len[3], size_t n, double min_dist,
		    struct rng *r, double *x, double *y, double *z,
		    struct err *e)
{
	double vol = len[0] * len[1] * len[2];
	double a = cbrt(4.0 * vol / (double)n); /* cell edge for density n/V */
	if (!(a > 0) || !isfinite(a))   /* else the loop below never ends */
		return err_set(e, "box %g x %g x %g: volume %g is not a finite "
			       "positive number", len[0], len[1], len[2], vol);
	double mmax = n < INT_MAX ? (double)n : (double)INT_MAX;
	int m[3];
	size_t nsite;
	for (;;) {
		for (int k = 0; k < 3; k++) {
			double q = floor(len[k] / a);
			m[k] = q < 1 ? 1 : q > mmax ? (int)mmax : (int)q;
		}
		nsite = 4 * (size_t)m[0] * m[1] * m[2];
		if (nsite >= n)
			break;
		a *= 0.99;
	}
	/* nearest sites: a face diagonal over 2, or a cell edge (in a
	 * direction of one cell that is a site's own image: not counted, as
	 * for random positions) */
	double h[3], dnn = INFINITY;
	for (int k = 0; k < 3; k++) {
		h[k] = len[k] / m[k];
		if (m[k] > 1)
			dnn = fmin(dnn, h[k]);
	}
	for (int k = 0; k < 3; k++)
		dnn = fmin(dnn, 0.5 * hypot(h[k], h[(k + 1) % 3]));
	if (dnn < min_dist)
		return err_set(e, "%zu atoms on an fcc lattice are %.3g apart, "
			       "closer than the minimum distance %.3g: a larger "
			       "box or fewer atoms", n, dnn, min_dist);
	size_t *pick = malloc(nsite * sizeof *pick);
	if (!pick)
		return err_set(e, "out of memory");
	for (size_t s = 0; s < nsite; s++)
		pick[s] = s;
	for (size_t s = 0; s < n; s++) { /* partial Fisher-Yates */
		size_t j = s + (size_t)(rng_uniform(r) * (double)(nsite - s));
		size_t t = pick[s];
		pick[s] = pick[j];
		pick[j] = t;
	}
	static const double basis[4][3] = {{0, 0, 0}, {0.5, 0.5, 0}, {0.5, 0, 0.5}, {0, 0.5, 0.5}};
	for (size_t s = 0; s < n; s++) {
		size_t k = pick[s], b = k % 4, cell = k / 4;
		size_t cx = cell % m[0], cy = (cell / m[0]) % m[1], cz = cell / ((size_t)m[0] * m[1]);
		x[s] = (cx + basis[b][0] + 0.25) * len[0] / m[0];
		y[s] = (cy + basis[b][1] + 0.25) * len[1] / m[1];
		z[s] = (cz + basis[b][2] + 0.25) * len[2] / m[2];
	}
	free(pick);
	return 0;
}

int build_positions(enum build_method method, const double len[3],
		    const long *count, int ntypes, double min_dist,
		    struct rng *r, double *x, double *y, double *z, int *type,
		    struct err *e)
{
	size_t n = 0;
	for (int t = 0; t < ntypes; t++)
		for (long k = 0; k < count[t]; k++)
			type[n++] = t + 1;
	if (n == 0)
		return err_set(e, "no atoms to place");
	shuffle_types(type, n, r);
	if (method == BUILD_FCC)
		return fill_fcc(len, n, min_dist, r, x, y, z, e);
	return fill_random(len, n, min_dist, r, x, y, z, e);
}
