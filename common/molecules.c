#include "molecules.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct keyed { long key; size_t atom; };

static int by_key(const void *a, const void *b)
{
	const struct keyed *x = a, *y = b;
	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->atom < y->atom ? -1 : x->atom > y->atom;
}

int molecules_group(struct molecules *m, const struct lmp_data *d,
		    struct err *e)
{
	return molecules_group_ids(m, d->style == LMP_FULL ? d->mol : NULL,
				   d->natoms, e);
}

int molecules_group_ids(struct molecules *m, const long *mol, size_t n,
			struct err *e)
{
	memset(m, 0, sizeof *m);
	struct keyed *k = malloc((n ? n : 1) * sizeof *k);
	m->atom = malloc((n ? n : 1) * sizeof *m->atom);
	m->start = malloc((n + 1) * sizeof *m->start);
	m->id = malloc((n ? n : 1) * sizeof *m->id);
	if (!k || !m->atom || !m->start || !m->id) {
		free(k);
		molecules_free(m);
		return err_set(e, "out of memory");
	}
	for (size_t i = 0; i < n; i++) {
		long id = mol ? mol[i] : 0;
		/* negative keys cannot collide with LAMMPS molecule ids (>= 0) */
		k[i].key = id > 0 ? id : -(long)i - 1;
		k[i].atom = i;
	}
	qsort(k, n, sizeof *k, by_key);
	for (size_t i = 0; i < n; i++) {
		if (i == 0 || k[i].key != k[i - 1].key) {
			m->id[m->nmol] = k[i].key > 0 ? k[i].key : 0;
			m->start[m->nmol++] = i;
		}
		m->atom[i] = k[i].atom;
	}
	m->start[m->nmol] = n;
	m->natoms = n;
	free(k);
	return 0;
}

void molecules_free(struct molecules *m)
{
	free(m->start);
	free(m->atom);
	free(m->id);
	memset(m, 0, sizeof *m);
}

void molecules_com(const struct molecules *m, size_t k, const double *mass,
		   const double *x, const double *y, const double *z,
		   const double len[3], double com[3])
{
	const double *pos[3] = {x, y, z};
	size_t j0 = m->start[k], j1 = m->start[k + 1], a0 = m->atom[j0];
	double mt = 0.0, s[3] = {0.0, 0.0, 0.0};
	for (size_t j = j0; j < j1; j++) {
		size_t a = m->atom[j];
		mt += mass[a];
		for (int c = 0; c < 3; c++) {
			double d = pos[c][a] - pos[c][a0];
			d -= len[c] * nearbyint(d / len[c]);
			s[c] += mass[a] * d;
		}
	}
	for (int c = 0; c < 3; c++)
		com[c] = pos[c][a0] + s[c] / mt;
}
