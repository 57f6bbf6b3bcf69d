/* test_decouple: whole-molecule decoupling in a molecular system
 * (common/decouple.c with softcore.c, through engine_cli and md_forces as
 * md-run uses them; fep_eval as fep-window uses it).
 *
 * Fixture tests/fixtures/decouple (make-meoh.in, regen.sh): one OPLS-AA
 * methanol (molecule 94) in 208 flexible SPC/E-like waters, 18.6 A cube,
 * lj/cut/coul/long 9 A, special 0 0 0.5, pppm 1e-5; env.data is the waters
 * alone and sol.data the methanol alone in the same box, all three with
 * LAMMPS `run 0` references computed with the same g_ewald and grid.
 *
 * 1. (lc, ll) = (1, 1) is the plain force field: equal to the engine
 *    without --decouple and to LAMMPS (1e-10 relative on every term, on the
 *    forces against max(|F|, F_rms), on the pressure tensor against the
 *    largest |P_aa|: test_molecular's measures); the same for a hexane in
 *    ../molecular/opls.data (1-4 LJ pairs at 0.5 inside the solute).
 * 2. (0, 0) is the sum of the waters alone and the methanol alone in the
 *    box (LAMMPS env + sol), to the same 1e-10.
 * 3. Linearity in lc: U, forces and virial at lc = 0.25 are 0.75 of lc = 0
 *    plus 0.25 of lc = 1, to round-off (1e-12 of the largest term); dU/dlc
 *    is U(1) - U(0) (1e-9 relative: a difference of two ~600 kcal/mol
 *    energies) and the same at every lc.
 * 4. dU/dll against a central difference of U (h = 1e-4: the truncation
 *    error h^2 U'''/6 is below 1e-7 relative for these smooth curves).
 * 5. Forces against central differences of U (h = 1e-5 A) at lambdas
 *    between the ends, with --kspace none (exact erfc, forces the exact
 *    gradient: 1e-6 of max(|F|, F_rms)) and ewald (LAMMPS's polynomial
 *    erfc makes the real-space force differ from the energy's gradient by
 *    ~1e-6 relative: 1e-5).
 * 6. Intramolecular terms do not depend on lambda: ebond, eangle, edihed
 *    bitwise equal at every lambda; the solute's own Coulomb energy (with
 *    its periodic images) is U_C(q_sol) at every lambda.
 * 7. fep_eval on frames: u_k - u_l = beta [U(lambda_k) - U(lambda_l)] of
 *    md_forces, the absolute u of the sampled state is beta pe, dudl is
 *    beta (dU/dlc, dU/dll).
 * 8. Bad input: a selection that cuts the molecule. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "lammps_ref.h"
#include "decouple.h"
#include "engine_cli.h"
#include "fep.h"
#include "md.h"

#define DEC "../fixtures/decouple/"
#define MOL "../fixtures/molecular/"
#define SOLUTE "mol:94"

/* Engine set-up as md-run: --units real --cutoff 9 --skin 0.3 --threads 1,
 * OPLS special factors, plus "name value" pairs. */
static int setup(struct engine_cli *c, const char *data,
		 const char *const *opt, struct err *e)
{
	engine_cli_defaults(c);
	c->data = data;
	c->cutoff = 9.0;
	c->skin = 0.3;
	c->threads = 1;
	c->quiet = 1;
	const char *base[] = {"special-lj", "0,0,0.5", "special-coul", "0,0,0.5",
			      NULL};
	for (int pass = 0; pass < 2; pass++)
		for (const char *const *o = pass ? opt : base; o && o[0]; o += 2) {
			int code = -1;
			for (size_t k = 0; k < engine_nlongopts; k++)
				if (!strcmp(engine_longopts[k].name, o[0]))
					code = engine_longopts[k].val;
			if (code < 0 || engine_cli_option(c, code, o[1], e) != 1)
				return ERR_USAGE;
		}
	return engine_cli_setup(c, e);
}

static void set_lambda(struct engine_cli *c, double lc, double ll)
{
	struct err e;
	struct sc_lambda l = {lc, ll};
	if (softcore_set_lambda(&c->sc, l, &e) != 0)
		fprintf(stderr, "set_lambda: %s\n", e.msg);
	decouple_set_lambda(&c->dc, lc);
}

