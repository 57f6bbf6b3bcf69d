#include "setup.h"

#include <math.h>
#include <stdlib.h>

#include "molecules.h"
#include "traj_nc.h"

/* A trajectory frame (not a restart) has no image flags, and AMBER
 * trajectories hold wrapped positions: molecules cut by the box would
 * look broken. Each atom gets the image that puts it within half a box
 * of its molecule's reference atom (molecules.c's grouping and
 * convention; bonded_check still refuses a molecule longer than half the
 * box). */
static int molecules_whole(const struct system *sys, struct state *st,
			   struct err *e)
{
	struct molecules m;
	if (molecules_group_ids(&m, sys->mol, st->n, e) != 0)
		return -1;
	int *img[3] = {st->ix, st->iy, st->iz};
	const double *pos[3] = {st->x, st->y, st->z};
	for (size_t k = 0; k < m.nmol; k++) {
		const size_t r = m.atom[m.start[k]];
		for (size_t u = m.start[k] + 1; u < m.start[k + 1]; u++) {
			const size_t i = m.atom[u];
			for (int a = 0; a < 3; a++)
				img[a][i] = img[a][r] - (int)nearbyint(
					(pos[a][i] - pos[a][r]) / st->len[a]);
		}
	}
	molecules_free(&m);
	return 0;
}

int setup_whole_zero_images(const struct system *sys, struct state *st,
			    struct err *e)
{
	if (!sys->mol)
		return 0;
	for (size_t i = 0; i < st->n; i++)
		if (st->ix[i] || st->iy[i] || st->iz[i])
			return 0;
	return molecules_whole(sys, st, e);
}

int setup_from_traj(const struct system *sys, struct state *st,
		    const char *path, int *had_vel, struct err *e)
{
	struct traj_nc *t;
	if (traj_nc_open(&t, path, e) != 0)
		return -1;
	int rc = -1;
	struct frame f = {0};
	size_t nf = traj_nc_nframes(t);
	if (traj_nc_natoms(t) != st->n) {
		err_set(e, "%s: %zu atoms, but the data file has %zu", path,
			traj_nc_natoms(t), st->n);
		goto out;
	}
	if (nf == 0) {
		err_set(e, "%s: no frames", path);
		goto out;
	}
	if (traj_nc_units(t) != sys->units.style) {
		err_set(e, "%s: written in %s units, this run uses %s", path,
			traj_nc_units(t) == UNITS_LJ ? "lj" : "real",
			sys->units.name);
		goto out;
	}
	int hv = traj_nc_has_vel(t);
	if (frame_alloc(&f, st->n, hv, e) != 0 ||
	    traj_nc_read(t, nf - 1, &f, e) != 0)
		goto out;
	if (frame_check(&f, e) != 0) {
		err_prefix(e, "%s: frame %zu", path, nf - 1);
		goto out;
	}
	for (size_t i = 0; i < st->n; i++) {
		st->x[i] = f.x[i];
		st->y[i] = f.y[i];
		st->z[i] = f.z[i];
		st->ix[i] = st->iy[i] = st->iz[i] = 0;
		if (hv) {
			st->vx[i] = f.vx[i];
			st->vy[i] = f.vy[i];
			st->vz[i] = f.vz[i];
		}
	}
	if (f.has_cell)
		for (int a = 0; a < 3; a++)
			st->len[a] = f.cell[a];
	double *img = NULL;
	size_t nimg;
	int r = traj_nc_read_extra(t, "soretkit_images", &img, &nimg, e);
	if (r < 0)
		goto out;
	if (r == 0 && nimg == 3 * st->n)
		for (size_t i = 0; i < st->n; i++) {
			st->ix[i] = (int)img[i];
			st->iy[i] = (int)img[st->n + i];
			st->iz[i] = (int)img[2 * st->n + i];
		}
	free(img);
	if (!(r == 0 && nimg == 3 * st->n) && sys->mol &&
	    molecules_whole(sys, st, e) != 0)
		goto out;
	double *lt = NULL;
	size_t nlt;
	r = traj_nc_read_extra(t, "soretkit_lo_time", &lt, &nlt, e);
	if (r < 0)
		goto out;
	if (r == 0 && nlt >= 3)
		for (int a = 0; a < 3; a++)
			st->lo[a] = lt[a];
	free(lt);
	*had_vel = hv;
	rc = 0;
out:
	frame_free(&f);
	traj_nc_close(t, NULL);
	return rc;
}
