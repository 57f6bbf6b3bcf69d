/* nbr: cell lists and Verlet neighbour lists with a skin.
 *
 * A half list (each pair once, Newton's third law) over pairs closer than
 * cutoff + skin, built from a grid of x-y columns cut into clusters of 8
 * z-sorted atoms (GROMACS-style clusters; each atom lists the clusters
 * within cutoff + skin, so the kernel runs on contiguous SIMD vectors).
 * The list is rebuilt when any atom has moved more than skin/2 since the
 * last build (nbr_needs_rebuild, LAMMPS `check yes`, box changes included);
 * at a rebuild, atoms are wrapped into the box and their image flags
 * updated, as LAMMPS does when it reneighbours. Minimum image is applied
 * through periodic shifts of the listed clusters, so the box must be at
 * least 2*(cutoff+skin) wide in each direction (error otherwise).
 *
 * The list keeps a cluster-sorted copy of positions (one slot per atom,
 * no periodic images: a pair across a face is listed with its shift) for
 * speed; the kernels in pair_lj.c and pair_ljcoul.c are its only readers.
 * Threaded with OpenMP; results are bitwise reproducible for a given
 * thread count (fixed at the last build) and do not depend on it beyond
 * round-off in sums. */
#ifndef SK_NBR_H
#define SK_NBR_H

#include <stddef.h>

#include "err.h"
#include "system.h"

struct nbr_list; /* opaque; layout private to nbr.c/pair_lj.c (nbr_impl.h) */

int nbr_create(struct nbr_list **nl, size_t natoms, double cutoff,
	       double skin, struct err *e);
void nbr_free(struct nbr_list *nl);
/* 1 if some atom moved more than skin/2 since the last build (less half
 * the distance the box corners moved, if the box changed: LAMMPS
 * neighbor.cpp check_distance), or the list was never built. */
int nbr_needs_rebuild(const struct nbr_list *nl, const struct state *st);
/* The squared displacement beyond which nbr_needs_rebuild asks for a
 * rebuild, or -1 if it asks for one whatever the atoms did (never built,
 * box corners moved a skin or more). */
double nbr_trigger_sq(const struct nbr_list *nl, const struct state *st);
/* Wrap atoms into the box (updating images) and rebuild the list. */
int nbr_build(struct nbr_list *nl, struct state *st, struct err *e);
/* Number of builds so far (for thermo/progress and tests). */
long nbr_nbuilds(const struct nbr_list *nl);

/* Reference positions and box of the last build (for checkpoints); -1 if
 * the list was never built. Pointers stay valid until the next build. */
int nbr_reference(const struct nbr_list *nl, const double **x,
		  const double **y, const double **z, double lo[3],
		  double len[3]);
/* Rebuild the list exactly as a build at reference positions xr,yr,zr in
 * box lo,len would have made it (exact resume), without touching st's
 * positions; later nbr_needs_rebuild compares st against xr,yr,zr. */
int nbr_restore(struct nbr_list *nl, const struct state *st,
		const double *xr, const double *yr, const double *zr,
		const double lo[3], const double len[3], struct err *e);

/* Dynamic pruning (as GROMACS's; Pall et al., J. Chem. Phys. 153,
 * 134110 (2020)) for the pair passes of pair_lj.c (LJ, and LJ with the
 * fused Coulomb term of pair_ljcoul.c): with buf > 0 the pass works on a
 * pruned copy of the list, for each atom the clusters with an atom closer
 * than cutoff + buf, made again whenever some atom has moved more than
 * buf/2 since it was made (less half the distance the box corners moved,
 * if the box changed, as for the rebuild; after each build or renumbering
 * too). So a list searched with a skin larger than buf is rebuilt less
 * often for the same kernel work: a pair that comes within the cut-off
 * before the next pruning is within cutoff + buf at the pruning, and in
 * the list (which holds every pair that comes within the cut-off before
 * the next build). Pairs beyond the cut-off add exactly zero: forces and
 * energies are those of the whole list (to the sign of a zero). buf 0:
 * the whole list (the default). Error if buf is negative or larger than
 * the skin. */
int nbr_set_prune(struct nbr_list *nl, double buf, struct err *e);
/* Prunings so far (tests and statistics). */
long nbr_nprunes(const struct nbr_list *nl);
/* The list of an LJ pair pass (no Coulomb term) with Verlet buffer skin:
 * searched with twice the skin (less if the box, len, is too small for
 * it: at most 0.45 of its shortest side, and never less than skin), so
 * rebuilt about half as often, and pruned to cutoff + skin
 * (nbr_set_prune) whenever some atom has moved more than skin/2: the
 * kernel's pairs are those of a list with the given skin, rebuilt as
 * LAMMPS rebuilds it, and results are those of nbr_create's list to
 * round-off (the rebuilds come at other steps). */
int nbr_create_pruned(struct nbr_list **nl, size_t natoms, double cutoff,
		      double skin, const double len[3], struct err *e);

/* The atoms a0 .. a1-1 that thread t of a team of nt works on in the
 * per-atom loops around the pair pass (integration, the rebuild check,
 * the fold of forces): with the atoms renumbered (nbr_renumber_end) and
 * nt the list's thread count, those of the slab whose pairs thread t
 * computes; else libgomp's schedule(static) split. */
