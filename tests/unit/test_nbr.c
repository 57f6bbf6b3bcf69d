/* test_nbr: the neighbour list and LJ kernel against a brute-force O(N^2)
 * minimum-image reference on random configurations; skin, rebuild trigger,
 * wrapping and image flags, thread-count independence, exact restore.
 *
 * Tolerances. Every force component is a sum of at most ~100 pair terms,
 * each at most Fmax (the largest force component in the configuration);
 * summing the same terms in another order changes the result by at most
 * ~100 * 2^-52 * Fmax ~ 2e-14 Fmax. We allow 1e-12 * Fmax per component.
 * Energy and virial are sums of ~N*50 pair terms: 1e-12 relative to the
 * sum of their magnitudes, which the test computes. (The kernel forms the
 * virial as the sum over pairs of r_ij (x) f_ij, which LAMMPS forms as x
 * (x) f over atoms and ghosts: the same to round-off.) */
#include <float.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "nbr.h"
#include "nbr_impl.h"
#include "rng.h"
#include "system.h"

struct cfg {
	size_t n, nt;
	double len[3], lo[3];
	double rc, skin;
	int shift;
	enum lj_mix mix;
};

struct sys {
	struct cfg c;
	struct pair_lj p;
	int *type;
	struct state st;
};

/* Jittered simple-cubic lattice: n atoms on random sites of a grid that
 * fills the box, each displaced by up to +-0.15 spacing, so that no two
 * atoms are closer than 0.7 spacing; types at random. */
static void make_sys(struct sys *s, const struct cfg *c, uint64_t seed)
{
	struct err e;
	struct rng r;
	rng_seed(&r, seed);
	memset(s, 0, sizeof *s);
	s->c = *c;
	state_alloc(&s->st, c->n, &e);
	s->type = calloc(c->n, sizeof *s->type);
	size_t *count = calloc(c->nt, sizeof *count);
	double vol = c->len[0] * c->len[1] * c->len[2];
	double a = cbrt(vol / (double)c->n);
	int g[3];
	for (int d = 0; d < 3; d++)
		g[d] = (int)ceil(c->len[d] / a);
	size_t m = (size_t)g[0] * g[1] * g[2];
	size_t *site = malloc(m * sizeof *site);
	for (size_t k = 0; k < m; k++)
		site[k] = k;
	for (size_t k = m - 1; k > 0; k--) {
		size_t q = rng_next(&r) % (k + 1), t = site[k];
		site[k] = site[q];
		site[q] = t;
	}
	for (size_t i = 0; i < c->n; i++) {
		size_t k = site[i];
		int ijk[3] = {(int)(k % g[0]), (int)(k / g[0] % g[1]),
			      (int)(k / g[0] / g[1])};
		double *xyz[3] = {s->st.x, s->st.y, s->st.z};
		for (int d = 0; d < 3; d++) {
			double h = c->len[d] / g[d];
			xyz[d][i] = c->lo[d] + (ijk[d] + 0.5) * h +
				    0.15 * a * (2.0 * rng_uniform(&r) - 1.0);
		}
		s->type[i] = (int)(rng_next(&r) % c->nt);
		count[s->type[i]]++;
	}
	for (int d = 0; d < 3; d++) {
		s->st.lo[d] = c->lo[d];
		s->st.len[d] = c->len[d];
	}
	double eps[8], sig[8];
	for (size_t t = 0; t < c->nt; t++) {
		eps[t] = 1.0 + 0.25 * (double)t;
		sig[t] = 1.0 - 0.05 * (double)t;
	}
	pair_lj_setup(&s->p, c->nt, eps, sig, NULL, NULL, count, c->rc,
		      c->mix, c->shift, 0, &e);
	free(site);
	free(count);
}

static void free_sys(struct sys *s)
{
	state_free(&s->st);
	free(s->type);
	free(s->p.eps);
	free(s->p.sig);
	free(s->p.cutsq);
	free(s->p.lj1);
	free(s->p.lj2);
	free(s->p.lj3);
	free(s->p.lj4);
	free(s->p.offset);
}

/* Brute force, minimum image, long double sums; also the sums of absolute
 * values that scale the tolerances. */
struct ref {
	long double *f; /* [3n] */
	double e, w[6], eabs, wabs, fmax;
};

static void brute(const struct sys *s, struct ref *r)
{
	const struct state *st = &s->st;
	const struct pair_lj *p = &s->p;
	size_t n = st->n, nt = p->ntypes;
	long double e = 0, w[6] = {0}, eabs = 0, wabs = 0;
	r->f = calloc(3 * n, sizeof *r->f);
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++) {
			double d[3] = {st->x[i] - st->x[j], st->y[i] - st->y[j],
				       st->z[i] - st->z[j]};
			for (int a = 0; a < 3; a++)
				d[a] -= st->len[a] * round(d[a] / st->len[a]);
			double rsq = d[0] * d[0] + d[1] * d[1] + d[2] * d[2];
			size_t ij = (size_t)s->type[i] * nt + s->type[j];
			if (rsq >= p->cutsq[ij])
				continue;
			double r2i = 1.0 / rsq, r6i = r2i * r2i * r2i;
			double fp = r6i * (p->lj1[ij] * r6i - p->lj2[ij]) * r2i;
			double ev = r6i * (p->lj3[ij] * r6i - p->lj4[ij]) -
				    p->offset[ij];
			for (int a = 0; a < 3; a++) {
				r->f[3 * i + a] += d[a] * fp;
				r->f[3 * j + a] -= d[a] * fp;
			}
			e += ev;
			eabs += fabs(ev);
			double v[6] = {d[0] * d[0] * fp, d[1] * d[1] * fp,
				       d[2] * d[2] * fp, d[0] * d[1] * fp,
				       d[0] * d[2] * fp, d[1] * d[2] * fp};
			for (int a = 0; a < 6; a++) {
				w[a] += v[a];
				wabs += fabsl((long double)v[a]);
			}
		}
	r->e = (double)e;
	r->eabs = (double)eabs;
	r->wabs = (double)wabs;
	for (int a = 0; a < 6; a++)
		r->w[a] = (double)w[a];
	r->fmax = 0;
	for (size_t k = 0; k < 3 * n; k++)
		if (fabsl(r->f[k]) > r->fmax)
			r->fmax = (double)fabsl(r->f[k]);
}

