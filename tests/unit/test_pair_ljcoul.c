/* test_pair_ljcoul: the fused LJ + real-space Coulomb pass (pair_ljcoul.c)
 * against the two passes it replaces, pair_lj_compute + coul_long_compute
 * (LAMMPS's numbers: test_molecular), on the same neighbour list.
 *
 * The two differ only in summation order and in exp (the inline exp is
 * within 1 ulp of libm's) and the one division for 1/r^2 and A&S's t, all
 * ~1e-16 relative per pair: 1e-12 relative on evdwl and ecoul, forces
 * against max(|F_i|, F_rms) and the virial against its largest diagonal
 * term leaves room for the ~1e4 pairs' round-off. Cases:
 *  - the water fixture (216 waters, 18.6 A), rc_lj = rc_coul = 9;
 *  - the OPLS fixture (22 A), rc_coul 8.5 and 10 around rc_lj 9 (the list
 *    then uses the larger; the other term cut inside it);
 *  - 1 and 2 threads give the same numbers to round-off;
 *  - forces-only (en NULL) gives bitwise the forces of the energy pass;
 *  - the pruned list: after 60 steps of NVE water at 300 K (0.5 fs, rc 8,
 *    skin 1; the list pruned again several times, not every step) the
 *    pass over a list pruned steps before equals the reference over the
 *    whole list;
 *  - the SIMD kernel (AVX-512 builds) against the portable one on the
 *    same list: water (2 types), OPLS (8: coefficients permuted in
 *    registers) and water with the four solutes (28: gathered), 1e-13;
 *  - --precision mixed (single-precision kernel, pairs within molecules in
 *    double) against double on the same three systems: forces to 1e-5 of
 *    max(|F_i|, F_rms), energies and virial to 1e-6 relative;
 *  - fallbacks to coul_long: kspace none (coul/cut: erfc = 1 exactly) and
 *    a box narrower than 2 (max(rc) + skin) but wide enough for the LJ
 *    list. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "nbr_impl.h"
#include "engine_cli.h"
#include "integrate.h"
#include "md.h"

#define FIX "../fixtures/molecular/"

/* md-run's set-up: --units real --cutoff 9 --skin S --threads T plus
 * "name value" options. */
static int setup(struct engine_cli *c, const char *data, double skin,
		 long threads, const char *const *opt, struct err *e)
{
	engine_cli_defaults(c);
	c->data = data;
	c->cutoff = 9.0;
	c->skin = skin;
	c->threads = threads;
	c->quiet = 1;
	for (; opt && opt[0]; opt += 2) {
		int code = -1;
		for (size_t k = 0; k < engine_nlongopts; k++)
			if (!strcmp(engine_longopts[k].name, opt[0]))
				code = engine_longopts[k].val;
		if (code < 0 || engine_cli_option(c, code, opt[1], e) != 1)
			return ERR_USAGE;
	}
	return engine_cli_setup(c, e);
}

struct pass {
	struct energy en;
	double *f; /* [3n] */
};

/* The LJ reference: pair_lj on the whole list, the list's pruning (which
 * md-run's set-up turns on for the fused pass) off meanwhile; the list's
 * pruned copy is left as it was. */
static void lj_whole(struct engine_cli *c, struct energy *en)
{
	struct nbr_prune *pr = c->nl->prune;
	const double buf = pr ? pr->buf : 0.0;
	if (pr)
		pr->buf = 0.0;
	pair_lj_compute(&c->sys.lj, c->sys.type, &c->st, c->nl, en);
	if (pr)
		pr->buf = buf;
}

/* Fused pass (forcefield_pair) and the reference (pair_lj + coul_long) on
 * the list built for the start state. */
