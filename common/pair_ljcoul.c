/* pair_ljcoul: the LJ + real-space Coulomb kernel over nbr.c's cluster-pair
 * list (see pair_ljcoul.h). The pass around it (slots from positions,
 * work items on threads, forces onto the atoms) is
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
 * The polynomials use fused multiply-adds explicitly (NBR_MADD): -std=c17 does not contract a*b+c,
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
	s = NBR_MADD(s, r, 1.0 / 479001600.0);
	s = NBR_MADD(s, r, 1.0 / 39916800.0);
	s = NBR_MADD(s, r, 1.0 / 3628800.0);
	s = NBR_MADD(s, r, 1.0 / 362880.0);
	s = NBR_MADD(s, r, 1.0 / 40320.0);
	s = NBR_MADD(s, r, 1.0 / 5040.0);
	s = NBR_MADD(s, r, 1.0 / 720.0);
	s = NBR_MADD(s, r, 1.0 / 120.0);
	s = NBR_MADD(s, r, 1.0 / 24.0);
	s = NBR_MADD(s, r, 1.0 / 6.0);
	s = NBR_MADD(s, r, 0.5);
	s = NBR_MADD(s, r, 1.0);
	s = NBR_MADD(s, r, 1.0);
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
	    double *restrict ae, double *restrict aq,
	    double (*restrict av)[NBR_CL])
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
		const double rsq = NBR_MADD(dx, dx, NBR_MADD(dy, dy, dz * dz));
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
			const double forcelj = r6inv * NBR_MADD(r1[jt], r6inv, -r2[jt]);
			flj = in ? forcelj : 0.0;
			ev = in ? 12.0 * (r6inv * NBR_MADD(r3[jt], r6inv, -r4[jt]) - ro[jt]) : 0.0;
		} else {
			double a1 = c1[0], a2 = c2[0], o12 = co[0];
			for (int u = 1; u < NT; u++) {
				a1 = jt == u ? c1[u] : a1;
				a2 = jt == u ? c2[u] : a2;
				o12 = jt == u ? co[u] : o12;
			}
			const int in = (rsq < cutsq) & pair;
			const double forcelj = r6inv * NBR_MADD(a1, r6inv, -a2);
			flj = in ? forcelj : 0.0;
			ev = in ? NBR_MADD(-r6inv, a2, forcelj) - o12 : 0.0;
		}
		const int inc = (rsq < ccutsq) & pair;
		const double expm2 = exp_nonpos(-grij * grij);
		const double poly = NBR_MADD(NBR_MADD(NBR_MADD(NBR_MADD(AS_A5, t, AS_A4), t, AS_A3), t, AS_A2), t, AS_A1);
		const double erfc = t * poly * expm2;
		const double prefactor = qqi * qj[l] * (r * r2inv);
		const double fc = inc ? prefactor * (erfc + LMP_EWALD_F * grij * expm2) : 0.0;
		/* j = i (own cluster) has r2inv = inf: select, do not multiply */
		const double fpair = pair ? (fc + flj) * r2inv : 0.0;
		nbr_pair_force(l, dx, dy, dz, fpair, ax, ay, az, gx, gy, gz);
		if (EF) {
			ae[l] += ev;
			aq[l] += inc ? prefactor * erfc : 0.0;
			nbr_virial_add(av, l, dx, dy, dz, dx * fpair, dy * fpair,
				       dz * fpair);
		}
	}
}

/* The kernel over slots [i0, i1), as pair_lj.c's lj_kernel. */
static inline __attribute__((always_inline)) double
ljc_kernel(const int NT, const int EF, const struct pair_lj *p,
	   const struct nbr_coul *k, const struct nbr_list *nl, int i0,
	   int i1, double *restrict fx, double *restrict fy,
	   double *restrict fz, double *ecoul, double *vir)
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
	const double *shx = nl->shx, *shy = nl->shy, *shz = nl->shz;
	double e = 0.0, ec = 0.0;
	double av[6][CL] = {{0}};
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
		if (clist[q] == NBR_ENTRY(i / CL, NBR_SHIFT0))
			ljc_cluster(NT, EF, 1, p, k, nl, clist[q++] >> NBR_SHBITS,
				    i, row, xi, yi, zi, qqi, c1, c2, co, cutsq, fx,
				    fy, fz, ax, ay, az, ae, aq, av);
		for (; q < q1; q++) {
			const int en = clist[q], s = en & NBR_SHMASK;
			ljc_cluster(NT, EF, 0, p, k, nl, en >> NBR_SHBITS, -1, row,
				    xi - shx[s], yi - shy[s], zi - shz[s], qqi, c1,
				    c2, co, cutsq, fx, fy, fz, ax, ay, az, ae, aq,
				    av);
		}
		nbr_lanes_to_atom(ax, ay, az, ae, i, fx, fy, fz, &e);
		double sq = 0.0;
		for (int l = 0; l < CL; l++)
			sq += aq[l];
		ec += sq;
	}
	*ecoul = ec;
	if (EF)
		nbr_virial_sum(av, vir);
	return e * (1.0 / 12.0);
}

