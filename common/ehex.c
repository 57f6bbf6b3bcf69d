/* ehex: HEX/eHEX heat exchange; see ehex.h and notes/algorithms.md §1. */
#include "ehex.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "constrain.h"
#include "omp_util.h"

void ehex_init(struct ehex *h, double cold_z0, double cold_z1, double hot_z0,
	       double hot_z1, double flux, int correct)
{
	memset(h, 0, sizeof *h);
	h->slab[0] = (struct ehex_slab){cold_z0, cold_z1, -fabs(flux)};
	h->slab[1] = (struct ehex_slab){hot_z0, hot_z1, fabs(flux)};
	h->correct = correct;
	h->min_atoms = 10;
}

static inline int in_slab_z(const struct state *st, double z, double z0,
			    double z1)
{
	double L = st->len[2];
	z -= L * floor((z - st->lo[2]) / L);
	return z >= z0 && z < z1;
}

static int by_mol(const void *a, const void *b, void *ctx)
{
	const long *mol = ctx;
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	if (mol[i] != mol[j])
		return mol[i] < mol[j] ? -1 : 1;
	return i < j ? -1 : i > j;
}

/* Molecules as groups of atom indices (sorted by molecule id, atoms in
 * index order), built once; atoms with molecule id 0 are groups of one. */
static int build_groups(struct ehex *h, const struct system *sys)
{
	size_t n = sys->natoms;
	if (h->gatom && h->ngatom == n)
		return 0;
	free(h->gatom);
	free(h->gstart);
	h->gatom = malloc((n + 1) * sizeof *h->gatom);
	h->gstart = malloc((n + 2) * sizeof *h->gstart);
	if (!h->gatom || !h->gstart)
		return -1;
	for (size_t i = 0; i < n; i++)
		h->gatom[i] = i;
	qsort_r(h->gatom, n, sizeof *h->gatom, by_mol, sys->mol);
	h->ngroup = 0;
	for (size_t a = 0; a < n;) {
		size_t b = a + 1;
		long mol = sys->mol[h->gatom[a]];
		while (mol != 0 && b < n && sys->mol[h->gatom[b]] == mol)
			b++;
		h->gstart[h->ngroup++] = a;
		a = b;
	}
	h->gstart[h->ngroup] = n;
	h->ngatom = n;
	return 0;
}

/* Membership of reservoir [z0, z1): by each atom's wrapped z, or with
 * constraints (LAMMPS fix ehex `constrain com`) by the wrapped z of each
 * molecule's centre of mass, made whole by the minimum image relative to
 * its first atom, so that all sites of a molecule are in or out together. */
static int membership(struct ehex *h, const struct md *m, double z0,
		      double z1, unsigned char *mask)
{
	const struct state *st = m->st;
	if (!m->cons) {
		for (size_t i = 0; i < st->n; i++)
			mask[i] = (unsigned char)in_slab_z(st, st->z[i], z0, z1);
		return 0;
	}
	if (build_groups(h, m->sys) != 0)
		return -1;
	const double *mass = m->sys->mass, L = st->len[2];
	for (size_t g = 0; g < h->ngroup; g++) {
		size_t a = h->gstart[g], b = h->gstart[g + 1];
		size_t i0 = h->gatom[a];
		double mz = 0.0, mt = 0.0;
		for (size_t k = a; k < b; k++) {
			size_t i = h->gatom[k];
			double dz = st->z[i] - st->z[i0];
			dz -= L * nearbyint(dz / L);
			mz += mass[i] * (st->z[i0] + dz);
			mt += mass[i];
		}
		unsigned char in = (unsigned char)in_slab_z(st, mz / mt, z0, z1);
		for (size_t k = a; k < b; k++)
			mask[h->gatom[k]] = in;
	}
	return 0;
}

/* Sums over one reservoir, in engine units without mvv2e (mass*velocity^2
 * for K), as fix ehex com_properties; ncons: constraints inside it. */
