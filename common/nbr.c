/* nbr: cluster-pair Verlet half list with skin (layout: nbr_impl.h).
 *
 * The clusters follow the idea of GROMACS's nbnxm grid (Pall & Hess, Comput.
 * Phys. Commun. 184, 2641 (2013)): atoms in x-y columns, sorted by z, cut
 * into clusters of NBR_CL, so that the kernel works on contiguous SIMD
 * vectors instead of gathering scattered neighbours. Here an i-atom (not an
 * i-cluster) is paired with j-clusters, which keeps most computed pairs
 * useful for small clusters.
 *
 * A build (1) wraps atoms into the box, updating image flags; (2) sorts
 * the atoms into the columns of a grid that tiles the box (counting sort
 * on column and z bin, then insertion sort on z), cuts clusters and their
 * bounding boxes, and orders them by z slab (one per thread, so that a
 * thread's share of the kernel is a slab whose clusters the other threads
 * barely touch); (3) lists for each atom the clusters, each under the
 * periodic shift that brings it near, whose bounding box is within
 * cutoff+skin of it, in parallel over clusters: first the candidates of
 * the whole cluster (box to box, the columns and z ranges wrapped), then
 * each atom (point to box). No periodic images are stored: the kernel
 * shifts i (nbr_impl.h).
 *
 * Rebuild criterion, LAMMPS `neigh_modify check yes` (neighbor.cpp
 * check_distance): some atom moved more than skin/2 since the last build;
 * if the box changed, the trigger distance shrinks by half the distance the
 * box corners moved. */
#include "nbr_impl.h"

#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "omp_util.h"


#if defined(__AVX512F__) && defined(__AVX512VL__)
#include <immintrin.h>
#endif

#define ALIGN 64

static void *xalloc(size_t n, size_t size)
{
	size_t b = n * size;
	b = (b + ALIGN - 1) / ALIGN * ALIGN;
	return aligned_alloc(ALIGN, b ? b : ALIGN);
}

/* Grow *p (aligned, contents not kept) to hold n items. */
static int grow(void **p, size_t *cap, size_t n, size_t size)
{
	if (n <= *cap && *p)
		return 0;
	size_t c = n + n / 4 + 16;
	void *q = xalloc(c, size);
	if (!q)
		return -1;
	free(*p);
	*p = q;
	*cap = c;
	return 0;
}

/* Grow *p (malloc'd, contents kept) to hold need items: to twice that,
 * so that appending grows it O(log) times (and a buffer kept between
 * builds not at all once large enough). */
static int grow_keep(void **p, size_t *cap, size_t need, size_t size)
{
	if (need <= *cap)
		return 0;
	size_t c = need * 2 + 256;
	void *q = realloc(*p, c * size);
	if (!q)
		return -1;
	*p = q;
	*cap = c;
	return 0;
}

int nbr_create(struct nbr_list **out, size_t natoms, double cutoff,
	       double skin, struct err *e)
{
	*out = NULL;
	if (!(cutoff > 0.0) || !isfinite(cutoff))
		return err_set(e, "neighbour list: cutoff %g must be positive",
			       cutoff);
	if (!(skin >= 0.0) || !isfinite(skin))
		return err_set(e, "neighbour list: skin %g must be >= 0", skin);
	if (natoms == 0 || natoms > (size_t)INT32_MAX / 64)
		return err_set(e, "neighbour list: cannot handle %zu atoms",
			       natoms);
	struct nbr_list *nl = calloc(1, sizeof *nl);
	if (!nl)
		return err_set(e, "out of memory");
	nl->n = natoms;
	nl->cut = cutoff;
	nl->skin = skin;
	nl->cutneigh = cutoff + skin;
	nl->xhold = xalloc(natoms, sizeof(double));
	nl->yhold = xalloc(natoms, sizeof(double));
	nl->zhold = xalloc(natoms, sizeof(double));
	nl->lslot = xalloc(natoms, sizeof(int));
	nl->newidx = xalloc(natoms, sizeof(int));
	if (!nl->xhold || !nl->yhold || !nl->zhold || !nl->lslot ||
	    !nl->newidx) {
		nbr_free(nl);
		return err_set(e, "out of memory for %zu atoms", natoms);
	}
	*out = nl;
	return 0;
}

void nbr_free(struct nbr_list *nl)
{
	if (!nl)
		return;
	free(nl->xhold);
	free(nl->yhold);
	free(nl->zhold);
	free(nl->src);
	free(nl->lslot);
	free(nl->newidx);
	free(nl->px);
	free(nl->py);
	free(nl->pz);
	free(nl->pt);
	free(nl->first);
	free(nl->clist);
	free(nl->tstart);
	free(nl->wpart);
	free(nl->fbuf);
	free(nl->touch);
	free(nl->tlist);
	free(nl->tlstart);
	free(nl->arange);
	free(nl->scratch);
	for (int t = 0; t < nl->thr_n; t++) {
		free(nl->thr[t].buf);
		free(nl->thr[t].cand);
		free(nl->thr[t].sb);
		free(nl->thr[t].rec);
	}
	free(nl->thr);
	free(nl->zhist);
	if (nl->prune) {
		free(nl->prune->plist);
		free(nl->prune->pn);
		free(nl->prune->xp);
		free(nl->prune->yp);
		free(nl->prune->zp);
		free(nl->prune);
	}
	free(nl);
}

long nbr_nbuilds(const struct nbr_list *nl)
{
	return nl->nbuilds;
}

double nbr_box_trigger_sq(const double lo[3], const double len[3],
			  const double lo0[3], const double len0[3], double buf)
{
	double d1 = 0.0, d2 = 0.0;
	for (int a = 0; a < 3; a++) {
		const double dl = lo[a] - lo0[a];
		const double dh = lo[a] + len[a] - (lo0[a] + len0[a]);
		d1 += dl * dl;
		d2 += dh * dh;
	}
	const double moved = sqrt(d1) + sqrt(d2); /* 0 if the box is the same */
	if (!(moved < buf))
		return -1.0;
	const double trig = 0.5 * (buf - moved);
	return trig * trig;
}

double nbr_trigger_sq(const struct nbr_list *nl, const struct state *st)
{
	if (!nl->built || st->n != nl->n)
		return -1.0;
	return nbr_box_trigger_sq(st->lo, st->len, nl->lohold, nl->lenhold,
				  nl->skin);
}

int nbr_needs_rebuild(const struct nbr_list *nl, const struct state *st)
{
	const double trigsq = nbr_trigger_sq(nl, st);
	if (trigsq < 0.0)
		return 1;
	double maxsq = 0.0, bad = 0.0;
	const double *restrict x = st->x, *restrict y = st->y,
			       *restrict z = st->z;
	const double *restrict xh = nl->xhold, *restrict yh = nl->yhold,
			       *restrict zh = nl->zhold;
	/* One pass: the largest displacement, and in `bad` the sum of x*0,
	 * NaN exactly when a position is not finite (NaN compares false in
	 * the max): then rebuild, where it is caught. */
#pragma omp parallel reduction(max : maxsq) reduction(+ : bad)
	{
		/* each thread the atoms it has just moved */
		size_t a0, a1;
		nbr_atom_range(nl, omp_util_thread_id(), omp_util_team_size(),
			       &a0, &a1);
#pragma omp simd reduction(max : maxsq) reduction(+ : bad)
		for (size_t i = a0; i < a1; i++) {
			double dx = x[i] - xh[i], dy = y[i] - yh[i],
			       dz = z[i] - zh[i];
			double r = dx * dx + dy * dy + dz * dz;
			maxsq = r > maxsq ? r : maxsq;
			bad += x[i] * 0.0 + y[i] * 0.0 + z[i] * 0.0;
		}
	}
	return maxsq > trigsq || bad != 0.0;
}

int nbr_reference(const struct nbr_list *nl, const double **x,
		  const double **y, const double **z, double lo[3],
		  double len[3])
{
	if (!nl->built)
		return -1;
	*x = nl->xhold;
	*y = nl->yhold;
	*z = nl->zhold;
	memcpy(lo, nl->lohold, sizeof nl->lohold);
	memcpy(len, nl->lenhold, sizeof nl->lenhold);
	return 0;
}

