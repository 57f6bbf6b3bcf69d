/* test_ehex: invariants of one HEX/eHEX exchange (notes/algorithms.md
 * §1.3): the hot slab gains exactly F dt of kinetic energy and the cold one
 * loses it, each slab's momentum and (for eHEX) mass-weighted position sum
 * are unchanged, atoms outside the slabs are untouched, F = 0 is the
 * identity, HEX leaves positions alone. Forces are random numbers: the
 * invariants hold for any forces. */
#include <string.h>

#include "check.h"
#include "ehex.h"
#include "nbr.h"
#include "rng.h"
#ifdef _OPENMP
#include <omp.h>
#endif

#define N 2000

struct setup {
	struct system sys;
	struct state st;
	struct md m;
	double mass[N];
};

static void make(struct setup *s, enum units_style us, uint64_t seed)
{
	struct rng r;
	rng_seed(&r, seed);
	memset(&s->sys, 0, sizeof s->sys);
	units_set(&s->sys.units, us);
	s->sys.natoms = N;
	s->sys.mass = s->mass;
	state_alloc(&s->st, N, NULL);
	for (int a = 0; a < 3; a++)
		s->st.lo[a] = 0.0;
	s->st.len[0] = s->st.len[1] = 7.65;
	s->st.len[2] = 50.0;
	for (int i = 0; i < N; i++) {
		s->mass[i] = (i % 7 == 0) ? 4.0 : 1.0;
		s->st.x[i] = rng_uniform(&r) * 7.65;
		s->st.y[i] = rng_uniform(&r) * 7.65;
		/* a few atoms outside [0,L): membership uses wrapped z */
		s->st.z[i] = rng_uniform(&r) * 50.0 + (i % 97 == 0 ? 50.0 : 0.0);
		s->st.vx[i] = rng_gauss(&r) + 0.3;
		s->st.vy[i] = rng_gauss(&r);
		s->st.vz[i] = rng_gauss(&r) - 0.1;
		s->st.fx[i] = 10 * rng_gauss(&r);
		s->st.fy[i] = 10 * rng_gauss(&r);
		s->st.fz[i] = 10 * rng_gauss(&r);
	}
	s->m = (struct md){.sys = &s->sys, .st = &s->st, .dt = 0.005};
	if (us == UNITS_REAL)
		s->m.dt = 1.0;
}

struct sums {
	double ke, p[3], mx[3];
};

static void slab_sums(const struct setup *s, const unsigned char *in,
		      struct sums *o)
{
	memset(o, 0, sizeof *o);
	const struct state *st = &s->st;
	for (int i = 0; i < N; i++) {
		if (!in[i])
			continue;
		double m = s->mass[i];
		o->ke += 0.5 * m * (st->vx[i] * st->vx[i] + st->vy[i] * st->vy[i] +
				    st->vz[i] * st->vz[i]) * s->sys.units.mvv2e;
		o->p[0] += m * st->vx[i];
		o->p[1] += m * st->vy[i];
		o->p[2] += m * st->vz[i];
		o->mx[0] += m * st->x[i];
		o->mx[1] += m * st->y[i];
		o->mx[2] += m * st->z[i];
	}
}

static void member(const struct setup *s, double z0, double z1,
		   unsigned char *in)
{
	for (int i = 0; i < N; i++) {
		double z = s->st.z[i] - 50.0 * floor(s->st.z[i] / 50.0);
		in[i] = z >= z0 && z < z1;
	}
}

