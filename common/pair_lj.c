/* pair_lj: Lennard-Jones 12-6 forces, energy and virial over the half
 * neighbour list of nbr.c, as LAMMPS pair_style lj/cut (pair_lj_cut.cpp):
 *   for r^2 < rc^2:  fpair = r^-6 (lj1 r^-6 - lj2) / r^2,  f_i += d fpair,
 *                    f_j -= d fpair (d = x_i - x_j),
 *                    e = r^-6 (lj3 r^-6 - lj4) - offset.
 * Units: those of the system (energy, energy/distance); no unit factor
 * enters. Tail corrections (pair_modify tail yes): e += etail/V and
 * W_aa += ptail/V, as LAMMPS thermo pe and compute pressure do.
 *
 * The virial is the sum over pairs of r_ij (x) f_ij (r_ij the separation
 * under the pair's periodic shift), summed in the kernel on passes that
 * want energies; LAMMPS forms the same sum as x (x) f over atoms and
 * ghosts (virial_fdotr_compute): the two agree to round-off.
 *
 * Each thread works on a fixed range of slots with its own force buffer
 * over all slots; the buffers are summed onto the atoms in a fixed order,
 * so results depend only on the thread count fixed at the last build
 * (nbr_impl.h), and differ between counts by round-off. */
#include <math.h>
#include <string.h>

#include "nbr_impl.h"

#ifdef _OPENMP
#include <omp.h>
#else
static int omp_get_thread_num(void) { return 0; }
static int omp_get_num_threads(void) { return 1; }
#endif

/* i (at xi, yi, zi: its position less the entry's shift) against the
 * NBR_CL slots of cluster c: one SIMD sweep of contiguous loads and
 * stores (the separation (xi - shift) - xj: nbr_pair_sep gives its bits
 * to the corrections that must cancel a term exactly). `jmin`: only slots j > jmin count (i itself for its own cluster
 * unshifted, so that each pair is counted once; -1 otherwise). With EF,
 * the energy into ae and the pair virial into av[6][CL]. NT > 0: the
 * number of types, known at compile time; coefficients a1 = lj1, a2 = lj2,
 * o12 = 12*offset are picked from the i row c1, c2, co by selects, the
 * energy is r6 (lj1 r6 - 2 lj2) - 12 offset, i.e. 12 times LAMMPS's
 * r6 (lj3 r6 - lj4) - offset (lj3 = lj1/12, lj4 = lj2/6), and one cutoff
 * holds for all pairs. NT == 0: general tables, gathered per type. */
static inline __attribute__((always_inline)) void
lj_cluster(const int NT, const int EF, const int masked,
	   const struct pair_lj *p,
	   const struct nbr_list *nl, int c, int jmin, size_t row,
	   double xi, double yi, double zi, const double *c1,
	   const double *c2, const double *co, double cutsq,
	   double *restrict fx, double *restrict fy, double *restrict fz,
	   double *restrict ax, double *restrict ay, double *restrict az,
	   double *restrict ae, double (*restrict av)[NBR_CL])
{
	enum { CL = NBR_CL };
	const int b = c * CL;
	const double *xj = __builtin_assume_aligned(nl->px + b, 64);
	const double *yj = __builtin_assume_aligned(nl->py + b, 64);
	const double *zj = __builtin_assume_aligned(nl->pz + b, 64);
	const int *tj = __builtin_assume_aligned(nl->pt + b, 32);
	double *gx = __builtin_assume_aligned(fx + b, 64);
	double *gy = __builtin_assume_aligned(fy + b, 64);
	double *gz = __builtin_assume_aligned(fz + b, 64);
	const double *r1 = p->lj1 + row, *r2 = p->lj2 + row,
		     *r3 = p->lj3 + row, *r4 = p->lj4 + row,
		     *ro = p->offset + row, *rc = p->cutsq + row;
#pragma omp simd
	for (int l = 0; l < CL; l++) {
		const double dx = xi - xj[l], dy = yi - yj[l], dz = zi - zj[l];
		const double rsq = NBR_MADD(dx, dx, NBR_MADD(dy, dy, dz * dz));
		const double r2inv = 1.0 / rsq;
		const double r6inv = r2inv * r2inv * r2inv;
		const int jt = NT == 1 ? 0 : tj[l];
		double fpair, ev;
		if (NT == 0) {
			const int in = (rsq < rc[jt]) & (!masked | (b + l > jmin));
			const double forcelj = r6inv * NBR_MADD(r1[jt], r6inv, -r2[jt]);
			fpair = in ? forcelj * r2inv : 0.0;
			ev = in ? 12.0 * (r6inv * NBR_MADD(r3[jt], r6inv, -r4[jt]) - ro[jt]) : 0.0;
		} else {
			double a1 = c1[0], a2 = c2[0], o12 = co[0];
			for (int t = 1; t < NT; t++) {
				a1 = jt == t ? c1[t] : a1;
				a2 = jt == t ? c2[t] : a2;
				o12 = jt == t ? co[t] : o12;
			}
			const int in = (rsq < cutsq) & (!masked | (b + l > jmin));
			const double forcelj = r6inv * NBR_MADD(a1, r6inv, -a2);
			fpair = in ? forcelj * r2inv : 0.0;
			ev = in ? NBR_MADD(-r6inv, a2, forcelj) - o12 : 0.0;
		}
		nbr_pair_force(l, dx, dy, dz, fpair, ax, ay, az, gx, gy, gz);
		if (EF) {
			ae[l] += ev;
			nbr_virial_add(av, l, dx, dy, dz, dx * fpair, dy * fpair,
				       dz * fpair);
		}
	}
}

