/* test_kspace: long-range Coulomb (coul_long, ewald, pppm).
 *
 * 1. Against LAMMPS 29Sep2021 (tests/fixtures/kspace: data files, `cases`,
 *    ref.in, make.sh; each case NAME.log with the thermo line and the
 *    k-space setup, NAME.dump all forces, NAME_k.dump k-space forces only).
 *    pair coul/long with `pair_modify table 0`, so LAMMPS evaluates the
 *    same formulas we do and the differences are round-off:
 *     - Ewald and PPPM with given parameters, and with parameters chosen
 *       from the accuracy (ours must pick LAMMPS's g_ewald, kmax, grid);
 *     - the water box (1-2 and 1-3 pairs excluded, special_bonds 0 0 0)
 *       with our excluded-pair correction;
 *     - a non-neutral system in lj units (background term, flag).
 *    Tolerance 1e-10 relative (energies; forces against max(|F|, Frms);
 *    virial against the largest diagonal virial magnitude). LAMMPS prints
 *    15 digits; the two codes sum the same terms in different orders and
 *    with different FFTs (real-to-complex here, complex there), which moves
 *    results by 1e-15 to 1e-12 (water: 3e-14 in forces, 2e-12 in the
 *    virial, a sum with cancellation); 1e-10 leaves two orders for that
 *    and still catches the smallest deviation we know of: 4 pi instead of
 *    LAMMPS's 12.5663706 in the influence function moves elong by 8e-10
 *    and the k-space forces by 1.1e-9.
 *    g_ewald printed by LAMMPS has 8 digits: checked to 5e-8 relative, and
 *    then much tighter through ecoul, which depends on it (d ln ecoul /
 *    d ln g ~ 1).
 * 2. PPPM forces against a converged Ewald sum (LAMMPS ewald 1e-8): RMS
 *    error below the requested 1e-5 x qqr2e times 2.
 * 3. Analytic: Madelung constant of rock salt, Ewald to 1e-10, PPPM to its
 *    accuracy; zero forces on the lattice.
 * 4. Forces = -grad E (central differences), translation invariance,
 *    virial = -dE/d(strain) for the reciprocal part, NPT re-setup equals a
 *    fresh object, thread-count independence, bad input.
 * 5. FFTW_MEASURE plans equal ESTIMATE's to 1e-12; the same imported wisdom
 *    gives bitwise the same results. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fftw3.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "check.h"
#include "coul_long.h"
#include "ewald.h"
#include "fft_wisdom.h"
#include "lmp_data.h"
#include "pppm.h"
#include "system.h"
#include "units.h"

#define FIX "../fixtures/kspace/"

/* ---------------------------------------------------------------- refs */

struct lref {
	double pe, ecoul, elong, press, p[6], vol; /* run 1: all */
	double pk[6], elong_k;                     /* run 2: k-space only */
	double g, acc_abs;
	int grid[3], kmax[3];
	long kcount;
	int nonneutral_warning;
	size_t n;
	double *f, *fk;                            /* [3n], sorted by id */
};

static int read_log(const char *path, struct lref *r)
{
	FILE *fp = fopen(path, "r");
	char line[4096];
	int nblk = 0;
	if (!fp)
		return -1;
	while (fgets(line, sizeof line, fp)) {
		double d;
		int a, b, c;
		long kc, m1, m3;
		if (sscanf(line, "  G vector (1/distance) = %lf", &d) == 1)
			r->g = d;
		else if (sscanf(line, "  grid = %d %d %d", &a, &b, &c) == 3) {
			r->grid[0] = a; r->grid[1] = b; r->grid[2] = c;
		} else if (sscanf(line, " kxmax kymax kzmax = %d %d %d", &a, &b, &c) == 3) {
			r->kmax[0] = a; r->kmax[1] = b; r->kmax[2] = c;
		} else if (sscanf(line, "  KSpace vectors: actual max1d max3d = %ld %ld %ld",
				  &kc, &m1, &m3) == 3)
			r->kcount = kc;
		else if (sscanf(line, "  estimated absolute RMS force accuracy = %lf", &d) == 1)
			r->acc_abs = d;
		else if (strstr(line, "System is not charge neutral"))
			r->nonneutral_warning = 1;
		else if (strncmp(line, "Step PotEng E_coul E_long Press", 31) == 0) {
			double v[12];
			long step;
			if (!fgets(line, sizeof line, fp) ||
			    sscanf(line, "%ld %lf %lf %lf %lf %lf %lf %lf %lf %lf %lf %lf",
				   &step, &v[0], &v[1], &v[2], &v[3], &v[4], &v[5],
				   &v[6], &v[7], &v[8], &v[9], &v[10]) != 12)
				break;
			if (nblk == 0) {
				r->pe = v[0]; r->ecoul = v[1]; r->elong = v[2];
				r->press = v[3];
				memcpy(r->p, v + 4, 6 * sizeof(double));
				r->vol = v[10];
			} else {
				r->elong_k = v[2];
				memcpy(r->pk, v + 4, 6 * sizeof(double));
			}
			nblk++;
		}
	}
	fclose(fp);
	return nblk == 2 ? 0 : -1;
}

static double *read_dump(const char *path, size_t *n)
{
	FILE *fp = fopen(path, "r");
	char line[4096];
	double *f = NULL;
	*n = 0;
	if (!fp)
		return NULL;
	while (fgets(line, sizeof line, fp)) {
		if (strncmp(line, "ITEM: NUMBER OF ATOMS", 21) == 0) {
			if (!fgets(line, sizeof line, fp) || sscanf(line, "%zu", n) != 1)
				break;
			f = calloc(3 * *n + 1, sizeof *f);
		}
		if (strncmp(line, "ITEM: ATOMS id fx fy fz", 23) == 0 && f) {
			for (size_t i = 0; i < *n; i++) {
				long id;
				if (!fgets(line, sizeof line, fp) ||
				    sscanf(line, "%ld %lf %lf %lf", &id, &f[3 * i],
					   &f[3 * i + 1], &f[3 * i + 2]) != 4 ||
				    id != (long)i + 1) {
					free(f);
					fclose(fp);
					return NULL;
				}
			}
		}
	}
	fclose(fp);
	return f;
}

static int load_ref(const char *name, struct lref *r)
{
	char path[512];
	size_t n2;
	memset(r, 0, sizeof *r);
	snprintf(path, sizeof path, FIX "%s.log", name);
	if (read_log(path, r))
		return -1;
	snprintf(path, sizeof path, FIX "%s.dump", name);
	r->f = read_dump(path, &r->n);
	snprintf(path, sizeof path, FIX "%s_k.dump", name);
	r->fk = read_dump(path, &n2);
	return r->f && r->fk && n2 == r->n ? 0 : -1;
}

static void free_ref(struct lref *r)
{
	free(r->f);
	free(r->fk);
}

/* ------------------------------------------------------------- systems */

struct sys {
	struct units u;
	struct state st;
	double *q;
	struct lmp_data d;
	struct coul_pair *ex;   /* excluded 1-2 and 1-3 pairs (factor 0) */
	size_t nex;
};

