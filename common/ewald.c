/* ewald: plain Ewald reciprocal sum (see ewald.h). Parameter rules as
 * LAMMPS src/KSPACE/ewald.cpp (init, setup, rms); the sum itself is the
 * textbook one (Allen & Tildesley, ch. 6), each +-k pair taken once. */
#include "ewald.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "coul_long.h"

#ifdef _OPENMP
#include <omp.h>
#endif

#define PI 3.14159265358979323846
/* Largest kmax per direction: the half-space tables then hold up to
 * (2*100+1)^3/2 = 4.1e6 k-vectors (about 200 MB, and as many terms per
 * atom per step). More means an accuracy no Ewald run can afford (1e-300
 * asked for kmax ~ 500: tens of GB); pppm is the method for that. */
#define EWALD_KMAX 100

struct ewald {
	struct ewald_opts o;
	double natoms, q2;        /* at create: for the parameter rules */
	double accuracy;          /* absolute */
	double g;
	int kx, ky, kz, kmax;     /* per direction, and max */
	double len[3], volume, unitk[3], gsqmx;
	size_t kcount;
	int *kv;                  /* [3*kcount] integer vectors, half space */
	double *ug;               /* [kcount] (4 pi/V) exp(-k^2/4g^2)/k^2 */
	double *sre, *sim;        /* [kcount] structure factor */
	/* per-atom phase tables exp(i m unitk_d x_d), m = 0..kmax */
	size_t ncap;
	double *cs, *sn;          /* [3][kmax+1][n] */
	int kmax_alloc;
	double qsum, qsqsum;
};

static double rms(const struct ewald *ew, int km, double prd)
{
	double natoms = ew->natoms > 0 ? ew->natoms : 1;
	return 2.0 * ew->q2 * ew->g / prd * sqrt(1.0 / (PI * km * natoms)) *
	       exp(-PI * PI * km * km / (ew->g * ew->g * prd * prd));
}

