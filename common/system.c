/* system: build struct system / struct state from a LAMMPS data file and
 * set up the lj/cut pair tables exactly as LAMMPS does.
 *
 * Pair tables follow LAMMPS src/pair_lj_cut.cpp (init_one) and
 * src/pair.cpp (init, mix_energy/mix_distance): lj1..lj4 from pow(sigma,
 * 12/6), the shift offset from (sigma/rc), and the tail sums
 *   etail_ij =  8 pi Ni Nj eps sig^6 (  sig^6 - 3 rc^6) / (9 rc^9)
 *   ptail_ij = 16 pi Ni Nj eps sig^6 (2 sig^6 - 3 rc^6) / (9 rc^9)
 * added once for i == j and twice for i != j (Ni, Nj: atoms of each type). */
#include "system.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static void *xcalloc(size_t n, size_t size)
{
	return calloc(n ? n : 1, size);
}

/* ---- state ------------------------------------------------------------ */

void state_free(struct state *st)
{
	if (!st)
		return;
	free(st->x);
	free(st->y);
	free(st->z);
	free(st->vx);
	free(st->vy);
	free(st->vz);
	free(st->fx);
	free(st->fy);
	free(st->fz);
	free(st->ix);
	free(st->iy);
	free(st->iz);
	memset(st, 0, sizeof *st);
}

int state_alloc(struct state *st, size_t n, struct err *e)
{
	memset(st, 0, sizeof *st);
	st->n = n;
	double **d[] = {&st->x, &st->y, &st->z, &st->vx, &st->vy,
			&st->vz, &st->fx, &st->fy, &st->fz};
	for (size_t k = 0; k < sizeof d / sizeof d[0]; k++)
		if (!(*d[k] = xcalloc(n, sizeof(double))))
			goto oom;
	int **im[] = {&st->ix, &st->iy, &st->iz};
	for (size_t k = 0; k < 3; k++)
		if (!(*im[k] = xcalloc(n, sizeof(int))))
			goto oom;
	return 0;
oom:
	state_free(st);
	return err_set(e, "out of memory for %zu atoms", n);
}

int state_copy(struct state *dst, const struct state *src, struct err *e)
{
	struct state t;
	if (state_alloc(&t, src->n, e) != 0)
		return -1;
	size_t nd = src->n * sizeof(double), ni = src->n * sizeof(int);
	memcpy(t.x, src->x, nd);
	memcpy(t.y, src->y, nd);
	memcpy(t.z, src->z, nd);
	memcpy(t.vx, src->vx, nd);
	memcpy(t.vy, src->vy, nd);
	memcpy(t.vz, src->vz, nd);
	memcpy(t.fx, src->fx, nd);
	memcpy(t.fy, src->fy, nd);
	memcpy(t.fz, src->fz, nd);
	memcpy(t.ix, src->ix, ni);
	memcpy(t.iy, src->iy, ni);
	memcpy(t.iz, src->iz, ni);
	memcpy(t.lo, src->lo, sizeof t.lo);
	memcpy(t.len, src->len, sizeof t.len);
	t.step = src->step;
	t.time = src->time;
	state_free(dst);
	*dst = t;
	return 0;
}

/* ---- pair lj/cut -------------------------------------------------------- */

static void pair_lj_free(struct pair_lj *p)
{
	double **a[] = {&p->eps, &p->sig, &p->cutsq, &p->lj1, &p->lj2,
			&p->lj3, &p->lj4, &p->offset};
	for (size_t k = 0; k < sizeof a / sizeof a[0]; k++) {
		free(*a[k]);
		*a[k] = NULL;
	}
}

/* p must be zero-initialised before its first setup; a later call replaces
 * the tables (the inputs may point into the old ones). */
