/* nbr: cluster-pair Verlet half list with skin (layout: nbr_impl.h).
 *
 * The clusters follow the idea of GROMACS's nbnxm grid (Pall & Hess, Comput.
 * Phys. Commun. 184, 2641 (2013)): atoms in x-y columns, sorted by z, cut
 * into clusters of NBR_CL, so that the kernel works on contiguous SIMD
 * vectors instead of gathering scattered neighbours. Here an i-atom (not an
 * i-cluster) is paired with j-clusters, which keeps most computed pairs
 * useful for small clusters.
 *
 * A build (1) wraps atoms into the box, updating image flags; (2) makes the
 * ghosts: images under positive shifts within cutoff+skin of the box; (3)
 * sorts atoms and ghosts into columns (counting sort on column and z bin,
 * then insertion sort on z), cuts clusters and their bounding boxes,
 * and orders them by z slab (one per thread, so that a thread's share of
 * the kernel is a slab whose clusters the other threads barely touch); (4)
 * lists for each local atom the clusters whose bounding box is within
 * cutoff+skin of it, in parallel over local clusters: first the candidates
 * of the whole cluster (box to box), then each atom (point to box).
 *
 * Rebuild criterion, LAMMPS `neigh_modify check yes` (neighbor.cpp
 * check_distance): some atom moved more than skin/2 since the last build;
 * if the box changed, the trigger distance shrinks by half the distance the
 * box corners moved. */
