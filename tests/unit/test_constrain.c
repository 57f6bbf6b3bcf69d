/* test_constrain: rigid water (SETTLE) and X-H bonds (SHAKE) with RATTLE
 * velocities, against LAMMPS 29Sep2021 fix rattle / fix shake.
 *
 * 1. tests/fixtures/constrain (regen.sh, ref.in): 100 steps at 1 fs of
 *    rigid-water.data (216 SPC/E-geometry waters, pppm 1e-5, lj/coul
 *    cut-off 9) in NVE, NVT and NPT iso with fix rattle, NVE and NPT with
 *    fix shake, and opls-hb.data (bonds to H) NVE with rattle, NVT with
 *    shake. LAMMPS iterates to 1e-14 on the multipliers, we to a relative
 *    residual of 1e-13 (SETTLE is exact), so the two trajectories differ
 *    by round-off amplified by the dynamics over 100 steps (measured: 1e-14
 *    .. 3e-11): thermo rows (temp, pe, ke, etotal, press, vol, econserved)
 *    to 1e-9 relative (press against the largest |press| of the run,
 *    which passes through zero), positions at step 100 to 1e-9 A and
 *    velocities to 1e-9 of the largest component.
 * 2. SETTLE equals the iterated SHAKE of the same water (to 1e-9 after 100
 *    steps, round-off amplified), bond lengths hold to the tolerance,
 *    velocities along bonds vanish, degrees of freedom 3N - 3 - Ncons.
 * 3. eHEX with constraints (fix ehex constrain com): whole molecules in
 *    the slabs, momentum and energy bookkeeping exact, constraints held.
 * 4. Bad input: nothing to constrain, SHAKE that cannot converge. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "constrain.h"
#include "ehex.h"
#include "engine_cli.h"
#include "integrate.h"
#include "md.h"

#define FIX "../fixtures/constrain/"
#define NTH 8   /* step temp pe ke etotal press vol econs */

static int read_thermo(const char *name, double rows[][NTH], int max)
{
	char path[512], line[4096];
	snprintf(path, sizeof path, FIX "%s.log", name);
	FILE *fp = fopen(path, "r");
	if (!fp)
		return -1;
	int n = 0, on = 0;
	while (fgets(line, sizeof line, fp)) {
		if (!strncmp(line, "Step Temp PotEng", 16)) {
			on = 1;
			continue;
		}
		if (!strncmp(line, "Loop time", 9))
			on = 0;
		if (on && n < max &&
		    sscanf(line, "%lf %lf %lf %lf %lf %lf %lf %lf", &rows[n][0],
			   &rows[n][1], &rows[n][2], &rows[n][3], &rows[n][4],
			   &rows[n][5], &rows[n][6], &rows[n][7]) == NTH)
			n++;
	}
	fclose(fp);
	return n;
}

/* write_dump custom id xu yu zu vx vy vz, sorted by id */
static int read_dump(const char *name, size_t n, double *xu, double *v)
{
	char path[512], line[4096];
	snprintf(path, sizeof path, FIX "%s.dump", name);
	FILE *fp = fopen(path, "r");
	if (!fp)
		return -1;
	int ok = 0;
	while (fgets(line, sizeof line, fp))
		if (!strncmp(line, "ITEM: ATOMS", 11)) {
			ok = 1;
			for (size_t i = 0; i < n && ok; i++) {
				long id;
				ok = fgets(line, sizeof line, fp) &&
				     sscanf(line, "%ld %lf %lf %lf %lf %lf %lf", &id,
					    &xu[3 * i], &xu[3 * i + 1], &xu[3 * i + 2],
					    &v[3 * i], &v[3 * i + 1], &v[3 * i + 2]) == 7;
			}
			break;
		}
	fclose(fp);
	return ok ? 0 : -1;
}