static int passes(struct engine_cli *c, struct pass *fused, struct pass *ref,
		  int *bitwise_forces_only)
{
	struct err e = {{0}};
	struct state *st = &c->st;
	size_t n = st->n;
	if (nbr_build(c->nl, st, &e) != 0)
		return -1;
	fused->f = malloc(3 * n * sizeof(double));
	ref->f = malloc(3 * n * sizeof(double));
	if (!fused->f || !ref->f)
		return -1;
	memset(&fused->en, 0, sizeof fused->en);
	memset(&ref->en, 0, sizeof ref->en);
	if (forcefield_pair(&c->ff, &c->sys, st, c->nl, &fused->en, &e) != 0)
		return -1;
	memcpy(fused->f, st->fx, n * sizeof(double));
	memcpy(fused->f + n, st->fy, n * sizeof(double));
	memcpy(fused->f + 2 * n, st->fz, n * sizeof(double));
	if (forcefield_pair(&c->ff, &c->sys, st, c->nl, NULL, &e) != 0)
		return -1;
	*bitwise_forces_only =
		!memcmp(fused->f, st->fx, n * sizeof(double)) &&
		!memcmp(fused->f + n, st->fy, n * sizeof(double)) &&
		!memcmp(fused->f + 2 * n, st->fz, n * sizeof(double));
	lj_whole(c, &ref->en);
	if (coul_long_compute(c->ff.cl, st, c->sys.q, st->fx, st->fy, st->fz,
			      &ref->en.ecoul, ref->en.virial, &e) != 0)
		return -1;
	memcpy(ref->f, st->fx, n * sizeof(double));
	memcpy(ref->f + n, st->fy, n * sizeof(double));
	memcpy(ref->f + 2 * n, st->fz, n * sizeof(double));
	return 0;
}

/* Largest force difference against max(|F_i|, F_rms), and of the virial
 * against its largest diagonal term. */
static void diffs(const struct pass *a, const struct pass *b, size_t n,
		  double *fw, double *vw)
{
	double frms = 0.0, w = 0.0, vmax = 0.0, v = 0.0;
	for (size_t i = 0; i < 3 * n; i++)
		frms += b->f[i] * b->f[i];
	frms = sqrt(frms / (double)(3 * n));
	for (size_t i = 0; i < 3 * n; i++) {
		double d = fabs(a->f[i] - b->f[i]) / fmax(fabs(b->f[i]), frms);
		w = fmax(w, isfinite(d) ? d : INFINITY);
	}
	for (int k = 0; k < 3; k++)
		vmax = fmax(vmax, fabs(b->en.virial[k]));
	for (int k = 0; k < 6; k++)
		v = fmax(v, fabs(a->en.virial[k] - b->en.virial[k]) / vmax);
	*fw = w;
	*vw = isfinite(v) ? v : INFINITY;
}

static void against_coul_long(const char *name, const char *data,
			      double skin, const char *coulcut,
			      const char *spec, struct pass *keep)
{
	struct engine_cli c;
	struct err e = {{0}};
	const char *opt[] = {"coul-cutoff", coulcut, "special-lj", spec,
			     "special-coul", spec, "kspace", "pppm", NULL};
	int rc = setup(&c, data, skin, 1, opt, &e);
	CHECK(rc == 0 && c.ff.fused, "%s: set-up, Coulomb fused into the LJ "
	      "pass (%s)", name, rc ? e.msg : "ok");
	if (rc != 0 || !c.ff.fused) {
		engine_cli_free(&c);
		return;
	}
	struct pass fu = {0}, ref = {0};
	int bitwise = 0;
	rc = passes(&c, &fu, &ref, &bitwise);
	CHECK(rc == 0, "%s: passes", name);
	if (rc == 0) {
		char what[160];
		snprintf(what, sizeof what, "%s: evdwl equals pair_lj's", name);
		CHECK_CLOSE(fu.en.evdwl, ref.en.evdwl, 1e-12, 0.0, what);
		snprintf(what, sizeof what, "%s: ecoul equals coul_long's", name);
		CHECK_CLOSE(fu.en.ecoul, ref.en.ecoul, 1e-12, 0.0, what);
		double fw, vw;
		diffs(&fu, &ref, c.st.n, &fw, &vw);
		CHECK(fw <= 1e-12, "%s: forces equal (worst %.3g of "
		      "max(|F|, Frms))", name, fw);
		CHECK(vw <= 1e-12, "%s: virial equals (worst %.3g of max "
		      "|W_aa|)", name, vw);
		CHECK(bitwise, "%s: forces-only pass gives bitwise the same "
		      "forces", name);
	}
	if (keep) {
		*keep = fu;
		fu.f = NULL;
	}
	free(fu.f);
	free(ref.f);
	engine_cli_free(&c);
}

