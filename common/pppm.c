/* pppm: PPPM with ik differentiation (see pppm.h). Parameter rules follow
 * LAMMPS src/KSPACE/pppm.cpp (set_grid_global, estimate_ik_error,
 * adjust_gewald, compute_gf_ik); the charge assignment function is the
 * cardinal B-spline of order P (Hockney & Eastwood's charge assignment
 * function; Essmann et al., J. Chem. Phys. 103, 8577 (1995), eq. 4.1),
 * evaluated by its recurrence.
 *
 * Grids are [z][y][x] with x fastest; the real-to-complex transform halves
 * x (nx/2+1 complex values). A grid point m sits at lo + m h. */
#include "pppm.h"

#include "omp_util.h"

#include <fftw3.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "coul_long.h"

#ifdef _OPENMP
#include <omp.h>
#endif

#define PI 3.14159265358979323846
#define PPPM_GRID_MAX 16384  /* LAMMPS OFFSET: grids of this size refused */
#define EPS_HOC 1.0e-7        /* alias-sum truncation of the influence fn */
#define NEWTON_SMALL 1.0e-5   /* LAMMPS adjust_gewald: |f| in force units */
#define NEWTON_MAXIT 10000
#define NEWTON_H 1.0e-6       /* forward-difference step of f'(g) */
#define LMP_4PI 12.5663706    /* the constant LAMMPS's compute_gf_ik uses */
#define ACC_STRIDE 8          /* doubles per thread: one cache line */

struct pppm {
	struct pppm_opts o;
	int P, nlower;            /* order; first stencil offset -(P-1)/2 */
	int n[3], nxh;            /* grid; nx/2+1 */
	size_t ngrid, nkgrid;     /* nx ny nz; nz ny nxh */
	double natoms, q2;        /* at create, for the error estimates */
	double accuracy;          /* absolute */
	double g;
	double len[3], volume, delinv[3], delvolinv;
	double qsum, qsqsum;
	double gfb[PPPM_MAXORDER];   /* D_P(s) = sum_l gfb[l] s^l */
	double *G;                /* [nkgrid] influence function */
	double *fk[3];            /* [n_d] k component of each index */
	double *rho;              /* [ngrid] charge density (fftw_malloc) */
	fftw_complex *rhok;       /* [nkgrid] */
	fftw_complex *ek[3];      /* [nkgrid] field in k-space, per direction */
	double *ef[3];            /* [ngrid] field on the grid */
	fftw_plan fwd, bwd;
	double *tgrid;            /* [(nthr-1)*ngrid] per-thread density */
	double *acc;              /* [nthr*ACC_STRIDE] per-thread sums */
	int ntgrid;
	size_t acap;              /* per-atom stencil: wrapped grid indices */
	int *gidx;                /* [n*3*P] */
	double *wt;               /* [n*3*P] B-spline weights */
};

/* Deserno & Holm, J. Chem. Phys. 109, 7694 (1998), Table I: coefficients
 * a_m^(P) of the ik-differentiated P3M RMS force error (LAMMPS acons). */
static const double acons[PPPM_MAXORDER + 1][PPPM_MAXORDER] = {
	{ 0 },
	{ 2.0 / 3.0 },
	{ 1.0 / 50.0, 5.0 / 294.0 },
	{ 1.0 / 588.0, 7.0 / 1440.0, 21.0 / 3872.0 },
	{ 1.0 / 4320.0, 3.0 / 1936.0, 7601.0 / 2271360.0, 143.0 / 28800.0 },
	{ 1.0 / 23232.0, 7601.0 / 13628160.0, 143.0 / 69120.0,
	  517231.0 / 106536960.0, 106640677.0 / 11737571328.0 },
	{ 691.0 / 68140800.0, 13.0 / 57600.0, 47021.0 / 35512320.0,
	  9694607.0 / 2095994880.0, 733191589.0 / 59609088000.0,
	  326190917.0 / 11700633600.0 },
	{ 1.0 / 345600.0, 3617.0 / 35512320.0, 745739.0 / 838397952.0,
	  56399353.0 / 12773376000.0, 25091609.0 / 1560084480.0,
	  1755948832039.0 / 36229939200000.0, 4887769399.0 / 37838389248.0 },
};


/* ---- parameter rules ---- */

/* RMS force error of the ik scheme along one direction of length prd with
 * spacing h (Deserno & Holm; LAMMPS estimate_ik_error). */
