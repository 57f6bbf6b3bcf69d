/* Tests for common/lmp_data: LAMMPS data files read as LAMMPS reads them.
 *
 * Fixtures in ../fixtures/lmp_data/ were written by LAMMPS 29Sep2021 itself
 * (see the README there), so the expected numbers below are the ones in
 * those files, compared exactly: a reader that parses "2.281233043866806"
 * must return the double strtod gives for it, and a write/read round trip
 * must reproduce every double bit for bit. Only positions that LAMMPS
 * itself moves through its lamda coordinates (triclinic remap) are compared
 * with a tolerance, stated where used. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "lmp_data.h"

#define FIX "../fixtures/lmp_data/"

static char scratch[64];

static const char *spath(char *buf, size_t n, const char *name)
{
	snprintf(buf, n, "%s/%s", scratch, name);
	return buf;
}

static int write_file(const char *path, const char *text, size_t len)
{
	FILE *fp = fopen(path, "w");
	if (!fp)
		return -1;
	if (fwrite(text, 1, len, fp) != len) {
		fclose(fp);
		return -1;
	}
	return fclose(fp) ? -1 : 0;
}

/* ---- exact comparison of two lmp_data ---------------------------------- */

static int same_doubles(const double *a, const double *b, size_t n)
{
	if (!n)
		return 1;
	if (!a || !b)
		return a == b;
	return memcmp(a, b, n * sizeof *a) == 0;
}

#define DIFF(cond, ...)                                                    \
	do {                                                               \
		if (cond) {                                                \
			snprintf(why, nwhy, __VA_ARGS__);                  \
			return 0;                                          \
		}                                                          \
	} while (0)

static int same_topo(const struct lmp_topo *a, const struct lmp_topo *b,
		     const char *what, char *why, size_t nwhy)
{
	DIFF(a->n != b->n, "%s: n %zu vs %zu", what, a->n, b->n);
	if (!a->n)
		return 1;
	DIFF(a->nat != b->nat, "%s: nat", what);
	DIFF(memcmp(a->id, b->id, a->n * sizeof *a->id), "%s: ids", what);
	DIFF(memcmp(a->type, b->type, a->n * sizeof *a->type), "%s: types",
	     what);
	DIFF(memcmp(a->atom, b->atom, a->n * (size_t)a->nat * sizeof *a->atom),
	     "%s: atoms", what);
	return 1;
}

static int same_coeffs(const struct lmp_coeffs *a, const struct lmp_coeffs *b,
		       const char *what, char *why, size_t nwhy)
{
	DIFF(a->present != b->present, "%s: present", what);
	if (!a->present)
		return 1;
	DIFF(strcmp(a->style, b->style), "%s: style '%s' vs '%s'", what,
	     a->style, b->style);
	DIFF(a->ntypes != b->ntypes, "%s: ntypes", what);
	for (size_t t = 0; t < a->ntypes; t++) {
		DIFF(a->nparam[t] != b->nparam[t], "%s: nparam of %zu", what,
		     t + 1);
		DIFF(!same_doubles(a->p + t * LMP_MAXP, b->p + t * LMP_MAXP,
				   (size_t)a->nparam[t]),
		     "%s: values of type %zu", what, t + 1);
	}
	return 1;
}

static int same_data(const struct lmp_data *a, const struct lmp_data *b,
		     char *why, size_t nwhy)
{
	size_t n = a->natoms, nn = a->ntypes * a->ntypes;
	DIFF(strcmp(a->title ? a->title : "", b->title ? b->title : ""),
	     "title");
	DIFF(a->style != b->style, "style");
	DIFF(a->natoms != b->natoms || a->ntypes != b->ntypes, "counts");
	DIFF(a->nbondtypes != b->nbondtypes ||
		     a->nangletypes != b->nangletypes ||
		     a->ndihedraltypes != b->ndihedraltypes ||
		     a->nimpropertypes != b->nimpropertypes,
	     "topology type counts");
	DIFF(!same_doubles(a->lo, b->lo, 3) || !same_doubles(a->hi, b->hi, 3),
	     "box");
	DIFF(a->triclinic != b->triclinic || !same_doubles(&a->xy, &b->xy, 1) ||
		     !same_doubles(&a->xz, &b->xz, 1) ||
		     !same_doubles(&a->yz, &b->yz, 1),
	     "tilt");
	DIFF(a->has_mass != b->has_mass, "has_mass");
	DIFF(a->has_mass && !same_doubles(a->mass, b->mass, a->ntypes),
	     "masses");
	/* A pair style whose values are not kept is not written either;
	 * no style is written as lj/cut, the meaning the reader gives it. */
	DIFF((a->has_pair || a->has_pairij) &&
		     strcmp(a->pair_style[0] ? a->pair_style : "lj/cut",
			    b->pair_style[0] ? b->pair_style : "lj/cut"),
	     "pair_style '%s' vs '%s'", a->pair_style, b->pair_style);
	DIFF(a->has_pair != b->has_pair || a->has_pairij != b->has_pairij,
	     "has_pair");
	if (a->has_pair || a->has_pairij)
		DIFF(!same_doubles(a->pair_eps, b->pair_eps, nn) ||
			     !same_doubles(a->pair_sig, b->pair_sig, nn) ||
			     !same_doubles(a->pair_cut, b->pair_cut, nn),
		     "pair coefficients");
	if (n) {
		DIFF(memcmp(a->id, b->id, n * sizeof *a->id), "atom ids");
		DIFF(memcmp(a->type, b->type, n * sizeof *a->type), "types");
		DIFF(memcmp(a->mol, b->mol, n * sizeof *a->mol), "mol");
		DIFF(!same_doubles(a->q, b->q, n), "charges");
		DIFF(!same_doubles(a->x, b->x, n) || !same_doubles(a->y, b->y, n) ||
			     !same_doubles(a->z, b->z, n),
		     "positions");
		DIFF(memcmp(a->ix, b->ix, n * sizeof *a->ix) ||
			     memcmp(a->iy, b->iy, n * sizeof *a->iy) ||
			     memcmp(a->iz, b->iz, n * sizeof *a->iz),
		     "images");
	}
	DIFF(!a->vx != !b->vx, "velocities present");
	if (a->vx)
		DIFF(!same_doubles(a->vx, b->vx, n) ||
			     !same_doubles(a->vy, b->vy, n) ||
			     !same_doubles(a->vz, b->vz, n),
		     "velocities");
	return same_topo(&a->bonds, &b->bonds, "bonds", why, nwhy) &&
	       same_topo(&a->angles, &b->angles, "angles", why, nwhy) &&
	       same_topo(&a->dihedrals, &b->dihedrals, "dihedrals", why, nwhy) &&
	       same_topo(&a->impropers, &b->impropers, "impropers", why, nwhy) &&
	       same_coeffs(&a->bond_coeffs, &b->bond_coeffs, "bond", why, nwhy) &&
	       same_coeffs(&a->angle_coeffs, &b->angle_coeffs, "angle", why,
			   nwhy) &&
	       same_coeffs(&a->dihedral_coeffs, &b->dihedral_coeffs,
			   "dihedral", why, nwhy) &&
	       same_coeffs(&a->improper_coeffs, &b->improper_coeffs,
			   "improper", why, nwhy) &&
	       same_coeffs(&a->bondbond_coeffs, &b->bondbond_coeffs,
			   "bondbond", why, nwhy) &&
	       same_coeffs(&a->bondangle_coeffs, &b->bondangle_coeffs,
			   "bondangle", why, nwhy);
}

