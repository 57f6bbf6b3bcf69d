/* nbr_impl: the private layout of struct nbr_list, shared by nbr.c (which
 * builds it) and the kernels that read it, pair_lj.c and pair_ljcoul.c.
 * Nothing else may include this file.
 *
 * Slots and clusters. At each build the atoms, and the periodic images
 * ("ghosts") that pairs across the box faces need, are sorted into columns
 * of an x-y grid and by z within a column, then cut into clusters of
 * NBR_CL consecutive slots (the last one of a column padded with dummy
 * slots far away). Local clusters come first (slots 0 .. nloc-1), ghost
 * clusters after them. A ghost is atom src[k] shifted by sh[3k..3k+2] box
 * lengths; only images under "positive" shifts exist (first non-zero of
 * sz, sy, sx is +1): a pair across a face is then counted exactly once, by
 * the atom whose partner is the positive image.
 *
 * The list. For each local slot i, the clusters holding a partner j
 * closer than cutoff+skin to i (tested against the cluster's bounding box),
 * where a partner is any ghost, or a local slot j > i. The kernel computes
 * i against all NBR_CL slots of each listed cluster in one SIMD sweep of
 * contiguous memory (no gathers), masking j <= i, dummies and r >= rc.
 *
 * Each force call fills px/py/pz/pt for the real slots from the current
 * state (ghost = image under the current box, as LAMMPS updates ghost
 * atoms; with more than one work item, each item's private copy of the
 * slots it reads, ipx..), accumulates per work item in fbuf, then folds
 * ghost forces back onto their atoms in a fixed order: a given thread
 * count is deterministic. */
#ifndef SK_NBR_IMPL_H
#define SK_NBR_IMPL_H

#include <stddef.h>

#include "nbr.h"

#ifndef NBR_CL
#define NBR_CL 8            /* cluster size: one AVX-512 vector of doubles */
#endif

/* Position of dummy (padding) slots: far from everything, yet such that
 * 1/r^2 and its powers stay normal numbers (no underflow). */
#define NBR_FAR 1e15

struct nbr_list {
	size_t n;               /* atoms */
	double cut, skin;       /* pair cutoff and skin */
	double cutneigh;        /* cut + skin */
	long nbuilds;
	int built;

	/* Reference state of the last build (nbr_needs_rebuild). */
	double *xhold, *yhold, *zhold;  /* [n] */
	double lohold[3], lenhold[3];

	/* Slots of the last build: nslot = nclust * NBR_CL. */
	size_t nloc;            /* local slots (multiple of NBR_CL) */
	size_t nslot, cap_slot;
	int *src;               /* [nslot] atom of each slot, -1 for dummies */
	signed char *sh;        /* [3*nslot] image shift in box lengths */
	int *lslot;             /* [n] local slot of atom a */
	int *newidx;            /* [n] the renumbering's scratch */
	unsigned char *xread;   /* [n] 1: another item's copy reads the atom
				   (made by private_slots, with more than
				   one item) */
	/* Workspace filled by each force call with one work item (with
	 * more, by the build only, for the boxes: see ipx). */
	double *px, *py, *pz;   /* [nslot] */
	int *pt;                /* [nslot] types */
	int dummy;              /* the last cluster: dummies only */

	/* List: clusters of local slot i are clist[first[i] .. first[i+1]-1]. */
	int *first;             /* [nloc+1] */
	int *clist;
	size_t cap_clist;

	/* Ghost slots of each local slot k: gslot[gfirst[k] .. gfirst[k+1]-1]. */
	int *gfirst;            /* [nloc+1] */
	int *gslot;

	/* Work items (one per thread at the last build): the local and the
	 * ghost slots of one z slab each (slabs of about equal cost, nbr.c),
	 * force buffers over all slots. */
	int nthr;
	int *tstart;            /* [nthr+1] local slots of item w */
	int *gstart;            /* [nthr+1] ghost slots of item w */
	double *fbuf;           /* [nthr][3][fstride] */
	size_t fstride, fcap;
	/* touch[w * nclust + c]: item w writes cluster c (its own slots
	 * and its partners'); only those parts of its buffer are zeroed
	 * and summed (more than one item). */
	unsigned char *touch;
	size_t nclust, tcap_touch;
	/* With more than one item, each item's kernel reads positions and
	 * types from its own copy of the slots it reads (the clusters of its
	 * touch row, listed in tlist[tlstart[w] .. tlstart[w+1]-1]): ipx[w *
	 * fstride + k] etc., filled by the item's thread each step from the
	 * atoms; dummies there are set far at the build. A thread then
	 * never writes a line the other core reads, which the shared slots
	 * did at the slab interfaces each step. */
	double *ipx, *ipy, *ipz;
	int *ipt;
	size_t icap;
	int *tlist, *tlstart;
	size_t cap_tlist;
	/* cowner[c]: the item that owns cluster c (local clusters by item,
	 * ghost clusters by the slab that fills them). With more than one
	 * item, after the kernel each owner sums the other items' parts of
	 * its clusters into its own buffer, so that the fold reads one
	 * buffer per slot. */
	int *cowner;
	size_t cap_cowner;
	/* goff[g]: where ghost entry g's force is in fbuf after the merge,
	 * in its cluster owner's buffer (cowner[gslot[g] / NBR_CL] * 3 *
	 * fstride + gslot[g]): the fold's one load per ghost. */
	int *goff;
	size_t cap_goff;
	/* With the atoms renumbered (nbr_order_item, nbr_renumber_*), item
	 * w's atoms are arange[w] .. arange[w+1]-1 (nbr_atom_range). */
	int renumbered;
	int *arange;            /* [nthr+1] */
	double *wpart;          /* [nthr][8] partial sums of the reduction */

