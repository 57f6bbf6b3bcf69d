/* build: initial positions for LJ mixtures (box-init): random sequential
 * insertion with a minimum distance (cell grid, O(N)), or a simple cubic /
 * fcc lattice with sites chosen at random. Types are shuffled so that every
 * species is spread uniformly through the box (the paper's flat initial
 * concentration profile). Seeded and reproducible. */
#ifndef SK_BUILD_H
#define SK_BUILD_H

#include <stddef.h>

#include "err.h"
#include "rng.h"

enum build_method { BUILD_RANDOM = 0, BUILD_FCC = 1 };

/* Fill x,y,z[n] inside [0,len) and type[n] (1-based) from count[ntypes].
 * min_dist applies to BUILD_RANDOM (periodic minimum image) and, as the
 * closest allowed site spacing, to BUILD_FCC. */
int build_positions(enum build_method method, const double len[3],
		    const long *count, int ntypes, double min_dist,
		    struct rng *r, double *x, double *y, double *z, int *type,
		    struct err *e);

#endif