static double ik_error(const struct pppm *p, double h, double prd)
{
	double sum = 0.0, hg = h * p->g;
	for (int m = 0; m < p->P; m++)
		sum += acons[p->P][m] * pow(hg, 2.0 * m);
	return p->q2 * pow(hg, (double)p->P) *
	       sqrt(p->g * prd * sqrt(2.0 * PI) * sum / p->natoms) / (prd * prd);
}

static double kspace_error(const struct pppm *p)
{
	double ex = ik_error(p, p->len[0] / p->n[0], p->len[0]);
	double ey = ik_error(p, p->len[1] / p->n[1], p->len[1]);
	double ez = ik_error(p, p->len[2] / p->n[2], p->len[2]);
	return sqrt(ex * ex + ey * ey + ez * ez) / sqrt(3.0);
}

static double rspace_error(const struct pppm *p)
{
	return coul_long_rspace_error(p->g, p->o.cutoff, p->natoms, p->q2,
				      p->len);
}

static int factorable(int n)
{
	static const int f[3] = { 2, 3, 5 };
	while (n > 1) {
		int i;
		for (i = 0; i < 3; i++)
			if (n % f[i] == 0) {
				n /= f[i];
				break;
			}
		if (i == 3)
			return 0;
	}
	return 1;
}

/* LAMMPS set_grid_global for ik: the error is evaluated at the previous
 * spacing (the first time at h = 1/g, not L/n), so n ends one past the
 * first size that meets the accuracy. */
static int choose_grid(struct pppm *p, struct err *e)
{
	for (int d = 0; d < 3; d++) {
		double L = p->len[d], h = 1.0 / p->g;
		int nd = (int)(L / h) + 1;
		double err = ik_error(p, h, L);
		while (err > p->accuracy) {
			err = ik_error(p, h, L);
			nd++;
			h = L / nd;
			if (nd >= PPPM_GRID_MAX)
				return err_set(e, "pppm: grid too large (accuracy "
					       "%g needs >= %d points along %c)",
					       p->o.accuracy, nd, "xyz"[d]);
		}
		p->n[d] = nd;
	}
	return 0;
}

/* Newton-Raphson on f(g) = real-space error - k-space error, with LAMMPS's
 * forward-difference derivative and stopping rule (adjust_gewald). */
static double newton_f(struct pppm *p)
{
	return rspace_error(p) - kspace_error(p);
}

static int adjust_gewald(struct pppm *p, struct err *e)
{
	for (int it = 0; it < NEWTON_MAXIT; it++) {
		double f1 = newton_f(p), g0 = p->g;
		p->g = g0 + NEWTON_H;
		double f2 = newton_f(p);
		p->g = g0;
		double df = (f2 - f1) / NEWTON_H;
		p->g -= f1 / df;
		if (!isfinite(p->g) || p->g <= 0)
			break;
		if (fabs(newton_f(p)) < NEWTON_SMALL)
			return 0;
	}
	return err_set(e, "pppm: could not compute g_ewald (Newton iteration "
		       "did not converge)");
}

/* ---- influence function ---- */

/* Coefficients gfb[0..P-1] of D_P(s) = sum_n sinc^{2P}(x + pi n) as a
 * polynomial in s = sin^2 x (the alias sum of the squared assignment
 * function in the optimal influence function; LAMMPS gf_denom). From
 * sum_n 1/(x + pi n) = cot x: D_P = -sin^{2P}x cot^{(2P-1)}(x) / (2P-1)!.
 * The derivatives of cot are polynomials in c = cot x (d/dx p(c) =
 * -p'(c)(1 + c^2)); after an odd number only even powers c^{2i} remain and
 * sin^{2P}x c^{2i} = (1 - s)^i s^{P-i}. All integers stay exact. */
static void denom_coeffs(int P, double *b)
{
	double c[2 * PPPM_MAXORDER + 2] = { 0 }, t[2 * PPPM_MAXORDER + 2];
	double poly[PPPM_MAXORDER + 1] = { 0 }, fact = 1;
	int deg = 1;
	c[1] = 1.0; /* cot x */
	for (int d = 0; d < 2 * P - 1; d++) {
		memset(t, 0, sizeof t);
		for (int k = 1; k <= deg; k++) {
			double dk = k * c[k];
			t[k - 1] -= dk;
			t[k + 1] -= dk;
		}
		memcpy(c, t, sizeof c);
		deg++;
	}
	for (int i = 0; i <= P; i++) {
		double binom = 1;
		for (int j = 0; j <= i; j++) {
			poly[P - i + j] += c[2 * i] * binom * ((j & 1) ? -1 : 1);
			binom = binom * (i - j) / (j + 1);
		}
	}
	for (int k = 2; k <= 2 * P - 1; k++)
		fact *= k;
	for (int l = 0; l < P; l++)
		b[l] = -poly[l] / fact;
}