/* Energies (pe and terms), forces into st. */
static double energy(struct engine_cli *c, double t[8])
{
	struct err e;
	if (md_forces(&c->md, &e) != 0) {
		fprintf(stderr, "md_forces: %s\n", e.msg);
		return NAN;
	}
	const struct energy *en = &c->md.en;
	double v[8] = {energy_pe(en), en->evdwl, en->ecoul, en->elong,
		       en->ebond, en->eangle, en->edihed, en->eimp};
	if (t)
		memcpy(t, v, sizeof v);
	return v[0];
}

static const char *const term[8] = {"pe", "evdwl", "ecoul", "elong",
				    "ebond", "eangle", "edihed", "eimp"};

/* Compare the engine's current energies, forces (by atom id) and pressure
 * tensor with the reference r (forces and tensor may be sums of refs). */
static void compare(const char *what, struct engine_cli *c, const double t[8],
		    const double *rt, const long *id, const double *f,
		    size_t nf, const double *rp)
{
	char msg[160];
	for (int k = 0; k < 8; k++) {
		snprintf(msg, sizeof msg, "%s: %s", what, term[k]);
		CHECK_CLOSE(t[k], rt[k], 1e-10, 1e-12, msg);
	}
	const struct state *st = &c->st;
	double frms = 0.0, worst = 0.0;
	for (size_t i = 0; i < 3 * nf; i++)
		frms += f[i] * f[i];
	frms = sqrt(frms / (double)(3 * nf));
	size_t found = 0;
	for (size_t k = 0; k < nf; k++)
		for (size_t i = 0; i < st->n; i++) {
			if (c->sys.id[i] != id[k])
				continue;
			found++;
			double g[3] = {st->fx[i], st->fy[i], st->fz[i]};
			for (int a = 0; a < 3; a++) {
				double w = f[3 * k + a];
				double d = fabs(g[a] - w) / fmax(fabs(w), frms);
				worst = fmax(worst, isfinite(d) ? d : INFINITY);
			}
			break;
		}
	CHECK(found == nf && nf == st->n && worst <= 1e-10, "%s: forces of %zu "
	      "atoms (worst %.3g of max(|F|, Frms %.3g))", what, found, worst,
	      frms);
	double p[6], pmax = 0.0, pw = 0.0;
	md_pressure_tensor(&c->md, p);
	for (int a = 0; a < 3; a++)
		pmax = fmax(pmax, fabs(rp[a]));
	for (int a = 0; a < 6; a++)
		pw = fmax(pw, fabs(p[a] - rp[a]) / pmax);
	CHECK(pw <= 1e-10, "%s: pressure tensor (worst %.3g of max |P_aa|)",
	      what, pw);
}