#if defined(__AVX512F__) && NBR_CL == 8
/* The same kernel written for AVX-512, one j cluster = one vector of 8
 * doubles. Where the portable loop above spends most of its time (perf on
 * the paper's water box: vdivpd and vsqrtpd, GCC's 256-bit halves of the
 * 8-slot loop, and per-lane loads of the per-type coefficients), this one
 * uses: 1/r from the 14-bit vrsqrt14pd estimate refined by two Newton
 * steps (relative error ~1e-16, as sqrt then divide), A&S's t from
 * vrcp14pd and two Newton steps, 2^k of exp by vscalefpd, and the
 * coefficients of i's row permuted by j's type in one register (ntypes
 * <= 8) or two (<= 16), or gathered. Results equal the portable kernel's to a few ulp (tests:
 * test_pair_ljcoul's kernel comparison, and the LAMMPS references through
 * it); a given build on a given machine always takes the same path, so
 * runs stay deterministic and resumes bitwise. */
#include <immintrin.h>
#define LJC_AVX512 1

/* exp(y), y <= 0, by Tang's table method: y = (8m + j) ln2/8 + r with
 * n = 8m + j the nearest integer to 8y/ln2 (the 1.5*2^52 shift rounds it
 * and leaves n mod 8 in the low bits: vpermpd's index), |r| <= ln2/16;
 * exp(y) = 2^m 2^(j/8) exp(r), exp(r) by its Taylor series to r^7
 * (truncation 3e-16 relative), 2^(j/8) from a register, 2^m by
 * vscalefpd (which floors its exponent operand: n/8 gives m). A short
 * polynomial, so a short chain of dependent FMAs: the degree-13 one of
 * exp_nonpos made the SIMD kernel latency-bound. */
static inline __m512d v_exp_nonpos(__m512d y)
{
	const __m512d shift = _mm512_set1_pd(0x1.8p52);
	const __m512d tab = _mm512_set_pd(
		1.8340080864093424, 1.681792830507429, 1.5422108254079407,
		1.4142135623730951, 1.2968395546510096, 1.189207115002721,
		1.0905077326652577, 1.0);
	const __m512d nsh = _mm512_fmadd_pd(
		y, _mm512_set1_pd(11.541560327111707), shift); /* 8/ln2 */
	const __m512d n = _mm512_sub_pd(nsh, shift);
	__m512d r = _mm512_fnmadd_pd(n, _mm512_set1_pd(6.93147180369123816490e-01 / 8), y);
	r = _mm512_fnmadd_pd(n, _mm512_set1_pd(1.90821492927058770002e-10 / 8), r);
	const __m512d r2 = _mm512_mul_pd(r, r);
	/* 1 + r + r^2 (1/2 + r/6) + r^4 (1/24 + r/120 + r^2 (1/720 + r/5040)) */
	const __m512d p01 = _mm512_add_pd(_mm512_set1_pd(1.0), r);
	const __m512d p23 = _mm512_fmadd_pd(r, _mm512_set1_pd(1.0 / 6.0),
					    _mm512_set1_pd(0.5));
	const __m512d p45 = _mm512_fmadd_pd(r, _mm512_set1_pd(1.0 / 120.0),
					    _mm512_set1_pd(1.0 / 24.0));
	const __m512d p67 = _mm512_fmadd_pd(r, _mm512_set1_pd(1.0 / 5040.0),
					    _mm512_set1_pd(1.0 / 720.0));
	const __m512d p47 = _mm512_fmadd_pd(r2, p67, p45);
	const __m512d p27 = _mm512_fmadd_pd(r2, p47, p23);
	const __m512d e = _mm512_fmadd_pd(r2, p27, p01);
	const __m512d t = _mm512_permutexvar_pd(_mm512_castpd_si512(nsh), tab);
	return _mm512_scalef_pd(_mm512_mul_pd(e, t),
				_mm512_mul_pd(n, _mm512_set1_pd(0.125)));
}

/* 1/sqrt(x) to ~1 ulp: estimate, then y += y/2 (1 - x y^2) twice */
static inline __m512d v_rsqrt(__m512d x)
{
	const __m512d one = _mm512_set1_pd(1.0), half = _mm512_set1_pd(0.5);
	__m512d y = _mm512_rsqrt14_pd(x);
	for (int u = 0; u < 2; u++) {
		const __m512d e = _mm512_fnmadd_pd(_mm512_mul_pd(x, y), y, one);
		y = _mm512_fmadd_pd(_mm512_mul_pd(half, y), e, y);
	}
	return y;
}

/* 1/x to ~1 ulp: estimate, then y += y (1 - x y) twice */
static inline __m512d v_rcp(__m512d x)
{
	const __m512d one = _mm512_set1_pd(1.0);
	__m512d y = _mm512_rcp14_pd(x);
	for (int u = 0; u < 2; u++)
		y = _mm512_fmadd_pd(y, _mm512_fnmadd_pd(x, y, one), y);
	return y;
}

/* i's coefficient for each lane's j type: permuted from a register of
 * i's row (PERM 1: ntypes <= 8), from two (PERM 2: <= 16) or gathered
 * from it (PERM 0). The same values whichever way: the choice changes
 * speed only. Two registers matter for decoupling, whose cloned types
 * take the aqueous box's 6 types to 10: gathered, the kernel ran 1.4x
 * slower (fep windows). */
static inline __m512d v_coef(const int PERM, __m512d reg, __m512d reg_hi,
			     const double *row, __m512i idx64, __m256i idx32)
{
	return PERM == 1   ? _mm512_permutexvar_pd(idx64, reg)
	       : PERM == 2 ? _mm512_permutex2var_pd(reg, idx64, reg_hi)
			   : _mm512_i32gather_pd(idx32, row, 8);
}