/* ---- fixtures ---------------------------------------------------------- */

static void test_lj_mix(void)
{
	struct lmp_data d;
	struct err e = {""};
	long i;
	size_t n1 = 0;
	double mv2 = 0;
	int rc = lmp_data_read(&d, FIX "lj_mix.data", &e);
	CHECK(rc == 0, "lj_mix.data reads (%s)", rc ? e.msg : "");
	if (rc)
		return;
	CHECK(d.title && !strncmp(d.title, "LAMMPS data file via write_data",
				  31), "lj_mix: title kept");
	CHECK(d.style == LMP_ATOMIC, "lj_mix: Atoms # atomic");
	CHECK(d.natoms == 100 && d.ntypes == 2, "lj_mix: 100 atoms, 2 types");
	CHECK(d.lo[0] == 0 && d.hi[0] == 7.65 && d.lo[1] == 0 &&
		      d.hi[1] == 7.65 && d.lo[2] == 0 && d.hi[2] == 20 &&
		      !d.triclinic,
	      "lj_mix: box 0 7.65 0 7.65 0 20, orthogonal");
	CHECK(d.has_mass && d.mass[0] == 1.0 && d.mass[1] == 2.0,
	      "lj_mix: masses 1 and 2");
	CHECK(d.has_pair && !d.has_pairij && !strcmp(d.pair_style, "lj/cut"),
	      "lj_mix: Pair Coeffs # lj/cut");
	CHECK(d.pair_eps[0] == 1.0 && d.pair_sig[0] == 1.0 &&
		      d.pair_eps[3] == 0.8 && d.pair_sig[3] == 1.1 &&
		      d.pair_cut[0] == 0 && d.pair_cut[3] == 0,
	      "lj_mix: diagonal eps/sigma as written, no per-pair cutoff");
	CHECK(d.bonds.n == 0 && d.angles.n == 0 && !d.bond_coeffs.present,
	      "lj_mix: no topology");
	for (size_t k = 0; k < d.natoms; k++) {
		n1 += d.type[k] == 1;
		mv2 += d.mass[d.type[k] - 1] *
		       (d.vx[k] * d.vx[k] + d.vy[k] * d.vy[k] +
			d.vz[k] * d.vz[k]);
	}
	CHECK(n1 == 60, "lj_mix: 60 atoms of type 1 (create_atoms 1 random 60)");
	/* velocity create scales to exactly T* = 1.2 with dof = 3N - 3; the
	 * file keeps 17 digits, so the sum agrees to rounding (1e-12). */
	CHECK_CLOSE(mv2 / (3.0 * 100 - 3), 1.2, 1e-12, 0,
		    "lj_mix: temperature from Velocities");
	i = lmp_data_index(&d, 1);
	CHECK(i == 0 && d.type[0] == 1 && d.x[0] == 2.281233043866806 &&
		      d.y[0] == 6.5337682694121115 &&
		      d.z[0] == 12.923670612705717 && !d.ix[0] && !d.iy[0] &&
		      !d.iz[0],
	      "lj_mix: atom 1 as in the file");
	i = lmp_data_index(&d, 2);
	CHECK(i == 1 && d.vx[i] == 0.5482084283349257 &&
		      d.vy[i] == -0.8015409176856312 &&
		      d.vz[i] == -1.8088920007689393,
	      "lj_mix: velocity of atom 2 as in the file");
	i = lmp_data_index(&d, 100);
	CHECK(i == 99 && d.type[i] == 2, "lj_mix: atom 100 is type 2");
	CHECK(lmp_data_index(&d, 0) == -1 && lmp_data_index(&d, 101) == -1,
	      "lj_mix: index of absent ids is -1");
	lmp_data_free(&d);
	CHECK(d.id == NULL && d.natoms == 0, "lmp_data_free zeroes");
}

static void test_lj_pairij(void)
{
	struct lmp_data d;
	struct err e = {""};
	int rc = lmp_data_read(&d, FIX "lj_pairij.data", &e);
	CHECK(rc == 0, "lj_pairij.data reads (%s)", rc ? e.msg : "");
	if (rc)
		return;
	CHECK(d.has_pairij && !d.has_pair && !strcmp(d.pair_style, "lj/cut"),
	      "lj_pairij: PairIJ Coeffs # lj/cut");
	CHECK(d.pair_eps[1] == 0.9 && d.pair_eps[2] == 0.9 &&
		      d.pair_sig[1] == 1.05 && d.pair_sig[2] == 1.05,
	      "lj_pairij: 1-2 pair eps 0.9 sigma 1.05, symmetric");
	CHECK(d.pair_eps[0] == 1 && d.pair_eps[3] == 0.8 &&
		      d.pair_sig[3] == 1.1,
	      "lj_pairij: diagonal");
	CHECK(d.pair_cut[0] == 2.5 && d.pair_cut[1] == 2.5 &&
		      d.pair_cut[2] == 2.5 && d.pair_cut[3] == 2.5,
	      "lj_pairij: every cutoff 2.5");
	lmp_data_free(&d);
}