/* 1 and 2: the ends against LAMMPS. */
static void ends_tests(void)
{
	struct lammps_ref full = {0}, env = {0}, sol = {0};
	struct engine_cli c, plain;
	struct err e = {{0}};
	if (lammps_ref_read(DEC, "meoh", &full) ||
	    lammps_ref_read(DEC, "env", &env) ||
	    lammps_ref_read(DEC, "sol", &sol)) {
		CHECK(0, "read the LAMMPS references of " DEC);
		lammps_ref_free(&full);
		lammps_ref_free(&env);
		return;
	}
	const char *opt[] = {"decouple", SOLUTE, NULL};
	int rc = setup(&c, DEC "meoh.data", opt, &e);
	CHECK(rc == 0 && c.has_dc && c.sc.ndec == 6 && c.dc.coul,
	      "set-up with --decouple " SOLUTE " (%s)", rc ? e.msg : "6 atoms");
	if (rc)
		return;
	rc = setup(&plain, DEC "meoh.data", NULL, &e);
	CHECK(rc == 0, "set-up without --decouple");
	double t[8], tp[8];
	energy(&c, t);
	compare("(1,1) = LAMMPS run 0", &c, t, full.t, full.id, full.f, full.n,
		full.p);
	energy(&plain, tp);
	double worst = 0.0;
	for (int k = 0; k < 8; k++)
		worst = fmax(worst, fabs(t[k] - tp[k]) / fmax(fabs(tp[0]), 1.0));
	for (size_t i = 0; i < c.st.n; i++)
		worst = fmax(worst, fabs(c.st.fx[i] - plain.st.fx[i]) / 100.0);
	CHECK(worst < 1e-11, "(1,1) = the force field without --decouple "
	      "(worst %.3g relative)", worst);

	/* (0,0): LAMMPS env + sol, forces by id, pressures add (same V, no
	 * kinetic part) */
	set_lambda(&c, 0.0, 0.0);
	energy(&c, t);
	double rt[8], rp[6];
	for (int k = 0; k < 8; k++)
		rt[k] = env.t[k] + sol.t[k];
	for (int a = 0; a < 6; a++)
		rp[a] = env.p[a] + sol.p[a];
	size_t n = env.n + sol.n;
	long *id = malloc(n * sizeof *id);
	double *f = malloc(3 * n * sizeof *f);
	memcpy(id, env.id, env.n * sizeof *id);
	memcpy(id + env.n, sol.id, sol.n * sizeof *id);
	memcpy(f, env.f, 3 * env.n * sizeof *f);
	memcpy(f + 3 * env.n, sol.f, 3 * sol.n * sizeof *f);
	compare("(0,0) = LAMMPS waters alone + methanol alone", &c, t, rt, id, f,
		n, rp);
	free(id);
	free(f);

	/* 6: the solute's own Coulomb (real + k-space + self, with images) is
	 * the same at (1,1) and (0,0): the solute-env part is dU/dlc */
	set_lambda(&c, 1.0, 1.0);
	energy(&c, t);
	double x1 = c.dc.dudl_coul;
	double uc1 = t[2] + t[3];
	set_lambda(&c, 0.0, 1.0);
	energy(&c, t);
	double uc0 = t[2] + t[3];
	CHECK_CLOSE(uc1 - uc0, x1, 1e-9, 1e-9, "U_C(1) - U_C(0) = dU/dlc");
	CHECK_CLOSE(uc0, env.t[2] + env.t[3] + sol.t[2] + sol.t[3], 1e-10, 1e-9,
		    "U_C(0) = U_C(waters) + U_C(methanol, with its images)");
	CHECK(x1 < -1.0 && x1 > -100.0, "solute-water Coulomb energy %.6g "
	      "kcal/mol (negative, a few kcal/mol per H bond)", x1);
	engine_cli_free(&plain);
	engine_cli_free(&c);
	lammps_ref_free(&full);
	lammps_ref_free(&env);
	lammps_ref_free(&sol);

	/* hexane (molecule 3) of opls.data: 1-4 LJ at 0.5 among the solute's
	 * own atoms, through softcore_set_special */
	struct lammps_ref opls;
	if (lammps_ref_read(MOL, "opls_pppm", &opls) != 0) {
		CHECK(0, "read " MOL "opls_pppm");
		return;
	}
	const char *o2[] = {"decouple", "mol:3", "skin", "1", NULL};
	rc = setup(&c, MOL "opls.data", o2, &e);
	CHECK(rc == 0 && c.sc.ndec == 6 && c.sc.fdd, "opls.data: decouple "
	      "hexane (%s)", rc ? e.msg : "special factors set");
	if (rc == 0) {
		energy(&c, t);
		compare("opls hexane (1,1) = LAMMPS", &c, t, opls.t, opls.id,
			opls.f, opls.n, opls.p);
		engine_cli_free(&c);
	}
	lammps_ref_free(&opls);
}

