/* md: force evaluation and the thermo quantities of LAMMPS compute temp /
 * compute pressure, shared by every front end. */
#include "md.h"
#include "omp_util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int md_forces(struct md *m, struct err *e)
{
	return md_forces_eflag(m, 1, e);
}

/* First atom with a non-finite force component, or n if none. The sum
 * f*0 is NaN exactly when some f is Inf or NaN: one vectorised pass, the
 * search only on failure. */
static size_t first_nonfinite(const struct state *st)
{
	const double *restrict fx = st->fx, *restrict fy = st->fy,
			       *restrict fz = st->fz;
	const size_t n = st->n;
	double z = 0.0;
#pragma omp parallel for simd schedule(static) reduction(+ : z)
	for (size_t i = 0; i < n; i++)
		z += fx[i] * 0.0 + fy[i] * 0.0 + fz[i] * 0.0;
	if (z == 0.0)
		return n;
	for (size_t i = 0; i < n; i++)
		if (!isfinite(fx[i]) || !isfinite(fy[i]) || !isfinite(fz[i]))
			return i;
	return n;
}

/* After a force pass: count it, refuse non-finite energy or forces, and
 * leave no stale energy behind a forces-only pass. */
static int forces_check(struct md *m, int energy, const struct pair_kick *k,
			struct err *e)
{
	struct state *st = m->st;
	m->nforce++;
	/* Overlapping atoms or a blown-up integration show up here first:
	 * refuse to carry non-finite numbers into the trajectory. */
	if (energy && !isfinite(energy_pe(&m->en)))
		return err_set(e, "step %ld: non-finite potential energy "
				  "(overlapping atoms or unstable integration?)",
			       st->step);
	size_t i = k && !k->nonfinite ? st->n : first_nonfinite(st);
	if (i < st->n)
		return err_set(e, "step %ld: non-finite force on atom id "
				  "%ld (overlapping atoms?)",
			       st->step, m->sys->id[i]);
	if (!energy) { /* nothing may read a stale value */
		m->en.evdwl = m->en.ecoul = m->en.elong = NAN;
		m->en.ebond = m->en.eangle = m->en.edihed = m->en.eimp = NAN;
		for (int c = 0; c < 6; c++)
			m->en.virial[c] = NAN;
	}
	return 0;
}

/* Rebuild the list at the current positions, atoms renumbered in its
 * order (md_reorder). */
static int rebuild(struct md *m, struct err *e)
{
	if (nbr_build(m->nl, m->st, e) != 0)
		return -1;
	md_reorder(m);
	return 0;
}

/* md_forces_eflag on a list that is up to date; with k (LJ pairs only:
 * no soft-core or force-field terms), the final half kick done in the
 * pair pass. */
static int forces_listed(struct md *m, int energy, struct pair_kick *k,
			 struct err *e)
{
	struct state *st = m->st;
	/* Soft-core terms add to m->en: keep it whole. Force-field terms add
	 * to it too, and are discarded below when energy is 0. */
	if (m->sc)
		energy = 1;
	memset(&m->en, 0, sizeof m->en);
	if (k)
		pair_lj_compute_kick(&m->sys->lj, m->sys->type, st, m->nl,
				     energy ? &m->en : NULL, k);
	else if (!m->ff)
		pair_lj_compute(&m->sys->lj, m->sys->type, st, m->nl,
				energy ? &m->en : NULL);
	else if (forcefield_pair(m->ff, m->sys, st, m->nl,
				 energy ? &m->en : NULL, e) != 0)
		return err_prefix(e, "step %ld", st->step);
	if (m->sc)
		softcore_compute(m->sc, st, &m->en);
	if (m->ff && forcefield_compute(m->ff, m->sys, st, m->nl, &m->en, e) != 0)
		return err_prefix(e, "step %ld", st->step);
	return forces_check(m, energy, k, e);
}

/* forces_listed after a rebuild if the list is due (nbr_needs_rebuild). */
static int forces(struct md *m, int energy, struct pair_kick *k,
		  struct err *e)
{
	if (nbr_needs_rebuild(m->nl, m->st) && rebuild(m, e) != 0)
		return -1;
	return forces_listed(m, energy, k, e);
}