/* Unwrapped position (LAMMPS domain->unmap, triclinic form). */
static void unmap(const struct lmp_data *d, size_t i, double u[3])
{
	double lx = d->hi[0] - d->lo[0], ly = d->hi[1] - d->lo[1],
	       lz = d->hi[2] - d->lo[2];
	u[0] = d->x[i] + d->ix[i] * lx + d->iy[i] * d->xy + d->iz[i] * d->xz;
	u[1] = d->y[i] + d->iy[i] * ly + d->iz[i] * d->yz;
	u[2] = d->z[i] + d->iz[i] * lz;
}

static void test_full(void)
{
	struct lmp_data d, h;
	struct err e = {""};
	long i;
	int rc = lmp_data_read(&d, FIX "full.data", &e), same;
	CHECK(rc == 0, "full.data reads (%s)", rc ? e.msg : "");
	if (rc)
		return;
	CHECK(d.style == LMP_FULL, "full: Atoms # full");
	CHECK(d.natoms == 12 && d.ntypes == 5 && d.nbondtypes == 3 &&
		      d.nangletypes == 3 && d.ndihedraltypes == 1 &&
		      d.nimpropertypes == 1,
	      "full: counts of atoms and types");
	CHECK(d.bonds.n == 9 && d.angles.n == 7 && d.dihedrals.n == 2 &&
		      d.impropers.n == 1 && d.bonds.nat == 2 &&
		      d.angles.nat == 3 && d.dihedrals.nat == 4 &&
		      d.impropers.nat == 4,
	      "full: topology counts");
	CHECK(d.triclinic && d.xy == 1.5 && d.xz == 0 && d.yz == -0.5 &&
		      d.hi[2] == 20,
	      "full: triclinic box, tilt 1.5 0 -0.5");
	CHECK(d.has_mass && d.mass[0] == 15.035 && d.mass[4] == 1.008,
	      "full: masses");
	CHECK(d.has_pair && !strcmp(d.pair_style, "lj/cut/coul/cut") &&
		      d.pair_eps[1 * 5 + 1] == 0.0914 &&
		      d.pair_sig[4 * 5 + 4] == 2.5,
	      "full: Pair Coeffs # lj/cut/coul/cut kept");
	CHECK(d.bond_coeffs.present && !strcmp(d.bond_coeffs.style,
					       "harmonic") &&
		      d.bond_coeffs.ntypes == 3 &&
		      d.bond_coeffs.nparam[1] == 2 &&
		      d.bond_coeffs.p[1 * LMP_MAXP + 0] == 570 &&
		      d.bond_coeffs.p[1 * LMP_MAXP + 1] == 1.229,
	      "full: Bond Coeffs # harmonic, type 2 = 570 1.229");
	CHECK(d.angle_coeffs.present && d.angle_coeffs.p[2 * LMP_MAXP + 1] ==
						117,
	      "full: Angle Coeffs type 3 theta0 117");
	CHECK(d.dihedral_coeffs.present &&
		      !strcmp(d.dihedral_coeffs.style, "opls") &&
		      d.dihedral_coeffs.nparam[0] == 4 &&
		      d.dihedral_coeffs.p[1] == -0.271 &&
		      d.dihedral_coeffs.p[3] == 0,
	      "full: Dihedral Coeffs # opls, 4 numbers");
	CHECK(d.improper_coeffs.present &&
		      d.improper_coeffs.p[0] == 10.5 &&
		      d.improper_coeffs.p[1] == 180 &&
		      !d.bondbond_coeffs.present,
	      "full: Improper Coeffs, no class2 sections");
	i = lmp_data_index(&d, 7);
	CHECK(i == 6 && d.mol[i] == 2 && d.type[i] == 2 &&
		      d.x[i] == 20.200000000000006 && d.ix[i] == -1 &&
		      d.iy[i] == 0,
	      "full: atom 7 remapped by LAMMPS into the tilted box, ix -1");
	i = lmp_data_index(&d, 10);
	CHECK(i == 9 && d.q[i] == -0.5 && d.mol[i] == 3 && d.type[i] == 4 &&
		      d.iz[i] == 1,
	      "full: atom 10 is the O, charge -0.5, iz 1");
	CHECK(d.vx && d.vx[4] == 0.001 && d.vy[4] == 0.00025 &&
		      d.vz[4] == -0.0003,
	      "full: velocity of atom 5");
	CHECK(d.bonds.id[6] == 7 && d.bonds.type[6] == 2 &&
		      d.bonds.atom[12] == 9 && d.bonds.atom[13] == 10,
	      "full: bond 7 is the C=O (type 2, atoms 9 10)");
	CHECK(d.angles.type[6] == 3 && d.angles.atom[18] == 11 &&
		      d.angles.atom[19] == 9 && d.angles.atom[20] == 12,
	      "full: angle 7 is H-C-H");
	CHECK(d.dihedrals.atom[4] == 5 && d.dihedrals.atom[7] == 8,
	      "full: dihedral 2 is 5-6-7-8");
	CHECK(d.impropers.atom[0] == 9 && d.impropers.atom[3] == 12,
	      "full: improper 9 10 11 12");

	/* The hand-written input and LAMMPS's output of it mean the same
	 * system: LAMMPS only remaps atoms into the box, so unwrapped
	 * positions agree to the rounding of its lamda conversion (a few
	 * ulps of a 20 A box: 1e-12 A). */
	rc = lmp_data_read(&h, FIX "full-in.data", &e);
	CHECK(rc == 0, "full-in.data reads (%s)", rc ? e.msg : "");
	if (!rc) {
		double maxd = 0;
		char why[128] = "";
		same = h.natoms == d.natoms;
		for (size_t k = 0; same && k < d.natoms; k++) {
			double a[3], b[3];
			unmap(&d, k, a);
			unmap(&h, k, b);
			for (int x = 0; x < 3; x++)
				if (fabs(a[x] - b[x]) > maxd)
					maxd = fabs(a[x] - b[x]);
			same = d.id[k] == h.id[k] && d.q[k] == h.q[k] &&
			       d.mol[k] == h.mol[k] && d.type[k] == h.type[k] &&
			       d.vx[k] == h.vx[k];
		}
		CHECK(same, "full-in vs full: same atoms, charges, velocities");
		CHECK_CLOSE(maxd, 0, 0, 1e-12,
			    "full-in vs full: max unwrapped position difference");
		CHECK(same_topo(&d.bonds, &h.bonds, "b", why, sizeof why) &&
			      same_topo(&d.impropers, &h.impropers, "i", why,
					sizeof why) &&
			      same_coeffs(&d.dihedral_coeffs,
					  &h.dihedral_coeffs, "d", why,
					  sizeof why),
		      "full-in vs full: same topology and coeffs %s", why);
		lmp_data_free(&h);
	}
	lmp_data_free(&d);

	rc = lmp_data_read(&d, FIX "full_pairij.data", &e);
	CHECK(rc == 0, "full_pairij.data reads (%s)", rc ? e.msg : "");
	if (!rc) {
		CHECK(d.has_pairij && d.pair_eps[0 * 5 + 1] == 0.133503 &&
			      d.pair_sig[1 * 5 + 0] == 3.8487 &&
			      d.pair_cut[4 * 5 + 3] == 10,
		      "full_pairij: mixed 1-2 pair and cutoff 10");
		lmp_data_free(&d);
	}
}

