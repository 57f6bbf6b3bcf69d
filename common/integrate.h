/* integrate: time integration for md-run and the other front ends.
 *
 * Velocity Verlet (NVE); Nose-Hoover chains in the MTK form of LAMMPS fix
 * nvt; the MTK barostat of LAMMPS fix npt (iso, or z-only coupling with x,y
 * fixed); Langevin (LAMMPS fix langevin + fix nve) for rough equilibration.
 * References: Tuckerman et al., J. Phys. A 39, 5629 (2006); Martyna, Tobias,
 * Klein, JCP 101, 4177 (1994); Shinoda, Shiga, Mikami PRB 69, 134103 (2004);
 * LAMMPS src/fix_nh.cpp (read, not copied). The order of operations in
 * integrator_step follows fix_nh's initial_integrate/final_integrate so that
 * short trajectories agree with LAMMPS to round-off.
 *
 * All state needed for exact resume (chain positions/velocities, barostat,
 * RNG) lives in struct integrator and round-trips through integrator_pack. */
#ifndef SK_INTEGRATE_H
#define SK_INTEGRATE_H

#include <signal.h>
#include "err.h"
#include "md.h"
#include "rng.h"

enum ensemble { ENS_MIN, ENS_NVE, ENS_NVT, ENS_NPT, ENS_LANGEVIN };
enum pcouple { PCOUPLE_ISO = 0, PCOUPLE_Z = 1 };

#define NH_MAXCHAIN 10

struct integrator_opts {
	enum ensemble ens;
	double dt;
	double temp, temp_stop;   /* target T (ramped linearly if they differ) */
	double tdamp;             /* time units (LAMMPS Tdamp) */
	int tchain;               /* default 3 */
	double press;             /* target pressure (pressure units) */
	double pdamp;             /* time units (LAMMPS Pdamp) */
	int pchain;               /* default 3 */
	enum pcouple pcouple;
	double langevin_damp;     /* time units */
	unsigned long seed;       /* Langevin noise */
	long nsteps_total;        /* for temperature ramps */
};

struct nh_chain {
	int n;
	double eta[NH_MAXCHAIN], eta_dot[NH_MAXCHAIN], eta_dotdot[NH_MAXCHAIN];
	double eta_mass[NH_MAXCHAIN];
};

struct integrator {
	struct integrator_opts o;
	struct nh_chain tchain;          /* particle thermostat */
	struct nh_chain pchain;          /* barostat thermostat */
	double omega[3], omega_dot[3], omega_mass[3]; /* barostat, LAMMPS names */
	double t_target;                 /* current target (ramps) */
	struct rng rng;                  /* Langevin */
	long step0;                      /* step at which the run started (ramps) */
	double len0[3];                  /* box at the start (LAMMPS vol0, h0_inv:
	                                    NPT conserved quantity and the
	                                    reference stress of z-only coupling) */
};

/* Check the options and set up masses and chains for the current state
 * (LAMMPS FixNH::setup); sets m->dt = o->dt. Does not compute forces. */
int integrator_init(struct integrator *it, const struct integrator_opts *o,
		    struct md *m, struct err *e);
/* The set-up of a run after the first force evaluation and before the
 * first thermo row (LAMMPS's fix setup): with m->cons, the constraint
 * set-up (positions projected, velocities corrected, first constraint
 * forces; constrain.h). Not called again when a run resumes. */
int integrator_setup(struct integrator *it, struct md *m, struct err *e);
/* Advance one step of o.dt: positions, velocities, box (NPT), forces
 * (calls md_forces), st->step and st->time. st->f and m->en must hold the
 * forces of the current positions (md_forces once before the first step);
 * for Langevin st->f includes the random and drag forces, as in LAMMPS.
 * With m->forces_only set, m->en is left NaN after the step (the forces,
 * hence the trajectory, are the same), except for NPT, whose barostat
 * needs the virial every step. The per-atom loops run on the OpenMP
 * threads; each atom's arithmetic does not depend on their number.
 * With m->cons the constraints act where LAMMPS's fix shake/rattle do:
 * constrain_post_force after the force evaluation, constrain_final after
 * the final half kick and thermostat (constrain.h). */
int integrator_step(struct integrator *it, struct md *m, struct err *e);
/* The ensemble's conserved quantity (energy units): etotal for NVE,
 * etotal + chain energy for NVT, + barostat energy + P (V - V0) for NPT
 * (as LAMMPS fix nvt/npt compute_scalar plus pe+ke, except that for NPT
 * iso the barostat chain's eta[0] is weighted by kT, as in its equation of
 * motion, where LAMMPS 29Sep2021 reports 3 kT and so drifts: ours is
 * LAMMPS's value minus 2 kT pchain.eta[0]). NaN for Langevin. */
double integrator_conserved(const struct integrator *it, const struct md *m);

#define INTEGRATOR_PACK_MAX 128
/* Serialise the dynamic state into at most INTEGRATOR_PACK_MAX doubles;
 * returns the count. unpack checks the count and the layout version. */
size_t integrator_pack(const struct integrator *it, double *buf);
int integrator_unpack(struct integrator *it, const double *buf, size_t n,
		      struct err *e);

/* Energy minimisation (LAMMPS minimize semantics: stop when the relative
 * energy change < etol, or the largest force component... |F|_2 < ftol,
 * or maxiter/maxeval reached). FIRE (Bitzek et al. PRL 97, 170201, 2006,
 * as LAMMPS min_style fire) or Polak-Ribiere CG with a backtracking line
 * search (LAMMPS min_style cg, linesearch quadratic/backtrack). */
enum min_style { MIN_FIRE = 0, MIN_CG = 1 };
struct min_opts {
	enum min_style style;
	double etol, ftol;
	long maxiter, maxeval;
	double dmax;              /* max displacement per iteration (distance) */
	double dt;                /* FIRE initial timestep */
	/* set (by a signal handler) to stop between iterations; NULL: never */
	volatile sig_atomic_t *stop;
};
struct min_result {
	long iters, evals;
	double e_start, e_final, fnorm2, fnorm_inf;
	const char *stop_reason;  /* "energy tolerance", "force tolerance", ... */
};
int minimize_run(struct md *m, const struct min_opts *o,
		 struct min_result *r, struct err *e);

#endif