static int load_sys(const char *data, enum units_style us, struct sys *s)
{
	struct err e = { { 0 } };
	char path[512];
	memset(s, 0, sizeof *s);
	units_set(&s->u, us);
	snprintf(path, sizeof path, FIX "%s", data);
	if (lmp_data_read(&s->d, path, &e)) {
		fprintf(stderr, "%s\n", e.msg);
		return -1;
	}
	size_t n = s->d.natoms;
	s->st.n = n;
	for (int k = 0; k < 3; k++) {
		s->st.lo[k] = s->d.lo[k];
		s->st.len[k] = s->d.hi[k] - s->d.lo[k];
	}
	s->st.x = malloc(n * sizeof(double));
	s->st.y = malloc(n * sizeof(double));
	s->st.z = malloc(n * sizeof(double));
	s->q = malloc(n * sizeof(double));
	memcpy(s->st.x, s->d.x, n * sizeof(double));
	memcpy(s->st.y, s->d.y, n * sizeof(double));
	memcpy(s->st.z, s->d.z, n * sizeof(double));
	memcpy(s->q, s->d.q, n * sizeof(double));
	/* 1-2 pairs from Bonds, 1-3 pairs from two bonds sharing an atom */
	size_t nb = s->d.bonds.n;
	s->ex = calloc(nb + nb * nb / 2 + 1, sizeof *s->ex);
	for (size_t b = 0; b < nb; b++) {
		long i = lmp_data_index(&s->d, s->d.bonds.atom[2 * b]);
		long j = lmp_data_index(&s->d, s->d.bonds.atom[2 * b + 1]);
		s->ex[s->nex++] = (struct coul_pair){ (size_t)i, (size_t)j, 0.0 };
	}
	/* bonds of a molecule are consecutive in these files: look nearby */
	for (size_t b = 0; b < nb; b++)
		for (size_t c = b + 1; c < nb && c < b + 8; c++) {
			long a0 = s->d.bonds.atom[2 * b], a1 = s->d.bonds.atom[2 * b + 1];
			long b0 = s->d.bonds.atom[2 * c], b1 = s->d.bonds.atom[2 * c + 1];
			long x = -1, y = -1;
			if (a0 == b0) { x = a1; y = b1; }
			else if (a0 == b1) { x = a1; y = b0; }
			else if (a1 == b0) { x = a0; y = b1; }
			else if (a1 == b1) { x = a0; y = b0; }
			if (x < 0)
				continue;
			s->ex[s->nex++] = (struct coul_pair){
				(size_t)lmp_data_index(&s->d, x),
				(size_t)lmp_data_index(&s->d, y), 0.0 };
		}
	return 0;
}

static void free_sys(struct sys *s)
{
	free(s->st.x);
	free(s->st.y);
	free(s->st.z);
	free(s->q);
	free(s->ex);
	lmp_data_free(&s->d);
}

/* -------------------------------------------------------------- helpers */

struct result {
	double ecoul, elong, vir[6], virk[6];
	double *f, *fk;  /* [3n] interleaved: all, k-space only */
};

static void result_alloc(struct result *r, size_t n)
{
	memset(r, 0, sizeof *r);
	r->f = calloc(3 * n, sizeof(double));
	r->fk = calloc(3 * n, sizeof(double));
}

static void result_free(struct result *r)
{
	free(r->f);
	free(r->fk);
}

enum kind { K_EWALD, K_PPPM };

/* One evaluation as LAMMPS's ref.in: real space (+ exclusion corrections)
 * and k-space. kspace object given; fills r. */
static int evaluate(struct sys *s, enum kind kind, void *ks, double g,
		    double rc, int erfc_exact, struct result *r)
{
	struct err e = { { 0 } };
	size_t n = s->st.n;
	double *fx = calloc(n, sizeof(double)), *fy = calloc(n, sizeof(double)),
	       *fz = calloc(n, sizeof(double));
	int rc_ = 0;
	/* k-space alone */
	if (kind == K_EWALD)
		rc_ = ewald_compute(ks, &s->st, s->q, &r->elong, r->virk, fx, fy, fz, &e);
	else
		rc_ = pppm_compute(ks, &s->st, s->q, &r->elong, r->virk, fx, fy, fz, &e);
	for (size_t i = 0; i < n && !rc_; i++) {
		r->fk[3 * i] = fx[i];
		r->fk[3 * i + 1] = fy[i];
		r->fk[3 * i + 2] = fz[i];
	}
	memcpy(r->vir, r->virk, sizeof r->vir);
	/* plus real space */
	struct coul_long *cl = NULL;
	struct coul_long_opts co = { g, rc, s->u.qqr2e, erfc_exact };
	if (!rc_)
		rc_ = coul_long_create(&cl, &co, n, &e);
	if (!rc_)
		rc_ = coul_long_compute(cl, &s->st, s->q, fx, fy, fz, &r->ecoul,
					r->vir, &e);
	if (!rc_)
		coul_long_special_correct(cl, &s->st, s->q, s->ex, s->nex, fx, fy,
					  fz, &r->ecoul, r->vir);
	for (size_t i = 0; i < n && !rc_; i++) {
		r->f[3 * i] = fx[i];
		r->f[3 * i + 1] = fy[i];
		r->f[3 * i + 2] = fz[i];
	}
	if (rc_)
		fprintf(stderr, "evaluate: %s\n", e.msg);
	coul_long_free(cl);
	free(fx);
	free(fy);
	free(fz);
	return rc_;
}

static double rms3(const double *f, size_t n)
{
	double s = 0;
	for (size_t i = 0; i < 3 * n; i++)
		s += f[i] * f[i];
	return sqrt(s / (3.0 * n));
}

/* max_i |got - want| / max(|want|, rms(want)) over components */
static double force_err(const double *got, const double *want, size_t n)
{
	double frms = rms3(want, n), worst = 0;
	for (size_t i = 0; i < 3 * n; i++) {
		double sc = fabs(want[i]) > frms ? fabs(want[i]) : frms;
		double d = fabs(got[i] - want[i]) / sc;
		if (d > worst)
			worst = d;
	}
	return worst;
}

/* virial from LAMMPS's pressure tensor (zero velocities): W = P V / nktv2p */
static double virial_err(const double *vir, const double *p, double vol,
			 double nktv2p)
{
	double w[6], sc = 0, worst = 0;
	for (int c = 0; c < 6; c++) {
		w[c] = p[c] * vol / nktv2p;
		if (c < 3 && fabs(w[c]) > sc)
			sc = fabs(w[c]);
	}
	for (int c = 0; c < 6; c++) {
		double d = fabs(vir[c] - w[c]) / sc;
		if (d > worst)
			worst = d;
	}
	return worst;
}

static double relerr(double got, double want)
{
	return fabs(got - want) / fabs(want);
}

/* Compare one evaluation with one LAMMPS case; tol relative. */
static void compare(const char *what, const struct sys *s, const struct result *r,
		    const struct lref *ref, double tol)
{
	size_t n = s->st.n;
	double nk = s->u.nktv2p;
	double e1 = relerr(r->ecoul, ref->ecoul), e2 = relerr(r->elong, ref->elong);
	double e3 = relerr(r->elong, ref->elong_k);
	double f1 = force_err(r->f, ref->f, n), f2 = force_err(r->fk, ref->fk, n);
	double v1 = virial_err(r->vir, ref->p, ref->vol, nk);
	double v2 = virial_err(r->virk, ref->pk, ref->vol, nk);
	CHECK(n == ref->n, "%s: %zu atoms (LAMMPS %zu)", what, n, ref->n);
	CHECK(e1 <= tol, "%s: ecoul %.15g vs LAMMPS %.15g (rel %.2e, tol %.0e)",
	      what, r->ecoul, ref->ecoul, e1, tol);
	CHECK(e2 <= tol && e3 <= tol,
	      "%s: elong %.15g vs LAMMPS %.15g (rel %.2e; k-only run %.2e)",
	      what, r->elong, ref->elong, e2, e3);
	CHECK(f1 <= tol, "%s: all forces, max rel err %.2e", what, f1);
	CHECK(f2 <= tol, "%s: k-space forces, max rel err %.2e", what, f2);
	CHECK(v1 <= tol && v2 <= tol,
	      "%s: virial (pressure tensor) max rel err %.2e, k-space only %.2e",
	      what, v1, v2);
}

/* ------------------------------------------------------------ LAMMPS */