/* ---- round trips ------------------------------------------------------- */

/* Write d, read it back, compare every field exactly. */
static void test_round_trip_data(const struct lmp_data *a, const char *name)
{
	struct lmp_data b;
	struct err e = {""};
	char out[256], why[256] = "";
	int rc = lmp_data_write(a, spath(out, sizeof out, name), &e);
	CHECK(rc == 0, "round trip %s: write (%s)", name, rc ? e.msg : "");
	rc = rc ? rc : lmp_data_read(&b, out, &e);
	CHECK(rc == 0, "round trip %s: read back (%s)", name, rc ? e.msg : "");
	if (!rc) {
		CHECK(same_data(a, &b, why, sizeof why),
		      "round trip %s: every field bit for bit %s", name, why);
		lmp_data_free(&b);
	}
}

static void test_round_trip(const char *fixture)
{
	struct lmp_data a;
	struct err e = {""};
	char in[256], out[256];
	struct stat st;
	snprintf(in, sizeof in, FIX "%s", fixture);
	if (lmp_data_read(&a, in, &e)) {
		CHECK(0, "round trip %s: read (%s)", fixture, e.msg);
		return;
	}
	test_round_trip_data(&a, fixture);
	CHECK(stat(spath(out, sizeof out, fixture), &st) == 0 &&
		      (st.st_mode & 0777) == 0644,
	      "round trip %s: file mode 0644", fixture);
	lmp_data_free(&a);
}

/* Our file is what LAMMPS write_data would write: byte for byte for the
 * files LAMMPS wrote itself (same layout, shortest round-trip numbers),
 * except the title line. */
static void test_same_bytes(const char *fixture)
{
	char in[256], out[256], la[512], lb[512];
	FILE *fa, *fb;
	int same = 1, nline = 0;
	snprintf(in, sizeof in, FIX "%s", fixture);
	spath(out, sizeof out, fixture);
	fa = fopen(in, "r");
	fb = fopen(out, "r");
	if (!fa || !fb) {
		CHECK(0, "same bytes %s: open", fixture);
		if (fa)
			fclose(fa);
		if (fb)
			fclose(fb);
		return;
	}
	for (;;) {
		char *ra = fgets(la, sizeof la, fa), *rb = fgets(lb, sizeof lb, fb);
		nline++;
		if (!ra || !rb) {
			same = same && !ra && !rb;
			break;
		}
		if (nline > 1 && strcmp(la, lb)) {
			same = 0;
			break;
		}
	}
	CHECK(same, "our write of %s equals LAMMPS write_data's (from line 2; "
	      "differs at line %d)", fixture, same ? 0 : nline);
	fclose(fa);
	fclose(fb);
}

static int have_lmp(void)
{
	return system("command -v lmp >/dev/null 2>&1") == 0;
}

/* LAMMPS reads the file we wrote and writes it again; reading that back
 * must give our data. Exact, except positions in the tilted box, which
 * LAMMPS converts to lamda coordinates and back (1e-12 absolute, a few
 * ulps of the 20 A box). */
static void test_lammps_reads_ours(const char *fixture, const char *setup,
				   const char *wopt)
{
	char ours[256], back[512], in[512], cmd[1024], why[256] = "";
	struct lmp_data a, b;
	struct err e = {""};
	FILE *fp;
	int rc;
	if (!have_lmp()) {
		printf("ok - skipped: LAMMPS reads our %s (no lmp on PATH)\n",
		       fixture);
		return;
	}
	spath(ours, sizeof ours, fixture);
	snprintf(back, sizeof back, "%s.lmp", ours);
	snprintf(in, sizeof in, "%s.in", ours);
	fp = fopen(in, "w");
	if (!fp) {
		CHECK(0, "lammps %s: script", fixture);
		return;
	}
	fprintf(fp, "%s\nread_data %s\nwrite_data %s%s\n", setup, ours, back,
		wopt);
	fclose(fp);
	snprintf(cmd, sizeof cmd,
		 "lmp -in %s -log none -echo none -screen none </dev/null "
		 ">/dev/null 2>&1", in);
	rc = system(cmd);
	CHECK(rc == 0, "LAMMPS read_data of our %s and write_data ran",
	      fixture);
	if (rc)
		return;
	if (lmp_data_read(&a, ours, &e) || lmp_data_read(&b, back, &e)) {
		CHECK(0, "lammps %s: read (%s)", fixture, e.msg);
		lmp_data_free(&a);
		return;
	}
	if (a.triclinic) {
		double maxd = 0;
		for (size_t k = 0; k < a.natoms && k < b.natoms; k++) {
			double u[3], v[3];
			unmap(&a, k, u);
			unmap(&b, k, v);
			for (int x = 0; x < 3; x++)
				if (fabs(u[x] - v[x]) > maxd)
					maxd = fabs(u[x] - v[x]);
		}
		CHECK_CLOSE(maxd, 0, 0, 1e-12, "LAMMPS's rewrite of our "
			    "triclinic file: unwrapped positions");
		/* Compare the rest exactly. */
		memcpy(b.x, a.x, a.natoms * sizeof *a.x);
		memcpy(b.y, a.y, a.natoms * sizeof *a.y);
		memcpy(b.z, a.z, a.natoms * sizeof *a.z);
		memcpy(b.ix, a.ix, a.natoms * sizeof *a.ix);
		memcpy(b.iy, a.iy, a.natoms * sizeof *a.iy);
		memcpy(b.iz, a.iz, a.natoms * sizeof *a.iz);
	}
	free(b.title);
	b.title = a.title ? strdup(a.title) : NULL;
	CHECK(a.natoms == b.natoms && same_data(&a, &b, why, sizeof why),
	      "LAMMPS's rewrite of our %s reads back the same %s", fixture,
	      why);
	lmp_data_free(&a);
	lmp_data_free(&b);
}

