/* pair_ljcoul: the LJ + real-space Coulomb kernel over nbr.c's cluster-pair
 * list (see pair_ljcoul.h). The pass around it (slots from positions,
 * work items on threads, folding ghost forces, the virial) is
 * pair_lj.c's, with this kernel in place of the LJ-only one; this file
 * adds the charges by slot and the pair term of pair_lj_cut_coul_long.cpp:
 *   grij = g r, expm2 = exp(-grij^2), t = 1 / (1 + EWALD_P grij),
 *   erfc = t (A1 + t (A2 + t (A3 + t (A4 + t A5)))) expm2,
 *   prefactor = qqrd2e q_i q_j / r,
 *   forcecoul = prefactor (erfc + EWALD_F grij expm2),
 *   fpair = (forcecoul + forcelj) / r^2,  ecoul = prefactor erfc.
 * The Makefile builds this file with -fno-math-errno: sqrt of a sum of
 * squares never sets errno, and with errno GCC keeps a branch to libm's
 * sqrt in the pair loop, which then does not vectorise (a pragma or
 * function attribute does not change how GCC treats the sqrt builtin).
 * The polynomials use fused multiply-adds explicitly (MADD): -std=c17 does not contract a*b+c,
 * and letting the compiler contract (-ffp-contract=fast) would round the
 * energy and forces-only variants of the loop differently, while forces
 * must not depend on whether energies are computed. */
#include "pair_ljcoul.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nbr_impl.h"

/* Abramowitz & Stegun 7.1.26 and LAMMPS's 2/sqrt(pi) (coul_long.c). */
#define AS_P  0.3275911
#define AS_A1 0.254829592
#define AS_A2 -0.284496736
#define AS_A3 1.421413741
#define AS_A4 -1.453152027
#define AS_A5 1.061405429
#define LMP_EWALD_F 1.12837917

/* a*b + c: one instruction where the target has FMA; elsewhere fma() would
 * be a libm call per use, so plain arithmetic (round-off only). */
#ifdef __FMA__
#define MADD(a, b, c) fma(a, b, c)
#else
#define MADD(a, b, c) ((a) * (b) + (c))
#endif

/* exp(y) for y <= 0 in plain arithmetic, so that the pair loop stays one
 * SIMD loop (libm's exp is a call per element). y = k ln2 + r with k the
 * nearest integer to y/ln2 (the 1.5*2^52 shift rounds it and leaves k in
 * the low bits), ln2 split in two (Cody-Waite) so k ln2 is exact, |r| <=
 * ln2/2; exp(r) by its Taylor series to r^13 (truncation < 1e-17
 * relative), times 2^k built in the exponent bits. Within 1 ulp of libm
 * over [-40, 0] (2e7 points; tests/unit/test_pair_ljcoul.c checks the
 * forces against coul_long's libm path). Needs y >= -708 (2^k normal):
 * the kernel caps r at rc_coul, and pair_ljcoul_init requires
 * g rc_coul < 26. */
static inline double exp_nonpos(double y)
{
	const double shift = 0x1.8p52, log2e = 1.4426950408889634074;
	const double ln2hi = 6.93147180369123816490e-01,
		     ln2lo = 1.90821492927058770002e-10;
	double kd = y * log2e + shift;
	uint64_t kb;
	memcpy(&kb, &kd, sizeof kb);
	kd -= shift;
	const double r = (y - kd * ln2hi) - kd * ln2lo;
	double s = 1.0 / 6227020800.0;
	s = MADD(s, r, 1.0 / 479001600.0);
	s = MADD(s, r, 1.0 / 39916800.0);
	s = MADD(s, r, 1.0 / 3628800.0);
	s = MADD(s, r, 1.0 / 362880.0);
	s = MADD(s, r, 1.0 / 40320.0);
	s = MADD(s, r, 1.0 / 5040.0);
	s = MADD(s, r, 1.0 / 720.0);
	s = MADD(s, r, 1.0 / 120.0);
	s = MADD(s, r, 1.0 / 24.0);
	s = MADD(s, r, 1.0 / 6.0);
	s = MADD(s, r, 0.5);
	s = MADD(s, r, 1.0);
	s = MADD(s, r, 1.0);
	const uint64_t eb = (kb + 1023) << 52;
	double two_k;
	memcpy(&two_k, &eb, sizeof two_k);
	return s * two_k;
}