static inline __attribute__((always_inline)) void
ljc_kernel_avx512(const int EF, const int PERM, const struct pair_lj *p,
		  const struct nbr_coul *k, const struct nbr_list *nl, int i0,
		  int i1, double *restrict fx, double *restrict fy,
		  double *restrict fz, double *evdwl, double *ecoul, double *vir)
{
	enum { CL = NBR_CL };
	const double *restrict px = nl->px, *restrict py = nl->py,
			       *restrict pz = nl->pz, *restrict pq = k->pq;
	const int *restrict pt = nl->pt;
	const int *restrict first = nl->first;
	const int *restrict clist = k->plist ? k->plist : nl->clist;
	const int *restrict pn = k->pn;
	const double *shx = nl->shx, *shy = nl->shy, *shz = nl->shz;
	const size_t nt = p->ntypes;
	/* the row's first 8 types, and with PERM 2 the rest */
	const __mmask8 tmask = PERM == 1 ? (__mmask8)((1u << nt) - 1u)
			       : PERM == 2 ? (__mmask8)0xff : 0;
	const __mmask8 tmask_hi = PERM == 2 ? (__mmask8)((1u << (nt - 8)) - 1u)
					    : 0;
	const __m512d g = _mm512_set1_pd(k->g_ewald),
		      ccut = _mm512_set1_pd(k->cutsq),
		      rcc = _mm512_set1_pd(sqrt(k->cutsq)),
		      one = _mm512_set1_pd(1.0), asp = _mm512_set1_pd(AS_P),
		      ewf = _mm512_set1_pd(LMP_EWALD_F),
		      a1 = _mm512_set1_pd(AS_A1), a2 = _mm512_set1_pd(AS_A2),
		      a3 = _mm512_set1_pd(AS_A3), a4 = _mm512_set1_pd(AS_A4),
		      a5 = _mm512_set1_pd(AS_A5);
	const __m512d zero = _mm512_setzero_pd();
	__m512d e_lj = zero, e_q = zero;
	__m512d vr[6] = {zero, zero, zero, zero, zero, zero};
	for (int i = i0; i < i1; i++) {
		int q = first[i];
		const int q1 = k->plist ? first[i] + pn[i] : first[i + 1];
		if (q == q1)
			continue;
		const size_t row = (size_t)pt[i] * nt;
		const double *l1 = p->lj1 + row, *l2 = p->lj2 + row,
			     *l3 = p->lj3 + row, *l4 = p->lj4 + row,
			     *lo = p->offset + row, *lc = p->cutsq + row;
		__m512d c1 = zero, c2 = zero, c3 = zero, c4 = zero, co = zero,
			cc = zero;
		__m512d h1 = zero, h2 = zero, h3 = zero, h4 = zero, ho = zero,
			hc = zero;
		if (PERM) {
			c1 = _mm512_maskz_loadu_pd(tmask, l1);
			c2 = _mm512_maskz_loadu_pd(tmask, l2);
			c3 = _mm512_maskz_loadu_pd(tmask, l3);
			c4 = _mm512_maskz_loadu_pd(tmask, l4);
			co = _mm512_maskz_loadu_pd(tmask, lo);
			cc = _mm512_maskz_loadu_pd(tmask, lc);
		}
		if (PERM == 2) {
			h1 = _mm512_maskz_loadu_pd(tmask_hi, l1 + 8);
			h2 = _mm512_maskz_loadu_pd(tmask_hi, l2 + 8);
			h3 = _mm512_maskz_loadu_pd(tmask_hi, l3 + 8);
			h4 = _mm512_maskz_loadu_pd(tmask_hi, l4 + 8);
			ho = _mm512_maskz_loadu_pd(tmask_hi, lo + 8);
			hc = _mm512_maskz_loadu_pd(tmask_hi, lc + 8);
		}
		const __m512d qqi = _mm512_set1_pd(k->qqrd2e * pq[i]);
		__m512d ax = zero, ay = zero, az = zero;
		for (; q < q1; q++) {
			const int en = clist[q], c = en >> NBR_SHBITS, b = c * CL,
				  s = en & NBR_SHMASK;
			const __m512d xi = _mm512_set1_pd(px[i] - shx[s]),
				      yi = _mm512_set1_pd(py[i] - shy[s]),
				      zi = _mm512_set1_pd(pz[i] - shz[s]);
			/* own cluster unshifted: only slots after i */
			const __mmask8 pair = en == NBR_ENTRY(i / CL, NBR_SHIFT0)
				? (__mmask8)(0xffu << (i - b + 1)) : (__mmask8)0xff;
			const __m512d dx = _mm512_sub_pd(xi, _mm512_load_pd(px + b)),
				      dy = _mm512_sub_pd(yi, _mm512_load_pd(py + b)),
				      dz = _mm512_sub_pd(zi, _mm512_load_pd(pz + b));
			const __m512d rsq = _mm512_add_pd(
				_mm512_add_pd(_mm512_mul_pd(dx, dx), _mm512_mul_pd(dy, dy)),
				_mm512_mul_pd(dz, dz));
			const __m256i t32 = _mm256_load_si256((const __m256i *)(pt + b));
			const __m512i t64 = _mm512_cvtepi32_epi64(t32);
			const __m512d cut = v_coef(PERM, cc, hc, lc, t64, t32);
			const __mmask8 inlj = _mm512_mask_cmp_pd_mask(pair, rsq, cut, _CMP_LT_OQ);
			const __mmask8 inc = _mm512_mask_cmp_pd_mask(pair, rsq, ccut, _CMP_LT_OQ);
			const __m512d rinv = v_rsqrt(rsq);
			const __m512d r2inv = _mm512_mul_pd(rinv, rinv);
			const __m512d r6inv = _mm512_mul_pd(_mm512_mul_pd(r2inv, r2inv), r2inv);
			const __m512d f1 = v_coef(PERM, c1, h1, l1, t64, t32),
				      f2 = v_coef(PERM, c2, h2, l2, t64, t32);
			const __m512d flj = _mm512_maskz_mul_pd(inlj, r6inv,
				_mm512_fmsub_pd(f1, r6inv, f2));
			/* beyond rc_coul the Coulomb term is discarded: r
			 * capped there keeps exp's argument in range */
			const __m512d r = _mm512_min_pd(_mm512_mul_pd(rsq, rinv), rcc);
			const __m512d grij = _mm512_mul_pd(g, r);
			const __m512d t = v_rcp(_mm512_fmadd_pd(asp, grij, one));
			const __m512d expm2 = v_exp_nonpos(
				_mm512_mul_pd(_mm512_sub_pd(zero, grij), grij));
			const __m512d poly = _mm512_fmadd_pd(_mm512_fmadd_pd(_mm512_fmadd_pd(
				_mm512_fmadd_pd(a5, t, a4), t, a3), t, a2), t, a1);
			const __m512d erfc = _mm512_mul_pd(_mm512_mul_pd(t, poly), expm2);
			const __m512d pref = _mm512_mul_pd(
				_mm512_mul_pd(qqi, _mm512_load_pd(pq + b)), rinv);
			const __m512d fc = _mm512_maskz_mul_pd(inc, pref,
				_mm512_fmadd_pd(_mm512_mul_pd(ewf, grij), expm2, erfc));
			const __m512d fpair = _mm512_maskz_mul_pd(inlj | inc,
				_mm512_add_pd(fc, flj), r2inv);
			const __m512d fxl = _mm512_mul_pd(dx, fpair),
				      fyl = _mm512_mul_pd(dy, fpair),
				      fzl = _mm512_mul_pd(dz, fpair);
			ax = _mm512_add_pd(ax, fxl);
			ay = _mm512_add_pd(ay, fyl);
			az = _mm512_add_pd(az, fzl);
			_mm512_store_pd(fx + b, _mm512_sub_pd(_mm512_load_pd(fx + b), fxl));
			_mm512_store_pd(fy + b, _mm512_sub_pd(_mm512_load_pd(fy + b), fyl));
			_mm512_store_pd(fz + b, _mm512_sub_pd(_mm512_load_pd(fz + b), fzl));
			if (EF) {
				const __m512d f3 = v_coef(PERM, c3, h3, l3, t64, t32),
					      f4 = v_coef(PERM, c4, h4, l4, t64, t32),
					      fo = v_coef(PERM, co, ho, lo, t64, t32);
				e_lj = _mm512_mask_add_pd(e_lj, inlj, e_lj,
					_mm512_fmsub_pd(r6inv, _mm512_fmsub_pd(f3, r6inv, f4), fo));
				e_q = _mm512_mask_add_pd(e_q, inc, e_q,
					_mm512_mul_pd(pref, erfc));
				nbr_v_virial_add(vr, dx, dy, dz, fxl, fyl, fzl);
			}
		}
		fx[i] += _mm512_reduce_add_pd(ax);
		fy[i] += _mm512_reduce_add_pd(ay);
		fz[i] += _mm512_reduce_add_pd(az);
	}
	*evdwl = _mm512_reduce_add_pd(e_lj);
	*ecoul = _mm512_reduce_add_pd(e_q);
	if (EF)
		for (int c = 0; c < 6; c++)
			vir[c] = _mm512_reduce_add_pd(vr[c]);
}
#endif