struct slab_sums {
	int n;
	long ncons;
	double mass, mv[3], mv2, f[3], fv;
};

/* The sums of the atoms a0..a1-1 that mask marks, added to s in atom
 * order. */
static void sum_range(const struct md *m, const unsigned char *mask,
		      size_t a0, size_t a1, struct slab_sums *s)
{
	const struct state *st = m->st;
	const double *mass = m->sys->mass;
	for (size_t i = a0; i < a1; i++) {
		if (!mask[i])
			continue;
		double mi = mass[i];
		s->n++;
		if (m->cons)
			s->ncons += m->cons->ndof[i];
		s->mass += mi;
		s->mv[0] += mi * st->vx[i];
		s->mv[1] += mi * st->vy[i];
		s->mv[2] += mi * st->vz[i];
		s->mv2 += mi * (st->vx[i] * st->vx[i] + st->vy[i] * st->vy[i] +
				st->vz[i] * st->vz[i]);
		s->f[0] += st->fx[i];
		s->f[1] += st->fy[i];
		s->f[2] += st->fz[i];
		s->fv += st->fx[i] * st->vx[i] + st->fy[i] * st->vy[i] +
			 st->fz[i] * st->vz[i];
	}
}

/* mask records membership so that the later passes act on the same atoms
 * even if the position correction moves one across the edge. Without
 * constraints, membership and sums by work item (md_work_items: each
 * thread the atoms it has just moved), the items' sums added in item
 * order (one item: the serial sums' bits); a serial pass over every atom
 * cost the paper's eHEX runs ~50 us a step on 2 threads, reading the
 * other thread's atoms. With constraints, membership goes by molecule,
 * serially. */
static int slab_sum(struct ehex *h, const struct md *m, double z0, double z1,
		    unsigned char *mask, struct slab_sums *s)
{
	const struct state *st = m->st;
	memset(s, 0, sizeof *s);
	if (m->cons) {
		if (membership(h, m, z0, z1, mask) != 0)
			return -1;
		sum_range(m, mask, 0, st->n, s);
		return 0;
	}
	const int items = md_work_items(m);
	if (items == 1) { /* no parallel region: ~1% of a 1-thread step */
		for (size_t i = 0; i < st->n; i++)
			mask[i] = (unsigned char)in_slab_z(st, st->z[i], z0, z1);
		sum_range(m, mask, 0, st->n, s);
		return 0;
	}
	struct slab_sums part[MD_MAX_ITEMS];
#pragma omp parallel num_threads(items)
	{
		const int t = omp_util_thread_id(), nt = omp_util_team_size();
		for (int w = t; w < items; w += nt) {
			size_t a0, a1;
			md_item_atoms(m, w, items, &a0, &a1);
			for (size_t i = a0; i < a1; i++)
				mask[i] = (unsigned char)in_slab_z(st, st->z[i], z0,
								   z1);
			memset(&part[w], 0, sizeof part[w]);
			sum_range(m, mask, a0, a1, &part[w]);
		}
	}
	for (int w = 0; w < items; w++) {
		const struct slab_sums *p = &part[w];
		s->n += p->n;
		s->ncons += p->ncons;
		s->mass += p->mass;
		for (int a = 0; a < 3; a++) {
			s->mv[a] += p->mv[a];
			s->f[a] += p->f[a];
		}
		s->mv2 += p->mv2;
		s->fv += p->fv;
	}
	return 0;
}

static int ensure_mask(struct ehex *h, size_t n)
{
	if (h->nmask != n) {
		unsigned char *mk = realloc(h->mask, n + 1);
		if (!mk)
			return -1;
		h->mask = mk;
		h->nmask = n;
	}
	return 0;
}