#include "nbr_impl.h"

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
	nl->gcount = xalloc(natoms + 1, sizeof(int));
	nl->gmask = xalloc(natoms, 1);
	nl->gopt = xalloc(3 * natoms, 1);
	nl->newidx = xalloc(natoms, sizeof(int));
	if (!nl->xhold || !nl->yhold || !nl->zhold || !nl->lslot ||
	    !nl->gcount || !nl->gmask || !nl->gopt || !nl->newidx) {
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
	free(nl->xread);
	free(nl->gcount);
	free(nl->gmask);
	free(nl->gopt);
	free(nl->sh);
	free(nl->px);
	free(nl->py);
	free(nl->pz);
	free(nl->pt);
	free(nl->first);
	free(nl->clist);
	free(nl->gfirst);
	free(nl->gslot);
	free(nl->tstart);
	free(nl->gstart);
	free(nl->wpart);
	free(nl->fbuf);
	free(nl->touch);
	free(nl->ipx);
	free(nl->ipy);
	free(nl->ipz);
	free(nl->ipt);
	free(nl->tlist);
	free(nl->tlstart);
	free(nl->cowner);
	free(nl->goff);
	free(nl->arange);
	free(nl->scratch);
	for (int t = 0; t < nl->tbuf_n; t++)
		free(nl->tbuf[t]);
	free(nl->tbuf);
	free(nl->tcap);
	free(nl->toff);
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


/* Items being sorted into slots: atoms and their ghosts. */
struct item {
	double x, y, z;
	int atom;
	signed char s[3];
};

static int positive_shift(int sx, int sy, int sz)
{
	return sz > 0 || (sz == 0 && (sy > 0 || (sy == 0 && sx > 0)));
}

/* The ghosts of one atom: images under positive shifts whose distance to
 * the box is below rcs. Per dimension an atom within rcs of a face has one
 * image option (+1 near lo, -1 near hi; the box is >= 2 rcs wide), so the
 * images are combinations of those options; bit c of the returned mask
 * (c = kx + 2 ky + 4 kz, k = 1: use the dimension's option) marks a ghost,
 * opt[] gets the options. */
static inline unsigned ghost_mask(const double r[3], const double lo[3],
				  const double len[3], double rcs,
				  signed char opt[3])
{
	double ex[3];
	for (int d = 0; d < 3; d++) {
		double below = r[d] - lo[d], above = lo[d] + len[d] - r[d];
		opt[d] = below < rcs ? 1 : above < rcs ? -1 : 0;
		ex[d] = below < rcs ? below : above;
	}
	unsigned avail = (opt[0] != 0) | (opt[1] != 0) << 1 | (opt[2] != 0) << 2;
	unsigned mask = 0;
	for (unsigned c = avail; c; c = (c - 1) & avail) { /* subsets */
		int s[3];
		double d2 = 0.0;
		for (int d = 0; d < 3; d++) {
			int use = (c >> d) & 1;
			s[d] = use ? opt[d] : 0;
			d2 += use ? ex[d] * ex[d] : 0.0;
		}
		if (positive_shift(s[0], s[1], s[2]) && d2 < rcs * rcs)
			mask |= 1u << c;
	}
	return mask;
}

/* Write the ghosts of atom `atom` at r from its mask and options. */
static void ghosts_fill(const double r[3], const double len[3], int atom,
			unsigned mask, const signed char opt[3],
			struct item *out)
{
	for (unsigned c = 1; c < 8; c++) {
		if (!(mask >> c & 1))
			continue;
		signed char s[3];
		for (int d = 0; d < 3; d++)
			s[d] = (c >> d) & 1 ? opt[d] : 0;
		*out++ = (struct item){r[0] + s[0] * len[0], r[1] + s[1] * len[1],
				       r[2] + s[2] * len[2], atom,
				       {s[0], s[1], s[2]}};
	}
}

static int ensure_threads(struct nbr_list *nl, int nthr)
{
	if (nl->tbuf_n >= nthr)
		return 0;
	int **tb = realloc(nl->tbuf, (size_t)nthr * sizeof *tb);
	if (!tb)
		return -1;
	nl->tbuf = tb;
	size_t *tc = realloc(nl->tcap, (size_t)nthr * sizeof *tc);
	if (!tc)
		return -1;
	nl->tcap = tc;
	for (int t = nl->tbuf_n; t < nthr; t++) {
		nl->tbuf[t] = NULL;
		nl->tcap[t] = 0;
	}
	nl->tbuf_n = nthr;
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

/* The bucket of an item: column (kind offset koff: 0 for atoms, the
 * column count for ghosts) and z bin, clamped to the grid. */
static inline int bucket_key(const struct item *t, const double exlo[3],
			     const double colw[2], const int nc[2], double wz,
			     int nzb, size_t koff)
{
	double u = (t->x - exlo[0]) / colw[0];
	double v = (t->y - exlo[1]) / colw[1];
	double w = (t->z - exlo[2]) / wz;
	int cx = u > 0 ? (int)u : 0, cy = v > 0 ? (int)v : 0;
	int cz = w > 0 ? (int)w : 0;
	cx = cx < nc[0] ? cx : nc[0] - 1;
	cy = cy < nc[1] ? cy : nc[1] - 1;
	cz = cz < nzb ? cz : nzb - 1;
	size_t g = koff + (size_t)cy * nc[0] + cx;
	return (int)(g * nzb + cz);
}

/* Stable counting sort of items k0..k1-1, whose keys lie in buckets
 * b0..b1-1, into order[k0..k1-1]; bstart[b] gets the first item of
 * bucket b for b0 < b <= b1 (bstart[b1] = k1). bstart[b0] is not
 * touched: two calls on disjoint bucket ranges can run at once. */
static void bucket_sort(const int *restrict key, size_t k0, size_t k1,
			int *restrict bstart, size_t b0, size_t b1,
			int *restrict order)
{
	memset(bstart + b0 + 1, 0, (b1 - b0) * sizeof *bstart);
	for (size_t k = k0; k < k1; k++)
		bstart[key[k] + 1]++;
	int run = (int)k0; /* bstart[b + 1]: first item of bucket b */
	for (size_t b = b0; b < b1; b++) {
		const int c = bstart[b + 1];
		bstart[b + 1] = run;
		run += c;
	}
	for (size_t k = k0; k < k1; k++) /* bstart[b + 1] ends at b's end */
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
	signed char *restrict sh = nl->sh;
	double *restrict px = nl->px, *restrict py = nl->py,
		       *restrict pz = nl->pz;
	size_t s = s0;
	for (int k = 0; k < m; k++, s++) {
		const struct item *t = &it[ord[k]];
		src[s] = t->atom;
		sh[3 * s] = t->s[0];
		sh[3 * s + 1] = t->s[1];
		sh[3 * s + 2] = t->s[2];
		px[s] = t->x;
		py[s] = t->y;
		pz[s] = t->z;
		pt[s] = 0;
	}
	for (; s < s1; s++) {
		src[s] = -1;
		sh[3 * s] = sh[3 * s + 1] = sh[3 * s + 2] = 0;
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
	double exlo[3], colw[2];
	int nc[2];
	size_t ncol;
	int nslab;              /* z slabs (one per thread) */
	const int *gcl;         /* [2*nslab*ncol+1] first cluster of each
				   group (kind, slab, column) */
	const double *bb;       /* [6*nclusters] bounding boxes */
	double rcs;
	/* z lookup: zfirst[g*(nzt+1) + b] is the first cluster of group g
	 * whose zmax reaches the lower edge exlo[2] + b*wzt of z bin b. */
	const int *zfirst;
	int nzt;
	double wzt;
	/* z range of each slab's clusters (both kinds): lowest atom at or
	 * above szlo[s], highest at or below szhi[s]; the search skips the
	 * slabs a cluster's reach misses without looking at their groups. */
	const double *szlo, *szhi;
};

/* Fill the z lookup of group g (its clusters are sorted by z, so zmax
 * does not decrease). */
static void z_table(const struct grid *g, size_t grp, int *zf)
{
	int c = g->gcl[grp], c1 = g->gcl[grp + 1];
	for (int b = 0; b <= g->nzt; b++) {
		double edge = g->exlo[2] + b * g->wzt;
		while (c < c1 && g->bb[6 * c + 5] < edge)
			c++;
		zf[b] = c;
	}
}

/* Candidate clusters of local cluster ci: later local clusters and ghost
 * clusters whose bounding box lies within rcs of ci's. In each column
 * near enough, the z table gives where to start (clusters of a column are
 * z-sorted); the scan stops past zmax + rcs. Returns the count. */
static size_t cluster_candidates(const struct grid *g, int ci, int *cand)
{
	const double *bb = g->bb, *bi = bb + 6 * ci, rcs = g->rcs;
	const double rcsq = rcs * rcs;
	int lo[2], hi[2];
	for (int d = 0; d < 2; d++) {
		lo[d] = (int)floor((bi[d] - rcs - g->exlo[d]) / g->colw[d]);
		hi[d] = (int)floor((bi[3 + d] + rcs - g->exlo[d]) / g->colw[d]);
		lo[d] = lo[d] < 0 ? 0 : lo[d];
		hi[d] = hi[d] < g->nc[d] ? hi[d] : g->nc[d] - 1;
	}
	/* the slabs within reach in z: with more than one, the groups of
	 * the others are skipped without a look at their z tables (build
	 * steps 2.4% shorter at two threads on the paper's LJ system) */
	const double zlo = bi[2] - rcs, zhi = bi[5] + rcs;
	int sl0 = 0, sl1 = g->nslab - 1;
	while (sl0 < sl1 && g->szhi[sl0] < zlo)
		sl0++;
	while (sl1 > sl0 && g->szlo[sl1] >= zhi)
		sl1--;
	const double u = (zlo - g->exlo[2]) / g->wzt; /* z table bin of zlo */
	const int zb = u < 0 ? 0 : u > g->nzt ? g->nzt : (int)u;
	size_t m = 0;
	for (int cy = lo[1]; cy <= hi[1]; cy++) {
		double ylo = g->exlo[1] + cy * g->colw[1];
		double dy = pos(dmax(ylo - bi[4], bi[1] - ylo - g->colw[1]));
		for (int cx = lo[0]; cx <= hi[0]; cx++) {
			double xlo = g->exlo[0] + cx * g->colw[0];
			double dx = pos(dmax(xlo - bi[3], bi[0] - xlo - g->colw[0]));
			if (dx * dx + dy * dy >= rcsq)
				continue;
			for (int ks = 0; ks < 2 * g->nslab; ks++) {
				const int kind = ks >= g->nslab;
				const int sl = kind ? ks - g->nslab : ks;
				if (sl < sl0 || sl > sl1)
					continue;
				size_t grp = ks * g->ncol + (size_t)cy * g->nc[0] + cx;
				int c0 = g->gcl[grp], c1 = g->gcl[grp + 1];
				if (kind == 0 && c0 <= ci)
					c0 = ci + 1;
				/* from the z table: a cluster at or before the
				 * first whose zmax reaches zlo */
				int cz = g->zfirst[grp * (size_t)(g->nzt + 1) + zb];
				c0 = cz > c0 ? cz : c0;
				for (int c = c0; c < c1; c++) {
					const double *b = bb + 6 * c;
					if (b[2] >= zhi)
						break;
					double ex = pos(dmax(b[0] - bi[3], bi[0] - b[3]));
					double ey = pos(dmax(b[1] - bi[4], bi[1] - b[4]));
					double ez = pos(dmax(b[2] - bi[5], bi[2] - b[5]));
					cand[m] = c;
					m += ex * ex + ey * ey + ez * ez < rcsq;
				}
			}
		}
	}
	return m;
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

/* The list of each atom (slot) of local cluster ci, appended to buf: its
 * own cluster if that holds a j > i, then the candidates whose box lies
 * within rcs of the atom (a vector loop over the boxes, copied to sb as
 * structure of arrays, then a branch-free compaction). first[i+1] gets
 * each atom's count. Returns the entries appended. */
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
		const double *b = g->bb + 6 * cand[k];
		b0x[k] = b[0];
		b0y[k] = b[1];
		b0z[k] = b[2];
		b1x[k] = b[3];
		b1y[k] = b[4];
		b1z[k] = b[5];
	}
	size_t len = 0;
	for (int i = ci * CL; i < (ci + 1) * CL; i++) {
		first[i + 1] = 0;
		if (nl->src[i] < 0)
			continue;
		size_t l0 = len;
		const double xi = nl->px[i], yi = nl->py[i], zi = nl->pz[i];
		if (i % CL + 1 < CL && nl->src[i + 1] >= 0)
			buf[len++] = ci;
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

/* The items' private slot copies (nbr_impl.h): the clusters of each
 * touch row, and their dummies set far (type 0), each item by a thread;
 * xread marks the atoms an item's copy takes from another item's atoms
 * (nbr_order_item puts them together). */
static int private_slots(struct nbr_list *nl)
{
	const int nthr = nl->nthr;
	const size_t fs = nl->fstride, nc = nl->nclust;
	if (!nl->ipx || fs * nthr > nl->icap) {
		const size_t c = fs * nthr + fs * nthr / 4 + 64;
		free(nl->ipx);
		free(nl->ipy);
		free(nl->ipz);
		free(nl->ipt);
		nl->ipx = xalloc(c, sizeof(double));
		nl->ipy = xalloc(c, sizeof(double));
		nl->ipz = xalloc(c, sizeof(double));
		nl->ipt = xalloc(c, sizeof(int));
		nl->icap = c;
		if (!nl->ipx || !nl->ipy || !nl->ipz || !nl->ipt) {
			nl->icap = 0;
			return -1;
		}
	}
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
	if (!nl->xread && !(nl->xread = xalloc(nl->n, 1))) {
		free(cnt);
		return -1;
	}
	memset(nl->xread, 0, nl->n);
	/* Each item by a thread: its touch list (counted, then placed after
	 * the lower items'), its copy's dummies, xread, and the fold's ghost
	 * offsets (goff) of its atoms. */
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
			for (int g = nl->gfirst[nl->tstart[w]];
			     g < nl->gfirst[nl->tstart[w + 1]]; g++) {
				const int sg = nl->gslot[g];
				nl->goff[g] = nl->cowner[sg / NBR_CL] * 3 * (int)fs + sg;
			}
			double *px = nl->ipx + fs * w, *py = nl->ipy + fs * w,
			       *pz = nl->ipz + fs * w;
			int *pt = nl->ipt + fs * w;
			/* the last cluster, dummies only, which the mixed
			 * kernel reads to pad an odd list (pair_ljcoul.c),
			 * whether the item's lists name it or not */
			for (size_t k = (size_t)nl->dummy * NBR_CL;
			     k < (size_t)(nl->dummy + 1) * NBR_CL; k++) {
				px[k] = py[k] = pz[k] = NBR_FAR;
				pt[k] = 0;
			}
			const int k0 = nl->tstart[w], k1 = nl->tstart[w + 1];
			for (int q = m - cnt[w]; q < m; q++) {
				const size_t c = (size_t)nl->tlist[q];
				for (size_t k = c * NBR_CL; k < (c + 1) * NBR_CL; k++) {
					const int a = nl->src[k];
					if (a < 0) {
						px[k] = py[k] = pz[k] = NBR_FAR;
						pt[k] = 0;
					} else if (nl->lslot[a] < k0 || nl->lslot[a] >= k1) {
						/* the same value from any thread */
						__atomic_store_n(&nl->xread[a], 1,
								 __ATOMIC_RELAXED);
					}
				}
			}
		}
	}
	free(cnt);
	return 0;
}

/* Item w's atoms once renumbered (nbr_order_item keeps each item's
 * atoms together, in item order): as many as its real local slots. Made
 * at the build, used once the atoms are renumbered (atom_split). */
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

/* Build slots and the list from positions X,Y,Z (inside the box up to
 * round-off) in box lo,len. */
static int build_from(struct nbr_list *nl, const double *X, const double *Y,
		      const double *Z, const double lo[3], const double len[3],
		      struct err *e)
{
	const size_t n = nl->n;
	const int CL = NBR_CL;
	const double rcs = nl->cutneigh;

	/* Grid: x-y columns over the box widened by rcs on each side, z bins
	 * for the first sorting pass. */
	double exlo[3], exlen[3];
	for (int d = 0; d < 3; d++) {
		exlo[d] = lo[d] - rcs;
		exlen[d] = len[d] + 2.0 * rcs;
	}
	/* Column width: the edge of a cube holding NBR_CL atoms at the mean
	 * density, widened if a sparse or flat box would need more than
	 * O(N) columns. */
	double rho = (double)n / (len[0] * len[1] * len[2]);
	double a = cbrt(CL / rho);
	double collim = 2.0 * (double)n + 256.0;
	if (exlen[0] / a * (exlen[1] / a) > collim)
		a = sqrt(exlen[0] * exlen[1] / collim);
	int nc[2];
	double colw[2];
	for (int d = 0; d < 2; d++) {
		double c = ceil(exlen[d] / a);
		nc[d] = c < 1 ? 1 : c > 65536 ? 65536 : (int)c;
		colw[d] = exlen[d] / nc[d];
	}
	const size_t ncol = (size_t)nc[0] * nc[1];
	double wz = a / CL;
	double nzf = ceil(exlen[2] / wz);
	double bmax = 4.0 * (double)n + 1024.0; /* buckets per kind */
	if (nzf * (double)ncol > bmax)
		nzf = floor(bmax / (double)ncol);
	const int nzb = nzf < 1 ? 1 : (int)nzf;
	wz = exlen[2] / nzb;
	const size_t ngroup = 2 * ncol, nbucket = ngroup * (size_t)nzb;
	/* One z slab per thread: local clusters ordered (slab, column, z),
	 * so that a thread's share is a slab and only the atoms near its two
	 * faces pair with another thread's. The columns are cut into
	 * clusters as for one slab; a cluster belongs to the slab of its
	 * lowest atom, so no padding is added. */
	int nthr = omp_util_max_threads();
	if (nthr < 1)
		nthr = 1;
	const int nslab = nthr;
	const size_t ngs = ngroup * (size_t)nslab;
	const int nbz = (int)fmin(4096.0, fmax(4.0 * nslab,
					       floor(len[2] / (0.5 * rcs))));
	/* z table bins of half a cluster's height (at most ~4 per cluster) */
	double nztf = ceil(exlen[2] / (0.5 * a));
	if (nztf * (double)ngs > bmax)
		nztf = floor(bmax / (double)ngs);
	const int nzt = nztf < 1 ? 1 : (int)nztf;

	/* Ghosts per atom, items and their bucket keys (kind, column, z
	 * bin), the counting sort and the z order: one parallel region, each
	 * thread on the atoms it moved (atom_split), so that it reads what
	 * it wrote. gcount[i]: the ghosts of the atoms before i. */
	int *gcount = nl->gcount;
	unsigned char *gmask = nl->gmask;
	signed char *gopt = nl->gopt;
	if (grow((void **)&nl->toff, &nl->cap_toff, (size_t)nthr + 1,
		 sizeof(int)) ||
	    grow((void **)&nl->zhist, &nl->cap_zhist,
		 (size_t)nbz * ((size_t)nthr + 1), sizeof(double)))
		return err_set(e, "out of memory for the neighbour list");
	int *toff = nl->toff;
	double *zhist = nl->zhist; /* [nthr][nbz], then their sum */
	int fail = 0;
	size_t ng = 0, m = 0, maxclust = 0;
	struct item *it = NULL;
	int *key = NULL, *order = NULL, *bstart = NULL, *gcl = NULL,
	    *istart = NULL, *icount = NULL, *zfirst = NULL;
	double *bb = NULL, *plane = NULL, *szlo = NULL, *szhi = NULL;
	const size_t nb0 = (size_t)ncol * nzb; /* buckets of one kind */
#pragma omp parallel num_threads(nthr)
	{
		const int t = omp_util_thread_id(), nrun = omp_util_team_size();
		size_t a0, a1;
		/* the atoms it moved since the last build */
		atom_split(nl, 1, t, nrun, &a0, &a1);
		int run = 0; /* ghosts of this thread's atoms so far */
		double *zh = zhist + (size_t)nbz * t;
		memset(zh, 0, (size_t)nbz * sizeof *zh);
		for (size_t i = a0; i < a1; i++) {
			double r[3] = {X[i], Y[i], Z[i]};
			gmask[i] = (unsigned char)ghost_mask(r, lo, len, rcs,
							     gopt + 3 * i);
			run += __builtin_popcount(gmask[i]);
			gcount[i + 1] = run;
			zh[zhist_bin(r[2], lo[2], len[2], nbz)] += 1.0;
		}
		toff[t + 1] = run;
#pragma omp barrier
#pragma omp single
		{
			/* the threads' offsets and z histograms (counts: the
			 * sum is exact), then the scratch block */
			toff[0] = 0;
			for (int u = 0; u < nrun; u++)
				toff[u + 1] += toff[u];
			double *zsum = zhist + (size_t)nbz * nthr;
			memcpy(zsum, zhist, (size_t)nbz * sizeof *zsum);
			for (int u = 1; u < nrun; u++)
				for (int b = 0; b < nbz; b++)
					zsum[b] += zhist[(size_t)nbz * u + b];
			ng = (size_t)toff[nrun];
			m = n + ng;
			maxclust = m / CL + ngroup + 1;
			size_t need =
				rounded(m * sizeof(struct item)) +
				rounded(m * sizeof(int)) * 2 +
				rounded((nbucket + 1) * sizeof(int)) +
				rounded((ngs + 1) * sizeof(int)) * 3 +
				rounded(6 * maxclust * sizeof(double)) +
				rounded(ngs * ((size_t)nzt + 1) * sizeof(int)) +
				/* plane and szlo/szhi are two carves, each
				 * rounded up on its own */
				rounded((size_t)nslab * sizeof(double)) +
				rounded(2 * (size_t)nslab * sizeof(double));
			if (m > (size_t)INT32_MAX / 2 ||
			    nbucket > (size_t)INT32_MAX)
				fail = 1;
			else if (grow(&nl->scratch, &nl->cap_scratch, need, 1))
				fail = 2;
			if (!fail) {
				struct arena ar = {nl->scratch, 0};
				it = carve(&ar, m * sizeof *it);
				key = carve(&ar, m * sizeof *key);
				order = carve(&ar, m * sizeof *order);
				bstart = carve(&ar, (nbucket + 1) * sizeof *bstart);
				/* per group: first cluster, first item */
				gcl = carve(&ar, (ngs + 1) * sizeof *gcl);
				istart = carve(&ar, (ngs + 1) * sizeof *istart);
				icount = carve(&ar, (ngs + 1) * sizeof *icount);
				bb = carve(&ar, 6 * maxclust * sizeof *bb);
				zfirst = carve(&ar, ngs * ((size_t)nzt + 1) *
							    sizeof *zfirst);
				plane = carve(&ar, (size_t)nslab * sizeof *plane);
				szlo = carve(&ar, 2 * (size_t)nslab * sizeof *szlo);
				szhi = szlo + nslab;
				/* need must add up what the carves take, each
				 * rounded: a term that did not (the slab planes)
				 * wrote past the buffer when it was sized to need */
				if (ar.used > need)
					fail = 3;
				else
					slab_planes(zsum, lo[2], len[2], nslab, nbz,
						    plane);
			}
		}
		if (!fail) {
			/* Items: atom i at i, its ghosts at n + gcount[i]; then
			 * the bucket keys of this thread's atoms and ghosts (two
			 * contiguous ranges: loops the compiler vectorises, their
			 * divisions with them). */
			int prev = toff[t];
			if (t == 0)
				gcount[0] = 0;
			for (size_t i = a0; i < a1; i++) {
				const int g0 = prev;
				prev = gcount[i + 1] += toff[t];
				double r[3] = {X[i], Y[i], Z[i]};
				it[i] = (struct item){r[0], r[1], r[2], (int)i,
						      {0, 0, 0}};
				ghosts_fill(r, len, (int)i, gmask[i], gopt + 3 * i,
					    it + n + g0);
			}
			for (size_t k = a0; k < a1; k++)
				key[k] = bucket_key(&it[k], exlo, colw, nc, wz, nzb,
						    0);
			const size_t q0 = n + (size_t)toff[t],
				     q1 = n + (size_t)toff[t + 1];
			for (size_t k = q0; k < q1; k++)
				key[k] = bucket_key(&it[k], exlo, colw, nc, wz, nzb,
						    ncol);
#pragma omp barrier
			/* the stable counting sort, atoms and ghosts apart (their
			 * buckets are disjoint): two threads at once */
			if (t == 0) {
				bstart[0] = 0;
				bucket_sort(key, 0, n, bstart, 0, nb0, order);
			}
			if (t == (nrun > 1 ? 1 : 0))
				bucket_sort(key, n, m, bstart, nb0, 2 * nb0, order);
#pragma omp barrier
			/* Exact z order inside each group (input nearly
			 * sorted). */
#pragma omp for schedule(dynamic, 4)
			for (size_t g = 0; g < ngroup; g++)
				sort_z(order, it, bstart[g * nzb],
				       bstart[(g + 1) * nzb]);
		}
	}
	if (fail == 1)
		return err_set(e, "neighbour list: system too large");
	if (fail == 3)
		return err_set(e, "neighbour list: internal error: scratch "
			       "carved beyond its size");
	if (fail)
		return err_set(e, "out of memory for the neighbour list");
	/* Group (kind, slab s, column): the clusters of the column whose
	 * lowest atom lies between planes s-1 and s (items sorted by z). */
	for (size_t g = 0; g < ngroup; g++) {
		int g0 = bstart[g * nzb], g1 = bstart[(g + 1) * nzb];
		size_t kind = g / ncol, col = g % ncol;
		int k = g0;
		for (int sl = 0; sl < nslab; sl++) {
			size_t G = (kind * nslab + sl) * ncol + col;
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
	/* One more cluster, all dummies: the kernel pairs an odd last list
	 * entry with it. */
	const size_t nslot = (ncl + 1) * CL;
	const size_t nloc = (size_t)gcl[(size_t)nslab * ncol] * CL;

	if (nslot > nl->cap_slot) {
		size_t c = nslot + nslot / 4 + 16 * CL;
		free(nl->src);
		free(nl->sh);
		free(nl->px);
		free(nl->py);
		free(nl->pz);
		free(nl->pt);
		free(nl->gslot);
		free(nl->first);
		free(nl->gfirst);
		nl->src = xalloc(c, sizeof(int));
		nl->sh = xalloc(3 * c, 1);
		nl->px = xalloc(c, sizeof(double));
		nl->py = xalloc(c, sizeof(double));
		nl->pz = xalloc(c, sizeof(double));
		nl->pt = xalloc(c, sizeof(int));
		nl->gslot = xalloc(c, sizeof(int));
		nl->first = xalloc(c + 1, sizeof(int));
		nl->gfirst = xalloc(c + 1, sizeof(int));
		nl->cap_slot = c;
		if (!nl->src || !nl->sh || !nl->px || !nl->py || !nl->pz ||
		    !nl->pt || !nl->gslot || !nl->first || !nl->gfirst) {
			nl->cap_slot = 0;
			return err_set(e, "out of memory for %zu slots", nslot);
		}
	}
	nl->nslot = nslot;
	nl->nloc = nloc;

	/* Fill slots group by group; dummies pad each group's last cluster.
	 * Bounding boxes from the real slots. */
	int *src = nl->src;
	signed char *sh = nl->sh;
	double *px = nl->px, *py = nl->py, *pz = nl->pz;
	const struct grid grid = {{exlo[0], exlo[1], exlo[2]},
				  {colw[0], colw[1]}, {nc[0], nc[1]}, ncol,
				  nslab, gcl, bb, rcs, zfirst, nzt,
				  exlen[2] / nzt, szlo, szhi};
	/* One pass per group, by slab: the thread of slab s fills the groups
	 * of slab s (with atoms numbered in slab order, md_reorder, the items
	 * it reads are the ones it made), boxes their clusters, makes their
	 * z table (which the search of slab s reads most) and, for local
	 * groups, points its atoms at their slots. With more than one slab,
	 * the ghost index too (gfirst, gslot: with one, after the search,
	 * in slot order): local groups first, with each atom's ghost count
	 * in gfirst; after their prefix, the ghost groups, each ghost slot
	 * entered in its atom's run at its rank among the atom's images
	 * (items n + gcount[a] ..), the order in which the fold sums them. */
	int *gfirst = nl->gfirst, *gslot = nl->gslot, *lslot = nl->lslot;
	const size_t nlocg = (size_t)nslab * ncol; /* local groups */
#pragma omp parallel num_threads(nthr)
	{
		const int t = omp_util_thread_id(), nrun = omp_util_team_size();
		for (int part = 0; part < 2; part++) {
			const size_t G0 = part ? nlocg : 0, G1 = part ? ngs : nlocg;
			for (size_t G = G0; G < G1; G++) {
				if ((int)((G / ncol) % (size_t)nslab) % nrun != t)
					continue;
				const size_t s0 = (size_t)gcl[G] * CL,
					     s1 = (size_t)gcl[G + 1] * CL;
				const int *ord = order + istart[G];
				fill_slots(nl, it, ord, icount[G], s0, s1);
				for (size_t c = s0 / CL; c < s1 / CL; c++)
					cluster_box(nl, c, bb + 6 * c);
				z_table(&grid, G, zfirst + G * ((size_t)nzt + 1));
				for (size_t k = s0; !part && k < s1; k++) {
					const int at = src[k];
					if (at >= 0)
						lslot[at] = (int)k;
					if (nslab > 1)
						gfirst[k + 1] = at >= 0
							? __builtin_popcount(gmask[at]) : 0;
				}
				for (int q = 0; part && nslab > 1 && q < icount[G]; q++) {
					const int at = src[s0 + (size_t)q];
					const int r = ord[q] - (int)n - gcount[at];
					gslot[gfirst[lslot[at]] + r] = (int)s0 + q;
				}
			}
			if (!part && nslab > 1) {
#pragma omp barrier
#pragma omp single
				{
					gfirst[0] = 0;
					for (size_t k = 0; k < nloc; k++)
						gfirst[k + 1] += gfirst[k];
				}
			}
		}
	}
	/* each slab's z range, for the search (clusters of a group are
	 * z-sorted: the last one reaches highest) */
	for (int sl = 0; sl < nslab; sl++) {
		szlo[sl] = sl > 0 ? plane[sl - 1] : -INFINITY;
		szhi[sl] = -INFINITY;
		for (size_t kind = 0; kind < 2; kind++)
			for (size_t col = 0; col < ncol; col++) {
				size_t G = (kind * nslab + sl) * ncol + col;
				if (gcl[G + 1] > gcl[G])
					szhi[sl] = dmax(szhi[sl],
							bb[6 * (size_t)(gcl[G + 1] - 1) + 5]);
			}
	}
	for (size_t s = ncl * CL; s < nslot; s++) {
		src[s] = -1;
		sh[3 * s] = sh[3 * s + 1] = sh[3 * s + 2] = 0;
		px[s] = py[s] = pz[s] = NBR_FAR;
		nl->pt[s] = 0;
	}
	nl->dummy = (int)ncl;

	/* Work items (nbr_impl.h): one per thread, and the clusters each
	 * one writes (touch), made with the list below. */
	if (nl->nthr != nthr || !nl->tstart) {
		free(nl->tstart);
		free(nl->gstart);
		free(nl->arange);
		free(nl->wpart);
		nl->tstart = malloc(((size_t)nthr + 1) * sizeof *nl->tstart);
		nl->gstart = malloc(((size_t)nthr + 1) * sizeof *nl->gstart);
		nl->arange = malloc(((size_t)nthr + 1) * sizeof *nl->arange);
		nl->wpart = xalloc(8 * (size_t)nthr, sizeof(double));
		if (!nl->tstart || !nl->gstart || !nl->arange || !nl->wpart) {
			nl->nthr = 0;
			return err_set(e, "out of memory");
		}
	}
	nl->nthr = nthr;
	nl->nclust = nslot / CL;
	if (nthr > 1 && grow((void **)&nl->touch, &nl->tcap_touch,
			     nl->nclust * nthr, 1))
		return err_set(e, "out of memory");

	/* The search, in parallel over chunks of local clusters taken
	 * dynamically (the lower slab lists the pairs across the plane, and
	 * columns differ: a static split left one thread waiting ~30%); each
	 * thread appends its chunks to its own buffer, and the chunks are
	 * then copied into the list in slot order, so the list does not
	 * depend on the thread count or the schedule. */
	if (ensure_threads(nl, nthr))
		return err_set(e, "out of memory");
	int *first = nl->first;
	int oom = 0, toolong = 0;
	const int nlc = (int)(nloc / CL); /* local clusters */
	enum { CHUNK = 4 };                /* clusters per chunk */
	const int nch = (nlc + CHUNK - 1) / CHUNK;
	/* per chunk: offset in its thread's buffer, length, place in the
	 * list, thread */
	size_t *choff = malloc(4 * ((size_t)nch + 1) * sizeof *choff);
	if (!choff)
		return err_set(e, "out of memory for the neighbour list");
	size_t *chlen = choff + nch + 1, *chpos = chlen + nch + 1,
	       *chthr = chpos + nch + 1;
	uint64_t chunks = nch > 0 ? (uint64_t)(uint32_t)(nch - 1) << 32 : 0;
#pragma omp parallel num_threads(nthr)
	{
		int t = omp_util_thread_id();
		size_t len_t = 0, cap = nl->tcap[t];
		int *buf = nl->tbuf[t];
		/* at most every cluster is a candidate */
		int *cand = malloc(ncl * sizeof *cand);
		double *sb = malloc(7 * ncl * sizeof *sb);
		if (!cand || !sb) {
#pragma omp atomic write
			oom = 1;
		}
		for (int cb, kb; (kb = next_chunks(&chunks, nch, t,
						  omp_util_team_size(), &cb)) > 0;)
			for (int ch = cb; ch < cb + kb; ch++) {
				const size_t l0 = len_t;
				const int c1 = (ch + 1) * CHUNK < nlc ? (ch + 1) * CHUNK : nlc;
				for (int ci = ch * CHUNK; ci < c1 && cand && sb; ci++) {
					size_t mc = cluster_candidates(&grid, ci, cand);
					/* per atom: its own cluster and the candidates */
					if (len_t + (mc + 1) * CL > cap) {
						size_t c2 = (len_t + (mc + 1) * CL) * 2 + 1024;
						int *nb = realloc(buf, c2 * sizeof *nb);
						if (!nb) {
#pragma omp atomic write
							oom = 1;
							break;
						}
						buf = nb;
						cap = c2;
					}
					len_t += list_atoms(nl, &grid, ci, cand, mc, sb,
							    buf + len_t, first);
				}
				choff[ch] = l0;
				chlen[ch] = len_t - l0;
				chthr[ch] = (size_t)t;
			}
		free(cand);
		free(sb);
		nl->tbuf[t] = buf;
		nl->tcap[t] = cap;
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
			/* The kernel's items: the local clusters cut into
			 * nthr runs of about equal cost (list entries, plus
			 * two per real slot: an atom's own work, measured on
			 * the paper's system, where one per slot left the
			 * lower slab 4% slower and three the upper one 2%),
			 * next to the slab boundaries.
			 * The slab planes estimate the cost from densities
			 * only; the half list adds what they cannot see (a
			 * cluster straddling a plane goes to the lower slab,
			 * which also lists the pairs across the plane): 8%
			 * more entries in the lower slab on the paper's
			 * system. Ghost slots are filled by slab. */
			{
				long cost = (long)first[nloc], cum = 0;
				for (size_t i = 0; i < nloc; i++)
					cost += 2 * (src[i] >= 0);
				int w = 1;
				nl->tstart[0] = 0;
				for (int c = 0; c < nlc && w < nthr; c++) {
					for (int i = c * CL; i < (c + 1) * CL; i++)
						cum += first[i + 1] - first[i] +
						       2 * (src[i] >= 0);
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
		 * clusters their items write (a cluster's own, and those on
		 * its list) in the item's row of touch, from its buffer while
		 * it is in cache. The chunks are dispensed from both ends
		 * (next_chunk), so a thread's chunks are nearly all its own
		 * item's and a row is rarely written from two threads (the
		 * same value: relaxed atomic stores). */
		if (!oom && !toolong)
			for (int ch = 0; ch < nch; ch++) {
				if (chthr[ch] != (size_t)t)
					continue;
				const int *lb = buf + choff[ch];
				memcpy(nl->clist + chpos[ch], lb,
				       chlen[ch] * sizeof *buf);
				if (nthr == 1)
					continue;
				const int c1 = (ch + 1) * CHUNK < nlc
						       ? (ch + 1) * CHUNK : nlc;
				int w = 0;
				size_t q = 0;
				for (int ci = ch * CHUNK; ci < c1; ci++) {
					while (ci * CL >= nl->tstart[w + 1])
						w++;
					unsigned char *tw =
						nl->touch + nl->nclust * w;
					const size_t q1 =
						q + (size_t)(first[(ci + 1) * CL] -
							     first[ci * CL]);
					__atomic_store_n(&tw[ci], 1, __ATOMIC_RELAXED);
					for (; q < q1; q++)
						__atomic_store_n(&tw[lb[q]], 1,
								 __ATOMIC_RELAXED);
				}
			}
	}
	free(choff);
	if (oom)
		return err_set(e, "out of memory for the neighbour list");
	if (toolong)
		return err_set(e, "neighbour list: too many pairs");
	/* Ghost slots of each local slot, for folding ghost forces back:
	 * with one slab, here, in slot order. */
	if (nslab == 1) {
		memset(gfirst, 0, (nloc + 1) * sizeof *gfirst);
		for (size_t k = nloc; k < nslot; k++)
			if (src[k] >= 0)
				gfirst[lslot[src[k]] + 1]++;
		for (size_t i = 0; i < nloc; i++)
			gfirst[i + 1] += gfirst[i];
		for (size_t k = nloc; k < nslot; k++)
			if (src[k] >= 0)
				gslot[gfirst[lslot[src[k]]]++] = (int)k;
		for (size_t i = nloc; i > 0; i--)
			gfirst[i] = gfirst[i - 1];
		gfirst[0] = 0;
	}

	/* Ghost slots to fill per item: by slab (a slab's ghosts are images
	 * of its own atoms, but for those across the periodic z face; cutting
	 * at equal slot counts instead measured no faster). */
	for (int w = 0; w < nthr; w++)
		nl->gstart[w] = gcl[(size_t)(nslab + w) * ncol] * CL;
	nl->gstart[nthr] = (int)(ncl * CL);
	if (grow((void **)&nl->cowner, &nl->cap_cowner, nl->nclust,
		 sizeof(int)))
		return err_set(e, "out of memory");
	for (int w = 0; w < nthr; w++) {
		for (int c = nl->tstart[w] / CL; c < nl->tstart[w + 1] / CL; c++)
			nl->cowner[c] = w;
		for (int c = nl->gstart[w] / CL; c < nl->gstart[w + 1] / CL; c++)
			nl->cowner[c] = w;
	}
	nl->cowner[nl->nclust - 1] = 0; /* the dummy cluster: never read */
	nl->renumbered = 0;
	atom_ranges(nl);
	nl->fstride = (nslot + 7) / 8 * 8;
	const size_t nge = (size_t)nl->gfirst[nloc];
	if (3 * nl->fstride * (size_t)nthr > (size_t)INT32_MAX)
		return err_set(e, "neighbour list: too many slots");
	if (grow((void **)&nl->fbuf, &nl->fcap, 3 * nl->fstride * nthr,
		 sizeof(double)) ||
	    grow((void **)&nl->goff, &nl->cap_goff, nge + 1, sizeof(int)))
		return err_set(e, "out of memory");
	if (nthr > 1 && private_slots(nl))
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
	const int *restrict src = nl->src;
	const int k0 = nl->tstart[w], k1 = nl->tstart[w + 1];
	if (nl->nthr == 1) {
		size_t j = j0;
		for (int k = k0; k < k1; k++)
			if (src[k] >= 0)
				order[j++] = src[k];
		return;
	}
	/* The item's atoms: the others in slot order, then those another
	 * item's copy reads (xread) in reverse slot order. The lines of
	 * positions that another thread reads each step, and that the drift
	 * then writes from under it, are so whole lines of their own instead
	 * of sharing lines with atoms only their thread touches: 2-thread
	 * ordinary steps -0.6..-1.3 us with the host fast, -7 us slow. One
	 * pass from both ends (no branch on xread: it is not predictable). */
	const unsigned char *restrict xread = nl->xread;
	size_t jo = j0, jx = j1;
	for (int k = k0; k < k1; k++) {
		const int a = src[k];
		if (a < 0)
			continue;
		const size_t e = xread[a];
		jx -= e;
		order[e ? jx : jo] = a;
		jo += 1 - e;
	}
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
	for (int k = nl->gstart[w]; k < nl->gstart[w + 1]; k++)
		if (src[k] >= 0)
			src[k] = newidx[src[k]];
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

void nbr_prune_slots(const struct nbr_list *nl, const double *px,
		     const double *py, const double *pz, double limsq,
		     int *plist, int *pn, int i0, int i1)
{
	enum { CL = NBR_CL };
	const int *restrict first = nl->first, *restrict clist = nl->clist;
#if defined(__AVX512F__) && defined(__AVX512VL__) && NBR_CL == 8
	/* one vector per cluster, its lanes' test as a mask: 3.2 -> 2.9 ns
	 * per entry on the paper's system against the portable loop's
	 * horizontal minimum (the prunings' cost, 1 thread: 397 -> 371 us
	 * per pruning step) */
	const __m512d lim = _mm512_set1_pd(limsq);
	for (int i = i0; i < i1; i++) {
		const __m512d xi = _mm512_set1_pd(px[i]),
			      yi = _mm512_set1_pd(py[i]),
			      zi = _mm512_set1_pd(pz[i]);
		int m = first[i];
		for (int q = first[i]; q < first[i + 1]; q++) {
			const int c = clist[q], b = c * CL;
			const __m512d dx = _mm512_sub_pd(xi, _mm512_load_pd(px + b));
			const __m512d dy = _mm512_sub_pd(yi, _mm512_load_pd(py + b));
			const __m512d dz = _mm512_sub_pd(zi, _mm512_load_pd(pz + b));
			const __m512d r2 = _mm512_fmadd_pd(
				dz, dz, _mm512_fmadd_pd(dy, dy, _mm512_mul_pd(dx, dx)));
			plist[m] = c;
			m += _mm512_cmp_pd_mask(r2, lim, _CMP_LT_OQ) != 0;
		}
		pn[i] = m - first[i];
	}
#else
	for (int i = i0; i < i1; i++) {
		const double xi = px[i], yi = py[i], zi = pz[i];
		int m = first[i];
		for (int q = first[i]; q < first[i + 1]; q++) {
			const int b = clist[q] * CL;
			double dmin = INFINITY;
#pragma omp simd reduction(min : dmin)
			for (int l = 0; l < CL; l++) {
				const double dx = xi - px[b + l], dy = yi - py[b + l],
					     dz = zi - pz[b + l];
				const double r2 = dx * dx + dy * dy + dz * dz;
				dmin = r2 < dmin ? r2 : dmin;
			}
			plist[m] = clist[q];
			m += dmin < limsq;
		}
		pn[i] = m - first[i];
	}
#endif
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