/* Max |f - ref| / fmax over all components; energy and virial errors
 * relative to their absolute sums. */
static double force_err(const struct state *st, const struct ref *r)
{
	double m = 0;
	for (size_t i = 0; i < st->n; i++) {
		double f[3] = {st->fx[i], st->fy[i], st->fz[i]};
		for (int a = 0; a < 3; a++) {
			double d = fabs(f[a] - (double)r->f[3 * i + a]) / r->fmax;
			if (!(d <= m))
				m = d;
		}
	}
	return m;
}

static void check_against_brute(const char *what, struct sys *s,
				struct nbr_list *nl)
{
	struct energy en = {0};
	struct ref r;
	pair_lj_compute(&s->p, s->type, &s->st, nl, &en);
	brute(s, &r);
	double fe = force_err(&s->st, &r);
	CHECK(fe <= 1e-12, "%s: forces equal brute force (max err %.2e of "
			   "Fmax %.3g)", what, fe, r.fmax);
	CHECK_CLOSE(en.evdwl, r.e, 0.0, 1e-12 * r.eabs, what);
	double we = 0;
	for (int a = 0; a < 6; a++)
		we = fmax(we, fabs(en.virial[a] - r.w[a]) / r.wabs);
	CHECK(we <= 1e-12, "%s: virial equals brute force (max err %.2e)",
	      what, we);
	free(r.f);
}

static void copy_forces(const struct state *st, double *f)
{
	for (size_t i = 0; i < st->n; i++) {
		f[3 * i] = st->fx[i];
		f[3 * i + 1] = st->fy[i];
		f[3 * i + 2] = st->fz[i];
	}
}

static double max_rel_diff(const double *a, const double *b, size_t m)
{
	double big = 0, d = 0;
	for (size_t k = 0; k < m; k++)
		big = fmax(big, fabs(b[k]));
	for (size_t k = 0; k < m; k++)
		d = fmax(d, fabs(a[k] - b[k]) / big);
	return d;
}

static void test_brute(void)
{
	struct err e;
	struct cfg cs[] = {
		/* the paper's slab box, two types */
		{2128, 2, {7.65, 7.65, 50}, {0, 0, 0}, 2.5, 0.3, 0, MIX_GEOMETRIC},
		/* cubic, one type, shifted, box off the origin */
		{1000, 1, {11, 11, 11}, {-3, 2, -7.5}, 2.5, 0.3, 1, MIX_GEOMETRIC},
		/* three and five types (general kernel), arithmetic */
		{800, 3, {9.5, 10, 10.5}, {0, 0, 0}, 2.5, 0.4, 1, MIX_ARITHMETIC},
		{900, 5, {10, 10, 10}, {0, 0, 0}, 3.0, 0.3, 0, MIX_ARITHMETIC},
		/* box exactly 2*(rc+skin) */
		{400, 2, {5.6, 5.6, 14}, {0, 0, 0}, 2.5, 0.3, 0, MIX_GEOMETRIC},
		/* sparse long box: few, large cells (2 across y and z) */
		{40, 2, {60, 5.7, 5.8}, {0, 0, 0}, 2.5, 0.3, 0, MIX_GEOMETRIC},
		/* real-unit scale */
		{500, 2, {30, 30, 30}, {0, 0, 0}, 9.534, 2.0, 0, MIX_GEOMETRIC},
	};
	/* one z slab per thread: the search across slabs (and its skipping
	 * of slabs out of reach) at 1, 2 and 3 */
	int save = omp_get_max_threads();
	for (int nt = 1; nt <= 3; nt++)
	for (size_t k = 0; k < sizeof cs / sizeof cs[0]; k++) {
		struct sys s;
		char what[160];
		omp_set_num_threads(nt);
		make_sys(&s, &cs[k], 1000 + k);
		struct nbr_list *nl;
		CHECK(nbr_create(&nl, s.st.n, cs[k].rc, cs[k].skin, &e) == 0,
		      "create list %zu", k);
		CHECK(nbr_build(nl, &s.st, &e) == 0, "build list %zu", k);
		snprintf(what, sizeof what, "config %zu (n %zu, %zu types, box "
			 "%g x %g x %g), %d threads", k, cs[k].n, cs[k].nt,
			 cs[k].len[0], cs[k].len[1], cs[k].len[2], nt);
		check_against_brute(what, &s, nl);
		nbr_free(nl);
		free_sys(&s);
	}
	omp_set_num_threads(save);
}

