/* Unit tests for common/profile.c: slab temperatures (COM removed, pooled),
 * densities, molecular concentrations, block errors, NPT scaling, refusals.
 *
 * Exact cases use a handful of atoms whose answer follows by hand; the
 * statistical case draws Maxwell velocities at a known T(z) and writes them
 * through traj_nc (the path the tool reads), with a tolerance derived from
 * the chi-square distribution of the kinetic energy.
 *
 * `test_profile --write-fixture DIR` writes the inputs of the CLI tests and
 * of the man page examples instead: mix.data (2048 solvent + 80 solute LJ
 * atoms in 7.65 x 7.65 x 50), prod.nc, prod2.nc, prod3.nc (replicas with a
 * piecewise-linear T(z) between a cold slab at 10.5-14.5 and a hot one at
 * 35.5-39.5 and a solute density ~ exp(-2 (T - 1)), i.e. S_T* = 2) and
 * novel.nc (a trajectory without velocities). */
#include "check.h"
#include "profile.h"
#include "rng.h"

#include <dirent.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A data set of n atoms of nt types in [lo, hi]^3 per axis, ids 1..n. */
static void make_data(struct lmp_data *d, size_t n, size_t nt,
		      const double *mass, const double lo[3],
		      const double hi[3], int full)
{
	struct err e;
	if (lmp_data_alloc(d, n, nt, 0, &e) != 0) {
		fprintf(stderr, "%s\n", e.msg);
		exit(1);
	}
	for (size_t t = 0; t < nt; t++)
		d->mass[t] = mass[t];
	d->has_mass = 1;
	d->style = full ? LMP_FULL : LMP_ATOMIC;
	for (int a = 0; a < 3; a++) {
		d->lo[a] = lo[a];
		d->hi[a] = hi[a];
	}
	for (size_t i = 0; i < n; i++) {
		d->id[i] = (long)i + 1;
		d->type[i] = 1;
	}
}

static void frame_or_die(struct frame *f, size_t n, int vel)
{
	struct err e;
	if (frame_alloc(f, n, vel, &e) != 0) {
		fprintf(stderr, "%s\n", e.msg);
		exit(1);
	}
	for (int a = 0; a < 3; a++)
		f->angle[a] = 90.0;
}

static void set_cell(struct frame *f, double a, double b, double c)
{
	f->cell[0] = a;
	f->cell[1] = b;
	f->cell[2] = c;
	f->has_cell = 1;
}

static struct profile_opts opts(size_t nbins, size_t nblocks)
{
	struct profile_opts o = {.axis = 2, .nbins = nbins, .nblocks = nblocks,
				 .dof_per_atom = 3.0, .conc = PROFILE_CONC_NONE};
	return o;
}

/* Two slabs of three atoms: velocities (1,0,0), (-1,0,0), (0,0,0) plus a
 * common drift u, masses 2. Without the drift sum m v^2 = 4 and
 * dof = 3*3 - 3 = 6, so T = 2/3 (lj, kB = 1); the drift must not change it.
 * The second slab moves rigidly: T = 0. */
