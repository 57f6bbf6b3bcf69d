/* test_bonded: bonded styles (common/bonded) and special-bond lists
 * (common/special) against LAMMPS 29Sep2021 (tests/fixtures/bonded: data
 * files written by gen.py, LAMMPS `run 0` thermo logs and force dumps made
 * by regen.sh from ref-*.in), finite differences, and the error cases.
 *
 * Tolerance for the LAMMPS comparison: 1e-10 relative, scaled as in
 * test_pair_lj: LAMMPS prints 15 significant digits; positions are the same
 * doubles; LAMMPS forms bond vectors from ghost coordinates (x + L) where
 * we take minimum images of differences (x_j - x_i - L), which differs by
 * an ulp of L (~4e-15 A for L = 22, i.e. ~3e-15 relative on a 1.5 A
 * bond), and sums terms in another order. So energies must agree to
 * 1e-10 |E_ref| (+1e-12 absolute for a zero reference), a force component
 * to 1e-10 max(|F_ref|, Frms), a pressure component to 1e-10 max(|P_ref|,
 * Pscale) with Pscale the largest diagonal magnitude: four orders above
 * round-off, far below any formula or convention error (a wrong factor,
 * sign or degree conversion shows at 1e-3 or more).
 *
 * Finite differences: 4th-order central differences with h = 1e-4 A
 * (truncation ~h^4 E^(5) < 1e-12, round-off ~1e-16 E/h ~ 1e-10), checked
 * to 1e-7 max(|F|, Frms). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bonded.h"
#include "check.h"
#include "lmp_data.h"
#include "special.h"
#include "system.h"
#include "units.h"

#define FIX "../fixtures/bonded/"
#define NKTV2P 68568.415    /* real units, LAMMPS force.cpp */
#define QQR2E 332.06371

/* ---- LAMMPS references --------------------------------------------------- */

struct thermo {
	int n;
	char name[24][24];
	double v[24];
};

/* The thermo line after the "Step ..." header; 0 on success. */
static int read_thermo(const char *path, struct thermo *t)
{
	FILE *fp = fopen(path, "r");
	char line[4096];
	int ok = 0;
	if (!fp)
		return -1;
	while (fgets(line, sizeof line, fp))
		if (strncmp(line, "Step ", 5) == 0) {
			char *save, *tok = strtok_r(line, " \n", &save);
			t->n = 0;
			while (tok && t->n < 24) {
				snprintf(t->name[t->n++], 24, "%s", tok);
				tok = strtok_r(NULL, " \n", &save);
			}
			if (!fgets(line, sizeof line, fp))
				break;
			char *p = line;
			ok = 1;
			for (int k = 0; k < t->n; k++) {
				char *end;
				t->v[k] = strtod(p, &end);
				if (end == p)
					ok = 0;
				p = end;
			}
			break;
		}
	fclose(fp);
	return ok ? 0 : -1;
}

static double thermo_get(const struct thermo *t, const char *name)
{
	for (int k = 0; k < t->n; k++)
		if (!strcmp(t->name[k], name))
			return t->v[k];
	return NAN;
}

/* "  N = max # of WHAT neighbors" from a log, or -1 when absent. */
static int log_count(const char *path, const char *what)
{
	FILE *fp = fopen(path, "r");
	char line[512], pat[64];
	int n = -1, v;
	if (!fp)
		return -2;
	snprintf(pat, sizeof pat, "max # of %s neighbors", what);
	while (fgets(line, sizeof line, fp))
		if (strstr(line, pat) && sscanf(line, "%d", &v) == 1)
			n = v; /* the last build counts */
	fclose(fp);
	return n;
}

struct dump {
	size_t n;
	long *id;
	double *f; /* [3n] sorted by id */
};

static int read_dump(const char *path, struct dump *r)
{
	FILE *fp = fopen(path, "r");
	char line[4096];
	size_t i = 0;
	memset(r, 0, sizeof *r);
	if (!fp)
		return -1;
	while (fgets(line, sizeof line, fp)) {
		if (!strncmp(line, "ITEM: NUMBER OF ATOMS", 21)) {
			if (!fgets(line, sizeof line, fp) ||
			    sscanf(line, "%zu", &r->n) != 1)
				break;
			r->id = calloc(r->n, sizeof *r->id);
			r->f = calloc(3 * r->n, sizeof *r->f);
		}
		if (!strncmp(line, "ITEM: ATOMS id fx fy fz", 23) && r->f) {
			for (; i < r->n && fgets(line, sizeof line, fp); i++)
				if (sscanf(line, "%ld %lf %lf %lf", &r->id[i],
					   &r->f[3 * i], &r->f[3 * i + 1],
					   &r->f[3 * i + 2]) != 4)
					break;
			break;
		}
	}
	fclose(fp);
	return r->f && i == r->n ? 0 : -1;
}

