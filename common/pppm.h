/* pppm: particle-particle particle-mesh Ewald (Hockney & Eastwood,
 * "Computer Simulation Using Particles", 1988), ik-differentiated, with the
 * optimal influence function, as LAMMPS `kspace_style pppm`
 * (src/KSPACE/pppm.cpp, 29Sep2021; Pollock & Glosli, Comp. Phys. Comm. 95,
 * 93 (1996); Deserno & Holm, J. Chem. Phys. 109, 7678 and 7694 (1998)).
 * Orthorhombic boxes, 3d periodic; FFTW3 (real-to-complex).
 *
 * Each call: charges are spread on an nx x ny x nz grid with the order-P
 * cardinal B-spline (P = `order` stencil points per direction, LAMMPS's
 * kspace_modify order, default 5), transformed, multiplied by the influence
 * function G(k) (Hockney-Eastwood optimal for ik, alias sums as LAMMPS),
 * the field E(k) = -i k G rho(k) is transformed back per direction and
 * interpolated to the charges with the same B-spline. Energy
 *   E = qqrd2e [ V/(2 Ng^2) sum_k G(k) |rho(k)|^2 ] + self + background,
 * the virial from the same sum with the Ewald virial factors.
 *
 * Parameters, as LAMMPS when not given (accuracy relative, times qqr2e):
 *  - g_ewald: coul_long_gewald_estimate from accuracy, cut-off, N, q2;
 *  - grid: per direction, start at n = int(L g) + 1 and grow n until the
 *    Deserno-Holm ik error estimate
 *      q2 (h g)^P sqrt(g L sqrt(2 pi) sum_m a_m (h g)^{2m} / N) / L^2
 *    (a_m from Deserno & Holm Table I) no longer exceeds the accuracy, then
 *    to the next size whose only prime factors are 2, 3, 5 (LAMMPS's loop
 *    tests the estimate of the previous size, so it ends one step past the
 *    first size that meets it; we reproduce that);
 *  - then, if g_ewald was not given, g_ewald is re-solved by LAMMPS's
 *    Newton iteration so that the real-space and k-space error estimates
 *    are equal (|difference| < 1e-5 force units).
 * The grid and g_ewald stay fixed for the life of the object (LAMMPS sets
 * them at init); pppm_setup recomputes G(k) for a new box (NPT: call it
 * after every box change, as LAMMPS calls PPPM::setup).
 *
 * Non-neutral systems (|sum q| > 1e-5): the energy includes the uniform
 * neutralising background -qqrd2e pi Q^2/(2 g^2 V) (LAMMPS's term; LAMMPS
 * warns "System is not charge neutral" and adds nothing to the virial or
 * forces, and neither do we); pppm_info.nonneutral is set so the caller can
 * warn or refuse.
 *
 * Threads (OpenMP): spreading into per-thread grids summed afterwards, the
 * k-space loop by planes, the three back transforms concurrently, and the
 * interpolation by atoms. Results do not depend on the thread count beyond
 * round-off.
 *
 * Conventions (forces, energy and virial added; units) as coul_long.h. */
#ifndef SK_PPPM_H
#define SK_PPPM_H

#include <stddef.h>

#include "err.h"
#include "system.h"

#define PPPM_MAXORDER 7

struct pppm_opts {
	double accuracy;  /* relative force accuracy (kspace_style pppm ACC) */
	double cutoff;    /* real-space Coulomb cut-off (for g_ewald) */
	double g_ewald;   /* > 0: use it (kspace_modify gewald); 0: choose */
	int grid[3];      /* > 0: use it (kspace_modify mesh); 0: choose */
	int order;        /* 2..7 (kspace_modify order); 0 means 5 */
	double qqr2e;     /* Coulomb constant of the units (units.qqr2e) */
	int exact_4pi;    /* 0: the influence function's 4 pi is LAMMPS's
			     12.5663706 (relative 1.1e-9 below 4 pi), so that
			     results equal LAMMPS's to round-off; 1: exact */
	int fftw_measure; /* 1: FFTW_MEASURE plans (~0.1 s to create by
			     timing candidates; on a 27 x 27 x 45 grid the
			     four transforms of a step take ~0.65 ms, not
			     ~1.05 ms); 0: FFTW_ESTIMATE. MEASURE's plan may
			     differ between processes (and with it the
			     round-off) unless the same wisdom was imported
			     before pppm_create (fft_wisdom.h). ESTIMATE
			     gives the same plan in every process, provided
			     no wisdom for the grid was imported or measured
			     earlier in the process (FFTW then reuses it). */
};

struct pppm_info {
	double g_ewald;
	int grid[3];
	int order;
	double accuracy_abs;  /* LAMMPS's "estimated absolute RMS force
				 accuracy" (k-space and real-space; no table) */
	double accuracy_rel;  /* the same divided by qqr2e */
	double qsum, qsqsum;  /* at create, then of the last compute */
	int nonneutral;       /* |qsum| > COUL_NONNEUTRAL_SMALL */
};

struct pppm;

/* Choose g_ewald and the grid for box lengths len and charges q[0..n-1]
 * (n counts every atom, charged or not, as LAMMPS's natoms), make the FFTW
 * plans (FFTW's planner: not concurrently with other planning, see
 * fft_wisdom.h) and the influence function. NULL and a message on bad options, a
 * system without charge and no g_ewald, a grid of 16384 or more points per
 * direction, or no memory. */
struct pppm *pppm_create(const struct pppm_opts *o, const double len[3],
			 const double *q, size_t n, struct err *e);
/* The box changed (NPT): recompute the influence function and volume
 * terms for lengths len; grid and g_ewald unchanged. */
int pppm_setup(struct pppm *p, const double len[3], struct err *e);
/* Long-range energy added to *elong (may be NULL), virial to virial[6]
 * (may be NULL), forces to fx, fy, fz, for st's positions (any value; they
 * are wrapped onto the periodic grid) and charges q[0..st->n-1]. st's box
 * lengths must be the ones of the last setup. */
int pppm_compute(struct pppm *p, const struct state *st, const double *q,
		 double *elong, double virial[6], double *fx, double *fy,
		 double *fz, struct err *e);
void pppm_get_info(const struct pppm *p, struct pppm_info *info);
void pppm_free(struct pppm *p);

#endif
