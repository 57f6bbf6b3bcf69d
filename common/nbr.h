/* nbr: cell lists and Verlet neighbour lists with a skin.
 *
 * A half list (each pair once, Newton's third law) over pairs closer than
 * cutoff + skin, built from a grid of x-y columns cut into clusters of 8
 * z-sorted atoms (GROMACS-style clusters; each atom lists the clusters
 * within cutoff + skin, so the kernel runs on contiguous SIMD vectors).
 * The list is rebuilt when any atom has moved more than skin/2 since the
 * last build (nbr_needs_rebuild, LAMMPS `check yes`, box changes included);
 * at a rebuild, atoms are wrapped into the box and their image flags
 * updated, as LAMMPS does when it reneighbours. Minimum-image is applied
 * through periodic images ("ghosts"), so the box must be at least
 * 2*(cutoff+skin) wide in each direction (error otherwise).
 *
 * The list keeps a private, cluster-sorted copy of positions for speed; the
 * kernels in pair_lj.c are its only readers. Threaded with OpenMP; results
 * are bitwise reproducible for a given thread count (fixed at the last
 * build) and do not depend on it beyond round-off in sums. */
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

/* Atom order of the last build (atoms sorted as the list's local slots:
 * by slab, x-y column and z; with more than one thread, in each slab
 * those another thread reads last). order[j] is the index of the atom
 * that should come j-th; a caller that renumbers its atoms so
 * (md_reorder) makes each thread's atoms contiguous in memory, and tells
 * the list with nbr_renumber (after which the order is the identity). */
void nbr_local_order(const struct nbr_list *nl, int *order);
/* The atoms a0 .. a1-1 that thread t of a team of nt works on in the
 * per-atom loops around the pair pass (integration, the rebuild check,
 * the fold of forces): with the atoms renumbered (nbr_renumber) and nt the
 * list's thread count, those of the slab whose pairs thread t computes;
 * else libgomp's schedule(static) split. */
void nbr_atom_range(const struct nbr_list *nl, int t, int nt, size_t *a0,
		    size_t *a1);
/* The atoms were renumbered: new atom j is old atom order[j] (positions
 * and everything else moved with them). The list, its reference
 * positions and slot sources follow. */
void nbr_renumber(struct nbr_list *nl, const int *order);
/* nbr_local_order and nbr_renumber by work item, for a caller that
 * renumbers its atoms in a parallel region of its own (md_reorder): each
 * item w < nbr_items (on any thread, each once) calls nbr_order_item,
 * which writes order[j] for the item's atoms j (nbr_item_atoms: the
 * atoms of the list's thread w once renumbered, as nbr_atom_range); then,
 * after all have (a barrier), nbr_renumber_item; then, after the region,
 * nbr_renumber_end. The same result as nbr_local_order and nbr_renumber:
 * the items' parts of the order and the slots they renumber are
 * disjoint. */
int nbr_items(const struct nbr_list *nl);
void nbr_item_atoms(const struct nbr_list *nl, int w, size_t *j0,
		    size_t *j1);
void nbr_order_item(struct nbr_list *nl, int w, int *order);
void nbr_renumber_item(struct nbr_list *nl, int w);
void nbr_renumber_end(struct nbr_list *nl);

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
 * local slots filled from the new positions: one parallel region per
 * step instead of three. */
struct pair_drift {
	const double *mass;     /* [n] */
	double dtf, dtv;        /* dt/2 ftm2v, dt */
	double trigsq;          /* nbr_trigger_sq before the drift */
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