static void test_exact_temperature(void)
{
	struct lmp_data d;
	struct units u;
	struct err e = {{0}};
	units_set(&u, UNITS_LJ);
	double m[1] = {2.0}, lo[3] = {0, 0, 0}, hi[3] = {10, 10, 10};
	make_data(&d, 6, 1, m, lo, hi, 0);
	struct profile_opts o = opts(2, 1);
	struct profile p;
	struct profile_result r;
	CHECK(profile_init(&p, &o, &d, 1, &u, &e) == 0, "init: %s", e.msg);
	struct frame f;
	frame_or_die(&f, 6, 1);
	set_cell(&f, 10, 10, 10);
	const double z[6] = {1, 2, 3, 6, 7, 8};
	const double vx[6] = {1, -1, 0, 4, 4, 4};
	const double drift[3] = {0.5, -0.25, 3.0};
	for (size_t i = 0; i < 6; i++) {
		f.x[i] = f.y[i] = 5.0;
		f.z[i] = z[i];
		f.vx[i] = vx[i] + (i < 3 ? drift[0] : 0);
		f.vy[i] = i < 3 ? drift[1] : -2.0;
		f.vz[i] = i < 3 ? drift[2] : 1.0;
	}
	CHECK(profile_add(&p, &f, &e) == 0, "add: %s", e.msg);
	CHECK(profile_finish(&p, &r, &e) == 0, "finish: %s", e.msg);
	/* a few ulps of the drift survive the subtraction */
	CHECK_CLOSE(r.T[0], 2.0 / 3.0, 1e-14, 0, "T of a drifting slab (exact 2/3)");
	CHECK_CLOSE(r.T[1], 0.0, 0, 1e-14, "T of a rigidly moving slab (exact 0)");
	CHECK(isnan(r.T_err[0]), "one block: no error estimate (NaN)");
	CHECK(r.c == NULL, "no solute selection: no concentration");
	CHECK_CLOSE(r.rho[0], 3.0 / 500.0, 1e-15, 0, "rho_1 = 3 atoms / 500");
	CHECK_CLOSE(r.z[0], 2.5, 1e-15, 0, "slab 0 centre");
	CHECK_CLOSE(r.z[1], 7.5, 1e-15, 0, "slab 1 centre");
	profile_result_free(&r);
	profile_free(&p);

	/* real units: two atoms of 18 g/mol at +-0.01 A/fs along x:
	 * T = 2*18*1e-4*mvv2e / (3 kB) with LAMMPS's constants */
	units_set(&u, UNITS_REAL);
	double mw[1] = {18.0};
	lmp_data_free(&d);
	make_data(&d, 2, 1, mw, lo, hi, 0);
	o = opts(1, 1);
	CHECK(profile_init(&p, &o, &d, 1, &u, &e) == 0, "init real: %s", e.msg);
	struct frame g;
	frame_or_die(&g, 2, 1);
	set_cell(&g, 10, 10, 10);
	for (size_t i = 0; i < 2; i++) {
		g.x[i] = g.y[i] = g.z[i] = 1.0 + (double)i;
		g.vx[i] = i ? -0.01 : 0.01;
		g.vy[i] = g.vz[i] = 0.0;
	}
	CHECK(profile_add(&p, &g, &e) == 0 && profile_finish(&p, &r, &e) == 0,
	      "real units profile: %s", e.msg);
	double want = 2 * 18 * 1e-4 * 48.88821291 * 48.88821291 / (3 * 0.0019872067);
	CHECK_CLOSE(r.T[0], want, 1e-13, 0, "real units T (mvv2e, boltz of LAMMPS)");
	profile_result_free(&r);
	profile_free(&p);
	frame_free(&g);
	frame_free(&f);
	lmp_data_free(&d);
}

/* Frames where a slab holds fewer than 2 atoms add nothing; with
 * dof_per_atom = 2 a lone atom would otherwise add 2*1 - 3 = -1. */
static void test_sparse_slabs(void)
{
	struct lmp_data d;
	struct units u;
	struct err e = {{0}};
	units_set(&u, UNITS_LJ);
	double m[1] = {1.0}, lo[3] = {0, 0, 0}, hi[3] = {4, 4, 4};
	make_data(&d, 4, 1, m, lo, hi, 0);
	struct profile_opts o = opts(2, 1);
	o.dof_per_atom = 2.0;
	struct profile p;
	struct profile_result r;
	CHECK(profile_init(&p, &o, &d, 2, &u, &e) == 0, "init: %s", e.msg);
	struct frame f;
	frame_or_die(&f, 4, 1);
	set_cell(&f, 4, 4, 4);
	for (size_t i = 0; i < 4; i++) {
		f.x[i] = f.y[i] = 1.0;
		f.vy[i] = f.vz[i] = 0.0;
	}
	/* frame 0: atoms 0,1,2 low (v 3, -3, 0), atom 3 alone high */
	const double z0[4] = {0.5, 1.0, 1.5, 3.0}, v0[4] = {3, -3, 0, 7};
	/* frame 1: atoms 0,1 low (v 1,-1), atoms 2,3 high (v 2,-2) */
	const double z1[4] = {0.5, 1.0, 2.5, 3.0}, v1[4] = {1, -1, 2, -2};
	for (int k = 0; k < 2; k++) {
		for (size_t i = 0; i < 4; i++) {
			f.z[i] = k ? z1[i] : z0[i];
			f.vx[i] = k ? v1[i] : v0[i];
		}
		CHECK(profile_add(&p, &f, &e) == 0, "add frame %d: %s", k, e.msg);
	}
	CHECK(profile_finish(&p, &r, &e) == 0, "finish: %s", e.msg);
	/* low: (18 + 2) / ((2*3-3) + (2*2-3)) = 20/4; high: frame 1 only,
	 * 8 / (2*2-3) */
	CHECK_CLOSE(r.T[0], 5.0, 1e-15, 0, "pooled T = sum KE / sum dof");
	CHECK_CLOSE(r.T[1], 8.0, 1e-15, 0, "a frame with a lone atom is skipped");
	profile_result_free(&r);
	profile_free(&p);

	/* a slab that never holds two atoms has no temperature */
	o = opts(4, 1);
	CHECK(profile_init(&p, &o, &d, 1, &u, &e) == 0, "init: %s", e.msg);
	for (size_t i = 0; i < 4; i++)
		f.z[i] = i < 3 ? 0.5 : 3.5;
	CHECK(profile_add(&p, &f, &e) == 0 && profile_finish(&p, &r, &e) == 0,
	      "profile: %s", e.msg);
	CHECK(isnan(r.T[3]) && isnan(r.T[1]), "lone atom or empty slab: T is NaN");
	profile_result_free(&r);
	profile_free(&p);
	frame_free(&f);
	lmp_data_free(&d);
}