#if defined(LJC_AVX512) && defined(__AVX512VL__) && defined(__AVX512DQ__)
/* --precision mixed: the same kernel in single precision, as GROMACS's
 * default mixed precision: pair distances are taken
 * in double (positions stay double) and rounded to float, the pair terms
 * are float (1/r by vrsqrt14ps + one Newton step, t by vrcp14ps + one,
 * exp by the table method to degree 4: all ~1e-7 relative; v16_exp_nonpos), the forces
 * on j and the energies are summed in double, i's force over its list in
 * float. Forces are then good to ~1e-6 relative, as GROMACS's; the
 * special-pair corrections after the pass stay double. */
#define LJC_MIXED 1

/* exp for 16 floats: v8_exp_nonpos's method */
static inline __m512 v16_exp_nonpos(__m512 y)
{
	const __m512 shift = _mm512_set1_ps(0x1.8p23f);
	const __m512 tab = _mm512_castps256_ps512(_mm256_set_ps(
		1.8340080864093424f, 1.681792830507429f, 1.5422108254079407f,
		1.4142135623730951f, 1.2968395546510096f, 1.189207115002721f,
		1.0905077326652577f, 1.0f));
	const __m512 nsh = _mm512_fmadd_ps(
		y, _mm512_set1_ps(11.541560327111707f), shift);
	const __m512 n = _mm512_sub_ps(nsh, shift);
	__m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(0.693145751953125f / 8), y);
	r = _mm512_fnmadd_ps(n, _mm512_set1_ps(1.428606765330187e-06f / 8), r);
	__m512 e = _mm512_fmadd_ps(r, _mm512_set1_ps(1.0f / 24), _mm512_set1_ps(1.0f / 6));
	e = _mm512_fmadd_ps(e, r, _mm512_set1_ps(0.5f));
	e = _mm512_fmadd_ps(e, r, _mm512_set1_ps(1.0f));
	e = _mm512_fmadd_ps(e, r, _mm512_set1_ps(1.0f));
	/* index: n mod 8 (low bits), lanes 0-7 of tab */
	const __m512i idx = _mm512_and_si512(_mm512_castps_si512(nsh),
					     _mm512_set1_epi32(7));
	const __m512 t = _mm512_permutexvar_ps(idx, tab);
	return _mm512_scalef_ps(_mm512_mul_ps(e, t),
				_mm512_mul_ps(n, _mm512_set1_ps(0.125f)));
}

