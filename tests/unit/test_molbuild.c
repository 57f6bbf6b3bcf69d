/* Unit tests of common/molbuild.c: spec parsing, the merge of two templates
 * (share/ff spce + methanol: type and id offsets, concatenated Coeffs,
 * molecule ids), the zspread placement (one copy per layer, inside the
 * packing region, copies at least the tolerance apart with periodic images,
 * the same seed the same positions), the packmol input, and a round trip
 * of the merged file through lmp_data. Runs in tests/unit. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "lmp_data.h"
#include "molbuild.h"
#include "rng.h"

#define FF "../../share/ff/"

static void test_parse(void)
{
	struct molbuild_spec s;
	struct err e = {{0}};
	CHECK(molbuild_parse_spec("a.data:10", &s, &e) == 0 && s.count == 10 &&
	      !s.zspread && !strcmp(s.path, "a.data"), "FILE:COUNT");
	molbuild_spec_free(&s);
	CHECK(molbuild_parse_spec("dir:x/b.data:3:zspread", &s, &e) == 0 &&
	      s.count == 3 && s.zspread && !strcmp(s.path, "dir:x/b.data"),
	      "FILE:COUNT:zspread, FILE with a colon");
	molbuild_spec_free(&s);
	const char *bad[] = {"a.data", "a.data:0", "a.data:-2", "a.data:x",
			     "a.data:3:spread", ":3", "a.data:zspread", "a.data:3x"};
	for (size_t k = 0; k < sizeof bad / sizeof *bad; k++) {
		int rc = molbuild_parse_spec(bad[k], &s, &e);
		CHECK(rc != 0 && strstr(e.msg, "--mol"), "'%s' refused: %s", bad[k], e.msg);
		if (!rc)
			molbuild_spec_free(&s);
	}
}

static void test_merge_place(void)
{
	struct molbuild_spec spec[2];
	struct molbuild mb;
	struct err e = {{0}};
	molbuild_parse_spec(FF "spce.data:5", &spec[0], &e);
	molbuild_parse_spec(FF "methanol.data:3:zspread", &spec[1], &e);
	if (molbuild_load(&mb, spec, 2, &e)) {
		CHECK(0, "load spce + methanol: %s", e.msg);
		molbuild_free(&mb);
		return;
	}
	CHECK(mb.natoms == 5 * 3 + 3 * 6, "natoms 33 (got %zu)", mb.natoms);
	CHECK_CLOSE(mb.mass[1], 32.0424, 0, 1e-9, "methanol mass");
	double box[3] = {15, 15, 24}, tol = 2.0;
	CHECK(molbuild_check_box(&mb, box, tol, 2.0, &e) == 0, "box fits");
	double small[3] = {3, 15, 15};
	CHECK(molbuild_check_box(&mb, small, tol, 2.0, &e) != 0 &&
	      strstr(e.msg, "too small"), "3 A box refused: %s", e.msg);

	/* zspread placement */
	double *pos[2], *pos2[2];
	struct rng r;
	rng_seed(&r, 7);
	CHECK(molbuild_place_zspread(&mb, box, tol, &r, 100000, pos, &e) == 0,
	      "place 3 methanols");
	CHECK(pos[0] == NULL && pos[1] != NULL, "positions only for the zspread spec");
	double lo = tol / 2, h = (box[2] - tol - 0) / 3, dmin = INFINITY;
	int inside = 1, layered = 1;
	size_t c0 = mb.center[1];
	for (int l = 0; l < 3; l++) {
		double zc = pos[1][(l * 6 + c0) * 3 + 2];
		if (!(zc >= lo + h * l && zc < lo + h * (l + 1)))
			layered = 0;
		for (int i = 0; i < 6; i++)
			for (int a = 0; a < 3; a++) {
				double v = pos[1][(l * 6 + i) * 3 + a];
				if (v < lo || v > box[a] - lo)
					inside = 0;
			}
	}
	for (int i = 0; i < 18; i++)
		for (int j = i + 1; j < 18; j++) {
			if (i / 6 == j / 6)
				continue;
			double d2 = 0;
			for (int a = 0; a < 3; a++) {
				double d = pos[1][i * 3 + a] - pos[1][j * 3 + a];
				d -= box[a] * nearbyint(d / box[a]);
				d2 += d * d;
			}
			dmin = fmin(dmin, sqrt(d2));
		}
	CHECK(layered, "central atom of copy l in z layer l");
	CHECK(inside, "every atom inside [tol/2, L - tol/2]");
	CHECK(dmin >= tol, "copies at least the tolerance apart (min %.3f)", dmin);
	/* rigid copies: the C-O bond keeps its template length 1.41 */
	double dco = 0;
	for (int a = 0; a < 3; a++)
		dco += pow(pos[1][0 * 3 + a] - pos[1][4 * 3 + a], 2);
	CHECK_CLOSE(sqrt(dco), 1.41, 0, 1e-6, "copy is the rotated template (C-O)");
	rng_seed(&r, 7);
	molbuild_place_zspread(&mb, box, tol, &r, 100000, pos2, &e);
	CHECK(!memcmp(pos[1], pos2[1], 18 * 3 * sizeof(double)), "same seed, same placement");
	free(pos2[1]);

	/* packmol input */
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	const char *xyz[2] = {"w.xyz", "m.xyz"};
	molbuild_packmol_input(&mb, box, tol, 3, 0, xyz, "o.xyz", fp, &e);
	fclose(fp);
	CHECK(strstr(buf, "tolerance 2\nseed 3\nfiletype xyz\noutput o.xyz") != NULL,
	      "packmol header");
	CHECK(strstr(buf, "structure w.xyz\n  number 5\n  inside box 1 1 1 14 14 23") != NULL,
	      "water packed inside [1, L-1]");
	CHECK(strstr(buf, "structure m.xyz\n  number 1\n  fixed 0. 0. 0. 0. 0. 0.") != NULL,
	      "placed solutes are one fixed structure");
	free(buf);

	/* merge at made-up positions: water i at (i, i, i) offsets, the
	 * methanols where they were placed */
	double x[33], y[33], z[33];
	for (int i = 0; i < 15; i++) {
		x[i] = 1 + i * 0.5;
		y[i] = 2;
		z[i] = 3;
	}
	for (int i = 0; i < 18; i++) {
		x[15 + i] = pos[1][i * 3];
		y[15 + i] = pos[1][i * 3 + 1];
		z[15 + i] = pos[1][i * 3 + 2];
	}
	struct lmp_data d;
	CHECK(molbuild_merge(&mb, box, x, y, z, "t", &d, &e) == 0, "merge");
	CHECK(d.ntypes == 2 + 4, "6 atom types");
	CHECK(d.nbondtypes == 1 + 3 && d.nangletypes == 1 + 3 &&
	      d.ndihedraltypes == 1 && d.nimpropertypes == 0,
	      "bonded types: 4 bond, 4 angle, 1 dihedral");
	CHECK(d.bonds.n == 5 * 2 + 3 * 5 && d.angles.n == 5 + 3 * 7 &&
	      d.dihedrals.n == 3 * 3, "terms: 25 bonds, 26 angles, 9 dihedrals");
	CHECK(d.mol[0] == 1 && d.mol[14] == 5 && d.mol[15] == 6 && d.mol[32] == 8,
	      "molecule ids 1-5 water, 6-8 methanol");
	CHECK(d.type[15] == 3 && d.type[20] == 6, "methanol types shifted by 2");
	/* methanol copy 2 (atoms 28..33): its O-H bond (template bond 5,
	 * atoms 5 6, type 3) is bond 10 + 2*5 + 5 = 25, atoms 32 33, type 4 */
	CHECK(d.bonds.atom[24 * 2] == 32 && d.bonds.atom[24 * 2 + 1] == 33 &&
	      d.bonds.type[24] == 4, "bond 25: atoms 32-33, type 4");
	CHECK(!strcmp(d.dihedral_coeffs.style, "multi/harmonic") &&
	      !strcmp(d.bond_coeffs.style, "harmonic"), "styles kept");
	CHECK_CLOSE(d.bond_coeffs.p[0 * LMP_MAXP + 1], 1.0, 0, 0, "bond type 1 = SPC/E r0");
	CHECK_CLOSE(d.bond_coeffs.p[3 * LMP_MAXP + 1], 0.945, 0, 0, "bond type 4 = methanol O-H r0");
	CHECK_CLOSE(d.pair_sig[2 * 6 + 2], 3.5, 0, 0, "pair type 3 = methanol C sigma");
	double q = 0;
	for (size_t i = 0; i < d.natoms; i++)
		q += d.q[i];
	CHECK_CLOSE(q, 0, 0, 1e-12, "net charge 0");

	/* round trip through the writer and reader */
	const char *path = "molbuild_rt.data";
	CHECK(lmp_data_write_commented(&d, "# a comment\n", path, &e) == 0,
	      "write");
	{ /* the comment right after the title, then the blank line */
		char l[3][256] = {{0}};
		FILE *rf = fopen(path, "r");
		for (int k = 0; rf && k < 3 && fgets(l[k], sizeof l[k], rf); k++)
			;
		if (rf)
			fclose(rf);
		CHECK(!strcmp(l[1], "# a comment\n") && !strcmp(l[2], "\n"),
		      "comment after the title line, then a blank line "
		      "(got %zu and %zu characters)", strlen(l[1]), strlen(l[2]));
	}
	struct lmp_data d2;
	if (lmp_data_read(&d2, path, &e) == 0) {
		CHECK(d2.natoms == 33 && d2.bonds.n == 25 && d2.ntypes == 6 &&
		      d2.mol[32] == 8 && d2.x[20] == d.x[20],
		      "read back: same atoms, bonds, types, positions");
		lmp_data_free(&d2);
	} else
		CHECK(0, "read back: %s", e.msg);
	remove(path);
	lmp_data_free(&d);
	free(pos[1]);
	molbuild_free(&mb);
}

