/* constrain: rigid water and X-H bond constraints, in the design of LAMMPS
 * (29Sep2021) fix shake / fix rattle (src/RIGID/fix_shake.cpp,
 * fix_rattle.cpp; read, not copied), so that trajectories agree with
 * LAMMPS's to the constraint tolerance.
 *
 * Clusters (LAMMPS's shake_flag): a central atom with 1, 2 or 3 bonded
 * hydrogens (H: mass < h_mass, 1.5 amu) -- kinds 2, 3, 4 (atoms), one
 * bond-length constraint per H -- and the 3-site water -- kind 1: a
 * 3-atom molecule X-H-H whose two bonds and H-X-H angle are in the data
 * file, constrained by the two bond lengths and the H-H distance
 * d_HH^2 = b1^2 + b2^2 - 2 b1 b2 cos(theta0) (LAMMPS's `a` angle type).
 * Lengths come from the Bond Coeffs r0 and Angle Coeffs theta0. The bonds
 * and angles of a cluster are taken out of the bonded terms (no energy,
 * no force), as fix shake turns their types negative; special-pair
 * exclusions stay.
 *
 * Constraint forces (SHAKE, Ryckaert et al. 1977; the LAMMPS form): from
 * the unconstrained update s_i = x_i + dt v_i + dtfsq/m_i f_i, find the
 * multipliers lambda_k of the forces lambda_k r_k(t) along the bonds at the
 * current positions such that |s'_k| = d_k; they are ADDED to f, so the
 * unchanged velocity-Verlet / Nose-Hoover / MTK integrator moves the atoms
 * onto the constraints (exactly for NVE), and their virial sum
 * lambda_k r_k (x) r_k goes to the pressure. Water with two equal H masses
 * and bond lengths is solved analytically by SETTLE (Miyamoto & Kollman,
 * J. Comput. Chem. 13, 952 (1992), double precision); other clusters by
 * LAMMPS's iteration lambda <- A^-1 (d^2 - s^2 - quad(lambda)) until the
 * relative residual max_k |r'_k^2 - d_k^2| / d_k^2 <= tol.
 *
 * Two modes, as the two LAMMPS fixes:
 *  - rattle (default; fix rattle): after the force evaluation the
 *    velocities are corrected so that v + dt/2 f/m has no component along
 *    any constrained bond (RATTLE, Andersen 1983: an exact 1x1..3x3
 *    solve); after the final half kick (and thermostat) the SHAKE forces
 *    for the next step are computed with dtfsq = dt^2/2 from the full-step
 *    velocities and added to f.
 *  - shake (fix shake): after the force evaluation the SHAKE forces are
 *    computed with dtfsq = dt^2 from the half-step velocities; velocities
 *    are not corrected.
 * Set-up (FixShake::setup): positions are projected onto the constraints
 * (one SHAKE solve with v = f = 0), with rattle the velocities along bonds
 * are removed, then the first constraint forces are computed (dtfsq =
 * dt^2/2). Units: those of the system (real: A, fs, kcal/mol/A). */
#ifndef SK_CONSTRAIN_H
#define SK_CONSTRAIN_H

#include <stddef.h>

#include "bonded.h"
#include "err.h"
#include "md.h"
#include "system.h"

enum constrain_mode { CONSTRAIN_NONE = 0, CONSTRAIN_WATER = 1,
		      CONSTRAIN_HBONDS = 2 };

struct constrain_opts {
	enum constrain_mode mode;
	double tol;           /* relative residual on d^2 (default 1e-10) */
	long max_iter;        /* SHAKE iterations (default 100) */
	int shake_only;       /* 1: LAMMPS fix shake (no velocity step) */
	double h_mass;        /* an atom lighter than this is H (1.5) */
};

#define CONSTRAIN_TOL_DEFAULT 1e-10
#define CONSTRAIN_ITER_DEFAULT 100

enum { CL_WATER = 1 };    /* kind 1: water; 2, 3, 4: bond clusters */

struct cons_cluster {
	int kind;             /* 1 water (angle), 2..4 atoms of a bond cluster */
	int settle;           /* water solved by SETTLE */
	size_t atom[4];       /* central atom first (water: X, H, H) */
	double d[3];          /* bond lengths 0-1, 0-2, 0-3; water: 0-1, 0-2, 1-2 */
};

struct constrain {
	struct constrain_opts o;
	size_t natoms, ncl, ncons, nwater;
	struct cons_cluster *cl;
	long *atom_id;        /* [natoms] for messages */
	unsigned char *ndof;  /* [natoms] constraints owned (central atom) */
};

/* The clusters of a system: water (mode water and hbonds) and bonds to H
 * (hbonds). The constrained bonds and angles are removed from b. Errors:
 * no cluster found, a central atom with more than 3 H, two connected
 * atoms with more than one constraint each, a bond or angle style without
 * an equilibrium value. path names the data file in messages. */
int constrain_create(struct constrain *c, const struct system *sys,
		     struct bonded *b, const struct constrain_opts *o,
		     const char *path, struct err *e);
void constrain_free(struct constrain *c);

/* LAMMPS FixShake/FixRattle::setup for m->st, m->dt: project positions,
 * remove bond velocities (rattle), constraint forces into st->f, virial
 * into m->cvirial. Called once with the forces of the start positions. */
int constrain_setup(struct constrain *c, struct md *m, struct err *e);
/* After the force evaluation of a step (post_force). */
int constrain_post_force(struct constrain *c, struct md *m, struct err *e);
/* After the final half kick and thermostat (rattle's final_integrate). */
int constrain_final(struct constrain *c, struct md *m, struct err *e);
/* LAMMPS shake_end_of_step, for end-of-step velocity/position changes
 * (eHEX): constraint forces with dtfsq = dt^2/2 ADDED to f, virial left as
 * it is. */
int constrain_end_of_step(struct constrain *c, struct md *m, struct err *e);

/* Largest relative bond-length error |r - d| / d and largest |r_k . v_k|
 * / d_k (velocity along a constraint) over all clusters. */
void constrain_errors(const struct constrain *c, const struct state *st,
		      double *dmax, double *vmax);

#endif