static int check_box(const struct nbr_list *nl, const double len[3],
		     struct err *e)
{
	for (int a = 0; a < 3; a++) {
		if (!isfinite(len[a]) || !(len[a] >= 2.0 * nl->cutneigh))
			return err_set(e, "box length %g along %c is shorter "
					  "than 2*(cutoff+skin) = %g",
				       len[a], "xyz"[a], 2.0 * nl->cutneigh);
	}
	return 0;
}

/* Wrap one coordinate into [lo, lo+len), counting periods in *img. */
static int wrap1(double *x, int *img, double lo, double len)
{
	double hi = lo + len;
	if (*x >= lo && *x < hi)
		return 0;
	double s = floor((*x - lo) / len);
	if (!(fabs(s) < 1e9))
		return -1;
	*x -= s * len;
	long im = *img + (long)s;
	if (*x >= hi) {
		*x -= len;
		im++;
	}
	if (*x < lo)
		*x = lo;
	if (im > INT32_MAX || im < INT32_MIN)
		return -1;
	*img = (int)im;
	return 0;
}


/* Items being sorted into slots: the atoms. */
struct item {
	double x, y, z;
	int atom;
};

/* Whether shift (sx, sy, sz) is "positive": its first non-zero of sz, sy,
 * sx is +1. Of a shift and its opposite exactly one is. */
static int positive_shift(int sx, int sy, int sz)
{
	return sz > 0 || (sz == 0 && (sy > 0 || (sy == 0 && sx > 0)));
}

static int ensure_threads(struct nbr_list *nl, int nthr)
{
	if (nl->thr_n >= nthr)
		return 0;
	struct nbr_thread *th = realloc(nl->thr, (size_t)nthr * sizeof *th);
	if (!th)
		return -1;
	nl->thr = th;
	memset(th + nl->thr_n, 0, (size_t)(nthr - nl->thr_n) * sizeof *th);
	nl->thr_n = nthr;
	return 0;
}

/* Carve the build scratch out of one reusable block. */
struct arena {
	char *p;
	size_t used;
};
static void *carve(struct arena *a, size_t bytes)
{
	void *q = a->p + a->used;
	a->used += (bytes + ALIGN - 1) / ALIGN * ALIGN;
	return q;
}
static size_t rounded(size_t bytes)
{
	return (bytes + ALIGN - 1) / ALIGN * ALIGN;
}

/* max/min that compile to one instruction (fmax/fmin are library calls
 * because of their NaN rules; positions here are finite), and max(x, 0)
 * written so that no compiler turns it into a branch (exact: x + |x| is
 * 2x or 0). */
static inline double dmax(double a, double b) { return a > b ? a : b; }
static inline double dmin(double a, double b) { return a < b ? a : b; }
static inline double pos(double x) { return 0.5 * (x + fabs(x)); }

/* Insertion sort of order[g0..g1) by z (the input is sorted by z bin
 * already, so this moves little). */
static void sort_z(int *restrict order, const struct item *restrict it,
		   int g0, int g1)
{
	for (int k = g0 + 1; k < g1; k++) {
		int v = order[k];
		double z = it[v].z;
		int j = k - 1;
		while (j >= g0 && it[order[j]].z > z) {
			order[j + 1] = order[j];
			j--;
		}
		order[j + 1] = v;
	}
}

/* The bucket of an atom: column and z bin of the box, clamped to the
 * grid (an atom on the upper face by round-off goes to the last). */
static inline int bucket_key(const struct item *t, const double lo[3],
			     const double colw[2], const int nc[2], double wz,
			     int nzb)
{
	double u = (t->x - lo[0]) / colw[0];
	double v = (t->y - lo[1]) / colw[1];
	double w = (t->z - lo[2]) / wz;
	int cx = u > 0 ? (int)u : 0, cy = v > 0 ? (int)v : 0;
	int cz = w > 0 ? (int)w : 0;
	cx = cx < nc[0] ? cx : nc[0] - 1;
	cy = cy < nc[1] ? cy : nc[1] - 1;
	cz = cz < nzb ? cz : nzb - 1;
	size_t g = (size_t)cy * nc[0] + cx;
	return (int)(g * nzb + cz);
}

/* Stable counting sort of items 0..n-1, whose keys lie in buckets
 * 0..nb-1, into order[]; bstart[b] gets the first item of bucket b
 * (bstart[nb] = n). */
static void bucket_sort(const int *restrict key, size_t n,
			int *restrict bstart, size_t nb, int *restrict order)
{
	memset(bstart, 0, (nb + 1) * sizeof *bstart);
	for (size_t k = 0; k < n; k++)
		bstart[key[k] + 1]++;
	int run = 0; /* bstart[b + 1]: first item of bucket b */
	for (size_t b = 0; b < nb; b++) {
		const int c = bstart[b + 1];
		bstart[b + 1] = run;
		run += c;
	}
	for (size_t k = 0; k < n; k++) /* bstart[b + 1] ends at b's end */
		order[bstart[key[k] + 1]++] = (int)k;
}

/* Atoms a0 .. a1-1 of thread t of nt: with items (atoms renumbered in
 * slot order for nt items), item t's; else libgomp's schedule(static)
 * split (the first n % nt get one more). */
static void atom_split(const struct nbr_list *nl, int items, int t, int nt,
		       size_t *a0, size_t *a1)
{
	if (items && nl->renumbered && nt == nl->nthr) {
		*a0 = (size_t)nl->arange[t];
		*a1 = (size_t)nl->arange[t + 1];
		return;
	}
	const size_t n = nl->n, q = n / (size_t)nt, r = n % (size_t)nt;
	*a0 = (size_t)t * q + ((size_t)t < r ? (size_t)t : r);
	*a1 = *a0 + q + ((size_t)t < r);
}

/* Slots s0..s1 from the m items ord[0..m); dummies after them. */
static void fill_slots(struct nbr_list *nl, const struct item *restrict it,
		       const int *restrict ord, int m, size_t s0, size_t s1)
{
	int *restrict src = nl->src, *restrict pt = nl->pt;
	double *restrict px = nl->px, *restrict py = nl->py,
		       *restrict pz = nl->pz;
	size_t s = s0;
	for (int k = 0; k < m; k++, s++) {
		const struct item *t = &it[ord[k]];
		src[s] = t->atom;
		px[s] = t->x;
		py[s] = t->y;
		pz[s] = t->z;
		pt[s] = 0;
	}
	for (; s < s1; s++) {
		src[s] = -1;
		px[s] = py[s] = pz[s] = NBR_FAR;
		pt[s] = 0;
	}
}

/* Bounding box (min xyz, max xyz) of the real slots of cluster c. */
static void cluster_box(const struct nbr_list *nl, size_t c, double *b)
{
	const int *src = nl->src;
	b[0] = b[1] = b[2] = INFINITY;
	b[3] = b[4] = b[5] = -INFINITY;
	for (size_t s = c * NBR_CL; s < (c + 1) * NBR_CL && src[s] >= 0; s++) {
		b[0] = dmin(b[0], nl->px[s]);
		b[1] = dmin(b[1], nl->py[s]);
		b[2] = dmin(b[2], nl->pz[s]);
		b[3] = dmax(b[3], nl->px[s]);
		b[4] = dmax(b[4], nl->py[s]);
		b[5] = dmax(b[5], nl->pz[s]);
	}
}

/* The column grid of a build, as the search needs it. */
struct grid {
	double lo[3], len[3], colw[2];
	int nc[2];
	size_t ncol;
	int nslab;              /* z slabs (one per thread) */
	const int *gcl;         /* [nslab*ncol+1] first cluster of each
				   group (slab, column) */
	const double *bb;       /* [6*nclusters] bounding boxes */
	double rcs;
	/* z lookup: zfirst[g*(nzt+1) + b] is the first cluster of group g
	 * whose zmax reaches the lower edge lo[2] + b*wzt of z bin b. */
	const int *zfirst;
	int nzt;
	double wzt;
	/* z range of each slab's clusters: lowest atom at or above
	 * szlo[s], highest at or below szhi[s]; the search skips the slabs
	 * a cluster's reach misses without looking at their groups. */
	const double *szlo, *szhi;
	/* the shift of each entry code, in lengths of this box */
	double shx[32], shy[32], shz[32];
};

/* Fill the z lookup of group g (its clusters are sorted by z, so zmax
 * does not decrease). */