/* Two kernels on the same list and state: the default (SIMD where
 * compiled in) against the portable C one (MIXED 0), or --precision
 * mixed against double (MIXED 1). Tolerances: a few ulp per pair for the
 * first (1e-13); float's 6e-8 per pair term, summed over ~300 partners
 * with the intramolecular pairs in double, for the second (energies
 * 1e-6, forces 1e-5 of max(|F|, F_rms)). */
static void two_kernels(int MIXED, const char *name, const char *data,
			double skin, const char *coulcut, const char *spec)
{
	const char *what = MIXED ? "mixed = double" : "SIMD = portable";
	const double etol = MIXED ? 1e-6 : 1e-13, ftol = MIXED ? 1e-5 : 1e-13,
		     vtol = MIXED ? 1e-6 : 1e-13;
	if (MIXED && !pair_ljcoul_mixed_available()) {
		CHECK(1, "%s: no mixed-precision kernel in this build "
		      "(skipped)", name);
		return;
	}
	struct engine_cli c;
	struct err e = {{0}};
	const char *opt[] = {"coul-cutoff", coulcut, "special-lj", spec,
			     "special-coul", spec, "kspace", "pppm", NULL};
	int rc = setup(&c, data, skin, 1, opt, &e);
	CHECK(rc == 0 && c.ff.fused, "%s: set-up (%s)", name,
	      rc ? e.msg : "ok");
	if (rc != 0 || !c.ff.fused) {
		engine_cli_free(&c);
		return;
	}
	c.ff.plc.mol = c.sys.mol;
	struct state *st = &c.st;
	size_t n = st->n;
	struct pass ref = {0}, alt = {0};
	ref.f = malloc(3 * n * sizeof(double));
	alt.f = malloc(3 * n * sizeof(double));
	rc = !ref.f || !alt.f || nbr_build(c.nl, st, &e) != 0;
	for (int k = 0; k < 2 && rc == 0; k++) {
		/* k = 1 is the portable kernel, or the mixed one */
		struct pass *s = k ? &alt : &ref;
		if (MIXED) {
			c.ff.plc.mixed = k;
			c.ff.plc.nl = NULL; /* slot molecule ids made again */
		} else {
			c.ff.plc.portable = k;
		}
		/* SIMD against portable: the pair pass alone (the special-bond
		 * step after it subtracts ~1e5 kcal/mol 1-2 terms and would
		 * amplify their ulps); mixed against double: the whole force */
		if (MIXED) {
			rc = md_forces(&c.md, &e);
			s->en = c.md.en;
		} else {
			memset(&s->en, 0, sizeof s->en);
			rc = forcefield_pair(&c.ff, &c.sys, st, c.nl, &s->en, &e);
		}
		memcpy(s->f, st->fx, n * sizeof(double));
		memcpy(s->f + n, st->fy, n * sizeof(double));
		memcpy(s->f + 2 * n, st->fz, n * sizeof(double));
	}
	CHECK(rc == 0, "%s: both kernels ran (%s)", name, rc ? e.msg : "ok");
	if (rc == 0) {
		char msg[160];
		snprintf(msg, sizeof msg, "%s: evdwl, %s", name, what);
		CHECK_CLOSE(alt.en.evdwl, ref.en.evdwl, etol, 0.0, msg);
		snprintf(msg, sizeof msg, "%s: ecoul, %s", name, what);
		CHECK_CLOSE(alt.en.ecoul, ref.en.ecoul, etol, 0.0, msg);
		double fw, vw;
		diffs(&alt, &ref, n, &fw, &vw);
		CHECK(fw <= ftol && vw <= vtol, "%s: forces and virial, %s "
		      "(worst %.3g of max(|F|, Frms), %.3g)", name, what, fw, vw);
		if (MIXED)
			CHECK(fw > 0.0, "%s: mixed is another kernel (forces "
			      "differ by %.3g)", name, fw);
	}
	free(ref.f);
	free(alt.f);
	engine_cli_free(&c);
}