/* Moves below skin/2 keep the list; forces then equal a fresh build's. */
static void test_skin(void)
{
	struct err e;
	struct cfg c = {2128, 2, {7.65, 7.65, 50}, {0, 0, 0}, 2.5, 0.3, 0,
			MIX_GEOMETRIC};
	struct sys s;
	struct rng r;
	rng_seed(&r, 77);
	make_sys(&s, &c, 42);
	struct nbr_list *nl, *fresh;
	nbr_create(&nl, c.n, c.rc, c.skin, &e);
	nbr_create(&fresh, c.n, c.rc, c.skin, &e);
	CHECK(nbr_needs_rebuild(nl, &s.st) == 1, "never built: rebuild");
	nbr_build(nl, &s.st, &e);
	CHECK(nbr_needs_rebuild(nl, &s.st) == 0, "just built: no rebuild");
	CHECK(nbr_nbuilds(nl) == 1, "one build counted");
	/* Random moves of length just under skin/2 in random directions. */
	double step = 0.499 * c.skin;
	for (size_t i = 0; i < c.n; i++) {
		double u[3], q = 0;
		for (int a = 0; a < 3; a++) {
			u[a] = rng_gauss(&r);
			q += u[a] * u[a];
		}
		q = step / sqrt(q);
		s.st.x[i] += u[0] * q;
		s.st.y[i] += u[1] * q;
		s.st.z[i] += u[2] * q;
	}
	CHECK(nbr_needs_rebuild(nl, &s.st) == 0,
	      "every atom moved 0.499 skin: no rebuild");
	check_against_brute("after sub-skin moves, old list", &s, nl);
	double *f1 = malloc(3 * c.n * sizeof *f1), *f2 = malloc(3 * c.n * sizeof *f2);
	struct energy e1, e2;
	pair_lj_compute(&s.p, s.type, &s.st, nl, &e1);
	copy_forces(&s.st, f1);
	struct state cp = {0};
	state_copy(&cp, &s.st, &e);
	nbr_build(fresh, &cp, &e);
	pair_lj_compute(&s.p, s.type, &cp, fresh, &e2);
	copy_forces(&cp, f2);
	double d = max_rel_diff(f1, f2, 3 * c.n);
	CHECK(d <= 1e-12, "old list and fresh build: same forces (%.2e)", d);
	CHECK_CLOSE(e1.evdwl, e2.evdwl, 1e-12, 0.0, "old list and fresh build: same energy");

	/* One atom past skin/2 triggers a rebuild; just below does not. */
	const double *xr, *yr, *zr;
	double rlo[3], rlen[3];
	CHECK(nbr_reference(nl, &xr, &yr, &zr, rlo, rlen) == 0 &&
	      rlen[2] == c.len[2], "reference positions and box available");
	double x0 = s.st.x[7];
	for (size_t i = 0; i < c.n; i++) { /* all back, then one moves */
		s.st.x[i] = xr[i];
		s.st.y[i] = yr[i];
		s.st.z[i] = zr[i];
	}
	s.st.x[7] = xr[7] + 0.5001 * c.skin;
	CHECK(nbr_needs_rebuild(nl, &s.st) == 1, "atom moved 0.5001 skin: rebuild");
	s.st.x[7] = xr[7] + 0.4999 * c.skin;
	CHECK(nbr_needs_rebuild(nl, &s.st) == 0, "atom moved 0.4999 skin: no rebuild");
	(void)x0;
	/* A box change shrinks the trigger distance (LAMMPS boxcheck): the
	 * far corner moves 0.2 skin, the trigger becomes 0.4 skin. */
	s.st.len[2] += 0.2 * c.skin;
	CHECK(nbr_needs_rebuild(nl, &s.st) == 1,
	      "box grew 0.2 skin, atom moved 0.4999 skin: rebuild");
	s.st.x[7] = xr[7] + 0.3999 * c.skin;
	CHECK(nbr_needs_rebuild(nl, &s.st) == 0,
	      "box grew 0.2 skin, atom moved 0.3999 skin: no rebuild");
	s.st.len[2] -= 0.2 * c.skin;
	s.st.len[2] += 1.5 * c.skin;
	CHECK(nbr_needs_rebuild(nl, &s.st) == 1, "box grew 1.5 skin: rebuild");
	s.st.len[2] -= 1.5 * c.skin;
	/* NPT-like: box and positions scaled by 1.0005 (corners move less
	 * than skin), no rebuild: the old list, with ghosts as images under
	 * the new box, still gives the brute-force forces. */
	nbr_build(nl, &s.st, &e);
	for (int a = 0; a < 3; a++)
		s.st.len[a] *= 1.0005;
	for (size_t i = 0; i < c.n; i++) {
		s.st.x[i] *= 1.0005;
		s.st.y[i] *= 1.0005;
		s.st.z[i] *= 1.0005;
	}
	CHECK(nbr_needs_rebuild(nl, &s.st) == 0, "box scaled by 1.0005: no rebuild");
	check_against_brute("box scaled by 1.0005, old list", &s, nl);
	s.st.x[3] = NAN;
	CHECK(nbr_needs_rebuild(nl, &s.st) == 1, "NaN position: rebuild");
	CHECK(nbr_build(nl, &s.st, &e) != 0 && strstr(e.msg, "non-finite"),
	      "NaN position: build fails: %s", e.msg);
	free(f1);
	free(f2);
	state_free(&cp);
	nbr_free(nl);
	nbr_free(fresh);
	free_sys(&s);
}

/* Atoms far outside the box with image flags: a build wraps them into
 * [lo, hi) and keeps x + ix*L; forces equal those of the wrapped copy. */
static void test_wrap(void)
{
	struct err e;
	struct cfg c = {600, 2, {9, 9.5, 10}, {-1, 0, 2}, 2.5, 0.3, 0,
			MIX_GEOMETRIC};
	struct sys s;
	struct rng r;
	rng_seed(&r, 5);
	make_sys(&s, &c, 9);
	size_t n = c.n;
	double *ux = malloc(3 * n * sizeof *ux);
	struct nbr_list *nl;
	nbr_create(&nl, n, c.rc, c.skin, &e);
	/* Reference forces in the unwrapped-inside configuration. */
	nbr_build(nl, &s.st, &e);
	struct energy e0, e1;
	pair_lj_compute(&s.p, s.type, &s.st, nl, &e0);
	double *f0 = malloc(3 * n * sizeof *f0), *f1 = malloc(3 * n * sizeof *f1);
	copy_forces(&s.st, f0);
	double *xyz[3] = {s.st.x, s.st.y, s.st.z};
	int *im[3] = {s.st.ix, s.st.iy, s.st.iz};
	for (size_t i = 0; i < n; i++)
		for (int a = 0; a < 3; a++) {
			int k = (int)(rng_next(&r) % 13) - 6; /* -6..6 periods */
			im[a][i] = (int)(rng_next(&r) % 5) - 2;
			xyz[a][i] += k * c.len[a];
			im[a][i] -= k;
			ux[3 * i + a] = xyz[a][i] + im[a][i] * c.len[a];
		}
	CHECK(nbr_build(nl, &s.st, &e) == 0, "build with atoms 6 boxes away");
	int inside = 1;
	double dmax = 0;
	for (size_t i = 0; i < n; i++)
		for (int a = 0; a < 3; a++) {
			double v = xyz[a][i];
			if (!(v >= c.lo[a] && v < c.lo[a] + c.len[a]))
				inside = 0;
			double u = v + im[a][i] * c.len[a];
			dmax = fmax(dmax, fabs(u - ux[3 * i + a]));
		}
	CHECK(inside, "all atoms wrapped into [lo, hi)");
	/* x + ix*L is recomputed from numbers of size ~10 L: round-off
	 * 10 L 2^-52 ~ 2e-14. */
	CHECK(dmax <= 1e-12, "unwrapped positions unchanged (max %.2e)", dmax);
	pair_lj_compute(&s.p, s.type, &s.st, nl, &e1);
	copy_forces(&s.st, f1);
	/* Wrapping moves each atom by round-off of its coordinate (~1e-14),
	 * which changes forces by ~ 1e-14 * |dF/dx| / Fmax. */
	double d = max_rel_diff(f1, f0, 3 * n);
	CHECK(d <= 1e-10, "forces unchanged by wrapping (%.2e)", d);
	CHECK_CLOSE(e1.evdwl, e0.evdwl, 1e-12, 0.0, "energy unchanged by wrapping");
	free(ux);
	free(f0);
	free(f1);
	nbr_free(nl);
	free_sys(&s);
}