static void dump_free(struct dump *r)
{
	free(r->id);
	free(r->f);
}

/* ---- Evaluating a data file --------------------------------------------- */

struct run {
	size_t n;
	double len[3];
	double *x, *y, *z, *fx, *fy, *fz;
	struct energy en;
};

static void run_init(struct run *r, const struct lmp_data *d)
{
	r->n = d->natoms;
	for (int a = 0; a < 3; a++)
		r->len[a] = d->hi[a] - d->lo[a];
	r->x = malloc(r->n * sizeof *r->x);
	r->y = malloc(r->n * sizeof *r->y);
	r->z = malloc(r->n * sizeof *r->z);
	r->fx = calloc(r->n, sizeof *r->fx);
	r->fy = calloc(r->n, sizeof *r->fy);
	r->fz = calloc(r->n, sizeof *r->fz);
	memcpy(r->x, d->x, r->n * sizeof *r->x);
	memcpy(r->y, d->y, r->n * sizeof *r->y);
	memcpy(r->z, d->z, r->n * sizeof *r->z);
}

static void run_free(struct run *r)
{
	free(r->x);
	free(r->y);
	free(r->z);
	free(r->fx);
	free(r->fy);
	free(r->fz);
}

static int run_eval(const struct bonded *b, struct run *r, struct err *e)
{
	memset(&r->en, 0, sizeof r->en);
	memset(r->fx, 0, r->n * sizeof *r->fx);
	memset(r->fy, 0, r->n * sizeof *r->fy);
	memset(r->fz, 0, r->n * sizeof *r->fz);
	return bonded_compute(b, r->len, r->x, r->y, r->z, r->fx, r->fy,
			      r->fz, &r->en, e);
}

static double total(const struct energy *en)
{
	return en->ebond + en->eangle + en->edihed + en->eimp + en->evdwl +
	       en->ecoul;
}

/* eps14, sigma14 of gen.py's PAIR14 (lj/charmm/coul/charmm, types 1..8) */
static const double EPS14[8] = {0.01, 0.01, 0.11, 0.12, 0.022, 0.192, 0.046,
				0.01};
static const double SIG14[8] = {3.385, 3.385, 3.564, 2.494, 2.352, 3.154, 0.4,
				3.385};

static int load(const char *path, struct lmp_data *d, struct bonded *b,
		const struct bonded_opts *o)
{
	struct err e = {{0}};
	if (lmp_data_read(d, path, &e)) {
		CHECK(0, "read %s: %s", path, e.msg);
		return -1;
	}
	if (bonded_from_data(b, d, o, path, &e)) {
		CHECK(0, "bonded_from_data %s: %s", path, e.msg);
		lmp_data_free(d);
		return -1;
	}
	return 0;
}