/* i's coefficient for each of 16 lanes (two j clusters) */
static inline __m512 v16_coef(int perm, __m512 reg, const float *row,
			      __m512i idx)
{
	return perm ? _mm512_permutexvar_ps(idx, reg)
		    : _mm512_i32gather_ps(idx, row, 4);
}

/* 8 doubles of cluster b, less xi, as 8 floats */
static inline __m256 v_dist8(__m512d xi, const double *pb)
{
	return _mm512_cvtpd_ps(_mm512_sub_pd(xi, _mm512_load_pd(pb)));
}

static inline __m512 v_join(__m256 lo, __m256 hi)
{
	return _mm512_insertf32x8(_mm512_castps256_ps512(lo), hi, 1);
}

/* f[b..b+7] -= the 8 floats of half h (0 low, 1 high) of v, in double */
static inline void v_sub_half(double *f, __m512 v, int h)
{
	const __m256 part = h ? _mm512_extractf32x8_ps(v, 1)
			      : _mm512_castps512_ps256(v);
	_mm512_store_pd(f, _mm512_sub_pd(_mm512_load_pd(f), _mm512_cvtps_pd(part)));
}

/* Two j clusters per step, 16 float lanes: the pair term's chain of
 * dependent operations is long (1/r, t, exp, erfc), and one cluster of 8
 * per step left the core waiting on it (the 8-lane float kernel was no
 * faster than the double one); 16 lanes halve the chains per pair. An odd
 * list ends with the dummy cluster (far away: all lanes masked). */
