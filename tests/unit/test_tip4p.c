/* test_tip4p: 4-site water (common/tip4p.c wired through forcefield.c and
 * engine_cli) against LAMMPS 29Sep2021 `run 0`, and on its own.
 *
 * 1. M site and force spreading on one TIP4P/2005 molecule: |M - O| =
 *    qdist on the bisector at the equilibrium geometry; spreading keeps
 *    the total force and the torque about O.
 * 2. tests/fixtures/tip4p (regen.sh, ref.in): 216 flexible TIP4P/2005
 *    waters, pair lj/cut/tip4p/long 1 2 1 1 0.1546 9.0 8.5 (`pair_modify
 *    table 0`) with pppm/tip4p 1e-5 and 1e-6, and lj/cut/tip4p/cut (our
 *    --kspace none); and pair.data, two waters whose M-M pair only the
 *    atoms' distance test (rc + 2 qdist) leaves out. Same formulas and parameters (g_ewald and grid by the
 *    same rules), so differences are round-off: 1e-10 relative on pe and
 *    every term, forces against max(|F_i|, F_rms), the pressure tensor
 *    against the largest |P_aa| (test_molecular's measures).
 * 3. Ewald on the M sites (not in LAMMPS) against LAMMPS pppm/tip4p 1e-6:
 *    the force difference stays within LAMMPS's estimated RMS accuracy.
 * 4. NVE of the box with pppm/tip4p: the energy error is the integrator's
 *    (shrinks as dt^2), so forces are the gradient of the energy with the
 *    M sites moving with their molecules.
 * 5. Bad input: option combinations (usage errors) and data that is not
 *    TIP4P water (bad data), each with its message. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "lammps_ref.h"
#include "engine_cli.h"
#include "integrate.h"
#include "md.h"

#define FIX "../fixtures/tip4p/"
#define TIP4P "1,2,1,1,0.1546"

/* Engine set-up as md-run does it: --units real --cutoff 9 --coul-cutoff
 * 8.5 --skin 0.3 --threads 1 plus the options given as "name value"
 * pairs (value NULL for a flag). */