int md_forces_eflag(struct md *m, int energy, struct err *e)
{
	return forces(m, energy, NULL, e);
}

void md_kick(const struct system *sys, struct state *st, double dtf)
{
	/* restrict copies: the loop and its division vectorised */
	double *restrict vx = st->vx, *restrict vy = st->vy,
		       *restrict vz = st->vz;
	const double *restrict fx = st->fx, *restrict fy = st->fy,
			       *restrict fz = st->fz, *restrict mass = sys->mass;
#pragma omp parallel for simd schedule(static)
	for (size_t i = 0; i < st->n; i++) {
		double dtfm = dtf / mass[i];
		vx[i] += dtfm * fx[i];
		vy[i] += dtfm * fy[i];
		vz[i] += dtfm * fz[i];
	}
}

int md_forces_kick(struct md *m, int energy, double dtf, struct err *e)
{
	if (m->sc || m->ff) {
		if (forces(m, energy, NULL, e) != 0)
			return -1;
		md_kick_items(m, dtf);
		return 0;
	}
	struct pair_kick k = {m->sys->mass, dtf, 0, NULL};
	return forces(m, energy, &k, e);
}

int md_work_items(const struct md *m)
{
	const int k = m->nl ? nbr_items(m->nl) : 0;
	return k >= 1 && k <= MD_MAX_ITEMS ? k : 1;
}

void md_item_atoms(const struct md *m, int w, int items, size_t *a0,
		   size_t *a1)
{
	if (items == 1) {
		*a0 = 0;
		*a1 = m->st->n;
	} else {
		nbr_atom_range(m->nl, w, items, a0, a1);
	}
}

/* The kinetic energy from the items' sums of m v^2, in item order. */
static double sum_items(const struct md *m, const double *mv2)
{
	const int items = md_work_items(m);
	double sum = 0.0;
	for (int w = 0; w < items; w++)
		sum += mv2[w];
	return 0.5 * sum * m->sys->units.mvv2e;
}

/* md_step_nve and md_step_nh: with scaled, v *= vscale first; with mv2
 * ([items] or NULL), the items' sums of m v^2 after the final kick. */
static int step_verlet(struct md *m, int energy, int scaled, double vscale,
		       double dtf, double dtv, double *mv2, const char *name,
		       struct err *e)
{
	if (m->sc || m->ff)
		return err_set(e, "%s: LJ pairs only", name);
	struct state *st = m->st;
	struct pair_kick k = {m->sys->mass, dtf, 0, mv2};
	const struct pair_drift d = {m->sys->mass, dtf, dtv,
				     nbr_trigger_sq(m->nl, st), scaled, vscale};
	memset(&m->en, 0, sizeof m->en);
	if (pair_lj_step_nve(&m->sys->lj, m->sys->type, st, m->nl,
			     energy ? &m->en : NULL, &d, &k) == 0)
		return forces_check(m, energy, &k, e);
	/* the list is due (the pass checked the moved atoms; a non-finite
	 * position is named by the build) */
	if (rebuild(m, e) != 0)
		return -1;
	return forces_listed(m, energy, &k, e);
}

int md_step_nve(struct md *m, int energy, double dtf, double dtv,
		struct err *e)
{
	return step_verlet(m, energy, 0, 1.0, dtf, dtv, NULL, "md_step_nve", e);
}

int md_step_nh(struct md *m, int energy, double vscale, double dtf,
	       double dtv, double *ke, struct err *e)
{
	const int items = nbr_items(m->nl);
	double mv2[MD_MAX_ITEMS];
	if (items < 1 || items > MD_MAX_ITEMS)
		return err_set(e, "md_step_nh: %d work items (1 to %d)", items,
			       MD_MAX_ITEMS);
	if (step_verlet(m, energy, 1, vscale, dtf, dtv, mv2, "md_step_nh", e))
		return -1;
	/* the items of the pass (a rebuild may have made others) */
	*ke = sum_items(m, mv2);
	return 0;
}