/* The kernel over slots [i0, i1): forces to fx, fy, fz (all slots);
 * returns the energy, with EF the virial into vir[6]. The own cluster
 * unshifted, when listed, comes first (nbr.c) and is the only entry that
 * needs the j > i mask. */
static inline __attribute__((always_inline)) double
lj_kernel(const int NT, const int EF, const struct pair_lj *p,
	  const struct nbr_list *nl, const int *plist, const int *pn,
	  int i0, int i1, double *restrict fx, double *restrict fy,
	  double *restrict fz, double *vir)
{
	enum { CL = NBR_CL };
	const double *restrict px = nl->px, *restrict py = nl->py,
			       *restrict pz = nl->pz;
	const int *restrict pt = nl->pt;
	const int *restrict first = nl->first,
			  *restrict clist = plist ? plist : nl->clist;
	const size_t nt = p->ntypes;
	const double cutsq = p->cutsq[0];
	const double *shx = nl->shx, *shy = nl->shy, *shz = nl->shz;
	double e = 0.0;
	double av[6][CL] = {{0}};
	for (int i = i0; i < i1; i++) {
		int q = first[i];
		const int q1 = plist ? q + pn[i] : first[i + 1];
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
		double ax[CL] = {0}, ay[CL] = {0}, az[CL] = {0}, ae[CL] = {0};
		if (clist[q] == NBR_ENTRY(i / CL, NBR_SHIFT0))
			lj_cluster(NT, EF, 1, p, nl, clist[q++] >> NBR_SHBITS, i,
				   row, xi, yi, zi, c1, c2, co, cutsq, fx, fy, fz,
				   ax, ay, az, ae, av);
		for (; q < q1; q++) {
			const int en = clist[q], s = en & NBR_SHMASK;
			lj_cluster(NT, EF, 0, p, nl, en >> NBR_SHBITS, -1, row,
				   xi - shx[s], yi - shy[s], zi - shz[s], c1, c2,
				   co, cutsq, fx, fy, fz, ax, ay, az, ae, av);
		}
		nbr_lanes_to_atom(ax, ay, az, ae, i, fx, fy, fz, &e);
	}
	if (EF)
		nbr_virial_sum(av, vir);
	return e * (1.0 / 12.0);
}

#if defined(__AVX512F__) && NBR_CL == 8
/* lj_kernel's specialised form (one cut-off, 1 <= ntypes <= 4) written
 * for AVX-512: one j cluster is one vector of 8 doubles, i's force, energy
 * and the virial stay in registers across its list, and i's row of
 * coefficients is permuted by j's type in a register. GCC vectorises the
 * portable loop in two 256-bit halves and, on passes with energies,
 * spills its accumulators to the stack. The operations are the portable
 * kernel's, one for one (the same fused multiply-adds, an exact
 * division, i's sums lane by lane in order), so the two give bitwise the
 * same forces, energy and virial (test_pair_lj compares them). */
#include <immintrin.h>
#define LJ_AVX512 1