static void z_table(const struct grid *g, size_t grp, int *zf)
{
	int c = g->gcl[grp], c1 = g->gcl[grp + 1];
	for (int b = 0; b <= g->nzt; b++) {
		double edge = g->lo[2] + b * g->wzt;
		while (c < c1 && g->bb[6 * c + 5] < edge)
			c++;
		zf[b] = c;
	}
}

/* Which clusters cluster ci lists under shift (sx, sy, sz): those from
 * the returned one on (INT_MAX: none). Each pair once (nbr_impl.h):
 * across the z faces the atom whose partner's image lies above the box
 * (sz = +1, every cluster); else (sz = 0) the clusters after ci, and ci
 * itself under positive x-y shifts (unshifted, its own list's first
 * entry holds the slots after each atom). The search and nbr_pair_sep
 * both follow it. */
static inline int first_listed(int ci, int sx, int sy, int sz)
{
	if (sz != 0)
		return sz > 0 ? 0 : INT_MAX;
	return positive_shift(sx, sy, 0) ? ci : ci + 1;
}

/* Candidate entries of cluster ci into th->cand: the clusters under
 * each periodic shift whose bounding box lies within rcs of ci's, of
 * those ci lists (first_listed). In each column near enough, under each
 * shift, the z
 * table gives where to start (clusters of a column are z-sorted); the
 * scan stops past zmax + rcs. Returns the count, -1 out of memory. */
static long cluster_candidates(const struct grid *g, int ci,
			       struct nbr_thread *th)
{
	const double *bb = g->bb, *bi = bb + 6 * ci, rcs = g->rcs;
	const double rcsq = rcs * rcs;
	int lo[2], hi[2];
	for (int d = 0; d < 2; d++) {
		lo[d] = (int)floor((bi[d] - rcs - g->lo[d]) / g->colw[d]);
		hi[d] = (int)floor((bi[3 + d] + rcs - g->lo[d]) / g->colw[d]);
		/* the box is >= 2 rcs wide: at most one period each way */
		lo[d] = lo[d] < -g->nc[d] ? -g->nc[d] : lo[d];
		hi[d] = hi[d] > 2 * g->nc[d] - 1 ? 2 * g->nc[d] - 1 : hi[d];
	}
	size_t m = 0;
	for (int sz = -1; sz <= 1; sz++) {
		if (first_listed(ci, 0, 0, sz) == INT_MAX)
			continue;
		/* the range ci reaches, in the unshifted z of the clusters */
		const double zlo = bi[2] - rcs - sz * g->len[2],
			     zhi = bi[5] + rcs - sz * g->len[2];
		if (zhi < g->lo[2] || zlo > g->lo[2] + g->len[2])
			continue;
		/* the slabs within reach in z: with more than one, the groups
		 * of the others are skipped without a look at their z
		 * tables */
		int sl0 = 0, sl1 = g->nslab - 1;
		while (sl0 < sl1 && g->szhi[sl0] < zlo)
			sl0++;
		while (sl1 > sl0 && g->szlo[sl1] >= zhi)
			sl1--;
		const double u = (zlo - g->lo[2]) / g->wzt; /* z table bin */
		const int zb = u < 0 ? 0 : u > g->nzt ? g->nzt : (int)u;
		for (int cy = lo[1]; cy <= hi[1]; cy++) {
			const int sy = cy < 0 ? -1 : cy >= g->nc[1] ? 1 : 0;
			const int jy = cy - sy * g->nc[1];
			double ylo = g->lo[1] + cy * g->colw[1];
			double dy = pos(dmax(ylo - bi[4], bi[1] - ylo - g->colw[1]));
			for (int cx = lo[0]; cx <= hi[0]; cx++) {
				const int sx = cx < 0 ? -1 : cx >= g->nc[0] ? 1 : 0;
				const int jx = cx - sx * g->nc[0];
				double xlo = g->lo[0] + cx * g->colw[0];
				double dx = pos(dmax(xlo - bi[3],
						     bi[0] - xlo - g->colw[0]));
				if (dx * dx + dy * dy >= rcsq)
					continue;
				const int code = (sx + 1) + 3 * (sy + 1) + 9 * (sz + 1);
				const int first = first_listed(ci, sx, sy, sz);
				const double ox = g->shx[code], oy = g->shy[code],
					     oz = g->shz[code];
				for (int sl = sl0; sl <= sl1; sl++) {
					size_t grp = (size_t)sl * g->ncol +
						     (size_t)jy * g->nc[0] + jx;
					int c0 = g->gcl[grp], c1 = g->gcl[grp + 1];
					c0 = c0 < first ? first : c0;
					/* from the z table: a cluster at or
					 * before the first whose zmax reaches
					 * zlo */
					int cz = g->zfirst[grp * (size_t)(g->nzt + 1) + zb];
					c0 = cz > c0 ? cz : c0;
					if (c1 > c0 &&
					    grow_keep((void **)&th->cand, &th->ccap,
						      m + (size_t)(c1 - c0), sizeof(int)))
						return -1;
					int *restrict cd = th->cand;
					for (int c = c0; c < c1; c++) {
						const double *b = bb + 6 * c;
						if (b[2] >= zhi)
							break;
						double ex = pos(dmax(b[0] + ox - bi[3],
								     bi[0] - b[3] - ox));
						double ey = pos(dmax(b[1] + oy - bi[4],
								     bi[1] - b[4] - oy));
						double ez = pos(dmax(b[2] + oz - bi[5],
								     bi[2] - b[5] - oz));
						cd[m] = NBR_ENTRY(c, code);
						m += ex * ex + ey * ey + ez * ez < rcsq;
					}
				}
			}
		}
	}
	return (long)m;
}

/* The candidates k < m with d2[k] < rcsq, in order, to out; returns their
 * count. May write anything into out[count .. m-1] (the whole-vector
 * stores: the one for candidates k..k+7 starts at most at out[k]). With
 * AVX-512, eight at a time by a register compress (the memory form is
 * microcoded on some CPUs). */
static size_t compact(const int *restrict cand, const double *restrict d2,
		      size_t m, double rcsq, int *restrict out)
{
	size_t len = 0, k = 0;
#if defined(__AVX512F__) && defined(__AVX512VL__)
	const __m512d rc = _mm512_set1_pd(rcsq);
	for (; k + 8 <= m; k += 8) {
		__mmask8 hit = _mm512_cmp_pd_mask(_mm512_loadu_pd(d2 + k), rc,
						  _CMP_LT_OQ);
		__m256i c = _mm256_loadu_si256((const __m256i *)(cand + k));
		_mm256_storeu_si256((__m256i *)(out + len),
				    _mm256_maskz_compress_epi32(hit, c));
		len += (size_t)__builtin_popcount(hit);
	}
#endif
	for (; k < m; k++) {
		out[len] = cand[k];
		len += d2[k] < rcsq;
	}
	return len;
}

/* The list of each atom (slot) of cluster ci, appended to buf: its own
 * cluster unshifted if that holds a j > i, then the candidates whose
 * (shifted) box lies within rcs of the atom (a vector loop over the
 * boxes, copied to sb as structure of arrays, then a branch-free
 * compaction). first[i+1] gets each atom's count. Returns the entries
 * appended. */
static size_t list_atoms(const struct nbr_list *nl, const struct grid *g,
			 int ci, const int *cand, size_t m, double *sb,
			 int *buf, int *first)
{
	const int CL = NBR_CL;
	const double rcsq = g->rcs * g->rcs;
	double *restrict b0x = sb, *restrict b0y = sb + m,
		       *restrict b0z = sb + 2 * m, *restrict b1x = sb + 3 * m,
		       *restrict b1y = sb + 4 * m, *restrict b1z = sb + 5 * m,
		       *restrict d2 = sb + 6 * m;
	for (size_t k = 0; k < m; k++) {
		const int s = cand[k] & NBR_SHMASK;
		const double *b = g->bb + 6 * (size_t)(cand[k] >> NBR_SHBITS);
		b0x[k] = b[0] + g->shx[s];
		b0y[k] = b[1] + g->shy[s];
		b0z[k] = b[2] + g->shz[s];
		b1x[k] = b[3] + g->shx[s];
		b1y[k] = b[4] + g->shy[s];
		b1z[k] = b[5] + g->shz[s];
	}
	size_t len = 0;
	for (int i = ci * CL; i < (ci + 1) * CL; i++) {
		first[i + 1] = 0;
		if (nl->src[i] < 0)
			continue;
		size_t l0 = len;
		const double xi = nl->px[i], yi = nl->py[i], zi = nl->pz[i];
		if (i % CL + 1 < CL && nl->src[i + 1] >= 0)
			buf[len++] = NBR_ENTRY(ci, NBR_SHIFT0);
		for (size_t k = 0; k < m; k++) {
			double ex = pos(dmax(b0x[k] - xi, xi - b1x[k]));
			double ey = pos(dmax(b0y[k] - yi, yi - b1y[k]));
			double ez = pos(dmax(b0z[k] - zi, zi - b1z[k]));
			d2[k] = ex * ex + ey * ey + ez * ez;
		}
		len += compact(cand, d2, m, rcsq, buf + len);
		first[i + 1] = (int)(len - l0);
	}
	return len;
}

