/* units: the LAMMPS unit styles `lj` and `real`, with LAMMPS's constants
 * (src/update.cpp, force.h) so that a number here means what it means there.
 *
 * real: distance Å, time fs, mass g/mol, energy kcal/mol, velocity Å/fs,
 *       force kcal/mol/Å, temperature K, pressure atm, charge e.
 * lj:   everything reduced (sigma, epsilon, m, tau = sigma sqrt(m/eps), kB = 1).
 *
 * Trajectory files (AMBER NetCDF) store real-unit runs in Å, ps, Å/ps;
 * lj runs store reduced values unchanged (time_to_file = vel_to_file = 1). */
#ifndef SK_UNITS_H
#define SK_UNITS_H

#include "err.h"

enum units_style { UNITS_LJ = 0, UNITS_REAL = 1 };

struct units {
	enum units_style style;
	const char *name;     /* "lj" or "real" */
	double boltz;         /* kB in energy/temperature */
	double mvv2e;         /* mass*velocity^2 -> energy */
	double ftm2v;         /* force/mass*time -> velocity */
	double nktv2p;        /* (energy/volume) -> pressure */
	double qqr2e;         /* Coulomb constant: q^2/distance -> energy */
	double dt_default;    /* LAMMPS default timestep */
	double time_to_file;  /* engine time unit -> file time unit (fs->ps) */
	double vel_to_file;   /* engine velocity unit -> file unit (Å/fs->Å/ps) */
	const char *u_energy, *u_time, *u_temp, *u_press, *u_dist, *u_vel;
};

/* Fill u for style name "lj" or "real"; -1 and a message otherwise. */
int units_init(struct units *u, const char *name, struct err *e);
void units_set(struct units *u, enum units_style style);

#endif