/* The SIMD kernel's LJ coefficients permuted in one register (<= 8
 * types), in two (<= 16: a decoupled solute's cloned types) or gathered
 * (more, or pair_ljcoul.gather): the same values, so bitwise the same
 * pass. The case's type count is checked to be in [ntlo, nthi], so that
 * each path is the one tested. */
static void coef_paths(const char *name, const char *data, double skin,
		       const char *coulcut, const char *spec, const char *dec,
		       size_t ntlo, size_t nthi)
{
	struct engine_cli c;
	struct err e = {{0}};
	const char *opt[] = {"coul-cutoff", coulcut, "special-lj", spec,
			     "special-coul", spec, "kspace", "pppm",
			     dec ? "decouple" : NULL, dec, "lambda", "0.5,0.7",
			     NULL};
	int rc = setup(&c, data, skin, 1, opt, &e);
	CHECK(rc == 0 && c.ff.fused && c.sys.lj.ntypes >= ntlo &&
	      c.sys.lj.ntypes <= nthi, "%s: set-up (%s), %zu types", name,
	      rc ? e.msg : "ok", rc ? (size_t)0 : c.sys.lj.ntypes);
	if (rc != 0 || !c.ff.fused) {
		engine_cli_free(&c);
		return;
	}
	struct state *st = &c.st;
	const size_t n = st->n;
	struct pass p[2] = {{.f = malloc(3 * n * sizeof(double))},
			    {.f = malloc(3 * n * sizeof(double))}};
	rc = !p[0].f || !p[1].f || nbr_build(c.nl, st, &e) != 0;
	for (int k = 0; k < 2 && rc == 0; k++) {
		c.ff.plc.gather = k;
		memset(&p[k].en, 0, sizeof p[k].en);
		rc = forcefield_pair(&c.ff, &c.sys, st, c.nl, &p[k].en, &e);
		memcpy(p[k].f, st->fx, n * sizeof(double));
		memcpy(p[k].f + n, st->fy, n * sizeof(double));
		memcpy(p[k].f + 2 * n, st->fz, n * sizeof(double));
	}
	CHECK(rc == 0 && !memcmp(p[0].f, p[1].f, 3 * n * sizeof(double)) &&
	      p[0].en.evdwl == p[1].en.evdwl && p[0].en.ecoul == p[1].en.ecoul &&
	      !memcmp(p[0].en.virial, p[1].en.virial, sizeof p[0].en.virial),
	      "%s: coefficients in registers = gathered, bitwise (forces, "
	      "energies, virial) (%s)", name, rc ? e.msg : "ok");
	free(p[0].f);
	free(p[1].f);
	engine_cli_free(&c);
}

/* The same water pass on 2 threads equals the 1-thread one to round-off. */
static void threads(const struct pass *one)
{
	struct engine_cli c;
	struct err e = {{0}};
	const char *opt[] = {"kspace", "pppm", NULL};
	int rc = setup(&c, FIX "water.data", 0.3, 2, opt, &e);
	CHECK(rc == 0, "water, 2 threads: set-up (%s)", rc ? e.msg : "ok");
	if (rc != 0)
		return;
	struct pass fu = {0}, ref = {0};
	int bitwise = 0;
	if (passes(&c, &fu, &ref, &bitwise) == 0) {
		CHECK_CLOSE(fu.en.ecoul, one->en.ecoul, 1e-12, 0.0,
			    "water: ecoul on 2 threads equals 1 thread's");
		CHECK_CLOSE(fu.en.evdwl, one->en.evdwl, 1e-12, 0.0,
			    "water: evdwl on 2 threads equals 1 thread's");
		double fw, vw;
		diffs(&fu, one, c.st.n, &fw, &vw);
		CHECK(fw <= 1e-12 && vw <= 1e-12, "water: forces and virial on "
		      "2 threads equal 1 thread's (worst %.3g, %.3g)", fw, vw);
	} else {
		CHECK(0, "water, 2 threads: passes");
	}
	free(fu.f);
	free(ref.f);
	engine_cli_free(&c);
}

/* The fused pass on the list's pruned copy (made at an earlier step)
 * against the whole-list reference (pair_lj + coul_long); what names the
 * phase. */