/* The z bin of slab_planes' histogram (nb bins over the box). */
static inline int zhist_bin(double z, double lo, double len, int nb)
{
	int b = (int)((z - lo) / (len / nb));
	return b < 0 ? 0 : b < nb ? b : nb - 1;
}

/* Planes z[0..nslab-2] that cut the box into nslab slabs of about equal
 * kernel cost: atoms weighted by the local density (pairs per atom), from
 * cnt[nb], the atoms per bin (zhist_bin) of half the neighbour cutoff. */
static void slab_planes(const double *cnt, double lo, double len, int nslab,
			int nb, double *plane)
{
	const double w = len / nb;
	double all = 0.0;
	for (int b = 0; b < nb; b++)
		all += cnt[b] * cnt[b];
	double cum = 0.0;
	int s = 1;
	for (int b = 0; b < nb && s < nslab; b++) {
		double wb = cnt[b] * cnt[b];
		while (s < nslab && cum + wb >= all * s / nslab) {
			double f = wb > 0.0 ? (all * s / nslab - cum) / wb : 0.0;
			plane[s - 1] = lo + (b + f) * w;
			s++;
		}
		cum += wb;
	}
	while (s < nslab)
		plane[s++ - 1] = lo + len;
}

/* The thread planes plane[0..nthr-2] (slab_planes) made into those of
 * 2 nthr sub-slabs, in place (room for 2 nthr - 1): each thread's slab
 * split at its lower face plus width (the reach of a cluster's list:
 * the clusters above it that another thread's lists can name), so that
 * the slots other threads read, and the cache lines they share, form
 * one block at the start of each thread's range instead of a few
 * clusters at the end of every column. */
static void slab_bands(double *plane, int nthr, double lo, double len,
		       double width)
{
	for (int t = nthr - 1; t >= 0; t--) {
		const double z0 = t > 0 ? plane[t - 1] : lo;
		const double z1 = t < nthr - 1 ? plane[t] : lo + len;
		if (t < nthr - 1)
			plane[2 * t + 1] = z1;
		plane[2 * t] = z0 + width < z1 ? z0 + width : z1;
	}
}

/* The next chunks of the search for thread t of nrun: their count (0 when
 * all are taken), the first in *c0. With two threads, one takes the
 * chunks from the bottom of the box up and the other from the top down
 * (each starts on its own slab, whose slots it filled and whose atoms it
 * moved) until they meet, each time a quarter of those left (at least
 * one), so that the shared state changes hands a few times per build, not
 * at every chunk; state packs the lowest (low 32 bits) and the highest
 * (high 32 bits) chunk not taken. With more threads, one at a time from
 * the bottom up (the low half counts up). */
static int next_chunks(uint64_t *state, int nch, int t, int nrun, int *c0)
{
	if (nrun != 2) {
		uint64_t c = __atomic_fetch_add(state, 1, __ATOMIC_RELAXED);
		int lo = (int)(uint32_t)c;
		*c0 = lo;
		return lo < nch ? 1 : 0;
	}
	uint64_t old = __atomic_load_n(state, __ATOMIC_RELAXED), nw;
	int lo, hi, k;
	do {
		lo = (int)(uint32_t)old;
		hi = (int)(uint32_t)(old >> 32);
		if (nch == 0 || lo > hi)
			return 0;
		k = (hi - lo + 1) / 4;
		k = k < 1 ? 1 : k;
		nw = t == 0 ? old + (uint64_t)k
			    : old - ((uint64_t)k << 32);
	} while (!__atomic_compare_exchange_n(state, &old, nw, 0,
					      __ATOMIC_RELAXED,
					      __ATOMIC_RELAXED));
	*c0 = t == 0 ? lo : hi - k + 1;
	return k;
}

/* The touch lists (tlist, tlstart) from the touch rows, each item by a
 * thread: the clusters whose parts of its buffer an item zeroes. */
static int touch_lists(struct nbr_list *nl)
{
	const int nthr = nl->nthr;
	const size_t nc = nl->nclust;
	int *ts = realloc(nl->tlstart, ((size_t)nthr + 1) * sizeof *ts);
	if (!ts)
		return -1;
	nl->tlstart = ts;
	int *cnt = malloc((size_t)nthr * sizeof *cnt);
	if (!cnt ||
	    grow((void **)&nl->tlist, &nl->cap_tlist, nc * nthr + 1, sizeof(int))) {
		free(cnt);
		return -1;
	}
#pragma omp parallel num_threads(nthr)
	{
		const int t0 = omp_util_thread_id(), tn = omp_util_team_size();
		for (int w = t0; w < nthr; w += tn) {
			int m = 0;
			for (size_t c = 0; c < nc; c++)
				m += nl->touch[nc * w + c];
			cnt[w] = m;
		}
#pragma omp barrier
		for (int w = t0; w < nthr; w += tn) {
			int m = 0;
			for (int v = 0; v < w; v++)
				m += cnt[v];
			nl->tlstart[w] = m;
			for (size_t c = 0; c < nc; c++)
				if (nl->touch[nc * w + c])
					nl->tlist[m++] = (int)c;
			if (w == nthr - 1)
				nl->tlstart[nthr] = m;
		}
	}
	free(cnt);
	return 0;
}

/* Item w's atoms once renumbered (nbr_order_item keeps each item's
 * atoms together, in item order): as many as its real slots. Made at
 * the build, used once the atoms are renumbered (atom_split). */
static void atom_ranges(struct nbr_list *nl)
{
	int w = 0, na = 0;
	for (size_t k = 0; k < nl->nloc; k++) {
		while (w < nl->nthr && (int)k >= nl->tstart[w])
			nl->arange[w++] = na;
		na += nl->src[k] >= 0;
	}
	while (w <= nl->nthr)
		nl->arange[w++] = na;
}

static void shifts_of(const double len[3], double *sx, double *sy,
		      double *sz)
{
	for (int s = 0; s < 32; s++) {
		const int ok = s < 27;
		sx[s] = ok ? (s % 3 - 1) * len[0] : 0.0;
		sy[s] = ok ? (s / 3 % 3 - 1) * len[1] : 0.0;
		sz[s] = ok ? (s / 9 - 1) * len[2] : 0.0;
	}
}

void nbr_set_shifts(struct nbr_list *nl, const double len[3])
{
	shifts_of(len, nl->shx, nl->shy, nl->shz);
}

/* Build slots and the list from positions X,Y,Z (inside the box up to
 * round-off) in box lo,len. */
static int build_from(struct nbr_list *nl, const double *X, const double *Y,
		      const double *Z, const double lo[3], const double len[3],
		      struct err *e)
{
	const size_t n = nl->n;
	const int CL = NBR_CL;
	const double rcs = nl->cutneigh;