/* ---- hand-made valid files --------------------------------------------- */

static int read_text(struct lmp_data *d, const char *name, const char *text,
		     struct err *e)
{
	char p[256];
	spath(p, sizeof p, name);
	if (write_file(p, text, strlen(text)))
		return err_set(e, "cannot write %s", p);
	return lmp_data_read(d, p, e);
}

static void test_variants(void)
{
	struct lmp_data d;
	struct err e = {""};
	int rc;

	/* Unsorted ids, comments everywhere, CRLF line ends, no style
	 * comment on Atoms (5 columns: atomic), Velocities before Atoms. */
	rc = read_text(&d, "v1.data",
		       "my title # not a comment\r\n"
		       "\r\n"
		       "# a comment line in the header\r\n"
		       "3 atoms   # count\r\n"
		       "1   atom    types\r\n"
		       "-1.5 2.5e0 xlo xhi\r\n"
		       "-2 2 ylo yhi\r\n"
		       "-2 2 zlo zhi\r\n"
		       "\r\n"
		       "Velocities # no style here\r\n"
		       "\r\n"
		       "3 0.3 0 0\r\n"
		       "1 0.1 0 0 # comment\r\n"
		       "2 0.2 0 0\r\n"
		       "\r\n"
		       "Masses\r\n"
		       "# LAMMPS skips the line after a keyword; a comment is blank\r\n"
		       "1 39.948\r\n"
		       "\r\n"
		       "\r\n"
		       "Atoms\r\n"
		       "\r\n"
		       "30 1 1.0 0 0\r\n"
		       "10 1 -1.0 0 0\r\n"
		       "20 1 0.5 1e-1 +2.\r\n", &e);
	CHECK(rc != 0 && strstr(e.msg, "v1.data:12:") &&
		      strstr(e.msg, "atom id 3 is not in Atoms"),
	      "velocity ids are checked against Atoms read later (%s)", e.msg);

	rc = read_text(&d, "v2.data",
		       "my title # not a comment\r\n"
		       "\r\n"
		       "# a comment line in the header\r\n"
		       "3 atoms   # count\r\n"
		       "1   atom    types\r\n"
		       "-1.5 2.5e0 xlo xhi\r\n"
		       "-2 2 ylo yhi\r\n"
		       "-2 2 zlo zhi\r\n"
		       "\r\n"
		       "Velocities # no style here\r\n"
		       "\r\n"
		       "30 0.3 0 0\r\n"
		       "10 0.1 0 0 # comment\r\n"
		       "20 0.2 0 0\r\n"
		       "\r\n"
		       "Masses\r\n"
		       "# LAMMPS skips the line after a keyword; a comment is blank\r\n"
		       "1 39.948\r\n"
		       "\r\n"
		       "\r\n"
		       "Atoms\r\n"
		       "\r\n"
		       "30 1 1.0 0 0\r\n"
		       "10 1 -1.0 0 0\r\n"
		       "20 1 0.5 1e-1 +2.\r\n", &e);
	CHECK(rc == 0, "comments, CRLF, any section order (%s)",
	      rc ? e.msg : "");
	if (!rc) {
		CHECK(!strcmp(d.title, "my title # not a comment"),
		      "title is the whole first line");
		CHECK(d.style == LMP_ATOMIC && d.id[0] == 10 && d.id[1] == 20 &&
			      d.id[2] == 30,
		      "atoms sorted by id, style atomic from 5 columns");
		CHECK(d.x[0] == -1.0 && d.y[1] == 0.1 && d.z[1] == 2.0 &&
			      d.ix[2] == 0,
		      "values follow their ids when sorted; images 0");
		CHECK(d.vx[0] == 0.1 && d.vx[1] == 0.2 && d.vx[2] == 0.3,
		      "velocities matched by id");
		CHECK(d.lo[0] == -1.5 && d.hi[0] == 2.5 && d.mass[0] == 39.948,
		      "box and mass");
		CHECK(lmp_data_index(&d, 20) == 1 && lmp_data_index(&d, 15) == -1,
		      "lmp_data_index binary search");
		CHECK(!d.has_pair && d.pair_eps == NULL && d.bonds.n == 0,
		      "no Pair Coeffs: has_pair 0");
		lmp_data_free(&d);
	}

	/* Full style told by 10 columns; class2 BondBond/BondAngle; a pair
	 * style that is not lj/cut-form (its numbers are not kept). */
	rc = read_text(&d, "v3.data",
		       "class2 angle\n\n"
		       "3 atoms\n2 atom types\n2 bonds\n1 bond types\n"
		       "1 angles\n1 angle types\n"
		       "0 10 xlo xhi\n0 10 ylo yhi\n0 10 zlo zhi\n"
		       "0 0 0 xy xz yz\n"
		       "\nMasses\n\n1 12.011\n2 1.008\n"
		       "\nPair Coeffs # morse\n\n1 1.0 2.0 1.5\n2 0.5 1.5 1.2\n"
		       "\nAngle Coeffs # class2\n\n1 109.5 30 -10 5\n"
		       "\nBondBond Coeffs\n\n1 3.5 1.1 1.1\n"
		       "\nBondAngle Coeffs\n\n1 10 10 1.1 1.1\n"
		       "\nBond Coeffs # class2\n\n1 1.1 300 -600 900\n"
		       "\nAtoms\n\n"
		       "1 1 1 -0.2 5 5 5 0 0 0\n"
		       "2 1 2 0.1 6 5 5 1 -2 3\n"
		       "3 1 2 0.1 4 5 5 0 0 0\n"
		       "\nBonds\n\n1 1 1 2\n2 1 1 3\n"
		       "\nAngles\n\n1 1 2 1 3\n", &e);
	CHECK(rc == 0, "class2 sections, full from 10 columns (%s)",
	      rc ? e.msg : "");
	if (!rc) {
		CHECK(d.style == LMP_FULL && d.q[0] == -0.2 && d.ix[1] == 1 &&
			      d.iy[1] == -2 && d.iz[1] == 3,
		      "full style inferred, images read");
		CHECK(d.triclinic && d.xy == 0, "zero tilt still triclinic");
		CHECK(!strcmp(d.pair_style, "morse") && !d.has_pair &&
			      !d.pair_eps,
		      "non-LJ pair style named but its numbers not kept");
		CHECK(d.bondbond_coeffs.present && d.bondbond_coeffs.p[0] == 3.5 &&
			      d.bondangle_coeffs.nparam[0] == 4 &&
			      d.angle_coeffs.nparam[0] == 4 &&
			      !strcmp(d.angle_coeffs.style, "class2"),
		      "BondBond and BondAngle Coeffs");
		test_round_trip_data(&d, "v3-out.data");
		lmp_data_free(&d);
	}

	/* No atoms at all: a valid empty box. */
	rc = read_text(&d, "v4.data",
		       "empty\n\n0 atoms\n0 atom types\n"
		       "0 1 xlo xhi\n0 1 ylo yhi\n0 1 zlo zhi\n", &e);
	CHECK(rc == 0 && d.natoms == 0 && lmp_data_index(&d, 1) == -1,
	      "a file with 0 atoms and no sections (%s)", rc ? e.msg : "");
	lmp_data_free(&d);
}

