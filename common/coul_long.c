/* coul_long: real-space erfc Coulomb with a private link-cell list, the
 * special-pair corrections and the Ewald-splitting helpers (see coul_long.h).
 * Pair term as LAMMPS src/KSPACE/pair_coul_long.cpp (compute, table 0). */
#include "coul_long.h"

#include "omp_util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#ifdef _OPENMP
#include <omp.h>
#endif

/* Abramowitz & Stegun 7.1.26 (the constants LAMMPS's ewald_const.h uses)
 * and LAMMPS's truncated 2/sqrt(pi). */
#define AS_P  0.3275911
#define AS_A1 0.254829592
#define AS_A2 -0.284496736
#define AS_A3 1.421413741
#define AS_A4 -1.453152027
#define AS_A5 1.061405429
#define LMP_EWALD_F 1.12837917
#define TWO_OVER_SQRTPI 1.12837916709551257390
#define ACC_STRIDE 8  /* doubles per thread: one cache line */
#define SUB 2         /* cells per cut-off length */

struct coul_long {
	struct coul_long_opts o;
	size_t n;
	/* cell list, rebuilt every call (positions change every step) */
	size_t ncell_cap;
	size_t *cstart;          /* [ncells+1] first sorted slot of each cell */
	size_t *cnext;           /* [ncells+1] fill pointers of the sort */
	size_t *order;           /* [n] sorted slot -> atom index */
	size_t *cellof;          /* [n] cell of atom */
	double *xs, *ys, *zs, *qs; /* [n] wrapped, cell-sorted copies */
	double *os;              /* [3n] off-site offsets, sorted (lazily) */
	double *fbuf;            /* [nthr*3n] per-thread forces, sorted order */
	double *acc;             /* [nthr*ACC_STRIDE] per-thread energy, virial */
	int nthr;
};


int coul_long_create(struct coul_long **clp, const struct coul_long_opts *o,
		     size_t natoms, struct err *e)
{
	struct coul_long *cl;
	*clp = NULL;
	if (!(o->cutoff > 0) || !isfinite(o->cutoff))
		return err_set(e, "coul/long: cut-off must be positive (got %g)",
			       o->cutoff);
	if (!(o->g_ewald >= 0) || !isfinite(o->g_ewald))
		return err_set(e, "coul/long: g_ewald must be >= 0 (got %g)",
			       o->g_ewald);
	if (!(o->qqrd2e > 0))
		return err_set(e, "coul/long: qqrd2e must be positive");
	cl = calloc(1, sizeof *cl);
	if (!cl)
		return err_set(e, "coul/long: out of memory");
	cl->o = *o;
	cl->n = natoms;
	cl->order = malloc((natoms + 1) * sizeof *cl->order);
	cl->cellof = malloc((natoms + 1) * sizeof *cl->cellof);
	cl->xs = malloc((natoms + 1) * sizeof(double));
	cl->ys = malloc((natoms + 1) * sizeof(double));
	cl->zs = malloc((natoms + 1) * sizeof(double));
	cl->qs = malloc((natoms + 1) * sizeof(double));
	if (!cl->order || !cl->cellof || !cl->xs || !cl->ys || !cl->zs ||
	    !cl->qs) {
		coul_long_free(cl);
		return err_set(e, "coul/long: out of memory (%zu atoms)", natoms);
	}
	*clp = cl;
	return 0;
}

void coul_long_free(struct coul_long *cl)
{
	if (!cl)
		return;
	free(cl->cstart);
	free(cl->cnext);
	free(cl->order);
	free(cl->cellof);
	free(cl->xs);
	free(cl->ys);
	free(cl->zs);
	free(cl->qs);
	free(cl->os);
	free(cl->fbuf);
	free(cl->acc);
	free(cl);
}

void coul_long_set_gewald(struct coul_long *cl, double g_ewald)
{
	cl->o.g_ewald = g_ewald;
}

/* erfc(g r) and the force factor of one pair: with prefactor
 * P = qqrd2e qi qj / r, energy P erfc and r*F = P (erfc + F' g r e^{-g2r2})
 * as pair_coul_long.cpp; returns erfc, sets *dterm = F' g r exp(-g^2 r^2). */