int ewald_setup(struct ewald *ew, const double len[3], struct err *e)
{
	for (int d = 0; d < 3; d++)
		if (!(len[d] > 0) || !isfinite(len[d]))
			return err_set(e, "ewald: bad box length %g", len[d]);
	memcpy(ew->len, len, sizeof ew->len);
	ew->volume = len[0] * len[1] * len[2];
	for (int d = 0; d < 3; d++)
		ew->unitk[d] = 2.0 * PI / len[d];
	if (ew->o.kmax[0] > 0) {
		ew->kx = ew->o.kmax[0];
		ew->ky = ew->o.kmax[1];
		ew->kz = ew->o.kmax[2];
		for (int d = 0; d < 3; d++)
			if (ew->o.kmax[d] > EWALD_KMAX)
				return err_set(e, "ewald: kmax %d along %c is "
					       "above %d", ew->o.kmax[d],
					       "xyz"[d], EWALD_KMAX);
	} else {
		int *km[3] = { &ew->kx, &ew->ky, &ew->kz };
		for (int d = 0; d < 3; d++) {
			int k = 1;
			while (rms(ew, k, len[d]) > ew->accuracy) {
				if (++k > EWALD_KMAX)
					return err_set(e, "ewald: accuracy %g "
						       "needs kmax above %d "
						       "along %c (over %d "
						       "k-vectors): too many; "
						       "ask for a coarser "
						       "accuracy or use pppm",
						       ew->o.accuracy,
						       EWALD_KMAX, "xyz"[d],
						       (2 * EWALD_KMAX + 1) *
						       (2 * EWALD_KMAX + 1) *
						       (2 * EWALD_KMAX + 1) / 2);
			}
			*km[d] = k;
		}
	}
	ew->kmax = ew->kx;
	if (ew->ky > ew->kmax) ew->kmax = ew->ky;
	if (ew->kz > ew->kmax) ew->kmax = ew->kz;
	double gx = ew->unitk[0] * ew->unitk[0] * ew->kx * ew->kx;
	double gy = ew->unitk[1] * ew->unitk[1] * ew->ky * ew->ky;
	double gz = ew->unitk[2] * ew->unitk[2] * ew->kz * ew->kz;
	ew->gsqmx = gx > gy ? gx : gy;
	if (gz > ew->gsqmx)
		ew->gsqmx = gz;
	ew->gsqmx *= 1.00001;

	/* the half space: a > 0, or a = 0 and b > 0, or a = b = 0 and c > 0 */
	int K = ew->kmax;
	size_t cap = (size_t)(2 * K + 1) * (2 * K + 1) * (2 * K + 1) / 2 + 1;
	free(ew->kv);
	free(ew->ug);
	free(ew->sre);
	free(ew->sim);
	ew->kv = malloc(3 * cap * sizeof *ew->kv);
	ew->ug = malloc(cap * sizeof *ew->ug);
	ew->sre = malloc(cap * sizeof *ew->sre);
	ew->sim = malloc(cap * sizeof *ew->sim);
	if (!ew->kv || !ew->ug || !ew->sre || !ew->sim)
		return err_set(e, "ewald: out of memory (%zu k-vectors)", cap);
	double preu = 4.0 * PI / ew->volume, ginv2 = 1.0 / (ew->g * ew->g);
	size_t nk = 0;
	for (int a = 0; a <= K; a++)
		for (int b = -K; b <= K; b++)
			for (int c = -K; c <= K; c++) {
				if (a == 0 && (b < 0 || (b == 0 && c <= 0)))
					continue;
				/* LAMMPS Ewald::coeffs: vectors along an axis up
				 * to kmax, the others within kxmax, kymax, kzmax */
				if ((a != 0) + (b != 0) + (c != 0) > 1 &&
				    (a > ew->kx || abs(b) > ew->ky || abs(c) > ew->kz))
					continue;
				double kx = ew->unitk[0] * a, ky = ew->unitk[1] * b,
				       kz = ew->unitk[2] * c;
				double sqk = kx * kx + ky * ky + kz * kz;
				if (sqk > ew->gsqmx)
					continue;
				ew->kv[3 * nk] = a;
				ew->kv[3 * nk + 1] = b;
				ew->kv[3 * nk + 2] = c;
				ew->ug[nk] = preu * exp(-0.25 * sqk * ginv2) / sqk;
				nk++;
			}
	ew->kcount = nk;
	return 0;
}

int ewald_create(struct ewald **ewp, const struct ewald_opts *o,
		 const double len[3], const double *q, size_t n,
		 struct err *e)
{
	struct ewald *ew;
	*ewp = NULL;
	if (!(o->qqr2e > 0))
		return err_set(e, "ewald: qqr2e must be positive");
	if ((o->g_ewald <= 0 || o->kmax[0] <= 0) && !(o->accuracy > 0))
		return err_set(e, "ewald: accuracy must be > 0 (got %g)",
			       o->accuracy);
	if (o->g_ewald <= 0 && !(o->cutoff > 0))
		return err_set(e, "ewald: the Coulomb cut-off must be > 0");
	for (int d = 0; d < 3; d++)
		if (o->kmax[d] < 0 || (o->kmax[0] > 0) != (o->kmax[d] > 0))
			return err_set(e, "ewald: kmax must be given for all "
				       "three directions or none");
	ew = calloc(1, sizeof *ew);
	if (!ew)
		return err_set(e, "ewald: out of memory");
	ew->o = *o;
	coul_long_qsums(q, n, &ew->qsum, &ew->qsqsum);
	ew->natoms = (double)n;
	ew->q2 = ew->qsqsum * o->qqr2e;
	ew->accuracy = o->accuracy * o->qqr2e;
	if (o->g_ewald > 0) {
		ew->g = o->g_ewald;
	} else {
		if (ew->q2 == 0.0) {
			ewald_free(ew);
			return err_set(e, "ewald: system without charge: give "
				       "g_ewald (kspace_modify gewald)");
		}
		ew->g = coul_long_gewald_estimate(ew->accuracy, o->cutoff,
						  ew->natoms, ew->q2, len);
	}
	if (ewald_setup(ew, len, e)) {
		ewald_free(ew);
		return -1;
	}
	*ewp = ew;
	return 0;
}

