/* nbr_impl: the private layout of struct nbr_list, shared by nbr.c (which
 * builds it) and the kernels that read it, pair_lj.c and pair_ljcoul.c.
 * Nothing else may include this file.
 *
 * Slots and clusters. At each build the atoms are sorted into columns of
 * an x-y grid that tiles the box and by z within a column, then cut into
 * clusters of NBR_CL consecutive slots (the last one of a column padded
 * with dummy slots far away). There are no ghost slots: a pair across a
 * box face is listed as a cluster and a periodic shift (GROMACS's shift
 * vectors), and the kernel moves i by the shift instead of reading an
 * image's copy. So each step fills one slot per atom, and forces need no
 * folding back from images.
 *
 * The list. For each slot i, entries e = c << NBR_SHBITS | s: cluster c
 * under shift s (NBR_SHIFT_*: sx, sy, sz in -1..1 box lengths; the image
 * of slot j is its position plus s len), for the clusters holding an
 * image closer than cutoff+skin to i (tested against the cluster's
 * bounding box). Each pair is listed once: across the z faces by the
 * atom whose partner's image lies above the box (sz = +1, any cluster);
 * else (sz = 0) a cluster c under any x-y shift by the atoms of clusters
 * before c, an atom's own cluster unshifted (first, masking j <= i) and
 * under positive x-y shifts (first non-zero of sy, sx is +1; all its
 * slots: the pair under the opposite shift is the partner's). With one z
 * slab per thread, the lower slab so lists the pairs across the plane
 * between the slabs and the upper one those across the periodic face:
 * each thread reads the other's slots at one face, not one thread at
 * both (2 threads, the paper's system: ordinary steps 136.5 -> 132.4 us).
 * The box is at least 2 (cutoff+skin) wide, so at most
 * one image of a pair is within the cut-off. The kernel computes i
 * against all NBR_CL slots of each listed cluster in one SIMD sweep of
 * contiguous memory (no gathers), masking j <= i, dummies and r >= rc.
 *
 * Each force call fills px/py/pz/pt from the current state, accumulates
 * per work item in fbuf (with more than one item, the owner then sums the
 * other items' parts of its clusters), and copies each atom's force from
 * its slot: a given thread count is deterministic. */
#ifndef SK_NBR_IMPL_H
#define SK_NBR_IMPL_H

#include <math.h>
#include <stddef.h>

#include "nbr.h"

#ifndef NBR_CL
#define NBR_CL 8            /* cluster size: one AVX-512 vector of doubles */
#endif

/* a*b + c: one fused instruction where the target has FMA; elsewhere
 * fma() would be a libm call per use, so plain arithmetic (round-off
 * only). The pair kernels write their products and sums with it, the
 * same on passes with and without energies, so that forces never depend
 * on whether energies were asked for. (The build leaves contraction to
 * the source: -std=c17 turns GCC's own off.) */
#ifdef __FMA__
#define NBR_MADD(a, b, c) fma(a, b, c)
#else
#define NBR_MADD(a, b, c) ((a) * (b) + (c))
#endif

/* Position of dummy (padding) slots: far from everything, yet such that
 * 1/r^2 and its powers stay normal numbers (no underflow). */
#define NBR_FAR 1e15

/* List entries: cluster << NBR_SHBITS | shift code, the code of shift
 * (sx, sy, sz) being (sx + 1) + 3 (sy + 1) + 9 (sz + 1). */
#define NBR_SHBITS 5
#define NBR_SHMASK 31
#define NBR_SHIFT0 13   /* no shift */
#define NBR_ENTRY(c, s) ((int)((unsigned)(c) << NBR_SHBITS | (unsigned)(s)))

/* One search thread's buffers (nbr.c's build), kept between builds and
 * grown as needed, contents kept (grow_keep). */
struct nbr_thread {
	int *buf;               /* its chunks' list entries */
	size_t cap;
	int *cand;              /* one cluster's candidate entries */
	size_t ccap;
	double *sb;             /* list_atoms' copies of their boxes, 7/entry */
	size_t sbcap;
	int *rec;               /* its clusters' candidates (touch rows) */
	size_t rcap;
};

struct nbr_list {
	size_t n;               /* atoms */
	double cut, skin;       /* pair cutoff and skin */
	double cutneigh;        /* cut + skin */
	long nbuilds;
	int built;

	/* Reference state of the last build (nbr_needs_rebuild). */
	double *xhold, *yhold, *zhold;  /* [n] */
	double lohold[3], lenhold[3];