/* Maxwell velocities at T_k = 0.8 + 0.05 k in 10 slabs of 400 atoms (two
 * types, masses 1 and 3), box z in [-10, 10]. */
enum { MB_BINS = 10, MB_PER = 400, MB_N = MB_BINS * MB_PER };
static double mb_temp(size_t k) { return 0.8 + 0.05 * (double)k; }

static void mb_frame(struct frame *f, struct rng *r, const double drift[3],
		     size_t drift_bin)
{
	set_cell(f, 8, 8, 20);
	for (size_t i = 0; i < MB_N; i++) {
		size_t k = i / MB_PER;
		double m = i % 2 ? 3.0 : 1.0, s = sqrt(mb_temp(k) / m);
		f->x[i] = 8.0 * rng_uniform(r);
		f->y[i] = 8.0 * rng_uniform(r);
		f->z[i] = -10.0 + 2.0 * ((double)k + rng_uniform(r));
		f->vx[i] = s * rng_gauss(r);
		f->vy[i] = s * rng_gauss(r);
		f->vz[i] = s * rng_gauss(r);
		if (k == drift_bin) {
			f->vx[i] += drift[0];
			f->vy[i] += drift[1];
			f->vz[i] += drift[2];
		}
	}
}

static void mb_data(struct lmp_data *d)
{
	double m[2] = {1.0, 3.0}, lo[3] = {0, 0, -10}, hi[3] = {8, 8, 10};
	make_data(d, MB_N, 2, m, lo, hi, 0);
	for (size_t i = 0; i < MB_N; i++)
		d->type[i] = i % 2 ? 2 : 1;
}

static void test_maxwell(const char *dir)
{
	enum { NF = 8, NB = 4 };
	struct lmp_data d;
	struct units u;
	struct err e = {{0}};
	units_set(&u, UNITS_LJ);
	mb_data(&d);
	char path[4200];
	snprintf(path, sizeof path, "%s/mb.nc", dir);
	struct frame f;
	frame_or_die(&f, MB_N, 1);
	struct rng r;
	rng_seed(&r, 2024);
	struct traj_nc *t;
	const double nod[3] = {0, 0, 0};
	int ok = traj_nc_create(&t, path, MB_N, 1, TRAJ_DOUBLE, &u, "test", &e) == 0;
	for (int k = 0; ok && k < NF; k++) {
		mb_frame(&f, &r, nod, MB_BINS);
		ok = traj_nc_append(t, &f, &e) == 0;
	}
	ok = ok && traj_nc_close(t, &e) == 0;
	CHECK(ok, "write a Maxwell trajectory: %s", e.msg);

	int solute[1] = {2}, solvent[1] = {1};
	struct profile_opts o = opts(MB_BINS, NB);
	o.conc = PROFILE_CONC_MOLEFRAC;
	o.solute = solute;
	o.nsolute = 1;
	o.solvent = solvent;
	o.nsolvent = 1;
	struct profile p;
	struct profile_result res;
	CHECK(profile_init(&p, &o, &d, NF, &u, &e) == 0, "init: %s", e.msg);
	ok = traj_nc_open(&t, path, &e) == 0;
	for (size_t k = 0; ok && k < NF; k++)
		ok = traj_nc_read(t, k, &f, &e) == 0 && profile_add(&p, &f, &e) == 0;
	if (t)
		traj_nc_close(t, NULL);
	ok = ok && profile_finish(&p, &res, &e) == 0;
	CHECK(ok, "profile of the trajectory file: %s", e.msg);
	if (!ok)
		return;
	/* sum m v'^2 / T is chi-square with dof = NF (3*400 - 3) degrees of
	 * freedom: relative standard deviation sqrt(2/dof) = 1.8%; 4 sigma. */
	double dof = NF * (3.0 * MB_PER - 3.0), rsd = sqrt(2.0 / dof);
	int within = 1, err_ok = 1;
	for (size_t k = 0; k < MB_BINS; k++) {
		double dev = fabs(res.T[k] - mb_temp(k)) / (rsd * mb_temp(k));
		within &= dev < 4.0;
		/* the block SEM from 4 blocks is itself uncertain (chi with 3
		 * dof): accept a factor 10 either way of the expected sd */
		double ratio = res.T_err[k] / (rsd * mb_temp(k));
		err_ok &= ratio > 0.1 && ratio < 10.0;
		if (dev >= 4.0 || !(ratio > 0.1 && ratio < 10.0))
			printf("# slab %zu: T %g want %g err %g\n", k, res.T[k],
			       mb_temp(k), res.T_err[k]);
	}
	CHECK(within, "Maxwell T per slab within 4 sigma (%.2g relative)", rsd);
	CHECK(err_ok, "block errors of T of the expected size");
	CHECK_CLOSE(res.z[0], -9.0, 1e-14, 0, "origin = data-file box centre - L/2");
	CHECK_CLOSE(res.rho[3 * 2 + 0], 200.0 / 128.0, 1e-14, 0,
		    "rho_1: 200 atoms in 8*8*2");
	CHECK_CLOSE(res.c[5], 0.5, 1e-15, 0, "mole fraction 1/2");
	CHECK_CLOSE(res.c_err[5], 0.0, 0, 1e-15, "constant composition: c_err 0");
	CHECK_CLOSE(res.nsolute[9], 200.0, 1e-15, 0, "200 solute atoms per frame");

	/* Same velocities with a drift of slab 3 as a whole: same T. */
	profile_result_free(&res);
	profile_free(&p);
	struct profile q[2];
	struct profile_result rr[2];
	const double drift[3] = {5.0, -3.0, 2.0};
	o = opts(MB_BINS, 1);
	for (int v = 0; v < 2; v++) {
		rng_seed(&r, 77);
		CHECK(profile_init(&q[v], &o, &d, 3, &u, &e) == 0, "init: %s", e.msg);
		for (int k = 0; k < 3; k++) {
			mb_frame(&f, &r, v ? drift : nod, 3);
			CHECK(profile_add(&q[v], &f, &e) == 0, "add: %s", e.msg);
		}
		CHECK(profile_finish(&q[v], &rr[v], &e) == 0, "finish: %s", e.msg);
	}
	/* rounding of v + drift - V: a few ulps of |drift|/|v| ~ 10 */
	CHECK_CLOSE(rr[1].T[3], rr[0].T[3], 1e-13, 0,
		    "slab moving as a whole: same temperature (COM removed)");
	CHECK(rr[1].T[4] == rr[0].T[4], "other slabs untouched, bit for bit");
	for (int v = 0; v < 2; v++) {
		profile_result_free(&rr[v]);
		profile_free(&q[v]);
	}
	frame_free(&f);
	lmp_data_free(&d);
	unlink(path);
}