/* i against the NBR_CL slots of cluster c, as pair_lj.c's lj_cluster
 * (NT, coefficient selects, the 12x LJ energy) plus the Coulomb term:
 * qqi = qqrd2e q_i, one cut-off rc_coul for all pairs. */
static inline __attribute__((always_inline)) void
ljc_cluster(const int NT, const int EF, const int masked,
	    const struct pair_lj *p, const struct nbr_coul *k,
	    const struct nbr_list *nl, int c, int jmin, size_t row,
	    double xi, double yi, double zi, double qqi, const double *c1,
	    const double *c2, const double *co, double cutsq,
	    double *restrict fx, double *restrict fy, double *restrict fz,
	    double *restrict ax, double *restrict ay, double *restrict az,
	    double *restrict ae, double *restrict aq)
{
	enum { CL = NBR_CL };
	const int b = c * CL;
	const double *xj = __builtin_assume_aligned(nl->px + b, 64);
	const double *yj = __builtin_assume_aligned(nl->py + b, 64);
	const double *zj = __builtin_assume_aligned(nl->pz + b, 64);
	const double *qj = __builtin_assume_aligned(k->pq + b, 64);
	const int *tj = __builtin_assume_aligned(nl->pt + b, 32);
	double *gx = __builtin_assume_aligned(fx + b, 64);
	double *gy = __builtin_assume_aligned(fy + b, 64);
	double *gz = __builtin_assume_aligned(fz + b, 64);
	const double *r1 = p->lj1 + row, *r2 = p->lj2 + row,
		     *r3 = p->lj3 + row, *r4 = p->lj4 + row,
		     *ro = p->offset + row, *rc = p->cutsq + row;
	const double g = k->g_ewald, ccutsq = k->cutsq;
#pragma omp simd
	for (int l = 0; l < CL; l++) {
		const double dx = xi - xj[l], dy = yi - yj[l], dz = zi - zj[l];
		const double rsq = dx * dx + dy * dy + dz * dz;
		/* one division for 1/r^2 and t = 1/(1 + p g r):
		 * d = 1/(r^2 (1 + p g r)), 1/r^2 = d (1 + p g r), t = d r^2 */
		/* beyond rc_coul the Coulomb term is discarded: r capped at
		 * rc_coul keeps exp's argument in its range without a test */
		const double r = sqrt(rsq < ccutsq ? rsq : ccutsq);
		const double grij = g * r;
		const double den = 1.0 + AS_P * grij;
		const double d = 1.0 / (rsq * den);
		const double r2inv = d * den;
		const double t = d * rsq; /* A&S's t */
		const double r6inv = r2inv * r2inv * r2inv;
		const int jt = NT == 1 ? 0 : tj[l];
		const int pair = !masked | (b + l > jmin);
		double flj, ev;
		if (NT == 0) {
			const int in = (rsq < rc[jt]) & pair;
			const double forcelj = r6inv * (r1[jt] * r6inv - r2[jt]);
			flj = in ? forcelj : 0.0;
			ev = in ? 12.0 * (r6inv * (r3[jt] * r6inv - r4[jt]) - ro[jt]) : 0.0;
		} else {
			double a1 = c1[0], a2 = c2[0], o12 = co[0];
			for (int u = 1; u < NT; u++) {
				a1 = jt == u ? c1[u] : a1;
				a2 = jt == u ? c2[u] : a2;
				o12 = jt == u ? co[u] : o12;
			}
			const int in = (rsq < cutsq) & pair;
			const double forcelj = r6inv * (a1 * r6inv - a2);
			flj = in ? forcelj : 0.0;
			ev = in ? forcelj - r6inv * a2 - o12 : 0.0;
		}
		const int inc = (rsq < ccutsq) & pair;
		const double expm2 = exp_nonpos(-grij * grij);
		const double poly = MADD(MADD(MADD(MADD(AS_A5, t, AS_A4), t, AS_A3), t, AS_A2), t, AS_A1);
		const double erfc = t * poly * expm2;
		const double prefactor = qqi * qj[l] * (r * r2inv);
		const double fc = inc ? prefactor * (erfc + LMP_EWALD_F * grij * expm2) : 0.0;
		/* j = i (own cluster) has r2inv = inf: select, do not multiply */
		const double fpair = pair ? (fc + flj) * r2inv : 0.0;
		const double fxl = dx * fpair, fyl = dy * fpair, fzl = dz * fpair;
		ax[l] += fxl;
		ay[l] += fyl;
		az[l] += fzl;
		if (EF) {
			ae[l] += ev;
			aq[l] += inc ? prefactor * erfc : 0.0;
		}
		gx[l] -= fxl;
		gy[l] -= fyl;
		gz[l] -= fzl;
	}
}