static void test_ewald_lammps(void)
{
	struct sys s;
	struct lref ref;
	struct err e = { { 0 } };
	if (load_sys("points.data", UNITS_REAL, &s)) {
		CHECK(0, "load points.data");
		return;
	}
	/* from the accuracy (kspace_style ewald 1e-8) */
	if (load_ref("pts_ewald", &ref) == 0) {
		struct ewald_opts o = { .accuracy = 1e-8, .cutoff = 8.5,
					.qqr2e = s.u.qqr2e };
		struct ewald *ew;
		struct ewald_info in;
		struct result r;
		CHECK(ewald_create(&ew, &o, s.st.len, s.q, s.st.n, &e) == 0,
		      "ewald 1e-8: create (%s)", e.msg);
		ewald_get_info(ew, &in);
		CHECK(relerr(in.g_ewald, ref.g) < 5e-8,
		      "ewald 1e-8: g_ewald %.10g, LAMMPS %.8g", in.g_ewald, ref.g);
		CHECK(in.kmax[0] == ref.kmax[0] && in.kmax[1] == ref.kmax[1] &&
		      in.kmax[2] == ref.kmax[2] && (long)in.kcount == ref.kcount,
		      "ewald 1e-8: kmax %d %d %d, %zu vectors (LAMMPS %d %d %d, %ld)",
		      in.kmax[0], in.kmax[1], in.kmax[2], in.kcount, ref.kmax[0],
		      ref.kmax[1], ref.kmax[2], ref.kcount);
		CHECK(relerr(in.accuracy_abs, ref.acc_abs) < 5e-8,
		      "ewald 1e-8: estimated accuracy %.8g (LAMMPS %.8g)",
		      in.accuracy_abs, ref.acc_abs);
		result_alloc(&r, s.st.n);
		evaluate(&s, K_EWALD, ew, in.g_ewald, 8.5, 0, &r);
		compare("ewald 1e-8 vs LAMMPS", &s, &r, &ref, 1e-10);
		result_free(&r);
		ewald_free(ew);
		free_ref(&ref);
	} else
		CHECK(0, "read fixture pts_ewald");

	/* given g_ewald and kmax */
	if (load_ref("pts_ewald_fix", &ref) == 0) {
		struct ewald_opts o = { .accuracy = 1e-5, .cutoff = 8.5,
					.g_ewald = 0.32, .kmax = { 7, 8, 9 },
					.qqr2e = s.u.qqr2e };
		struct ewald *ew;
		struct ewald_info in;
		struct result r;
		CHECK(ewald_create(&ew, &o, s.st.len, s.q, s.st.n, &e) == 0,
		      "ewald fixed: create (%s)", e.msg);
		ewald_get_info(ew, &in);
		CHECK((long)in.kcount == ref.kcount, "ewald fixed: %zu vectors (LAMMPS %ld)",
		      in.kcount, ref.kcount);
		CHECK(relerr(in.accuracy_abs, ref.acc_abs) < 5e-8,
		      "ewald fixed: estimated accuracy %.8g (LAMMPS %.8g)",
		      in.accuracy_abs, ref.acc_abs);
		result_alloc(&r, s.st.n);
		evaluate(&s, K_EWALD, ew, 0.32, 8.5, 0, &r);
		compare("ewald g 0.32 kmax 7 8 9 vs LAMMPS", &s, &r, &ref, 1e-10);
		result_free(&r);
		ewald_free(ew);
		free_ref(&ref);
	} else
		CHECK(0, "read fixture pts_ewald_fix");
	free_sys(&s);
}

/* PPPM case with given g/grid/order, or chosen (g == 0). */
static void pppm_case(const char *name, const char *data, enum units_style us,
		      double rc, double acc, double g, int nx, int ny, int nz,
		      int order, double tol)
{
	struct sys s;
	struct lref ref;
	struct err e = { { 0 } };
	char what[128];
	if (load_sys(data, us, &s) || load_ref(name, &ref)) {
		CHECK(0, "read fixture %s", name);
		return;
	}
	struct pppm_opts o = { .accuracy = acc, .cutoff = rc, .g_ewald = g,
			       .grid = { nx, ny, nz }, .order = order,
			       .qqr2e = s.u.qqr2e };
	struct pppm *p = pppm_create(&o, s.st.len, s.q, s.st.n, &e);
	struct pppm_info in;
	struct result r;
	CHECK(p != NULL, "%s: create (%s)", name, e.msg);
	if (!p)
		goto out;
	pppm_get_info(p, &in);
	CHECK(in.grid[0] == ref.grid[0] && in.grid[1] == ref.grid[1] &&
	      in.grid[2] == ref.grid[2],
	      "%s: grid %d %d %d (LAMMPS %d %d %d)", name, in.grid[0], in.grid[1],
	      in.grid[2], ref.grid[0], ref.grid[1], ref.grid[2]);
	CHECK(relerr(in.g_ewald, ref.g) < 5e-8, "%s: g_ewald %.12g (LAMMPS %.8g)",
	      name, in.g_ewald, ref.g);
	CHECK(relerr(in.accuracy_abs, ref.acc_abs) < 5e-8,
	      "%s: estimated accuracy %.8g (LAMMPS %.8g)", name, in.accuracy_abs,
	      ref.acc_abs);
	CHECK(in.nonneutral == ref.nonneutral_warning,
	      "%s: non-neutral flag %d (LAMMPS warning %d, net charge %g)", name,
	      in.nonneutral, ref.nonneutral_warning, in.qsum);
	result_alloc(&r, s.st.n);
	evaluate(&s, K_PPPM, p, in.g_ewald, rc, 0, &r);
	snprintf(what, sizeof what, "%s vs LAMMPS", name);
	compare(what, &s, &r, &ref, tol);
	result_free(&r);
	pppm_free(p);
out:
	free_ref(&ref);
	free_sys(&s);
}

static void test_pppm_lammps(void)
{
	pppm_case("pts_pppm_fix", "points.data", UNITS_REAL, 8.5, 1e-5, 0.3, 20, 18, 24, 5, 1e-10);
	pppm_case("pts_pppm_o2", "points.data", UNITS_REAL, 8.5, 1e-5, 0.25, 27, 25, 30, 2, 1e-10);
	pppm_case("pts_pppm_o4", "points.data", UNITS_REAL, 8.5, 1e-5, 0.31, 16, 16, 18, 4, 1e-10);
	pppm_case("pts_pppm_o7", "points.data", UNITS_REAL, 8.5, 1e-5, 0.29, 15, 16, 20, 7, 1e-10);
	/* parameters from the accuracy, as kspace_style pppm 1e-5 */
	pppm_case("pts_pppm", "points.data", UNITS_REAL, 8.5, 1e-5, 0, 0, 0, 0, 0, 1e-10);
	pppm_case("water_pppm", "water.data", UNITS_REAL, 8.5, 1e-5, 0, 0, 0, 0, 0, 1e-10);
	/* non-neutral, lj units: background term, flag */
	pppm_case("lj_pppm", "lj_points.data", UNITS_LJ, 3.0, 1e-4, 0, 0, 0, 0, 0, 1e-10);
}