/* ---- malformed files: each fails, naming its file and line -------------- */

/* A 1-type, 2-atom header (lines 1-7), Masses (8-11), Atoms (12-16). */
#define H "t\n\n2 atoms\n1 atom types\n0 1 xlo xhi\n0 1 ylo yhi\n0 1 zlo zhi\n"
#define H2 "t\n\n2 atoms\n2 atom types\n0 1 xlo xhi\n0 1 ylo yhi\n0 1 zlo zhi\n"
#define M "\nMasses\n\n1 1.0\n"
#define A "\nAtoms # atomic\n\n1 1 0.1 0.2 0.3\n2 1 0.4 0.5 0.6\n"
/* With one bond (lines 1-9), Masses (10-13), full Atoms (14-18). */
#define HF "t\n\n2 atoms\n1 atom types\n1 bonds\n1 bond types\n" \
	   "0 1 xlo xhi\n0 1 ylo yhi\n0 1 zlo zhi\n"
#define AF "\nAtoms # full\n\n1 1 1 0 0 0 0\n2 1 1 0 0 0 0\n"

static const struct bad {
	const char *name, *text;
	size_t len;         /* 0: strlen(text) */
	int line;
	const char *what;
} bad[] = {
	{"empty", "", 0, 1, "empty file"},
	{"no-zlo", "t\n\n2 atoms\n1 atom types\n0 1 xlo xhi\n0 1 ylo yhi\n" M A,
	 0, 8, "no 'zlo zhi' line"},
	{"no-atoms", H M, 0, 11, "without an Atoms section"},
	{"atoms-short", H M "\nAtoms\n\n1 1 0 0 0\n\nVelocities\n\n1 0 0 0\n",
	 0, 16, "ended after 1 of 2 lines"},
	{"atoms-long", H M "\nAtoms\n\n1 1 0 0 0\n2 1 0 0 0\n3 1 0 0 0\n", 0,
	 17, "more lines than the 2"},
	{"atoms-eof", H M "\nAtoms\n\n1 1 0 0 0", 0, 16,
	 "end of file after 1 of 2"},
	{"vel-unknown-id", H M A "\nVelocities\n\n1 0 0 0\n5 0 0 0\n", 0, 21,
	 "atom id 5 is not in Atoms"},
	{"vel-twice", H M A "\nVelocities\n\n2 0 0 0\n2 0 0 0\n", 0, 21,
	 "atom id 2 given twice (also on line 20)"},
	{"vel-columns", H M A "\nVelocities\n\n1 0 0\n2 0 0 0\n", 0, 20,
	 "expected 'id vx vy vz'"},
	{"dup-atom-id", H M "\nAtoms\n\n1 1 0 0 0\n1 1 0 0 0\n", 0, 16,
	 "atom id 1 given twice (also on line 15)"},
	{"atom-id-0", H M "\nAtoms\n\n0 1 0 0 0\n2 1 0 0 0\n", 0, 15,
	 "atom id 0 is not positive"},
	{"type-range", H M "\nAtoms\n\n1 1 0 0 0\n2 2 0 0 0\n", 0, 16,
	 "atom type 2 is out of range 1..1"},
	{"type-real", H M "\nAtoms\n\n1 1.0 0 0 0\n2 1 0 0 0\n", 0, 15,
	 "'1.0' is not an integer"},
	{"garbage", H M "\nAtoms\n\n1 1 0.1x 0 0\n2 1 0 0 0\n", 0, 15,
	 "'0.1x' is not a number"},
	{"hex", H M "\nAtoms\n\n1 1 0x10 0 0\n2 1 0 0 0\n", 0, 15,
	 "'0x10' is not a number"},
	{"inf", H M "\nAtoms\n\n1 1 0 inf 0\n2 1 0 0 0\n", 0, 15,
	 "'inf' is not a number"},
	{"overflow", H M "\nAtoms\n\n1 1 0 0 0\n2 1 0 0 1e999\n", 0, 16,
	 "'1e999' is out of range"},
	{"mixed-columns", H M "\nAtoms\n\n1 1 0 0 0\n2 1 0 0 0 0 0 0\n", 0,
	 16, "8 values, expected 5 as on line 15"},
	{"style-unknown-cols", H M "\nAtoms\n\n1 1 0 0 0 0\n2 1 0 0 0 0\n", 0,
	 15, "cannot tell the atom style from 6 values"},
	{"style-mismatch", H M "\nAtoms # full\n\n1 1 0 0 0\n2 1 0 0 0\n", 0,
	 15, "Atoms # full: expected"},
	{"style-charge", H M "\nAtoms # charge\n\n1 1 0 0 0 0\n", 0, 13,
	 "atom style 'charge' is not supported"},
	{"masses-dup", H2 M "1 2.0\n" A, 0, 12,
	 "type 1 given twice (also on line 11), so type 2 has no entry"},
	{"masses-short", H2 M "\nAtoms\n\n1 1 0 0 0\n2 1 0 0 0\n", 0, 12,
	 "ended after 1 of 2 lines (header: 2 atom types); no entry for type 2"},
	{"mass-negative", H "\nMasses\n\n1 -1.0\n" A, 0, 11,
	 "mass of type 1 must be positive"},
	{"masses-columns", H "\nMasses\n\n1 1.0 2.0\n" A, 0, 11,
	 "expected 'type mass', got 3 values"},
	{"unknown-section", H "\nFoo Bar # x\n\n" M A, 0, 9,
	 "unknown section 'Foo Bar'"},
	{"unsupported-section", H "\nEllipsoids\n\n", 0, 9,
	 "section 'Ellipsoids' is not supported"},
	{"dup-section", H M M A, 0, 13,
	 "section 'Masses' given twice (first on line 9)"},
	{"no-blank-after-kw", H "\nMasses\n1 1.0\n" A, 0, 10,
	 "expected a blank line after the section name"},
	{"eof-after-kw", H "\nMasses", 0, 10, "end of file right after"},
	{"header-after-sections", H M "\n3 atoms\n", 0, 13,
	 "header line '3 atoms' after the first section"},
	{"dup-header", "t\n\n2 atoms\n2 atoms\n", 0, 4,
	 "'atoms' given twice (also on line 3)"},
	{"count-negative", "t\n\n-2 atoms\n", 0, 3, "count must be"},
	{"count-garbage", "t\n\n2x atoms\n", 0, 3, "count must be"},
	{"box-inverted", "t\n\n2 atoms\n1 atom types\n1 0 xlo xhi\n", 0, 5,
	 "low bound 1 is not below high bound 0"},
	{"nul-byte", "t\n\n2 at\0oms\n", 12, 3, "NUL byte"},
	{"bond-unknown-atom", HF M AF "\nBonds\n\n1 1 1 3\n", 0, 22,
	 "Bonds: atom id 3 is not in Atoms"},
	{"bond-type", HF M AF "\nBonds\n\n1 2 1 2\n", 0, 22,
	 "type 2 is out of range 1..1"},
	{"bond-self", HF M AF "\nBonds\n\n1 1 2 2\n", 0, 22,
	 "atom id 2 appears twice"},
	{"bonds-missing", HF M AF, 0, 18, "without a Bonds section"},
	{"bonds-zero", H M A "\nBonds\n\n1 1 1 2\n", 0, 18,
	 "but the header gives 0 bonds"},
	{"atomic-with-bonds", HF M A, 0, 15,
	 "atom style atomic has no bonds"},
	{"coeffs-too-many", HF M "\nBond Coeffs\n\n1 1 2 3 4 5 6 7 8 9\n", 0,
	 17, "9 coefficients, at most 8"},
	{"pairij-order", H2 "\nPairIJ Coeffs # lj/cut\n\n1 1 1 1\n2 1 1 1\n",
	 0, 12, "type i 2 is above type j 1"},
	{"pairij-twice", H2 "\nPairIJ Coeffs\n\n1 1 1 1\n1 1 1 1\n2 2 1 1\n",
	 0, 12, "pair 1 1 given twice (also on line 11)"},
	{"pair-columns", H "\nPair Coeffs # lj/cut\n\n1 1 1 2.5 3\n", 0, 11,
	 "expected 'type eps sigma [cut]', got 5 values"},
	{"pair-cut-zero", H2 "\nPairIJ Coeffs\n\n1 1 1 1 2.5\n1 2 1 1 -0\n2 2 1 1\n",
	 0, 12, "cutoff -0 must be positive"},
	{"pair-and-pairij", H "\nPair Coeffs\n\n1 1 1\n\nPairIJ Coeffs\n\n", 0,
	 13, "Pair Coeffs (line 9) and PairIJ Coeffs"},
};