/* Compare one case with LAMMPS: energies, pressure tensor, forces. */
static void compare_case(const char *name, const char *data,
			 const char *ref, const struct bonded_opts *o)
{
	char path[256];
	struct lmp_data d;
	struct bonded b;
	struct thermo t;
	struct dump du;
	struct run r;
	struct err e = {{0}};
	snprintf(path, sizeof path, FIX "%s", data);
	if (load(path, &d, &b, o))
		return;
	run_init(&r, &d);
	int rc = run_eval(&b, &r, &e);
	CHECK(rc == 0, "%s: bonded_compute (%s)", name, rc ? e.msg : "ok");
	CHECK(bonded_check(&b, r.len, r.x, r.y, r.z, d.ix, d.iy, d.iz, &e) ==
		      0,
	      "%s: molecules whole with the file's image flags", name);

	snprintf(path, sizeof path, FIX "%s.log", ref);
	if (read_thermo(path, &t)) {
		CHECK(0, "%s: read %s", name, path);
		goto out;
	}
	const char *en_name[6] = {"E_bond", "E_angle", "E_dihed", "E_impro",
				  "E_vdwl", "E_coul"};
	double en_got[6] = {r.en.ebond, r.en.eangle, r.en.edihed, r.en.eimp,
			    r.en.evdwl, r.en.ecoul};
	for (int k = 0; k < 6; k++) {
		char what[192];
		snprintf(what, sizeof what, "%s: %s", name, en_name[k]);
		CHECK_CLOSE(en_got[k], thermo_get(&t, en_name[k]), 1e-10, 1e-12,
			    what);
	}
	char what[192];
	snprintf(what, sizeof what, "%s: PotEng", name);
	CHECK_CLOSE(total(&r.en), thermo_get(&t, "PotEng"), 1e-10, 1e-12,
		    what);

	/* pressure = virial / V * nktv2p (no kinetic part: no velocities) */
	double vol = r.len[0] * r.len[1] * r.len[2];
	const char *pn[6] = {"Pxx", "Pyy", "Pzz", "Pxy", "Pxz", "Pyz"};
	double pscale = 0.0;
	for (int k = 0; k < 3; k++)
		pscale = fmax(pscale, fabs(thermo_get(&t, pn[k])));
	for (int k = 0; k < 6; k++) {
		double want = thermo_get(&t, pn[k]);
		snprintf(what, sizeof what, "%s: %s", name, pn[k]);
		CHECK_CLOSE(r.en.virial[k] / vol * NKTV2P, want, 0.0,
			    1e-10 * fmax(fabs(want), pscale), what);
	}
	snprintf(what, sizeof what, "%s: Press", name);
	CHECK_CLOSE((r.en.virial[0] + r.en.virial[1] + r.en.virial[2]) /
			    (3.0 * vol) * NKTV2P,
		    thermo_get(&t, "Press"), 0.0, 1e-10 * pscale, what);

	snprintf(path, sizeof path, FIX "%s.dump", ref);
	if (read_dump(path, &du) || du.n != r.n) {
		CHECK(0, "%s: read %s", name, path);
		goto out;
	}
	double frms = 0.0, worst = 0.0;
	size_t worst_i = 0, nbad = 0;
	for (size_t k = 0; k < 3 * du.n; k++)
		frms += du.f[k] * du.f[k];
	frms = sqrt(frms / (3.0 * du.n));
	for (size_t i = 0; i < du.n; i++) {
		long idx = lmp_data_index(&d, du.id[i]);
		double got[3] = {r.fx[idx], r.fy[idx], r.fz[idx]};
		for (int a = 0; a < 3; a++) {
			double want = du.f[3 * i + a];
			double rel = fabs(got[a] - want) /
				     fmax(fabs(want), frms);
			if (rel > worst) {
				worst = rel;
				worst_i = i;
			}
			if (!(rel <= 1e-10))
				nbad++;
		}
	}
	CHECK(nbad == 0, "%s: %zu force components equal LAMMPS to 1e-10 "
	      "max(|F|, Frms = %.3g) (worst %.2g at atom id %ld, %zu off)",
	      name, 3 * du.n, frms, worst, du.id[worst_i], nbad);
	dump_free(&du);
out:
	run_free(&r);
	bonded_free(&b);
	lmp_data_free(&d);
}

/* Forces against 4th-order central differences of the total energy. */
static void fd_case(const char *name, const char *data,
		    const struct bonded_opts *o, double dih_shift)
{
	char path[256];
	struct lmp_data d;
	struct bonded b;
	struct run r;
	struct err e = {{0}};
	snprintf(path, sizeof path, FIX "%s", data);
	if (lmp_data_read(&d, path, &e)) {
		CHECK(0, "read %s: %s", path, e.msg);
		return;
	}
	/* optionally move fourier shifts off the integers LAMMPS's charmm
	 * takes: d_i -> d_i + dih_shift */
	if (dih_shift != 0.0)
		for (size_t t = 0; t < d.dihedral_coeffs.ntypes; t++) {
			double *p = d.dihedral_coeffs.p + t * LMP_MAXP;
			for (int k = 0; k < (int)p[0]; k++)
				p[3 + 3 * k] += dih_shift * (k + 1);
		}
	if (bonded_from_data(&b, &d, o, path, &e)) {
		CHECK(0, "%s: %s", name, e.msg);
		lmp_data_free(&d);
		return;
	}
	run_init(&r, &d);
	run_eval(&b, &r, &e);
	double *f0 = malloc(3 * r.n * sizeof *f0), frms = 0.0;
	for (size_t i = 0; i < r.n; i++) {
		f0[3 * i] = r.fx[i];
		f0[3 * i + 1] = r.fy[i];
		f0[3 * i + 2] = r.fz[i];
	}
	for (size_t k = 0; k < 3 * r.n; k++)
		frms += f0[k] * f0[k];
	frms = sqrt(frms / (3.0 * r.n));
	const double h = 1e-4;
	double worst = 0.0;
	size_t nbad = 0;
	for (size_t i = 0; i < r.n; i++)
		for (int a = 0; a < 3; a++) {
			double *c = a == 0 ? r.x : a == 1 ? r.y : r.z;
			double x0 = c[i], ev[4];
			const double off[4] = {-2 * h, -h, h, 2 * h};
			for (int s = 0; s < 4; s++) {
				c[i] = x0 + off[s];
				run_eval(&b, &r, &e);
				ev[s] = total(&r.en);
			}
			c[i] = x0;
			double fd = -(8.0 * (ev[2] - ev[1]) - (ev[3] - ev[0])) /
				    (12.0 * h);
			double want = f0[3 * i + (size_t)a];
			double rel = fabs(fd - want) / fmax(fabs(want), frms);
			worst = fmax(worst, rel);
			if (!(rel <= 1e-7))
				nbad++;
		}
	CHECK(nbad == 0, "%s: forces are -dE/dx by finite differences to "
	      "1e-7 max(|F|, Frms) (worst %.2g)", name, worst);
	free(f0);
	run_free(&r);
	bonded_free(&b);
	lmp_data_free(&d);
}