static void ewald_case(const char *name, const char *data, enum units_style us,
		       double rc, double acc)
{
	struct sys s;
	struct lref ref;
	struct err e = { { 0 } };
	char what[128];
	if (load_sys(data, us, &s) || load_ref(name, &ref)) {
		CHECK(0, "read fixture %s", name);
		return;
	}
	struct ewald_opts o = { .accuracy = acc, .cutoff = rc, .qqr2e = s.u.qqr2e };
	struct ewald *ew;
	struct ewald_info in;
	struct result r;
	CHECK(ewald_create(&ew, &o, s.st.len, s.q, s.st.n, &e) == 0,
	      "%s: create (%s)", name, e.msg);
	ewald_get_info(ew, &in);
	CHECK(relerr(in.g_ewald, ref.g) < 5e-8 && in.kmax[0] == ref.kmax[0] &&
	      in.kmax[1] == ref.kmax[1] && in.kmax[2] == ref.kmax[2] &&
	      (long)in.kcount == ref.kcount,
	      "%s: g_ewald %.10g kmax %d %d %d (%zu) as LAMMPS", name,
	      in.g_ewald, in.kmax[0], in.kmax[1], in.kmax[2], in.kcount);
	CHECK(in.nonneutral == ref.nonneutral_warning,
	      "%s: non-neutral flag %d (LAMMPS warning %d)", name, in.nonneutral,
	      ref.nonneutral_warning);
	result_alloc(&r, s.st.n);
	evaluate(&s, K_EWALD, ew, in.g_ewald, rc, 0, &r);
	snprintf(what, sizeof what, "%s vs LAMMPS", name);
	compare(what, &s, &r, &ref, 1e-10);
	result_free(&r);
	ewald_free(ew);
	free_ref(&ref);
	free_sys(&s);
}

/* PPPM (1e-5, LAMMPS's choice) against the converged Ewald reference. */
static void test_pppm_vs_ewald(void)
{
	struct sys s;
	struct lref ref;
	struct err e = { { 0 } };
	if (load_sys("points.data", UNITS_REAL, &s) || load_ref("pts_ewald", &ref)) {
		CHECK(0, "read fixture pts_ewald");
		return;
	}
	struct pppm_opts o = { .accuracy = 1e-5, .cutoff = 8.5, .qqr2e = s.u.qqr2e };
	struct pppm *p = pppm_create(&o, s.st.len, s.q, s.st.n, &e);
	struct pppm_info in;
	struct result r;
	if (!p) {
		CHECK(0, "pppm create: %s", e.msg);
		goto out;
	}
	pppm_get_info(p, &in);
	result_alloc(&r, s.st.n);
	evaluate(&s, K_PPPM, p, in.g_ewald, 8.5, 0, &r);
	double d2 = 0;
	for (size_t i = 0; i < 3 * s.st.n; i++)
		d2 += (r.f[i] - ref.f[i]) * (r.f[i] - ref.f[i]);
	/* LAMMPS's RMS error is per atom (vector), over charged and uncharged
	 * atoms alike (N in its estimate counts all) */
	double rmsv = sqrt(d2 / s.st.n) / s.u.qqr2e;
	CHECK(rmsv < 2e-5, "pppm 1e-5: RMS force error vs converged Ewald "
	      "%.3g x qqr2e (estimate %.3g, requested 1e-5)", rmsv, in.accuracy_rel);
	double pe = r.ecoul + r.elong;
	CHECK(fabs(pe - ref.pe) / fabs(ref.pe) < 1e-5,
	      "pppm 1e-5: energy %.10g vs converged Ewald %.10g (rel %.2e)", pe,
	      ref.pe, fabs(pe - ref.pe) / fabs(ref.pe));
	result_free(&r);
	pppm_free(p);
out:
	free_ref(&ref);
	free_sys(&s);
}

/* ----------------------------------------------------------- analytic */

/* Rock salt, nearest-neighbour distance 1 (lj units: qqr2e = 1), 4x4x4
 * conventional cells: 512 ions of charge +-1; E = -M N/2 (M per pair). */
#define MADELUNG 1.747564594633182190636212

static void nacl(struct state *st, double **q)
{
	size_t n = 512, k = 0;
	st->n = n;
	for (int d = 0; d < 3; d++) {
		st->lo[d] = -0.25;
		st->len[d] = 8.0;
	}
	st->x = malloc(n * sizeof(double));
	st->y = malloc(n * sizeof(double));
	st->z = malloc(n * sizeof(double));
	*q = malloc(n * sizeof(double));
	for (int i = 0; i < 8; i++)
		for (int j = 0; j < 8; j++)
			for (int l = 0; l < 8; l++) {
				st->x[k] = i;
				st->y[k] = j;
				st->z[k] = l;
				(*q)[k] = ((i + j + l) % 2) ? -1.0 : 1.0;
				k++;
			}
}

static void free_state(struct state *st)
{
	free(st->x);
	free(st->y);
	free(st->z);
}

static void test_madelung(void)
{
	struct state st = { 0 };
	double *q, fworst;
	struct err e = { { 0 } };
	nacl(&st, &q);
	size_t n = st.n;
	double *fx = calloc(n, sizeof(double)), *fy = calloc(n, sizeof(double)),
	       *fz = calloc(n, sizeof(double));
	/* Ewald: g 1.4 with rc 3.9: erfc(5.46) ~ 1e-14; kmax 20: exp(-k^2/4g^2)
	 * ~ 1e-13 at the edge. Exact erfc in real space. */
	struct ewald_opts eo = { .g_ewald = 1.4, .kmax = { 20, 20, 20 }, .qqr2e = 1.0 };
	struct ewald *ew;
	struct coul_long *cl;
	struct coul_long_opts co = { 1.4, 3.9, 1.0, 1 };
	double E = 0;
	CHECK(ewald_create(&ew, &eo, st.len, q, n, &e) == 0, "madelung: ewald (%s)", e.msg);
	CHECK(coul_long_create(&cl, &co, n, &e) == 0, "madelung: coul_long (%s)", e.msg);
	ewald_compute(ew, &st, q, &E, NULL, fx, fy, fz, &e);
	coul_long_compute(cl, &st, q, fx, fy, fz, &E, NULL, &e);
	double M = -2.0 * E / n;
	CHECK(fabs(M - MADELUNG) < 1e-10 * MADELUNG,
	      "madelung constant, Ewald: %.15f (rel %.2e)", M,
	      fabs(M - MADELUNG) / MADELUNG);
	fworst = 0;
	for (size_t i = 0; i < n; i++)
		fworst = fmax(fworst, fabs(fx[i]) + fabs(fy[i]) + fabs(fz[i]));
	CHECK(fworst < 1e-10, "madelung: Ewald forces vanish on the lattice (max %.2e)", fworst);
	ewald_free(ew);
	coul_long_free(cl);

	/* PPPM from accuracy 1e-5 (relative, lj: force units) */
	struct pppm_opts po = { .accuracy = 1e-5, .cutoff = 3.9, .qqr2e = 1.0 };
	struct pppm *p = pppm_create(&po, st.len, q, n, &e);
	struct pppm_info in;
	CHECK(p != NULL, "madelung: pppm (%s)", e.msg);
	if (p) {
		pppm_get_info(p, &in);
		co.g_ewald = in.g_ewald;
		co.erfc_exact = 1;
		coul_long_create(&cl, &co, n, &e);
		memset(fx, 0, n * sizeof(double));
		memset(fy, 0, n * sizeof(double));
		memset(fz, 0, n * sizeof(double));
		E = 0;
		pppm_compute(p, &st, q, &E, NULL, fx, fy, fz, &e);
		coul_long_compute(cl, &st, q, fx, fy, fz, &E, NULL, &e);
		M = -2.0 * E / n;
		/* energy per ion vs the per-ion force accuracy: the energy error
		 * is of the order of the force error times a distance (1) */
		CHECK(fabs(M - MADELUNG) < 1e-5 * MADELUNG,
		      "madelung constant, PPPM 1e-5 (g %.5g, grid %d^3): %.12f (rel %.2e)",
		      in.g_ewald, in.grid[0], M, fabs(M - MADELUNG) / MADELUNG);
		fworst = 0;
		for (size_t i = 0; i < n; i++)
			fworst = fmax(fworst, sqrt(fx[i] * fx[i] + fy[i] * fy[i] + fz[i] * fz[i]));
		CHECK(fworst < 1e-5, "madelung: PPPM forces on the lattice below the accuracy (max %.2e)", fworst);
		coul_long_free(cl);
		pppm_free(p);
	}
	free(fx);
	free(fy);
	free(fz);
	free(q);
	free_state(&st);
}