/* Molecules across the periodic boundary (box z 0..20, 10 slabs of 2):
 * molecule 7: atom (mass 1) at 0.2 and atom (mass 3) at 19.7 = -0.3:
 *   COM (0.2 - 0.9)/4 = -0.175 -> 19.825, slab 9 (averaging the wrapped
 *   coordinates would give 14.825, slab 7);
 * molecule 3: atom (mass 1) at 19.9, atom (mass 3) at 0.5 = 20.5:
 *   COM 19.9 + 3*0.6/4 = 20.35 -> 0.35, slab 0 (naive: 5.35, slab 2);
 * molecule 5: three solvent atoms at 10.1..10.3, slab 5;
 * atom 8 with molecule id 0: a molecule of its own (solvent), slab 4.
 * Atoms of the molecules are interleaved in id order. */
static void test_molecules(void)
{
	struct lmp_data d;
	struct units u;
	struct err e = {{0}};
	units_set(&u, UNITS_LJ);
	double m[3] = {1.0, 1.0, 3.0}, lo[3] = {0, 0, 0}, hi[3] = {5, 5, 20};
	make_data(&d, 8, 3, m, lo, hi, 1);
	/*                 id: 1    2    3    4    5    6     7    8 */
	const long mol[8] = {7, 3, 5, 7, 3, 5, 5, 0};
	const int type[8] = {2, 2, 1, 3, 3, 1, 1, 1};
	const double z[8] = {0.2, 19.9, 10.1, 19.7, 0.5, 10.2, 10.3, 9.0};
	int solute[2] = {2, 3}, solvent[1] = {1};
	for (size_t i = 0; i < 8; i++) {
		d.mol[i] = mol[i];
		d.type[i] = type[i];
	}
	struct profile_opts o = opts(10, 1);
	o.conc = PROFILE_CONC_MOLEFRAC;
	o.solute = solute;
	o.nsolute = 2;
	o.solvent = solvent;
	o.nsolvent = 1;
	struct profile p;
	struct profile_result r;
	CHECK(profile_init(&p, &o, &d, 1, &u, &e) == 0, "init: %s", e.msg);
	CHECK(p.nmol == 4, "4 molecules (got %zu)", p.nmol);
	struct frame f;
	frame_or_die(&f, 8, 1);
	set_cell(&f, 5, 5, 20);
	for (size_t i = 0; i < 8; i++) {
		f.x[i] = f.y[i] = 1.0;
		f.z[i] = z[i];
		f.vx[i] = f.vy[i] = f.vz[i] = 0.0;
	}
	CHECK(profile_add(&p, &f, &e) == 0 && profile_finish(&p, &r, &e) == 0,
	      "profile: %s", e.msg);
	CHECK(r.nsolute[9] == 1.0, "molecule across the top edge in slab 9 "
	      "(got %g, slab 7 has %g)", r.nsolute[9], r.nsolute[7]);
	CHECK(r.nsolute[0] == 1.0, "molecule across the bottom edge in slab 0 "
	      "(got %g, slab 2 has %g)", r.nsolute[0], r.nsolute[2]);
	double tot = 0;
	for (size_t k = 0; k < 10; k++)
		tot += r.nsolute[k];
	CHECK(tot == 2.0, "two solute molecules in all");
	CHECK(r.nsolvent[5] == 1.0 && r.nsolvent[4] == 1.0,
	      "3-atom solvent molecule and a molecule-id-0 atom counted once each");
	CHECK(r.c[9] == 1.0 && r.c[5] == 0.0 && isnan(r.c[3]),
	      "mole fractions 1, 0, and NaN in an empty slab");
	CHECK_CLOSE(r.rho[9 * 3 + 2], 1.0 / 50.0, 1e-15, 0,
		    "densities bin atoms by their own position (type 3 at 19.7)");
	profile_result_free(&r);
	profile_free(&p);
	frame_free(&f);
	lmp_data_free(&d);
}