/* 3 and 6: linearity in lc, bonded terms constant. */
static void linear_tests(void)
{
	struct engine_cli c;
	struct err e = {{0}};
	const char *opt[] = {"decouple", SOLUTE, "lambda", "0.25,0.7", NULL};
	if (setup(&c, DEC "meoh.data", opt, &e) != 0) {
		CHECK(0, "set-up: %s", e.msg);
		return;
	}
	const size_t N = c.st.n;
	double t[3][8], *f[3], v[3][6], dudl[3];
	const double lcs[3] = {0.0, 1.0, 0.25};
	for (int k = 0; k < 3; k++) {
		set_lambda(&c, lcs[k], 0.7);
		energy(&c, t[k]);
		dudl[k] = c.dc.dudl_coul;
		memcpy(v[k], c.md.en.virial, sizeof v[k]);
		f[k] = malloc(3 * N * sizeof *f[k]);
		memcpy(f[k], c.st.fx, N * sizeof *f[k]);
		memcpy(f[k] + N, c.st.fy, N * sizeof *f[k]);
		memcpy(f[k] + 2 * N, c.st.fz, N * sizeof *f[k]);
	}
	double scale = 0.0, worst = 0.0;
	for (int k = 0; k < 8; k++)
		scale = fmax(scale, fabs(t[0][k]));
	for (int k = 0; k < 8; k++)
		worst = fmax(worst, fabs(t[2][k] - 0.75 * t[0][k] - 0.25 * t[1][k]));
	CHECK(worst <= 1e-12 * scale, "U(0.25) = 0.75 U(0) + 0.25 U(1), every "
	      "term (worst %.3g kcal/mol of %.3g)", worst, scale);
	double fs = 0.0, fw = 0.0;
	for (size_t i = 0; i < 3 * N; i++) {
		fs = fmax(fs, fabs(f[0][i]));
		fw = fmax(fw, fabs(f[2][i] - 0.75 * f[0][i] - 0.25 * f[1][i]));
	}
	CHECK(fw <= 1e-12 * fs, "F(0.25) = 0.75 F(0) + 0.25 F(1) (worst %.3g of "
	      "max |F| %.3g)", fw, fs);
	double vs = 0.0, vw = 0.0;
	for (int a = 0; a < 6; a++) {
		vs = fmax(vs, fabs(v[0][a]));
		vw = fmax(vw, fabs(v[2][a] - 0.75 * v[0][a] - 0.25 * v[1][a]));
	}
	CHECK(vw <= 1e-12 * vs, "virial linear in lc (worst %.3g of %.3g)", vw, vs);
	CHECK_CLOSE(dudl[2], t[1][0] - t[0][0], 1e-9, 0.0, "dU/dlc = U(1) - U(0)");
	CHECK(fabs(dudl[0] - dudl[2]) <= 1e-12 * fabs(dudl[2]) * 100 &&
	      fabs(dudl[1] - dudl[2]) <= 1e-12 * fabs(dudl[2]) * 100,
	      "dU/dlc the same at lc = 0, 0.25, 1 (%.17g %.17g %.17g)", dudl[0],
	      dudl[2], dudl[1]);
	int same = 1;
	for (int k = 0; k < 3; k++)
		same &= t[k][4] == t[0][4] && t[k][5] == t[0][5] &&
			t[k][6] == t[0][6] && t[k][1] == t[0][1];
	CHECK(same, "ebond, eangle, edihed and evdwl (fixed ll) bitwise the same "
	      "at every lc");
	set_lambda(&c, 0.6, 0.0);
	double tb[8];
	energy(&c, tb);
	CHECK(tb[4] == t[0][4] && tb[5] == t[0][5] && tb[6] == t[0][6],
	      "bonded terms the same at ll = 0");
	for (int k = 0; k < 3; k++)
		free(f[k]);
	engine_cli_free(&c);
}