/* A box that shrinks a little at each build (as NPT's does) walks the
 * build's scratch need through every size up to the capacity of the
 * buffer, so the sanitizer builds of this test see any part of the build
 * carved beyond what was asked for (the slab planes were: 64 bytes past
 * the end at 1 and 2 slabs). Also checks the lists stay right. */
static void test_shrinking_box(void)
{
	struct err e;
	struct cfg c = {300, 2, {8, 8, 8}, {0, 0, 0}, 2.5, 0.3, 0,
			MIX_GEOMETRIC};
	int save = omp_get_max_threads();
	for (int t = 1; t <= 2; t++) {
		struct sys s;
		make_sys(&s, &c, 77);
		omp_set_num_threads(t);
		struct nbr_list *nl;
		nbr_create(&nl, c.n, c.rc, c.skin, &e);
		int ok = 1;
		for (int k = 0; k < 400 && ok; k++) {
			double f = 1.0 - 2.5e-4;
			for (size_t i = 0; i < c.n; i++) {
				s.st.x[i] *= f;
				s.st.y[i] *= f;
				s.st.z[i] *= f;
			}
			for (int d = 0; d < 3; d++)
				s.st.len[d] *= f;
			ok = nbr_build(nl, &s.st, &e) == 0;
		}
		CHECK(ok, "%d thread(s): 400 builds as the box shrinks 10%%: %s",
		      t, ok ? "" : e.msg);
		nbr_free(nl);
		free_sys(&s);
	}
	omp_set_num_threads(save);
}

/* 1, 2 and 3 threads: same forces to round-off; one count is bitwise
 * reproducible; a restored list gives bitwise the forces of the original. */
static void test_threads_restore(void)
{
	struct err e;
	struct cfg c = {2128, 2, {7.65, 7.65, 50}, {0, 0, 0}, 2.5, 0.3, 1,
			MIX_GEOMETRIC};
	struct sys s;
	make_sys(&s, &c, 2024);
	size_t n = c.n;
	double *f[4];
	struct energy en[4];
	for (int t = 0; t < 4; t++)
		f[t] = malloc(3 * n * sizeof *f[t]);
	int nthreads[3] = {1, 2, 3};
	int save = omp_get_max_threads();
	struct nbr_list *nl;
	nbr_create(&nl, n, c.rc, c.skin, &e);
	for (int k = 0; k < 3; k++) {
		omp_set_num_threads(nthreads[k]);
		nbr_build(nl, &s.st, &e);
		pair_lj_compute(&s.p, s.type, &s.st, nl, &en[k]);
		copy_forces(&s.st, f[k]);
	}
	for (int k = 1; k < 3; k++) {
		double d = max_rel_diff(f[k], f[0], 3 * n);
		CHECK(d <= 1e-12, "%d threads vs 1: forces (%.2e)", nthreads[k], d);
		CHECK_CLOSE(en[k].evdwl, en[0].evdwl, 1e-12, 0.0, "threads: energy");
		for (int a = 0; a < 6; a++)
			CHECK_CLOSE(en[k].virial[a], en[0].virial[a], 1e-12,
				    1e-12 * fabs(en[0].virial[0]), "threads: virial");
	}
	/* Same thread count (3): bitwise the same on a second call, and
	 * without energy (en NULL). */
	pair_lj_compute(&s.p, s.type, &s.st, nl, &en[3]);
	copy_forces(&s.st, f[3]);
	CHECK(memcmp(f[3], f[2], 3 * n * sizeof(double)) == 0 &&
	      en[3].evdwl == en[2].evdwl, "repeat call: bitwise equal");
	pair_lj_compute(&s.p, s.type, &s.st, nl, NULL);
	copy_forces(&s.st, f[3]);
	CHECK(memcmp(f[3], f[2], 3 * n * sizeof(double)) == 0,
	      "forces only (en NULL): bitwise the same forces");

	/* Restore: move atoms a little, compute with the list; a second list
	 * restored from the first's reference gives bitwise the same. */
	omp_set_num_threads(2);
	nbr_build(nl, &s.st, &e);
	for (size_t i = 0; i < n; i++)
		s.st.x[i] += 0.05 * sin((double)i);
	pair_lj_compute(&s.p, s.type, &s.st, nl, &en[0]);
	copy_forces(&s.st, f[0]);
	const double *xr, *yr, *zr;
	double lo[3], len[3];
	struct nbr_list *nl2;
	nbr_create(&nl2, n, c.rc, c.skin, &e);
	CHECK(nbr_reference(nl2, &xr, &yr, &zr, lo, len) == -1,
	      "no reference before the first build");
	nbr_reference(nl, &xr, &yr, &zr, lo, len);
	CHECK(nbr_restore(nl2, &s.st, xr, yr, zr, lo, len, &e) == 0,
	      "restore from reference");
	CHECK(nbr_needs_rebuild(nl2, &s.st) == 0, "restored list: no rebuild");
	pair_lj_compute(&s.p, s.type, &s.st, nl2, &en[1]);
	copy_forces(&s.st, f[1]);
	CHECK(memcmp(f[0], f[1], 3 * n * sizeof(double)) == 0 &&
	      en[0].evdwl == en[1].evdwl &&
	      memcmp(en[0].virial, en[1].virial, sizeof en[0].virial) == 0,
	      "restored list: bitwise the same forces, energy, virial");
	/* Restoring a list from its own reference arrays is allowed. */
	nbr_reference(nl2, &xr, &yr, &zr, lo, len);
	CHECK(nbr_restore(nl2, &s.st, xr, yr, zr, lo, len, &e) == 0,
	      "restore from own reference");
	omp_set_num_threads(save);
	for (int t = 0; t < 4; t++)
		free(f[t]);
	nbr_free(nl);
	nbr_free(nl2);
	free_sys(&s);
}