void ewald_free(struct ewald *ew)
{
	if (!ew)
		return;
	free(ew->kv);
	free(ew->ug);
	free(ew->sre);
	free(ew->sim);
	free(ew->cs);
	free(ew->sn);
	free(ew);
}

void ewald_get_info(const struct ewald *ew, struct ewald_info *in)
{
	memset(in, 0, sizeof *in);
	in->g_ewald = ew->g;
	in->kmax[0] = ew->kx;
	in->kmax[1] = ew->ky;
	in->kmax[2] = ew->kz;
	in->kmax_all = ew->kmax;
	in->kcount = ew->kcount;
	/* LAMMPS Ewald::init "final RMS accuracy" */
	double lx = rms(ew, ew->kx, ew->len[0]), ly = rms(ew, ew->ky, ew->len[1]),
	       lz = rms(ew, ew->kz, ew->len[2]);
	double lpr = sqrt(lx * lx + ly * ly + lz * lz) / sqrt(3.0);
	double spr = ew->o.cutoff > 0 ?
		coul_long_rspace_error(ew->g, ew->o.cutoff, ew->natoms, ew->q2, ew->len) : 0;
	in->accuracy_abs = sqrt(lpr * lpr + spr * spr);
	in->accuracy_rel = in->accuracy_abs / ew->o.qqr2e;
	in->qsum = ew->qsum;
	in->qsqsum = ew->qsqsum;
	in->nonneutral = fabs(ew->qsum) > COUL_NONNEUTRAL_SMALL;
}