static inline double erfc_term(double gr, int exact, double *dterm)
{
	double expm2 = exp(-gr * gr);
	if (exact) {
		*dterm = TWO_OVER_SQRTPI * gr * expm2;
		return erfc(gr);
	}
	double t = 1.0 / (1.0 + AS_P * gr);
	*dterm = LMP_EWALD_F * gr * expm2;
	return t * (AS_A1 + t * (AS_A2 + t * (AS_A3 + t * (AS_A4 + t * AS_A5)))) *
	       expm2;
}

/* Off-site charges: are the atoms of sites i and j (sorted slots, site
 * separation d) closer than sqrt(cutsq)? atom = site - offset. */
static inline int atoms_within(const double *os, size_t i, size_t j,
			       double dx, double dy, double dz, double cutsq)
{
	double ax = dx - os[3 * i] + os[3 * j];
	double ay = dy - os[3 * i + 1] + os[3 * j + 1];
	double az = dz - os[3 * i + 2] + os[3 * j + 2];
	return ax * ax + ay * ay + az * az < cutsq;
}

/* Wrap one coordinate into [0, L). */
static inline double wrap(double x, double L)
{
	x -= L * floor(x / L);
	if (x >= L || x < 0)
		x = 0;
	return x;
}

static int ensure_fbuf(struct coul_long *cl, int nthr, struct err *e)
{
	if (cl->fbuf && cl->nthr >= nthr)
		return 0;
	free(cl->fbuf);
	free(cl->acc);
	cl->fbuf = malloc((size_t)nthr * 3 * (cl->n + 1) * sizeof(double));
	cl->acc = malloc((size_t)nthr * ACC_STRIDE * sizeof(double));
	cl->nthr = cl->fbuf && cl->acc ? nthr : 0;
	if (!cl->nthr)
		return err_set(e, "coul/long: out of memory (force buffers)");
	return 0;
}

int coul_long_compute(struct coul_long *cl, const struct state *st,
		      const double *q, double *fx, double *fy, double *fz,
		      double *ecoul, double virial[6], struct err *e)
{
	return coul_long_compute_offsite(cl, st, q, NULL, fx, fy, fz, ecoul,
					 virial, e);
}