double md_ke_items(const struct md *m)
{
	const int items = md_work_items(m);
	double mv2[MD_MAX_ITEMS];
#pragma omp parallel num_threads(items) if (items > 1)
	{
		const int t = omp_util_thread_id(), nt = omp_util_team_size();
		for (int w = t; w < items; w += nt) {
			size_t a0, a1;
			md_item_atoms(m, w, items, &a0, &a1);
			mv2[w] = state_mv2_range(m->st, m->sys->mass, a0, a1);
		}
	}
	return sum_items(m, mv2);
}

void md_ktensor_items(const struct md *m, int nc, double k[6])
{
	const int items = md_work_items(m);
	double part[MD_MAX_ITEMS][6];
#pragma omp parallel num_threads(items) if (items > 1)
	{
		const int t = omp_util_thread_id(), nt = omp_util_team_size();
		for (int w = t; w < items; w += nt) {
			size_t a0, a1;
			md_item_atoms(m, w, items, &a0, &a1);
			state_ktensor_range(m->st, m->sys->mass, a0, a1, nc, part[w]);
		}
	}
	for (int a = 0; a < 6; a++) {
		k[a] = 0.0;
		for (int w = 0; w < items && a < nc; w++)
			k[a] += part[w][a];
	}
}

void md_kick_items(struct md *m, double dtf)
{
	const int items = md_work_items(m);
#pragma omp parallel num_threads(items) if (items > 1)
	{
		const int t = omp_util_thread_id(), nt = omp_util_team_size();
		for (int w = t; w < items; w += nt) {
			size_t a0, a1;
			md_item_atoms(m, w, items, &a0, &a1);
			md_kick_range(m->st, m->sys->mass, a0, a1, dtf);
		}
	}
}

void md_scale_v(struct md *m, double f)
{
	const int items = md_work_items(m);
#pragma omp parallel num_threads(items) if (items > 1)
	{
		const int t = omp_util_thread_id(), nt = omp_util_team_size();
		for (int w = t; w < items; w += nt) {
			size_t a0, a1;
			md_item_atoms(m, w, items, &a0, &a1);
			md_scale_range(m->st, a0, a1, f);
		}
	}
}

double md_ke(const struct system *sys, const struct state *st)
{
	return 0.5 * state_mv2_range(st, sys->mass, 0, st->n) *
	       sys->units.mvv2e;
}

double md_temp(const struct system *sys, const struct state *st)
{
	if (sys->dof <= 0.0)
		return 0.0;
	return 2.0 * md_ke(sys, st) / (sys->dof * sys->units.boltz);
}

double md_volume(const struct state *st)
{
	return st->len[0] * st->len[1] * st->len[2];
}

/* LAMMPS compute pressure: P = (dof kB T + tr(virial)) / (3V) * nktv2p,
 * with dof kB T = 2 KE. */
double md_pressure(const struct md *m, double ke)
{
	const double *w = m->en.virial, *c = m->cvirial;
	double v = md_volume(m->st);
	return (2.0 * ke + w[0] + w[1] + w[2] + (c[0] + c[1] + c[2])) /
	       (3.0 * v) *
	       m->sys->units.nktv2p;
}

/* LAMMPS compute pressure vector: kinetic tensor sum m v_a v_b * mvv2e plus
 * the virial, divided by V, times nktv2p. */
void md_pressure_tensor(const struct md *m, double p[6])
{
	double k[6];
	md_ktensor_items(m, 6, k);
	md_pressure_tensor_from(m, k, 6, p);
}

void md_pressure_tensor_from(const struct md *m, const double *k, int nc,
			     double *p)
{
	double f = m->sys->units.nktv2p / md_volume(m->st);
	for (int a = 0; a < nc; a++)
		p[a] = (k[a] * m->sys->units.mvv2e + m->en.virial[a] +
			m->cvirial[a]) * f;
}