/* The atom order of a build with 2 and 3 threads (nbr_order_item, item
 * by item in reverse item order: any thread may take any item): a
 * permutation that keeps each item's atoms together in item order, each
 * item's in the order of their slots. The
 * renumbering by items (nbr_renumber_gather, _item, _end) moves the slot
 * sources, local slots and reference positions as the order says; after
 * it each item's atoms are its thread's (nbr_atom_range) and the order is
 * the identity. White box: reads the list's items. */
static void test_local_order(void)
{
	struct err e;
	struct cfg c = {2128, 2, {7.65, 7.65, 50}, {0, 0, 0}, 2.5, 0.3, 1,
			MIX_GEOMETRIC};
	struct sys s;
	make_sys(&s, &c, 2025);
	const size_t n = c.n;
	int *order = malloc(n * sizeof *order);
	int *seen = malloc(n * sizeof *seen);
	const int save = omp_get_max_threads();
	for (int nt = 2; nt <= 3; nt++) {
		omp_set_num_threads(nt);
		struct nbr_list *nl;
		nbr_create(&nl, n, c.rc, c.skin, &e);
		CHECK(nbr_build(nl, &s.st, &e) == 0 && nbr_items(nl) == nt,
		      "%d threads: build, %d items", nt, nbr_items(nl));
		for (int w = nt - 1; w >= 0; w--)
			nbr_order_item(nl, w, order);
		int perm = 1;
		memset(seen, 0, n * sizeof *seen);
		for (size_t j = 0; j < n; j++)
			perm &= order[j] >= 0 && (size_t)order[j] < n &&
				!seen[order[j]]++;
		CHECK(perm, "%d threads: the order is a permutation", nt);
		size_t j = 0;
		int together = 1, inslots = 1;
		for (int w = 0; w < nt && perm; w++) {
			/* the item's atoms are the next ones in the order, in
			 * the order of their slots (the drift fills them so) */
			size_t na = 0;
			for (int k = nl->tstart[w]; k < nl->tstart[w + 1]; k++)
				na += nl->src[k] >= 0;
			for (size_t q = j; q < j + na; q++) {
				const int a = order[q];
				together &= nl->lslot[a] >= nl->tstart[w] &&
					    nl->lslot[a] < nl->tstart[w + 1];
				inslots &= q == j ||
					   nl->lslot[order[q - 1]] < nl->lslot[a];
			}
			j += na;
		}
		CHECK(together && j == n, "%d threads: each item's atoms together, "
		      "in item order", nt);
		CHECK(inslots, "%d threads: in each item, the atoms in slot order",
		      nt);

		/* what the renumbering must give: new atom j is old order[j] */
		int *src0 = malloc(nl->nslot * sizeof *src0);
		int *newof = malloc(n * sizeof *newof);
		double *ref0 = malloc(3 * n * sizeof *ref0);
		const double *r[3];
		double lo[3], len[3];
		memcpy(src0, nl->src, nl->nslot * sizeof *src0);
		nbr_reference(nl, &r[0], &r[1], &r[2], lo, len);
		for (int d = 0; d < 3; d++)
			memcpy(ref0 + d * n, r[d], n * sizeof *ref0);
		for (size_t q = 0; q < n; q++)
			newof[order[q]] = (int)q;
		for (int w = nt - 1; w >= 0; w--)
			nbr_renumber_gather(nl, w, order);
		for (int w = nt - 1; w >= 0; w--)
			nbr_renumber_item(nl, w);
		nbr_renumber_end(nl);
		int srcok = 1, lslotok = 1, refok = 1;
		for (size_t k = 0; k < nl->nslot; k++) {
			srcok &= nl->src[k] == (src0[k] < 0 ? src0[k] : newof[src0[k]]);
			if (k < nl->nloc && nl->src[k] >= 0)
				lslotok &= nl->lslot[nl->src[k]] == (int)k;
		}
		nbr_reference(nl, &r[0], &r[1], &r[2], lo, len);
		for (int d = 0; d < 3; d++)
			for (size_t q = 0; q < n; q++)
				refok &= r[d][q] == ref0[d * n + (size_t)order[q]];
		CHECK(srcok && lslotok && refok, "%d threads: the renumbering moves "
		      "slot sources (%d), local slots (%d), reference (%d)", nt,
		      srcok, lslotok, refok);
		size_t covered = 0;
		int ranges = 1;
		for (int w = 0; w < nt; w++) {
			size_t j0, j1, a0, a1;
			nbr_item_atoms(nl, w, &j0, &j1);
			nbr_atom_range(nl, w, nt, &a0, &a1);
			ranges &= j0 == a0 && j1 == a1 && j0 == covered;
			covered = j1;
			/* its atoms are in its local slots */
			for (size_t q = j0; q < j1; q++)
				ranges &= nl->lslot[q] >= nl->tstart[w] &&
					  nl->lslot[q] < nl->tstart[w + 1];
		}
		CHECK(ranges && covered == n, "%d threads: each item's atoms are "
		      "its thread's after the renumbering", nt);
		for (int w = 0; w < nt; w++)
			nbr_order_item(nl, w, order);
		int ident = 1;
		for (size_t q = 0; q < n; q++)
			ident &= order[q] == (int)q;
		CHECK(ident, "%d threads: after the renumbering, the identity", nt);
		free(src0);
		free(newof);
		free(ref0);
		nbr_free(nl);
	}
	omp_set_num_threads(save);
	free(order);
	free(seen);
	free_sys(&s);
}