/* Unwrapped positions (x + image * L) and en == NULL give the same. */
static void unwrapped_case(void)
{
	struct lmp_data d;
	struct bonded b;
	struct run r;
	struct err e = {{0}};
	if (load(FIX "in-opls.data", &d, &b, NULL))
		return;
	run_init(&r, &d);
	run_eval(&b, &r, &e);
	struct energy en0 = r.en;
	double *f0 = malloc(r.n * sizeof *f0);
	memcpy(f0, r.fy, r.n * sizeof *f0);
	for (size_t i = 0; i < r.n; i++) {
		r.x[i] += d.ix[i] * r.len[0] + 3 * r.len[0] * (double)(i % 3);
		r.y[i] += d.iy[i] * r.len[1] - 2 * r.len[1];
		r.z[i] += d.iz[i] * r.len[2];
	}
	run_eval(&b, &r, &e);
	double df = 0.0;
	for (size_t i = 0; i < r.n; i++)
		df = fmax(df, fabs(r.fy[i] - f0[i]));
	CHECK(fabs(total(&r.en) - total(&en0)) <= 1e-12 * fabs(total(&en0)) &&
		      df <= 1e-11,
	      "unwrapped positions give the same energy (%.3g) and forces "
	      "(max diff %.2g)", total(&r.en) - total(&en0), df);
	memset(r.fy, 0, r.n * sizeof *r.fy);
	CHECK(bonded_compute(&b, r.len, r.x, r.y, r.z, r.fx, r.fy, r.fz, NULL,
			     &e) == 0,
	      "forces without energies (en NULL)");
	free(f0);
	run_free(&r);
	bonded_free(&b);
	lmp_data_free(&d);
}

/* ---- Errors ------------------------------------------------------------- */

static int expect_fail(struct lmp_data *d, const struct bonded_opts *o,
		       const char *want, const char *what)
{
	struct bonded b;
	struct err e = {{0}};
	int rc = bonded_from_data(&b, d, o, "x.data", &e);
	int ok = rc != 0 && strstr(e.msg, want) != NULL;
	CHECK(ok, "%s: error \"%s\"", what, rc ? e.msg : "(none)");
	if (!rc)
		bonded_free(&b);
	return ok;
}