int coul_long_compute_offsite(struct coul_long *cl, const struct state *st,
			      const double *q, const struct coul_offsite *off,
			      double *fx, double *fy, double *fz,
			      double *ecoul, double virial[6], struct err *e)
{
	const size_t n = st->n;
	const double rc = cl->o.cutoff, rcsq = rc * rc, g = cl->o.g_ewald;
	const double qqrd2e = cl->o.qqrd2e;
	const int exact = cl->o.erfc_exact;
	const double *L = st->len;
	int nc[3], use_cells, nthr = omp_util_max_threads();

	if (n != cl->n)
		return err_set(e, "coul/long: %zu atoms, created for %zu", n,
			       cl->n);
	for (int d = 0; d < 3; d++)
		if (!(L[d] >= 2 * rc))
			return err_set(e, "coul/long: box length %g along %c is "
				       "less than twice the Coulomb cut-off %g",
				       L[d], "xyz"[d], rc);
	/* cells of edge >= rc/2 and a stencil of +-2 cells (about half the
	 * pair checks of rc-wide cells); every neighbour must be a distinct
	 * cell: >= 5 cells a side, else (box < 2.5 rc) all pairs. */
	use_cells = 1;
	for (int d = 0; d < 3; d++) {
		nc[d] = (int)(L[d] * SUB / rc);
		if (nc[d] > 1024)
			nc[d] = 1024;
		if (nc[d] < 2 * SUB + 1)
			use_cells = 0;
	}
	if (ensure_fbuf(cl, nthr, e))
		return -1;
	if (off && !cl->os) {
		cl->os = malloc(3 * (n + 1) * sizeof *cl->os);
		if (!cl->os)
			return err_set(e, "coul/long: out of memory (offsets)");
	}
	const double cutoffsq = off ? off->cut_atoms * off->cut_atoms : 0.0;

	/* wrapped copies sorted by cell (a single cell when cells are off) */
	size_t ncells = use_cells ? (size_t)nc[0] * nc[1] * nc[2] : 1;
	if (ncells + 1 > cl->ncell_cap) {
		free(cl->cstart);
		free(cl->cnext);
		cl->cstart = malloc((ncells + 1) * sizeof *cl->cstart);
		cl->cnext = malloc((ncells + 1) * sizeof *cl->cnext);
		cl->ncell_cap = cl->cstart && cl->cnext ? ncells + 1 : 0;
		if (!cl->ncell_cap)
			return err_set(e, "coul/long: out of memory (cells)");
	}
	memset(cl->cstart, 0, (ncells + 1) * sizeof *cl->cstart);
	for (size_t i = 0; i < n; i++) {
		size_t c = 0;
		if (use_cells) {
			int ci[3];
			double xw[3] = { wrap(st->x[i] - st->lo[0], L[0]),
					 wrap(st->y[i] - st->lo[1], L[1]),
					 wrap(st->z[i] - st->lo[2], L[2]) };
			for (int d = 0; d < 3; d++) {
				ci[d] = (int)(xw[d] * nc[d] / L[d]);
				if (ci[d] >= nc[d])
					ci[d] = nc[d] - 1;
			}
			c = ((size_t)ci[2] * nc[1] + ci[1]) * nc[0] + ci[0];
		}
		cl->cellof[i] = c;
		cl->cstart[c + 1]++;
	}
	for (size_t c = 0; c < ncells; c++)
		cl->cstart[c + 1] += cl->cstart[c];
	/* stable counting sort: slot = cstart[c] + rank within the cell */
	memcpy(cl->cnext, cl->cstart, (ncells + 1) * sizeof *cl->cnext);
	for (size_t i = 0; i < n; i++) {
		size_t s = cl->cnext[cl->cellof[i]]++;
		cl->order[s] = i;
		cl->xs[s] = wrap(st->x[i] - st->lo[0], L[0]);
		cl->ys[s] = wrap(st->y[i] - st->lo[1], L[1]);
		cl->zs[s] = wrap(st->z[i] - st->lo[2], L[2]);
		cl->qs[s] = q[i];
		if (off) {
			cl->os[3 * s] = off->ox[i];
			cl->os[3 * s + 1] = off->oy[i];
			cl->os[3 * s + 2] = off->oz[i];
		}
	}

	const double *xs = cl->xs, *ys = cl->ys, *zs = cl->zs, *qs = cl->qs;
	const double *os = off ? cl->os : NULL;
	double *fbuf = cl->fbuf;
	const size_t cstride = 3 * (n + 1);

	/* per-thread partial sums, combined in thread order afterwards (and
	 * static schedules): a given thread count gives bitwise the same
	 * result every time */
	double *acc = cl->acc;
	memset(acc, 0, (size_t)nthr * ACC_STRIDE * sizeof *acc);
#pragma omp parallel num_threads(nthr)
	{
		double *f = fbuf + (size_t)omp_util_thread_id() * cstride;
		double en = 0, v0 = 0, v1 = 0, v2 = 0, v3 = 0, v4 = 0, v5 = 0;
		memset(f, 0, cstride * sizeof *f);

/* one pair: slot i against slot j with j's image shifted by (sx,sy,sz) */
#define PAIR(i, j, sx, sy, sz)                                               \
	do {                                                                 \
		double dx_ = xs[i] - xs[j] - (sx), dy_ = ys[i] - ys[j] - (sy), \
		       dz_ = zs[i] - zs[j] - (sz);                             \
		double r2_ = dx_ * dx_ + dy_ * dy_ + dz_ * dz_;               \
		if (r2_ < rcsq && qs[j] != 0.0 &&                             \
		    (!os || atoms_within(os, i, j, dx_, dy_, dz_, cutoffsq))) { \
			double r_ = sqrt(r2_), dt_;                           \
			double erfc_ = erfc_term(g * r_, exact, &dt_);        \
			double pre_ = qqrd2e * qi * qs[j] / r_;               \
			double fp_ = pre_ * (erfc_ + dt_) / r2_;              \
			f[3 * (i)] += dx_ * fp_;                              \
			f[3 * (i) + 1] += dy_ * fp_;                          \
			f[3 * (i) + 2] += dz_ * fp_;                          \
			f[3 * (j)] -= dx_ * fp_;                              \
			f[3 * (j) + 1] -= dy_ * fp_;                          \
			f[3 * (j) + 2] -= dz_ * fp_;                          \
			en += pre_ * erfc_;                                   \
			v0 += dx_ * dx_ * fp_;                                \
			v1 += dy_ * dy_ * fp_;                                \
			v2 += dz_ * dz_ * fp_;                                \
			v3 += dx_ * dy_ * fp_;                                \
			v4 += dx_ * dz_ * fp_;                                \
			v5 += dy_ * dz_ * fp_;                                \
		}                                                             \
	} while (0)

		if (!use_cells) {
			/* all pairs, minimum image (box >= 2 rc) */
#pragma omp for schedule(static, 16)
			for (size_t i = 0; i < n; i++) {
				double qi = qs[i];
				if (qi == 0.0)
					continue;
				for (size_t j = i + 1; j < n; j++) {
					double sx = L[0] * nearbyint((xs[i] - xs[j]) / L[0]);
					double sy = L[1] * nearbyint((ys[i] - ys[j]) / L[1]);
					double sz = L[2] * nearbyint((zs[i] - zs[j]) / L[2]);
					PAIR(i, j, sx, sy, sz);
				}
			}
		} else {
			/* half stencil: the cell itself (j > i) and the
			 * neighbours with (dz,dy,dx) > (0,0,0) in lexical order
			 * within +-SUB; with >= 2 SUB + 1 cells per direction
			 * each is a distinct cell and the shift picks the one
			 * image within rc. */
			const int w = 2 * SUB + 1, nst = w * w * w, self = nst / 2;
#pragma omp for schedule(static, 2)
			for (size_t c = 0; c < ncells; c++) {
				int cx = (int)(c % nc[0]);
				int cy = (int)((c / nc[0]) % nc[1]);
				int cz = (int)(c / ((size_t)nc[0] * nc[1]));
				for (int nb = self; nb < nst; nb++) {
					int dx = nb % w - SUB, dy = (nb / w) % w - SUB,
					    dz = nb / (w * w) - SUB;
					int jx = cx + dx, jy = cy + dy, jz = cz + dz;
					double sx = 0, sy = 0, sz = 0;
					if (jx < 0) { jx += nc[0]; sx = -L[0]; }
					if (jx >= nc[0]) { jx -= nc[0]; sx = L[0]; }
					if (jy < 0) { jy += nc[1]; sy = -L[1]; }
					if (jy >= nc[1]) { jy -= nc[1]; sy = L[1]; }
					if (jz < 0) { jz += nc[2]; sz = -L[2]; }
					if (jz >= nc[2]) { jz -= nc[2]; sz = L[2]; }
					size_t cj = ((size_t)jz * nc[1] + jy) * nc[0] + jx;
					for (size_t i = cl->cstart[c]; i < cl->cstart[c + 1]; i++) {
						double qi = qs[i];
						if (qi == 0.0)
							continue;
						size_t j0 = nb == self ? i + 1 : cl->cstart[cj];
						for (size_t j = j0; j < cl->cstart[cj + 1]; j++)
							PAIR(i, j, sx, sy, sz);
					}
				}
			}
		}
#undef PAIR
		double *a = acc + (size_t)omp_util_thread_id() * ACC_STRIDE;
		a[0] = en; a[1] = v0; a[2] = v1; a[3] = v2;
		a[4] = v3; a[5] = v4; a[6] = v5;
	}
	double en = 0, v0 = 0, v1 = 0, v2 = 0, v3 = 0, v4 = 0, v5 = 0;
	for (int t = 0; t < nthr; t++) {
		const double *a = acc + (size_t)t * ACC_STRIDE;
		en += a[0]; v0 += a[1]; v1 += a[2]; v2 += a[3];
		v3 += a[4]; v4 += a[5]; v5 += a[6];
	}

	/* fold the per-thread buffers back in atom order */
#pragma omp parallel for num_threads(nthr) schedule(static)
	for (size_t s = 0; s < n; s++) {
		double ax = 0, ay = 0, az = 0;
		for (int t = 0; t < nthr; t++) {
			const double *f = fbuf + (size_t)t * cstride;
			ax += f[3 * s];
			ay += f[3 * s + 1];
			az += f[3 * s + 2];
		}
		size_t i = cl->order[s];
		fx[i] += ax;
		fy[i] += ay;
		fz[i] += az;
	}
	if (ecoul)
		*ecoul += en;
	if (virial) {
		virial[0] += v0;
		virial[1] += v1;
		virial[2] += v2;
		virial[3] += v3;
		virial[4] += v4;
		virial[5] += v5;
	}
	return 0;
}

