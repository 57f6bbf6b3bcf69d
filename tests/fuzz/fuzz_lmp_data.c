/* libFuzzer target for common/lmp_data.
 *
 * Any bytes either parse or fail with a "fuzz:LINE: ..." message. What
 * parses must satisfy the reader's promises (ids ascending and found by
 * lmp_data_index, types in range, topology naming existing atoms), must be
 * accepted by the writer, and must read back from the writer's output
 * bit for bit: a writer that produced a file its own reader refuses or
 * reads differently is a bug as much as a crash is. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lmp_data.h"

#define REQUIRE(c)                                                        \
	do {                                                              \
		if (!(c)) {                                               \
			fprintf(stderr, "fuzz_lmp_data: %s:%d: %s\n",     \
				__FILE__, __LINE__, #c);                  \
			abort();                                          \
		}                                                         \
	} while (0)

static int same(const void *a, const void *b, size_t n)
{
	return !n || (a && b && !memcmp(a, b, n));
}

static void check_topo(const struct lmp_topo *a, const struct lmp_topo *b)
{
	REQUIRE(a->n == b->n);
	if (!a->n)
		return;
	REQUIRE(a->nat == b->nat);
	REQUIRE(same(a->id, b->id, a->n * sizeof *a->id));
	REQUIRE(same(a->type, b->type, a->n * sizeof *a->type));
	REQUIRE(same(a->atom, b->atom, a->n * (size_t)a->nat * sizeof *a->atom));
}

static void check_coeffs(const struct lmp_coeffs *a,
			 const struct lmp_coeffs *b)
{
	REQUIRE(a->present == b->present);
	if (!a->present)
		return;
	REQUIRE(!strcmp(a->style, b->style) && a->ntypes == b->ntypes);
	for (size_t t = 0; t < a->ntypes; t++) {
		REQUIRE(a->nparam[t] == b->nparam[t]);
		REQUIRE(same(a->p + t * LMP_MAXP, b->p + t * LMP_MAXP,
			     (size_t)a->nparam[t] * sizeof *a->p));
	}
}

static void check_same(const struct lmp_data *a, const struct lmp_data *b)
{
	size_t n = a->natoms, nn = a->ntypes * a->ntypes;
	REQUIRE(!strcmp(a->title, b->title));
	REQUIRE(a->style == b->style && a->natoms == b->natoms &&
		a->ntypes == b->ntypes);
	REQUIRE(a->nbondtypes == b->nbondtypes &&
		a->nangletypes == b->nangletypes &&
		a->ndihedraltypes == b->ndihedraltypes &&
		a->nimpropertypes == b->nimpropertypes);
	REQUIRE(same(a->lo, b->lo, sizeof a->lo) &&
		same(a->hi, b->hi, sizeof a->hi));
	REQUIRE(a->triclinic == b->triclinic && same(&a->xy, &b->xy, 8) &&
		same(&a->xz, &b->xz, 8) && same(&a->yz, &b->yz, 8));
	REQUIRE(a->has_mass == b->has_mass);
	if (a->has_mass)
		REQUIRE(same(a->mass, b->mass, a->ntypes * sizeof *a->mass));
	REQUIRE(a->has_pair == b->has_pair && a->has_pairij == b->has_pairij);
	if (a->has_pair || a->has_pairij) {
		REQUIRE(!strcmp(a->pair_style[0] ? a->pair_style : "lj/cut",
				b->pair_style));
		REQUIRE(same(a->pair_eps, b->pair_eps, nn * sizeof(double)) &&
			same(a->pair_sig, b->pair_sig, nn * sizeof(double)) &&
			same(a->pair_cut, b->pair_cut, nn * sizeof(double)));
	}
	REQUIRE(same(a->id, b->id, n * sizeof *a->id));
	REQUIRE(same(a->type, b->type, n * sizeof *a->type));
	REQUIRE(same(a->mol, b->mol, n * sizeof *a->mol));
	REQUIRE(same(a->q, b->q, n * sizeof *a->q));
	REQUIRE(same(a->x, b->x, n * sizeof *a->x) &&
		same(a->y, b->y, n * sizeof *a->y) &&
		same(a->z, b->z, n * sizeof *a->z));
	REQUIRE(same(a->ix, b->ix, n * sizeof *a->ix) &&
		same(a->iy, b->iy, n * sizeof *a->iy) &&
		same(a->iz, b->iz, n * sizeof *a->iz));
	REQUIRE(!a->vx == !b->vx);
	if (a->vx)
		REQUIRE(same(a->vx, b->vx, n * sizeof *a->vx) &&
			same(a->vy, b->vy, n * sizeof *a->vy) &&
			same(a->vz, b->vz, n * sizeof *a->vz));
	check_topo(&a->bonds, &b->bonds);
	check_topo(&a->angles, &b->angles);
	check_topo(&a->dihedrals, &b->dihedrals);
	check_topo(&a->impropers, &b->impropers);
	check_coeffs(&a->bond_coeffs, &b->bond_coeffs);
	check_coeffs(&a->angle_coeffs, &b->angle_coeffs);
	check_coeffs(&a->dihedral_coeffs, &b->dihedral_coeffs);
	check_coeffs(&a->improper_coeffs, &b->improper_coeffs);
	check_coeffs(&a->bondbond_coeffs, &b->bondbond_coeffs);
	check_coeffs(&a->bondangle_coeffs, &b->bondangle_coeffs);
}

static void check_promises(const struct lmp_data *d)
{
	const struct lmp_topo *t[4] = {&d->bonds, &d->angles, &d->dihedrals,
				       &d->impropers};
	for (size_t i = 0; i < d->natoms; i++) {
		REQUIRE(d->id[i] > 0 && (!i || d->id[i] > d->id[i - 1]));
		REQUIRE(lmp_data_index(d, d->id[i]) == (long)i);
		REQUIRE(d->type[i] >= 1 && (size_t)d->type[i] <= d->ntypes);
	}
	for (int k = 0; k < 4; k++)
		for (size_t j = 0; j < t[k]->n * (size_t)t[k]->nat; j++)
			REQUIRE(lmp_data_index(d, t[k]->atom[j]) >= 0);
	for (int a = 0; a < 3; a++)
		REQUIRE(d->lo[a] < d->hi[a]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lmp_data d, b;
	struct err e;
	char *buf = NULL;
	size_t len = 0;
	FILE *fp;
	int rc;

	/* glibc's fmemopen refuses a zero size; the unit test covers it. */
	if (size == 0)
		return 0;
	fp = fmemopen((void *)data, size, "r");
	if (!fp)
		return 0;
	memset(&e, 0, sizeof e);
	rc = lmp_data_read_stream(&d, fp, "fuzz", &e);
	fclose(fp);
	if (rc) {
		REQUIRE(!strncmp(e.msg, "fuzz:", 5));
		REQUIRE(d.id == NULL && d.title == NULL);
		return 0;
	}
	check_promises(&d);

	fp = open_memstream(&buf, &len);
	REQUIRE(fp);
	rc = lmp_data_write_stream(&d, fp, "fuzz-out", &e);
	if (rc)
		fprintf(stderr, "write failed: %s\n", e.msg);
	REQUIRE(rc == 0);
	REQUIRE(fclose(fp) == 0);
	fp = fmemopen(buf, len, "r");
	REQUIRE(fp);
	rc = lmp_data_read_stream(&b, fp, "fuzz-out", &e);
	fclose(fp);
	if (rc)
		fprintf(stderr, "reading our own output failed: %s\n", e.msg);
	REQUIRE(rc == 0);
	check_same(&d, &b);
	lmp_data_free(&b);
	lmp_data_free(&d);
	free(buf);
	return 0;
}