static void test_bad(void)
{
	for (size_t k = 0; k < sizeof bad / sizeof *bad; k++) {
		const struct bad *b = &bad[k];
		struct lmp_data d;
		struct err e = {""};
		char path[256], loc[300];
		size_t len = b->len ? b->len : strlen(b->text);
		int rc;
		spath(path, sizeof path, b->name);
		if (write_file(path, b->text, len)) {
			CHECK(0, "bad %s: cannot write", b->name);
			continue;
		}
		memset(&d, 0xab, sizeof d); /* read must not care */
		rc = lmp_data_read(&d, path, &e);
		snprintf(loc, sizeof loc, "%s:%d: ", path, b->line);
		CHECK(rc != 0 && !strncmp(e.msg, loc, strlen(loc)) &&
			      strstr(e.msg, b->what),
		      "bad %s: fails at line %d with '%s' (got rc %d: %s)",
		      b->name, b->line, b->what, rc, e.msg);
		CHECK(d.id == NULL && d.title == NULL && d.natoms == 0,
		      "bad %s: data left empty", b->name);
		lmp_data_free(&d);
	}
}

/* ---- builders and the writer's own errors ----------------------------- */

static size_t count_entries(const char *dir)
{
	char cmd[512];
	FILE *p;
	size_t n = 0;
	snprintf(cmd, sizeof cmd, "ls -A '%s'", dir);
	if (!(p = popen(cmd, "r")))
		return (size_t)-1;
	for (int c; (c = fgetc(p)) != EOF;)
		n += c == '\n';
	pclose(p);
	return n;
}