static inline __attribute__((always_inline)) double
lj_kernel_avx512(const int EF, const struct pair_lj *p,
		 const struct nbr_list *nl, const int *plist, const int *pn,
		 int i0, int i1, double *restrict fx, double *restrict fy,
		 double *restrict fz, double *vir)
{
	enum { CL = NBR_CL };
	const double *restrict px = nl->px, *restrict py = nl->py,
			       *restrict pz = nl->pz;
	const int *restrict pt = nl->pt;
	const int *restrict first = nl->first,
			  *restrict clist = plist ? plist : nl->clist;
	const size_t nt = p->ntypes;
	const __mmask8 tmask = (__mmask8)((1u << nt) - 1u);
	const double *shx = nl->shx, *shy = nl->shy, *shz = nl->shz;
	const __m512d zero = _mm512_setzero_pd(), one = _mm512_set1_pd(1.0),
		      twelve = _mm512_set1_pd(12.0),
		      cut = _mm512_set1_pd(p->cutsq[0]);
	__m512d vr[6] = {zero, zero, zero, zero, zero, zero};
	double e = 0.0;
	for (int i = i0; i < i1; i++) {
		int q = first[i];
		const int q1 = plist ? q + pn[i] : first[i + 1];
		if (q == q1)
			continue;
		const size_t row = (size_t)pt[i] * nt;
		const __m512d c1 = _mm512_maskz_loadu_pd(tmask, p->lj1 + row),
			      c2 = _mm512_maskz_loadu_pd(tmask, p->lj2 + row),
			      co = _mm512_mul_pd(twelve, _mm512_maskz_loadu_pd(
						     tmask, p->offset + row));
		const double xi = px[i], yi = py[i], zi = pz[i];
		const int own = NBR_ENTRY(i / CL, NBR_SHIFT0);
		__m512d ax = zero, ay = zero, az = zero, ae = zero;
		for (; q < q1; q++) {
			const int en = clist[q], s = en & NBR_SHMASK,
				  b = (en >> NBR_SHBITS) * CL;
			/* own cluster unshifted: only the slots after i */
			const __mmask8 lanes = en == own
				? (__mmask8)(0xffu << (i - b + 1)) : (__mmask8)0xffu;
			const __m512d dx = _mm512_sub_pd(_mm512_set1_pd(xi - shx[s]),
							 _mm512_load_pd(px + b)),
				      dy = _mm512_sub_pd(_mm512_set1_pd(yi - shy[s]),
							 _mm512_load_pd(py + b)),
				      dz = _mm512_sub_pd(_mm512_set1_pd(zi - shz[s]),
							 _mm512_load_pd(pz + b));
			const __m512d rsq = _mm512_fmadd_pd(dx, dx,
				_mm512_fmadd_pd(dy, dy, _mm512_mul_pd(dz, dz)));
			const __mmask8 in = _mm512_mask_cmp_pd_mask(lanes, rsq, cut,
								     _CMP_LT_OQ);
			const __m512d r2inv = _mm512_div_pd(one, rsq);
			const __m512d r6inv = _mm512_mul_pd(_mm512_mul_pd(r2inv, r2inv),
							    r2inv);
			const __m512i jt = _mm512_cvtepi32_epi64(
				_mm256_load_si256((const __m256i *)(pt + b)));
			const __m512d a1 = _mm512_permutexvar_pd(jt, c1),
				      a2 = _mm512_permutexvar_pd(jt, c2);
			const __m512d forcelj = _mm512_mul_pd(r6inv,
				_mm512_fmsub_pd(a1, r6inv, a2));
			const __m512d fpair = _mm512_maskz_mul_pd(in, forcelj, r2inv);
			ax = _mm512_fmadd_pd(dx, fpair, ax);
			ay = _mm512_fmadd_pd(dy, fpair, ay);
			az = _mm512_fmadd_pd(dz, fpair, az);
			if (EF) {
				const __m512d o12 = _mm512_permutexvar_pd(jt, co);
				ae = _mm512_add_pd(ae, _mm512_maskz_sub_pd(in,
					_mm512_fnmadd_pd(r6inv, a2, forcelj), o12));
				const __m512d fxl = _mm512_mul_pd(dx, fpair),
					      fyl = _mm512_mul_pd(dy, fpair),
					      fzl = _mm512_mul_pd(dz, fpair);
				nbr_v_virial_add(vr, dx, dy, dz, fxl, fyl, fzl);
			}
			_mm512_store_pd(fx + b, _mm512_fnmadd_pd(dx, fpair,
								 _mm512_load_pd(fx + b)));
			_mm512_store_pd(fy + b, _mm512_fnmadd_pd(dy, fpair,
								 _mm512_load_pd(fy + b)));
			_mm512_store_pd(fz + b, _mm512_fnmadd_pd(dz, fpair,
								 _mm512_load_pd(fz + b)));
		}
		/* lane by lane, in order, as the portable kernel sums */
		double lx[CL], ly[CL], lz[CL], le[CL];
		_mm512_storeu_pd(lx, ax);
		_mm512_storeu_pd(ly, ay);
		_mm512_storeu_pd(lz, az);
		_mm512_storeu_pd(le, ae);
		nbr_lanes_to_atom(lx, ly, lz, le, i, fx, fy, fz, &e);
	}
	if (EF) {
		double av[6][CL];
		for (int c = 0; c < 6; c++)
			_mm512_storeu_pd(av[c], vr[c]);
		nbr_virial_sum(av, vir);
	}
	return e * (1.0 / 12.0);
}
#endif

/* The specialised kernels assume what pair_lj_setup guarantees: one cutoff
 * and lj3 = lj1/12, lj4 = lj2/6 (to round-off). A table made otherwise
 * takes the general kernel. */