/* Concentrations by hand, real units. Water = O (15.9994) + 2 H (1.008),
 * M = 18.0154 g/mol; solute one atom of 60.06. Slab 0: 10 water + 1
 * solute; slab 1: 5 water + 2 solute. Box 10 x 10 x 20, 2 slabs. */
static void test_concentrations(void)
{
	struct lmp_data d;
	struct units u;
	struct err e = {{0}};
	units_set(&u, UNITS_REAL);
	double m[3] = {15.9994, 1.008, 60.06}, lo[3] = {0, 0, 0}, hi[3] = {10, 10, 20};
	size_t n = 15 * 3 + 3;
	make_data(&d, n, 3, m, lo, hi, 1);
	struct frame f;
	frame_or_die(&f, n, 1);
	set_cell(&f, 10, 10, 20);
	for (size_t w = 0; w < 15; w++)
		for (size_t j = 0; j < 3; j++) {
			size_t i = 3 * w + j;
			d.mol[i] = (long)w + 1;
			d.type[i] = j ? 2 : 1;
			f.z[i] = (w < 10 ? 2.0 : 12.0) + 0.1 * (double)j;
		}
	for (size_t s = 0; s < 3; s++) {
		size_t i = 45 + s;
		d.mol[i] = 100 + (long)s;
		d.type[i] = 3;
		f.z[i] = s == 0 ? 5.0 : 15.0;
	}
	for (size_t i = 0; i < n; i++) {
		f.x[i] = f.y[i] = 3.0;
		f.vx[i] = f.vy[i] = f.vz[i] = 0.0;
	}
	int solute[1] = {3}, solvent[1] = {1};
	const enum profile_conc kinds[3] = {PROFILE_CONC_MOLEFRAC,
		PROFILE_CONC_MOLALITY, PROFILE_CONC_DENSITY};
	const double mw = 15.9994 + 2 * 1.008;
	const double want[3][2] = {{1.0 / 11.0, 2.0 / 7.0},
				   {1.0 / (10 * mw / 1000), 2.0 / (5 * mw / 1000)},
				   {1.0 / 1000.0, 2.0 / 1000.0}};
	for (int k = 0; k < 3; k++) {
		struct profile_opts o = opts(2, 1);
		o.conc = kinds[k];
		o.solute = solute;
		o.nsolute = 1;
		o.solvent = solvent;   /* water is solvent through its O */
		o.nsolvent = 1;
		struct profile p;
		struct profile_result r;
		int ok = profile_init(&p, &o, &d, 1, &u, &e) == 0 &&
			 profile_add(&p, &f, &e) == 0 &&
			 profile_finish(&p, &r, &e) == 0;
		CHECK(ok, "%s profile: %s", profile_conc_name(kinds[k]), e.msg);
		if (!ok)
			continue;
		CHECK_CLOSE(r.c[0], want[k][0], 1e-14, 0, profile_conc_name(kinds[k]));
		CHECK_CLOSE(r.c[1], want[k][1], 1e-14, 0, profile_conc_name(kinds[k]));
		CHECK(r.nsolvent[0] == 10.0 && r.nsolute[1] == 2.0,
		      "molecule counts 10 water, 2 solute");
		profile_result_free(&r);
		profile_free(&p);
	}
	frame_free(&f);
	lmp_data_free(&d);
}