/* Shared loop of the two special-pair functions: full = 0 adds only
 * -(1-f) P, full = 1 adds P (erfc - (1-f)), P = qqrd2e qi qj / r. */
static void special(const struct coul_long *cl, const struct state *st,
		    const double *q, const struct coul_pair *pairs,
		    size_t npairs, int full, double *fx, double *fy,
		    double *fz, double *ecoul, double virial[6])
{
	const double rcsq = cl->o.cutoff * cl->o.cutoff, g = cl->o.g_ewald;
	const double *L = st->len;
	double en = 0, v[6] = { 0 };
	for (size_t k = 0; k < npairs; k++) {
		size_t i = pairs[k].i, j = pairs[k].j;
		double qiqj = q[i] * q[j];
		if (qiqj == 0.0 || i == j)
			continue;
		double dx = st->x[i] - st->x[j], dy = st->y[i] - st->y[j],
		       dz = st->z[i] - st->z[j];
		dx -= L[0] * nearbyint(dx / L[0]);
		dy -= L[1] * nearbyint(dy / L[1]);
		dz -= L[2] * nearbyint(dz / L[2]);
		double r2 = dx * dx + dy * dy + dz * dz;
		if (!(r2 < rcsq))
			continue;
		double r = sqrt(r2), pre = cl->o.qqrd2e * qiqj / r;
		double scaled = (1.0 - pairs[k].factor) * pre;
		double fr, eij;
		if (full) {
			double dt, ec = erfc_term(g * r, cl->o.erfc_exact, &dt);
			fr = pre * (ec + dt) - scaled;
			eij = pre * ec - scaled;
		} else {
			fr = -scaled;
			eij = -scaled;
		}
		double fp = fr / r2;
		fx[i] += dx * fp; fy[i] += dy * fp; fz[i] += dz * fp;
		fx[j] -= dx * fp; fy[j] -= dy * fp; fz[j] -= dz * fp;
		en += eij;
		v[0] += dx * dx * fp; v[1] += dy * dy * fp; v[2] += dz * dz * fp;
		v[3] += dx * dy * fp; v[4] += dx * dz * fp; v[5] += dy * dz * fp;
	}
	if (ecoul)
		*ecoul += en;
	if (virial)
		for (int c = 0; c < 6; c++)
			virial[c] += v[c];
}

