/* ewald: the plain Ewald sum over reciprocal vectors, as LAMMPS
 * `kspace_style ewald` (src/KSPACE/ewald.cpp), for testing PPPM and for
 * small systems. Orthorhombic boxes, 3d periodic.
 *
 *   E_k = qqrd2e (2 pi / V) sum_{k != 0} exp(-k^2/4g^2)/k^2 |S(k)|^2
 *         + coul_long_self_energy(...),   S(k) = sum_j q_j exp(i k.r_j),
 * over k = 2 pi (a/Lx, b/Ly, c/Lz) with k^2 <= 1.00001 max_d (2 pi kmax_d /
 * L_d)^2 and, as LAMMPS Ewald::coeffs, |a| <= kxmax, |b| <= kymax,
 * |c| <= kzmax, except that vectors along an axis go up to max(kmax_d).
 * Cost O(N k^3).
 *
 * Parameters as LAMMPS: g_ewald from the accuracy (coul_long_gewald_estimate)
 * unless given; kmax_d per direction the smallest k with the RMS error
 *   2 q2 g / L_d sqrt(1/(pi k N)) exp(-(pi k / (g L_d))^2) <= accuracy
 * unless given (kspace_modify kmax/ewald), recomputed at each ewald_setup
 * (box change) as LAMMPS Ewald::setup does. Accuracy is relative: times
 * qqr2e, the force between two unit charges at unit distance.
 *
 * Conventions (forces, energy and virial added; units) as coul_long.h. */
#ifndef SK_EWALD_H
#define SK_EWALD_H

#include <stddef.h>

#include "err.h"
#include "system.h"

struct ewald_opts {
	double accuracy;  /* relative force accuracy (kspace_style ewald ACC) */
	double cutoff;    /* real-space Coulomb cut-off (for g from accuracy) */
	double g_ewald;   /* > 0: use it (kspace_modify gewald); 0: estimate */
	int kmax[3];      /* > 0: use them (kspace_modify kmax/ewald); 0: from
			     the accuracy */
	double qqr2e;     /* Coulomb constant of the units (units.qqr2e) */
};

struct ewald_info {
	double g_ewald;
	int kmax[3];      /* kxmax kymax kzmax (LAMMPS log) */
	int kmax_all;     /* max of the three */
	size_t kcount;    /* vectors in the half space ("actual" in the log) */
	double accuracy_abs; /* LAMMPS's estimated absolute RMS force accuracy
				(k-space and real-space terms; no table term) */
	double accuracy_rel; /* the same divided by qqr2e */
	double qsum, qsqsum; /* charges at create, or at the last compute */
	int nonneutral;   /* |qsum| > COUL_NONNEUTRAL_SMALL: LAMMPS warns;
			     the energy holds the neutralising background */
};

struct ewald;

/* Choose g_ewald and kmax for box lengths len and charges q[0..n-1] (n
 * counts every atom, charged or not, as LAMMPS's natoms). -1 with a message
 * for bad options or a system without charge and no g_ewald given. */
int ewald_create(struct ewald **ew, const struct ewald_opts *o,
		 const double len[3], const double *q, size_t n,
		 struct err *e);
/* The box changed: volume-dependent coefficients (and kmax, when chosen
 * from the accuracy). */
int ewald_setup(struct ewald *ew, const double len[3], struct err *e);
/* Reciprocal energy (with self and background terms) added to *elong,
 * virial to virial[6], forces to fx, fy, fz, for st's positions (its box
 * must be the one of the last setup) and charges q[0..st->n-1]. elong and
 * virial may be NULL. */
int ewald_compute(struct ewald *ew, const struct state *st, const double *q,
		  double *elong, double virial[6], double *fx, double *fy,
		  double *fz, struct err *e);
void ewald_get_info(const struct ewald *ew, struct ewald_info *info);
void ewald_free(struct ewald *ew);

#endif