/* Block errors by hand: 4 frames, 2 blocks, 5 atoms in 2 slabs; atoms 0
 * and 1 are solute. Atom 1 sits in slab 1 in frames 0-1 and in slab 0 in
 * frames 2-3, all others in slab 0. Slab 0: block mole fractions 1/4 and
 * 2/5, pooled 6/18, standard error |0.4 - 0.25|/2 = 0.075. */
static void test_blocks(void)
{
	struct lmp_data d;
	struct units u;
	struct err e = {{0}};
	units_set(&u, UNITS_LJ);
	double m[2] = {1.0, 1.0}, lo[3] = {0, 0, 0}, hi[3] = {5, 5, 10};
	make_data(&d, 5, 2, m, lo, hi, 0);
	d.type[0] = d.type[1] = 2;
	int solute[1] = {2}, solvent[1] = {1};
	struct profile_opts o = opts(2, 2);
	o.conc = PROFILE_CONC_MOLEFRAC;
	o.solute = solute;
	o.nsolute = 1;
	o.solvent = solvent;
	o.nsolvent = 1;
	struct profile p;
	struct profile_result r;
	CHECK(profile_init(&p, &o, &d, 4, &u, &e) == 0, "init: %s", e.msg);
	struct frame f;
	frame_or_die(&f, 5, 1);
	set_cell(&f, 5, 5, 10);
	for (int k = 0; k < 4; k++) {
		for (size_t i = 0; i < 5; i++) {
			f.x[i] = f.y[i] = 1.0;
			f.z[i] = 1.0 + 0.5 * (double)i;
			f.vx[i] = f.vy[i] = f.vz[i] = 0.0;
		}
		f.z[1] = k < 2 ? 7.0 : 1.5;
		CHECK(profile_add(&p, &f, &e) == 0, "add: %s", e.msg);
	}
	CHECK(profile_finish(&p, &r, &e) == 0, "finish: %s", e.msg);
	CHECK_CLOSE(r.c[0], 6.0 / 18.0, 1e-15, 0, "pooled mole fraction");
	CHECK_CLOSE(r.c_err[0], 0.075, 1e-14, 0, "block standard error");
	CHECK(r.c[1] == 1.0 && isnan(r.c_err[1]),
	      "slab 1 defined in one block only: no error");
	profile_result_free(&r);
	profile_free(&p);
	frame_free(&f);
	lmp_data_free(&d);
}

/* NPT: slabs are fractions of L(t), the grid centred on the data-file box
 * centre. An atom at fraction 0.55 of L is in slab 5 of 10 for L = 20 and
 * L = 24; the reported centres use the mean L = 22. */
static void test_npt(void)
{
	struct lmp_data d;
	struct units u;
	struct err e = {{0}};
	units_set(&u, UNITS_LJ);
	double m[1] = {1.0}, lo[3] = {0, 0, -10}, hi[3] = {2, 2, 10};
	make_data(&d, 2, 1, m, lo, hi, 0);
	struct profile_opts o = opts(10, 1);
	struct profile p;
	struct profile_result r;
	CHECK(profile_init(&p, &o, &d, 2, &u, &e) == 0, "init: %s", e.msg);
	struct frame f;
	frame_or_die(&f, 2, 1);
	for (int k = 0; k < 2; k++) {
		double L = k ? 24.0 : 20.0;
		set_cell(&f, 2, 2, L);
		for (size_t i = 0; i < 2; i++) {
			f.x[i] = f.y[i] = 1.0;
			f.z[i] = -0.5 * L + 0.55 * L;
			f.vx[i] = i ? 1.0 : -1.0;
			f.vy[i] = f.vz[i] = 0.0;
		}
		CHECK(profile_add(&p, &f, &e) == 0, "add: %s", e.msg);
	}
	CHECK(profile_finish(&p, &r, &e) == 0, "finish: %s", e.msg);
	CHECK_CLOSE(r.rho[5], 4.0 / (0.4 * 20 + 0.4 * 24), 1e-14, 0,
		    "both frames in slab 5; rho pooled over volumes");
	CHECK_CLOSE(r.len, 22.0, 1e-15, 0, "mean box length");
	/* 1.1 = -11 + 5.5 * 2.2: cancellation leaves ~1e-15 absolute */
	CHECK_CLOSE(r.z[5], 1.1, 0, 1e-13, "slab centre from mean L");
	profile_result_free(&r);
	profile_free(&p);
	frame_free(&f);
	lmp_data_free(&d);
}