static void test_errors(void)
{
	struct err e;
	struct nbr_list *nl;
	CHECK(nbr_create(&nl, 10, -1.0, 0.3, &e) != 0, "negative cutoff: %s", e.msg);
	CHECK(nbr_create(&nl, 10, 2.5, -0.1, &e) != 0, "negative skin: %s", e.msg);
	struct cfg c = {100, 1, {5.5, 8, 8}, {0, 0, 0}, 2.5, 0.3, 0,
			MIX_GEOMETRIC};
	struct sys s;
	make_sys(&s, &c, 3);
	nbr_create(&nl, c.n, c.rc, c.skin, &e);
	CHECK(nbr_build(nl, &s.st, &e) != 0 && strstr(e.msg, "2*(cutoff+skin)"),
	      "box 5.5 < 2*(2.5+0.3): %s", e.msg);
	nbr_free(nl);
	nbr_create(&nl, c.n + 1, c.rc, c.skin, &e);
	s.st.len[0] = 6;
	CHECK(nbr_build(nl, &s.st, &e) != 0, "atom count mismatch: %s", e.msg);
	nbr_free(nl);
	/* Atoms that cannot be wrapped (the wrap runs in parallel; the error
	 * names the first one, whatever the thread count). */
	int save = omp_get_max_threads();
	for (int t = 1; t <= 2; t++) {
		omp_set_num_threads(t);
		nbr_create(&nl, c.n, c.rc, c.skin, &e);
		double y70 = s.st.y[70], x20 = s.st.x[20];
		s.st.y[70] = 1e12 * s.st.len[1];
		s.st.x[20] = NAN;
		CHECK(nbr_build(nl, &s.st, &e) != 0 &&
		      strstr(e.msg, "atom index 20 has a non-finite position"),
		      "%d threads, NaN at 20 and far atom 70: %s", t, e.msg);
		s.st.x[20] = x20;
		CHECK(nbr_build(nl, &s.st, &e) != 0 &&
		      strstr(e.msg, "atom index 70 is") &&
		      strstr(e.msg, "box lengths away along y"),
		      "%d threads, far atom 70: %s", t, e.msg);
		s.st.y[70] = y70 + 3 * s.st.len[1];
		int iy = s.st.iy[70];
		CHECK(nbr_build(nl, &s.st, &e) == 0 && s.st.iy[70] == iy + 3 &&
		      /* y + 3L - 3L: two roundings at |y| <= 4L */
		      fabs(s.st.y[70] - y70) <= 2 * DBL_EPSILON * 4 * s.st.len[1],
		      "%d threads, atom 3 boxes away wrapped (image %d -> %d)",
		      t, iy, s.st.iy[70]);
		nbr_free(nl);
	}
	/* With the list built at 2 threads, each thread wraps the atoms of
	 * its slab: a far atom in the lower one and a NaN in the upper one
	 * name the far atom, as the serial wrap would. */
	omp_set_num_threads(2);
	nbr_create(&nl, c.n, c.rc, c.skin, &e);
	CHECK(nbr_build(nl, &s.st, &e) == 0 && nl->nthr == 2,
	      "2 threads: build before the bad atoms");
	{
		size_t a0, a1, b0, b1;
		nbr_atom_range(nl, 0, 2, &a0, &a1);
		nbr_atom_range(nl, 1, 2, &b0, &b1);
		const size_t far = a0 + 3, bad = b1 - 2;
		s.st.z[far] = -1e12 * s.st.len[2];
		s.st.x[bad] = NAN;
		char want[64];
		snprintf(want, sizeof want, "atom index %zu is ", far);
		CHECK(nbr_build(nl, &s.st, &e) != 0 && strstr(e.msg, want) &&
		      strstr(e.msg, "box lengths away along z"),
		      "2 threads, far atom %zu (thread 0), NaN at %zu (thread "
		      "1): %s", far, bad, e.msg);
	}
	nbr_free(nl);
	omp_set_num_threads(save);
	free_sys(&s);
}

/* Forces of pair_lj_compute on list a and b equal component for
 * component (== : a zero's sign aside), and the energy and virial. */
static int same_forces(struct sys *s, struct nbr_list *a, struct nbr_list *b)
{
	const size_t n = s->st.n;
	double *fa = malloc(3 * n * sizeof *fa), *fb = malloc(3 * n * sizeof *fb);
	struct energy ea, eb;
	pair_lj_compute(&s->p, s->type, &s->st, a, &ea);
	copy_forces(&s->st, fa);
	pair_lj_compute(&s->p, s->type, &s->st, b, &eb);
	copy_forces(&s->st, fb);
	int same = ea.evdwl == eb.evdwl;
	for (int c = 0; c < 6; c++)
		same &= ea.virial[c] == eb.virial[c];
	for (size_t k = 0; k < 3 * n; k++)
		same &= fa[k] == fb[k];
	free(fa);
	free(fb);
	return same;
}

/* Moves of every atom by len in random directions. */
static void move_all(struct state *st, struct rng *r, double len)
{
	for (size_t i = 0; i < st->n; i++) {
		double u[3], q = 0;
		for (int a = 0; a < 3; a++) {
			u[a] = rng_gauss(r);
			q += u[a] * u[a];
		}
		q = len / sqrt(q);
		st->x[i] += u[0] * q;
		st->y[i] += u[1] * q;
		st->z[i] += u[2] * q;
	}
}

/* Dynamic pruning (nbr_create_pruned, nbr_set_prune): the pruned pass
 * gives exactly the forces of the whole list (same build: the list
 * searched with the same skin) and the brute-force ones, is made again
 * when an atom has moved more than buf/2 since, or the box changed, and
 * not otherwise; it keeps fewer clusters than the list. */