	/* Grid: x-y columns tiling the box (so that a column's image is a
	 * column), z bins for the first sorting pass. Column width: the
	 * edge of a cube holding NBR_CL atoms at the mean density, widened
	 * if a sparse or flat box would need more than O(N) columns. */
	double rho = (double)n / (len[0] * len[1] * len[2]);
	double a = cbrt(CL / rho);
	double collim = 2.0 * (double)n + 256.0;
	if (len[0] / a * (len[1] / a) > collim)
		a = sqrt(len[0] * len[1] / collim);
	int nc[2];
	double colw[2];
	for (int d = 0; d < 2; d++) {
		double c = ceil(len[d] / a);
		nc[d] = c < 1 ? 1 : c > 65536 ? 65536 : (int)c;
		colw[d] = len[d] / nc[d];
	}
	const size_t ncol = (size_t)nc[0] * nc[1];
	double wz = a / CL;
	double nzf = ceil(len[2] / wz);
	double bmax = 4.0 * (double)n + 1024.0; /* buckets */
	if (nzf * (double)ncol > bmax)
		nzf = floor(bmax / (double)ncol);
	const int nzb = nzf < 1 ? 1 : (int)nzf;
	wz = len[2] / nzb;
	const size_t nbucket = ncol * (size_t)nzb;
	/* One z slab per thread (in two, below): clusters ordered (slab,
	 * column, z), so that a thread's share is a slab and only the atoms
	 * near its two faces pair with another thread's. The columns are
	 * cut into clusters as for one slab; a cluster belongs to the slab
	 * of its lowest atom, so no padding is added. */
	int nthr = omp_util_max_threads();
	if (nthr < 1)
		nthr = 1;
	/* With threads, each thread's slab in two (slab_bands): the band
	 * that the lists of the slab below reach (other threads read its
	 * slots), then the rest (read by this thread alone). On the paper's
	 * system at 2 threads an ordinary step went from 131.5 to 127.6 us
	 * (step p10, fast mode; the band's width rcs + a .. rcs + 3a alike,
	 * 5a slower): the slot fill no longer waits for the other core to
	 * give up lines next to the few it read at the end of every
	 * column. */
	const int bands = nthr > 1 ? 2 : 1;
	const int nslab = nthr * bands;
	const size_t ngs = ncol * (size_t)nslab;
	const int nbz = (int)fmin(4096.0, fmax(4.0 * nslab,
					       floor(len[2] / (0.5 * rcs))));
	/* z table bins of half a cluster's height (at most ~4 per cluster) */
	double nztf = ceil(len[2] / (0.5 * a));
	if (nztf * (double)ngs > bmax)
		nztf = floor(bmax / (double)ngs);
	const int nzt = nztf < 1 ? 1 : (int)nztf;
	const size_t maxclust = n / CL + ngs + 1;

	if (grow((void **)&nl->zhist, &nl->cap_zhist,
		 (size_t)nbz * ((size_t)nthr + 1), sizeof(double)))
		return err_set(e, "out of memory for the neighbour list");
	double *zhist = nl->zhist; /* [nthr][nbz], then their sum */
	if (nbucket > (size_t)INT32_MAX)
		return err_set(e, "neighbour list: system too large");
	const size_t need =
		rounded(n * sizeof(struct item)) + rounded(n * sizeof(int)) * 2 +
		rounded((nbucket + 1) * sizeof(int)) +
		rounded((ngs + 1) * sizeof(int)) * 3 +
		rounded(6 * maxclust * sizeof(double)) +
		rounded(ngs * ((size_t)nzt + 1) * sizeof(int)) +
		/* plane and szlo/szhi are two carves, each rounded up */
		rounded((size_t)nslab * sizeof(double)) +
		rounded(2 * (size_t)nslab * sizeof(double));
	if (grow(&nl->scratch, &nl->cap_scratch, need, 1))
		return err_set(e, "out of memory for the neighbour list");
	struct arena ar = {nl->scratch, 0};
	struct item *it = carve(&ar, n * sizeof *it);
	int *key = carve(&ar, n * sizeof *key);
	int *order = carve(&ar, n * sizeof *order);
	int *bstart = carve(&ar, (nbucket + 1) * sizeof *bstart);
	/* per group: first cluster, first item, items */
	int *gcl = carve(&ar, (ngs + 1) * sizeof *gcl);
	int *istart = carve(&ar, (ngs + 1) * sizeof *istart);
	int *icount = carve(&ar, (ngs + 1) * sizeof *icount);
	double *bb = carve(&ar, 6 * maxclust * sizeof *bb);
	int *zfirst = carve(&ar, ngs * ((size_t)nzt + 1) * sizeof *zfirst);
	double *plane = carve(&ar, (size_t)nslab * sizeof *plane);
	double *szlo = carve(&ar, 2 * (size_t)nslab * sizeof *szlo);
	double *szhi = szlo + nslab;
	/* need must add up what the carves take, each rounded: a term that
	 * did not wrote past the buffer when it was sized to need */
	if (ar.used > need)
		return err_set(e, "neighbour list: internal error: scratch "
			       "carved beyond its size");

	/* Items, their bucket keys (column, z bin) and the slab histogram,
	 * each thread on the atoms it moved (atom_split), so that it reads
	 * what it wrote; the counting sort; the z order in each column. */
#pragma omp parallel num_threads(nthr)
	{
		const int t = omp_util_thread_id(), nrun = omp_util_team_size();
		size_t a0, a1;
		atom_split(nl, 1, t, nrun, &a0, &a1);
		double *zh = zhist + (size_t)nbz * t;
		memset(zh, 0, (size_t)nbz * sizeof *zh);
		for (size_t i = a0; i < a1; i++) {
			it[i] = (struct item){X[i], Y[i], Z[i], (int)i};
			zh[zhist_bin(Z[i], lo[2], len[2], nbz)] += 1.0;
		}
		for (size_t k = a0; k < a1; k++)
			key[k] = bucket_key(&it[k], lo, colw, nc, wz, nzb);
#pragma omp barrier
#pragma omp single
		{
			/* the threads' z histograms (counts: the sum is
			 * exact), the slab planes, the counting sort */
			double *zsum = zhist + (size_t)nbz * nthr;
			memcpy(zsum, zhist, (size_t)nbz * sizeof *zsum);
			for (int u = 1; u < nrun; u++)
				for (int b = 0; b < nbz; b++)
					zsum[b] += zhist[(size_t)nbz * u + b];
			slab_planes(zsum, lo[2], len[2], nthr, nbz, plane);
			if (bands > 1)
				slab_bands(plane, nthr, lo[2], len[2],
					   rcs + 2.0 * a);
			bucket_sort(key, n, bstart, nbucket, order);
		}
		/* Exact z order inside each column (input nearly sorted). */
#pragma omp for schedule(dynamic, 4)
		for (size_t g = 0; g < ncol; g++)
			sort_z(order, it, bstart[g * nzb], bstart[(g + 1) * nzb]);
	}
	/* Group (slab s, column): the clusters of the column whose lowest
	 * atom lies between planes s-1 and s (items sorted by z). */
	for (size_t col = 0; col < ncol; col++) {
		int g0 = bstart[col * nzb], g1 = bstart[(col + 1) * nzb];
		int k = g0;
		for (int sl = 0; sl < nslab; sl++) {
			size_t G = (size_t)sl * ncol + col;
			int k1 = k;
			if (sl == nslab - 1)
				k1 = g1;
			else
				while (k1 < g1 && it[order[k1]].z < plane[sl])
					k1 += CL;
			k1 = k1 < g1 ? k1 : g1;
			istart[G] = k;
			icount[G] = k1 - k;
			k = k1;
		}
	}
	size_t ncl = 0;
	for (size_t G = 0; G < ngs; G++) {
		gcl[G] = (int)ncl;
		ncl += (size_t)(icount[G] + CL - 1) / CL;
	}
	gcl[ngs] = (int)ncl;
	/* One more cluster, all dummies: the mixed kernel pairs an odd last
	 * list entry with it. */
	const size_t nslot = (ncl + 1) * CL;
	const size_t nloc = ncl * CL;
	if (nslot > (size_t)INT32_MAX >> NBR_SHBITS)
		return err_set(e, "neighbour list: system too large");

	if (nslot > nl->cap_slot) {
		size_t c = nslot + nslot / 4 + 16 * CL;
		free(nl->src);
		free(nl->px);
		free(nl->py);
		free(nl->pz);
		free(nl->pt);
		free(nl->first);
		nl->src = xalloc(c, sizeof(int));
		nl->px = xalloc(c, sizeof(double));
		nl->py = xalloc(c, sizeof(double));
		nl->pz = xalloc(c, sizeof(double));
		nl->pt = xalloc(c, sizeof(int));
		nl->first = xalloc(c + 1, sizeof(int));
		nl->cap_slot = c;
		if (!nl->src || !nl->px || !nl->py || !nl->pz || !nl->pt ||
		    !nl->first) {
			nl->cap_slot = 0;
			return err_set(e, "out of memory for %zu slots", nslot);
		}
	}
	nl->nslot = nslot;
	nl->nloc = nloc;