int ewald_compute(struct ewald *ew, const struct state *st, const double *q,
		  double *elong, double virial[6], double *fx, double *fy,
		  double *fz, struct err *e)
{
	const size_t n = st->n, K = (size_t)ew->kmax, nk = ew->kcount;
	const double *x[3] = { st->x, st->y, st->z };

	for (int d = 0; d < 3; d++)
		if (st->len[d] != ew->len[d])
			return err_set(e, "ewald: the box changed since the last "
				       "setup (%c: %.17g, was %.17g)", "xyz"[d],
				       st->len[d], ew->len[d]);
	if (n > ew->ncap || ew->kmax > ew->kmax_alloc) {
		free(ew->cs);
		free(ew->sn);
		ew->cs = malloc(3 * (K + 1) * n * sizeof(double) + 1);
		ew->sn = malloc(3 * (K + 1) * n * sizeof(double) + 1);
		if (!ew->cs || !ew->sn) {
			ew->ncap = 0;
			return err_set(e, "ewald: out of memory (%zu atoms, kmax %zu)",
				       n, K);
		}
		ew->ncap = n;
		ew->kmax_alloc = ew->kmax;
	}
	coul_long_qsums(q, n, &ew->qsum, &ew->qsqsum);
	double *cs = ew->cs, *sn = ew->sn;
#define CS(d, m, i) cs[((size_t)(d) * (K + 1) + (m)) * n + (i)]
#define SN(d, m, i) sn[((size_t)(d) * (K + 1) + (m)) * n + (i)]

	/* phase tables by the angle-addition recurrence (as LAMMPS) */
#pragma omp parallel for schedule(static)
	for (size_t i = 0; i < n; i++)
		for (int d = 0; d < 3; d++) {
			double ph = ew->unitk[d] * (x[d][i] - st->lo[d]);
			double c1 = cos(ph), s1 = sin(ph);
			CS(d, 0, i) = 1.0;
			SN(d, 0, i) = 0.0;
			for (size_t m = 1; m <= K; m++) {
				CS(d, m, i) = CS(d, m - 1, i) * c1 - SN(d, m - 1, i) * s1;
				SN(d, m, i) = SN(d, m - 1, i) * c1 + CS(d, m - 1, i) * s1;
			}
		}

/* exp(i k.r_i) for vector kk = (a,b,c), negative components by conjugation */
#define PHASE(kk, i, re, im)                                                \
	do {                                                                \
		int a_ = (kk)[0], b_ = (kk)[1], c_ = (kk)[2];               \
		double cx_ = CS(0, a_, i), sx_ = SN(0, a_, i);              \
		double cy_ = CS(1, abs(b_), i), sy_ = b_ < 0 ? -SN(1, -b_, i) : SN(1, b_, i); \
		double cz_ = CS(2, abs(c_), i), sz_ = c_ < 0 ? -SN(2, -c_, i) : SN(2, c_, i); \
		double cyz_ = cy_ * cz_ - sy_ * sz_, syz_ = sy_ * cz_ + cy_ * sz_; \
		re = cx_ * cyz_ - sx_ * syz_;                               \
		im = sx_ * cyz_ + cx_ * syz_;                               \
	} while (0)

	/* structure factors */
#pragma omp parallel for schedule(dynamic, 16)
	for (size_t k = 0; k < nk; k++) {
		const int *kk = ew->kv + 3 * k;
		double sr = 0, si = 0;
		for (size_t i = 0; i < n; i++) {
			double re, im;
			if (q[i] == 0.0)
				continue;
			PHASE(kk, i, re, im);
			sr += q[i] * re;
			si += q[i] * im;
		}
		ew->sre[k] = sr;
		ew->sim[k] = si;
	}

	/* forces: F_i = qqrd2e q_i sum_k 2 ug k Im(exp(i k.r_i) conj S(k)) */
	const double qqrd2e = ew->o.qqr2e;
#pragma omp parallel for schedule(dynamic, 16)
	for (size_t i = 0; i < n; i++) {
		double ex = 0, ey = 0, ez = 0;
		if (q[i] == 0.0)
			continue;
		for (size_t k = 0; k < nk; k++) {
			const int *kk = ew->kv + 3 * k;
			double re, im;
			PHASE(kk, i, re, im);
			double part = 2.0 * ew->ug[k] * (im * ew->sre[k] - re * ew->sim[k]);
			ex += part * ew->unitk[0] * kk[0];
			ey += part * ew->unitk[1] * kk[1];
			ez += part * ew->unitk[2] * kk[2];
		}
		fx[i] += qqrd2e * q[i] * ex;
		fy[i] += qqrd2e * q[i] * ey;
		fz[i] += qqrd2e * q[i] * ez;
	}
#undef PHASE
#undef CS
#undef SN

	/* energy and virial: W_ab = sum_k E_k (delta_ab - 2 k_a k_b (1/k^2 + 1/4g^2)) */
	double en = 0, v[6] = { 0 };
	const double ginv2 = 1.0 / (ew->g * ew->g);
	for (size_t k = 0; k < nk; k++) {
		const int *kk = ew->kv + 3 * k;
		double kx = ew->unitk[0] * kk[0], ky = ew->unitk[1] * kk[1],
		       kz = ew->unitk[2] * kk[2];
		double sqk = kx * kx + ky * ky + kz * kz;
		double uk = ew->ug[k] * (ew->sre[k] * ew->sre[k] + ew->sim[k] * ew->sim[k]);
		double vterm = -2.0 * (1.0 / sqk + 0.25 * ginv2);
		en += uk;
		v[0] += uk * (1.0 + vterm * kx * kx);
		v[1] += uk * (1.0 + vterm * ky * ky);
		v[2] += uk * (1.0 + vterm * kz * kz);
		v[3] += uk * vterm * kx * ky;
		v[4] += uk * vterm * kx * kz;
		v[5] += uk * vterm * ky * kz;
	}
	if (elong)
		*elong += qqrd2e * en +
			  coul_long_self_energy(ew->g, ew->qsum, ew->qsqsum,
						ew->volume, qqrd2e);
	if (virial)
		for (int c = 0; c < 6; c++)
			virial[c] += qqrd2e * v[c];
	return 0;
}