static double denom_poly(const struct pppm *p, double s)
{
	double v = 0;
	for (int l = p->P - 1; l >= 0; l--)
		v = p->gfb[l] + v * s;
	return v;
}

/* (sin x / x)^k */
static double powsinxx(double x, int k)
{
	if (x == 0.0)
		return 1.0;
	return pow(sin(x) / x, k);
}

/* Index -> signed wave number (LAMMPS: i - n*(2i/n)). */
static int kper(int i, int n)
{
	return i - n * (2 * i / n);
}

/* Hockney-Eastwood optimal influence function for ik differentiation:
 *   G(k) = 4pi/k^2 sum_m (k.k_m/k_m^2) exp(-k_m^2/4g^2) U^2(k_m)
 *          / (sum_m U^2(k_m))^2,   k_m = k + 2 pi m n / L,
 * U = prod_d sinc^P(k_m,d h_d/2), the numerator's alias sum truncated at
 * |m_d| <= int(g L_d/(pi n_d) (-ln EPS_HOC)^(1/4)) as LAMMPS, the
 * denominator summed exactly (D_P). */
static int influence(struct pppm *p, struct err *e)
{
	const int P = p->P, twoP = 2 * P;
	int nb[3];
	double unitk[3], *al[3] = { NULL, NULL, NULL };
	double *Dd[3] = { NULL, NULL, NULL };
	int rc = 0;
	for (int d = 0; d < 3; d++) {
		unitk[d] = 2.0 * PI / p->len[d];
		nb[d] = (int)((p->g * p->len[d] / (PI * p->n[d])) *
			      pow(-log(EPS_HOC), 0.25));
		int na = 2 * nb[d] + 1, nd = p->n[d];
		/* per index: alias (q, exp(-q^2/4g^2) sinc^{2P}) pairs */
		al[d] = malloc((size_t)nd * na * 2 * sizeof(double));
		Dd[d] = malloc((size_t)nd * sizeof(double));
		if (!al[d] || !Dd[d]) {
			rc = err_set(e, "pppm: out of memory (influence function)");
			goto out;
		}
		for (int i = 0; i < nd; i++) {
			int per = kper(i, nd);
			p->fk[d][i] = unitk[d] * per;
			double sn = sin(0.5 * unitk[d] * per * p->len[d] / nd);
			Dd[d][i] = denom_poly(p, sn * sn);
			for (int a = -nb[d]; a <= nb[d]; a++) {
				double qv = unitk[d] * (per + nd * a);
				double s = exp(-0.25 * (qv / p->g) * (qv / p->g));
				double w = powsinxx(0.5 * qv * p->len[d] / nd, twoP);
				double *slot = al[d] + ((size_t)i * na + (a + nb[d])) * 2;
				slot[0] = qv;
				slot[1] = s * w;
			}
		}
	}
	{
		const int ny = p->n[1], nz = p->n[2], nxh = p->nxh;
		const int nax = 2 * nb[0] + 1, nay = 2 * nb[1] + 1, naz = 2 * nb[2] + 1;
		const double num4pi = p->o.exact_4pi ? 4.0 * PI : LMP_4PI;
#pragma omp parallel for schedule(static)
		for (int m = 0; m < nz; m++)
			for (int l = 0; l < ny; l++)
				for (int k = 0; k < nxh; k++) {
					size_t idx = ((size_t)m * ny + l) * nxh + k;
					double kx = p->fk[0][k], ky = p->fk[1][l],
					       kz = p->fk[2][m];
					double sqk = kx * kx + ky * ky + kz * kz;
					if (sqk == 0.0) {
						p->G[idx] = 0.0;
						continue;
					}
					double den = Dd[0][k] * Dd[1][l] * Dd[2][m];
					den *= den;
					double sum = 0.0;
					const double *ax = al[0] + (size_t)k * nax * 2;
					const double *ay = al[1] + (size_t)l * nay * 2;
					const double *az = al[2] + (size_t)m * naz * 2;
					for (int ix = 0; ix < nax; ix++) {
						double qx = ax[2 * ix], fx = ax[2 * ix + 1];
						for (int iy = 0; iy < nay; iy++) {
							double qy = ay[2 * iy], fxy = fx * ay[2 * iy + 1];
							for (int iz = 0; iz < naz; iz++) {
								double qz = az[2 * iz];
								double dot1 = kx * qx + ky * qy + kz * qz;
								double dot2 = qx * qx + qy * qy + qz * qz;
								sum += dot1 / dot2 * fxy * az[2 * iz + 1];
							}
						}
					}
					p->G[idx] = num4pi / sqk * sum / den;
				}
	}
out:
	for (int d = 0; d < 3; d++) {
		free(al[d]);
		free(Dd[d]);
	}
	return rc;
}