/* 4: dU/dll against central differences. */
static void dudl_tests(void)
{
	struct engine_cli c;
	struct err e = {{0}};
	const char *opt[] = {"decouple", SOLUTE, NULL};
	if (setup(&c, DEC "meoh.data", opt, &e) != 0) {
		CHECK(0, "set-up: %s", e.msg);
		return;
	}
	const double h = 1e-4;
	const double ll[] = {0.9, 0.5, 0.2};
	for (size_t k = 0; k < 3; k++) {
		set_lambda(&c, 0.0, ll[k]);
		energy(&c, NULL);
		double an = c.sc.dudl_lj;
		set_lambda(&c, 0.0, ll[k] + h);
		double up = energy(&c, NULL);
		set_lambda(&c, 0.0, ll[k] - h);
		double dn = energy(&c, NULL);
		double fd = (up - dn) / (2 * h);
		char msg[96];
		snprintf(msg, sizeof msg, "dU/dll at (0, %g) = central difference",
			 ll[k]);
		CHECK_CLOSE(an, fd, 1e-6, 1e-6, msg);
	}
	set_lambda(&c, 0.4, 1.0);
	energy(&c, NULL);
	double an = c.dc.dudl_coul;
	set_lambda(&c, 0.4 + h, 1.0);
	double up = energy(&c, NULL);
	set_lambda(&c, 0.4 - h, 1.0);
	double dn = energy(&c, NULL);
	CHECK_CLOSE(an, (up - dn) / (2 * h), 1e-7, 1e-7,
		    "dU/dlc at (0.4, 1) = central difference");
	engine_cli_free(&c);
}

/* 5: forces against central differences of U. */
static void force_fd(const char *kspace, double lc, double ll, double tol)
{
	struct engine_cli c;
	struct err e = {{0}};
	const char *opt[] = {"decouple", SOLUTE, "kspace", kspace,
			     "kspace-accuracy", "1e-6", NULL};
	if (setup(&c, DEC "meoh.data", opt, &e) != 0) {
		CHECK(0, "set-up: %s", e.msg);
		return;
	}
	set_lambda(&c, lc, ll);
	energy(&c, NULL);
	const size_t N = c.st.n;
	double *f0 = malloc(3 * N * sizeof *f0), frms = 0.0;
	for (size_t i = 0; i < N; i++) {
		f0[3 * i] = c.st.fx[i];
		f0[3 * i + 1] = c.st.fy[i];
		f0[3 * i + 2] = c.st.fz[i];
	}
	for (size_t i = 0; i < 3 * N; i++)
		frms += f0[i] * f0[i];
	frms = sqrt(frms / (double)(3 * N));
	/* the solute's atoms and the two environment atoms nearest to its
	 * first atom (a water in its first shell) */
	size_t pick[8], np = 0, near[2] = {0, 0};
	double dn[2] = {INFINITY, INFINITY};
	for (size_t a = 0; a < c.sc.ndec; a++)
		pick[np++] = c.sc.dec[a];
	size_t i0 = c.sc.dec[0];
	for (size_t j = 0; j < N; j++) {
		if (c.sc.is_dec[j])
			continue;
		double d[3] = {c.st.x[j] - c.st.x[i0], c.st.y[j] - c.st.y[i0],
			       c.st.z[j] - c.st.z[i0]};
		double r2 = 0.0;
		for (int a = 0; a < 3; a++) {
			d[a] -= c.st.len[a] * nearbyint(d[a] / c.st.len[a]);
			r2 += d[a] * d[a];
		}
		if (r2 < dn[0]) {
			dn[1] = dn[0];
			near[1] = near[0];
			dn[0] = r2;
			near[0] = j;
		} else if (r2 < dn[1]) {
			dn[1] = r2;
			near[1] = j;
		}
	}
	pick[np++] = near[0];
	pick[np++] = near[1];
	const double h = 1e-5;
	double worst = 0.0;
	for (size_t p = 0; p < np; p++) {
		size_t i = pick[p];
		double *xs[3] = {&c.st.x[i], &c.st.y[i], &c.st.z[i]};
		for (int a = 0; a < 3; a++) {
			double x0 = *xs[a];
			*xs[a] = x0 + h;
			double up = energy(&c, NULL);
			*xs[a] = x0 - h;
			double dn_ = energy(&c, NULL);
			*xs[a] = x0;
			double fd = -(up - dn_) / (2 * h);
			double w = f0[3 * i + a];
			worst = fmax(worst, fabs(fd - w) / fmax(fabs(w), frms));
		}
	}
	CHECK(worst <= tol, "kspace %s, (%g, %g): forces of the solute and two "
	      "neighbours = -dU/dx by central differences (worst %.3g of "
	      "max(|F|, Frms %.3g); tolerance %g)", kspace, lc, ll, worst, frms,
	      tol);
	free(f0);
	engine_cli_free(&c);
}