void nbr_atom_range(const struct nbr_list *nl, int t, int nt, size_t *a0,
		    size_t *a1);
/* Renumbering the atoms in the list's order, by work item, in a
 * parallel region of the caller's (md.c's renumber): items w <
 * nbr_items, each taken once by some thread. Item w's atoms are j0 .. j1-1
 * of nbr_item_atoms, which are the list's thread w's (nbr_atom_range)
 * once renumbered.
 * nbr_order_item: the order of the last build for the item's atoms:
 * order[j] is the atom that should come j-th (sorted as the list's local
 * slots: by slab, x-y column and z; the identity once renumbered).
 * Then, with any order (new atom j is old atom order[j], positions and
 * everything else moved with them): nbr_renumber_gather for the item's
 * j; after all items have (a barrier), nbr_renumber_item, which moves the
 * list's reference positions and slot sources of the item; after the
 * region, nbr_renumber_end. */
int nbr_items(const struct nbr_list *nl);
void nbr_item_atoms(const struct nbr_list *nl, int w, size_t *j0,
		    size_t *j1);
void nbr_order_item(const struct nbr_list *nl, int w, int *order);
void nbr_renumber_gather(struct nbr_list *nl, int w, const int *order);
void nbr_renumber_item(struct nbr_list *nl, int w);
void nbr_renumber_end(struct nbr_list *nl);

/* The separation r_i - r_j (the image of j nearest i) of atoms i != j,
 * into d, rounded as the pair kernels round it for the pair (they form
 * (r_a - shift) - r_b, a the atom whose list holds the pair): a
 * correction that subtracts a term the kernel counted (forcefield.c's
 * special pairs: 1-2 terms of ~1e4 kcal/mol) then cancels it to the
 * last bit, where the minimum image d - L nearbyint(d/L) would leave
 * ~1e-9 kcal/mol per term in a pair across a box face. Without a list
 * (NULL or never built), the minimum image. */
void nbr_pair_sep(const struct nbr_list *nl, const struct state *st,
		  size_t i, size_t j, double d[3]);

/* Lennard-Jones forces (overwrites st->fx..fz), energy evdwl and virial,
 * over the current list; tail corrections added when p->tail (need the
 * volume from st). Must be called after nbr_build for the current positions
 * (positions may have moved less than skin/2). en may be NULL: forces only,
 * ~15% faster (as LAMMPS skips energy and virial between thermo steps). */
void pair_lj_compute(const struct pair_lj *p, const int *type,
		     struct state *st, const struct nbr_list *nl,
		     struct energy *en);

/* The final half kick of velocity Verlet (v += dtf f / m, LAMMPS fix nve
 * final_integrate) done by pair_lj_compute_kick as each thread folds its
 * atoms' forces, so the forces are not read again in a pass of their own;
 * nonfinite is set when a force component is not finite (the velocities
 * are then not to be trusted: the caller fails the step). */
struct pair_kick {
	const double *mass;     /* [n] */
	double dtf;             /* dt/2 ftm2v */
	int nonfinite;          /* out */
	/* out, if not NULL: per work item w (nbr_items) the sum of
	 * m (vx^2 + vy^2 + vz^2) over its atoms (nbr_atom_range) after the
	 * kick, in atom order; summed in item order by the caller, the
	 * kinetic energy with no pass of its own (md_ke_items) */
	double *mv2;
};
/* pair_lj_compute, then the kick of k on every atom (bitwise the same
 * velocities as a separate v += (dtf / m) f loop). */
void pair_lj_compute_kick(const struct pair_lj *p, const int *type,
			  struct state *st, const struct nbr_list *nl,
			  struct energy *en, struct pair_kick *k);

/* The first half of velocity Verlet (v += dtf f / m, then x += dtv v:
 * LAMMPS fix nve initial_integrate) done by pair_lj_step_nve at the start
 * of the pair pass, each thread on its atoms (nbr_atom_range), with the
 * rebuild check of nbr_needs_rebuild in the same loop and the atoms'
 * slots filled from the new positions: one parallel region per step
 * instead of three. */
struct pair_drift {
	const double *mass;     /* [n] */
	double dtf, dtv;        /* dt/2 ftm2v, dt */
	double trigsq;          /* nbr_trigger_sq before the drift */
	/* scaled: the velocities are first multiplied by vscale (the
	 * Nose-Hoover thermostat's half-step factor: v *= s, then the kick
	 * and x += dtv v, bitwise the separate loops) */
	int scaled;
	double vscale;
};
/* The drift of d; then, if no atom moved beyond the trigger and all
 * positions are finite, pair_lj_compute_kick and 0. Else 1, with the
 * atoms moved and no forces computed: the caller rebuilds the list and
 * calls pair_lj_compute_kick. Positions and velocities bitwise those of
 * the separate loops. */
int pair_lj_step_nve(const struct pair_lj *p, const int *type,
		     struct state *st, const struct nbr_list *nl,
		     struct energy *en, const struct pair_drift *d,
		     struct pair_kick *k);

#endif