static inline __attribute__((always_inline)) void
ljc_kernel_mixed(const int EF, const struct pair_lj *p,
		 const struct nbr_coul *k, const struct nbr_list *nl, int i0,
		 int i1, double *restrict fx, double *restrict fy,
		 double *restrict fz, double *evdwl, double *ecoul, double *vir)
{
	enum { CL = NBR_CL };
	const double *restrict px = nl->px, *restrict py = nl->py,
			       *restrict pz = nl->pz, *restrict pq = k->pq;
	const int *restrict pt = nl->pt;
	const int *restrict pmol = k->pmol;
	const int *restrict first = nl->first;
	const int *restrict clist = k->plist ? k->plist : nl->clist;
	const int *restrict pn = k->pn;
	const double *shx = nl->shx, *shy = nl->shy, *shz = nl->shz;
	const size_t nt = p->ntypes, nt2 = nt * nt;
	const int perm = nt <= 16;
	const __mmask16 tmask = perm ? (__mmask16)((1u << nt) - 1u) : 0;
	const float *t1 = k->ftab, *t2 = t1 + nt2, *t3 = t2 + nt2,
		    *t4 = t3 + nt2, *to = t4 + nt2, *tc = to + nt2;
	const __m512 g = _mm512_set1_ps((float)k->g_ewald),
		     ccut = _mm512_set1_ps((float)k->cutsq),
		     rcc = _mm512_set1_ps((float)sqrt(k->cutsq)),
		     one = _mm512_set1_ps(1.0f), half = _mm512_set1_ps(0.5f),
		     asp = _mm512_set1_ps((float)AS_P),
		     ewf = _mm512_set1_ps((float)LMP_EWALD_F),
		     a1 = _mm512_set1_ps((float)AS_A1), a2 = _mm512_set1_ps((float)AS_A2),
		     a3 = _mm512_set1_ps((float)AS_A3), a4 = _mm512_set1_ps((float)AS_A4),
		     a5 = _mm512_set1_ps((float)AS_A5), zero = _mm512_setzero_ps();
	__m512d e_lj = _mm512_setzero_pd(), e_q = e_lj;
	__m512d vr[6] = {e_lj, e_lj, e_lj, e_lj, e_lj, e_lj};
	for (int i = i0; i < i1; i++) {
		int q = first[i];
		const int q1 = k->plist ? first[i] + pn[i] : first[i + 1];
		if (q == q1)
			continue;
		const size_t row = (size_t)pt[i] * nt;
		const float *l1 = t1 + row, *l2 = t2 + row, *l3 = t3 + row,
			    *l4 = t4 + row, *lo = to + row, *lc = tc + row;
		__m512 c1 = zero, c2 = zero, c3 = zero, c4 = zero, co = zero,
		       cc = zero;
		if (perm) {
			c1 = _mm512_maskz_loadu_ps(tmask, l1);
			c2 = _mm512_maskz_loadu_ps(tmask, l2);
			c3 = _mm512_maskz_loadu_ps(tmask, l3);
			c4 = _mm512_maskz_loadu_ps(tmask, l4);
			co = _mm512_maskz_loadu_ps(tmask, lo);
			cc = _mm512_maskz_loadu_ps(tmask, lc);
		}
		const __m512 qqi = _mm512_set1_ps((float)(k->qqrd2e * pq[i]));
		const __m512i moli = _mm512_set1_epi32(pmol[i]);
		__m512 ax = zero, ay = zero, az = zero;
		for (; q < q1; q += 2) {
			const int ea = clist[q],
				  eb = q + 1 < q1 ? clist[q + 1]
						  : NBR_ENTRY(nl->dummy, NBR_SHIFT0);
			const int sa = ea & NBR_SHMASK, sb = eb & NBR_SHMASK;
			const int ba = (ea >> NBR_SHBITS) * CL,
				  bb = (eb >> NBR_SHBITS) * CL;
			const __m512d xa = _mm512_set1_pd(px[i] - shx[sa]),
				      ya = _mm512_set1_pd(py[i] - shy[sa]),
				      za = _mm512_set1_pd(pz[i] - shz[sa]),
				      xb = _mm512_set1_pd(px[i] - shx[sb]),
				      yb = _mm512_set1_pd(py[i] - shy[sb]),
				      zb = _mm512_set1_pd(pz[i] - shz[sb]);
			/* own cluster (first in the list): only slots after i;
			 * pairs within a molecule are left to the double pass
			 * (intra_pairs): their special-bond corrections remove
			 * huge 1-2/1-3 terms that float would not cancel */
			const unsigned own = ea == NBR_ENTRY(i / CL, NBR_SHIFT0)
						     ? 0xffu << (i - ba + 1) : 0xffu;
			const __m512i tj = _mm512_inserti32x8(_mm512_castsi256_si512(
				_mm256_load_si256((const __m256i *)(pt + ba))),
				_mm256_load_si256((const __m256i *)(pt + bb)), 1);
			const __m512i mj = _mm512_inserti32x8(_mm512_castsi256_si512(
				_mm256_load_si256((const __m256i *)(pmol + ba))),
				_mm256_load_si256((const __m256i *)(pmol + bb)), 1);
			const __mmask16 pair = (__mmask16)((own & 0xffu) | 0xff00u) &
					       _mm512_cmpneq_epi32_mask(moli, mj);
			const __m512 dx = v_join(v_dist8(xa, px + ba), v_dist8(xb, px + bb)),
				     dy = v_join(v_dist8(ya, py + ba), v_dist8(yb, py + bb)),
				     dz = v_join(v_dist8(za, pz + ba), v_dist8(zb, pz + bb));
			const __m512 rsq = _mm512_fmadd_ps(dx, dx,
				_mm512_fmadd_ps(dy, dy, _mm512_mul_ps(dz, dz)));
			const __mmask16 inlj = _mm512_mask_cmp_ps_mask(pair, rsq,
				v16_coef(perm, cc, lc, tj), _CMP_LT_OQ);
			const __mmask16 inc = _mm512_mask_cmp_ps_mask(pair, rsq, ccut, _CMP_LT_OQ);
			__m512 rinv = _mm512_rsqrt14_ps(rsq);
			rinv = _mm512_fmadd_ps(_mm512_mul_ps(half, rinv),
				_mm512_fnmadd_ps(_mm512_mul_ps(rsq, rinv), rinv, one), rinv);
			const __m512 r2inv = _mm512_mul_ps(rinv, rinv);
			const __m512 r6inv = _mm512_mul_ps(_mm512_mul_ps(r2inv, r2inv), r2inv);
			const __m512 flj = _mm512_maskz_mul_ps(inlj, r6inv,
				_mm512_fmsub_ps(v16_coef(perm, c1, l1, tj), r6inv,
						v16_coef(perm, c2, l2, tj)));
			const __m512 r = _mm512_min_ps(_mm512_mul_ps(rsq, rinv), rcc);
			const __m512 grij = _mm512_mul_ps(g, r);
			const __m512 den = _mm512_fmadd_ps(asp, grij, one);
			__m512 t = _mm512_rcp14_ps(den);
			t = _mm512_fmadd_ps(t, _mm512_fnmadd_ps(den, t, one), t);
			const __m512 expm2 = v16_exp_nonpos(
				_mm512_mul_ps(_mm512_sub_ps(zero, grij), grij));
			const __m512 poly = _mm512_fmadd_ps(_mm512_fmadd_ps(_mm512_fmadd_ps(
				_mm512_fmadd_ps(a5, t, a4), t, a3), t, a2), t, a1);
			const __m512 erfc = _mm512_mul_ps(_mm512_mul_ps(t, poly), expm2);
			const __m512 qj = v_join(_mm512_cvtpd_ps(_mm512_load_pd(pq + ba)),
						 _mm512_cvtpd_ps(_mm512_load_pd(pq + bb)));
			const __m512 pref = _mm512_mul_ps(_mm512_mul_ps(qqi, qj), rinv);
			const __m512 fc = _mm512_maskz_mul_ps(inc, pref,
				_mm512_fmadd_ps(_mm512_mul_ps(ewf, grij), expm2, erfc));
			const __m512 fpair = _mm512_maskz_mul_ps(inlj | inc,
				_mm512_add_ps(fc, flj), r2inv);
			const __m512 fxl = _mm512_mul_ps(dx, fpair),
				     fyl = _mm512_mul_ps(dy, fpair),
				     fzl = _mm512_mul_ps(dz, fpair);
			ax = _mm512_add_ps(ax, fxl);
			ay = _mm512_add_ps(ay, fyl);
			az = _mm512_add_ps(az, fzl);
			v_sub_half(fx + ba, fxl, 0);
			v_sub_half(fy + ba, fyl, 0);
			v_sub_half(fz + ba, fzl, 0);
			v_sub_half(fx + bb, fxl, 1);
			v_sub_half(fy + bb, fyl, 1);
			v_sub_half(fz + bb, fzl, 1);
			if (EF) {
				const __m512 ev = _mm512_maskz_mov_ps(inlj, _mm512_fmsub_ps(r6inv,
					_mm512_fmsub_ps(v16_coef(perm, c3, l3, tj), r6inv,
							v16_coef(perm, c4, l4, tj)),
					v16_coef(perm, co, lo, tj)));
				const __m512 eq = _mm512_maskz_mul_ps(inc, pref, erfc);
				e_lj = _mm512_add_pd(e_lj, _mm512_add_pd(
					_mm512_cvtps_pd(_mm512_castps512_ps256(ev)),
					_mm512_cvtps_pd(_mm512_extractf32x8_ps(ev, 1))));
				e_q = _mm512_add_pd(e_q, _mm512_add_pd(
					_mm512_cvtps_pd(_mm512_castps512_ps256(eq)),
					_mm512_cvtps_pd(_mm512_extractf32x8_ps(eq, 1))));
				const __m512 w[6] = {
					_mm512_mul_ps(dx, fxl), _mm512_mul_ps(dy, fyl),
					_mm512_mul_ps(dz, fzl), _mm512_mul_ps(dx, fyl),
					_mm512_mul_ps(dx, fzl), _mm512_mul_ps(dy, fzl)};
				for (int c = 0; c < 6; c++)
					vr[c] = _mm512_add_pd(vr[c], _mm512_add_pd(
						_mm512_cvtps_pd(_mm512_castps512_ps256(w[c])),
						_mm512_cvtps_pd(_mm512_extractf32x8_ps(w[c], 1))));
			}
		}
		fx[i] += (double)_mm512_reduce_add_ps(ax);
		fy[i] += (double)_mm512_reduce_add_ps(ay);
		fz[i] += (double)_mm512_reduce_add_ps(az);
	}
	*evdwl = _mm512_reduce_add_pd(e_lj);
	*ecoul = _mm512_reduce_add_pd(e_q);
	if (EF)
		for (int c = 0; c < 6; c++)
			vir[c] = _mm512_reduce_add_pd(vr[c]);
}
#endif