/* ------------------------------------------------ derivatives, symmetry */

/* Total energy (real space exact erfc + k-space) and forces of s. */
static double total(struct sys *s, enum kind kind, void *ks, struct coul_long *cl,
		    double *fx, double *fy, double *fz, double *vir_k)
{
	struct err e = { { 0 } };
	double E = 0;
	size_t n = s->st.n;
	double *gx = fx ? fx : calloc(n, sizeof(double));
	double *gy = fy ? fy : calloc(n, sizeof(double));
	double *gz = fz ? fz : calloc(n, sizeof(double));
	if (kind == K_EWALD)
		ewald_compute(ks, &s->st, s->q, &E, vir_k, gx, gy, gz, &e);
	else
		pppm_compute(ks, &s->st, s->q, &E, vir_k, gx, gy, gz, &e);
	if (cl) {
		coul_long_compute(cl, &s->st, s->q, gx, gy, gz, &E, NULL, &e);
		coul_long_special_correct(cl, &s->st, s->q, s->ex, s->nex, gx, gy, gz,
					  &E, NULL);
	}
	if (!fx) {
		free(gx);
		free(gy);
		free(gz);
	}
	return E;
}

static void test_fd_forces(void)
{
	struct sys s;
	struct err e = { { 0 } };
	if (load_sys("water.data", UNITS_REAL, &s)) {
		CHECK(0, "load water.data");
		return;
	}
	size_t n = s.st.n;
	double *fx = calloc(n, sizeof(double)), *fy = calloc(n, sizeof(double)),
	       *fz = calloc(n, sizeof(double));
	double *xyz[3] = { s.st.x, s.st.y, s.st.z };
	const double h = 1e-5;
	const size_t atoms[4] = { 0, 1, 2, 401 };

	/* Ewald (g 0.32, kmax 9: edge terms e^-30) + exact-erfc real space,
	 * exclusions included: forces are the exact gradient */
	struct ewald_opts eo = { .g_ewald = 0.32, .kmax = { 9, 9, 9 }, .qqr2e = s.u.qqr2e };
	struct ewald *ew;
	struct coul_long *cl;
	struct coul_long_opts co = { 0.32, 8.5, s.u.qqr2e, 1 };
	ewald_create(&ew, &eo, s.st.len, s.q, n, &e);
	coul_long_create(&cl, &co, n, &e);
	total(&s, K_EWALD, ew, cl, fx, fy, fz, NULL);
	double worst = 0, fsc = 0;
	for (size_t i = 0; i < n; i++)
		fsc = fmax(fsc, fabs(fx[i]));
	for (int a = 0; a < 4; a++)
		for (int d = 0; d < 3; d++) {
			size_t i = atoms[a];
			double x0 = xyz[d][i];
			xyz[d][i] = x0 + h;
			double ep = total(&s, K_EWALD, ew, cl, NULL, NULL, NULL, NULL);
			xyz[d][i] = x0 - h;
			double em = total(&s, K_EWALD, ew, cl, NULL, NULL, NULL, NULL);
			xyz[d][i] = x0;
			double fd = -(ep - em) / (2 * h);
			double an = d == 0 ? fx[i] : d == 1 ? fy[i] : fz[i];
			worst = fmax(worst, fabs(fd - an) / fsc);
		}
	/* central difference with h = 1e-5 A: truncation h^2 F''/6 with F''
	 * ~ F / (1 A)^2 at O-H distances, ~2e-11 F; round-off 1e-16 x 1.6e4
	 * kcal/mol (the largest energy terms) / h ~ 2e-7 kcal/mol/A against
	 * max|F| ~ 60: ~3e-9, times the cancellation in E(x+h) - E(x-h).
	 * Measured 4e-8; a sign or factor error shows at 1e-2 or more. */
	CHECK(worst < 3e-7, "ewald + real space (exclusions): F = -dE/dx, max err %.2e of max|F|", worst);
	ewald_free(ew);

	/* PPPM (ik): forces are not the exact gradient of the PPPM energy;
	 * they differ by the discretisation error, below the accuracy. */
	struct pppm_opts po = { .accuracy = 1e-5, .cutoff = 8.5, .qqr2e = s.u.qqr2e };
	struct pppm *p = pppm_create(&po, s.st.len, s.q, n, &e);
	struct pppm_info in;
	pppm_get_info(p, &in);
	coul_long_set_gewald(cl, in.g_ewald);
	memset(fx, 0, n * sizeof(double));
	memset(fy, 0, n * sizeof(double));
	memset(fz, 0, n * sizeof(double));
	total(&s, K_PPPM, p, cl, fx, fy, fz, NULL);
	worst = 0;
	for (int a = 0; a < 4; a++)
		for (int d = 0; d < 3; d++) {
			size_t i = atoms[a];
			double x0 = xyz[d][i];
			xyz[d][i] = x0 + h;
			double ep = total(&s, K_PPPM, p, cl, NULL, NULL, NULL, NULL);
			xyz[d][i] = x0 - h;
			double em = total(&s, K_PPPM, p, cl, NULL, NULL, NULL, NULL);
			xyz[d][i] = x0;
			double fd = -(ep - em) / (2 * h);
			double an = d == 0 ? fx[i] : d == 1 ? fy[i] : fz[i];
			worst = fmax(worst, fabs(fd - an));
		}
	CHECK(worst < 3 * in.accuracy_abs,
	      "pppm: F = -dE/dx to the accuracy: max |diff| %.3g (accuracy %.3g kcal/mol/A)",
	      worst, in.accuracy_abs);
	pppm_free(p);
	coul_long_free(cl);
	free(fx);
	free(fy);
	free(fz);
	free_sys(&s);
}

static void test_translation(void)
{
	struct sys s;
	struct err e = { { 0 } };
	if (load_sys("points.data", UNITS_REAL, &s)) {
		CHECK(0, "load points.data");
		return;
	}
	size_t n = s.st.n;
	double *f0 = calloc(3 * n, sizeof(double)), *f1 = calloc(3 * n, sizeof(double));
	const double sh[3] = { 0.37, -1.21, 22.9 };
	double E0, E1;
	struct ewald_opts eo = { .accuracy = 1e-8, .cutoff = 8.5, .qqr2e = s.u.qqr2e };
	struct ewald *ew;
	ewald_create(&ew, &eo, s.st.len, s.q, n, &e);
	struct pppm_opts po = { .accuracy = 1e-5, .cutoff = 8.5, .qqr2e = s.u.qqr2e };
	struct pppm *p = pppm_create(&po, s.st.len, s.q, n, &e);
	struct pppm_info in;
	pppm_get_info(p, &in);
	for (int kind = 0; kind < 2; kind++) {
		void *ks = kind == K_EWALD ? (void *)ew : (void *)p;
		memset(f0, 0, 3 * n * sizeof(double));
		memset(f1, 0, 3 * n * sizeof(double));
		E0 = total(&s, kind, ks, NULL, f0, f0 + n, f0 + 2 * n, NULL);
		for (size_t i = 0; i < n; i++) {
			s.st.x[i] += sh[0];
			s.st.y[i] += sh[1];
			s.st.z[i] += sh[2];
		}
		E1 = total(&s, kind, ks, NULL, f1, f1 + n, f1 + 2 * n, NULL);
		for (size_t i = 0; i < n; i++) {
			s.st.x[i] -= sh[0];
			s.st.y[i] -= sh[1];
			s.st.z[i] -= sh[2];
		}
		double fe = 0, fs = rms3(f0, n), sum[3] = { 0 };
		for (size_t i = 0; i < 3 * n; i++)
			fe = fmax(fe, fabs(f1[i] - f0[i]));
		for (size_t i = 0; i < n; i++)
			for (int d = 0; d < 3; d++)
				sum[d] += f0[d * n + i];
		double fsum = sqrt(sum[0] * sum[0] + sum[1] * sum[1] + sum[2] * sum[2]);
		if (kind == K_EWALD) {
			CHECK(fabs(E1 - E0) < 1e-12 * fabs(E0) && fe < 1e-10 * fs,
			      "ewald: translation invariant (dE %.2e, max dF %.2e of Frms)",
			      E1 - E0, fe / fs);
			CHECK(fsum < 1e-10 * fs * sqrt(n), "ewald: total force %.2e", fsum);
		} else {
			/* the mesh breaks translation symmetry at the accuracy */
			CHECK(fe < 10 * in.accuracy_abs,
			      "pppm: translation changes forces by %.3g (accuracy %.3g)",
			      fe, in.accuracy_abs);
			/* energy error per atom below the force accuracy
			 * times a unit length */
			CHECK(fabs(E1 - E0) / n < in.accuracy_abs,
			      "pppm: translation changes the energy by %.3g per "
			      "atom (%.2e relative; accuracy %.3g)",
			      fabs(E1 - E0) / n, fabs(E1 - E0) / fabs(E0),
			      in.accuracy_abs);
			/* ik differentiation with the same function for
			 * assignment and interpolation conserves momentum
			 * (Hockney & Eastwood): zero up to round-off */
			CHECK(fsum < 1e-10 * fs * sqrt(n),
			      "pppm: total force %.3g (round-off)", fsum);
		}
	}
	ewald_free(ew);
	pppm_free(p);
	free(f0);
	free(f1);
	free_sys(&s);
}

