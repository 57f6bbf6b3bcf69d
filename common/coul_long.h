/* coul_long: the real-space half of Ewald-split Coulomb, as LAMMPS pair
 * coul/long (and the Coulomb part of lj/cut/coul/long) with
 * `pair_modify table 0`; the corrections for excluded and scaled (special)
 * pairs; and the splitting helpers that ewald.c and pppm.c share.
 *
 * Splitting (Ewald 1921; LAMMPS kspace): 1/r = erfc(g r)/r + erf(g r)/r.
 * The real-space sum is
 *     E_real = qqrd2e sum_{i<j, r<rc} q_i q_j erfc(g r_ij)/r_ij
 * over minimum images (the box must be at least 2 rc wide); the k-space
 * solvers add the erf part over all pairs and images, minus the self term,
 * plus the neutralising background (coul_long_self_energy).
 *
 * Special pairs (1-2, 1-3, 1-4 with factor_coul f): the total interaction
 * must be f q_i q_j / r. The k-space sum already holds the full erf part,
 * so LAMMPS keeps these pairs in its neighbour list whenever k-space is on
 * and gives them q_i q_j [erfc(g r) - (1 - f)] / r (pair_coul_long.cpp:
 * `forcecoul -= (1-factor_coul)*prefactor`); for f = 0 that is
 * -q_i q_j erf(g r)/r, i.e. the reciprocal-space contribution removed. As
 * in LAMMPS the term is applied only when r < rc (bonded pairs always are).
 *
 * erfc: LAMMPS evaluates erfc with the Abramowitz-Stegun 7.1.26 polynomial
 * (|error| <= 1.5e-7 absolute on erf) and the force with 2/sqrt(pi) cut to
 * 1.12837917; `erfc_exact = 0` does the same, so that numbers equal
 * LAMMPS's to round-off. `erfc_exact = 1` uses libm erfc and the exact
 * constant: forces are then the exact gradient of the energy (finite
 * difference tests, Madelung sums beyond 1e-7).
 *
 * Conventions of every compute function here, in ewald.h and in pppm.h:
 * forces are ADDED to fx, fy, fz, energies ADDED to *energy and the virial
 * ADDED to virial[6] (xx yy zz xy xz yz, sum of r_ij (x) f_ij, energy units,
 * as the LAMMPS virial before division by the volume): the caller zeroes
 * them once per force evaluation. Units are those of qqrd2e (units.qqr2e:
 * real: kcal/mol, Å, e; lj: reduced). Positions may lie outside the box. */
#ifndef SK_COUL_LONG_H
#define SK_COUL_LONG_H

#include <stddef.h>

#include "err.h"
#include "system.h"

struct coul_long_opts {
	double g_ewald;   /* splitting parameter, 1/distance (pppm_info/ewald_info) */
	double cutoff;    /* real-space cut-off rc (LAMMPS cut_coul) */
	double qqrd2e;    /* Coulomb constant of the units (units.qqr2e) */
	int erfc_exact;   /* 0: LAMMPS's polynomial erfc (default), 1: libm */
};

struct coul_long; /* options and cell-list workspace; layout private */

/* natoms: size of the arrays later passed to coul_long_compute. */
int coul_long_create(struct coul_long **cl, const struct coul_long_opts *o,
		     size_t natoms, struct err *e);
void coul_long_free(struct coul_long *cl);
/* Change the splitting parameter (e.g. after the k-space solver chose it). */
void coul_long_set_gewald(struct coul_long *cl, double g_ewald);

/* Real-space sum over all pairs closer than rc (minimum image, own cell
 * list; threaded). Special pairs are included with their full erfc term,
 * as in LAMMPS: correct them with coul_long_special_correct. ecoul and
 * virial may be NULL. -1 (and a message) if st->n differs from natoms or
 * the box is narrower than 2 rc. */
int coul_long_compute(struct coul_long *cl, const struct state *st,
		      const double *q, double *fx, double *fy, double *fz,
		      double *ecoul, double virial[6], struct err *e);