/* The kernel over local slots [i0, i1), as pair_lj.c's lj_kernel. */
static inline __attribute__((always_inline)) double
ljc_kernel(const int NT, const int EF, const struct pair_lj *p,
	   const struct nbr_coul *k, const struct nbr_list *nl, int i0,
	   int i1, double *restrict fx, double *restrict fy,
	   double *restrict fz, double *ecoul)
{
	enum { CL = NBR_CL };
	const double *restrict px = nl->px, *restrict py = nl->py,
			       *restrict pz = nl->pz, *restrict pq = k->pq;
	const int *restrict pt = nl->pt;
	const int *restrict first = nl->first;
	const int *restrict clist = k->plist ? k->plist : nl->clist;
	const int *restrict pn = k->pn;
	const size_t nt = p->ntypes;
	const double cutsq = p->cutsq[0];
	double e = 0.0, ec = 0.0;
	for (int i = i0; i < i1; i++) {
		int q = first[i];
		const int q1 = k->plist ? first[i] + pn[i] : first[i + 1];
		if (q == q1)
			continue;
		const size_t row = (size_t)pt[i] * nt;
		double c1[4] = {0}, c2[4] = {0}, co[4] = {0};
		for (int t = 0; t < NT; t++) {
			c1[t] = p->lj1[row + t];
			c2[t] = p->lj2[row + t];
			co[t] = 12.0 * p->offset[row + t];
		}
		const double xi = px[i], yi = py[i], zi = pz[i];
		const double qqi = k->qqrd2e * pq[i];
		double ax[CL] = {0}, ay[CL] = {0}, az[CL] = {0}, ae[CL] = {0},
		       aq[CL] = {0};
		if (clist[q] == i / CL)
			ljc_cluster(NT, EF, 1, p, k, nl, clist[q++], i, row, xi,
				    yi, zi, qqi, c1, c2, co, cutsq, fx, fy, fz,
				    ax, ay, az, ae, aq);
		for (; q < q1; q++)
			ljc_cluster(NT, EF, 0, p, k, nl, clist[q], -1, row, xi,
				    yi, zi, qqi, c1, c2, co, cutsq, fx, fy, fz,
				    ax, ay, az, ae, aq);
		double sx = 0.0, sy = 0.0, sz = 0.0, se = 0.0, sq = 0.0;
		for (int l = 0; l < CL; l++) {
			sx += ax[l];
			sy += ay[l];
			sz += az[l];
			se += ae[l];
			sq += aq[l];
		}
		fx[i] += sx;
		fy[i] += sy;
		fz[i] += sz;
		e += se;
		ec += sq;
	}
	*ecoul = ec;
	return e * (1.0 / 12.0);
}

/* Refill the pruned list of slots [i0, i1): the clusters of the whole
 * list with an atom closer than sqrt(prunesq), in list order (so the own
 * cluster, when kept, stays first). */