static void check_exchange(enum units_style us, int correct, double flux)
{
	struct setup s;
	make(&s, us, 42);
	struct ehex h;
	ehex_init(&h, 10.5, 14.5, 35.5, 39.5, flux, correct);
	static unsigned char cin[N], hin[N];
	member(&s, 10.5, 14.5, cin);
	member(&s, 35.5, 39.5, hin);
	struct sums c0, h0, c1, h1;
	slab_sums(&s, cin, &c0);
	slab_sums(&s, hin, &h0);
	struct state before;
	state_copy(&before, &s.st, NULL);
	struct err e;
	int rc = ehex_apply(&h, &s.m, &e);
	const char *tag = correct ? "eHEX" : "HEX";
	CHECK(rc == 0, "%s %s: exchange succeeds", tag, s.sys.units.name);
	slab_sums(&s, cin, &c1);
	slab_sums(&s, hin, &h1);
	double fdt = flux * s.m.dt;
	/* Kinetic energy: exact up to round-off of sums of ~300 terms. */
	CHECK_CLOSE(h1.ke - h0.ke, fdt, 1e-9, 1e-12 * h0.ke, "hot slab gains F dt");
	CHECK_CLOSE(c1.ke - c0.ke, -fdt, 1e-9, 1e-12 * c0.ke, "cold slab loses F dt");
	for (int a = 0; a < 3; a++) {
		CHECK_CLOSE(h1.p[a], h0.p[a], 0, 1e-11 * (1 + fabs(h0.p[a])), "hot slab momentum kept");
		CHECK_CLOSE(c1.p[a], c0.p[a], 0, 1e-11 * (1 + fabs(c0.p[a])), "cold slab momentum kept");
		/* sum m eps = 0: the slab's centre of mass is not displaced
		 * by the correction (round-off of sums of positions ~1e4). */
		CHECK_CLOSE(h1.mx[a], h0.mx[a], 0, 1e-9, "hot slab centre of mass kept");
	}
	int untouched = 1, moved = 0;
	for (int i = 0; i < N; i++) {
		int same = s.st.x[i] == before.x[i] && s.st.z[i] == before.z[i] &&
			   s.st.vx[i] == before.vx[i] && s.st.vz[i] == before.vz[i];
		if (!cin[i] && !hin[i] && !same)
			untouched = 0;
		if ((cin[i] || hin[i]) && s.st.x[i] != before.x[i])
			moved = 1;
	}
	CHECK(untouched, "%s: atoms outside the slabs untouched", tag);
	if (correct)
		CHECK(moved, "eHEX: slab positions corrected");
	else
		CHECK(!moved, "HEX: positions not corrected");
	CHECK_CLOSE(h.heat_in, fdt, 1e-15, 0, "heat_in accumulates F dt");
	CHECK_CLOSE(h.heat_out, fdt, 1e-15, 0, "heat_out accumulates F dt");
	state_free(&before);
	state_free(&s.st);
	ehex_free(&h);
}

/* The exchange by work item (a neighbour list made on 2 or 3 threads:
 * md_work_items) against one item: the same kinetic energy added and
 * removed, and the state equal to round-off (the slabs' sums are added
 * item by item); an item left out fails both. */
static void check_threads(int correct)
{
	const char *tag = correct ? "eHEX" : "HEX";
	static struct setup one, s;
	struct nbr_list *nl1 = NULL, *nl = NULL;
	struct err e = {{0}};
	make(&one, UNITS_LJ, 42);
#ifdef _OPENMP
	omp_set_num_threads(1);
#endif
	int ok = nbr_create(&nl1, N, 2.5, 0.3, &e) == 0 &&
		 nbr_build(nl1, &one.st, &e) == 0;
	one.m.nl = nl1;
	struct ehex h1;
	ehex_init(&h1, 10.5, 14.5, 35.5, 39.5, 5.0, correct);
	ok = ok && ehex_apply(&h1, &one.m, &e) == 0;
	for (int nt = 2; nt <= 3 && ok; nt++) {
#ifdef _OPENMP
		omp_set_num_threads(nt);
#endif
		make(&s, UNITS_LJ, 42);
		ok = nbr_create(&nl, N, 2.5, 0.3, &e) == 0 &&
		     nbr_build(nl, &s.st, &e) == 0;
		s.m.nl = nl;
		static unsigned char cin[N], hin[N];
		member(&s, 10.5, 14.5, cin);
		member(&s, 35.5, 39.5, hin);
		struct sums c0, h0, c1, h1s;
		slab_sums(&s, cin, &c0);
		slab_sums(&s, hin, &h0);
		struct ehex h;
		ehex_init(&h, 10.5, 14.5, 35.5, 39.5, 5.0, correct);
		ok = ok && nbr_items(nl) == nt && ehex_apply(&h, &s.m, &e) == 0;
		slab_sums(&s, cin, &c1);
		slab_sums(&s, hin, &h1s);
		double d = 0.0;
		const double *pa[6] = {s.st.x, s.st.y, s.st.z, s.st.vx, s.st.vy, s.st.vz};
		const double *pb[6] = {one.st.x, one.st.y, one.st.z, one.st.vx,
				       one.st.vy, one.st.vz};
		for (int k = 0; k < 6; k++)
			for (int i = 0; i < N; i++)
				d = fmax(d, fabs(pa[k][i] - pb[k][i]));
		const double fdt = 5.0 * s.m.dt;
		CHECK(ok && fabs(h1s.ke - h0.ke - fdt) < 1e-9 &&
		      fabs(c1.ke - c0.ke + fdt) < 1e-9 && d < 1e-12,
		      "%s on %d threads (work items): hot +F dt, cold -F dt, "
		      "state = 1 thread's to %.2g", tag, nt, d);
		ehex_free(&h);
		nbr_free(nl);
		nl = NULL;
		state_free(&s.st);
	}
	CHECK(ok, "%s threads: set-up (%s)", tag, ok ? "ok" : e.msg);
#ifdef _OPENMP
	omp_set_num_threads(1);
#endif
	ehex_free(&h1);
	nbr_free(nl1);
	state_free(&one.st);
}