void md_zero_momentum(const struct system *sys, struct state *st)
{
	double p[3] = {0}, mt = 0.0;
	for (size_t i = 0; i < st->n; i++) {
		p[0] += sys->mass[i] * st->vx[i];
		p[1] += sys->mass[i] * st->vy[i];
		p[2] += sys->mass[i] * st->vz[i];
		mt += sys->mass[i];
	}
	if (mt <= 0.0)
		return;
	for (int a = 0; a < 3; a++)
		p[a] /= mt;
	for (size_t i = 0; i < st->n; i++) {
		st->vx[i] -= p[0];
		st->vy[i] -= p[1];
		st->vz[i] -= p[2];
	}
}

void md_velocity_create(const struct system *sys, struct state *st, double t,
			struct rng *r)
{
	/* Maxwell-Boltzmann: each component Gaussian with variance
	 * kB T / (m mvv2e); then zero momentum and rescale to exactly t. */
	for (size_t i = 0; i < st->n; i++) {
		double s = sqrt(sys->units.boltz * t /
				(sys->mass[i] * sys->units.mvv2e));
		st->vx[i] = s * rng_gauss(r);
		st->vy[i] = s * rng_gauss(r);
		st->vz[i] = s * rng_gauss(r);
	}
	md_zero_momentum(sys, st);
	double tnow = md_temp(sys, st);
	if (tnow > 0.0) {
		double f = sqrt(t / tnow);
		for (size_t i = 0; i < st->n; i++) {
			st->vx[i] *= f;
			st->vy[i] *= f;
			st->vz[i] *= f;
		}
	}
}

/* ---- atom order (struct md: reorder) ----------------------------------- */

enum { NPERM_D = 11, NPERM_I = 4, NPERM_L = 2 };

int md_allow_reorder(struct md *m, struct system *sys, struct err *e)
{
	size_t n = m->st->n;
	if (sys != m->sys)
		return err_set(e, "md_allow_reorder: not the md's system");
	md_free_order(m);
	m->orig = malloc(n * sizeof *m->orig);
	/* per array a private n-element copy, so that the arrays can be
	 * permuted in parallel; then the order itself */
	m->reorder_buf = malloc((NPERM_D + NPERM_L) * n * sizeof(double) +
				(NPERM_I + 2) * n * sizeof(int));
	if (!m->orig || !m->reorder_buf) {
		md_free_order(m);
		return err_set(e, "out of memory");
	}
	for (size_t i = 0; i < n; i++)
		m->orig[i] = (int)i;
	m->sysw = sys;
	m->reorder = 1;
	if (nbr_nbuilds(m->nl) > 0)
		md_reorder(m);
	return 0;
}

void md_free_order(struct md *m)
{
	free(m->orig);
	free(m->reorder_buf);
	m->orig = NULL;
	m->reorder_buf = NULL;
	m->reorder = 0;
	m->sysw = NULL;
}

/* The order's place in the reorder buffer, after the arrays' copies. */
static int *order_buf(const struct md *m)
{
	const size_t n = m->st->n;
	return (int *)((double *)m->reorder_buf + (NPERM_D + NPERM_L) * n) +
	       NPERM_I * n;
}

/* The arrays the renumbering moves. */
struct perm_arrays {
	double *da[NPERM_D];
	int *ia[NPERM_I];
	long *la[NPERM_L];
};

static struct perm_arrays perm_arrays(struct md *m)
{
	struct state *st = m->st;
	struct system *sys = m->sysw;
	return (struct perm_arrays){
		{st->x, st->y, st->z, st->vx, st->vy, st->vz, st->fx, st->fy,
		 st->fz, sys->mass, sys->q},
		{st->ix, st->iy, st->iz, sys->type},
		{sys->id, sys->mol}};
}

/* New atoms j0 .. j1-1 (new atom j is old atom order[j]) gathered into
 * the copies in the reorder buffer. */
