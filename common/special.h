/* special: the 1-2, 1-3 and 1-4 neighbours of every atom and the factors
 * that scale (or exclude) those pairs in the pair kernels, built from the
 * bond graph exactly as LAMMPS's special_bonds (src/special.cpp) builds them:
 *
 *  - 1-2 partners of i: atoms bonded to i (the Bonds section);
 *  - 1-3: atoms bonded to a 1-2 partner of i; 1-4: atoms bonded to a 1-3
 *    partner of i. Walks of the bond graph only, whatever the Angles and
 *    Dihedrals sections say (LAMMPS's default `angle no dihedral no`);
 *  - an atom reached several ways keeps its closest relation (1-2 before
 *    1-3 before 1-4, as in rings), and i is never its own partner;
 *  - the 1-3 level is built only when a 1-3 or 1-4 factor differs from 1,
 *    the 1-4 level only when a 1-4 factor differs from 1. A pair whose
 *    factors are both 1 is an ordinary pair, so the physics is the same;
 *    only the lists (and LAMMPS's log counts) are shorter.
 *
 * Factors lj[r], coul[r] for relation r = 1, 2, 3 (1-2, 1-3, 1-4) come from
 * --special-lj A,B,C and --special-coul A,B,C (LAMMPS default 0,0,0);
 * lj[0] = coul[0] = 1 are the factors of ordinary pairs, so a kernel can
 * always write f = sp->lj[rel].
 *
 * How a pair kernel uses this (LAMMPS Neighbor::special_flag, SBBITS):
 * when the neighbour list is built, look up rel = special_relation(sp, i, j)
 * for each candidate pair and ask special_action(sp, rel, kspace):
 * SPECIAL_EXCLUDE drops the pair, SPECIAL_ORDINARY stores it as usual,
 * SPECIAL_SCALED stores special_encode(j, rel); the kernel then takes
 * rel = special_code(jj), j = special_index(jj), and multiplies the LJ and
 * Coulomb terms by sp->lj[rel], sp->coul[rel]. With a k-space solver no
 * special pair is dropped (its real-space term must remove the full
 * Coulomb), and special_pairs() lists the pairs whose reciprocal-space
 * energy needs the (1 - coul factor) correction. */
#ifndef SK_SPECIAL_H
#define SK_SPECIAL_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "lmp_data.h"

enum special_rel { SPECIAL_NONE = 0, SPECIAL_12 = 1, SPECIAL_13 = 2,
		   SPECIAL_14 = 3 };

/* An encoded entry: atom index in the low 30 bits, relation in the top 2
 * (LAMMPS's SBBITS = 30). Atom indices must be below 2^30. */
#define SPECIAL_SHIFT 30
#define SPECIAL_INDEX_MASK ((uint32_t)((1u << SPECIAL_SHIFT) - 1u))

static inline uint32_t special_encode(uint32_t j, int rel)
{
	return j | ((uint32_t)rel << SPECIAL_SHIFT);
}
static inline int special_code(uint32_t jj)
{
	return (int)(jj >> SPECIAL_SHIFT);
}
static inline uint32_t special_index(uint32_t jj)
{
	return jj & SPECIAL_INDEX_MASK;
}

struct special {
	size_t n;               /* atoms */
	double lj[4], coul[4];  /* factor by relation; [0] = 1 */
	int levels;             /* deepest relation built: 1, 2 or 3 */
	size_t *start;          /* [n+1]: entries of atom i are
				   list[start[i] .. start[i+1]-1] */
	uint32_t *list;         /* special_encode(partner, rel), ascending
				   partner index */
	/* LAMMPS's log lines "N = max # of 1-2 neighbors", "... 1-3 ...",
	 * "... 1-4 ...", "N = max # of special neighbors". LAMMPS counts the
	 * 1-3 and 1-4 lists before removing duplicates, and so do these; -1
	 * when the level is not built (LAMMPS prints no line then).
	 * maxspecial counts distinct partners (at least 1, as LAMMPS). */
	int max12, max13, max14, maxspecial;
};

/* Parse "A,B,C" (the 1-2, 1-3, 1-4 factors; each in [0,1] as LAMMPS's
 * special_bonds requires) for option opt; messages "opt: ...". */
int special_parse(const char *s, const char *opt, double f[3], struct err *e);

/* Build from nbonds bonds between atom indices bond[2k], bond[2k+1]
 * (0..natoms-1). lj, coul: the three factors, or NULL for 0,0,0. sp is
 * overwritten; on failure it owns nothing. O(natoms + nbonds) for bounded
 * valence. */
int special_build(struct special *sp, size_t natoms, const size_t *bond,
		  size_t nbonds, const double lj[3], const double coul[3],
		  struct err *e);
/* The same from a data file's Bonds (atom ids resolved; an unknown id is an
 * error naming the bond); messages start with path. */
int special_from_data(struct special *sp, const struct lmp_data *d,
		      const double lj[3], const double coul[3],
		      const char *path, struct err *e);
void special_free(struct special *sp);

/* Relation of atom j to atom i (SPECIAL_NONE..SPECIAL_14); symmetric.
 * Binary search in i's short list. */
int special_relation(const struct special *sp, size_t i, size_t j);

/* What a neighbour-list build does with a pair of relation rel, as LAMMPS:
 * both factors 0 -> exclude (kept, scaled, when kspace is on), both 1 ->
 * ordinary, otherwise scaled. SPECIAL_NONE is always ordinary. */
enum special_action { SPECIAL_EXCLUDE = 0, SPECIAL_ORDINARY = 1,
		      SPECIAL_SCALED = 2 };
enum special_action special_action(const struct special *sp, int rel,
				   int kspace);

/* Every special pair once (i < j), with its relation and factors, in
 * ascending (i, j) order: for the k-space correction of excluded and
 * scaled pairs, (1 - coul) * qqrd2e qi qj erf(g r)/r each. *pairs is
 * malloc'ed (NULL when there are none); the caller frees it. */
struct special_pair {
	size_t i, j;
	int rel;
	double lj, coul;
};
int special_pairs(const struct special *sp, struct special_pair **pairs,
		  size_t *npairs, struct err *e);

#endif