/* Virial = -dE/d(eps_aa) under x_a -> (1 + eps) x_a, L_a -> (1 + eps) L_a,
 * reciprocal part only (g fixed; kmax/grid fixed). */
static void test_virial_strain(void)
{
	struct sys s;
	struct err e = { { 0 } };
	if (load_sys("points.data", UNITS_REAL, &s)) {
		CHECK(0, "load points.data");
		return;
	}
	size_t n = s.st.n;
	double *xyz[3] = { s.st.x, s.st.y, s.st.z };
	const double h = 1e-6;
	/* Ewald with g 0.25, kmax 12: terms at the k-space edge ~ e^-57, so
	 * vectors entering or leaving the sphere under strain do not matter */
	struct ewald_opts eo = { .g_ewald = 0.25, .kmax = { 12, 12, 12 }, .qqr2e = s.u.qqr2e };
	struct pppm_opts po = { .g_ewald = 0.3, .grid = { 24, 24, 25 }, .cutoff = 8.5,
				.qqr2e = s.u.qqr2e };
	for (int kind = 0; kind < 2; kind++) {
		void *ks;
		double vir[6] = { 0 }, worst = 0, sc = 0, fd[3];
		double len0[3] = { s.st.len[0], s.st.len[1], s.st.len[2] };
		double lo0[3] = { s.st.lo[0], s.st.lo[1], s.st.lo[2] };
		if (kind == K_EWALD) {
			struct ewald *ew;
			ewald_create(&ew, &eo, s.st.len, s.q, n, &e);
			ks = ew;
		} else
			ks = pppm_create(&po, s.st.len, s.q, n, &e);
		total(&s, kind, ks, NULL, NULL, NULL, NULL, vir);
		for (int a = 0; a < 3; a++) {
			double E[2];
			for (int sgn = 0; sgn < 2; sgn++) {
				double f = 1.0 + (sgn ? -h : h);
				for (size_t i = 0; i < n; i++)
					xyz[a][i] = lo0[a] + (xyz[a][i] - lo0[a]) * f;
				s.st.len[a] = len0[a] * f;
				if (kind == K_EWALD)
					ewald_setup(ks, s.st.len, &e);
				else
					pppm_setup(ks, s.st.len, &e);
				E[sgn] = total(&s, kind, ks, NULL, NULL, NULL, NULL, NULL);
				for (size_t i = 0; i < n; i++)
					xyz[a][i] = lo0[a] + (xyz[a][i] - lo0[a]) / f;
				s.st.len[a] = len0[a];
			}
			fd[a] = -(E[0] - E[1]) / (2 * h);
			sc = fmax(sc, fabs(vir[a]));
		}
		if (kind == K_EWALD)
			ewald_setup(ks, s.st.len, &e);
		else
			pppm_setup(ks, s.st.len, &e);
		for (int a = 0; a < 3; a++)
			worst = fmax(worst, fabs(fd[a] - vir[a]) / sc);
		if (kind == K_EWALD) {
			CHECK(worst < 1e-7, "ewald: virial = -dE/d(strain), xx yy zz "
			      "(%.6g %.6g %.6g vs %.6g %.6g %.6g; max rel %.2e)",
			      vir[0], vir[1], vir[2], fd[0], fd[1], fd[2], worst);
			ewald_free(ks);
		} else {
			/* PPPM's virial is the Ewald expression on the mesh
			 * energy: exact only up to the discretisation error */
			/* (uniform strain leaves the charges' grid
			 * coordinates, so rho(k), unchanged: only V G(k)
			 * moves, and the optimal G follows the continuum
			 * form's strain derivative closely; measured 2e-9) */
			CHECK(worst < 1e-6, "pppm: virial = -dE/d(strain), xx yy zz "
			      "(%.6g %.6g %.6g vs %.6g %.6g %.6g; max rel %.2e)",
			      vir[0], vir[1], vir[2], fd[0], fd[1], fd[2], worst);
			pppm_free(ks);
		}
	}
	free_sys(&s);
}

