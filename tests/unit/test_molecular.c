/* test_molecular: the engine on atom_style full systems (forcefield.c wired
 * into md_forces through engine_cli), against LAMMPS 29Sep2021 `run 0`.
 *
 * 1. tests/fixtures/molecular (regen.sh, ref.in; one NAME.log thermo line
 *    and NAME.dump forces per case): pair lj/cut/coul/long 9.0 with
 *    `pair_modify table 0`, harmonic bonds/angles, opls dihedrals,
 *    harmonic impropers, special_bonds as named, pppm 1e-5 or ewald 1e-6:
 *     - water_pppm, water_ewald: 216 flexible SPC/E-like waters, 0 0 0;
 *     - opls_pppm, opls_ewald: OPLS-style molecules (butanes, hexane,
 *       isopentane, C(=O)H2, methanol, cyclopentane), lj/coul 0 0 0.5;
 *     - opls_scaled: lj 0.1 0.3 0.6, coul 0.2 0.4 0.7 (1-2 LJ at 0.1:
 *       evdwl 3e4 kcal/mol, the hardest case for the subtraction of the
 *       special-pair LJ, see forcefield.h).
 *    Same formulas and parameters (g_ewald, grid, kmax chosen by the same
 *    rules), so the differences are round-off: 1e-10 relative on pe and
 *    every energy term, on forces against max(|F_i|, F_rms) and on the
 *    pressure tensor against the largest |P_aa| (test_kspace's measures).
 * 2. NVE of the water box with PPPM: the energy error is the integrator's
 *    (shrinks as dt^2 from 0.25 to 0.125 fs over 20 fs).
 * 3. Bad input: unknown dihedral style, --kspace on an uncharged system,
 *    a non-neutral system without --allow-charged. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "lammps_ref.h"
#include "engine_cli.h"
#include "integrate.h"
#include "md.h"

#define FIX "../fixtures/molecular/"

/* Engine set-up as md-run does it: --units real --cutoff 9 --skin S
 * --threads 1 plus the options given as "name value" pairs. */
