/* pair_ljcoul: Lennard-Jones and the real-space half of Ewald-split
 * Coulomb in one pass over the cluster-pair list of nbr.c, as LAMMPS
 * pair_style lj/cut/coul/long with `pair_modify table 0`
 * (pair_lj_cut_coul_long.cpp, compute):
 *   r < rc_lj:   the lj/cut term of pair_lj.c,
 *   r < rc_coul: E = P erfc(g r), r F = P (erfc(g r) + F' g r e^{-g^2 r^2}),
 *                P = qqrd2e q_i q_j / r,
 * with LAMMPS's Abramowitz-Stegun erfc and F' = 1.12837917 (coul_long.h),
 * so that numbers equal LAMMPS's (and coul_long_compute's) to round-off.
 * exp(-g^2 r^2) is evaluated once per pair by an inline, vectorisable exp
 * (Cody-Waite reduction, degree-13 polynomial: within 1 ulp of libm's).
 *
 * Every pair of the list is counted, special (1-2, 1-3, 1-4) pairs
 * included at full strength: correct them afterwards as for
 * coul_long_compute (coul_long_special_correct; forcefield.c's LJ
 * subtraction). The list must have been made with a cut-off of at least
 * max(rc_lj, rc_coul) (nbr_create); k-space styles only (for coul/cut,
 * erfc = 1 exactly, use coul_long with erfc_exact).
 *
 * Dynamic pruning (as GROMACS's; Pall et al., J. Chem. Phys. 153,
 * 134110 (2020)): the list holds clusters within max(rc) + skin of each
 * atom, but most of the skin's pairs are never within the cut-off before
 * the next rebuild. With the list's pruning set (nbr_set_prune(nl,
 * PAIR_LJCOUL_PRUNE * skin): md-run's set-up does it), the pass runs on
 * the list's pruned copy, made again as for the LJ pass (pair_lj.c):
 * after each build and whenever some atom has moved more than half the
 * buffer, less half the distance the box corners moved, since the last
 * pruning. Pairs beyond the cut-offs add exactly zero, so pruning changes
 * no result beyond the sign of a zero.
 *
 * Units: energies in those of qqrd2e and the LJ table (real: kcal/mol),
 * distances Å, charges e. Threads, determinism and the virial (x (x) f
 * over slots) as pair_lj_compute (nbr.h). */
#ifndef SK_PAIR_LJCOUL_H
#define SK_PAIR_LJCOUL_H

#include <stddef.h>

#include "err.h"
#include "molecules.h"
#include "nbr.h"
#include "system.h"

/* The pruning buffer of the fused pass's list, in skins: a quarter (the
 * list is searched with the skin itself; on water, 2/3 of the skin's
 * pairs never come within the cut-off before a rebuild: BENCHMARKS.md,
 * the fused Coulomb kernel). */
#define PAIR_LJCOUL_PRUNE 0.25

struct pair_ljcoul {
	double g_ewald;   /* splitting parameter, 1/distance */
	double cutoff;    /* real-space Coulomb cut-off rc_coul */
	double qqrd2e;    /* Coulomb constant of the units */
	/* private: charges in the list's slot order, refreshed at each
	 * rebuild of the list */
	double *pq;
	size_t cap;
	long nbuilds;
	const struct nbr_list *nl;
	/* 1: the portable C kernel even where an AVX-512 one is compiled
	 * in (tests compare the two; results differ by a few ulp) */
	int portable;
	/* 1: the AVX-512 kernel gathers the LJ coefficients rather than
	 * permuting them in registers (tests: the two give the same bits) */
	int gather;
	/* 1: the single-precision kernel (--precision mixed; only where
	 * pair_ljcoul_mixed_available()) */
	int mixed;
	const long *mol;  /* molecule ids [natoms] (mixed: pairs within a
			     molecule go to a double pass) */
	float *ftab;      /* private: its float tables */
	size_t ftab_cap;
	int *pmol;        /* private: molecule of each slot */
	size_t cap_mol;
	struct molecules mols; /* private: the molecules (mixed) */
	int *molof;       /* private: molecule index of each atom */
};

/* Whether this build has the mixed-precision kernel (AVX-512). */
int pair_ljcoul_mixed_available(void);

/* Set the parameters; no allocation yet. -1 and a message if they are
 * out of range. */
int pair_ljcoul_init(struct pair_ljcoul *c, double g_ewald, double cutoff,
		     double qqrd2e, struct err *e);
void pair_ljcoul_free(struct pair_ljcoul *c);

/* LJ and real-space Coulomb forces (overwrite st->fx..fz); with en, evdwl,
 * ecoul and the virial (overwritten, as pair_lj_compute does; tail
 * corrections when p->tail). q: charges of the atoms. After nbr_build for
 * the current positions. -1 and a message only when out of memory. */
int pair_ljcoul_compute(struct pair_ljcoul *c, const struct pair_lj *p,
			const int *type, const double *q, struct state *st,
			const struct nbr_list *nl, struct energy *en,
			struct err *e);

#endif