	/* Slots of the last build: nslot = nclust * NBR_CL, the last
	 * cluster all dummies. */
	size_t nloc;            /* slots of atoms' clusters (multiple of
				   NBR_CL) */
	size_t nslot, cap_slot;
	int *src;               /* [nslot] atom of each slot, -1 for dummies */
	int *lslot;             /* [n] slot of atom a */
	int *newidx;            /* [n] the renumbering's scratch */
	/* Workspace filled by each force call (positions of the current
	 * state, types). */
	double *px, *py, *pz;   /* [nslot] */
	int *pt;                /* [nslot] types */
	int dummy;              /* the last cluster: dummies only */
	/* The shifts of the list entries under the current box (each pass
	 * sets them in its copy of the list: NBR_SHIFT0's is zero):
	 * shx[s] = sx len[0] etc. */
	double shx[32], shy[32], shz[32];

	/* List: entries of slot i are clist[first[i] .. first[i+1]-1]. */
	int *first;             /* [nloc+1] */
	int *clist;
	size_t cap_clist;

	/* Work items (one per thread at the last build): the slots of one
	 * z slab each (slabs of about equal cost, nbr.c), force buffers over
	 * all slots. */
	int nthr;
	int *tstart;            /* [nthr+1] slots of item w */
	double *fbuf;           /* [nthr][3][fstride] */
	size_t fstride, fcap;
	/* touch[w * nclust + c]: item w writes cluster c (its own slots
	 * and its partners'); only those parts of its buffer are zeroed
	 * and summed (more than one item). */
	unsigned char *touch;
	size_t nclust, tcap_touch;
	/* The clusters of each touch row, tlist[tlstart[w] ..
	 * tlstart[w+1]-1]: the parts of its buffer an item zeroes. After
	 * the kernel each item sums the other items' parts of its own
	 * clusters into its buffer, where the atoms' forces are read. */
	int *tlist, *tlstart;
	size_t cap_tlist;
	/* With the atoms renumbered (nbr_order_item, nbr_renumber_*), item
	 * w's atoms are arange[w] .. arange[w+1]-1 (nbr_atom_range). */
	int renumbered;
	int *arange;            /* [nthr+1] */
	double *wpart;          /* [nthr][8] partial sums of the reduction */

	/* Dynamic pruning of the LJ pass (nbr_set_prune), NULL: none. */
	struct nbr_prune *prune;

	/* Build scratch (kept between builds). */
	void *scratch;
	size_t cap_scratch;
	double *zhist;          /* [nthr+1][nbz] slab_planes' histograms */
	size_t cap_zhist;
	struct nbr_thread *thr; /* [thr_n] each search thread's buffers */
	int thr_n;
};

/* The pair kernels' virial on energy passes: lane l's pair term r (x) f
 * added to av (xx, yy, zz, xy, xz, yz), then the lanes summed into
 * vir[6]. */
static inline __attribute__((always_inline)) void
nbr_virial_add(double (*restrict av)[NBR_CL], int l, double dx, double dy,
	       double dz, double fx, double fy, double fz)
{
	av[0][l] = NBR_MADD(dx, fx, av[0][l]);
	av[1][l] = NBR_MADD(dy, fy, av[1][l]);
	av[2][l] = NBR_MADD(dz, fz, av[2][l]);
	av[3][l] = NBR_MADD(dx, fy, av[3][l]);
	av[4][l] = NBR_MADD(dx, fz, av[4][l]);
	av[5][l] = NBR_MADD(dy, fz, av[5][l]);
}

/* The pair force d * fpair into i's lane l (ax..az) and out of j's slot
 * (gx..gz), fused (NBR_MADD): the portable kernels of pair_lj.c and
 * pair_ljcoul.c, the same on passes with and without energies. */
static inline void nbr_pair_force(int l, double dx, double dy, double dz,
				  double fpair, double *restrict ax,
				  double *restrict ay, double *restrict az,
				  double *restrict gx, double *restrict gy,
				  double *restrict gz)
{
	ax[l] = NBR_MADD(dx, fpair, ax[l]);
	ay[l] = NBR_MADD(dy, fpair, ay[l]);
	az[l] = NBR_MADD(dz, fpair, az[l]);
	gx[l] = NBR_MADD(-dx, fpair, gx[l]);
	gy[l] = NBR_MADD(-dy, fpair, gy[l]);
	gz[l] = NBR_MADD(-dz, fpair, gz[l]);
}