static int setup(struct engine_cli *c, const char *data, double skin,
		 const char *const *opt, struct err *e)
{
	engine_cli_defaults(c);
	c->data = data;
	c->cutoff = 9.0;
	c->skin = skin;
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

static void lammps_case(const char *name, const char *data, const char *splj,
			const char *spcoul, const char *kspace, const char *acc)
{
	struct lammps_ref r = {0};
	struct engine_cli c;
	struct err e = {{0}};
	if (lammps_ref_read(FIX, name, &r) != 0) {
		CHECK(0, "%s: read the LAMMPS reference", name);
		return;
	}
	const char *opt[] = {"special-lj", splj, "special-coul", spcoul,
			     "kspace", kspace, "kspace-accuracy", acc, NULL};
	/* skin 0.3: the 18.6 A water box holds 2 (9 + skin) */
	int rc = setup(&c, data, 0.3, opt, &e);
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
	char what[128];
	for (int k = 0; k < 8; k++) {
		snprintf(what, sizeof what, "%s: %s equals LAMMPS", name, term[k]);
		CHECK_CLOSE(got[k], r.t[k], 1e-10, 1e-12, what);
	}
	/* forces against max(|F_i|, F_rms) */
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
	CHECK(worst <= 1e-10, "%s: forces equal LAMMPS's (worst %.3g of "
	      "max(|F|, Frms %.3g))", name, worst, frms);
	double p[6], pmax = 0.0, pw = 0.0;
	md_pressure_tensor(&c.md, p);
	for (int a = 0; a < 3; a++)
		pmax = fmax(pmax, fabs(r.p[a]));
	for (int a = 0; a < 6; a++)
		pw = fmax(pw, fabs(p[a] - r.p[a]) / pmax);
	CHECK(pw <= 1e-10, "%s: pressure tensor equals LAMMPS's (worst %.3g "
	      "of max |P_aa|)", name, pw);
	snprintf(what, sizeof what, "%s: press equals LAMMPS", name);
	CHECK_CLOSE(md_pressure(&c.md, md_ke(&c.sys, st)), r.press, 1e-10,
		    0.0, what);
	engine_cli_free(&c);
	lammps_ref_free(&r);
}

/* Largest |E(t) - E(0)| of an NVE run of the water box over 20 fs at
 * time step dt (velocities at 300 K, seed fixed); -1 on failure. */
static double nve_water(double dt, double *ke0, double *de_pe)
{
	struct engine_cli c;
	struct err e = {{0}};
	const char *opt[] = {"kspace", "pppm", NULL};
	int rc = setup(&c, FIX "water.data", 0.3, opt, &e);
	CHECK(rc == 0, "nve water dt %g: set-up (%s)", dt, rc ? e.msg : "ok");
	if (rc != 0)
		return -1;
	c.md.dt = dt;
	struct rng g;
	rng_seed(&g, 4242);
	md_velocity_create(&c.sys, &c.st, 300.0, &g);
	long nsteps = lround(20.0 / dt);
	struct integrator_opts io = {.ens = ENS_NVE, .dt = dt, .tchain = 3,
				     .pchain = 3, .nsteps_total = nsteps};
	struct integrator it;
	rc = md_forces(&c.md, &e);
	if (rc == 0)
		rc = integrator_init(&it, &io, &c.md, &e);
	double pe0 = energy_pe(&c.md.en), dmax = 0.0;
	*ke0 = md_ke(&c.sys, &c.st);
	double e0 = pe0 + *ke0;
	for (long s = 0; s < nsteps && rc == 0; s++) {
		rc = integrator_step(&it, &c.md, &e);
		double et = energy_pe(&c.md.en) + md_ke(&c.sys, &c.st);
		dmax = fmax(dmax, fabs(et - e0));
	}
	*de_pe = fabs(energy_pe(&c.md.en) - pe0);
	CHECK(rc == 0, "nve water dt %g: %ld steps (%s)", dt, nsteps,
	      rc ? e.msg : "ok");
	engine_cli_free(&c);
	return rc == 0 ? dmax : -1;
}

/* The box starts far from equilibrium (a lattice: pe falls by ~1300
 * kcal/mol in 20 fs), so the test is that the energy error is the
 * integrator's: it shrinks as dt^2 (forces are the gradient of the energy,
 * pair, special, PPPM and bonded terms alike; a force/energy mismatch would
 * leave an error that does not vanish with dt), and at 0.125 fs it is a
 * small fraction of the energy exchanged between pe and ke. */
static void test_nve_water(void)
{
	double ke0, dpe, ke0b, dpeb;
	double e1 = nve_water(0.25, &ke0, &dpe);
	double e2 = nve_water(0.125, &ke0b, &dpeb);
	if (e1 < 0 || e2 < 0)
		return;
	CHECK(e1 / e2 > 3.0 && e1 / e2 < 5.0, "nve water: energy error %.3g "
	      "(0.25 fs) / %.3g (0.125 fs) = %.3g, ~4 as dt^2", e1, e2, e1 / e2);
	CHECK(e2 < 1e-3 * dpe, "nve water: energy error %.3g kcal/mol at "
	      "0.125 fs below 1e-3 of the pe change %.3g", e2, dpe);
}

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

static void test_bad_input(void)
{
	struct engine_cli c;
	struct err e = {{0}};
	const char *tmp = "test_molecular_bad.data";
	CHECK(edit_copy(FIX "opls.data", tmp, "Dihedral Coeffs # opls",
			"Dihedral Coeffs # table") == 0, "bad: copy");
	int rc = setup(&c, tmp, 1.0, NULL, &e);
	CHECK(rc == ERR_DATA && strstr(e.msg, "'table'") &&
	      strstr(e.msg, tmp), "unknown dihedral style: %s", e.msg);
	engine_cli_free(&c);

	/* one water O charge -0.8476 -> -0.8 */
	CHECK(edit_copy(FIX "water.data", tmp, " -0.8476 ", " -0.8 ") == 0,
	      "bad: copy");
	rc = setup(&c, tmp, 0.3, NULL, &e);
	CHECK(rc == ERR_DATA && strstr(e.msg, "not charge neutral") &&
	      strstr(e.msg, "--allow-charged"), "non-neutral refused: %s", e.msg);
	engine_cli_free(&c);
	const char *allow[] = {"allow-charged", NULL, NULL};
	rc = setup(&c, tmp, 0.3, allow, &e);
	CHECK(rc == 0 && c.ff.nonneutral, "non-neutral with --allow-charged "
	      "(%s)", rc ? e.msg : "ok");
	engine_cli_free(&c);
	remove(tmp);

	const char *ks[] = {"kspace", "ewald", NULL};
	rc = setup(&c, "../fixtures/integrate/liquid.data", 0.3, ks, &e);
	CHECK(rc == ERR_DATA && strstr(e.msg, "no charges"),
	      "--kspace without charges: %s", e.msg);
	engine_cli_free(&c);
}

int main(void)
{
	lammps_case("water_pppm", FIX "water.data", "0,0,0", "0,0,0", "pppm", "1e-5");
	lammps_case("water_ewald", FIX "water.data", "0,0,0", "0,0,0", "ewald", "1e-6");
	lammps_case("opls_pppm", FIX "opls.data", "0,0,0.5", "0,0,0.5", "pppm", "1e-5");
	lammps_case("opls_ewald", FIX "opls.data", "0,0,0.5", "0,0,0.5", "ewald", "1e-6");
	lammps_case("opls_scaled", FIX "opls.data", "0.1,0.3,0.6", "0.2,0.4,0.7",
		    "pppm", "1e-5");
	/* 28 atom types: the SIMD kernel's gather path (more than 8) */
	lammps_case("mix_pppm", FIX "mix.data", "0,0,0.5", "0,0,0.5", "pppm", "1e-5");
	test_nve_water();
	test_bad_input();
	return check_done();
}