int pppm_setup(struct pppm *p, const double len[3], struct err *e)
{
	for (int d = 0; d < 3; d++)
		if (!(len[d] > 0) || !isfinite(len[d]))
			return err_set(e, "pppm: bad box length %g", len[d]);
	memcpy(p->len, len, sizeof p->len);
	p->volume = len[0] * len[1] * len[2];
	for (int d = 0; d < 3; d++)
		p->delinv[d] = p->n[d] / len[d];
	p->delvolinv = p->delinv[0] * p->delinv[1] * p->delinv[2];
	return influence(p, e);
}

/* ---- create / free ---- */

void pppm_free(struct pppm *p)
{
	if (!p)
		return;
	if (p->fwd)
		fftw_destroy_plan(p->fwd);
	if (p->bwd)
		fftw_destroy_plan(p->bwd);
	fftw_free(p->rho);
	fftw_free(p->rhok);
	for (int d = 0; d < 3; d++) {
		fftw_free(p->ek[d]);
		fftw_free(p->ef[d]);
		free(p->fk[d]);
	}
	free(p->G);
	free(p->tgrid);
	free(p->acc);
	free(p->gidx);
	free(p->wt);
	free(p);
}

struct pppm *pppm_create(const struct pppm_opts *o, const double len[3],
			 const double *q, size_t n, struct err *e)
{
	struct pppm *p;
	int given_grid = o->grid[0] > 0 || o->grid[1] > 0 || o->grid[2] > 0;
	if (!(o->qqr2e > 0)) {
		err_set(e, "pppm: qqr2e must be positive");
		return NULL;
	}
	if ((o->g_ewald <= 0 || !given_grid) && !(o->accuracy > 0)) {
		err_set(e, "pppm: accuracy must be > 0 (got %g)", o->accuracy);
		return NULL;
	}
	if (!(o->cutoff > 0)) {
		err_set(e, "pppm: the Coulomb cut-off must be > 0");
		return NULL;
	}
	if (o->order != 0 && (o->order < 2 || o->order > PPPM_MAXORDER)) {
		err_set(e, "pppm: order must be 2..%d (got %d)", PPPM_MAXORDER,
			o->order);
		return NULL;
	}
	for (int d = 0; d < 3; d++)
		if (given_grid && (o->grid[d] < 1 || o->grid[d] >= PPPM_GRID_MAX)) {
			err_set(e, "pppm: grid must be 1..%d points in every "
				"direction (got %d %d %d)", PPPM_GRID_MAX - 1,
				o->grid[0], o->grid[1], o->grid[2]);
			return NULL;
		}
	for (int d = 0; d < 3; d++)
		if (!(len[d] > 0) || !isfinite(len[d])) {
			err_set(e, "pppm: bad box length %g", len[d]);
			return NULL;
		}
	if (n == 0) {
		err_set(e, "pppm: no atoms");
		return NULL;
	}
	p = calloc(1, sizeof *p);
	if (!p) {
		err_set(e, "pppm: out of memory");
		return NULL;
	}
	p->o = *o;
	p->P = o->order ? o->order : 5;
	p->nlower = -(p->P - 1) / 2;
	coul_long_qsums(q, n, &p->qsum, &p->qsqsum);
	p->natoms = (double)n;
	p->q2 = p->qsqsum * o->qqr2e;
	p->accuracy = o->accuracy * o->qqr2e;
	memcpy(p->len, len, sizeof p->len);
	denom_coeffs(p->P, p->gfb);

	if (o->g_ewald > 0) {
		p->g = o->g_ewald;
	} else {
		if (p->q2 == 0.0) {
			err_set(e, "pppm: system without charge: give g_ewald "
				"(kspace_modify gewald)");
			goto fail;
		}
		p->g = coul_long_gewald_estimate(p->accuracy, o->cutoff,
						 p->natoms, p->q2, len);
	}
	if (given_grid) {
		memcpy(p->n, o->grid, sizeof p->n);
	} else if (choose_grid(p, e)) {
		goto fail;
	}
	for (int d = 0; d < 3; d++)
		while (!factorable(p->n[d]))
			p->n[d]++;
	for (int d = 0; d < 3; d++)
		if (p->n[d] >= PPPM_GRID_MAX) {
			err_set(e, "pppm: grid too large (%d along %c)", p->n[d],
				"xyz"[d]);
			goto fail;
		}
	if (o->g_ewald <= 0 && adjust_gewald(p, e))
		goto fail;

	p->nxh = p->n[0] / 2 + 1;
	p->ngrid = (size_t)p->n[0] * p->n[1] * p->n[2];
	p->nkgrid = (size_t)p->nxh * p->n[1] * p->n[2];
	p->G = malloc(p->nkgrid * sizeof *p->G);
	p->rho = fftw_malloc(p->ngrid * sizeof(double));
	p->rhok = fftw_malloc(p->nkgrid * sizeof(fftw_complex));
	for (int d = 0; d < 3; d++) {
		p->fk[d] = malloc((size_t)p->n[d] * sizeof(double));
		p->ek[d] = fftw_malloc(p->nkgrid * sizeof(fftw_complex));
		p->ef[d] = fftw_malloc(p->ngrid * sizeof(double));
		if (!p->fk[d] || !p->ek[d] || !p->ef[d]) {
			err_set(e, "pppm: out of memory (grid %d %d %d)", p->n[0],
				p->n[1], p->n[2]);
			goto fail;
		}
	}
	if (!p->G || !p->rho || !p->rhok) {
		err_set(e, "pppm: out of memory (grid %d %d %d)", p->n[0],
			p->n[1], p->n[2]);
		goto fail;
	}
	{
		unsigned flags = o->fftw_measure ? FFTW_MEASURE : FFTW_ESTIMATE;
		p->fwd = fftw_plan_dft_r2c_3d(p->n[2], p->n[1], p->n[0], p->rho,
					      p->rhok, flags);
		p->bwd = fftw_plan_dft_c2r_3d(p->n[2], p->n[1], p->n[0], p->ek[0],
					      p->ef[0], flags);
		if (!p->fwd || !p->bwd) {
			err_set(e, "pppm: FFTW could not plan a %d x %d x %d "
				"transform", p->n[0], p->n[1], p->n[2]);
			goto fail;
		}
	}
	if (pppm_setup(p, len, e))
		goto fail;
	return p;
fail:
	pppm_free(p);
	return NULL;
}