/* 7: fep_eval against md_forces. */
static void fep_tests(void)
{
	struct engine_cli c;
	struct err e = {{0}};
	const char *opt[] = {"decouple", SOLUTE, NULL};
	if (setup(&c, DEC "meoh.data", opt, &e) != 0) {
		CHECK(0, "set-up: %s", e.msg);
		return;
	}
	struct fep_schedule sch;
	int rc = fep_schedule_parse("1,1 0.5,1 0,1 0,0.5 0,0", &sch, &e);
	CHECK(rc == 0, "schedule of 5 (coul,lj) states");
	if (rc)
		return;
	const double T = 300.0, beta = 1.0 / (c.sys.units.boltz * T);
	double want[5];
	for (size_t k = 0; k < 5; k++) {
		struct sc_lambda l = fep_schedule_state(&sch, k);
		set_lambda(&c, l.coul, l.lj);
		want[k] = energy(&c, NULL);
	}
	set_lambda(&c, 1.0, 1.0); /* fep-window's engine: sc at (1,1) */
	for (int absolute = 0; absolute < 2; absolute++) {
		struct fep_eval ev;
		double u[5], dudl[2];
		rc = fep_eval_init(&ev, &c.sys, &c.sc, &sch, 2, T, NAN, absolute,
				   0.0, &e) ||
		     fep_eval_molecular(&ev, &c.sc, &c.ff, &c.dc, &e) ||
		     fep_eval_frame(&ev, &c.st, u, dudl, &e);
		CHECK(rc == 0, "fep_eval_frame%s (%s)", absolute ? " --absolute" : "",
		      rc ? e.msg : "ok");
		double worst = 0.0;
		for (size_t k = 0; k < 5; k++)
			worst = fmax(worst, fabs((u[k] - u[0]) - beta * (want[k] - want[0])));
		CHECK(worst < 1e-9, "%s: u_k - u_0 = beta [U(lambda_k) - U(lambda_0)] "
		      "(worst %.3g kT)", absolute ? "absolute" : "default", worst);
		if (absolute)
			CHECK_CLOSE(u[2], beta * want[2], 1e-12, 0.0,
				    "absolute: u at the sampled state = beta pe");
		set_lambda(&c, 0.0, 1.0);
		energy(&c, NULL);
		CHECK_CLOSE(dudl[0], beta * c.dc.dudl_coul, 1e-12, 1e-12,
			    "dudl_coul = beta dU/dlc of md_forces");
		CHECK_CLOSE(dudl[1], beta * c.sc.dudl_lj, 1e-12, 1e-12,
			    "dudl_lj = beta dU/dll of md_forces");
		set_lambda(&c, 1.0, 1.0);
		fep_eval_free(&ev);
	}
	fep_schedule_free(&sch);
	engine_cli_free(&c);
}

/* 8: bad input. */
static void bad_tests(void)
{
	struct engine_cli c;
	struct err e = {{0}};
	const char *opt[] = {"decouple", "280-282", NULL};
	int rc = setup(&c, DEC "meoh.data", opt, &e);
	CHECK(rc == ERR_DATA && strstr(e.msg, "only one of them"),
	      "a selection that cuts the methanol is bad data: %s", e.msg);
	engine_cli_free(&c);
	const char *opt2[] = {"decouple", "1-3", "lambda", "0.5,1", "units",
			      "lj", NULL};
	engine_cli_defaults(&c);
	rc = setup(&c, "../fixtures/integrate/liquid.data", opt2, &e);
	CHECK(rc == ERR_USAGE, "Coulomb lambda without charges is a usage error: "
	      "%s", e.msg);
	engine_cli_free(&c);
}

int main(void)
{
	ends_tests();
	linear_tests();
	dudl_tests();
	force_fd("none", 0.4, 1.0, 1e-6);
	force_fd("none", 0.0, 0.6, 1e-6);
	force_fd("ewald", 0.4, 1.0, 1e-5);
	force_fd("ewald", 0.3, 0.6, 1e-5);
	fep_tests();
	bad_tests();
	return check_done();
}
