/* widom: test-particle insertion (see widom.h for the estimator, the tail
 * of the insertion energy and the cut-off correction). */
#include "widom.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void widom_free(struct widom *w)
{
	free(w->tail_t);
	free(w->off);
	memset(w, 0, sizeof *w);
}

int widom_init(struct widom *w, size_t natoms, size_t ntypes,
	       const int *type, const unsigned char *skip, const double *eps,
	       const double *sig, double rc, int shift, int tail,
	       struct err *e)
{
	memset(w, 0, sizeof *w);
	if (!(rc > 0.0))
		return err_set(e, "cutoff %g must be positive", rc);
	w->natoms = natoms;
	w->ntypes = ntypes;
	w->type = type;
	w->skip = skip;
	w->eps = eps;
	w->sig = sig;
	w->rc = rc;
	w->rcsq = rc * rc;
	w->shift = shift;
	w->tail = tail;
	w->tail_t = calloc(ntypes, sizeof *w->tail_t);
	w->off = calloc(ntypes * ntypes, sizeof *w->off);
	double *cnt = calloc(ntypes, sizeof *cnt);
	if (!w->tail_t || !w->off || !cnt) {
		free(cnt);
		widom_free(w);
		return err_set(e, "out of memory");
	}
	for (size_t i = 0; i < natoms; i++)
		if (!skip || !skip[i]) {
			cnt[type[i]] += 1.0;
			w->nenv++;
		}
	double rc3 = rc * rc * rc, rc6 = rc3 * rc3, rc9 = rc3 * rc6;
	for (size_t a = 0; a < ntypes; a++)
		for (size_t b = 0; b < ntypes; b++) {
			double ep = eps[a * ntypes + b], sg = sig[a * ntypes + b];
			double s6 = pow(sg, 6.0);
			if (shift) {
				double r6 = pow(sg / rc, 6.0);
				w->off[a * ntypes + b] = 4.0 * ep * (r6 * r6 - r6);
			}
			if (tail) {
				double et = ep * s6 * (s6 - 3.0 * rc6) / (9.0 * rc9);
				w->tail_t[a] += 8.0 * M_PI * (2.0 * cnt[b] * et +
							      (a == b ? et : 0.0));
			}
		}
	free(cnt);
	return 0;
}

static inline double min_image(double d, double len)
{
	return d - len * nearbyint(d / len);
}

double widom_delta_u(const struct widom *w, const struct state *st, int t,
		     double x, double y, double z, int *nc)
{
	const size_t nt = w->ntypes;
	const double lx = st->len[0], ly = st->len[1], lz = st->len[2];
	double u = 0.0;
	int n = 0;
	for (size_t j = 0; j < w->natoms; j++) {
		if (w->skip && w->skip[j])
			continue;
		double dx = min_image(x - st->x[j], lx);
		double dy = min_image(y - st->y[j], ly);
		double dz = min_image(z - st->z[j], lz);
		double rsq = dx * dx + dy * dy + dz * dz;
		if (rsq >= w->rcsq)
			continue;
		if (rsq == 0.0) { /* on top of an atom: impossible */
			u = INFINITY;
			n++;
			continue;
		}
		n++;
		size_t k = (size_t)t * nt + (size_t)w->type[j];
		double ep = w->eps[k];
		if (ep == 0.0)
			continue;
		double s2 = w->sig[k] * w->sig[k] / rsq;
		double s6 = s2 * s2 * s2;
		u += 4.0 * ep * (s6 * s6 - s6) - w->off[k];
	}
	if (w->tail)
		u += w->tail_t[t] / (lx * ly * lz);
	if (nc)
		*nc = n;
	return u;
}

int widom_frame(const struct widom *w, const struct state *st, int t,
		size_t nins, double beta, struct rng *r, double *wb,
		double *wbn, struct err *e)
{
	for (int a = 0; a < 3; a++)
		if (!(st->len[a] >= 2.0 * w->rc))
			return err_set(e, "box length %g (%c) is less than twice the "
					  "cutoff %g", st->len[a], "xyz"[a], w->rc);
	if ((size_t)t >= w->ntypes)
		return err_set(e, "test particle type %d outside 1..%zu", t + 1,
			       w->ntypes);
	double s = 0.0, sn = 0.0;
	for (size_t k = 0; k < nins; k++) {
		double x = st->lo[0] + rng_uniform(r) * st->len[0];
		double y = st->lo[1] + rng_uniform(r) * st->len[1];
		double z = st->lo[2] + rng_uniform(r) * st->len[2];
		int nc;
		double du = widom_delta_u(w, st, t, x, y, z, &nc);
		double b = exp(-beta * du); /* 0 for an overlap, never inf */
		s += b;
		sn += b * nc;
	}
	*wb = s / (double)nins;
	*wbn = sn / (double)nins;
	return 0;
}

static int block_mu(size_t i0, size_t i1, const double *vol, const double *wb,
		    double *bmu)
{
	double svw = 0.0, sv = 0.0;
	for (size_t i = i0; i < i1; i++) {
		svw += vol[i] * wb[i];
		sv += vol[i];
	}
	if (!(svw > 0.0))
		return -1;
	*bmu = -log(svw / sv);
	return 0;
}

int widom_estimate(size_t nf, const double *vol, const double *wb,
		   const double *wbn, size_t nblock, double *bmu, double *berr,
		   double *ncoord, struct err *e)
{
	if (nf == 0)
		return err_set(e, "no frames");
	if (block_mu(0, nf, vol, wb, bmu) != 0)
		return err_set(e, "every insertion overlapped (exp(-beta "
				  "dU) = 0): too few insertions for this density");
	double svw = 0.0, svwn = 0.0;
	for (size_t i = 0; i < nf; i++) {
		svw += vol[i] * wb[i];
		svwn += vol[i] * wbn[i];
	}
	*ncoord = svwn / svw;
	*berr = NAN;
	if (nblock > nf)
		nblock = nf;
	if (nblock < 2)
		return 0;
	double sum = 0.0, sum2 = 0.0;
	size_t nb = 0;
	for (size_t b = 0; b < nblock; b++) {
		size_t i0 = nf * b / nblock, i1 = nf * (b + 1) / nblock;
		double m;
		if (block_mu(i0, i1, vol, wb, &m) != 0)
			return 0; /* a block without any acceptance: no error bar */
		sum += m;
		sum2 += m * m;
		nb++;
	}
	double mean = sum / (double)nb;
	double var = (sum2 - nb * mean * mean) / (double)(nb - 1);
	*berr = sqrt(fmax(var, 0.0) / (double)nb);
	return 0;
}

double widom_mu_tail(double rho, double eps, double sig, double rc)
{
	double x3 = pow(sig / rc, 3.0), x9 = x3 * x3 * x3;
	return 16.0 * M_PI * rho * eps * sig * sig * sig * (x9 / 9.0 - x3 / 3.0);
}