/* Charges that sit off their atoms (TIP4P's M site, tip4p.h): st passed
 * to coul_long_compute_offsite holds the charge sites, and atom i itself is
 * at site_i - (ox, oy, oz)[i] (zero for atoms that carry their charge). As
 * LAMMPS pair lj/cut/tip4p/long, a pair counts only when its atoms are
 * closer than cut_atoms (there: rc + 2 qdist, tested first on the atoms'
 * positions) and its sites closer than rc. */
struct coul_offsite {
	const double *ox, *oy, *oz;  /* [natoms] site minus atom position */
	double cut_atoms;
};
/* coul_long_compute over charge sites; off may be NULL (then it is
 * coul_long_compute). Forces are those on the sites. */
int coul_long_compute_offsite(struct coul_long *cl, const struct state *st,
			      const double *q, const struct coul_offsite *off,
			      double *fx, double *fy, double *fz,
			      double *ecoul, double virial[6], struct err *e);

/* A special pair: atoms i, j (0-based indices) and its Coulomb factor f
 * (LAMMPS special_bonds coul: 0 excludes, 0.5 is AMBER's 1-4, ...). */
struct coul_pair {
	size_t i, j;
	double factor;
};

/* For pairs that coul_long_compute (or any real-space sum) already counted
 * with erfc: add -(1 - f) qqrd2e q_i q_j / r for each pair with r < rc, so
 * that pair + correction is exactly LAMMPS's special-pair term. */
void coul_long_special_correct(const struct coul_long *cl,
			       const struct state *st, const double *q,
			       const struct coul_pair *pairs, size_t npairs,
			       double *fx, double *fy, double *fz,
			       double *ecoul, double virial[6]);
/* For pairs a real-space sum skipped (a neighbour list that excludes
 * them): add LAMMPS's whole special-pair term qqrd2e q_i q_j [erfc(g r) -
 * (1 - f)] / r for each pair with r < rc; for f = 0 that is the removal of
 * the reciprocal-space part, -qqrd2e q_i q_j erf(g r)/r. */
void coul_long_special_full(const struct coul_long *cl,
			    const struct state *st, const double *q,
			    const struct coul_pair *pairs, size_t npairs,
			    double *fx, double *fy, double *fz,
			    double *ecoul, double virial[6]);

/* ---- Splitting helpers (LAMMPS kspace.cpp / ewald.cpp / pppm.cpp) ---- */

/* Self energy and neutralising background added to every k-space energy:
 *   -qqrd2e [ g sum q^2 / sqrt(pi) + pi (sum q)^2 / (2 g^2 V) ].
 * The second term is the uniform background that makes a non-neutral
 * periodic system finite (LAMMPS adds it and warns). */
double coul_long_self_energy(double g_ewald, double qsum, double qsqsum,
			     double volume, double qqrd2e);

/* LAMMPS's initial g_ewald from an absolute accuracy acc (force units:
 * relative accuracy times qqr2e, the force between two unit charges 1
 * distance unit apart) by inverting the Kolafa-Perram real-space error
 *   2 q2 exp(-g^2 rc^2) / sqrt(N rc V) = acc,   q2 = qqrd2e sum q^2:
 * g = sqrt(-ln(acc sqrt(N rc V) / (2 q2))) / rc, or (1.35 - 0.15 ln acc)/rc
 * when the logarithm's argument is >= 1. N counts all atoms. */
double coul_long_gewald_estimate(double acc, double cutoff, double natoms,
				 double q2, const double len[3]);
/* The Kolafa-Perram real-space RMS force error above, for a given g. */
double coul_long_rspace_error(double g_ewald, double cutoff, double natoms,
			      double q2, const double len[3]);

/* sum q and sum q^2 over n charges. */
void coul_long_qsums(const double *q, size_t n, double *qsum, double *qsqsum);

/* LAMMPS's threshold on |sum q| for "System is not charge neutral". */
#define COUL_NONNEUTRAL_SMALL 1e-5

#endif