static void prune_range(const struct nbr_list *nl, const struct nbr_coul *k,
			int i0, int i1)
{
	enum { CL = NBR_CL };
	const int *restrict first = nl->first, *restrict clist = nl->clist;
	const double *restrict px = nl->px, *restrict py = nl->py,
			       *restrict pz = nl->pz;
	int *restrict plist = k->plist, *restrict pn = k->pn;
	const double lim = k->prunesq;
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
			m += dmin < lim;
		}
		pn[i] = m - first[i];
	}
}

#define LJC_KERNEL(nt)                                                      \
	(eflag ? ljc_kernel(nt, 1, p, c, nl, i0, i1, fx, fy, fz, ecoul)     \
	       : ljc_kernel(nt, 0, p, c, nl, i0, i1, fx, fy, fz, ecoul))
double ljcoul_range(const struct pair_lj *p, const struct nbr_coul *c,
		    int special, int eflag, const struct nbr_list *nl,
		    int i0, int i1, double *fx, double *fy, double *fz,
		    double *ecoul)
{
	if (c->prune)
		prune_range(nl, c, i0, i1);
	switch (special ? p->ntypes : 0) {
	case 1:
		return LJC_KERNEL(1);
	case 2:
		return LJC_KERNEL(2);
	case 3:
		return LJC_KERNEL(3);
	case 4:
		return LJC_KERNEL(4);
	default:
		return LJC_KERNEL(0);
	}
}
#undef LJC_KERNEL

int pair_ljcoul_init(struct pair_ljcoul *c, double g_ewald, double cutoff,
		     double qqrd2e, struct err *e)
{
	memset(c, 0, sizeof *c);
	if (!(cutoff > 0) || !isfinite(cutoff))
		return err_set(e, "lj/coul: Coulomb cut-off must be positive "
			       "(got %g)", cutoff);
	if (!(g_ewald > 0) || !isfinite(g_ewald))
		return err_set(e, "lj/coul: g_ewald must be positive (got %g)",
			       g_ewald);
	if (!(qqrd2e > 0) || !isfinite(qqrd2e))
		return err_set(e, "lj/coul: qqrd2e must be positive");
	/* exp_nonpos's range: -g^2 rc^2 >= -708 (LAMMPS's accuracy rule
	 * gives g rc ~ 3-4) */
	if (!(g_ewald * cutoff < 26.0))
		return err_set(e, "lj/coul: g_ewald %g times the Coulomb cut-off "
			       "%g is beyond 26 (erfc underflows)", g_ewald,
			       cutoff);
	c->g_ewald = g_ewald;
	c->cutoff = cutoff;
	c->qqrd2e = qqrd2e;
	c->nbuilds = -1;
	return 0;
}

void pair_ljcoul_free(struct pair_ljcoul *c)
{
	if (!c)
		return;
	free(c->pq);
	free(c->plist);
	free(c->pn);
	free(c->xp);
	free(c->yp);
	free(c->zp);
	memset(c, 0, sizeof *c);
}

/* Charges in the slot order of nl's last build (dummies 0). */
static int slot_charges(struct pair_ljcoul *c, const struct nbr_list *nl,
			const double *q, struct err *e)
{
	if (c->nl == nl && c->nbuilds == nl->nbuilds)
		return 0;
	if (nl->nslot > c->cap) {
		size_t cap = nl->cap_slot > nl->nslot ? nl->cap_slot : nl->nslot;
		size_t bytes = (cap * sizeof(double) + 63) / 64 * 64;
		free(c->pq);
		c->pq = aligned_alloc(64, bytes);
		c->cap = c->pq ? cap : 0;
		if (!c->pq)
			return err_set(e, "lj/coul: out of memory (%zu slots)",
				       nl->nslot);
	}
	const int *restrict src = nl->src;
	double *restrict pq = c->pq;
	for (size_t s = 0; s < nl->nslot; s++)
		pq[s] = src[s] >= 0 ? q[src[s]] : 0.0;
	c->nl = nl;
	c->nbuilds = nl->nbuilds;
	return 0;
}