double ehex_slab_temp(struct ehex *h, const struct md *m, int k)
{
	struct slab_sums s;
	if (ensure_mask(h, m->st->n) != 0 ||
	    slab_sum(h, m, h->slab[k].z0, h->slab[k].z1, h->mask, &s) != 0)
		return NAN;
	double dof = 3.0 * s.n - (double)s.ncons - 3.0;
	if (s.n < 2 || s.mass <= 0 || !(dof > 0))
		return 0.0;
	double vg2 = 0;
	for (int a = 0; a < 3; a++)
		vg2 += (s.mv[a] / s.mass) * (s.mv[a] / s.mass);
	double kr = 0.5 * (s.mv2 - s.mass * vg2) * m->sys->units.mvv2e;
	return 2.0 * kr / (dof * m->sys->units.boltz);
}

/* The marked atoms among a0..a1-1: with fm, eHEX's position correction
 * (paper Eq. 20, dt3 = dt^3), then the rescaling of their velocities
 * about vg by xi. */
static void correct_range(const struct md *m, const unsigned char *mask,
			  size_t a0, size_t a1, double dt3, double c1,
			  double c2, const double *fm, const double vg[3],
			  double xi)
{
	struct state *st = m->st;
	const double *mass = m->sys->mass;
	for (size_t i = a0; i < a1 && fm; i++) {
		if (!mask[i])
			continue;
		double im = 1.0 / mass[i];
		/* eta/(m K) = F/(2 K^2) (v - vG); c1 carries F/(2K^2) */
		st->x[i] -= dt3 * (c1 * (st->vx[i] - vg[0]) - c2 * (st->fx[i] * im - fm[0]));
		st->y[i] -= dt3 * (c1 * (st->vy[i] - vg[1]) - c2 * (st->fy[i] * im - fm[1]));
		st->z[i] -= dt3 * (c1 * (st->vz[i] - vg[2]) - c2 * (st->fz[i] * im - fm[2]));
	}
	/* the velocities about the slab's centre-of-mass velocity */
	for (size_t i = a0; i < a1; i++) {
		if (!mask[i])
			continue;
		st->vx[i] = vg[0] + xi * (st->vx[i] - vg[0]);
		st->vy[i] = vg[1] + xi * (st->vy[i] - vg[1]);
		st->vz[i] = vg[2] + xi * (st->vz[i] - vg[2]);
	}
}

/* correct_range on every atom, by work item (each atom's arithmetic the
 * same whoever does it); one item: no parallel region. */
static void correct_rescale(const struct md *m, const unsigned char *mask,
			    double dt3, double c1, double c2, const double *fm,
			    const double vg[3], double xi)
{
	const int items = md_work_items(m);
	if (items == 1) {
		correct_range(m, mask, 0, m->st->n, dt3, c1, c2, fm, vg, xi);
		return;
	}
#pragma omp parallel num_threads(items)
	{
		const int t = omp_util_thread_id(), nt = omp_util_team_size();
		for (int w = t; w < items; w += nt) {
			size_t a0, a1;
			md_item_atoms(m, w, items, &a0, &a1);
			correct_range(m, mask, a0, a1, dt3, c1, c2, fm, vg, xi);
		}
	}
}