static void test_refusals(void)
{
	struct molbuild_spec spec[2];
	struct molbuild mb;
	struct err e = {{0}};
	molbuild_parse_spec("no-such-file.data:1", &spec[0], &e);
	CHECK(molbuild_load(&mb, spec, 1, &e) != 0 && strstr(e.msg, "no-such-file.data"),
	      "missing template: %s", e.msg);
	molbuild_free(&mb);
	/* an LJ (atomic) data file is not a template */
	molbuild_parse_spec("../fixtures/integrate/liquid.data:1", &spec[0], &e);
	CHECK(molbuild_load(&mb, spec, 1, &e) != 0 && strstr(e.msg, "atom_style full"),
	      "atomic file refused: %s", e.msg);
	molbuild_free(&mb);
	/* dense: 1000 waters in 10^3 A^3 */
	molbuild_parse_spec(FF "spce.data:1000", &spec[0], &e);
	if (molbuild_load(&mb, spec, 1, &e) == 0) {
		double box[3] = {10, 10, 10};
		CHECK(molbuild_check_box(&mb, box, 2.0, 2.0, &e) != 0 &&
		      strstr(e.msg, "density"), "too dense: %s", e.msg);
		/* zspread copies that cannot fit: 20 glucose layers in 12x12 */
	}
	molbuild_free(&mb);
	molbuild_parse_spec(FF "glucose.data:20:zspread", &spec[0], &e);
	if (molbuild_load(&mb, spec, 1, &e) == 0) {
		double box[3] = {12, 12, 30}, *pos[1];
		struct rng r;
		rng_seed(&r, 1);
		CHECK(molbuild_place_zspread(&mb, box, 2.0, &r, 200, pos, &e) != 0 &&
		      strstr(e.msg, "no room for copy"), "no room: %s", e.msg);
	}
	molbuild_free(&mb);
}

int main(void)
{
	test_parse();
	test_merge_place();
	test_refusals();
	return check_done();
}