/* NPT: setup to a new box equals a fresh object there; thread count. */
static void test_resetup_threads(void)
{
	struct sys s;
	struct err e = { { 0 } };
	if (load_sys("water.data", UNITS_REAL, &s)) {
		CHECK(0, "load water.data");
		return;
	}
	size_t n = s.st.n;
	struct pppm_opts po = { .accuracy = 1e-5, .cutoff = 8.5, .qqr2e = s.u.qqr2e };
	struct pppm *p = pppm_create(&po, s.st.len, s.q, n, &e), *p2;
	struct pppm_info in;
	pppm_get_info(p, &in);
	double *fa = calloc(3 * n, sizeof(double)), *fb = calloc(3 * n, sizeof(double));
	double Ea = 0, Eb = 0, va[6] = { 0 }, vb[6] = { 0 };
	/* compress by 2 % in x, 1 % in z */
	const double sc[3] = { 0.98, 1.0, 0.99 };
	double *xyz[3] = { s.st.x, s.st.y, s.st.z };
	for (int d = 0; d < 3; d++) {
		for (size_t i = 0; i < n; i++)
			xyz[d][i] = s.st.lo[d] + (xyz[d][i] - s.st.lo[d]) * sc[d];
		s.st.len[d] *= sc[d];
	}
	CHECK(pppm_compute(p, &s.st, s.q, &Ea, va, fa, fa + n, fa + 2 * n, &e) != 0,
	      "pppm: compute refuses a box changed without setup (%s)", e.msg);
	pppm_setup(p, s.st.len, &e);
	pppm_compute(p, &s.st, s.q, &Ea, va, fa, fa + n, fa + 2 * n, &e);
	struct pppm_opts po2 = po;
	po2.g_ewald = in.g_ewald;
	memcpy(po2.grid, in.grid, sizeof po2.grid);
	p2 = pppm_create(&po2, s.st.len, s.q, n, &e);
	pppm_compute(p2, &s.st, s.q, &Eb, vb, fb, fb + n, fb + 2 * n, &e);
	double fe = 0;
	for (size_t i = 0; i < 3 * n; i++)
		fe = fmax(fe, fabs(fa[i] - fb[i]));
	CHECK(fabs(Ea - Eb) < 1e-12 * fabs(Eb) && fe < 1e-10 * rms3(fb, n) &&
	      fabs(va[0] - vb[0]) < 1e-12 * fabs(vb[0]),
	      "pppm: setup for a new box equals a new object (dE %.2e, dF %.2e)",
	      Ea - Eb, fe);
#ifdef _OPENMP
	{
		int t0 = omp_get_max_threads();
		double Ec = 0, vc[6] = { 0 };
		memset(fa, 0, 3 * n * sizeof(double));
		omp_set_num_threads(t0 == 1 ? 2 : 1);
		pppm_compute(p2, &s.st, s.q, &Ec, vc, fa, fa + n, fa + 2 * n, &e);
		omp_set_num_threads(t0);
		fe = 0;
		for (size_t i = 0; i < 3 * n; i++)
			fe = fmax(fe, fabs(fa[i] - fb[i]));
		CHECK(fabs(Ec - Eb) < 1e-12 * fabs(Eb) && fe < 1e-12 * rms3(fb, n),
		      "pppm: %d vs %d threads agree (dE %.2e, dF %.2e)",
		      t0 == 1 ? 2 : 1, t0, Ec - Eb, fe);
		/* the same thread count twice: bitwise the same (fixed
		 * schedules, partial sums combined in thread order) */
		double *fc = calloc(3 * n, sizeof(double)), Ed = 0, vd[6] = { 0 };
		struct coul_long *cl;
		struct coul_long_opts co = { in.g_ewald, 8.5, s.u.qqr2e, 0 };
		coul_long_create(&cl, &co, n, &e);
		omp_set_num_threads(2);
		memset(fa, 0, 3 * n * sizeof(double));
		Ec = 0;
		memset(vc, 0, sizeof vc);
		pppm_compute(p2, &s.st, s.q, &Ec, vc, fa, fa + n, fa + 2 * n, &e);
		coul_long_compute(cl, &s.st, s.q, fa, fa + n, fa + 2 * n, &Ec, vc, &e);
		pppm_compute(p2, &s.st, s.q, &Ed, vd, fc, fc + n, fc + 2 * n, &e);
		coul_long_compute(cl, &s.st, s.q, fc, fc + n, fc + 2 * n, &Ed, vd, &e);
		omp_set_num_threads(t0);
		CHECK(Ec == Ed && memcmp(vc, vd, sizeof vc) == 0 &&
		      memcmp(fa, fc, 3 * n * sizeof(double)) == 0,
		      "pppm + coul/long on 2 threads: two calls bitwise equal");
		coul_long_free(cl);
		free(fc);
	}
#endif
	pppm_free(p);
	pppm_free(p2);
	free(fa);
	free(fb);
	free_sys(&s);
}

/* FFTW_MEASURE plans: the same math as ESTIMATE's (round-off apart), and
 * with the wisdom of a first object imported into a clean planner, a
 * second object gets its plan: bitwise the same results (what a resumed
 * md-run relies on). The paper's grid, 27 x 27 x 45 (non-cubic: the r2c
 * and c2r sub-plans differ per direction). */
static int pppm_eval(const struct sys *s, const struct pppm_opts *po,
		     double *E, double v[6], double *f, struct err *e)
{
	size_t n = s->st.n;
	struct pppm *p = pppm_create(po, s->st.len, s->q, n, e);
	if (!p)
		return -1;
	*E = 0;
	memset(v, 0, 6 * sizeof *v);
	memset(f, 0, 3 * n * sizeof *f);
	int rc = pppm_compute(p, &s->st, s->q, E, v, f, f + n, f + 2 * n, e);
	pppm_free(p);
	return rc;
}

static void test_fftw_wisdom(void)
{
	struct sys s;
	struct err e = { { 0 } };
	if (load_sys("water.data", UNITS_REAL, &s)) {
		CHECK(0, "load water.data");
		return;
	}
	size_t n = s.st.n;
	struct pppm_opts po = { .accuracy = 1e-5, .cutoff = 8.5, .grid = { 27, 27, 45 },
				.qqr2e = s.u.qqr2e };
	double *fe = malloc(3 * n * sizeof(double)), *fa = malloc(3 * n * sizeof(double)),
	       *fb = malloc(3 * n * sizeof(double));
	double Ee, Ea, Eb, ve[6], va[6], vb[6];
	/* a clean planner: no wisdom from the tests above */
	fftw_forget_wisdom();
	CHECK(pppm_eval(&s, &po, &Ee, ve, fe, &e) == 0, "wisdom: ESTIMATE pppm (%s)", e.msg);
	po.fftw_measure = 1;
	CHECK(pppm_eval(&s, &po, &Ea, va, fa, &e) == 0, "wisdom: MEASURE pppm (%s)", e.msg);
	char *w = fft_wisdom_export(&e);
	CHECK(w && strstr(w, "fftw_wisdom"), "wisdom: exported after planning");
	/* different plans, same sums: round-off of the FFTs (~1e-16 per
	 * term), far below 1e-12 of the energy and of the RMS force */
	double df = 0;
	for (size_t i = 0; i < 3 * n; i++)
		df = fmax(df, fabs(fa[i] - fe[i]));
	int same = Ea == Ee && memcmp(fa, fe, 3 * n * sizeof(double)) == 0;
	CHECK(fabs(Ea - Ee) < 1e-12 * fabs(Ee) && df < 1e-12 * rms3(fe, n) &&
	      fabs(va[0] - ve[0]) < 1e-12 * fabs(ve[0]),
	      "wisdom: MEASURE = ESTIMATE to 1e-12 (dE %.2e, dF %.2e; bitwise %s)",
	      Ea - Ee, df, same ? "equal: the same plan" : "different plans");
	/* a second process, in effect: forget everything, import, plan */
	fftw_forget_wisdom();
	CHECK(w && fft_wisdom_import(w, "test", &e) == 0, "wisdom: import (%s)", e.msg);
	CHECK(pppm_eval(&s, &po, &Eb, vb, fb, &e) == 0, "wisdom: MEASURE pppm after import (%s)",
	      e.msg);
	CHECK(Ea == Eb && memcmp(va, vb, sizeof va) == 0 &&
	      memcmp(fa, fb, 3 * n * sizeof(double)) == 0,
	      "wisdom: same imported wisdom, bitwise the same energy, virial, forces");
	CHECK(fft_wisdom_import("(fftw-3.3 not wisdom", "bad.rst", &e) == -1 &&
	      strstr(e.msg, "bad.rst: FFTW cannot read its wisdom"),
	      "wisdom: bad text refused (%s)", e.msg);
	free(w);
	fftw_forget_wisdom();
	free(fe);
	free(fa);
	free(fb);
	free_sys(&s);
}

/* coul_long's cell list (>= 3 cells a side) against a direct double loop
 * over minimum images, and with atoms moved by whole box lengths. */