static void error_cases(void)
{
	struct lmp_data d;
	struct err e = {{0}};
	struct bonded b;
	if (lmp_data_read(&d, FIX "in-opls.data", &e)) {
		CHECK(0, "read in-opls.data: %s", e.msg);
		return;
	}
	char saved[64];
	memcpy(saved, d.dihedral_coeffs.style, sizeof saved);
	snprintf(d.dihedral_coeffs.style, sizeof d.dihedral_coeffs.style,
		 "helix");
	expect_fail(&d, NULL,
		    "x.data: Dihedral Coeffs style 'helix' is not supported "
		    "(supported: opls multi/harmonic fourier charmm)",
		    "unknown dihedral style");
	snprintf(d.dihedral_coeffs.style, sizeof d.dihedral_coeffs.style,
		 "hybrid");
	expect_fail(&d, NULL, "style 'hybrid' is not supported",
		    "hybrid refused");
	memcpy(d.dihedral_coeffs.style, saved, sizeof saved);
	snprintf(d.bond_coeffs.style, sizeof d.bond_coeffs.style, "morse");
	expect_fail(&d, NULL,
		    "Bond Coeffs style 'morse' is not supported (supported: "
		    "harmonic)",
		    "unknown bond style");
	snprintf(d.bond_coeffs.style, sizeof d.bond_coeffs.style, "harmonic");

	/* no style comment: taken from the options, else an error */
	d.improper_coeffs.style[0] = '\0';
	expect_fail(&d, NULL, "Improper Coeffs has no style comment",
		    "missing style comment");
	struct bonded_opts o = {{NULL, NULL, NULL, "harmonic"}, NULL, NULL,
				MIX_GEOMETRIC, 0.0};
	CHECK(bonded_from_data(&b, &d, &o, "x.data", &e) == 0 &&
		      b.impropers.style == IMPROPER_HARMONIC,
	      "style from the options when the file has no comment");
	bonded_free(&b);
	o.style[3] = "cvff";
	snprintf(d.improper_coeffs.style, sizeof d.improper_coeffs.style,
		 "harmonic");
	expect_fail(&d, &o, "style 'harmonic' in the file, but 'cvff'",
		    "comment and option disagree");

	/* missing coefficients */
	d.dihedral_coeffs.nparam[1] = 0;
	expect_fail(&d, NULL, "x.data: no Dihedral Coeffs for dihedral type 2",
		    "missing row");
	d.dihedral_coeffs.nparam[1] = 4;
	d.angle_coeffs.present = 0;
	expect_fail(&d, NULL, "x.data: no Angle Coeffs for angle type 1",
		    "missing section");
	d.angle_coeffs.present = 1;
	d.dihedral_coeffs.nparam[2] = 3;
	expect_fail(&d, NULL,
		    "Dihedral Coeffs: dihedral type 3 (opls): 3 values, "
		    "expected 4",
		    "wrong number of values");
	d.dihedral_coeffs.nparam[2] = 4;

	/* an atom id that is not in Atoms */
	long keep = d.dihedrals.atom[5];
	d.dihedrals.atom[5] = 999;
	expect_fail(&d, NULL,
		    "x.data: Dihedrals: dihedral 2 refers to atom id 999, "
		    "which is not in Atoms",
		    "unknown atom id");
	d.dihedrals.atom[5] = keep;
	keep = d.bonds.atom[3];
	d.bonds.atom[3] = 0;
	struct special sp;
	CHECK(special_from_data(&sp, &d, NULL, NULL, "x.data", &e) != 0 &&
		      strstr(e.msg, "x.data: Bonds: bond 2 refers to atom id "
				    "0, which is not in Atoms"),
	      "special: unknown atom id: \"%s\"", e.msg);
	d.bonds.atom[3] = keep;
	CHECK(bonded_from_data(&b, &d, NULL, "x.data", &e) == 0,
	      "the restored data file builds");

	/* box too small: the terms cannot be made whole */
	struct run r;
	run_init(&r, &d);
	double small[3] = {r.len[0], 5.0, r.len[2]};
	int rc = bonded_compute(&b, small, r.x, r.y, r.z, r.fx, r.fy, r.fz,
				NULL, &e);
	CHECK(rc != 0 && strstr(e.msg, "half the box is 2.5: the box is too "
				       "small for the molecule"),
	      "term wider than half the box: \"%s\"", rc ? e.msg : "(none)");
	double tiny[3] = {2.8, 22.0, 22.0};
	rc = bonded_check(&b, tiny, r.x, r.y, r.z, NULL, NULL, NULL, &e);
	CHECK(rc != 0 && strstr(e.msg, "bond type 1: equilibrium length 1.529 "
				       "is not below half the shortest box "
				       "edge (1.4)"),
	      "bond longer than half the box: \"%s\"", rc ? e.msg : "(none)");
	/* image flags that put atom 2 of the first butane a box away */
	d.ix[1] += 1;
	rc = bonded_check(&b, r.len, r.x, r.y, r.z, d.ix, d.iy, d.iz, &e);
	CHECK(rc != 0 && strstr(e.msg, "bond 1 (atoms 1 2) spans") &&
		      strstr(e.msg, "along x with the image flags, half the "
				    "box is 11"),
	      "bond split by the image flags: \"%s\"", rc ? e.msg : "(none)");
	d.ix[1] -= 1;
	run_free(&r);
	bonded_free(&b);
	lmp_data_free(&d);

	/* charmm 1-4 weight without the 1-4 parameters */
	if (lmp_data_read(&d, FIX "in-charmm14.data", &e) == 0) {
		expect_fail(&d, NULL,
			    "dihedral type 1 (charmm) has 1-4 weight 1 > 0, "
			    "which needs the 1-4 parameters of pair "
			    "lj/charmm/coul/charmm",
			    "charmm weight refused without 1-4 parameters");
		d.dihedral_coeffs.p[2 * LMP_MAXP + 2] = 60.5;
		expect_fail(&d, NULL, "must be integers",
			    "charmm shift must be an integer");
		lmp_data_free(&d);
	}
	if (lmp_data_read(&d, FIX "in-multi.data", &e) == 0) {
		d.improper_coeffs.p[0 * LMP_MAXP + 1] = 0.5;
		expect_fail(&d, NULL, "sign d = 0.5 must be 1 or -1",
			    "cvff sign");
		d.improper_coeffs.p[0 * LMP_MAXP + 1] = -1;
		d.improper_coeffs.p[0 * LMP_MAXP + 2] = 7;
		expect_fail(&d, NULL, "multiplicity n = 7 must be an integer "
				      "0..6", "cvff multiplicity");
		lmp_data_free(&d);
	}
}

/* ---- Special bonds ------------------------------------------------------ */