static int setup_shape(const struct pair_lj *p)
{
	size_t nn = p->ntypes * p->ntypes;
	for (size_t k = 0; k < nn; k++) {
		if (p->cutsq[k] != p->cutsq[0] ||
		    fabs(p->lj3[k] - p->lj1[k] / 12.0) > 1e-14 * fabs(p->lj3[k]) ||
		    fabs(p->lj4[k] - p->lj2[k] / 6.0) > 1e-14 * fabs(p->lj4[k]))
			return 0;
	}
	return 1;
}

#define LJ_KERNEL(nt)                                                        \
	(eflag ? lj_kernel(nt, 1, p, nl, plist, pn, i0, i1, fx, fy, fz, vir) \
	       : lj_kernel(nt, 0, p, nl, plist, pn, i0, i1, fx, fy, fz, vir))
/* (not inlined: inside the pass's region the kernel measured 10% slower) */
static __attribute__((noinline)) double
lj_range(const struct pair_lj *p, int special, int eflag,
	 const struct nbr_list *nl, const int *plist, const int *pn, int i0,
	 int i1, double *fx, double *fy, double *fz, double *vir)
{
#ifdef LJ_AVX512
	if (special && p->ntypes <= 4 && !p->portable)
		return eflag ? lj_kernel_avx512(1, p, nl, plist, pn, i0, i1, fx,
						fy, fz, vir)
			     : lj_kernel_avx512(0, p, nl, plist, pn, i0, i1, fx,
						fy, fz, vir);
#endif
	switch (special ? p->ntypes : 0) {
	case 1:
		return LJ_KERNEL(1);
	case 2:
		return LJ_KERNEL(2);
	case 3:
		return LJ_KERNEL(3);
	case 4:
		return LJ_KERNEL(4);
	default:
		return LJ_KERNEL(0);
	}
}
#undef LJ_KERNEL

/* Forces of atoms a0..a1-1 into st->f from their slots: with one item
 * from its buffer, with more from the buffer of the slot's item, which
 * holds the sum of the items' parts after merge_owned (with the atoms
 * renumbered, item `own`'s for all of them; own -1: looked up). */
static void fold_range(const struct nbr_list *nl, int own, int a0, int a1,
		       struct state *st)
{
	const size_t fs = nl->fstride, bs = 3 * fs;
	const int *restrict lslot = nl->lslot;
	double *restrict gx = st->fx, *restrict gy = st->fy,
		       *restrict gz = st->fz;
	if (nl->nthr == 1 || own >= 0) {
		const double *restrict f =
			nl->fbuf + (nl->nthr == 1 ? 0 : bs * (size_t)own);
		/* Eight atoms' loads, then their stores: the loop that
		 * alternated them ran at half this speed on 2 threads (fold of
		 * ~1000 atoms 2.2 -> 1.1 us, the paper's system; 1 thread,
		 * 2128 atoms, 1.9 -> 1.6 us). */
		int a = a0;
		for (; a + 8 <= a1; a += 8) {
			double bx[8], by[8], bz[8];
			for (int l = 0; l < 8; l++) {
				const int k = lslot[a + l];
				bx[l] = f[k];
				by[l] = f[fs + k];
				bz[l] = f[2 * fs + k];
			}
			for (int l = 0; l < 8; l++)
				gx[a + l] = bx[l];
			for (int l = 0; l < 8; l++)
				gy[a + l] = by[l];
			for (int l = 0; l < 8; l++)
				gz[a + l] = bz[l];
		}
		for (; a < a1; a++) {
			const int k = lslot[a];
			gx[a] = f[k];
			gy[a] = f[fs + k];
			gz[a] = f[2 * fs + k];
		}
		return;
	}
	for (int a = a0; a < a1; a++) {
		const int k = lslot[a];
		int w = 0;
		while (k >= nl->tstart[w + 1])
			w++;
		const double *f = nl->fbuf + bs * (size_t)w;
		gx[a] = f[k];
		gy[a] = f[fs + k];
		gz[a] = f[2 * fs + k];
	}
}

/* Item w's clusters: the sum over the items that wrote each one, in item
 * order, into w's buffer (clusters only w wrote are final already; one
 * nobody wrote becomes zero). The order of the sum is that of the items,
 * whatever the owner: forces are the same for a given number of items. */
static void merge_owned(const struct nbr_list *nl, int w)
{
	const size_t fs = nl->fstride, bs = 3 * fs, nc = nl->nclust;
	const int nthr = nl->nthr;
	double *own = nl->fbuf + bs * (size_t)w;
	const int c0 = nl->tstart[w] / NBR_CL, c1 = nl->tstart[w + 1] / NBR_CL;
	for (int c = c0; c < c1; c++) {
		int others = 0;
		for (int v = 0; v < nthr; v++)
			others += v != w && nl->touch[nc * v + c];
		if (!others && nl->touch[nc * w + c])
			continue;
		for (int d = 0; d < 3; d++) {
			double acc[NBR_CL] = {0};
			for (int v = 0; v < nthr; v++) {
				if (!nl->touch[nc * v + c])
					continue;
				const double *fv = nl->fbuf + bs * v + fs * d +
						   (size_t)c * NBR_CL;
				for (int l = 0; l < NBR_CL; l++)
					acc[l] += fv[l];
			}
			memcpy(own + fs * d + (size_t)c * NBR_CL, acc, sizeof acc);
		}
	}
}