#define LJC_KERNEL(nt)                                                      \
	(eflag ? ljc_kernel(nt, 1, p, c, nl, i0, i1, fx, fy, fz, ecoul, vir) \
	       : ljc_kernel(nt, 0, p, c, nl, i0, i1, fx, fy, fz, ecoul, vir))
double ljcoul_range(const struct pair_lj *p, const struct nbr_coul *c,
		    int special, int eflag, const struct nbr_list *nl,
		    int i0, int i1, double *fx, double *fy, double *fz,
		    double *ecoul, double *vir)
{
#ifdef LJC_MIXED
	if (c->mixed) {
		double evdwl = 0.0;
		if (eflag)
			ljc_kernel_mixed(1, p, c, nl, i0, i1, fx, fy, fz, &evdwl, ecoul,
					 vir);
		else
			ljc_kernel_mixed(0, p, c, nl, i0, i1, fx, fy, fz, &evdwl, ecoul,
					 vir);
		return evdwl;
	}
#endif
#ifdef LJC_AVX512
	if (!c->portable) {
		double evdwl = 0.0;
		const int perm = c->gather ? 0
				 : p->ntypes <= 8 ? 1 : p->ntypes <= 16 ? 2 : 0;
#define LJC_AVX(EF, PERM) \
	ljc_kernel_avx512(EF, PERM, p, c, nl, i0, i1, fx, fy, fz, &evdwl, ecoul, vir)
		if (eflag) {
			if (perm == 1)
				LJC_AVX(1, 1);
			else if (perm == 2)
				LJC_AVX(1, 2);
			else
				LJC_AVX(1, 0);
		} else {
			if (perm == 1)
				LJC_AVX(0, 1);
			else if (perm == 2)
				LJC_AVX(0, 2);
			else
				LJC_AVX(0, 0);
		}
#undef LJC_AVX
		return evdwl;
	}
#endif
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
	free(c->ftab);
	free(c->pmol);
	free(c->molof);
	molecules_free(&c->mols);
	memset(c, 0, sizeof *c);
}

/* The molecules of the atoms (molecules.c's grouping by id) and each
 * atom's molecule index, made once per atom count. */
static int mixed_groups(struct pair_ljcoul *c, size_t n, struct err *e)
{
	if (c->molof && c->mols.natoms == n)
		return 0;
	molecules_free(&c->mols);
	free(c->molof);
	c->molof = malloc((n ? n : 1) * sizeof *c->molof);
	if (!c->molof)
		return err_set(e, "lj/coul: out of memory (molecules)");
	if (molecules_group_ids(&c->mols, c->mol, n, e) != 0) {
		free(c->molof);
		c->molof = NULL;
		return -1;
	}
	for (size_t m = 0; m < c->mols.nmol; m++)
		for (size_t k = c->mols.start[m]; k < c->mols.start[m + 1]; k++)
			c->molof[c->mols.atom[k]] = (int)m;
	return 0;
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
	if (c->mixed) {
		/* molecule of each slot for the mixed kernel: its index in
		 * the grouping (lone atoms each their own), dummies none */
		if (mixed_groups(c, nl->n, e) != 0)
			return -1;
		if (nl->nslot > c->cap_mol) {
			size_t cap = nl->cap_slot > nl->nslot ? nl->cap_slot : nl->nslot;
			free(c->pmol);
			c->pmol = aligned_alloc(64, (cap * sizeof(int) + 63) / 64 * 64);
			c->cap_mol = c->pmol ? cap : 0;
			if (!c->pmol)
				return err_set(e, "lj/coul: out of memory (%zu slots)",
					       nl->nslot);
		}
		for (size_t s = 0; s < nl->nslot; s++)
			c->pmol[s] = src[s] >= 0 ? c->molof[src[s]] : -1;
	}
	c->nl = nl;
	c->nbuilds = nl->nbuilds;
	return 0;
}