static void test_prune(void)
{
	struct err e;
	struct cfg cs[] = {
		{2128, 2, {7.65, 7.65, 50}, {0, 0, 0}, 2.5, 0.3, 0, MIX_GEOMETRIC},
		{900, 5, {10, 10, 10}, {0, 0, 0}, 3.0, 0.3, 0, MIX_ARITHMETIC},
		/* too small for twice the skin: the search skin in between */
		{400, 2, {5.9, 5.9, 14}, {0, 0, 0}, 2.5, 0.3, 0, MIX_GEOMETRIC},
	};
	int save = omp_get_max_threads();
	for (int nt = 1; nt <= 3; nt++)
	for (size_t k = 0; k < sizeof cs / sizeof cs[0]; k++) {
		const struct cfg *c = &cs[k];
		struct sys s;
		struct rng r;
		char what[160];
		omp_set_num_threads(nt);
		rng_seed(&r, 500 + k);
		make_sys(&s, c, 2000 + k);
		struct nbr_list *nl, *whole;
		CHECK(nbr_create_pruned(&nl, c->n, c->rc, c->skin, c->len, &e) == 0,
		      "create pruned list %zu", k);
		const double search = nl->skin, buf = c->skin;
		const double want = fmin(2.0 * c->skin, 0.45 * fmin(c->len[0],
					 fmin(c->len[1], c->len[2])) - c->rc);
		CHECK(fabs(search - fmax(want, c->skin)) < 1e-14,
		      "config %zu: search skin %g", k, search);
		nbr_create(&whole, c->n, c->rc, search, &e);
		nbr_build(nl, &s.st, &e);
		nbr_build(whole, &s.st, &e);
		snprintf(what, sizeof what, "pruned, config %zu, %d threads", k,
			 nt);
		check_against_brute(what, &s, nl);
		CHECK(nbr_nprunes(nl) == 1, "%s: pruned at the first pass (%ld)",
		      what, nbr_nprunes(nl));
		CHECK(same_forces(&s, nl, whole), "%s: forces of the whole list",
		      what);
		size_t kept = 0;
		for (size_t i = 0; i < nl->nloc; i++)
			kept += (size_t)nl->prune->pn[i];
		/* (the search's box test keeps clusters with no atom in
		 * reach: about 1/5 of them at the same skin, more with 2x) */
		CHECK(kept < (size_t)nl->first[nl->nloc] *
				     (search >= 2.0 * buf ? 0.75 : 0.9),
		      "%s: the pruned list keeps %zu of %d clusters", what, kept,
		      nl->first[nl->nloc]);
		/* moves just under buf/2: the pruned list holds */
		move_all(&s.st, &r, 0.98 * buf / 2);
		CHECK(!nbr_needs_rebuild(nl, &s.st), "%s: no rebuild", what);
		check_against_brute(what, &s, nl);
		CHECK(same_forces(&s, nl, whole), "%s: moved 0.98 buf/2: forces "
		      "of the whole list", what);
		CHECK(nbr_nprunes(nl) == 1, "%s: moved 0.98 buf/2: not pruned "
		      "again (%ld)", what, nbr_nprunes(nl));
		/* one atom beyond buf/2 since the pruning: pruned again */
		s.st.x[5] = nl->prune->xp[5] + 1.01 * buf / 2;
		s.st.y[5] = nl->prune->yp[5];
		s.st.z[5] = nl->prune->zp[5];
		check_against_brute(what, &s, nl);
		CHECK(nbr_nprunes(nl) == 2, "%s: an atom past buf/2: pruned "
		      "again (%ld)", what, nbr_nprunes(nl));
		/* every atom 0.98 buf/2 more (in all under buf from the
		 * build: under search/2 when search = 2 buf) */
		if (search >= 2.0 * buf) {
			move_all(&s.st, &r, 0.98 * buf / 2);
			CHECK(!nbr_needs_rebuild(nl, &s.st), "%s: no rebuild", what);
			check_against_brute(what, &s, nl);
			CHECK(same_forces(&s, nl, whole), "%s: moved further: "
			      "forces of the whole list", what);
		}
		/* a change of box shrinks the trigger by half the distance
		 * the corners moved, as the list's: a small one (NPT) keeps
		 * the pruned list, one of buf or more makes it again */
		nbr_set_prune(nl, buf, &e); /* not valid: the next pass prunes */
		check_against_brute(what, &s, nl);
		long np = nbr_nprunes(nl);
		for (int a = 0; a < 3; a++)
			s.st.len[a] *= 1.0002;
		for (size_t i = 0; i < c->n; i++) {
			s.st.x[i] *= 1.0002;
			s.st.y[i] *= 1.0002;
			s.st.z[i] *= 1.0002;
		}
		check_against_brute(what, &s, nl);
		CHECK(nbr_nprunes(nl) == np, "%s: box scaled by 1.0002: not "
		      "pruned again (%ld)", what, nbr_nprunes(nl) - np);
		s.st.len[2] += 1.01 * buf;
		pair_lj_compute(&s.p, s.type, &s.st, nl, NULL);
		CHECK(nbr_nprunes(nl) == np + 1, "%s: box corner moved 1.01 "
		      "buf: pruned again", what);
		nbr_free(nl);
		nbr_free(whole);
		free_sys(&s);
	}
	omp_set_num_threads(save);
	struct nbr_list *nl;
	nbr_create(&nl, 10, 2.5, 0.3, &e);
	CHECK(nbr_set_prune(nl, 0.31, &e) != 0 && strstr(e.msg, "pruning"),
	      "buffer beyond the skin refused: %s", e.msg);
	CHECK(nbr_set_prune(nl, -0.1, &e) != 0, "negative buffer refused");
	nbr_free(nl);
}

/* The NVE pass with its drift (pair_lj_step_nve), on the pruned list and
 * on the whole list searched with the same skin: the same trajectory,
 * bit for bit, over steps that rebuild and prune (each list rebuilt when
 * the pass says it is due). */