/* Brute-force lj/cut/coul/cut energy and virial with the special factors:
 * every pair once, minimum image (cutoff 6 < L/2). Parameters of gen.py's
 * special.data (geometric mixing, LAMMPS's default). */
static void brute_pairs(const struct lmp_data *d, const struct special *sp,
			double *evdwl, double *ecoul, double v[6])
{
	static const double eps[3] = {0.1, 0.2, 0.15}, sig[3] = {1.5, 1.3, 1.7};
	const double rc = 6.0;
	double L[3];
	for (int a = 0; a < 3; a++)
		L[a] = d->hi[a] - d->lo[a];
	*evdwl = *ecoul = 0.0;
	memset(v, 0, 6 * sizeof *v);
	for (size_t i = 0; i < d->natoms; i++)
		for (size_t j = i + 1; j < d->natoms; j++) {
			double dr[3] = {d->x[i] - d->x[j], d->y[i] - d->y[j],
					d->z[i] - d->z[j]};
			for (int a = 0; a < 3; a++)
				dr[a] -= L[a] * nearbyint(dr[a] / L[a]);
			double rsq = dr[0] * dr[0] + dr[1] * dr[1] +
				     dr[2] * dr[2];
			if (rsq >= rc * rc)
				continue;
			int rel = special_relation(sp, i, j);
			int ti = d->type[i] - 1, tj = d->type[j] - 1;
			double e = sqrt(eps[ti] * eps[tj]),
			       s = sqrt(sig[ti] * sig[tj]);
			double sr6 = pow(s * s / rsq, 3), r = sqrt(rsq);
			double elj = 4.0 * e * (sr6 * sr6 - sr6);
			double flj = 24.0 * e * (2.0 * sr6 * sr6 - sr6) / rsq;
			double ec = QQR2E * d->q[i] * d->q[j] / r;
			double fpair = sp->lj[rel] * flj +
				       sp->coul[rel] * ec / rsq;
			*evdwl += sp->lj[rel] * elj;
			*ecoul += sp->coul[rel] * ec;
			v[0] += dr[0] * dr[0] * fpair;
			v[1] += dr[1] * dr[1] * fpair;
			v[2] += dr[2] * dr[2] * fpair;
			v[3] += dr[0] * dr[1] * fpair;
			v[4] += dr[0] * dr[2] * fpair;
			v[5] += dr[1] * dr[2] * fpair;
		}
}

static void special_vs_lammps(const struct lmp_data *d, const char *name,
			      const char *lj, const char *coul)
{
	char path[256];
	double flj[3], fc[3];
	struct special sp;
	struct thermo t;
	struct err e = {{0}};
	if (special_parse(lj, "--special-lj", flj, &e) ||
	    special_parse(coul, "--special-coul", fc, &e) ||
	    special_from_data(&sp, d, flj, fc, "special.data", &e)) {
		CHECK(0, "special %s: %s", name, e.msg);
		return;
	}
	snprintf(path, sizeof path, FIX "special_%s.log", name);
	CHECK(sp.max12 == log_count(path, "1-2") &&
		      sp.max13 == log_count(path, "1-3") &&
		      sp.max14 == log_count(path, "1-4") &&
		      sp.maxspecial == log_count(path, "special"),
	      "special %s: LAMMPS's counts max 1-2 %d, 1-3 %d, 1-4 %d, "
	      "special %d (log: %d %d %d %d)", name, sp.max12, sp.max13,
	      sp.max14, sp.maxspecial, log_count(path, "1-2"),
	      log_count(path, "1-3"), log_count(path, "1-4"),
	      log_count(path, "special"));
	double evdwl, ecoul, v[6];
	brute_pairs(d, &sp, &evdwl, &ecoul, v);
	if (read_thermo(path, &t) == 0) {
		char what[96];
		snprintf(what, sizeof what, "special %s: evdwl", name);
		CHECK_CLOSE(evdwl, thermo_get(&t, "E_vdwl"), 1e-10, 1e-12,
			    what);
		snprintf(what, sizeof what, "special %s: ecoul", name);
		CHECK_CLOSE(ecoul, thermo_get(&t, "E_coul"), 1e-10, 1e-12,
			    what);
		double vol = 22.0 * 22.0 * 22.0, worst = 0.0, pscale = 0.0;
		const char *pn[6] = {"Pxx", "Pyy", "Pzz", "Pxy", "Pxz", "Pyz"};
		for (int k = 0; k < 3; k++)
			pscale = fmax(pscale, fabs(thermo_get(&t, pn[k])));
		for (int k = 0; k < 6; k++) {
			double want = thermo_get(&t, pn[k]);
			worst = fmax(worst, fabs(v[k] / vol * NKTV2P - want) /
						    fmax(fabs(want), pscale));
		}
		CHECK(worst <= 1e-10, "special %s: pressure tensor (worst "
		      "%.2g relative)", name, worst);
	} else {
		CHECK(0, "read %s", path);
	}
	/* the lists: symmetric, sorted, no self, relation by level */
	int ok = 1;
	for (size_t i = 0; i < sp.n; i++)
		for (size_t a = sp.start[i]; a < sp.start[i + 1]; a++) {
			size_t j = special_index(sp.list[a]);
			int rel = special_code(sp.list[a]);
			if (j == i || rel < 1 || rel > sp.levels ||
			    special_relation(&sp, j, i) != rel ||
			    (a > sp.start[i] &&
			     special_index(sp.list[a - 1]) >= j))
				ok = 0;
		}
	CHECK(ok, "special %s: lists symmetric, sorted, without self, "
	      "relations up to level %d", name, sp.levels);
	special_free(&sp);
}