	/* Fill slots group by group; dummies pad each group's last cluster.
	 * Bounding boxes from the real slots. */
	int *src = nl->src;
	double *px = nl->px, *py = nl->py, *pz = nl->pz;
	struct grid grid = {{lo[0], lo[1], lo[2]}, {len[0], len[1], len[2]},
			    {colw[0], colw[1]}, {nc[0], nc[1]}, ncol,
			    nslab, gcl, bb, rcs, zfirst, nzt,
			    len[2] / nzt, szlo, szhi, {0}, {0}, {0}};
	shifts_of(len, grid.shx, grid.shy, grid.shz);
	/* One pass per group, by slab: the thread of slab s fills the groups
	 * of slab s (with atoms numbered in slab order, md_reorder, the items
	 * it reads are the ones it made), boxes their clusters, makes their
	 * z table (which the search of slab s reads most) and points its
	 * atoms at their slots. */
	int *lslot = nl->lslot;
#pragma omp parallel num_threads(nthr)
	{
		const int t = omp_util_thread_id(), nrun = omp_util_team_size();
		for (size_t G = 0; G < ngs; G++) {
			if ((int)(G / ncol) / bands % nrun != t)
				continue;
			const size_t s0 = (size_t)gcl[G] * CL,
				     s1 = (size_t)gcl[G + 1] * CL;
			fill_slots(nl, it, order + istart[G], icount[G], s0, s1);
			for (size_t c = s0 / CL; c < s1 / CL; c++)
				cluster_box(nl, c, bb + 6 * c);
			z_table(&grid, G, zfirst + G * ((size_t)nzt + 1));
			for (size_t k = s0; k < s1; k++)
				if (src[k] >= 0)
					lslot[src[k]] = (int)k;
		}
	}
	/* each slab's z range, for the search (clusters of a group are
	 * z-sorted: the last one reaches highest) */
	for (int sl = 0; sl < nslab; sl++) {
		szlo[sl] = sl > 0 ? plane[sl - 1] : -INFINITY;
		szhi[sl] = -INFINITY;
		for (size_t col = 0; col < ncol; col++) {
			size_t G = (size_t)sl * ncol + col;
			if (gcl[G + 1] > gcl[G])
				szhi[sl] = dmax(szhi[sl],
						bb[6 * (size_t)(gcl[G + 1] - 1) + 5]);
		}
	}
	for (size_t s = nloc; s < nslot; s++) {
		src[s] = -1;
		px[s] = py[s] = pz[s] = NBR_FAR;
		nl->pt[s] = 0;
	}
	nl->dummy = (int)ncl;

	/* Work items (nbr_impl.h): one per thread, and the clusters each
	 * one writes (touch), made with the list below. */
	if (nl->nthr != nthr || !nl->tstart) {
		free(nl->tstart);
		free(nl->arange);
		free(nl->wpart);
		nl->tstart = malloc(((size_t)nthr + 1) * sizeof *nl->tstart);
		nl->arange = malloc(((size_t)nthr + 1) * sizeof *nl->arange);
		nl->wpart = xalloc(8 * (size_t)nthr, sizeof(double));
		if (!nl->tstart || !nl->arange || !nl->wpart) {
			nl->nthr = 0;
			return err_set(e, "out of memory");
		}
	}
	nl->nthr = nthr;
	nl->nclust = nslot / CL;
	if (nthr > 1 && grow((void **)&nl->touch, &nl->tcap_touch,
			     nl->nclust * nthr, 1))
		return err_set(e, "out of memory");

	/* The search, in parallel over chunks of clusters taken dynamically
	 * (the lower slab lists the pairs across the plane, and columns
	 * differ: a static split left one thread waiting ~30%); each thread
	 * appends its chunks to its own buffer, and the chunks are then
	 * copied into the list in slot order, so the list does not depend
	 * on the thread count or the schedule. */
	if (ensure_threads(nl, nthr))
		return err_set(e, "out of memory");
	int *first = nl->first;
	int oom = 0, toolong = 0;
	const int nlc = (int)ncl;
	enum { CHUNK = 4 };                /* clusters per chunk */
	const int nch = (nlc + CHUNK - 1) / CHUNK;
	/* per chunk: offset in its thread's buffer, length, place in the
	 * list, thread, and offset of its clusters' candidates in the
	 * thread's record buffer; per cluster, its candidates' count (the
	 * touch rows are marked from the candidates, a superset of the
	 * entries of the cluster's atoms: ~4x fewer stores) */
	size_t *choff = malloc(5 * ((size_t)nch + 1) * sizeof *choff);
	int *ccnt = malloc(((size_t)nlc + 1) * sizeof *ccnt);
	if (!choff || !ccnt) {
		free(choff);
		free(ccnt);
		return err_set(e, "out of memory for the neighbour list");
	}
	size_t *chlen = choff + nch + 1, *chpos = chlen + nch + 1,
	       *chthr = chpos + nch + 1, *chrec = chthr + nch + 1;
	uint64_t chunks = nch > 0 ? (uint64_t)(uint32_t)(nch - 1) << 32 : 0;
#pragma omp parallel num_threads(nthr)
	{
		int t = omp_util_thread_id();
		struct nbr_thread *th = &nl->thr[t];
		size_t len_t = 0, nrec = 0;
		for (int cb, kb; (kb = next_chunks(&chunks, nch, t,
						  omp_util_team_size(), &cb)) > 0;)
			for (int ch = cb; ch < cb + kb; ch++) {
				const size_t l0 = len_t;
				const int c1 = (ch + 1) * CHUNK < nlc ? (ch + 1) * CHUNK : nlc;
				chrec[ch] = nrec;
				for (int ci = ch * CHUNK; ci < c1; ci++) {
					const long mc = cluster_candidates(&grid, ci, th);
					/* per atom: its own cluster and the
					 * candidates; their boxes; their clusters
					 * for the touch rows */
					const size_t m = mc < 0 ? 0 : (size_t)mc;
					if (mc < 0 ||
					    grow_keep((void **)&th->buf, &th->cap,
						      len_t + (m + 1) * CL, sizeof(int)) ||
					    grow_keep((void **)&th->sb, &th->sbcap, 7 * m,
						      sizeof(double)) ||
					    (nthr > 1 &&
					     grow_keep((void **)&th->rec, &th->rcap,
						       nrec + m, sizeof(int)))) {
#pragma omp atomic write
						oom = 1;
						break;
					}
					len_t += list_atoms(nl, &grid, ci, th->cand, m,
							    th->sb, th->buf + len_t,
							    first);
					if (nthr > 1) {
						for (size_t q = 0; q < m; q++)
							th->rec[nrec + q] =
								th->cand[q] >> NBR_SHBITS;
						nrec += m;
						ccnt[ci] = (int)m;
					}
				}
				choff[ch] = l0;
				chlen[ch] = len_t - l0;
				chthr[ch] = (size_t)t;
			}
#pragma omp barrier
		/* all chunks are listed */
#pragma omp single
		{
			size_t total = 0;
			for (int ch = 0; ch < nch; ch++) {
				chpos[ch] = total;
				total += chlen[ch];
			}
			if (total > (size_t)INT32_MAX)
				toolong = 1;
			else if (!oom && grow((void **)&nl->clist, &nl->cap_clist,
					      total + 16, sizeof(int)))
				oom = 1;
			first[0] = 0;
			for (size_t i = 0; i < nloc; i++)
				first[i + 1] += first[i];
			/* The kernel's items: the clusters cut into nthr runs
			 * of about equal cost (list entries, plus SLOT_COST
			 * per real slot), next to the slab boundaries. The
			 * slab planes estimate the cost from densities only;
			 * the half list adds what they cannot see (a cluster
			 * straddling a plane goes to the lower slab, which
			 * also lists the pairs across the plane). */
			{
				/* An atom's own work in a step: its part of the
				 * kernel, its drift, slot fill, fold and kick. On
				 * the paper's system at 2 threads, the median over
				 * ordinary steps of the upper slab's busy time less
				 * the lower's: 2.5 us (2%) with 2 per slot, 0.4 to
				 * 1.0 with 4, -1.2 to 0.1 with 6, -0.2 to 0.7 with
				 * 5. */
				enum { SLOT_COST = 5 };
				long cost = (long)first[nloc], cum = 0;
				for (size_t i = 0; i < nloc; i++)
					cost += SLOT_COST * (src[i] >= 0);
				int w = 1;
				nl->tstart[0] = 0;
				for (int c = 0; c < nlc && w < nthr; c++) {
					for (int i = c * CL; i < (c + 1) * CL; i++)
						cum += first[i + 1] - first[i] +
						       SLOT_COST * (src[i] >= 0);
					while (w < nthr && cum * nthr >= cost * w)
						nl->tstart[w++] = (c + 1) * CL;
				}
				while (w < nthr)
					nl->tstart[w++] = (int)nloc;
			}
			nl->tstart[nthr] = (int)nloc;
			if (nthr > 1)
				memset(nl->touch, 0, nl->nclust * nthr);
		}
		/* Each thread moves its own chunks into the list and marks the
		 * clusters their items may write (a cluster's own, and its
		 * candidates: those its atoms' lists name, and a few more,
		 * whose buffer parts are then zeroed and summed for nothing)
		 * in the item's row of touch, from its records while they are
		 * in cache (2 threads: 16 -> 7 us per build against marking
		 * every list entry). The chunks are dispensed from both ends
		 * (next_chunk), so a thread's chunks are nearly all its own
		 * item's and a row is rarely written from two threads (the
		 * same value: relaxed atomic stores). */
		if (!oom && !toolong)
			for (int ch = 0; ch < nch; ch++) {
				if (chthr[ch] != (size_t)t)
					continue;
				const int *lb = th->buf + choff[ch];
				memcpy(nl->clist + chpos[ch], lb,
				       chlen[ch] * sizeof *lb);
				if (nthr == 1)
					continue;
				const int c1 = (ch + 1) * CHUNK < nlc
						       ? (ch + 1) * CHUNK : nlc;
				int w = 0;
				const int *rb = th->rec + chrec[ch];
				for (int ci = ch * CHUNK; ci < c1; ci++) {
					while (ci * CL >= nl->tstart[w + 1])
						w++;
					unsigned char *tw =
						nl->touch + nl->nclust * w;
					__atomic_store_n(&tw[ci], 1, __ATOMIC_RELAXED);
					for (int q = 0; q < ccnt[ci]; q++)
						__atomic_store_n(&tw[rb[q]], 1,
								 __ATOMIC_RELAXED);
					rb += ccnt[ci];
				}
			}
	}
	free(choff);
	free(ccnt);
	if (oom)
		return err_set(e, "out of memory for the neighbour list");
	if (toolong)
		return err_set(e, "neighbour list: too many pairs");
	nl->renumbered = 0;
	atom_ranges(nl);
	nl->fstride = (nslot + 7) / 8 * 8;
	if (3 * nl->fstride * (size_t)nthr > (size_t)INT32_MAX)
		return err_set(e, "neighbour list: too many slots");
	if (grow((void **)&nl->fbuf, &nl->fcap, 3 * nl->fstride * nthr,
		 sizeof(double)))
		return err_set(e, "out of memory");
	if (nthr > 1 && touch_lists(nl))
		return err_set(e, "out of memory");
	return 0;
}