void pppm_get_info(const struct pppm *p, struct pppm_info *in)
{
	memset(in, 0, sizeof *in);
	in->g_ewald = p->g;
	memcpy(in->grid, p->n, sizeof in->grid);
	in->order = p->P;
	/* LAMMPS final_accuracy without the table term (pair_modify table 0) */
	double dk = kspace_error(p), dr = rspace_error(p);
	in->accuracy_abs = sqrt(dk * dk + dr * dr);
	in->accuracy_rel = in->accuracy_abs / p->o.qqr2e;
	in->qsum = p->qsum;
	in->qsqsum = p->qsqsum;
	in->nonneutral = fabs(p->qsum) > COUL_NONNEUTRAL_SMALL;
}

/* ---- compute ---- */

#if defined(__AVX512F__) && PPPM_MAXORDER <= 8
/* Spreading and interpolation take one masked vector per stencil row
 * where the row does not wrap around the grid (PPPM was 18% of a water
 * step, mostly these two loops' scalar index arithmetic). */
#include <immintrin.h>
#define PPPM_AVX512 1
#endif

/* Weights M_P(w + j), j = 0..P-1, of the cardinal B-spline of order P
 * (support [0, P]) for w in [0, 1], by M_k(x) = [x M_{k-1}(x) +
 * (k - x) M_{k-1}(x - 1)] / (k - 1), M_1 = 1 on [0, 1). Inlined with a
 * constant P (bspline_p) so that the loops unroll. */
static inline __attribute__((always_inline)) void
bspline_k(const int P, double w, double *out)
{
	static const double inv[PPPM_MAXORDER + 1] = {
		0, 0, 1.0, 1.0 / 2, 1.0 / 3, 1.0 / 4, 1.0 / 5, 1.0 / 6 };
	out[0] = 1.0;
	for (int k = 2; k <= P; k++) {
		out[k - 1] = 0.0;
		for (int j = k - 1; j >= 0; j--) {
			double left = j >= 1 ? out[j - 1] : 0.0;
			out[j] = ((w + j) * out[j] + (k - w - j) * left) * inv[k];
		}
	}
}