/* Relations in special.data that a ring or a branch could get wrong. */
static void special_rings(const struct lmp_data *d)
{
	struct special sp;
	struct err e = {{0}};
	if (special_from_data(&sp, d, NULL, NULL, "special.data", &e)) {
		CHECK(0, "special: %s", e.msg);
		return;
	}
#define REL(a, b) special_relation(&sp, (size_t)(a) - 1, (size_t)(b) - 1)
	/* 3-ring 1-2-3 with tail 1-4-5 */
	CHECK(REL(1, 2) == 1 && REL(2, 3) == 1 && REL(3, 1) == 1 &&
		      REL(4, 2) == 2 && REL(5, 1) == 2 && REL(5, 2) == 3 &&
		      REL(5, 3) == 3 && REL(2, 5) == 3,
	      "3-ring: ring atoms 1-2 (not 1-3), tail 1-3/1-4");
	/* 4-ring 6-7-8-9 with 10 on 6: opposite atoms 1-3, not 1-4 */
	CHECK(REL(6, 8) == 2 && REL(7, 9) == 2 && REL(10, 8) == 3 &&
		      REL(10, 7) == 2 && REL(10, 9) == 2,
	      "4-ring: opposite atoms 1-3");
	/* 5-ring 11..15: every pair 1-2 or 1-3 */
	CHECK(REL(11, 13) == 2 && REL(11, 14) == 2 && REL(12, 15) == 2,
	      "5-ring: no 1-4 pairs");
	/* 6-ring 16..21, 22 on 16, 23 on 19: para 1-4, 22-23 beyond */
	CHECK(REL(16, 19) == 3 && REL(17, 20) == 3 && REL(22, 19) == 0 &&
		      REL(22, 18) == 3 && REL(22, 23) == 0,
	      "6-ring: para atoms 1-4, substituents beyond 1-4 are ordinary");
	/* lone atom 49 */
	CHECK(sp.start[49] - sp.start[48] == 0 && REL(49, 48) == 0,
	      "lone atom has no special partners");
	/* water 46-47-48: H-H 1-3 */
	CHECK(REL(47, 48) == 2, "water H-H is 1-3");
	CHECK(special_action(&sp, SPECIAL_12, 0) == SPECIAL_EXCLUDE &&
		      special_action(&sp, SPECIAL_12, 1) == SPECIAL_SCALED &&
		      special_action(&sp, SPECIAL_NONE, 1) == SPECIAL_ORDINARY,
	      "special_action: 0,0 excluded, kept with kspace");
	struct special_pair *pp;
	size_t np;
	int ok = special_pairs(&sp, &pp, &np, &e) == 0 &&
		 2 * np == sp.start[sp.n];
	for (size_t k = 0; ok && k < np; k++)
		if (pp[k].i >= pp[k].j || pp[k].coul != 0.0 ||
		    REL(pp[k].i + 1, pp[k].j + 1) != pp[k].rel ||
		    (k && (pp[k - 1].i > pp[k].i ||
			   (pp[k - 1].i == pp[k].i && pp[k - 1].j >= pp[k].j))))
			ok = 0;
	CHECK(ok, "special_pairs: %zu pairs, each once, i < j, sorted", np);
	free(pp);
#undef REL
	special_free(&sp);
	/* factors 1,1,1 (lj and coul): only the 1-2 level */
	double one[3] = {1, 1, 1};
	special_from_data(&sp, d, one, one, "special.data", &e);
	CHECK(sp.levels == 1 && special_relation(&sp, 0, 1) == 1 &&
		      special_relation(&sp, 3, 1) == 0 &&
		      special_action(&sp, SPECIAL_12, 0) == SPECIAL_ORDINARY,
	      "factors 1,1,1: 1-3 and 1-4 pairs are ordinary");
	special_free(&sp);
}