/* The kick of atoms a0..a1-1 (the fold's, so their forces are in cache);
 * 1 if a force component is not finite (f*0 is NaN exactly then). In
 * SIMD: each velocity's arithmetic is the scalar one, and the sum of
 * f*0 is 0 or NaN in any order (2128 atoms: 3.0 -> 1.2 us, the division
 * by the mass no longer scalar). */
static int kick_range(struct state *st, int a0, int a1, const double *mass,
		      double dtf)
{
	double *restrict vx = st->vx, *restrict vy = st->vy,
		       *restrict vz = st->vz;
	const double *restrict fx = st->fx, *restrict fy = st->fy,
			       *restrict fz = st->fz;
	double z = 0.0;
#pragma omp simd reduction(+ : z)
	for (int i = a0; i < a1; i++) {
		double dtfm = dtf / mass[i];
		vx[i] += dtfm * fx[i];
		vy[i] += dtfm * fy[i];
		vz[i] += dtfm * fz[i];
		z += fx[i] * 0.0 + fy[i] * 0.0 + fz[i] * 0.0;
	}
	return z != 0.0;
}

/* After drift d (NULL: none), whose largest squared displacement is maxsq
 * and sum of x*0 is bad: the list still holds (no atom beyond the
 * trigger, no position NaN). */
static inline int list_holds(const struct pair_drift *d, double maxsq,
			     double bad)
{
	return !d || (maxsq <= d->trigsq && bad == 0.0);
}

/* The drift of atoms a0..a1-1 (the arithmetic of integrate.c's nve_vx,
 * which this replaces for plain NVE: bitwise the same positions and
 * velocities), their largest squared displacement since the build into
 * *maxsq and the sum of x*0 into *bad (NaN exactly when a position is
 * not finite, as nbr_needs_rebuild); with PR, their largest since the
 * pruning into *pmaxsq. */
static inline __attribute__((always_inline)) void
drift_loop(const int PR, const int SC, struct state *st,
	   const struct nbr_list *nl, const struct pair_drift *d, int a0,
	   int a1, double *maxsq, double *bad, double *pmaxsq)
{
	double *restrict x = st->x, *restrict y = st->y, *restrict z = st->z;
	double *restrict vx = st->vx, *restrict vy = st->vy,
		       *restrict vz = st->vz;
	const double *restrict fx = st->fx, *restrict fy = st->fy,
			       *restrict fz = st->fz, *restrict mass = d->mass;
	const double *restrict xh = nl->xhold, *restrict yh = nl->yhold,
			       *restrict zh = nl->zhold;
	const double *restrict xq = PR ? nl->prune->xp : NULL,
			       *restrict yq = PR ? nl->prune->yp : NULL,
			       *restrict zq = PR ? nl->prune->zp : NULL;
	const double dtf = d->dtf, dtv = d->dtv, vs = d->vscale;
	double mx = 0.0, nb = 0.0, pm = 0.0;
#pragma omp simd reduction(max : mx, pm) reduction(+ : nb)
	for (int i = a0; i < a1; i++) {
		if (SC) {
			vx[i] *= vs;
			vy[i] *= vs;
			vz[i] *= vs;
		}
		double dtfm = dtf / mass[i];
		vx[i] += dtfm * fx[i];
		vy[i] += dtfm * fy[i];
		vz[i] += dtfm * fz[i];
		x[i] += dtv * vx[i];
		y[i] += dtv * vy[i];
		z[i] += dtv * vz[i];
		double dx = x[i] - xh[i], dy = y[i] - yh[i], dz = z[i] - zh[i];
		double r = dx * dx + dy * dy + dz * dz;
		mx = r > mx ? r : mx;
		nb += x[i] * 0.0 + y[i] * 0.0 + z[i] * 0.0;
		if (PR) {
			double px = x[i] - xq[i], py = y[i] - yq[i],
			       pz = z[i] - zq[i];
			double q = px * px + py * py + pz * pz;
			pm = q > pm ? q : pm;
		}
	}
	*maxsq = mx;
	*bad = nb;
	*pmaxsq = pm;
}

/* The squared displacement beyond which the pruned list is made again
 * (nbr_box_trigger_sq, the list's own rule, with its buffer and box); -1
 * if it must be made again whatever the atoms did (not valid, or the
 * corners moved buf or more). */
static double prune_trigger_sq(const struct nbr_prune *pr,
			       const struct state *st)
{
	if (!pr || !pr->valid)
		return -1.0;
	return nbr_box_trigger_sq(st->lo, st->len, pr->lop, pr->lenp, pr->buf);
}