static int exchange(struct ehex *h, int k, struct md *m, struct err *e)
{
	const struct ehex_slab *sl = &h->slab[k];
	struct state *st = m->st;
	const double ftm2v = m->sys->units.ftm2v, dt = m->dt;
	struct slab_sums s;
	unsigned char *mask = h->mask;
	if (slab_sum(h, m, sl->z0, sl->z1, mask, &s) != 0)
		return err_set(e, "out of memory");
	const char *name = k ? "hot" : "cold";
	h->natoms_last[k] = s.n;
	if (s.n < h->min_atoms)
		return err_set(e, "step %ld: the %s slab [%g, %g) holds %d atoms "
			       "(at least %d needed for a meaningful exchange)",
			       st->step, name, sl->z0, sl->z1, s.n, h->min_atoms);
	double vg[3], vg2 = 0;
	for (int a = 0; a < 3; a++) {
		vg[a] = s.mv[a] / s.mass;
		vg2 += vg[a] * vg[a];
	}
	/* Kr in mass*velocity^2 (twice the kinetic energy over mvv2e... as
	 * LAMMPS: Kr = 1/2 sum m v^2 - 1/2 M vG^2 without mvv2e). */
	double kr = 0.5 * (s.mv2 - s.mass * vg2);
	/* flux in mass*velocity^2 per time unit */
	double F = sl->flux * ftm2v;
	if (!(kr > 0.0))
		return err_set(e, "step %ld: the %s slab has no thermal kinetic "
			       "energy", st->step, name);
	double xi2 = 1.0 + F * dt / kr;
	if (!(xi2 > 0.0))
		return err_set(e, "step %ld: the %s slab's kinetic energy would go "
			       "negative (flux too large for its %d atoms)",
			       st->step, name, s.n);
	double xi = sqrt(xi2);
	if (h->correct) {
		/* Paper Eq. 20, with S_r = sum f.(v - vG) and forces converted
		 * to accelerations by ftm2v. */
		double sr = (s.fv - (s.f[0] * vg[0] + s.f[1] * vg[1] + s.f[2] * vg[2])) * ftm2v;
		double c1 = (F / 48.0 + sr / 6.0) * F / (2.0 * kr * kr);
		double c2 = F / (12.0 * kr) * ftm2v;
		double fm[3] = {s.f[0] / s.mass, s.f[1] / s.mass, s.f[2] / s.mass};
		correct_rescale(m, mask, dt * dt * dt, c1, c2, fm, vg, xi);
	} else {
		correct_rescale(m, mask, 0.0, 0.0, 0.0, NULL, vg, xi);
	}
	h->xi_last[k] = xi;
	if (k)
		h->heat_in += sl->flux * dt;
	else
		h->heat_out -= sl->flux * dt;
	return 0;
}

int ehex_apply(struct ehex *h, struct md *m, struct err *e)
{
	if (ensure_mask(h, m->st->n) != 0)
		return err_set(e, "out of memory");
	for (int k = 0; k < 2; k++)
		if (exchange(h, k, m, e) != 0)
			return -1;
	/* fix ehex `constrain`: the constraint forces again for the moved
	 * positions and rescaled velocities (shake_end_of_step) */
	if (m->cons && constrain_end_of_step(m->cons, m, e) != 0)
		return -1;
	h->nexchange++;
	return 0;
}

size_t ehex_pack(const struct ehex *h, double *buf, size_t max)
{
	if (max < EHEX_PACK_N)
		return 0;
	buf[0] = 1.0; /* layout version */
	buf[1] = h->heat_in;
	buf[2] = h->heat_out;
	buf[3] = h->etotal0;
	buf[4] = h->have_e0;
	buf[5] = (double)h->nexchange;
	buf[6] = h->natoms_last[0];
	buf[7] = h->natoms_last[1];
	buf[8] = h->xi_last[0];
	buf[9] = h->xi_last[1];
	return EHEX_PACK_N;
}

int ehex_unpack(struct ehex *h, const double *buf, size_t n, struct err *e)
{
	if (n != EHEX_PACK_N || buf[0] != 1.0)
		return err_set(e, "checkpoint: eHEX state has an unknown layout");
	h->heat_in = buf[1];
	h->heat_out = buf[2];
	h->etotal0 = buf[3];
	h->have_e0 = buf[4] != 0.0;
	h->nexchange = (long)buf[5];
	h->natoms_last[0] = (int)buf[6];
	h->natoms_last[1] = (int)buf[7];
	h->xi_last[0] = buf[8];
	h->xi_last[1] = buf[9];
	return 0;
}

void ehex_free(struct ehex *h)
{
	free(h->mask);
	free(h->gatom);
	free(h->gstart);
	h->mask = NULL;
	h->gatom = h->gstart = NULL;
	h->nmask = h->ngatom = h->ngroup = 0;
}
