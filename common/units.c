#include "units.h"

#include <string.h>

void units_set(struct units *u, enum units_style style)
{
	memset(u, 0, sizeof *u);
	u->style = style;
	if (style == UNITS_REAL) {
		/* LAMMPS src/update.cpp, set_units("real") */
		u->name = "real";
		u->boltz = 0.0019872067;
		u->mvv2e = 48.88821291 * 48.88821291;
		u->ftm2v = 1.0 / 48.88821291 / 48.88821291;
		u->nktv2p = 68568.415;
		u->qqr2e = 332.06371;
		u->dt_default = 1.0;
		u->time_to_file = 1e-3;
		u->vel_to_file = 1e3;
		u->u_energy = "kcal/mol";
		u->u_time = "fs";
		u->u_temp = "K";
		u->u_press = "atm";
		u->u_dist = "A";
		u->u_vel = "A/fs";
	} else {
		u->name = "lj";
		u->boltz = 1.0;
		u->mvv2e = 1.0;
		u->ftm2v = 1.0;
		u->nktv2p = 1.0;
		u->qqr2e = 1.0;
		u->dt_default = 0.005;
		u->time_to_file = 1.0;
		u->vel_to_file = 1.0;
		u->u_energy = "eps";
		u->u_time = "tau";
		u->u_temp = "eps/kB";
		u->u_press = "eps/sigma^3";
		u->u_dist = "sigma";
		u->u_vel = "sigma/tau";
	}
}

int units_init(struct units *u, const char *name, struct err *e)
{
	if (name && strcmp(name, "real") == 0)
		units_set(u, UNITS_REAL);
	else if (name && strcmp(name, "lj") == 0)
		units_set(u, UNITS_LJ);
	else
		return err_set(e, "unknown unit style '%s' (expected lj or real)",
			       name ? name : "(null)");
	return 0;
}