/* Whether the pass prunes the list (pr, NULL: not pruned): ptrig < 0
 * (prune_trigger_sq), or some atom moved beyond the trigger since
 * (pmaxsq, the largest squared displacement). */
static inline int prune_due(const struct nbr_prune *pr, double ptrig,
			    double pmaxsq)
{
	return pr && (ptrig < 0.0 || pmaxsq > ptrig);
}

/* The largest squared displacement of atoms a0..a1-1 since the pruning. */
static double moved_sq(const struct state *st, const struct nbr_prune *pr,
		       int a0, int a1)
{
	const double *restrict x = st->x, *restrict y = st->y,
			       *restrict z = st->z, *restrict xq = pr->xp,
			       *restrict yq = pr->yp, *restrict zq = pr->zp;
	double pm = 0.0;
#pragma omp simd reduction(max : pm)
	for (int i = a0; i < a1; i++) {
		double dx = x[i] - xq[i], dy = y[i] - yq[i], dz = z[i] - zq[i];
		double q = dx * dx + dy * dy + dz * dz;
		pm = q > pm ? q : pm;
	}
	return pm;
}

/* Slots k .. k+m-1 from atoms a .. a+m-1 (a run: the atoms renumbered in
 * slot order, drift_range and fill_range), each array copied whole. */
static inline void slots_copy_run(const struct nbr_list *nl,
				  const struct state *st, const int *type,
				  int k, int a, int m)
{
	const size_t nb = (size_t)m * sizeof(double);
	memcpy(nl->px + k, st->x + a, nb);
	memcpy(nl->py + k, st->y + a, nb);
	memcpy(nl->pz + k, st->z + a, nb);
	memcpy(nl->pt + k, type + a, (size_t)m * sizeof *type);
}

/* drift_loop (with pr, the list pruned: nbr_set_prune; *pmaxsq 0
 * without); then (with fill), unless these atoms alone show the list is
 * due, their slots from the new positions while they are in cache. */
static void drift_range(struct state *st, const struct nbr_list *nl,
			const int *type, const struct pair_drift *d, int a0,
			int a1, int fill, const struct nbr_prune *pr,
			double *maxsq, double *bad, double *pmaxsq)
{
	double mx, nb;
	if (d->scaled) {
		if (pr)
			drift_loop(1, 1, st, nl, d, a0, a1, &mx, &nb, pmaxsq);
		else
			drift_loop(0, 1, st, nl, d, a0, a1, &mx, &nb, pmaxsq);
	} else if (pr) {
		drift_loop(1, 0, st, nl, d, a0, a1, &mx, &nb, pmaxsq);
	} else {
		drift_loop(0, 0, st, nl, d, a0, a1, &mx, &nb, pmaxsq);
	}
	*maxsq = mx;
	*bad = nb;
	/* due: the step rebuilds and fills every slot afresh */
	if (!fill || !list_holds(d, mx, nb))
		return;
	const double *restrict x = st->x, *restrict y = st->y,
			       *restrict z = st->z;
	const int *restrict lslot = nl->lslot;
	double *restrict px = nl->px, *restrict py = nl->py,
		       *restrict pz = nl->pz;
	int *restrict pt = nl->pt;
	if (nl->renumbered) {
		/* atoms in slot order: runs of consecutive slots (between
		 * a group's padding), each copied whole (2 threads, ordinary
		 * step p10 126.4 -> 124.8 us against the loop below) */
		for (int i = a0, m; i < a1; i += m) {
			const int k = lslot[i];
			for (m = 1; i + m < a1 && lslot[i + m] == k + m; m++)
				;
			slots_copy_run(nl, st, type, k, i, m);
		}
		return;
	}
	for (int i = a0; i < a1; i++) {
		const int k = lslot[i];
		px[k] = x[i];
		py[k] = y[i];
		pz[k] = z[i];
		pt[k] = type[i];
	}
}

static int pair_pass(const struct pair_lj *p, const int *type,
		     struct state *st, const struct nbr_list *nl,
		     const struct nbr_coul *coul, struct energy *en,
		     struct pair_kick *kick, const struct pair_drift *drift);

/* Slots k0..k1-1 from the atoms (dummies keep their far position). */
static void fill_range(const struct nbr_list *nl, const struct state *st,
		       const int *type, int k0, int k1)
{
	const int *restrict src = nl->src;
	const double *restrict x = st->x, *restrict y = st->y,
			       *restrict z = st->z;
	double *restrict px = nl->px, *restrict py = nl->py,
		       *restrict pz = nl->pz;
	int *restrict pt = nl->pt;
	if (nl->renumbered) { /* runs of consecutive atoms, as drift_range */
		for (int k = k0, m; k < k1; k += m) {
			const int a = src[k];
			if (a < 0) {
				m = 1;
				continue;
			}
			for (m = 1; k + m < k1 && src[k + m] == a + m; m++)
				;
			slots_copy_run(nl, st, type, k, a, m);
		}
		return;
	}
	for (int k = k0; k < k1; k++) {
		const int a = src[k];
		if (a < 0)
			continue;
		px[k] = x[a];
		py[k] = y[a];
		pz[k] = z[a];
		pt[k] = type[a];
	}
}