static void test_builder_and_write_errors(void)
{
	struct lmp_data d, z, b;
	struct err e = {""};
	char path[512], dir[256], why[256] = "";
	int rc;

	memset(&z, 0, sizeof z);
	lmp_data_free(&z);
	lmp_data_free(&z);
	CHECK(lmp_data_index(&z, 1) == -1, "zeroed struct: free twice, index -1");

	rc = lmp_data_alloc(&d, 3, 2, 1, &e);
	CHECK(rc == 0 && d.natoms == 3 && d.ntypes == 2 && d.vx && d.vz &&
		      d.mass && d.pair_eps && d.x[2] == 0 && d.id[2] == 0 &&
		      !d.has_mass && !d.has_pair,
	      "lmp_data_alloc: zeroed arrays, velocities asked for");
	if (rc)
		return;
	d.title = strdup("built by test_lmp_data");
	for (int a = 0; a < 3; a++) {
		d.lo[a] = -5;
		d.hi[a] = 5 + a;
	}
	for (size_t i = 0; i < 3; i++) {
		d.id[i] = 2 * (long)i + 1;
		d.type[i] = 1 + (int)(i % 2);
		d.x[i] = 0.1 * (double)i + 1.0 / 3.0;   /* needs 17 digits */
		d.y[i] = -1e-300 * (double)i;            /* tiny */
		d.z[i] = 4.9999999999999991;             /* next below 5 */
		d.ix[i] = (int)i - 1;
		d.vx[i] = 1e10 / 3.0;
	}
	d.mass[0] = 39.948;
	d.mass[1] = 131.293;
	d.has_mass = 1;
	d.pair_eps[0] = 1.0;
	d.pair_sig[0] = 1.0;
	d.pair_eps[3] = 1.0 / 7.0;
	d.pair_sig[3] = 1.1;
	d.pair_cut[3] = 3.0;
	d.has_pair = 1;
	strcpy(d.pair_style, "lj/cut");
	test_round_trip_data(&d, "built.data");

	rc = lmp_data_write(&d, spath(path, sizeof path, "built.data"), &e);
	CHECK(rc == 0, "write over an existing file (%s)", rc ? e.msg : "");
	rc = lmp_data_read(&b, path, &e);
	CHECK(rc == 0 && same_data(&d, &b, why, sizeof why),
	      "overwritten file reads the same %s", why);
	if (!rc)
		lmp_data_free(&b);

	/* Failing writes leave no file and no temporary behind. */
	snprintf(dir, sizeof dir, "%s/w", scratch);
	mkdir(dir, 0755);
	snprintf(path, sizeof path, "%s/out.data", dir);
	d.x[1] = NAN;
	rc = lmp_data_write(&d, path, &e);
	CHECK(rc != 0 && strstr(e.msg, "non-finite"),
	      "write refuses a NaN position (%s)", e.msg);
	d.x[1] = 0;
	d.id[2] = 1;
	rc = lmp_data_write(&d, path, &e);
	CHECK(rc != 0 && strstr(e.msg, "ascending"),
	      "write refuses unsorted ids (%s)", e.msg);
	d.id[2] = 5;
	d.type[0] = 3;
	rc = lmp_data_write(&d, path, &e);
	CHECK(rc != 0 && strstr(e.msg, "type 3"),
	      "write refuses an atom type out of range (%s)", e.msg);
	d.type[0] = 1;
	d.nbondtypes = 1;
	rc = lmp_data_write(&d, path, &e);
	CHECK(rc != 0 && strstr(e.msg, "atomic cannot have bonds"),
	      "write refuses bonds with atom style atomic (%s)", e.msg);
	d.nbondtypes = 0;
	d.mass[1] = 0;
	rc = lmp_data_write(&d, path, &e);
	CHECK(rc != 0 && strstr(e.msg, "mass of type 2"),
	      "write refuses a zero mass (%s)", e.msg);
	d.mass[1] = 131.293;
	CHECK(count_entries(dir) == 0, "failed writes left nothing in %s", dir);
	rc = lmp_data_write(&d, "/nonexistent-dir/x.data", &e);
	CHECK(rc != 0 && strstr(e.msg, "/nonexistent-dir/x.data"),
	      "write into a missing directory fails (%s)", e.msg);

	/* A full-style builder with topology. */
	d.style = LMP_FULL;
	d.nbondtypes = 1;
	d.bonds.n = 1;
	d.bonds.nat = 2;
	d.bonds.id = calloc(1, sizeof *d.bonds.id);
	d.bonds.type = calloc(1, sizeof *d.bonds.type);
	d.bonds.atom = calloc(2, sizeof *d.bonds.atom);
	if (d.bonds.id && d.bonds.type && d.bonds.atom) {
		d.bonds.id[0] = 1;
		d.bonds.type[0] = 1;
		d.bonds.atom[0] = 1;
		d.bonds.atom[1] = 5;
		d.mol[0] = d.mol[2] = 7;
		d.q[0] = 0.4;
		d.q[2] = -0.4;
		test_round_trip_data(&d, "built-full.data");
		d.bonds.atom[1] = 4;
		rc = lmp_data_write(&d, path, &e);
		CHECK(rc != 0 && strstr(e.msg, "atom id 4"),
		      "write refuses a bond to a missing atom (%s)", e.msg);
	}
	lmp_data_free(&d);

	rc = lmp_data_read(&d, "/nonexistent-dir/x.data", &e);
	CHECK(rc != 0 && strstr(e.msg, "cannot open") && d.id == NULL,
	      "reading a missing file fails (%s)", e.msg);
}

/* The stream reader and writer (used by the fuzz target) agree with the
 * file ones. */
static void test_streams(void)
{
	struct lmp_data a, b;
	struct err e = {""};
	char *buf = NULL, why[256] = "";
	size_t len = 0;
	FILE *fp;
	int rc;
	if (lmp_data_read(&a, FIX "full.data", &e)) {
		CHECK(0, "streams: read (%s)", e.msg);
		return;
	}
	fp = open_memstream(&buf, &len);
	rc = fp ? lmp_data_write_stream(&a, fp, "mem", &e) : -1;
	if (fp)
		fclose(fp);
	CHECK(rc == 0 && len > 0, "write_stream to memory (%s)", e.msg);
	fp = rc ? NULL : fmemopen(buf, len, "r");
	rc = fp ? lmp_data_read_stream(&b, fp, "mem", &e) : -1;
	if (fp)
		fclose(fp);
	CHECK(rc == 0 && same_data(&a, &b, why, sizeof why),
	      "read_stream of write_stream is the same %s", why);
	if (!rc)
		lmp_data_free(&b);
	lmp_data_free(&a);
	free(buf);
}

int main(void)
{
	char cmd[128];
	snprintf(scratch, sizeof scratch, "/tmp/test_lmp_data.XXXXXX");
	if (!mkdtemp(scratch)) {
		CHECK(0, "mkdtemp");
		return check_done();
	}
	test_lj_mix();
	test_lj_pairij();
	test_full();
	test_round_trip("lj_mix.data");
	test_round_trip("lj_pairij.data");
	test_round_trip("full.data");
	test_round_trip("full_pairij.data");
	test_round_trip("full-in.data");
	test_same_bytes("lj_mix.data");
	test_same_bytes("lj_pairij.data");
	test_same_bytes("full.data");
	test_lammps_reads_ours("lj_mix.data",
			       "units lj\natom_style atomic\n"
			       "pair_style lj/cut 2.5", "");
	test_lammps_reads_ours("lj_pairij.data",
			       "units lj\natom_style atomic\n"
			       "pair_style lj/cut 2.5", " pair ij");
	test_lammps_reads_ours("full.data",
			       "units real\natom_style full\n"
			       "pair_style lj/cut/coul/cut 10.0\n"
			       "bond_style harmonic\nangle_style harmonic\n"
			       "dihedral_style opls\nimproper_style harmonic",
			       "");
	test_variants();
	test_bad();
	test_builder_and_write_errors();
	test_streams();
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", scratch);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", scratch);
	return check_done();
}