static void gather_range(struct md *m, const struct perm_arrays *pa,
			 const int *order, size_t j0, size_t j1)
{
	const size_t n = m->st->n;
	double *dbuf = m->reorder_buf;
	long *lbuf = (long *)(dbuf + NPERM_D * n);
	int *ibuf = (int *)(lbuf + NPERM_L * n);
	int *orig_tmp = order_buf(m) + n;
	for (int a = 0; a < NPERM_D; a++) {
		const double *v = pa->da[a];
		double *tmp = dbuf + (size_t)a * n;
		if (v)
			for (size_t j = j0; j < j1; j++)
				tmp[j] = v[order[j]];
	}
	for (int a = 0; a < NPERM_I; a++) {
		const int *v = pa->ia[a];
		int *tmp = ibuf + (size_t)a * n;
		for (size_t j = j0; j < j1; j++)
			tmp[j] = v[order[j]];
	}
	for (int a = 0; a < NPERM_L; a++) {
		const long *v = pa->la[a];
		long *tmp = lbuf + (size_t)a * n;
		if (v)
			for (size_t j = j0; j < j1; j++)
				tmp[j] = v[order[j]];
	}
	for (size_t j = j0; j < j1; j++)
		orig_tmp[j] = m->orig[order[j]];
}

/* The copies of atoms j0 .. j1-1 back into the arrays. */
static void copy_back_range(struct md *m, const struct perm_arrays *pa,
			    size_t j0, size_t j1)
{
	const size_t n = m->st->n, nj = j1 - j0;
	const double *dbuf = m->reorder_buf;
	const long *lbuf = (const long *)(dbuf + NPERM_D * n);
	const int *ibuf = (const int *)(lbuf + NPERM_L * n);
	for (int a = 0; a < NPERM_D; a++)
		if (pa->da[a])
			memcpy(pa->da[a] + j0, dbuf + (size_t)a * n + j0,
			       nj * sizeof(double));
	for (int a = 0; a < NPERM_I; a++)
		memcpy(pa->ia[a] + j0, ibuf + (size_t)a * n + j0,
		       nj * sizeof(int));
	for (int a = 0; a < NPERM_L; a++)
		if (pa->la[a])
			memcpy(pa->la[a] + j0, lbuf + (size_t)a * n + j0,
			       nj * sizeof(long));
	memcpy(m->orig + j0, order_buf(m) + n + j0, nj * sizeof *m->orig);
}

/* Renumber the atoms in order_buf's order (made here from the list,
 * nbr_order_item, unless given) in one parallel region by the list's
 * work items: each gathers its new atoms into the copies, then, after
 * all have read the old arrays, copies them back and renumbers its part
 * of the list. The items' atoms are the ranges the threads then drift
 * and fold (nbr_atom_range): a thread writes the lines it works on.
 * Before the first build there is nothing to follow (and orig is the
 * identity). */
static void renumber(struct md *m, int given)
{
	int *order = order_buf(m);
	struct nbr_list *nl = m->nl;
	const struct perm_arrays pa = perm_arrays(m);
	const int items = nbr_items(nl);
	if (items < 1)
		return;
#pragma omp parallel num_threads(items)
	{
		const int t = omp_util_thread_id(), nt = omp_util_team_size();
		for (int w = t; w < items; w += nt) {
			size_t j0, j1;
			nbr_item_atoms(nl, w, &j0, &j1);
			if (!given)
				nbr_order_item(nl, w, order);
			nbr_renumber_gather(nl, w, order);
			gather_range(m, &pa, order, j0, j1);
		}
#pragma omp barrier
		for (int w = t; w < items; w += nt) {
			size_t j0, j1;
			nbr_item_atoms(nl, w, &j0, &j1);
			copy_back_range(m, &pa, j0, j1);
			nbr_renumber_item(nl, w);
		}
	}
	nbr_renumber_end(nl);
}

void md_reorder(struct md *m)
{
	if (m->reorder)
		renumber(m, 0);
}

void md_input_order(struct md *m)
{
	if (!m->reorder)
		return;
	int *order = order_buf(m);
	for (size_t i = 0; i < m->st->n; i++)
		order[m->orig[i]] = (int)i;
	renumber(m, 1);
}