static void test_refusals(void)
{
	struct lmp_data d;
	struct units u, ur;
	struct err e = {{0}};
	units_set(&u, UNITS_LJ);
	units_set(&ur, UNITS_REAL);
	double m[2] = {1.0, 1.0}, lo[3] = {0, 0, 0}, hi[3] = {5, 5, 10};
	make_data(&d, 4, 2, m, lo, hi, 1);
	d.type[2] = d.type[3] = 2;
	d.mol[0] = d.mol[1] = 1;
	d.mol[2] = d.mol[3] = 2;
	int one[1] = {1}, two[1] = {2}, three[1] = {3};
	struct profile p;
	struct profile_opts o = opts(2, 3);
	CHECK(profile_init(&p, &o, &d, 2, &u, &e) != 0 && strstr(e.msg, "blocks"),
	      "2 frames, 3 blocks: %s", e.msg);
	o = opts(2, 1);
	o.conc = PROFILE_CONC_MOLEFRAC;
	o.solute = one;
	o.nsolute = 1;
	o.solvent = one;
	o.nsolvent = 1;
	CHECK(profile_init(&p, &o, &d, 1, &u, &e) != 0 &&
	      strstr(e.msg, "both solute and solvent"), "type in both lists: %s", e.msg);
	o.solute = three;
	CHECK(profile_init(&p, &o, &d, 1, &u, &e) != 0 && strstr(e.msg, "type 3"),
	      "solute type out of range: %s", e.msg);
	d.type[1] = 2;  /* molecule 1 = types 1 and 2 */
	o.solute = two;
	CHECK(profile_init(&p, &o, &d, 1, &u, &e) != 0 && strstr(e.msg, "molecule 1"),
	      "molecule with solute and solvent types: %s", e.msg);
	d.type[1] = 1;
	o.conc = PROFILE_CONC_MOLALITY;
	CHECK(profile_init(&p, &o, &d, 1, &u, &e) != 0 && strstr(e.msg, "real"),
	      "molality in lj units: %s", e.msg);
	CHECK(profile_init(&p, &o, &d, 1, &ur, &e) == 0, "molality in real units");
	e.msg[0] = '\0';
	profile_free(&p);
	o.conc = PROFILE_CONC_MOLEFRAC;
	o.nsolvent = 0;
	CHECK(profile_init(&p, &o, &d, 1, &u, &e) != 0 && strstr(e.msg, "solvent"),
	      "mole fraction without solvent types: %s", e.msg);
	o = opts(2, 1);
	o.dof_per_atom = 0.0;
	CHECK(profile_init(&p, &o, &d, 1, &u, &e) != 0, "dof per atom 0: %s", e.msg);
	o = opts(2, 1);
	d.has_mass = 0;
	CHECK(profile_init(&p, &o, &d, 1, &u, &e) != 0 && strstr(e.msg, "Masses"),
	      "no masses: %s", e.msg);
	d.has_mass = 1;

	e.msg[0] = '\0';
	CHECK(profile_init(&p, &o, &d, 2, &u, &e) == 0, "init: %s", e.msg);
	struct frame f, g, h;
	frame_or_die(&f, 4, 1);
	frame_or_die(&g, 4, 0);
	frame_or_die(&h, 3, 1);
	for (size_t i = 0; i < 4; i++) {
		f.x[i] = f.y[i] = g.x[i] = g.y[i] = 1.0;
		f.z[i] = g.z[i] = (double)i;
		f.vx[i] = f.vy[i] = f.vz[i] = 0.0;
	}
	set_cell(&f, 5, 5, 10);
	f.angle[1] = 80.0;
	CHECK(profile_add(&p, &f, &e) != 0 && strstr(e.msg, "orthorhombic"),
	      "triclinic frame: %s", e.msg);
	f.angle[1] = 90.0;
	CHECK(profile_add(&p, &g, &e) != 0 && strstr(e.msg, "velocities"),
	      "frame without velocities: %s", e.msg);
	CHECK(profile_add(&p, &h, &e) != 0 && strstr(e.msg, "atoms"),
	      "frame with other atom count: %s", e.msg);
	f.vz[2] = NAN;
	CHECK(profile_add(&p, &f, &e) != 0 && strstr(e.msg, "non-finite"),
	      "NaN velocity: %s", e.msg);
	f.vz[2] = 0.0;
	e.msg[0] = '\0';
	f.has_cell = 0;  /* falls back to the data file box */
	CHECK(profile_add(&p, &f, &e) == 0, "frame without a cell: %s", e.msg);
	struct profile_result r;
	CHECK(profile_finish(&p, &r, &e) != 0 && strstr(e.msg, "1 of 2"),
	      "finish before all frames: %s", e.msg);
	CHECK(profile_add(&p, &f, &e) == 0 && profile_add(&p, &f, &e) != 0,
	      "more frames than planned: %s", e.msg);
	profile_free(&p);
	frame_free(&f);
	frame_free(&g);
	frame_free(&h);
	lmp_data_free(&d);
}

/* ---- fixtures for the CLI tests and man page examples ------------------ */