/* i's force and energy from its lanes, summed lane by lane in order:
 * the pair kernels call this (pair_lj.c's AVX-512 one too, so that it
 * sums in the portable one's order and gives its bits). */
static inline __attribute__((always_inline)) void
nbr_lanes_to_atom(const double *ax, const double *ay, const double *az,
		  const double *ae, int i, double *restrict fx,
		  double *restrict fy, double *restrict fz, double *e)
{
	double sx = 0.0, sy = 0.0, sz = 0.0, se = 0.0;
	for (int l = 0; l < NBR_CL; l++) {
		sx += ax[l];
		sy += ay[l];
		sz += az[l];
		se += ae[l];
	}
	fx[i] += sx;
	fy[i] += sy;
	fz[i] += sz;
	*e += se;
}

#if defined(__AVX512F__) && NBR_CL == 8
#include <immintrin.h>
/* nbr_virial_add for a whole cluster: the AVX-512 kernels of pair_lj.c
 * and pair_ljcoul.c */
static inline void nbr_v_virial_add(__m512d vr[6], __m512d dx, __m512d dy,
				    __m512d dz, __m512d fx, __m512d fy,
				    __m512d fz)
{
	vr[0] = _mm512_fmadd_pd(dx, fx, vr[0]);
	vr[1] = _mm512_fmadd_pd(dy, fy, vr[1]);
	vr[2] = _mm512_fmadd_pd(dz, fz, vr[2]);
	vr[3] = _mm512_fmadd_pd(dx, fy, vr[3]);
	vr[4] = _mm512_fmadd_pd(dx, fz, vr[4]);
	vr[5] = _mm512_fmadd_pd(dy, fz, vr[5]);
}
#endif

static inline void nbr_virial_sum(double (*av)[NBR_CL], double vir[6])
{
	for (int c = 0; c < 6; c++) {
		double sv = 0.0;
		for (int l = 0; l < NBR_CL; l++)
			sv += av[c][l];
		vir[c] = sv;
	}
}

/* The pruned list of the pair passes (nbr_set_prune): slot i's
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
/* Write the pruned list of slots [i0, i1) into plist, pn: the entries
 * of each slot's list with a slot image closer than sqrt(limsq), at the
 * list's slot positions and shifts (nbr_set_shifts); dummies are far and
 * never count. */
void nbr_prune_slots(const struct nbr_list *nl, double limsq, int *plist,
		     int *pn, int i0, int i1);
/* The entries' shifts (shx..shz) for box lengths len. */
void nbr_set_shifts(struct nbr_list *nl, const double len[3]);

/* The Coulomb term of a fused pass (pair_ljcoul.c), charges by slot. */
struct nbr_coul {
	double g_ewald, cutsq, qqrd2e;
	const double *pq;       /* [nslot] charge of each slot, 0 for dummies */
	/* Pruned list (NULL: the whole list; set by the pass from the
	 * list's nbr_prune): slot i's clusters are
	 * plist[first[i] .. first[i] + pn[i] - 1]. */
	const int *plist, *pn;
	int portable;           /* the portable C kernel, not the SIMD one */
	int gather;             /* tests: the SIMD kernel gathers each lane's
				   coefficients instead of permuting i's
				   row held in registers (the same values) */
	int mixed;              /* the single-precision kernel (LJC_MIXED) */
	const float *ftab;      /* its float LJ tables [6][nt*nt] */
	const int *pmol;        /* [nslot] molecule of each slot (mixed) */
};
/* LJ (as pair_lj.c's kernel) plus real-space Coulomb over slots [i0, i1)
 * (pair_ljcoul.c): forces to fx, fy, fz (all slots); returns evdwl,
 * *ecoul gets the Coulomb energy and vir[0..5] the virial, sum over pairs
 * of r_ij (x) f_ij (xx, yy, zz, xy, xz, yz), with eflag. special: the
 * single-cutoff table shape of pair_lj.c's specialised kernels. */
double ljcoul_range(const struct pair_lj *p, const struct nbr_coul *c,
		    int special, int eflag, const struct nbr_list *nl,
		    int i0, int i1, double *fx, double *fy, double *fz,
		    double *ecoul, double *vir);
/* pair_lj_compute with c's Coulomb term in the same pass (c NULL: LJ
 * only); with en, en->ecoul gets the Coulomb energy. */
void pair_lj_compute_coul(const struct pair_lj *p, const int *type,
			  struct state *st, const struct nbr_list *nl,
			  const struct nbr_coul *c, struct energy *en);

#endif