static void bspline_p(int P, double w, double *out)
{
	switch (P) {
	case 2: bspline_k(2, w, out); break;
	case 3: bspline_k(3, w, out); break;
	case 4: bspline_k(4, w, out); break;
	case 5: bspline_k(5, w, out); break;
	case 6: bspline_k(6, w, out); break;
	default: bspline_k(7, w, out); break;
	}
}

static int ensure_atoms(struct pppm *p, size_t n, struct err *e)
{
	if (n <= p->acap)
		return 0;
	free(p->gidx);
	free(p->wt);
	p->gidx = malloc(n * 3 * p->P * sizeof *p->gidx);
	p->wt = malloc(n * 3 * p->P * sizeof *p->wt);
	if (!p->gidx || !p->wt) {
		p->acap = 0;
		return err_set(e, "pppm: out of memory (%zu atoms)", n);
	}
	p->acap = n;
	return 0;
}

static int ensure_tgrid(struct pppm *p, int nthr, struct err *e)
{
	if (p->acc && nthr - 1 <= p->ntgrid)
		return 0;
	free(p->tgrid);
	free(p->acc);
	p->tgrid = malloc((size_t)(nthr - 1) * p->ngrid * sizeof(double) + 1);
	p->acc = malloc((size_t)nthr * ACC_STRIDE * sizeof(double));
	p->ntgrid = p->tgrid && p->acc ? nthr - 1 : -1;
	if (p->ntgrid < 0)
		return err_set(e, "pppm: out of memory (thread grids)");
	return 0;
}