void coul_long_special_correct(const struct coul_long *cl,
			       const struct state *st, const double *q,
			       const struct coul_pair *pairs, size_t npairs,
			       double *fx, double *fy, double *fz,
			       double *ecoul, double virial[6])
{
	special(cl, st, q, pairs, npairs, 0, fx, fy, fz, ecoul, virial);
}

void coul_long_special_full(const struct coul_long *cl,
			    const struct state *st, const double *q,
			    const struct coul_pair *pairs, size_t npairs,
			    double *fx, double *fy, double *fz,
			    double *ecoul, double virial[6])
{
	special(cl, st, q, pairs, npairs, 1, fx, fy, fz, ecoul, virial);
}

/* ---- splitting helpers ---- */

double coul_long_self_energy(double g, double qsum, double qsqsum,
			     double volume, double qqrd2e)
{
	/* LAMMPS: g qsqsum / MY_PIS + MY_PI2 qsum^2 / (g^2 V), MY_PI2 = pi/2 */
	const double sqrtpi = 1.77245385090551602729, pi_2 = 1.57079632679489661923;
	return -qqrd2e * (g * qsqsum / sqrtpi + pi_2 * qsum * qsum / (g * g * volume));
}

double coul_long_gewald_estimate(double acc, double cutoff, double natoms,
				 double q2, const double len[3])
{
	double g = acc * sqrt(natoms * cutoff * len[0] * len[1] * len[2]) / (2.0 * q2);
	if (g >= 1.0)
		return (1.35 - 0.15 * log(acc)) / cutoff;
	return sqrt(-log(g)) / cutoff;
}

double coul_long_rspace_error(double g, double cutoff, double natoms,
			      double q2, const double len[3])
{
	return 2.0 * q2 * exp(-g * g * cutoff * cutoff) /
	       sqrt(natoms * cutoff * len[0] * len[1] * len[2]);
}

void coul_long_qsums(const double *q, size_t n, double *qsum, double *qsqsum)
{
	double s = 0, s2 = 0;
	for (size_t i = 0; i < n; i++) {
		s += q[i];
		s2 += q[i] * q[i];
	}
	*qsum = s;
	*qsqsum = s2;
}