int pair_lj_setup(struct pair_lj *p, size_t ntypes, const double *eps_ii,
		  const double *sig_ii, const double *eps_ij,
		  const double *sig_ij, const size_t *count_per_type,
		  double cutoff, enum lj_mix mix, int shift, int tail,
		  struct err *e)
{
	if (ntypes == 0)
		return err_set(e, "pair lj/cut: no atom types");
	if (!(cutoff > 0.0) || !isfinite(cutoff))
		return err_set(e, "pair lj/cut: cutoff %g must be positive",
			       cutoff);
	/* LAMMPS pair.cpp init refuses the combination too: the tail
	 * formula assumes the unshifted potential. */
	if (shift && tail)
		return err_set(e, "pair lj/cut: cannot have both shift and tail "
				  "corrections (as LAMMPS pair_modify)");
	if (mix != MIX_GEOMETRIC && mix != MIX_ARITHMETIC)
		return err_set(e, "pair lj/cut: unknown mixing rule %d",
			       (int)mix);
	size_t nt = ntypes, nn = nt * nt;
	for (size_t i = 0; i < nt; i++) {
		for (size_t j = 0; j < nt; j++) {
			double ep, sg;
			if (eps_ij) {
				ep = eps_ij[i * nt + j];
				sg = sig_ij[i * nt + j];
			} else if (i == j) {
				ep = eps_ii[i];
				sg = sig_ii[i];
			} else {
				continue;
			}
			if (!isfinite(ep) || ep < 0.0 || !isfinite(sg) ||
			    sg < 0.0)
				return err_set(e, "pair lj/cut: types %zu %zu: "
						  "eps %g sigma %g must be "
						  "finite and >= 0",
					       i + 1, j + 1, ep, sg);
		}
	}

	struct pair_lj q = {0};
	double **a[] = {&q.eps, &q.sig, &q.cutsq, &q.lj1, &q.lj2,
			&q.lj3, &q.lj4, &q.offset};
	for (size_t k = 0; k < sizeof a / sizeof a[0]; k++)
		if (!(*a[k] = xcalloc(nn, sizeof(double)))) {
			pair_lj_free(&q);
			return err_set(e, "out of memory");
		}
	q.ntypes = nt;
	q.cut_global = cutoff;
	q.shift = shift != 0;
	q.tail = tail != 0;
	q.mix = mix;

	/* Every pair has the global cutoff; LAMMPS mixes cut_ii, cut_jj with
	 * the same rule, and sqrt(rc*rc) == rc, (rc+rc)/2 == rc exactly. */
	double rc = cutoff;
	for (size_t i = 0; i < nt; i++) {
		for (size_t j = i; j < nt; j++) {
			double ep, sg;
			if (eps_ij) {
				ep = eps_ij[i * nt + j];
				sg = sig_ij[i * nt + j];
			} else if (i == j) {
				ep = eps_ii[i];
				sg = sig_ii[i];
			} else {
				/* Pair::mix_energy: eps mixes geometrically
				 * under both rules; Pair::mix_distance. */
				ep = sqrt(eps_ii[i] * eps_ii[j]);
				sg = mix == MIX_ARITHMETIC
					     ? 0.5 * (sig_ii[i] + sig_ii[j])
					     : sqrt(sig_ii[i] * sig_ii[j]);
			}
			double lj1 = 48.0 * ep * pow(sg, 12.0);
			double lj2 = 24.0 * ep * pow(sg, 6.0);
			double lj3 = 4.0 * ep * pow(sg, 12.0);
			double lj4 = 4.0 * ep * pow(sg, 6.0);
			double off = 0.0;
			if (q.shift) {
				double ratio = sg / rc;
				off = 4.0 * ep * (pow(ratio, 12.0) -
						  pow(ratio, 6.0));
			}
			size_t ij = i * nt + j, ji = j * nt + i;
			q.eps[ij] = q.eps[ji] = ep;
			q.sig[ij] = q.sig[ji] = sg;
			q.cutsq[ij] = q.cutsq[ji] = rc * rc;
			q.lj1[ij] = q.lj1[ji] = lj1;
			q.lj2[ij] = q.lj2[ji] = lj2;
			q.lj3[ij] = q.lj3[ji] = lj3;
			q.lj4[ij] = q.lj4[ji] = lj4;
			q.offset[ij] = q.offset[ji] = off;
			if (q.tail) {
				double ni = (double)count_per_type[i];
				double nj = (double)count_per_type[j];
				double sig2 = sg * sg;
				double sig6 = sig2 * sig2 * sig2;
				double rc3 = rc * rc * rc;
				double rc6 = rc3 * rc3;
				double rc9 = rc3 * rc6;
				double et = 8.0 * M_PI * ni * nj * ep * sig6 *
					    (sig6 - 3.0 * rc6) / (9.0 * rc9);
				double pt = 16.0 * M_PI * ni * nj * ep * sig6 *
					    (2.0 * sig6 - 3.0 * rc6) /
					    (9.0 * rc9);
				q.etail += et;
				q.ptail += pt;
				if (i != j) {
					q.etail += et;
					q.ptail += pt;
				}
			}
		}
	}
	pair_lj_free(p);
	*p = q;
	return 0;
}