static void special_parse_cases(void)
{
	double f[3];
	struct err e = {{0}};
	CHECK(special_parse("0,0.5,0.8333", "--special-lj", f, &e) == 0 &&
		      f[0] == 0.0 && f[1] == 0.5 && f[2] == 0.8333,
	      "special_parse 0,0.5,0.8333");
	const char *bad[] = {"0,0.5", "0,0.5,0.5,1", "0,2,0", "a,b,c",
			     "0,,1", "0 0 0", "-0.1,0,0", "0,0,nan"};
	for (size_t k = 0; k < sizeof bad / sizeof *bad; k++)
		CHECK(special_parse(bad[k], "--special-coul", f, &e) != 0 &&
			      !strncmp(e.msg, "--special-coul: ", 16),
		      "special_parse refuses '%s' (%s)", bad[k], e.msg);
}

/* O(N): a 300000-atom chain builds in well under a second. */
static void special_large(void)
{
	size_t n = 300000, nb = n - 1;
	size_t *bond = malloc(2 * nb * sizeof *bond);
	struct special sp;
	struct err e = {{0}};
	for (size_t k = 0; k < nb; k++) {
		bond[2 * k] = k;
		bond[2 * k + 1] = k + 1;
	}
	clock_t t0 = clock();
	int rc = special_build(&sp, n, bond, nb, NULL, NULL, &e);
	double dt = (double)(clock() - t0) / CLOCKS_PER_SEC;
	CHECK(rc == 0 && sp.start[n] == 6 * n - 12 && sp.maxspecial == 6 &&
		      special_relation(&sp, 1000, 1003) == 3 &&
		      special_relation(&sp, 1000, 1004) == 0,
	      "300000-atom chain: %zu entries, %.3f s", rc ? 0 : sp.start[n],
	      dt);
	if (!rc)
		special_free(&sp);
	free(bond);
}

int main(void)
{
	struct bonded_opts o14 = {{NULL, NULL, NULL, NULL}, EPS14, SIG14,
				  MIX_ARITHMETIC, QQR2E};
	/* each style against LAMMPS run 0 */
	compare_case("opls (bond/angle harmonic, dihedral opls, improper "
		     "harmonic)", "in-opls.data", "opls", NULL);
	compare_case("charmm (angle charmm, dihedral charmm w=0, improper "
		     "cvff)", "in-charmm.data", "charmm", NULL);
	compare_case("multi (dihedral multi/harmonic, improper cvff n=0..6)",
		     "in-multi.data", "multi", NULL);
	compare_case("fourier_ref (the fourier sums as charmm terms)",
		     "in-fourier_ref.data", "fourier_ref", NULL);
	compare_case("fourier (dihedral fourier vs LAMMPS charmm sums)",
		     "fourier.data", "fourier_ref", NULL);
	compare_case("charmm14 (dihedral charmm 1-4 weights, lj/charmm)",
		     "in-charmm14.data", "charmm14", &o14);

	fd_case("fd opls", "in-opls.data", NULL, 0.0);
	fd_case("fd charmm", "in-charmm.data", NULL, 0.0);
	fd_case("fd multi", "in-multi.data", NULL, 0.0);
	fd_case("fd fourier, shifts off the integers", "fourier.data", NULL,
		17.3);
	fd_case("fd charmm14", "in-charmm14.data", &o14, 0.0);
	unwrapped_case();
	error_cases();

	struct lmp_data d;
	struct err e = {{0}};
	if (lmp_data_read(&d, FIX "special.data", &e) == 0) {
		special_vs_lammps(&d, "scaled", "0.0,0.3,0.6", "0.1,0.4,0.8");
		special_vs_lammps(&d, "onlyonetwo", "0,1,1", "0,1,1");
		special_vs_lammps(&d, "noonefour", "0,0.5,1", "0.2,0.5,1");
		special_rings(&d);
		lmp_data_free(&d);
	} else {
		CHECK(0, "read special.data: %s", e.msg);
	}
	/* LAMMPS's counts for the molecular fixture (default 0,0,0) */
	if (lmp_data_read(&d, FIX "in-opls.data", &e) == 0) {
		struct special sp;
		const char *log = FIX "opls.log";
		CHECK(special_from_data(&sp, &d, NULL, NULL, "in-opls.data",
					&e) == 0 &&
			      sp.max12 == log_count(log, "1-2") &&
			      sp.max13 == log_count(log, "1-3") &&
			      sp.max14 == log_count(log, "1-4") &&
			      sp.maxspecial == log_count(log, "special"),
		      "special, molecular fixture: max 1-2 %d, 1-3 %d, 1-4 "
		      "%d, special %d as LAMMPS's log", sp.max12, sp.max13,
		      sp.max14, sp.maxspecial);
		special_free(&sp);
		lmp_data_free(&d);
	}
	special_parse_cases();
	special_large();
	return check_done();
}