static int setup(struct engine_cli *c, const char *data, const char *const *opt,
		 struct err *e)
{
	engine_cli_defaults(c);
	c->data = data;
	c->cutoff = 9.0;
	c->skin = 0.3; /* the 18.6 A water box holds 2 (9 + skin) */
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

struct run {
	struct engine_cli c;
	struct integrator it;
	int ok;
};

static int start(struct run *r, const char *data, const char *const *opt,
		 enum ensemble ens, long nsteps, struct err *e)
{
	memset(r, 0, sizeof *r);
	int rc = setup(&r->c, data, opt, e);
	if (rc != 0)
		return rc;
	struct integrator_opts io = {.ens = ens, .dt = 1.0, .temp = 300.0,
				     .temp_stop = 300.0, .tdamp = 100.0,
				     .tchain = 3, .press = 1.0, .pdamp = 1000.0,
				     .pchain = 3, .pcouple = PCOUPLE_ISO,
				     .nsteps_total = nsteps};
	r->c.md.dt = 1.0;
	if (md_forces(&r->c.md, e) != 0 ||
	    integrator_init(&r->it, &io, &r->c.md, e) != 0 ||
	    integrator_setup(&r->it, &r->c.md, e) != 0)
		return ERR_DATA;
	r->ok = 1;
	return 0;
}

static void thermo_vals(const struct run *r, double v[NTH])
{
	const struct md *m = &r->c.md;
	double ke = md_ke(m->sys, m->st), pe = energy_pe(&m->en);
	v[0] = (double)m->st->step;
	v[1] = md_temp(m->sys, m->st);
	v[2] = pe;
	v[3] = ke;
	v[4] = pe + ke;
	v[5] = md_pressure(m, ke);
	v[6] = md_volume(m->st);
	v[7] = integrator_conserved(&r->it, m);
	/* NPT iso: LAMMPS 29Sep2021 prints ours + 2 kT etap[0] (see
	 * integrator_conserved and docs/decisions.md) */
	if (r->it.o.ens == ENS_NPT)
		v[7] += 2.0 * m->sys->units.boltz * r->it.t_target *
			r->it.pchain.eta[0];
}

static void lammps_case(const char *name, const char *data, int hb,
			enum ensemble ens, int shake_only)
{
	double rows[16][NTH];
	int nrows = read_thermo(name, rows, 16);
	CHECK(nrows == 11, "%s: LAMMPS thermo has 11 rows (got %d)", name, nrows);
	if (nrows != 11)
		return;
	const char *opt[16] = {"constrain", hb ? "hbonds" : "water",
			       "shake-tol", "1e-13", "kspace", "pppm"};
	int k = 6;
	if (hb) {
		opt[k++] = "special-lj";
		opt[k++] = "0,0,0.5";
		opt[k++] = "special-coul";
		opt[k++] = "0,0,0.5";
	}
	if (shake_only) {
		opt[k++] = "shake-only";
		opt[k++] = "";
	}
	opt[k] = NULL;
	struct run r;
	struct err e = {{0}};
	int rc = start(&r, data, opt, ens, 100, &e);
	CHECK(rc == 0, "%s: set-up (%s)", name, rc ? e.msg : "ok");
	if (rc != 0) {
		engine_cli_free(&r.c);
		return;
	}
	/* press passes through zero: compare it against its largest value */
	double pscale = 0.0;
	for (int i = 0; i < nrows; i++)
		pscale = fmax(pscale, fabs(rows[i][5]));
	double worst[NTH] = {0};
	for (int row = 0; row < nrows && rc == 0; row++) {
		if (row > 0)
			for (int s = 0; s < 10 && rc == 0; s++)
				rc = integrator_step(&r.it, &r.c.md, &e);
		if (rc != 0)
			break;
		double v[NTH];
		thermo_vals(&r, v);
		for (int q = 1; q < NTH; q++) {
			double sc = q == 5 ? pscale : fabs(rows[row][q]);
			worst[q] = fmax(worst[q], fabs(v[q] - rows[row][q]) / sc);
		}
	}
	CHECK(rc == 0, "%s: 100 steps (%s)", name, rc ? e.msg : "ok");
	static const char *const col[NTH] = {"step", "temp", "pe", "ke",
					     "etotal", "press", "vol", "econserved"};
	for (int q = 1; q < NTH; q++)
		CHECK(worst[q] <= 1e-9, "%s: %s equals LAMMPS's every 10 steps "
		      "(worst relative difference %.3g)", name, col[q], worst[q]);
	size_t n = r.c.st.n;
	double *xu = malloc(3 * n * sizeof *xu), *vl = malloc(3 * n * sizeof *vl);
	if (xu && vl && read_dump(name, n, xu, vl) == 0) {
		const struct state *st = &r.c.st;
		double dx = 0, dv = 0, vs = 0;
		for (size_t i = 0; i < n; i++) {
			double g[3] = {st->x[i] + st->ix[i] * st->len[0],
				       st->y[i] + st->iy[i] * st->len[1],
				       st->z[i] + st->iz[i] * st->len[2]};
			double gv[3] = {st->vx[i], st->vy[i], st->vz[i]};
			for (int a = 0; a < 3; a++) {
				dx = fmax(dx, fabs(g[a] - xu[3 * i + a]));
				dv = fmax(dv, fabs(gv[a] - vl[3 * i + a]));
				vs = fmax(vs, fabs(vl[3 * i + a]));
			}
		}
		/* positions against 1 A (a bond), velocities against the
		 * largest component */
		CHECK(dx <= 1e-9, "%s: positions at step 100 equal LAMMPS's "
		      "(worst %.3g A)", name, dx);
		CHECK(dv <= 1e-9 * vs, "%s: velocities at step 100 equal "
		      "LAMMPS's (worst %.3g of %.3g A/fs)", name, dv, vs);
	} else {
		CHECK(0, "%s: read the LAMMPS dump", name);
	}
	free(xu);
	free(vl);
	engine_cli_free(&r.c);
}

/* SETTLE against the iterated SHAKE of the same clusters, bond lengths
 * and bond velocities over an NVE run, the degrees of freedom. */
static void test_settle_vs_shake(void)
{
	const char *opt[] = {"constrain", "water", "shake-tol", "1e-14",
			     "kspace", "pppm", NULL};
	struct run a, b;
	struct err e = {{0}};
	int rc = start(&a, FIX "rigid-water.data", opt, ENS_NVE, 100, &e);
	CHECK(rc == 0, "settle: set-up (%s)", rc ? e.msg : "ok");
	CHECK(a.c.cons.ncl == 216 && a.c.cons.nwater == 216 &&
	      a.c.cons.ncons == 648, "settle: 216 waters, 648 constraints");
	CHECK(a.c.sys.dof == 3.0 * 648 - 3.0 - 648.0, "settle: dof %g = 3N - 3 "
	      "- 648", a.c.sys.dof);
	CHECK(a.c.ff.bonded.bonds.n == 0 && a.c.ff.bonded.angles.n == 0,
	      "settle: constrained bonds and angles carry no energy");
	/* b: the same with SETTLE switched off (LAMMPS's shake3angle) */
	engine_cli_defaults(&b.c);
	rc = setup(&b.c, FIX "rigid-water.data", opt, &e);
	for (size_t k = 0; rc == 0 && k < b.c.cons.ncl; k++)
		b.c.cons.cl[k].settle = 0;
	struct integrator_opts io = {.ens = ENS_NVE, .dt = 1.0, .tchain = 3,
				     .pchain = 3, .nsteps_total = 100};
	b.c.md.dt = 1.0;
	if (rc == 0)
		rc = md_forces(&b.c.md, &e) || integrator_init(&b.it, &io, &b.c.md, &e) ||
		     integrator_setup(&b.it, &b.c.md, &e);
	CHECK(rc == 0, "settle: iterated SHAKE set-up (%s)", rc ? e.msg : "ok");
	double dmax = 0, vmax = 0, d, v, e0 = 0, emax = 0;
	for (int s = 0; s < 100 && rc == 0; s++) {
		rc = integrator_step(&a.it, &a.c.md, &e) ||
		     integrator_step(&b.it, &b.c.md, &e);
		constrain_errors(&a.c.cons, &a.c.st, &d, &v);
		dmax = fmax(dmax, d);
		vmax = fmax(vmax, v);
		double et = energy_pe(&a.c.md.en) + md_ke(&a.c.sys, &a.c.st);
		if (s == 0)
			e0 = et;
		emax = fmax(emax, fabs(et - e0));
	}
	CHECK(rc == 0, "settle: 100 steps (%s)", rc ? e.msg : "ok");
	double dx = 0;
	for (size_t i = 0; rc == 0 && i < a.c.st.n; i++)
		dx = fmax(dx, fmax(fabs(a.c.st.x[i] - b.c.st.x[i]),
				   fmax(fabs(a.c.st.y[i] - b.c.st.y[i]),
					fabs(a.c.st.z[i] - b.c.st.z[i]))));
	CHECK(dx <= 1e-9, "settle: SETTLE and iterated SHAKE agree after 100 "
	      "steps (worst %.3g A)", dx);
	/* rattle: positions on the constraints to round-off of the step */
	CHECK(dmax <= 1e-12, "settle: bond lengths and H-H held (worst "
	      "relative error %.3g)", dmax);
	CHECK(vmax <= 1e-12, "settle: no velocity along bonds (worst %.3g "
	      "of d per fs)", vmax);
	engine_cli_free(&a.c);
	engine_cli_free(&b.c);

	const char *hb[] = {"constrain", "hbonds", "special-lj", "0,0,0.5",
			    "special-coul", "0,0,0.5", NULL};
	rc = setup(&a.c, FIX "opls-hb.data", hb, &e);
	CHECK(rc == 0 && a.c.cons.ncl == 3 && a.c.cons.ncons == 6 &&
	      a.c.sys.dof == 3.0 * 34 - 3.0 - 6.0, "hbonds: clusters of 2, 3 "
	      "and 4 atoms, 6 constraints, dof 3N - 3 - 6 (%s)", rc ? e.msg : "ok");
	engine_cli_free(&a.c);
}

/* eHEX with constraints (fix ehex constrain com): molecules enter a slab
 * whole, the exchange keeps momentum and adds exactly F dt, and the next
 * step puts the sites back on the constraints (positions and bond
 * velocities to round-off before each exchange). */
static void test_ehex_constrained(void)
{
	const char *opt[] = {"constrain", "water", "kspace", "pppm", NULL};
	struct run r;
	struct err e = {{0}};
	int rc = start(&r, FIX "rigid-water.data", opt, ENS_NVE, 20, &e);
	CHECK(rc == 0, "ehex: set-up (%s)", rc ? e.msg : "ok");
	if (rc != 0) {
		engine_cli_free(&r.c);
		return;
	}
	struct ehex h;
	const double flux = 0.05; /* kcal/mol/fs */
	ehex_init(&h, 0.0, 3.0, 9.3, 12.3, flux, 1);
	struct md *m = &r.c.md;
	struct state *st = &r.c.st;
	double dmax = 0, vmax = 0, dke = 0, dp = 0, t0 = ehex_slab_temp(&h, m, 1);
	int whole = 1;
	for (int s = 0; s < 20 && rc == 0; s++) {
		rc = integrator_step(&r.it, m, &e);
		double d, v;
		constrain_errors(&r.c.cons, st, &d, &v);
		dmax = fmax(dmax, d);
		vmax = fmax(vmax, v);
		double ke = md_ke(&r.c.sys, st), p[3] = {0, 0, 0};
		for (size_t i = 0; i < st->n; i++) {
			p[0] += r.c.sys.mass[i] * st->vx[i];
			p[1] += r.c.sys.mass[i] * st->vy[i];
			p[2] += r.c.sys.mass[i] * st->vz[i];
		}
		if (rc == 0)
			rc = ehex_apply(&h, m, &e);
		/* the hot slab was applied last: h.mask is its membership */
		for (size_t k = 0; rc == 0 && k < r.c.cons.ncl; k++) {
			const size_t *a = r.c.cons.cl[k].atom;
			whole &= h.mask[a[0]] == h.mask[a[1]] &&
				 h.mask[a[0]] == h.mask[a[2]];
		}
		/* both slabs: +F dt - F dt: the total is unchanged */
		dke = fmax(dke, fabs(md_ke(&r.c.sys, st) - ke) / ke);
		for (size_t i = 0; i < st->n; i++) {
			p[0] -= r.c.sys.mass[i] * st->vx[i];
			p[1] -= r.c.sys.mass[i] * st->vy[i];
			p[2] -= r.c.sys.mass[i] * st->vz[i];
		}
		dp = fmax(dp, fabs(p[0]) + fabs(p[1]) + fabs(p[2]));
	}
	CHECK(rc == 0, "ehex: 20 steps with exchanges (%s)", rc ? e.msg : "ok");
	CHECK(whole, "ehex: every water is in or out of the slab as a whole");
	CHECK(h.natoms_last[0] % 3 == 0 && h.natoms_last[1] % 3 == 0 &&
	      h.natoms_last[1] > 30, "ehex: slabs hold whole molecules (%d, %d "
	      "atoms)", h.natoms_last[0], h.natoms_last[1]);
	CHECK(dke <= 1e-12, "ehex: exchange moves kinetic energy between the "
	      "slabs only (total changes by %.3g relative)", dke);
	CHECK(dp <= 1e-12, "ehex: total momentum kept (%.3g)", dp);
	CHECK_CLOSE(h.heat_in, 20 * flux * 1.0, 1e-12, 0.0, "ehex: heat in = 20 F dt");
	CHECK(dmax <= 1e-12 && vmax <= 1e-12, "ehex: constraints hold before "
	      "each exchange (length %.3g, velocity %.3g)", dmax, vmax);
	/* the hot slab's temperature, independently: waters whose centre of
	 * mass has wrapped z in [9.3, 12.3), 2N - 3 degrees of freedom */
	double mv[3] = {0, 0, 0}, mv2 = 0, mt = 0;
	int nat = 0;
	for (size_t k = 0; k < r.c.cons.ncl; k++) {
		const size_t *a = r.c.cons.cl[k].atom;
		double zc = 0, mm = 0, L = st->len[2];
		for (int j = 0; j < 3; j++) {
			double dz = st->z[a[j]] - st->z[a[0]];
			dz -= L * nearbyint(dz / L);
			zc += r.c.sys.mass[a[j]] * (st->z[a[0]] + dz);
			mm += r.c.sys.mass[a[j]];
		}
		zc /= mm;
		zc -= L * floor((zc - st->lo[2]) / L);
		if (!(zc >= 9.3 && zc < 12.3))
			continue;
		for (int j = 0; j < 3; j++) {
			size_t i = a[j];
			double mi = r.c.sys.mass[i];
			mv[0] += mi * st->vx[i];
			mv[1] += mi * st->vy[i];
			mv[2] += mi * st->vz[i];
			mv2 += mi * (st->vx[i] * st->vx[i] + st->vy[i] * st->vy[i] +
				     st->vz[i] * st->vz[i]);
			mt += mi;
			nat++;
		}
	}
	double want = (mv2 - (mv[0] * mv[0] + mv[1] * mv[1] + mv[2] * mv[2]) / mt) *
		      r.c.sys.units.mvv2e / ((2.0 * nat - 3.0) * r.c.sys.units.boltz);
	double t1 = ehex_slab_temp(&h, m, 1);
	CHECK_CLOSE(t1, want, 1e-12, 0.0, "ehex: hot slab temperature by "
		    "molecule centres, 3N - N_cons - 3 dof");
	CHECK(t0 > 0 && t1 > t0, "ehex: hot slab warms (%.1f -> %.1f K)", t0, t1);
	ehex_free(&h);
	engine_cli_free(&r.c);
}

static void test_bad_input(void)
{
	struct engine_cli c;
	struct err e = {{0}};
	const char *w[] = {"constrain", "water", NULL};
	int rc = setup(&c, FIX "opls-hb.data", w, &e);
	CHECK(rc == ERR_DATA && strstr(e.msg, "nothing to constrain"),
	      "no water: %s", e.msg);
	engine_cli_free(&c);
	const char *t[] = {"shake-tol", "1e-6", NULL};
	rc = setup(&c, FIX "opls-hb.data", t, &e);
	CHECK(rc == ERR_USAGE && strstr(e.msg, "--constrain"),
	      "--shake-tol without --constrain: %s", e.msg);
	engine_cli_free(&c);
	/* one iteration cannot reach 1e-14 */
	const char *it1[] = {"constrain", "hbonds", "shake-iter", "1",
			     "shake-tol", "1e-14", NULL};
	struct run r;
	rc = start(&r, FIX "opls-hb.data", it1, ENS_NVE, 10, &e);
	for (int s = 0; s < 10 && rc == 0; s++)
		rc = integrator_step(&r.it, &r.c.md, &e);
	CHECK(rc != 0 && strstr(e.msg, "did not converge") &&
	      strstr(e.msg, "step ") && strstr(e.msg, "atoms"),
	      "SHAKE non-convergence names step and cluster: %s", e.msg);
	engine_cli_free(&r.c);
}

int main(void)
{
	lammps_case("water_nve_rattle", FIX "rigid-water.data", 0, ENS_NVE, 0);
	lammps_case("water_nvt_rattle", FIX "rigid-water.data", 0, ENS_NVT, 0);
	lammps_case("water_npt_rattle", FIX "rigid-water.data", 0, ENS_NPT, 0);
	lammps_case("water_nve_shake", FIX "rigid-water.data", 0, ENS_NVE, 1);
	lammps_case("water_npt_shake", FIX "rigid-water.data", 0, ENS_NPT, 1);
	lammps_case("opls_nve_rattle", FIX "opls-hb.data", 1, ENS_NVE, 0);
	lammps_case("opls_nvt_shake", FIX "opls-hb.data", 1, ENS_NVT, 1);
	test_settle_vs_shake();
	test_ehex_constrained();
	test_bad_input();
	return check_done();
}