enum { FX_SOLV = 2048, FX_SOLU = 80, FX_N = FX_SOLV + FX_SOLU, FX_FRAMES = 40 };
static const double fx_box[3] = {7.65, 7.65, 50.0};

/* Piecewise-linear T between the cold slab centre 12.5 (T 0.9) and the hot
 * slab centre 37.5 (T 1.1), periodic in 50. */
static double fx_temp(double z)
{
	double dd = fabs(z - 12.5);
	if (dd > 25.0)
		dd = 50.0 - dd;
	return 0.9 + 0.2 * dd / 25.0;
}

static int write_fixture_traj(const char *path, uint64_t seed, int with_vel,
			      int nframes, struct err *e)
{
	struct units u;
	units_set(&u, UNITS_LJ);
	struct frame f;
	if (frame_alloc(&f, FX_N, with_vel, e) != 0)
		return -1;
	f.has_cell = 1;
	for (int a = 0; a < 3; a++) {
		f.cell[a] = fx_box[a];
		f.angle[a] = 90.0;
	}
	struct rng r;
	rng_seed(&r, seed);
	struct traj_nc *t;
	if (traj_nc_create(&t, path, FX_N, with_vel, TRAJ_FLOAT, &u,
			   "soretkit test fixture", e) != 0) {
		frame_free(&f);
		return -1;
	}
	for (int k = 0; k < nframes; k++) {
		for (size_t i = 0; i < FX_N; i++) {
			double z;
			if (i < FX_SOLV) {
				z = 50.0 * rng_uniform(&r);
			} else {
				/* density ~ exp(-S (T - 1)), S = 2, by rejection
				 * (the largest weight is at T = 0.9) */
				do
					z = 50.0 * rng_uniform(&r);
				while (rng_uniform(&r) >= exp(-2.0 * (fx_temp(z) - 0.9)));
			}
			f.x[i] = fx_box[0] * rng_uniform(&r);
			f.y[i] = fx_box[1] * rng_uniform(&r);
			f.z[i] = z;
			if (with_vel) {
				double s = sqrt(fx_temp(z));
				f.vx[i] = s * rng_gauss(&r);
				f.vy[i] = s * rng_gauss(&r);
				f.vz[i] = s * rng_gauss(&r);
			}
		}
		f.time = 0.5 * k;
		if (traj_nc_append(t, &f, e) != 0) {
			traj_nc_abort(t);
			frame_free(&f);
			return -1;
		}
	}
	frame_free(&f);
	return traj_nc_close(t, e);
}

static int write_fixture_data(const char *path)
{
	FILE *fp = fopen(path, "w");
	if (!fp)
		return -1;
	fprintf(fp, "LJ mixture fixture (test_profile --write-fixture)\n\n"
		"%d atoms\n2 atom types\n\n0 %g xlo xhi\n0 %g ylo yhi\n0 %g zlo zhi\n\n"
		"Masses\n\n1 1\n2 1\n\nPair Coeffs # lj/cut\n\n1 1 1\n2 1 1\n\n"
		"Atoms # atomic\n\n", FX_N, fx_box[0], fx_box[1], fx_box[2]);
	struct rng r;
	rng_seed(&r, 5);
	for (int i = 0; i < FX_N; i++)
		fprintf(fp, "%d %d %.6f %.6f %.6f 0 0 0\n", i + 1,
			i < FX_SOLV ? 1 : 2, fx_box[0] * rng_uniform(&r),
			fx_box[1] * rng_uniform(&r), fx_box[2] * rng_uniform(&r));
	return fclose(fp);
}

static int write_fixture(const char *dir)
{
	char p[4200];
	struct err e = {{0}};
	snprintf(p, sizeof p, "%s/mix.data", dir);
	if (write_fixture_data(p) != 0) {
		fprintf(stderr, "test_profile: %s: cannot write\n", p);
		return 1;
	}
	const char *names[3] = {"prod.nc", "prod2.nc", "prod3.nc"};
	for (int k = 0; k < 3; k++) {
		snprintf(p, sizeof p, "%s/%s", dir, names[k]);
		if (write_fixture_traj(p, 1000 + (uint64_t)k, 1, FX_FRAMES, &e) != 0)
			goto fail;
	}
	snprintf(p, sizeof p, "%s/novel.nc", dir);
	if (write_fixture_traj(p, 9, 0, 2, &e) != 0)
		goto fail;
	return 0;
fail:
	fprintf(stderr, "test_profile: %s\n", e.msg);
	return 1;
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "--write-fixture") == 0)
		return write_fixture(argv[2]);
	char dir[] = "/tmp/sk-profile.XXXXXX";
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	test_exact_temperature();
	test_sparse_slabs();
	test_maxwell(dir);
	test_molecules();
	test_concentrations();
	test_blocks();
	test_npt();
	test_refusals();
	rmdir(dir);
	return check_done();
}