static void test_coul_cells(void)
{
	struct sys s;
	struct err e = { { 0 } };
	if (load_sys("water.data", UNITS_REAL, &s)) {
		CHECK(0, "load water.data");
		return;
	}
	size_t n = s.st.n;
	const double g = 0.4, *L = s.st.len;
	double *xyz[3] = { s.st.x, s.st.y, s.st.z };
	for (int pass = 0; pass < 2; pass++) {
		double rc = pass ? 4.5 : 6.0; /* 4 and 3 cells a side */
		double Eref = 0, vref[6] = { 0 }, E = 0, v[6] = { 0 }, E2 = 0, v2[6] = { 0 };
		double *fr = calloc(3 * n, sizeof(double)), *f = calloc(3 * n, sizeof(double)),
		       *f2 = calloc(3 * n, sizeof(double));
		for (size_t i = 0; i < n; i++)
			for (size_t j = i + 1; j < n; j++) {
				double d[3], r2 = 0;
				for (int k = 0; k < 3; k++) {
					d[k] = xyz[k][i] - xyz[k][j];
					d[k] -= L[k] * nearbyint(d[k] / L[k]);
					r2 += d[k] * d[k];
				}
				if (r2 >= rc * rc)
					continue;
				double r = sqrt(r2), pre = s.u.qqr2e * s.q[i] * s.q[j] / r;
				double fp = pre * (erfc(g * r) + 2 / sqrt(M_PI) * g * r *
						   exp(-g * g * r2)) / r2;
				Eref += pre * erfc(g * r);
				for (int k = 0; k < 3; k++) {
					fr[k * n + i] += d[k] * fp;
					fr[k * n + j] -= d[k] * fp;
				}
				vref[0] += d[0] * d[0] * fp; vref[1] += d[1] * d[1] * fp;
				vref[2] += d[2] * d[2] * fp; vref[3] += d[0] * d[1] * fp;
				vref[4] += d[0] * d[2] * fp; vref[5] += d[1] * d[2] * fp;
			}
		struct coul_long *cl;
		struct coul_long_opts co = { g, rc, s.u.qqr2e, 1 };
		coul_long_create(&cl, &co, n, &e);
		coul_long_compute(cl, &s.st, s.q, f, f + n, f + 2 * n, &E, v, &e);
		/* move every third atom by whole box lengths */
		for (size_t i = 0; i < n; i += 3) {
			s.st.x[i] += 2 * L[0];
			s.st.y[i] -= L[1];
		}
		coul_long_compute(cl, &s.st, s.q, f2, f2 + n, f2 + 2 * n, &E2, v2, &e);
		for (size_t i = 0; i < n; i += 3) {
			s.st.x[i] -= 2 * L[0];
			s.st.y[i] += L[1];
		}
		double fe = 0, fe2 = 0, ve = 0;
		for (size_t i = 0; i < 3 * n; i++) {
			fe = fmax(fe, fabs(f[i] - fr[i]));
			fe2 = fmax(fe2, fabs(f2[i] - fr[i]));
		}
		for (int c = 0; c < 6; c++)
			ve = fmax(ve, fabs(v[c] - vref[c]) / fabs(vref[0]));
		double fs = rms3(fr, n);
		CHECK(fabs(E - Eref) < 1e-12 * fabs(Eref) && fe < 1e-12 * fs && ve < 1e-12,
		      "coul/long cells (rc %.1f): = direct sum (dE %.2e, dF %.2e, dW %.2e)",
		      rc, E - Eref, fe / fs, ve);
		CHECK(fabs(E2 - Eref) < 1e-12 * fabs(Eref) && fe2 < 1e-10 * fs,
		      "coul/long cells (rc %.1f): atoms outside the box (dE %.2e, dF %.2e)",
		      rc, E2 - Eref, fe2 / fs);
		coul_long_free(cl);
		free(fr);
		free(f);
		free(f2);
	}
	free_sys(&s);
}

static void test_bad_input(void)
{
	struct err e = { { 0 } };
	double q[4] = { 0, 0, 0, 0 }, len[3] = { 10, 10, 10 };
	struct pppm_opts po = { .accuracy = 1e-5, .cutoff = 3.0, .qqr2e = 1.0 };
	CHECK(pppm_create(&po, len, q, 4, &e) == NULL && strstr(e.msg, "without charge"),
	      "pppm: uncharged system without g_ewald refused (%s)", e.msg);
	po.order = 8;
	q[0] = 1;
	q[1] = -1;
	CHECK(pppm_create(&po, len, q, 4, &e) == NULL && strstr(e.msg, "order"),
	      "pppm: order 8 refused (%s)", e.msg);
	struct ewald *ew;
	struct ewald_opts eo = { .accuracy = 0, .cutoff = 3.0, .qqr2e = 1.0 };
	CHECK(ewald_create(&ew, &eo, len, q, 4, &e) != 0, "ewald: accuracy 0 refused (%s)", e.msg);
	struct coul_long *cl;
	struct coul_long_opts co = { 0.3, 6.0, 1.0, 0 };
	struct state st = { 0 };
	double x[4] = { 0, 1, 2, 3 }, f[4] = { 0 };
	st.n = 4;
	st.x = st.y = st.z = x;
	memcpy(st.len, len, sizeof len);
	coul_long_create(&cl, &co, 4, &e);
	CHECK(coul_long_compute(cl, &st, q, f, f, f, NULL, NULL, &e) != 0 &&
	      strstr(e.msg, "twice"), "coul/long: box < 2 rc refused (%s)", e.msg);
	coul_long_free(cl);
}

/* The excluded-pair correction both ways: compute + correct equals a
 * neighbour list without the pairs + the full special term. */
static void test_special_modes(void)
{
	struct sys s;
	struct err e = { { 0 } };
	if (load_sys("water.data", UNITS_REAL, &s)) {
		CHECK(0, "load water.data");
		return;
	}
	size_t n = s.st.n;
	struct coul_long *cl;
	struct coul_long_opts co = { 0.3, 8.5, s.u.qqr2e, 0 };
	coul_long_create(&cl, &co, n, &e);
	double *f = calloc(3 * n, sizeof(double)), *g = calloc(3 * n, sizeof(double));
	double E1 = 0, E2 = 0, v1[6] = { 0 }, v2[6] = { 0 };
	/* way 1: all pairs, then -(1-f) qq/r */
	coul_long_compute(cl, &s.st, s.q, f, f + n, f + 2 * n, &E1, v1, &e);
	coul_long_special_correct(cl, &s.st, s.q, s.ex, s.nex, f, f + n, f + 2 * n, &E1, v1);
	/* way 2: all pairs minus the special pairs' erfc terms (a list that
	 * skips them), then the full special term */
	coul_long_compute(cl, &s.st, s.q, g, g + n, g + 2 * n, &E2, v2, &e);
	struct coul_pair *neg = malloc(s.nex * sizeof *neg);
	for (size_t k = 0; k < s.nex; k++) {
		neg[k] = s.ex[k];
		neg[k].factor = 1.0;  /* full term with f = 1: erfc only */
	}
	/* subtract erfc terms: apply full(f=1) to negated forces/energies */
	{
		double *h = calloc(3 * n, sizeof(double)), Eh = 0, vh[6] = { 0 };
		coul_long_special_full(cl, &s.st, s.q, neg, s.nex, h, h + n, h + 2 * n, &Eh, vh);
		for (size_t i = 0; i < 3 * n; i++)
			g[i] -= h[i];
		E2 -= Eh;
		for (int c = 0; c < 6; c++)
			v2[c] -= vh[c];
		free(h);
	}
	coul_long_special_full(cl, &s.st, s.q, s.ex, s.nex, g, g + n, g + 2 * n, &E2, v2);
	double fe = 0;
	for (size_t i = 0; i < 3 * n; i++)
		fe = fmax(fe, fabs(f[i] - g[i]));
	CHECK(s.nex == 3 * n / 3 && fabs(E1 - E2) < 1e-10 * fabs(E1) && fe < 1e-9 * rms3(f, n) &&
	      fabs(v1[0] - v2[0]) < 1e-10 * fabs(v1[0]),
	      "coul/long: special_correct after the full sum = special_full without "
	      "the pairs (%zu pairs, dE %.2e, dF %.2e)", s.nex, E1 - E2, fe);
	free(neg);
	free(f);
	free(g);
	coul_long_free(cl);
	free_sys(&s);
}

int main(void)
{
	test_ewald_lammps();
	ewald_case("water_ewald", "water.data", UNITS_REAL, 8.5, 1e-6);
	ewald_case("lj_ewald", "lj_points.data", UNITS_LJ, 3.0, 1e-7);
	test_pppm_lammps();
	test_pppm_vs_ewald();
	test_madelung();
	test_fd_forces();
	test_translation();
	test_virial_strain();
	test_resetup_threads();
	test_fftw_wisdom();
	test_special_modes();
	test_coul_cells();
	test_bad_input();
	return check_done();
}