	/* Dynamic pruning of the LJ pass (nbr_set_prune), NULL: none. */
	struct nbr_prune *prune;

	/* Build scratch (kept between builds). */
	int *gcount;            /* [n+1] ghosts per atom, then their prefix */
	unsigned char *gmask;   /* [n] which images of an atom are ghosts */
	signed char *gopt;      /* [3n] image option per dimension */
	void *scratch;
	size_t cap_scratch;
	int *toff;              /* [nthr+1] ghosts before each thread's atoms */
	size_t cap_toff;
	double *zhist;          /* [nthr+1][nbz] slab_planes' histograms */
	size_t cap_zhist;
	int **tbuf;             /* [nthr] per-thread list buffers */
	size_t *tcap;
	int tbuf_n;
};

/* The pruned list of the pair passes (nbr_set_prune): local slot i's
 * clusters are plist[first[i] .. first[i] + pn[i] - 1], the clusters of
 * its whole list with an atom closer than cut + buf when it was made (at
 * positions xp..zp in box lop, lenp), in list order. The pass makes it
 * again (valid 0, or some atom moved more than buf/2 since, less half
 * the distance the box corners moved if the box changed) and marks it
 * valid: a mutable part of the list (the pass has the list const). */
struct nbr_prune {
	double buf;
	int *plist, *pn;        /* [cap_clist], [nloc] */
	size_t cap_plist, cap_pn;
	double *xp, *yp, *zp;   /* [n] atoms' positions at the pruning */
	double lop[3], lenp[3];
	int valid;
	long count;             /* prunings so far */
};
/* The squared displacement beyond which a list made with buffer buf in
 * box lo0, len0 must be made again, in box lo, len: (buf/2)^2, less half
 * the distance the box corners moved if the box changed (LAMMPS's
 * neighbor.cpp check_distance with boxcheck); -1 if the corners moved buf
 * or more (made again whatever the atoms did). The rule of the rebuild
 * (nbr_trigger_sq) and of the pruning (pair_lj.c). */
double nbr_box_trigger_sq(const double lo[3], const double len[3],
			  const double lo0[3], const double len0[3], double buf);
/* Write the pruned list of local slots [i0, i1) into plist, pn: the
 * clusters of each slot's list with a slot closer than sqrt(limsq), at
 * the slot positions px, py, pz (the kernel's view: with more than one
 * work item, the item's copy); dummies are far and never count. */
void nbr_prune_slots(const struct nbr_list *nl, const double *px,
		     const double *py, const double *pz, double limsq,
		     int *plist, int *pn, int i0, int i1);

/* The Coulomb term of a fused pass (pair_ljcoul.c), charges by slot. */
struct nbr_coul {
	double g_ewald, cutsq, qqrd2e;
	const double *pq;       /* [nslot] charge of each slot, 0 for dummies */
	/* Pruned list (NULL: the whole list; set by the pass from the
	 * list's nbr_prune): slot i's clusters are
	 * plist[first[i] .. first[i] + pn[i] - 1]. */
	const int *plist, *pn;
	int portable;           /* the portable C kernel, not the SIMD one */
	int mixed;              /* the single-precision kernel (LJC_MIXED) */
	const float *ftab;      /* its float LJ tables [6][nt*nt] */
	const int *pmol;        /* [nslot] molecule of each slot (mixed) */
};
/* LJ (as pair_lj.c's kernel) plus real-space Coulomb over local slots
 * [i0, i1) (pair_ljcoul.c): forces to fx, fy, fz (all slots); returns
 * evdwl, *ecoul gets the Coulomb energy (with eflag). special: the
 * single-cutoff table shape of pair_lj.c's specialised kernels. */
double ljcoul_range(const struct pair_lj *p, const struct nbr_coul *c,
		    int special, int eflag, const struct nbr_list *nl,
		    int i0, int i1, double *fx, double *fy, double *fz,
		    double *ecoul);
/* pair_lj_compute with c's Coulomb term in the same pass (c NULL: LJ
 * only); with en, en->ecoul gets the Coulomb energy. */
void pair_lj_compute_coul(const struct pair_lj *p, const int *type,
			  struct state *st, const struct nbr_list *nl,
			  const struct nbr_coul *c, struct energy *en);

#endif