static void pruned_check(struct engine_cli *c, const char *what)
{
	struct err e = {{0}};
	size_t n = c->st.n;
	struct energy a = {0}, r = {0};
	struct pass fu = {.f = malloc(3 * n * sizeof(double))},
		    ref = {.f = malloc(3 * n * sizeof(double))};
	long p1 = nbr_nprunes(c->nl);
	if (fu.f && ref.f && !nbr_needs_rebuild(c->nl, &c->st) &&
	    forcefield_pair(&c->ff, &c->sys, &c->st, c->nl, &a, &e) == 0) {
		CHECK(nbr_nprunes(c->nl) == p1 && c->nl->prune->valid,
		      "pruned, %s: the pass runs on a list pruned at an "
		      "earlier step", what);
		memcpy(fu.f, c->st.fx, n * sizeof(double));
		memcpy(fu.f + n, c->st.fy, n * sizeof(double));
		memcpy(fu.f + 2 * n, c->st.fz, n * sizeof(double));
		lj_whole(c, &r);
		coul_long_compute(c->ff.cl, &c->st, c->sys.q, c->st.fx,
				  c->st.fy, c->st.fz, &r.ecoul, r.virial, &e);
		memcpy(ref.f, c->st.fx, n * sizeof(double));
		memcpy(ref.f + n, c->st.fy, n * sizeof(double));
		memcpy(ref.f + 2 * n, c->st.fz, n * sizeof(double));
		fu.en = a;
		ref.en = r;
		double fw, vw;
		diffs(&fu, &ref, n, &fw, &vw);
		CHECK(fabs(a.ecoul - r.ecoul) <= 1e-12 * fabs(r.ecoul),
		      "pruned, %s: ecoul %.17g equals coul_long's %.17g", what,
		      a.ecoul, r.ecoul);
		CHECK(fabs(a.evdwl - r.evdwl) <= 1e-12 * fabs(r.evdwl),
		      "pruned, %s: evdwl %.17g equals pair_lj's %.17g", what,
		      a.evdwl, r.evdwl);
		CHECK(fw <= 1e-12 && vw <= 1e-12, "pruned, %s: forces and "
		      "virial equal (worst %.3g, %.3g)", what, fw, vw);
	} else {
		CHECK(0, "pruned, %s: pass over the pruned list (%s)", what,
		      e.msg);
	}
	free(fu.f);
	free(ref.f);
}

/* The fused pass prunes the list's copy (nbr_set_prune at set-up, a
 * quarter of the skin): more often than the list is built, fewer than
 * once a step, in NVE and in NPT (the box changes every step: the
 * trigger shrinks with the corners' movement), its forces those of the
 * whole list. */
static void pruned(void)
{
	struct engine_cli c;
	struct err e = {{0}};
	const char *opt[] = {"kspace", "pppm", "cutoff", "8", NULL};
	/* rc 8, skin 1 (2 x 9 <= 18.6 A): b = 0.25 A, pruned again every
	 * few steps */
	int rc = setup(&c, FIX "water.data", 1.0, 1, opt, &e);
	CHECK(rc == 0 && c.ff.fused, "pruned: set-up (%s)", rc ? e.msg : "ok");
	if (rc != 0) {
		engine_cli_free(&c);
		return;
	}
	CHECK(c.nl->prune && c.nl->prune->buf == PAIR_LJCOUL_PRUNE * 1.0,
	      "pruned: the set-up prunes the list to a quarter of the skin");
	struct rng g;
	rng_seed(&g, 99);
	md_velocity_create(&c.sys, &c.st, 300.0, &g);
	c.md.dt = 0.5;
	for (int ph = 0; ph < 2 && rc == 0; ph++) {
		const char *what = ph ? "NPT" : "NVE";
		struct integrator_opts io = {.ens = ph ? ENS_NPT : ENS_NVE,
					     .dt = 0.5, .temp = 300.0,
					     .temp_stop = 300.0, .tdamp = 50.0,
					     .tchain = 3, .press = 1.0,
					     .pdamp = 100.0, .pchain = 3,
					     .pcouple = PCOUPLE_ISO,
					     .nsteps_total = 60};
		struct integrator it;
		double len0 = c.st.len[0];
		rc = md_forces(&c.md, &e);
		if (rc == 0)
			rc = integrator_init(&it, &io, &c.md, &e);
		long p0 = nbr_nprunes(c.nl), b0 = nbr_nbuilds(c.nl);
		for (int s = 0; s < 60 && rc == 0; s++)
			rc = integrator_step(&it, &c.md, &e);
		long np = nbr_nprunes(c.nl) - p0, nb = nbr_nbuilds(c.nl) - b0;
		CHECK(rc == 0 && np > nb && np < 60, "pruned, %s: 60 steps, "
		      "%ld prunings, %ld list builds (%s)", what, np, nb,
		      rc ? e.msg : "ok");
		if (ph)
			CHECK(c.st.len[0] != len0, "pruned, NPT: the box changed "
			      "(%.17g -> %.17g)", len0, c.st.len[0]);
		if (rc == 0)
			pruned_check(&c, what);
	}
	engine_cli_free(&c);
}