int pair_ljcoul_mixed_available(void)
{
#ifdef LJC_MIXED
	return 1;
#else
	return 0;
#endif
}

/* Float copies of the LJ tables for the mixed kernel, [6][nt*nt]: lj1,
 * lj2, lj3, lj4, offset, cutsq (remade each call: a few hundred numbers,
 * and the tables may change between calls). */
static int mixed_tables(struct pair_ljcoul *c, const struct pair_lj *p,
			struct err *e)
{
	const size_t nt2 = p->ntypes * p->ntypes;
	if (6 * nt2 > c->ftab_cap) {
		free(c->ftab);
		c->ftab = malloc(6 * nt2 * sizeof *c->ftab);
		c->ftab_cap = c->ftab ? 6 * nt2 : 0;
		if (!c->ftab)
			return err_set(e, "lj/coul: out of memory (float tables)");
	}
	const double *src[6] = {p->lj1, p->lj2, p->lj3, p->lj4, p->offset,
				p->cutsq};
	for (int t = 0; t < 6; t++)
		for (size_t u = 0; u < nt2; u++)
			c->ftab[t * nt2 + u] = (float)src[t][u];
	return 0;
}

/* The pairs within molecules, skipped by the mixed kernel, in double:
 * the portable kernel's pair term (lj/cut + erfc Coulomb at full
 * strength; the special-bond corrections after the pass remove what they
 * remove in double mode), the separation of nbr_pair_sep (the
 * corrections' own), added to forces, energies and the virial. Every pair of each molecule of mixed_groups. */
static int intra_pairs(struct pair_ljcoul *c, const struct pair_lj *p,
		       const int *type, const double *q, struct state *st,
		       const struct nbr_list *nl, struct energy *en,
		       struct err *e)
{
	if (mixed_groups(c, st->n, e) != 0)
		return -1;
	const struct molecules *ms = &c->mols;
	const size_t nt = p->ntypes;
	const double g = c->g_ewald, ccutsq = c->cutoff * c->cutoff;
	double evdwl = 0, ecoul = 0, v[6] = {0};
	for (size_t m = 0; m < ms->nmol; m++)
	for (size_t u = ms->start[m]; u < ms->start[m + 1]; u++)
	for (size_t w = u + 1; w < ms->start[m + 1]; w++) {
		const size_t i = ms->atom[u], j = ms->atom[w];
		double d[3];
		nbr_pair_sep(nl, st, i, j, d);
		const double rsq = d[0] * d[0] + d[1] * d[1] + d[2] * d[2];
		const size_t tp = (size_t)type[i] * nt + (size_t)type[j];
		const double r2inv = 1.0 / rsq;
		double fpair = 0.0;
		if (rsq < p->cutsq[tp]) {
			const double r6inv = r2inv * r2inv * r2inv;
			fpair += r6inv * (p->lj1[tp] * r6inv - p->lj2[tp]);
			evdwl += r6inv * (p->lj3[tp] * r6inv - p->lj4[tp]) -
				 p->offset[tp];
		}
		if (rsq < ccutsq) {
			const double r = sqrt(rsq), grij = g * r;
			const double expm2 = exp(-grij * grij);
			const double t = 1.0 / (1.0 + AS_P * grij);
			const double erfc = t * (AS_A1 + t * (AS_A2 + t * (AS_A3 +
					    t * (AS_A4 + t * AS_A5)))) * expm2;
			const double pref = c->qqrd2e * q[i] * q[j] / r;
			fpair += pref * (erfc + LMP_EWALD_F * grij * expm2);
			ecoul += pref * erfc;
		}
		fpair *= r2inv;
		const double f[3] = {d[0] * fpair, d[1] * fpair, d[2] * fpair};
		st->fx[i] += f[0]; st->fy[i] += f[1]; st->fz[i] += f[2];
		st->fx[j] -= f[0]; st->fy[j] -= f[1]; st->fz[j] -= f[2];
		v[0] += d[0] * f[0]; v[1] += d[1] * f[1]; v[2] += d[2] * f[2];
		v[3] += d[0] * f[1]; v[4] += d[0] * f[2]; v[5] += d[1] * f[2];
	}
	if (en) {
		en->evdwl += evdwl;
		en->ecoul += ecoul;
		for (int a = 0; a < 6; a++)
			en->virial[a] += v[a];
	}
	return 0;
}

int pair_ljcoul_compute(struct pair_ljcoul *c, const struct pair_lj *p,
			const int *type, const double *q, struct state *st,
			const struct nbr_list *nl, struct energy *en,
			struct err *e)
{
	if (nl->built && slot_charges(c, nl, q, e) != 0)
		return -1;
	struct nbr_coul k = {.g_ewald = c->g_ewald,
			     .cutsq = c->cutoff * c->cutoff,
			     .qqrd2e = c->qqrd2e, .pq = c->pq,
			     .portable = c->portable, .gather = c->gather,
			     .mixed = c->mixed};
	if (c->mixed && mixed_tables(c, p, e) != 0)
		return -1;
	k.ftab = c->ftab;
	k.pmol = c->pmol;
	pair_lj_compute_coul(p, type, st, nl, &k, en);
	if (c->mixed)
		return intra_pairs(c, p, type, q, st, nl, en, e);
	return 0;
}
