/* molecules: atoms grouped into molecules by the data file's molecule ids,
 * and molecular centres of mass under periodic boundaries.
 *
 * Grouping follows profile.c: atomic systems, and atoms with molecule id 0
 * (LAMMPS: "not part of a molecule"), are molecules of one atom; within a
 * molecule atoms are in id order, the first (smallest id) is the reference
 * atom. A molecule is made whole by the minimum image of each atom relative
 * to the reference atom, which is right while the molecule spans less than
 * half the box along each axis (notes/algorithms.md 5.3). */
#ifndef SK_MOLECULES_H
#define SK_MOLECULES_H

#include <stddef.h>

#include "err.h"
#include "lmp_data.h"

struct molecules {
	size_t nmol, natoms;
	size_t *start;      /* [nmol+1]: atoms of m are atom[start[m]..start[m+1]-1] */
	size_t *atom;       /* [natoms] atom indices (lmp_data order) */
	long *id;           /* [nmol] molecule id (0 for lone atoms) */
};

int molecules_group(struct molecules *m, const struct lmp_data *d,
		    struct err *e);
/* The same from molecule ids alone (mol NULL: every atom its own). */
int molecules_group_ids(struct molecules *m, const long *mol, size_t n,
			struct err *e);
void molecules_free(struct molecules *m);

/* Centre of mass of molecule k (positions x,y,z of all atoms, per-atom
 * masses mass, orthorhombic box lengths len), made whole relative to its
 * reference atom; com is not wrapped back into the box. */
void molecules_com(const struct molecules *m, size_t k, const double *mass,
		   const double *x, const double *y, const double *z,
		   const double len[3], double com[3]);

#endif