static void fallbacks(void)
{
	struct engine_cli c;
	struct err e = {{0}};
	const char *none[] = {"kspace", "none", NULL};
	int rc = setup(&c, FIX "water.data", 0.3, 1, none, &e);
	CHECK(rc == 0 && !c.ff.fused, "kspace none: coul_long's coul/cut "
	      "(%s)", rc ? e.msg : "ok");
	if (rc == 0)
		CHECK(md_forces(&c.md, &e) == 0, "kspace none: forces (%s)",
		      e.msg);
	engine_cli_free(&c);
	/* 22 A box: 2 (10 + 1.5) = 23 > 22 >= 2 (9 + 1.5) */
	const char *wide[] = {"coul-cutoff", "10", "special-lj", "0,0,0.5",
			      "special-coul", "0,0,0.5", NULL};
	rc = setup(&c, FIX "opls.data", 1.5, 1, wide, &e);
	CHECK(rc == 0 && !c.ff.fused, "box below 2 (rc_coul + skin): "
	      "coul_long's own cells (%s)", rc ? e.msg : "ok");
	if (rc == 0)
		CHECK(md_forces(&c.md, &e) == 0, "narrow box: forces (%s)",
		      e.msg);
	engine_cli_free(&c);
}

int main(void)
{
	struct pass one = {0};
	against_coul_long("water", FIX "water.data", 0.3, "9", "0,0,0", &one);
	against_coul_long("opls rc_coul 8.5", FIX "opls.data", 1.0, "8.5",
			  "0,0,0.5", NULL);
	against_coul_long("opls rc_coul 10", FIX "opls.data", 0.5, "10",
			  "0,0,0.5", NULL);
	against_coul_long("four solutes in water, 28 types", FIX "mix.data",
			  1.0, "8.5", "0,0,0.5", NULL);
	two_kernels(0, "water", FIX "water.data", 0.3, "9", "0,0,0");
	two_kernels(0, "opls", FIX "opls.data", 1.0, "8.5", "0,0,0.5");
	two_kernels(0, "four solutes", FIX "mix.data", 1.0, "8.5", "0,0,0.5");
	coef_paths("water, one register", FIX "water.data", 0.3, "9", "0,0,0",
		   NULL, 1, 8);
	coef_paths("opls, one register", FIX "opls.data", 1.0, "8.5",
		   "0,0,0.5", NULL, 1, 8);
	coef_paths("opls, mol:1 decoupled, two registers", FIX "opls.data",
		   1.0, "8.5", "0,0,0.5", "mol:1", 9, 16);
	coef_paths("four solutes, gathered", FIX "mix.data", 1.0, "8.5",
		   "0,0,0.5", NULL, 17, 1000);
	two_kernels(1, "water", FIX "water.data", 0.3, "9", "0,0,0");
	two_kernels(1, "opls", FIX "opls.data", 1.0, "8.5", "0,0,0.5");
	two_kernels(1, "four solutes", FIX "mix.data", 1.0, "8.5", "0,0,0.5");
	if (one.f)
		threads(&one);
	free(one.f);
	pruned();
	fallbacks();
	return check_done();
}