int main(void)
{
	check_threads(1);
	check_threads(0);
	check_exchange(UNITS_LJ, 1, 5.0);
	check_exchange(UNITS_LJ, 0, 5.0);
	check_exchange(UNITS_REAL, 1, 0.0375);

	/* F = 0 is the identity (xi = 1, eps = 0). */
	struct setup s;
	make(&s, UNITS_LJ, 7);
	struct state before;
	state_copy(&before, &s.st, NULL);
	struct ehex h;
	ehex_init(&h, 10.5, 14.5, 35.5, 39.5, 0.0, 1);
	struct err e;
	ehex_apply(&h, &s.m, &e);
	/* v <- vG + 1*(v - vG) is the identity up to one rounding of |v|~3 */
	double dmax = 0;
	for (int i = 0; i < N; i++) {
		dmax = fmax(dmax, fabs(s.st.x[i] - before.x[i]));
		dmax = fmax(dmax, fabs(s.st.vx[i] - before.vx[i]));
		dmax = fmax(dmax, fabs(s.st.vz[i] - before.vz[i]));
	}
	CHECK(dmax < 4e-15, "zero flux leaves the state unchanged (max change %g)", dmax);
	ehex_free(&h);

	/* A flux that would drive the cold slab's kinetic energy negative. */
	ehex_init(&h, 10.5, 14.5, 35.5, 39.5, 1e6, 1);
	int rc = ehex_apply(&h, &s.m, &e);
	CHECK(rc != 0 && strstr(e.msg, "negative"), "excessive flux refused: %s", rc ? e.msg : "");
	ehex_free(&h);

	/* An empty slab is refused. */
	ehex_init(&h, 0.0, 0.001, 35.5, 39.5, 1.0, 1);
	rc = ehex_apply(&h, &s.m, &e);
	CHECK(rc != 0 && strstr(e.msg, "cold slab"), "empty slab refused: %s", rc ? e.msg : "");
	ehex_free(&h);

	/* pack/unpack round trip */
	ehex_init(&h, 10.5, 14.5, 35.5, 39.5, 5.0, 1);
	h.heat_in = 1.25;
	h.nexchange = 77;
	double buf[EHEX_PACK_N];
	size_t n = ehex_pack(&h, buf, EHEX_PACK_N);
	struct ehex h2;
	ehex_init(&h2, 10.5, 14.5, 35.5, 39.5, 5.0, 1);
	CHECK(ehex_unpack(&h2, buf, n, &e) == 0 && h2.heat_in == 1.25 &&
	      h2.nexchange == 77, "pack/unpack round trip");
	ehex_free(&h);
	ehex_free(&h2);
	state_free(&before);
	state_free(&s.st);
	return check_done();
}