int pppm_compute(struct pppm *p, const struct state *st, const double *q,
		 double *elong, double virial[6], double *fx, double *fy,
		 double *fz, struct err *e)
{
	const size_t n = st->n, ngrid = p->ngrid;
	const int P = p->P, nx = p->n[0], ny = p->n[1], nz = p->n[2];
	const int nxh = p->nxh;
	const double *xyz[3] = { st->x, st->y, st->z };
	const double scaleinv = 1.0 / (double)ngrid, s2 = scaleinv * scaleinv;
	const double ginv2 = 1.0 / (p->g * p->g), qqrd2e = p->o.qqr2e;
	int nthr = omp_util_max_threads(), bad = 0;

	for (int d = 0; d < 3; d++)
		if (st->len[d] != p->len[d])
			return err_set(e, "pppm: the box changed since the last "
				       "setup (%c: %.17g, was %.17g)", "xyz"[d],
				       st->len[d], p->len[d]);
	if (ensure_atoms(p, n, e) || ensure_tgrid(p, nthr, e))
		return -1;
	coul_long_qsums(q, n, &p->qsum, &p->qsqsum);
	memset(p->acc, 0, (size_t)nthr * ACC_STRIDE * sizeof *p->acc);

	/* One parallel region (fewer fork/joins; barriers between phases). */
#pragma omp parallel num_threads(nthr)
	{
	const int t = omp_util_thread_id();
#ifdef _OPENMP
	const int T = omp_get_num_threads();
#else
	const int T = 1;
#endif

	/* 1. stencil of every atom: first grid point g0 = nearest (odd P) or
	 *    lower (even P) point + nlower, as LAMMPS particle_map; the
	 *    distance of point g0 + j from the atom is g0 + j - X grid units,
	 *    its weight M_P(g0 + j - X + P/2) (the centred B-spline). */
#pragma omp for schedule(static) reduction(| : bad)
	for (size_t i = 0; i < n; i++)
		for (int d = 0; d < 3; d++) {
			double X = (xyz[d][i] - st->lo[d]) * p->delinv[d];
			int N = p->n[d];
			if (!(fabs(X) < 1e9)) {
				bad = 1;
				continue;
			}
			double base = (P & 1) ? floor(X + 0.5) : floor(X);
			long g0 = (long)base + p->nlower;
			int *gi = p->gidx + (i * 3 + d) * P;
			bspline_p(P, (double)g0 - X + 0.5 * P, p->wt + (i * 3 + d) * P);
			long m = g0 % N;
			if (m < 0)
				m += N;
			for (int j = 0; j < P; j++) {
				gi[j] = (int)m;
				if (++m == N)
					m = 0;
			}
		}
	/* (implicit barrier: every thread sees the reduced flag) */
	if (!bad) {
	/* 2. spread q delvolinv W into per-thread grids, then sum them */
	double *grid = t == 0 ? p->rho : p->tgrid + (size_t)(t - 1) * ngrid;
	memset(grid, 0, ngrid * sizeof *grid);
#pragma omp for schedule(static)
	for (size_t i = 0; i < n; i++) {
		if (q[i] == 0.0)
			continue;
		const int *gx = p->gidx + i * 3 * P, *gy = gx + P, *gz = gy + P;
		const double *wx = p->wt + i * 3 * P, *wy = wx + P, *wz = wy + P;
		double z0 = p->delvolinv * q[i];
#ifdef PPPM_AVX512
		/* the stencil's x points in one row (no wrap: most atoms):
		 * one masked vector per row, the same products and sums as
		 * the scalar loop below (bitwise equal) */
		if (gx[P - 1] == gx[0] + P - 1) {
			const __mmask8 mk = (__mmask8)((1u << P) - 1u);
			const __m512d vwx = _mm512_maskz_loadu_pd(mk, wx);
			for (int a = 0; a < P; a++) {
				double y0 = z0 * wz[a];
				size_t zoff = (size_t)gz[a] * ny;
				for (int b = 0; b < P; b++) {
					double *row = grid + (zoff + gy[b]) * nx + gx[0];
					__m512d v = _mm512_maskz_loadu_pd(mk, row);
					v = _mm512_add_pd(v, _mm512_mul_pd(
						_mm512_set1_pd(y0 * wy[b]), vwx));
					_mm512_mask_storeu_pd(row, mk, v);
				}
			}
			continue;
		}
#endif
		for (int a = 0; a < P; a++) {
			double y0 = z0 * wz[a];
			size_t zoff = (size_t)gz[a] * ny;
			for (int b = 0; b < P; b++) {
				double x0 = y0 * wy[b];
				double *row = grid + (zoff + gy[b]) * nx;
				for (int c = 0; c < P; c++)
					row[gx[c]] += x0 * wx[c];
			}
		}
	}
	if (T > 1) {
#pragma omp for schedule(static)
		for (size_t k = 0; k < ngrid; k++) {
			double s = p->rho[k];
			for (int u = 1; u < T; u++)
				s += p->tgrid[(size_t)(u - 1) * ngrid + k];
			p->rho[k] = s;
		}
	}

	/* 3. forward transform; energy, virial and the field in k-space */
#pragma omp single
	fftw_execute_dft_r2c(p->fwd, p->rho, p->rhok);
	double en = 0, v0 = 0, v1 = 0, v2 = 0, v3 = 0, v4 = 0, v5 = 0;
#pragma omp for schedule(static)
	for (int m = 0; m < nz; m++) {
		double kz = p->fk[2][m];
		int nyqz = (nz % 2 == 0) && m == nz / 2;
		for (int l = 0; l < ny; l++) {
			double ky = p->fk[1][l];
			int nyqy = (ny % 2 == 0) && l == ny / 2;
			size_t row = ((size_t)m * ny + l) * nxh;
			for (int k = 0; k < nxh; k++) {
				size_t idx = row + k;
				double kx = p->fk[0][k];
				int nyqx = (nx % 2 == 0) && k == nx / 2;
				double re = p->rhok[idx][0], im = p->rhok[idx][1];
				double G = p->G[idx];
				/* x is halved: every k but 0 and nx/2 stands
				 * for itself and its mirror -k */
				double mult = (k == 0 || nyqx) ? 1.0 : 2.0;
				double eng = mult * s2 * G * (re * re + im * im);
				double sqk = kx * kx + ky * ky + kz * kz;
				if (sqk != 0.0) {
					double vterm = -2.0 * (1.0 / sqk + 0.25 * ginv2);
					/* the folded mirror -k keeps a Nyquist
					 * component's sign (LAMMPS takes k = -N/2
					 * there for both): an off-diagonal term
					 * with one Nyquist component cancels */
					double oxy = 1, oxz = 1, oyz = 1;
					if (mult == 2.0) {
						oxy = nyqy ? 0.0 : 1.0;
						oxz = nyqz ? 0.0 : 1.0;
						oyz = nyqy != nyqz ? 0.0 : 1.0;
					}
					en += eng;
					v0 += eng * (1.0 + vterm * kx * kx);
					v1 += eng * (1.0 + vterm * ky * ky);
					v2 += eng * (1.0 + vterm * kz * kz);
					v3 += oxy * eng * vterm * kx * ky;
					v4 += oxz * eng * vterm * kx * kz;
					v5 += oyz * eng * vterm * ky * kz;
				}
				/* phi(k) = G rho(k)/Ng; E(k) = -i k phi(k). A
				 * Nyquist component has no odd part: its
				 * derivative is zero (the real part of LAMMPS's
				 * complex back transform). */
				double pr = scaleinv * G * re, pi = scaleinv * G * im;
				p->ek[0][idx][0] = nyqx ? 0.0 : kx * pi;
				p->ek[0][idx][1] = nyqx ? 0.0 : -kx * pr;
				p->ek[1][idx][0] = nyqy ? 0.0 : ky * pi;
				p->ek[1][idx][1] = nyqy ? 0.0 : -ky * pr;
				p->ek[2][idx][0] = nyqz ? 0.0 : kz * pi;
				p->ek[2][idx][1] = nyqz ? 0.0 : -kz * pr;
			}
		}
	}

	{	/* partial sums combined in thread order after the region */
		double *a = p->acc + (size_t)t * ACC_STRIDE;
		a[0] = en; a[1] = v0; a[2] = v1; a[3] = v2;
		a[4] = v3; a[5] = v4; a[6] = v5;
	}

	/* 4. the three back transforms, shared among the threads */
#pragma omp for schedule(static, 1)
	for (int d = 0; d < 3; d++)
		fftw_execute_dft_c2r(p->bwd, p->ek[d], p->ef[d]);

	/* 5. interpolate the field to the charges: F = qqrd2e q E */
	const double *ex = p->ef[0], *ey = p->ef[1], *ez = p->ef[2];
#pragma omp for schedule(static)
	for (size_t i = 0; i < n; i++) {
		if (q[i] == 0.0)
			continue;
		const int *gx = p->gidx + i * 3 * P, *gy = gx + P, *gz = gy + P;
		const double *wx = p->wt + i * 3 * P, *wy = wx + P, *wz = wy + P;
		double ax = 0, ay = 0, az = 0;
#ifdef PPPM_AVX512
		if (gx[P - 1] == gx[0] + P - 1) {
			const __mmask8 mk = (__mmask8)((1u << P) - 1u);
			const __m512d vwx = _mm512_maskz_loadu_pd(mk, wx);
			__m512d vx = _mm512_setzero_pd(), vy = vx, vz = vx;
			for (int a = 0; a < P; a++) {
				size_t zoff = (size_t)gz[a] * ny;
				for (int b = 0; b < P; b++) {
					size_t row = (zoff + gy[b]) * nx + gx[0];
					__m512d w = _mm512_mul_pd(
						_mm512_set1_pd(wz[a] * wy[b]), vwx);
					vx = _mm512_fmadd_pd(w, _mm512_maskz_loadu_pd(mk, ex + row), vx);
					vy = _mm512_fmadd_pd(w, _mm512_maskz_loadu_pd(mk, ey + row), vy);
					vz = _mm512_fmadd_pd(w, _mm512_maskz_loadu_pd(mk, ez + row), vz);
				}
			}
			ax = _mm512_reduce_add_pd(vx);
			ay = _mm512_reduce_add_pd(vy);
			az = _mm512_reduce_add_pd(vz);
		} else
#endif
		for (int a = 0; a < P; a++) {
			size_t zoff = (size_t)gz[a] * ny;
			for (int b = 0; b < P; b++) {
				double wzy = wz[a] * wy[b];
				size_t row = (zoff + gy[b]) * nx;
				for (int c = 0; c < P; c++) {
					double w = wzy * wx[c];
					ax += w * ex[row + gx[c]];
					ay += w * ey[row + gx[c]];
					az += w * ez[row + gx[c]];
				}
			}
		}
		double qf = qqrd2e * q[i];
		fx[i] += qf * ax;
		fy[i] += qf * ay;
		fz[i] += qf * az;
	}
	} /* !bad */
	} /* parallel */

	if (bad)
		return err_set(e, "pppm: an atom is far outside the box (or "
			       "not finite)");
	double en = 0, v0 = 0, v1 = 0, v2 = 0, v3 = 0, v4 = 0, v5 = 0;
	for (int t = 0; t < nthr; t++) {
		const double *a = p->acc + (size_t)t * ACC_STRIDE;
		en += a[0]; v0 += a[1]; v1 += a[2]; v2 += a[3];
		v3 += a[4]; v4 += a[5]; v5 += a[6];
	}
	if (elong)
		*elong += qqrd2e * 0.5 * p->volume * en +
			  coul_long_self_energy(p->g, p->qsum, p->qsqsum,
						p->volume, qqrd2e);
	if (virial) {
		double f = 0.5 * qqrd2e * p->volume;
		virial[0] += f * v0;
		virial[1] += f * v1;
		virial[2] += f * v2;
		virial[3] += f * v3;
		virial[4] += f * v4;
		virial[5] += f * v5;
	}
	return 0;
}