static void test_prune_nve(void)
{
	struct err e;
	struct cfg c = {2128, 2, {7.65, 7.65, 50}, {0, 0, 0}, 2.5, 0.3, 0,
			MIX_GEOMETRIC};
	int save = omp_get_max_threads();
	for (int nt = 1; nt <= 2; nt++) {
		omp_set_num_threads(nt);
		struct sys s[2];
		struct nbr_list *nl[2];
		struct rng r;
		rng_seed(&r, 9);
		double *mass = malloc(c.n * sizeof *mass);
		for (size_t i = 0; i < c.n; i++)
			mass[i] = 1.0;
		make_sys(&s[0], &c, 31);
		make_sys(&s[1], &c, 31);
		for (size_t i = 0; i < c.n; i++) { /* T* about 2 */
			double v[3] = {rng_gauss(&r), rng_gauss(&r), rng_gauss(&r)};
			for (int q = 0; q < 2; q++) {
				s[q].st.vx[i] = 1.4 * v[0];
				s[q].st.vy[i] = 1.4 * v[1];
				s[q].st.vz[i] = 1.4 * v[2];
			}
		}
		nbr_create_pruned(&nl[0], c.n, c.rc, c.skin, c.len, &e);
		nbr_create(&nl[1], c.n, c.rc, nl[0]->skin, &e);
		long builds[2] = {0, 0};
		int same = 1;
		for (int q = 0; q < 2; q++) {
			nbr_build(nl[q], &s[q].st, &e);
			pair_lj_compute(&s[q].p, s[q].type, &s[q].st, nl[q], NULL);
		}
		for (int step = 0; step < 300; step++)
			for (int q = 0; q < 2; q++) {
				struct pair_kick k = {mass, 0.5 * 0.002, 0, NULL};
				const struct pair_drift d = {mass, 0.5 * 0.002, 0.002,
							     nbr_trigger_sq(nl[q], &s[q].st), 0, 1.0};
				if (pair_lj_step_nve(&s[q].p, s[q].type, &s[q].st,
						     nl[q], NULL, &d, &k) != 0) {
					nbr_build(nl[q], &s[q].st, &e);
					pair_lj_compute_kick(&s[q].p, s[q].type, &s[q].st,
							     nl[q], NULL, &k);
					builds[q]++;
				}
			}
		for (size_t i = 0; i < c.n; i++)
			same &= s[0].st.x[i] == s[1].st.x[i] &&
				s[0].st.vz[i] == s[1].st.vz[i];
		CHECK(same && builds[0] == builds[1] && builds[0] >= 3 &&
		      nbr_nprunes(nl[0]) > builds[0] + 1,
		      "%d threads: NVE on the pruned list and on the whole "
		      "list: the same trajectory (%ld builds, %ld prunings)", nt,
		      builds[0], nbr_nprunes(nl[0]));
		for (int q = 0; q < 2; q++) {
			nbr_free(nl[q]);
			free_sys(&s[q]);
		}
		free(mass);
	}
	omp_set_num_threads(save);
}

/* nbr_pair_sep against the list itself (white box): for every listed
 * pair closer than the list's reach, at 1-3 threads and with atoms moved
 * after the build (positions across the box faces), the separation the
 * kernel forms from the entry, (x_i - shift) - x_j, equals nbr_pair_sep's
 * for (i, j) to the last bit (and its negative for (j, i)); each such
 * pair is listed once. The special-pair corrections rely on it to cancel
 * a term the kernel counted. A lister rule that picked the other atom of
 * some pairs fails on those across a face. */
static void test_pair_sep(void)
{
	struct err e;
	struct cfg c = {700, 2, {7.0, 7.4, 9.0}, {-1, 2, 0.5}, 2.5, 0.3, 0,
			MIX_GEOMETRIC};
	const int save = omp_get_max_threads();
	for (int nt = 1; nt <= 3; nt++) {
		omp_set_num_threads(nt);
		struct sys s;
		make_sys(&s, &c, 77 + (uint64_t)nt);
		struct nbr_list *nl;
		nbr_create(&nl, c.n, c.rc, c.skin, &e);
		nbr_build(nl, &s.st, &e);
		/* move every atom up to skin/4 (the list still holds) */
		struct rng r;
		rng_seed(&r, 5);
		for (size_t i = 0; i < c.n; i++) {
			s.st.x[i] += 0.25 * c.skin * (rng_uniform(&r) - 0.5);
			s.st.y[i] += 0.25 * c.skin * (rng_uniform(&r) - 0.5);
			s.st.z[i] += 0.25 * c.skin * (rng_uniform(&r) - 0.5);
		}
		struct nbr_list v = *nl;
		nbr_set_shifts(&v, s.st.len);
		const double reach = c.rc + c.skin;
		size_t pairs = 0, bad = 0, across = 0;
		unsigned char *seen = calloc(c.n * c.n, 1);
		for (size_t k = 0; k < nl->nloc; k++) {
			const int i = nl->src[k];
			if (i < 0)
				continue;
			for (int q = nl->first[k]; q < nl->first[k + 1]; q++) {
				const int en = nl->clist[q], sh = en & NBR_SHMASK;
				const int b = (en >> NBR_SHBITS) * NBR_CL;
				for (int l = 0; l < NBR_CL; l++) {
					const int j = nl->src[b + l];
					if (j < 0 || j == i ||
					    (sh == NBR_SHIFT0 && b + l <= (int)k))
						continue;
					const double dk[3] = {
						(s.st.x[i] - v.shx[sh]) - s.st.x[j],
						(s.st.y[i] - v.shy[sh]) - s.st.y[j],
						(s.st.z[i] - v.shz[sh]) - s.st.z[j]};
					if (dk[0] * dk[0] + dk[1] * dk[1] +
						    dk[2] * dk[2] >= reach * reach)
						continue;
					double d1[3], d2[3];
					nbr_pair_sep(nl, &s.st, (size_t)i, (size_t)j, d1);
					nbr_pair_sep(nl, &s.st, (size_t)j, (size_t)i, d2);
					pairs++;
					across += sh != NBR_SHIFT0;
					bad += memcmp(d1, dk, sizeof dk) != 0;
					for (int a = 0; a < 3; a++)
						bad += d2[a] != -dk[a];
					const size_t lo = (size_t)(i < j ? i : j),
						     hi = (size_t)(i < j ? j : i);
					bad += seen[lo * c.n + hi]++ != 0;
				}
			}
		}
		CHECK(pairs > 1000 && across > 100 && bad == 0,
		      "%d threads: nbr_pair_sep is the kernel's separation of "
		      "each of %zu listed pairs (%zu across a face) to the bit, "
		      "each pair listed once (%zu mismatches)", nt, pairs, across,
		      bad);
		free(seen);
		nbr_free(nl);
		free_sys(&s);
	}
	omp_set_num_threads(save);
}

int main(void)
{
	test_brute();
	test_skin();
	test_wrap();
	test_shrinking_box();
	test_threads_restore();
	test_local_order();
	test_errors();
	test_prune();
	test_prune_nve();
	test_pair_sep();
	return check_done();
}