/* The pruned list's arrays as large as the list's (after a build). */
static int nbr_prune_room(struct nbr_list *nl)
{
	struct nbr_prune *pr = nl->prune;
	if (!pr || !nl->first)
		return 0;
	const size_t ne = nl->cap_clist, ns = nl->nloc + 1;
	if (grow((void **)&pr->plist, &pr->cap_plist, ne, sizeof(int)) ||
	    grow((void **)&pr->pn, &pr->cap_pn, ns, sizeof(int)))
		return -1;
	return 0;
}

/* The list built, its reference positions in xhold..zhold: the box too
 * (and the pruned list, if any, to be made again). */
static void reference_made(struct nbr_list *nl, const double lo[3],
			   const double len[3])
{
	if (nl->prune)
		nl->prune->valid = 0;
	memmove(nl->lohold, lo, sizeof nl->lohold);
	memmove(nl->lenhold, len, sizeof nl->lenhold);
	nl->built = 1;
	nl->nbuilds++;
}

int nbr_build(struct nbr_list *nl, struct state *st, struct err *e)
{
	if (st->n != nl->n)
		return err_set(e, "neighbour list made for %zu atoms, state has "
				  "%zu", nl->n, st->n);
	if (check_box(nl, st->len, e))
		return -1;
	for (int a = 0; a < 3; a++)
		if (!isfinite(st->lo[a]))
			return err_set(e, "box origin is not finite");
	double *r[3] = {st->x, st->y, st->z};
	int *im[3] = {st->ix, st->iy, st->iz};
	double *hold[3] = {nl->xhold, nl->yhold, nl->zhold};
	/* The wrap, and the reference positions (xhold..zhold), by each
	 * thread on the atoms it moved (nbr_atom_range: with the atoms
	 * renumbered, its slab's): a serial wrap cost 5.7 us per build at 2
	 * threads and moved the other thread's lines. A bad atom stops its
	 * thread; the error names the lowest. */
	const size_t n = st->n;
	const int nthr = nl->nthr > 1 ? nl->nthr : 1;
	size_t badi = n;
	int bada = 0, badk = 0;
	double badv = 0.0;
#pragma omp parallel num_threads(nthr) if (nthr > 1)
	{
		size_t i0, i1, fi = n;
		int fa = 0, fk = 0;
		double fv = 0.0;
		nbr_atom_range(nl, omp_util_thread_id(), omp_util_team_size(),
			       &i0, &i1);
		for (size_t i = i0; i < i1 && fi == n; i++) {
			for (int a = 0; a < 3; a++) {
				if (!isfinite(r[a][i])) {
					fi = i, fa = a, fk = 1;
					break;
				}
				if (wrap1(&r[a][i], &im[a][i], st->lo[a],
					  st->len[a])) {
					fi = i, fa = a, fk = 2;
					fv = (r[a][i] - st->lo[a]) / st->len[a];
					break;
				}
			}
			if (fi == n)
				for (int a = 0; a < 3; a++)
					hold[a][i] = r[a][i];
		}
		if (fi < n)
#pragma omp critical(nbr_wrap)
			if (fi < badi) {
				badi = fi;
				bada = fa;
				badk = fk;
				badv = fv;
			}
	}
	nl->built = 0; /* the reference is (part) made */
	if (badi < n && badk == 1)
		return err_set(e, "atom index %zu has a non-finite position",
			       badi);
	if (badi < n)
		return err_set(e, "atom index %zu is %g box lengths away along %c",
			       badi, badv, "xyz"[bada]);
	if (build_from(nl, st->x, st->y, st->z, st->lo, st->len, e))
		return -1;
	if (nbr_prune_room(nl))
		return err_set(e, "out of memory (pruned list)");
	reference_made(nl, st->lo, st->len);
	return 0;
}

void nbr_atom_range(const struct nbr_list *nl, int t, int nt, size_t *a0,
		    size_t *a1)
{
	atom_split(nl, nl->built, t, nt, a0, a1);
}

void nbr_order_item(const struct nbr_list *nl, int w, int *order)
{
	const size_t j0 = (size_t)nl->arange[w], j1 = (size_t)nl->arange[w + 1];
	if (nl->renumbered) { /* the atoms are in this order already */
		for (size_t j = j0; j < j1; j++)
			order[j] = (int)j;
		return;
	}
	/* slot order: the drift then fills the slots in order */
	const int *restrict src = nl->src;
	size_t j = j0;
	for (int k = nl->tstart[w]; k < nl->tstart[w + 1]; k++)
		if (src[k] >= 0)
			order[j++] = src[k];
}

int nbr_items(const struct nbr_list *nl)
{
	return nl->nthr;
}

void nbr_item_atoms(const struct nbr_list *nl, int w, size_t *j0, size_t *j1)
{
	*j0 = (size_t)nl->arange[w];
	*j1 = (size_t)nl->arange[w + 1];
}

void nbr_renumber_gather(struct nbr_list *nl, int w, const int *order)
{
	const size_t n = nl->n, a0 = (size_t)nl->arange[w],
		     a1 = (size_t)nl->arange[w + 1];
	int *restrict newidx = nl->newidx;
	for (size_t j = a0; j < a1; j++)
		newidx[order[j]] = (int)j;
	const double *hold[3] = {nl->xhold, nl->yhold, nl->zhold};
	double *tmp = (double *)nl->scratch; /* at least 3n doubles (items) */
	for (int d = 0; d < 3; d++)
		for (size_t j = a0; j < a1; j++)
			tmp[d * n + j] = hold[d][order[j]];
}