void pair_lj_compute(const struct pair_lj *p, const int *type,
		     struct state *st, const struct nbr_list *nl,
		     struct energy *en)
{
	pair_pass(p, type, st, nl, NULL, en, NULL, NULL);
}

void pair_lj_compute_kick(const struct pair_lj *p, const int *type,
			  struct state *st, const struct nbr_list *nl,
			  struct energy *en, struct pair_kick *k)
{
	k->nonfinite = 0;
	pair_pass(p, type, st, nl, NULL, en, k, NULL);
}

int pair_lj_step_nve(const struct pair_lj *p, const int *type,
		     struct state *st, const struct nbr_list *nl,
		     struct energy *en, const struct pair_drift *d,
		     struct pair_kick *k)
{
	k->nonfinite = 0;
	return pair_pass(p, type, st, nl, NULL, en, k, d);
}

void pair_lj_compute_coul(const struct pair_lj *p, const int *type,
			  struct state *st, const struct nbr_list *nl,
			  const struct nbr_coul *coul, struct energy *en)
{
	pair_pass(p, type, st, nl, coul, en, NULL, NULL);
}

/* The pass itself; with coul, pair_ljcoul.c's kernel adds the Coulomb
 * term (its energy in part[8 w + 7]); with kick, the final half kick of
 * each thread's atoms follows their fold; with drift, the first half of
 * the step comes first, and the pass stops there (returns 1) if the list
 * is due for a rebuild. */