/* ---- system ------------------------------------------------------------- */

void system_free(struct system *sys)
{
	if (!sys)
		return;
	free(sys->type);
	free(sys->mass);
	free(sys->mass_type);
	free(sys->id);
	free(sys->mol);
	free(sys->q);
	pair_lj_free(&sys->lj);
	memset(sys, 0, sizeof *sys);
}

/* The "# style" comment of Pair Coeffs names the pair style LAMMPS wrote;
 * we run lj/cut (and accept its coulomb variants, whose LJ part is the
 * same), or trust a file without a comment. */
static int pair_style_ok(const char *s)
{
	return s[0] == '\0' || strncmp(s, "lj/cut", 6) == 0;
}

int system_from_data(struct system *sys, struct state *st,
		     const struct lmp_data *d, const struct system_opts *o,
		     const char *path, struct err *e)
{
	size_t n = d->natoms, nt = d->ntypes;
	size_t *count = NULL;
	double *eps_ii = NULL, *sig_ii = NULL;
	memset(sys, 0, sizeof *sys);
	memset(st, 0, sizeof *st);

	if (d->triclinic)
		return err_set(e, "%s: triclinic box (xy xz yz) is not supported; "
				  "only orthorhombic boxes", path);
	if (n == 0)
		return err_set(e, "%s: no atoms", path);
	if (nt == 0)
		return err_set(e, "%s: no atom types", path);
	if (!d->has_mass)
		return err_set(e, "%s: no Masses section", path);
	/* The style first: the reader keeps no values of a non-LJ style, so
	 * the missing values would otherwise be reported instead. */
	if (!pair_style_ok(d->pair_style))
		return err_set(e, "%s: Pair Coeffs are for pair style '%s'; only "
				  "lj/cut is supported", path, d->pair_style);
	if (!d->has_pair && !d->has_pairij)
		return err_set(e, "%s: no Pair Coeffs section (pair style lj/cut "
				  "needs eps and sigma per type)", path);
	for (int a = 0; a < 3; a++) {
		double len = d->hi[a] - d->lo[a];
		if (!isfinite(d->lo[a]) || !isfinite(d->hi[a]) || !(len > 0.0))
			return err_set(e, "%s: box %c from %g to %g is empty",
				       path, "xyz"[a], d->lo[a], d->hi[a]);
	}
	for (size_t t = 0; t < nt; t++)
		if (!(d->mass[t] > 0.0) || !isfinite(d->mass[t]))
			return err_set(e, "%s: mass %g of type %zu must be "
					  "positive", path, d->mass[t], t + 1);
	/* Only the global cutoff is supported: a per-type cutoff in the file
	 * would change the physics silently, so refuse one that differs. */
	if (d->pair_cut)
		for (size_t k = 0; k < nt * nt; k++)
			if (d->pair_cut[k] != 0.0 && d->pair_cut[k] != o->cutoff)
				return err_set(e, "%s: Pair Coeffs give cutoff %g "
						  "for types %zu %zu; only one "
						  "global cutoff (%g) is "
						  "supported", path,
					       d->pair_cut[k], k / nt + 1,
					       k % nt + 1, o->cutoff);

	if (state_alloc(st, n, e) != 0)
		return err_prefix(e, "%s", path);
	sys->type = xcalloc(n, sizeof *sys->type);
	sys->mass = xcalloc(n, sizeof *sys->mass);
	sys->mass_type = xcalloc(nt, sizeof *sys->mass_type);
	sys->id = xcalloc(n, sizeof *sys->id);
	sys->mol = xcalloc(n, sizeof *sys->mol);
	sys->q = xcalloc(n, sizeof *sys->q);
	count = xcalloc(nt, sizeof *count);
	eps_ii = xcalloc(nt, sizeof *eps_ii);
	sig_ii = xcalloc(nt, sizeof *sig_ii);
	if (!sys->type || !sys->mass || !sys->mass_type || !sys->id ||
	    !sys->mol || !sys->q || !count || !eps_ii || !sig_ii) {
		err_set(e, "%s: out of memory for %zu atoms", path, n);
		goto fail;
	}
	units_set(&sys->units, o->units);
	sys->natoms = n;
	sys->ntypes = nt;
	memcpy(sys->mass_type, d->mass, nt * sizeof *d->mass);
	for (size_t i = 0; i < n; i++) {
		int t = d->type[i];
		if (t < 1 || (size_t)t > nt) {
			err_set(e, "%s: atom id %ld has type %d, outside 1..%zu",
				path, d->id[i], t, nt);
			goto fail;
		}
		if (!isfinite(d->x[i]) || !isfinite(d->y[i]) ||
		    !isfinite(d->z[i])) {
			err_set(e, "%s: atom id %ld has a non-finite coordinate",
				path, d->id[i]);
			goto fail;
		}
		sys->type[i] = t - 1;
		sys->mass[i] = d->mass[t - 1];
		sys->id[i] = d->id[i];
		sys->mol[i] = d->mol ? d->mol[i] : 0;
		sys->q[i] = d->q ? d->q[i] : 0.0;
		count[t - 1]++;
		st->x[i] = d->x[i];
		st->y[i] = d->y[i];
		st->z[i] = d->z[i];
		st->ix[i] = d->ix ? d->ix[i] : 0;
		st->iy[i] = d->iy ? d->iy[i] : 0;
		st->iz[i] = d->iz ? d->iz[i] : 0;
		if (d->vx) {
			st->vx[i] = d->vx[i];
			st->vy[i] = d->vy[i];
			st->vz[i] = d->vz[i];
			if (!isfinite(st->vx[i]) || !isfinite(st->vy[i]) ||
			    !isfinite(st->vz[i])) {
				err_set(e, "%s: atom id %ld has a non-finite "
					   "velocity", path, d->id[i]);
				goto fail;
			}
		}
	}
	for (int a = 0; a < 3; a++) {
		st->lo[a] = d->lo[a];
		st->len[a] = d->hi[a] - d->lo[a];
	}
	st->step = 0;
	st->time = 0.0;

	for (size_t t = 0; t < nt; t++) {
		eps_ii[t] = d->pair_eps[t * nt + t];
		sig_ii[t] = d->pair_sig[t * nt + t];
	}
	if (pair_lj_setup(&sys->lj, nt, eps_ii, sig_ii,
			  d->has_pairij ? d->pair_eps : NULL,
			  d->has_pairij ? d->pair_sig : NULL, count, o->cutoff,
			  o->mix, o->shift, o->tail, e) != 0) {
		err_prefix(e, "%s", path);
		goto fail;
	}
	sys->dof = 3.0 * (double)n - 3.0;
	free(count);
	free(eps_ii);
	free(sig_ii);
	return 0;
fail:
	free(count);
	free(eps_ii);
	free(sig_ii);
	system_free(sys);
	state_free(st);
	return -1;
}