/* Whether the pruned list can be used for st and whether it must be made
 * again first (see pair_ljcoul.h); fills k's list fields. */
static int prune_plan(struct pair_ljcoul *c, const struct nbr_list *nl,
		      const struct state *st, int rebuilt, struct nbr_coul *k,
		      struct err *e)
{
	const double b = 0.25 * nl->skin;
	const size_t n = st->n, nent = (size_t)nl->first[nl->nloc];
	if (!(b > 0.0) || memcmp(st->len, nl->lenhold, sizeof st->len) != 0) {
		c->pvalid = 0; /* no skin, or the box moved: whole list */
		return 0;
	}
	if (nent > c->cap_plist || nl->nloc > c->cap_pn || n != c->natoms) {
		free(c->plist);
		free(c->pn);
		c->cap_plist = nent + nent / 4 + 64;
		c->cap_pn = nl->nloc;
		c->plist = malloc(c->cap_plist * sizeof *c->plist);
		c->pn = malloc(c->cap_pn * sizeof *c->pn);
		if (n != c->natoms) {
			free(c->xp);
			free(c->yp);
			free(c->zp);
			c->xp = malloc(n * sizeof *c->xp);
			c->yp = malloc(n * sizeof *c->yp);
			c->zp = malloc(n * sizeof *c->zp);
			c->natoms = n;
		}
		c->pvalid = 0;
		if (!c->plist || !c->pn || !c->xp || !c->yp || !c->zp) {
			c->cap_plist = c->cap_pn = c->natoms = 0;
			return err_set(e, "lj/coul: out of memory (pruned list)");
		}
	}
	int prune = rebuilt || !c->pvalid ||
		    memcmp(st->len, c->lenp, sizeof st->len) != 0;
	if (!prune) {
		const double *restrict x = st->x, *restrict y = st->y,
				       *restrict z = st->z, *restrict xp = c->xp,
				       *restrict yp = c->yp, *restrict zp = c->zp;
		double maxsq = 0.0;
#pragma omp simd reduction(max : maxsq)
		for (size_t i = 0; i < n; i++) {
			double dx = x[i] - xp[i], dy = y[i] - yp[i],
			       dz = z[i] - zp[i];
			double r = dx * dx + dy * dy + dz * dz;
			maxsq = r > maxsq ? r : maxsq;
		}
		/* NaN positions compare false: the list is rebuilt (and
		 * the NaN caught) by nbr_needs_rebuild first */
		prune = maxsq > 0.25 * b * b;
	}
	if (prune) {
		memcpy(c->xp, st->x, n * sizeof *c->xp);
		memcpy(c->yp, st->y, n * sizeof *c->yp);
		memcpy(c->zp, st->z, n * sizeof *c->zp);
		memcpy(c->lenp, st->len, sizeof c->lenp);
		c->pvalid = 1;
		c->nprune++;
	}
	const double rl = nl->cut + b;
	k->plist = c->plist;
	k->pn = c->pn;
	k->prune = prune;
	k->prunesq = rl * rl;
	return 0;
}

int pair_ljcoul_compute(struct pair_ljcoul *c, const struct pair_lj *p,
			const int *type, const double *q, struct state *st,
			const struct nbr_list *nl, struct energy *en,
			struct err *e)
{
	const int rebuilt = c->nl != nl || c->nbuilds != nl->nbuilds;
	if (nl->built && slot_charges(c, nl, q, e) != 0)
		return -1;
	struct nbr_coul k = {.g_ewald = c->g_ewald,
			     .cutsq = c->cutoff * c->cutoff,
			     .qqrd2e = c->qqrd2e, .pq = c->pq};
	if (nl->built && prune_plan(c, nl, st, rebuilt, &k, e) != 0)
		return -1;
	pair_lj_compute_coul(p, type, st, nl, &k, en);
	return 0;
}