static int pair_pass(const struct pair_lj *p, const int *type,
		     struct state *st, const struct nbr_list *nl,
		     const struct nbr_coul *coul, struct energy *en,
		     struct pair_kick *kick, const struct pair_drift *drift)
{
	const int nthr = nl->nthr;
	const size_t fs = nl->fstride;
	const double *restrict x = st->x, *restrict y = st->y,
			       *restrict z = st->z;
	const double lx = st->len[0], ly = st->len[1], lz = st->len[2];
	double *restrict part = nl->wpart; /* [w][0..5] virial, [6] evdwl,
					     [7] ecoul */
	const int special = setup_shape(p);
	const int eflag = en != NULL;
	if (drift && !nl->built) { /* the drift alone; the caller builds */
		double mw, bw, pw;
		drift_range(st, nl, type, drift, 0, (int)st->n, 0, NULL, &mw, &bw,
			    &pw);
		return 1;
	}
	if (!nl->built || nthr < 1) { /* a programming error: no list */
		memset(st->fx, 0, st->n * sizeof *st->fx);
		memset(st->fy, 0, st->n * sizeof *st->fy);
		memset(st->fz, 0, st->n * sizeof *st->fz);
		if (en)
			memset(en, 0, sizeof *en);
		return 0;
	}
	/* the kernels' view: the list with the entries' shifts under the
	 * current box (nbr_impl.h) */
	struct nbr_list view = *nl;
	nbr_set_shifts(&view, st->len);
	/* with drift: the largest squared displacement and the sum of x*0 */
	double maxsq = 0.0, bad = 0.0;
	/* The pruned list (nbr_set_prune; LJ and fused LJ + Coulomb passes
	 * alike): made again in this pass if not valid, or if some atom
	 * moved beyond its trigger since (prune_trigger_sq; pmaxsq: from the
	 * drift, or a reduction of its own). */
	struct nbr_prune *pr =
		nl->prune && nl->prune->buf > 0.0 ? nl->prune : NULL;
	/* the fused pass's kernel reads the pruned list from its term */
	struct nbr_coul kc;
	if (coul) {
		kc = *coul;
		kc.plist = pr ? pr->plist : NULL;
		kc.pn = pr ? pr->pn : NULL;
		coul = &kc;
	}
	const double ptrig = prune_trigger_sq(pr, st);
	const int pcheck = pr && ptrig >= 0.0;
	double pmaxsq = 0.0;
	/* renumbered atoms: item w's atoms have item w's slots */
	const int owned = nl->renumbered;

#pragma omp parallel num_threads(nthr)
	{
		/* Work item w (a slab: slot ranges and a buffer) is the same
		 * for any number of running threads. */
		const int tid = omp_get_thread_num(), nrun = omp_get_num_threads();
		/* The drift (which fills its atoms' slots), or the slots'
		 * fill, item w on thread w % nrun as below; the reduction
		 * ends in a barrier, after which the slots are all filled
		 * and every thread takes the same way: on if no atom went
		 * beyond the trigger, else out. */
		if (drift) {
#pragma omp for schedule(static, 1) reduction(max : maxsq, pmaxsq) \
	reduction(+ : bad)
			for (int w = 0; w < nthr; w++) {
				size_t b0, b1;
				double mw, bw, pw;
				nbr_atom_range(nl, w, nthr, &b0, &b1);
				drift_range(st, nl, type, drift, (int)b0, (int)b1,
					    1, pr, &mw, &bw, &pw);
				maxsq = mw > maxsq ? mw : maxsq;
				bad += bw;
				pmaxsq = pw > pmaxsq ? pw : pmaxsq;
			}
		} else {
#pragma omp for schedule(static, 1) reduction(max : pmaxsq)
			for (int w = 0; w < nthr; w++) {
				fill_range(nl, st, type, nl->tstart[w],
					   nl->tstart[w + 1]);
				if (pcheck) {
					size_t b0, b1;
					nbr_atom_range(nl, w, nthr, &b0, &b1);
					pmaxsq = fmax(pmaxsq, moved_sq(st, pr, (int)b0,
								       (int)b1));
				}
			}
		}
		/* (each thread the same: the reductions are done) */
		const int pnow = prune_due(pr, ptrig, pmaxsq);
		if (list_holds(drift, maxsq, bad)) {
			for (int w = tid; w < nthr; w += nrun) {
				double *f = nl->fbuf + 3 * fs * (size_t)w;
				if (nthr == 1) {
					memset(f, 0, 3 * fs * sizeof *f);
				} else { /* only what the item writes and the sum reads:
					  * the clusters it touches */
					for (int q = nl->tlstart[w]; q < nl->tlstart[w + 1];
					     q++)
						for (int d = 0; d < 3; d++)
							memset(f + fs * d + (size_t)nl->tlist[q] *
									    NBR_CL,
							       0, NBR_CL * sizeof *f);
				}
				if (pnow) { /* its atoms' positions, its slots' lists */
					size_t b0, b1;
					nbr_atom_range(nl, w, nthr, &b0, &b1);
					const size_t nb = (b1 - b0) * sizeof(double);
					memcpy(pr->xp + b0, x + b0, nb);
					memcpy(pr->yp + b0, y + b0, nb);
					memcpy(pr->zp + b0, z + b0, nb);
					const double rl = nl->cut + pr->buf;
					nbr_prune_slots(&view, rl * rl, pr->plist, pr->pn,
							nl->tstart[w], nl->tstart[w + 1]);
				}
				double *v = part + 8 * w;
				for (int c = 0; c < 8; c++)
					v[c] = 0.0;
				v[6] = coul ? ljcoul_range(p, coul, special, eflag,
							   &view, nl->tstart[w],
							   nl->tstart[w + 1], f, f + fs,
							   f + 2 * fs, &v[7], v)
					    : lj_range(p, special, eflag, &view,
						       pr ? pr->plist : NULL,
						       pr ? pr->pn : NULL, nl->tstart[w],
						       nl->tstart[w + 1], f, f + fs,
						       f + 2 * fs, v);
			}
#pragma omp barrier
			if (nthr > 1) {
				for (int w = tid; w < nthr; w += nrun)
					merge_owned(nl, w);
#pragma omp barrier
			}
			/* Each atom's force from its slot. Atoms split as the
			 * integrator's loops split them (nbr_atom_range). */
			for (int w = tid; w < nthr; w += nrun) {
				size_t b0, b1;
				nbr_atom_range(nl, w, nthr, &b0, &b1);
				const int a0 = (int)b0, a1 = (int)b1;
				fold_range(nl, owned ? w : -1, a0, a1, st);
				if (kick && kick_range(st, a0, a1, kick->mass, kick->dtf))
#pragma omp atomic write
					kick->nonfinite = 1;
				if (kick && kick->mv2)
					kick->mv2[w] = state_mv2_range(st, kick->mass, b0, b1);
			}
		}
	}
	if (!list_holds(drift, maxsq, bad))
		return 1;
	if (prune_due(pr, ptrig, pmaxsq)) {
		memcpy(pr->lop, st->lo, sizeof pr->lop);
		memcpy(pr->lenp, st->len, sizeof pr->lenp);
		pr->valid = 1;
		pr->count++;
	}
	if (!eflag)
		return 0;
	double sum[8] = {0};
	for (int w = 0; w < nthr; w++)
		for (int c = 0; c < 8; c++)
			sum[c] += part[8 * w + c];
	en->evdwl = sum[6];
	if (coul)
		en->ecoul = sum[7];
	for (int c = 0; c < 6; c++)
		en->virial[c] = sum[c];
	if (p->tail) {
		double vol = lx * ly * lz;
		en->evdwl += p->etail / vol;
		for (int c = 0; c < 3; c++)
			en->virial[c] += p->ptail / vol;
	}
	return 0;
}