void nbr_renumber_item(struct nbr_list *nl, int w)
{
	const size_t n = nl->n, a0 = (size_t)nl->arange[w],
		     a1 = (size_t)nl->arange[w + 1];
	const int *restrict newidx = nl->newidx;
	int *restrict src = nl->src, *restrict lslot = nl->lslot;
	for (int k = nl->tstart[w]; k < nl->tstart[w + 1]; k++)
		if (src[k] >= 0) {
			const int a = newidx[src[k]];
			src[k] = a;
			lslot[a] = k;
		}
	double *hold[3] = {nl->xhold, nl->yhold, nl->zhold};
	const double *tmp = (const double *)nl->scratch;
	for (int d = 0; d < 3; d++)
		memcpy(hold[d] + a0, tmp + d * n + a0, (a1 - a0) * sizeof *tmp);
}

void nbr_renumber_end(struct nbr_list *nl)
{
	nl->renumbered = 1;
	if (nl->prune) /* its positions are by atom */
		nl->prune->valid = 0;
}

int nbr_set_prune(struct nbr_list *nl, double buf, struct err *e)
{
	if (!(buf >= 0.0) || !(buf <= nl->skin))
		return err_set(e, "neighbour list: pruning buffer %g must be in "
				  "[0, skin = %g]", buf, nl->skin);
	struct nbr_prune *pr = nl->prune;
	if (buf == 0.0) {
		if (pr)
			pr->buf = 0.0;
		return 0;
	}
	if (!pr) {
		pr = calloc(1, sizeof *pr);
		if (!pr)
			return err_set(e, "out of memory");
		nl->prune = pr;
		pr->xp = xalloc(nl->n, sizeof(double));
		pr->yp = xalloc(nl->n, sizeof(double));
		pr->zp = xalloc(nl->n, sizeof(double));
		if (!pr->xp || !pr->yp || !pr->zp)
			return err_set(e, "out of memory for %zu atoms", nl->n);
		memset(pr->xp, 0, nl->n * sizeof(double));
		memset(pr->yp, 0, nl->n * sizeof(double));
		memset(pr->zp, 0, nl->n * sizeof(double));
	}
	pr->buf = buf;
	pr->valid = 0;
	return nbr_prune_room(nl) ? err_set(e, "out of memory (pruned list)")
				  : 0;
}

int nbr_create_pruned(struct nbr_list **nl, size_t natoms, double cutoff,
		      double skin, const double len[3], struct err *e)
{
	double search = 2.0 * skin;
	const double room = 0.45 * fmin(len[0], fmin(len[1], len[2])) - cutoff;
	if (search > room) /* (NaN room: the skin, and the build's error) */
		search = room > skin ? room : skin;
	if (nbr_create(nl, natoms, cutoff, search, e) != 0)
		return -1;
	if (nbr_set_prune(*nl, skin, e) != 0) {
		nbr_free(*nl);
		*nl = NULL;
		return -1;
	}
	return 0;
}

long nbr_nprunes(const struct nbr_list *nl)
{
	return nl->prune ? nl->prune->count : 0;
}

void nbr_prune_slots(const struct nbr_list *nl, double limsq, int *plist,
		     int *pn, int i0, int i1)
{
	enum { CL = NBR_CL };
	const int *restrict first = nl->first, *restrict clist = nl->clist;
	const double *restrict px = nl->px, *restrict py = nl->py,
			       *restrict pz = nl->pz;
	const double *shx = nl->shx, *shy = nl->shy, *shz = nl->shz;
#if defined(__AVX512F__) && defined(__AVX512VL__) && NBR_CL == 8
	/* one vector per cluster, its lanes' test as a mask: 3.2 -> 2.9 ns
	 * per entry on the paper's system against the portable loop's
	 * horizontal minimum (the prunings' cost, 1 thread: 397 -> 371 us
	 * per pruning step) */
	const __m512d lim = _mm512_set1_pd(limsq);
	for (int i = i0; i < i1; i++) {
		int m = first[i];
		for (int q = first[i]; q < first[i + 1]; q++) {
			const int en = clist[q], s = en & NBR_SHMASK,
				  b = (en >> NBR_SHBITS) * CL;
			const __m512d xi = _mm512_set1_pd(px[i] - shx[s]),
				      yi = _mm512_set1_pd(py[i] - shy[s]),
				      zi = _mm512_set1_pd(pz[i] - shz[s]);
			const __m512d dx = _mm512_sub_pd(xi, _mm512_load_pd(px + b));
			const __m512d dy = _mm512_sub_pd(yi, _mm512_load_pd(py + b));
			const __m512d dz = _mm512_sub_pd(zi, _mm512_load_pd(pz + b));
			const __m512d r2 = _mm512_fmadd_pd(
				dz, dz, _mm512_fmadd_pd(dy, dy, _mm512_mul_pd(dx, dx)));
			plist[m] = en;
			m += _mm512_cmp_pd_mask(r2, lim, _CMP_LT_OQ) != 0;
		}
		pn[i] = m - first[i];
	}
#else
	for (int i = i0; i < i1; i++) {
		int m = first[i];
		for (int q = first[i]; q < first[i + 1]; q++) {
			const int en = clist[q], s = en & NBR_SHMASK,
				  b = (en >> NBR_SHBITS) * CL;
			const double xi = px[i] - shx[s], yi = py[i] - shy[s],
				     zi = pz[i] - shz[s];
			double dmin = INFINITY;
#pragma omp simd reduction(min : dmin)
			for (int l = 0; l < CL; l++) {
				const double dx = xi - px[b + l], dy = yi - py[b + l],
					     dz = zi - pz[b + l];
				const double r2 = dx * dx + dy * dy + dz * dz;
				dmin = r2 < dmin ? r2 : dmin;
			}
			plist[m] = en;
			m += dmin < limsq;
		}
		pn[i] = m - first[i];
	}
#endif
}

void nbr_pair_sep(const struct nbr_list *nl, const struct state *st,
		  size_t i, size_t j, double d[3])
{
	const double ri[3] = {st->x[i], st->y[i], st->z[i]},
		     rj[3] = {st->x[j], st->y[j], st->z[j]};
	int s[3]; /* j's image nearest i: r_j + s len */
	for (int a = 0; a < 3; a++)
		s[a] = (int)nearbyint((ri[a] - rj[a]) / st->len[a]);
	int ilists = 1;
	if (nl && nl->built && i < nl->n && j < nl->n) {
		/* the build's rule (first_listed), for the lister */
		const int ki = nl->lslot[i], kj = nl->lslot[j],
			  ci = ki / NBR_CL, cj = kj / NBR_CL;
		if (ci == cj && s[0] == 0 && s[1] == 0 && s[2] == 0)
			ilists = kj > ki; /* the own cluster's masked entry */
		else
			ilists = cj >= first_listed(ci, s[0], s[1], s[2]);
	} else {
		for (int a = 0; a < 3; a++)
			d[a] = (ri[a] - rj[a]) - s[a] * st->len[a];
		return;
	}
	/* the kernel's shift of the lister's entry: (sx, sy, sz) len, or
	 * the opposite for j (nbr_set_shifts' products) */
	for (int a = 0; a < 3; a++)
		d[a] = ilists ? (ri[a] - s[a] * st->len[a]) - rj[a]
			      : -((rj[a] - (-s[a]) * st->len[a]) - ri[a]);
}

int nbr_restore(struct nbr_list *nl, const struct state *st,
		const double *xr, const double *yr, const double *zr,
		const double lo[3], const double len[3], struct err *e)
{
	if (st->n != nl->n)
		return err_set(e, "neighbour list made for %zu atoms, state has "
				  "%zu", nl->n, st->n);
	if (check_box(nl, len, e))
		return -1;
	for (size_t i = 0; i < nl->n; i++)
		if (!isfinite(xr[i]) || !isfinite(yr[i]) || !isfinite(zr[i]))
			return err_set(e, "reference position of atom index %zu "
					  "is not finite", i);
	nl->built = 0;
	if (build_from(nl, xr, yr, zr, lo, len, e))
		return -1;
	const size_t nb = nl->n * sizeof(double);
	memmove(nl->xhold, xr, nb); /* xr may be nl->xhold (resume) */
	memmove(nl->yhold, yr, nb);
	memmove(nl->zhold, zr, nb);
	if (nbr_prune_room(nl))
		return err_set(e, "out of memory (pruned list)");
	reference_made(nl, lo, len);
	return 0;
}