static int setup(struct engine_cli *c, const char *data,
		 const char *const *opt, struct err *e)
{
	engine_cli_defaults(c);
	c->data = data;
	c->cutoff = 9.0;
	c->ffo.coul_cutoff = 8.5;
	c->skin = 0.3;
	c->threads = 1;
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

/* ---- 1. one molecule ---- */

/* One TIP4P/2005 water at its equilibrium geometry, in a 30 A box, the
 * bisector along (1, 2, 2)/3 and the plane rotated about it. */
static int write_molecule(const char *path, double x[3][3], int nat)
{
	const double b = 0.9572, th = 104.52 * 3.14159265358979323846 / 180;
	const double u[3] = {1.0 / 3, 2.0 / 3, 2.0 / 3};   /* bisector */
	const double v[3] = {2.0 / 3, 1.0 / 3, -2.0 / 3};  /* in plane, u.v = 0 */
	const double c = b * cos(th / 2), s = b * sin(th / 2);
	const double o[3] = {14.2, 3.1, 29.7}; /* H2 crosses the z boundary */
	for (int a = 0; a < 3; a++) {
		x[0][a] = o[a];
		x[1][a] = o[a] + c * u[a] + s * v[a];
		x[2][a] = o[a] + c * u[a] - s * v[a];
	}
	FILE *fp = fopen(path, "w");
	if (!fp)
		return -1;
	fprintf(fp, "one water\n\n%d atoms\n2 atom types\n%d bonds\n1 bond "
		"types\n%d angles\n1 angle types\n\n0 30 xlo xhi\n0 30 ylo yhi\n"
		"0 30 zlo zhi\n\nMasses\n\n1 15.9994\n2 1.008\n\n"
		"Pair Coeffs # lj/cut/tip4p/long\n\n1 0.1852 3.1589\n2 0 0\n\n"
		"Bond Coeffs # harmonic\n\n1 450 0.9572\n\n"
		"Angle Coeffs # harmonic\n\n1 55 104.52\n\nAtoms # full\n\n",
		nat, nat - 1, nat - 2);
	const double q[3] = {-1.1128, 0.5564, 0.5564};
	for (int i = 0; i < nat; i++) {
		int iz = x[i][2] >= 30;
		fprintf(fp, "%d 1 %d %.17g %.17g %.17g %.17g 0 0 %d\n", i + 1,
			i ? 2 : 1, q[i], x[i][0], x[i][1], x[i][2] - 30 * iz, iz);
	}
	fprintf(fp, "\nBonds\n\n1 1 1 2\n");
	if (nat == 3)
		fprintf(fp, "2 1 1 3\n\nAngles\n\n1 1 2 1 3\n");
	return fclose(fp);
}

static void test_molecule(void)
{
	const char *tmp = "test_tip4p_one.data";
	double x[3][3];
	struct engine_cli c;
	struct err e = {{0}};
	CHECK(write_molecule(tmp, x, 3) == 0, "one molecule: data file");
	const char *opt[] = {"tip4p", TIP4P, "kspace", "none", NULL};
	int rc = setup(&c, tmp, opt, &e);
	CHECK(rc == 0 && c.ff.tip4p, "one molecule: set-up (%s)",
	      rc ? e.msg : "ok");
	if (rc != 0 || !c.ff.tip4p) {
		remove(tmp);
		return;
	}
	struct tip4p *t = c.ff.tip4p;
	/* alpha = qdist / (cos(theta0/2) b0) */
	CHECK_CLOSE(t->alpha, 0.1546 / (cos(104.52 / 360 * 3.14159265358979323846)
					* 0.9572), 1e-15, 0, "alpha");
	CHECK(t->nwater == 1, "one water found");
	tip4p_sites(t, &c.st);
	/* M - O along the bisector u, |M - O| = qdist (the atoms may have been
	 * wrapped: compare offsets) */
	const double u[3] = {1.0 / 3, 2.0 / 3, 2.0 / 3};
	double worst = 0;
	for (int a = 0; a < 3; a++) {
		const double *off = a == 0 ? t->ox : a == 1 ? t->oy : t->oz;
		worst = fmax(worst, fabs(off[0] - 0.1546 * u[a]));
		worst = fmax(worst, fabs(off[1]) + fabs(off[2]));
	}
	CHECK(worst < 1e-14, "M = O + qdist along the bisector (worst %.3g A)",
	      worst);
	/* spread an arbitrary force on M and on H1: total force and torque
	 * about O unchanged (x: the unwrapped positions) */
	double F[3] = {1.3, -0.7, 2.1}, G[3] = {-0.4, 0.9, 0.25};
	double M[3] = {x[0][0] + 0.1546 * u[0], x[0][1] + 0.1546 * u[1],
		       x[0][2] + 0.1546 * u[2]};
	for (size_t i = 0; i < 3; i++)
		c.st.fx[i] = c.st.fy[i] = c.st.fz[i] = 0;
	t->site.fx[0] = F[0]; t->site.fy[0] = F[1]; t->site.fz[0] = F[2];
	t->site.fx[1] = G[0]; t->site.fy[1] = G[1]; t->site.fz[1] = G[2];
	tip4p_spread(t, &c.st);
	double ft[3] = {0}, tq[3] = {0}, tq0[3];
	for (int i = 0; i < 3; i++) {
		double f[3] = {c.st.fx[i], c.st.fy[i], c.st.fz[i]};
		double r[3] = {x[i][0] - x[0][0], x[i][1] - x[0][1],
			       x[i][2] - x[0][2]};
		for (int a = 0; a < 3; a++)
			ft[a] += f[a];
		tq[0] += r[1] * f[2] - r[2] * f[1];
		tq[1] += r[2] * f[0] - r[0] * f[2];
		tq[2] += r[0] * f[1] - r[1] * f[0];
	}
	double rm[3] = {M[0] - x[0][0], M[1] - x[0][1], M[2] - x[0][2]};
	double rh[3] = {x[1][0] - x[0][0], x[1][1] - x[0][1], x[1][2] - x[0][2]};
	tq0[0] = rm[1] * F[2] - rm[2] * F[1] + rh[1] * G[2] - rh[2] * G[1];
	tq0[1] = rm[2] * F[0] - rm[0] * F[2] + rh[2] * G[0] - rh[0] * G[2];
	tq0[2] = rm[0] * F[1] - rm[1] * F[0] + rh[0] * G[1] - rh[1] * G[0];
	double df = 0, dt = 0;
	for (int a = 0; a < 3; a++) {
		df = fmax(df, fabs(ft[a] - F[a] - G[a]));
		dt = fmax(dt, fabs(tq[a] - tq0[a]));
	}
	CHECK(df < 1e-14 && dt < 1e-14, "spreading keeps force (%.3g) and "
	      "torque (%.3g)", df, dt);
	engine_cli_free(&c);
	remove(tmp);
}

/* ---- 2. LAMMPS run 0 ---- */

/* Set up with opt, md_forces, compare with the reference name: terms to
 * rtol_terms, elong, pe and the pressure tensor to rtol_long, forces to
 * tol_f. */
static void lammps_case(const char *name, const char *data,
			      const char *const *opt,
			      double rtol_terms, double rtol_long,
			      double tol_f)
{
	struct lammps_ref r = {0};
	struct engine_cli c;
	struct err e = {{0}};
	if (lammps_ref_read(FIX, name, &r) != 0) {
		CHECK(0, "%s: read the LAMMPS reference", name);
		return;
	}
	int rc = setup(&c, data, opt, &e);
	CHECK(rc == 0, "%s: set-up (%s)", name, rc ? e.msg : "ok");
	if (rc != 0) {
		lammps_ref_free(&r);
		return;
	}
	rc = md_forces(&c.md, &e);
	CHECK(rc == 0, "%s: md_forces (%s)", name, rc ? e.msg : "ok");
	const struct energy *en = &c.md.en;
	double got[8] = {energy_pe(en), en->evdwl, en->ecoul, en->elong,
			 en->ebond, en->eangle, en->edihed, en->eimp};
	static const char *const term[8] = {"pe", "evdwl", "ecoul", "elong",
					    "ebond", "eangle", "edihed", "eimp"};
	char what[160];
	for (int k = 0; k < 8; k++) {
		double tol = (k == 0 || k == 3) ? rtol_long : rtol_terms;
		snprintf(what, sizeof what, "%s: %s equals LAMMPS", name, term[k]);
		CHECK_CLOSE(got[k], r.t[k], tol, 1e-12, what);
	}
	const struct state *st = &c.st;
	double frms = 0.0, worst = 0.0;
	for (size_t i = 0; i < 3 * r.n; i++)
		frms += r.f[i] * r.f[i];
	frms = sqrt(frms / (double)(3 * r.n));
	CHECK(r.n == st->n, "%s: %zu atoms", name, r.n);
	for (size_t i = 0; i < r.n && r.n == st->n; i++) {
		double g[3] = {st->fx[i], st->fy[i], st->fz[i]};
		for (int a = 0; a < 3; a++) {
			double w = r.f[3 * i + a];
			double d = fabs(g[a] - w) / fmax(fabs(w), frms);
			worst = fmax(worst, isfinite(d) ? d : INFINITY);
		}
	}
	CHECK(worst <= tol_f, "%s: forces equal LAMMPS's (worst %.3g of "
	      "max(|F|, Frms %.3g))", name, worst, frms);
	double p[6], pmax = 0.0, pw = 0.0;
	md_pressure_tensor(&c.md, p);
	for (int a = 0; a < 3; a++)
		pmax = fmax(pmax, fabs(r.p[a]));
	for (int a = 0; a < 6; a++)
		pw = fmax(pw, fabs(p[a] - r.p[a]) / pmax);
	CHECK(pw <= rtol_long, "%s: pressure tensor equals LAMMPS's (worst "
	      "%.3g of max |P_aa|)", name, pw);
	engine_cli_free(&c);
	lammps_ref_free(&r);
}

static void test_lammps(void)
{
	const char *p5[] = {"tip4p", TIP4P, "kspace", "pppm/tip4p",
			    "kspace-accuracy", "1e-5", NULL};
	const char *p6[] = {"tip4p", TIP4P, "kspace-accuracy", "1e-6", NULL};
	const char *cut[] = {"tip4p", TIP4P, "kspace", "none", NULL};
	const char *W = FIX "water.data", *P = FIX "pair.data";
	lammps_case("tip4p_pppm5", W, p5, 1e-10, 1e-10, 1e-10);
	/* pppm/tip4p is the default k-space style with --tip4p */
	lammps_case("tip4p_pppm6", W, p6, 1e-10, 1e-10, 1e-10);
	lammps_case("tip4p_cut", W, cut, 1e-10, 1e-10, 1e-10);
	/* two waters whose M-M pair is within the cut-off but whose O atoms
	 * are not within cut-off + 2 qdist: LAMMPS leaves the pair out
	 * (+48.6 kcal/mol of ecoul if it were counted) */
	lammps_case("pair_pppm", P, p5, 1e-10, 1e-10, 1e-10);
	lammps_case("pair_cut", P, cut, 1e-10, 1e-10, 1e-10);
}

/* ---- 3. Ewald on the sites ---- */

static void test_ewald(void)
{
	struct lammps_ref r = {0};
	struct engine_cli c;
	struct err e = {{0}};
	if (lammps_ref_read(FIX, "tip4p_pppm6", &r) != 0) {
		CHECK(0, "ewald: read the LAMMPS reference");
		return;
	}
	const char *opt[] = {"tip4p", TIP4P, "kspace", "ewald",
			     "kspace-accuracy", "1e-6", NULL};
	int rc = setup(&c, FIX "water.data", opt, &e);
	if (rc == 0)
		rc = md_forces(&c.md, &e);
	CHECK(rc == 0, "ewald: set-up and forces (%s)", rc ? e.msg : "ok");
	if (rc != 0) {
		lammps_ref_free(&r);
		return;
	}
	/* LAMMPS tip4p_pppm6.log: estimated absolute RMS force accuracy
	 * 0.00033952351 kcal/mol/A (k-space and real space); Ewald's at the
	 * same requested accuracy is of the same size, so the two may differ
	 * by about sqrt(2) of it in RMS. */
	double d2 = 0;
	for (size_t i = 0; i < r.n; i++) {
		double g[3] = {c.st.fx[i], c.st.fy[i], c.st.fz[i]};
		for (int a = 0; a < 3; a++)
			d2 += (g[a] - r.f[3 * i + a]) * (g[a] - r.f[3 * i + a]);
	}
	double drms = sqrt(d2 / (double)(3 * r.n));
	CHECK(drms < 2 * 0.00033952351, "ewald on M sites vs LAMMPS pppm/tip4p "
	      "1e-6: RMS force difference %.3g kcal/mol/A (LAMMPS's estimate "
	      "3.4e-4)", drms);
	/* the energy: 1e-6 relative force accuracy, a few 1e-6 of |elong| */
	double pe = energy_pe(&c.md.en);
	CHECK(fabs(pe - r.t[0]) < 5e-6 * fabs(r.t[3]), "ewald pe %.10g vs "
	      "LAMMPS pppm/tip4p %.10g (|elong| %.4g)", pe, r.t[0], fabs(r.t[3]));
	engine_cli_free(&c);
	lammps_ref_free(&r);
}

/* ---- 4. NVE ---- */

/* Largest |E(t) - E(0)| of an NVE run over 10 fs at time step dt
 * (velocities at 300 K, seed fixed); -1 on failure. */
static double nve(double dt, double *de_pe)
{
	struct engine_cli c;
	struct err e = {{0}};
	const char *opt[] = {"tip4p", TIP4P, NULL};
	int rc = setup(&c, FIX "water.data", opt, &e);
	CHECK(rc == 0, "nve dt %g: set-up (%s)", dt, rc ? e.msg : "ok");
	if (rc != 0)
		return -1;
	c.md.dt = dt;
	struct rng g;
	rng_seed(&g, 4242);
	md_velocity_create(&c.sys, &c.st, 300.0, &g);
	long nsteps = lround(10.0 / dt);
	struct integrator_opts io = {.ens = ENS_NVE, .dt = dt, .tchain = 3,
				     .pchain = 3, .nsteps_total = nsteps};
	struct integrator it;
	rc = md_forces(&c.md, &e);
	if (rc == 0)
		rc = integrator_init(&it, &io, &c.md, &e);
	double pe0 = energy_pe(&c.md.en), dmax = 0.0;
	double e0 = pe0 + md_ke(&c.sys, &c.st);
	for (long s = 0; s < nsteps && rc == 0; s++) {
		rc = integrator_step(&it, &c.md, &e);
		double et = energy_pe(&c.md.en) + md_ke(&c.sys, &c.st);
		dmax = fmax(dmax, fabs(et - e0));
	}
	*de_pe = fabs(energy_pe(&c.md.en) - pe0);
	CHECK(rc == 0, "nve dt %g: %ld steps (%s)", dt, nsteps,
	      rc ? e.msg : "ok");
	engine_cli_free(&c);
	return rc == 0 ? dmax : -1;
}

/* The lattice box is far from equilibrium (pe falls fast), so the test is
 * that the energy error is the integrator's: it shrinks as dt^2 (a force
 * that is not the energy's gradient, e.g. a wrong spreading of the M-site
 * force, would leave an error that does not vanish with dt). */
static void test_nve(void)
{
	double dpe1, dpe2;
	double e1 = nve(0.2, &dpe1);
	double e2 = nve(0.1, &dpe2);
	if (e1 < 0 || e2 < 0)
		return;
	CHECK(e1 / e2 > 3.0 && e1 / e2 < 5.0, "nve: energy error %.3g (0.2 fs)"
	      " / %.3g (0.1 fs) = %.3g, ~4 as dt^2", e1, e2, e1 / e2);
	CHECK(e2 < 1e-3 * dpe2, "nve: energy error %.3g kcal/mol at 0.1 fs "
	      "below 1e-3 of the pe change %.3g", e2, dpe2);
}

/* ---- 5. bad input ---- */

/* A copy of data with `from` replaced by `to` on the first line holding it. */
static int edit_copy(const char *data, const char *out, const char *from,
		     const char *to)
{
	FILE *in = fopen(data, "r"), *o = fopen(out, "w");
	char line[4096];
	int done = 0;
	if (!in || !o) {
		if (in) fclose(in);
		if (o) fclose(o);
		return -1;
	}
	while (fgets(line, sizeof line, in)) {
		char *p = done ? NULL : strstr(line, from);
		if (p) {
			fprintf(o, "%.*s%s%s", (int)(p - line), line, to,
				p + strlen(from));
			done = 1;
		} else {
			fputs(line, o);
		}
	}
	fclose(in);
	return fclose(o) == 0 && done ? 0 : -1;
}

static void bad(const char *data, const char *const *opt, int want,
		const char *msg, const char *what)
{
	struct engine_cli c;
	struct err e = {{0}};
	int rc = setup(&c, data, opt, &e);
	CHECK(rc == want && strstr(e.msg, msg), "%s: exit %d (want %d): %s",
	      what, rc, want, e.msg);
	engine_cli_free(&c);
}

static void test_bad_input(void)
{
	const char *W = FIX "water.data", *tmp = "test_tip4p_bad.data";
	struct err e = {{0}};
	struct tip4p_opts o;
	CHECK(tip4p_parse("1,2,1,1,0.1546", &o, &e) == 0 && o.otype == 1 &&
	      o.htype == 2 && o.btype == 1 && o.atype == 1 && o.qdist == 0.1546,
	      "parse O,H,B,A,QDIST");
	const char *badarg[] = {"1,2,1,1", "1,2,1,1,x", "0,2,1,1,0.1",
				"1,2,1,1,0.1,3", "1,1,1,1,0.1", "1,2,1,1,-0.1",
				"1;2;1;1;0.1", "1,2,1,1,nan"};
	for (size_t k = 0; k < sizeof badarg / sizeof *badarg; k++)
		CHECK(tip4p_parse(badarg[k], &o, &e) != 0, "--tip4p %s refused: %s",
		      badarg[k], e.msg);

	const char *nott[] = {"kspace", "pppm/tip4p", NULL};
	bad(W, nott, ERR_USAGE, "needs --tip4p", "pppm/tip4p without --tip4p");
	const char *plain[] = {"tip4p", TIP4P, "kspace", "pppm", NULL};
	bad(W, plain, ERR_USAGE, "use --kspace pppm/tip4p", "--tip4p with pppm");
	const char *t3[] = {"tip4p", "3,2,1,1,0.1546", NULL};
	bad(W, t3, ERR_DATA, "the file has 2 atom types", "O type absent");
	const char *sw[] = {"tip4p", "2,1,1,1,0.1546", NULL};
	bad(W, sw, ERR_DATA, "types swapped", "O and H types swapped");
	const char *b2[] = {"tip4p", "1,2,2,1,0.1546", NULL};
	bad(W, b2, ERR_DATA, "no bond type 2", "bond type absent");
	const char *a2[] = {"tip4p", "1,2,1,2,0.1546", NULL};
	bad(W, a2, ERR_DATA, "no angle type 2", "angle type absent");
	const char *q1[] = {"tip4p", "1,2,1,1,0.9572", NULL};
	bad(W, q1, ERR_DATA, "not below the O-H bond length", "qdist >= b0");
	const char *std[] = {"tip4p", TIP4P, NULL};

	/* atom 3 (an H of water 1) made an O: water 1 lacks its second H */
	CHECK(edit_copy(W, tmp, "3 1 2 0.5564 ", "3 1 1 0.5564 ") == 0,
	      "bad: copy");
	bad(tmp, std, ERR_DATA, "atom 3 has type 1, not the H type 2",
	    "water with an O for an H");
	/* a water without its second H */
	double x[3][3];
	CHECK(write_molecule(tmp, x, 2) == 0, "bad: O-H only");
	const char *none[] = {"tip4p", TIP4P, "kspace", "none",
			      "allow-charged", NULL, NULL};
	bad(tmp, none, ERR_DATA, "water O atom 1: its H atom 3 is missing",
	    "water missing an H");
	/* H with LJ */
	CHECK(edit_copy(W, tmp, "2 0 0\n", "2 0.01 1.0\n") == 0,
	      "bad: copy");
	bad(tmp, std, ERR_DATA, "has LJ epsilon 0.01; it must be 0",
	    "water H with LJ");
	remove(tmp);
}

int main(void)
{
	test_molecule();
	test_lammps();
	test_ewald();
	test_nve();
	test_bad_input();
	return check_done();
}
