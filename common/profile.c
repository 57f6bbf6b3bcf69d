/* profile: slab temperature, density and concentration profiles; the
 * definitions are in profile.h (notes/algorithms.md 2.1-2.3). */
#include "profile.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

const char *profile_conc_name(enum profile_conc c)
{
	switch (c) {
	case PROFILE_CONC_MOLEFRAC: return "molefrac";
	case PROFILE_CONC_MOLALITY: return "molality";
	case PROFILE_CONC_DENSITY: return "density";
	default: return "none";
	}
}

const char *profile_conc_unit(enum profile_conc c, const struct units *u,
			      char *buf, size_t n)
{
	switch (c) {
	case PROFILE_CONC_MOLEFRAC: snprintf(buf, n, "mol/mol"); break;
	case PROFILE_CONC_MOLALITY: snprintf(buf, n, "mol/kg"); break;
	case PROFILE_CONC_DENSITY: snprintf(buf, n, "%s^-3", u->u_dist); break;
	default: snprintf(buf, n, "none"); break;
	}
	return buf;
}

int profile_conc_parse(const char *s, enum profile_conc *c, struct err *e)
{
	if (!strcmp(s, "molefrac")) *c = PROFILE_CONC_MOLEFRAC;
	else if (!strcmp(s, "molality")) *c = PROFILE_CONC_MOLALITY;
	else if (!strcmp(s, "density")) *c = PROFILE_CONC_DENSITY;
	else return err_set(e, "--conc: '%s' is not molefrac, molality or density", s);
	return 0;
}

static void block_free(struct profile_block *b)
{
	free(b->ke);
	free(b->dof);
	free(b->natom);
	free(b->nsolute);
	free(b->nsolvent);
	free(b->msolvent);
	memset(b, 0, sizeof *b);
}

void profile_free(struct profile *p)
{
	if (p->blk)
		for (size_t b = 0; b < p->o.nblocks; b++)
			block_free(&p->blk[b]);
	free(p->blk);
	free(p->mass);
	free(p->solute_type);
	free(p->solvent_type);
	free(p->mol_start);
	free(p->mol_atom);
	free(p->mol_kind);
	free(p->mol_mass);
	free(p->bin_of);
	free(p->wm);
	free(p->wp);
	free(p->wn);
	free(p->wke);
	memset(p, 0, sizeof *p);
}

struct keyed { long key; size_t atom; };

static int by_key(const void *a, const void *b)
{
	const struct keyed *x = a, *y = b;
	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->atom < y->atom ? -1 : x->atom > y->atom;
}

/* Group atoms into molecules by molecule id. Atomic systems, and atoms with
 * molecule id 0 (LAMMPS: "not part of a molecule"), are molecules of one
 * atom. Within a molecule atoms stay in id order, so the reference atom for
 * making it whole is the one with the smallest id. */
static int group_molecules(struct profile *p, const struct lmp_data *d,
			   struct err *e)
{
	size_t n = d->natoms;
	struct keyed *k = malloc(n * sizeof *k);
	p->mol_atom = malloc(n * sizeof *p->mol_atom);
	p->mol_start = malloc((n + 1) * sizeof *p->mol_start);
	if (!k || !p->mol_atom || !p->mol_start) {
		free(k);
		return err_set(e, "out of memory");
	}
	int molecular = d->style == LMP_FULL && d->mol;
	for (size_t i = 0; i < n; i++) {
		long m = molecular ? d->mol[i] : 0;
		/* negative keys cannot collide with LAMMPS molecule ids (>= 0) */
		k[i].key = m > 0 ? m : -(long)i - 1;
		k[i].atom = i;
	}
	qsort(k, n, sizeof *k, by_key);
	p->nmol = 0;
	for (size_t i = 0; i < n; i++) {
		if (i == 0 || k[i].key != k[i - 1].key)
			p->mol_start[p->nmol++] = i;
		p->mol_atom[i] = k[i].atom;
	}
	p->mol_start[p->nmol] = n;
	free(k);
	return 0;
}

static int classify_molecules(struct profile *p, const struct lmp_data *d,
			      struct err *e)
{
	p->mol_kind = calloc(p->nmol ? p->nmol : 1, sizeof *p->mol_kind);
	p->mol_mass = calloc(p->nmol ? p->nmol : 1, sizeof *p->mol_mass);
	if (!p->mol_kind || !p->mol_mass)
		return err_set(e, "out of memory");
	for (size_t m = 0; m < p->nmol; m++) {
		int su = 0, sv = 0;
		for (size_t j = p->mol_start[m]; j < p->mol_start[m + 1]; j++) {
			size_t a = p->mol_atom[j];
			su |= p->solute_type[p->type[a]];
			sv |= p->solvent_type[p->type[a]];
			p->mol_mass[m] += p->mass[a];
		}
		if (su && sv) {
			size_t a = p->mol_atom[p->mol_start[m]];
			return err_set(e, "molecule %ld (atom id %ld) has both solute "
				       "and solvent atom types",
				       d->style == LMP_FULL && d->mol ? d->mol[a] : 0L,
				       d->id ? d->id[a] : (long)a + 1);
		}
		p->mol_kind[m] = su ? 1 : sv ? 2 : 0;
	}
	return 0;
}

static int set_types(int *flag, size_t ntypes, const int *types, size_t n,
		     const char *what, struct err *e)
{
	for (size_t i = 0; i < n; i++) {
		if (types[i] < 1 || (size_t)types[i] > ntypes)
			return err_set(e, "%s: atom type %d does not exist (the data "
				       "file has %zu types)", what, types[i], ntypes);
		flag[types[i]] = 1;
	}
	return 0;
}

static int alloc_block(struct profile_block *b, size_t nb, size_t nt)
{
	b->ke = calloc(nb, sizeof *b->ke);
	b->dof = calloc(nb, sizeof *b->dof);
	b->natom = calloc(nb * nt, sizeof *b->natom);
	b->nsolute = calloc(nb, sizeof *b->nsolute);
	b->nsolvent = calloc(nb, sizeof *b->nsolvent);
	b->msolvent = calloc(nb, sizeof *b->msolvent);
	return b->ke && b->dof && b->natom && b->nsolute && b->nsolvent &&
	       b->msolvent ? 0 : -1;
}

int profile_init(struct profile *p, const struct profile_opts *o,
		 const struct lmp_data *d, size_t nframes,
		 const struct units *u, struct err *e)
{
	memset(p, 0, sizeof *p);
	p->o = *o;
	p->u = *u;
	if (o->axis < 0 || o->axis > 2)
		return err_set(e, "axis must be x, y or z");
	if (o->nbins < 1 || o->nblocks < 1)
		return err_set(e, "need at least one bin and one block");
	if (!(o->dof_per_atom > 0.0 && o->dof_per_atom <= 3.0))
		return err_set(e, "degrees of freedom per atom %g not in (0, 3]",
			       o->dof_per_atom);
	if (o->conc == PROFILE_CONC_MOLALITY && u->style != UNITS_REAL)
		return err_set(e, "molality needs masses in g/mol (--units real)");
	if (o->conc != PROFILE_CONC_NONE && o->nsolute == 0)
		return err_set(e, "a concentration needs solute types");
	if ((o->conc == PROFILE_CONC_MOLEFRAC || o->conc == PROFILE_CONC_MOLALITY) &&
	    o->nsolvent == 0)
		return err_set(e, "--conc %s needs solvent types",
			       profile_conc_name(o->conc));
	if (d->natoms == 0 || d->ntypes == 0)
		return err_set(e, "the data file has no atoms");
	if (!d->has_mass || !d->mass)
		return err_set(e, "the data file has no Masses section");
	if (d->triclinic)
		return err_set(e, "triclinic boxes are not supported");
	if (nframes < o->nblocks)
		return err_set(e, "%zu frames cannot make %zu blocks (use --blocks "
			       "at most the number of frames)", nframes, o->nblocks);
	p->natoms = d->natoms;
	p->ntypes = d->ntypes;
	p->nframes_total = nframes;
	p->type = d->type;
	for (int a = 0; a < 3; a++)
		p->box[a] = d->hi[a] - d->lo[a];
	p->centre = 0.5 * (d->lo[o->axis] + d->hi[o->axis]);
	if (!(p->box[o->axis] > 0.0) || !isfinite(p->centre))
		return err_set(e, "the data file box is empty along the axis");

	size_t n = p->natoms, nb = o->nbins;
	p->mass = malloc(n * sizeof *p->mass);
	p->solute_type = calloc(p->ntypes + 1, sizeof *p->solute_type);
	p->solvent_type = calloc(p->ntypes + 1, sizeof *p->solvent_type);
	p->bin_of = malloc(n * sizeof *p->bin_of);
	p->wm = malloc(nb * sizeof *p->wm);
	p->wp = malloc(3 * nb * sizeof *p->wp);
	p->wn = malloc(nb * sizeof *p->wn);
	p->wke = malloc(nb * sizeof *p->wke);
	p->blk = calloc(o->nblocks, sizeof *p->blk);
	if (!p->mass || !p->solute_type || !p->solvent_type || !p->bin_of ||
	    !p->wm || !p->wp || !p->wn || !p->wke || !p->blk)
		goto oom;
	for (size_t b = 0; b < o->nblocks; b++)
		if (alloc_block(&p->blk[b], nb, p->ntypes) != 0)
			goto oom;
	for (size_t i = 0; i < n; i++) {
		int t = d->type[i];
		if (t < 1 || (size_t)t > p->ntypes)
			goto fail_type;
		p->mass[i] = d->mass[t - 1];
		if (!(p->mass[i] > 0.0) || !isfinite(p->mass[i])) {
			err_set(e, "atom type %d has mass %g; masses must be positive",
				t, p->mass[i]);
			goto fail;
		}
	}
	if (set_types(p->solute_type, p->ntypes, o->solute, o->nsolute,
		      "--solute", e) != 0 ||
	    set_types(p->solvent_type, p->ntypes, o->solvent, o->nsolvent,
		      "--solvent", e) != 0)
		goto fail;
	for (size_t t = 1; t <= p->ntypes; t++)
		if (p->solute_type[t] && p->solvent_type[t]) {
			err_set(e, "atom type %zu is both solute and solvent", t);
			goto fail;
		}
	if (group_molecules(p, d, e) != 0 || classify_molecules(p, d, e) != 0)
		goto fail;
	return 0;
fail_type:
	err_set(e, "atom type out of range in the data file");
	goto fail;
oom:
	err_set(e, "out of memory");
fail:
	profile_free(p);
	return -1;
}

static size_t bin_index(double x, double lo, double len, size_t nb)
{
	double s = (x - lo) / len;
	s -= floor(s);
	size_t k = (size_t)(s * (double)nb);
	/* s just below 1 can round s*nb up to nb */
	return k < nb ? k : nb - 1;
}

static int frame_box(const struct profile *p, const struct frame *f,
		     double len[3], struct err *e)
{
	if (!f->has_cell) {
		memcpy(len, p->box, 3 * sizeof *len);
		return 0;
	}
	if (frame_check_cell(f, e) != 0)
		return -1;
	for (int a = 0; a < 3; a++) {
		if (!(f->cell[a] > 0.0) || !isfinite(f->cell[a]))
			return err_set(e, "cell length %g is not positive",
				       f->cell[a]);
		len[a] = f->cell[a];
	}
	return 0;
}

/* Temperature part: atoms binned by position, slab COM velocity removed.
 * Two passes (momentum, then |v - V|^2) rather than sum m v^2 - M V^2, which
 * cancels badly when a slab drifts fast compared with its thermal speed. */
static void add_temperature(struct profile *p, const struct frame *f,
			    struct profile_block *b, double lo, double len)
{
	size_t nb = p->o.nbins, nt = p->ntypes;
	const double *pos = p->o.axis == 0 ? f->x : p->o.axis == 1 ? f->y : f->z;
	memset(p->wm, 0, nb * sizeof *p->wm);
	memset(p->wp, 0, 3 * nb * sizeof *p->wp);
	memset(p->wn, 0, nb * sizeof *p->wn);
	memset(p->wke, 0, nb * sizeof *p->wke);
	for (size_t i = 0; i < p->natoms; i++) {
		size_t k = bin_index(pos[i], lo, len, nb);
		double m = p->mass[i];
		p->bin_of[i] = k;
		p->wm[k] += m;
		p->wp[3 * k] += m * f->vx[i];
		p->wp[3 * k + 1] += m * f->vy[i];
		p->wp[3 * k + 2] += m * f->vz[i];
		p->wn[k] += 1.0;
		b->natom[k * nt + (size_t)(p->type[i] - 1)] += 1.0;
	}
	for (size_t k = 0; k < nb; k++)
		if (p->wm[k] > 0.0)
			for (int a = 0; a < 3; a++)
				p->wp[3 * k + a] /= p->wm[k];   /* now V_k */
	for (size_t i = 0; i < p->natoms; i++) {
		size_t k = p->bin_of[i];
		double dx = f->vx[i] - p->wp[3 * k];
		double dy = f->vy[i] - p->wp[3 * k + 1];
		double dz = f->vz[i] - p->wp[3 * k + 2];
		p->wke[k] += p->mass[i] * (dx * dx + dy * dy + dz * dz);
	}
	for (size_t k = 0; k < nb; k++) {
		double dof = p->o.dof_per_atom * p->wn[k] - 3.0;
		if (p->wn[k] < 2.0 || !(dof > 0.0))
			continue;   /* no temperature in this frame */
		b->ke[k] += p->wke[k] * p->u.mvv2e;
		b->dof[k] += dof;
	}
}

/* Concentration part: molecules binned by their centre of mass along the
 * axis, made whole by the minimum image relative to their first atom. */
static void add_molecules(struct profile *p, const struct frame *f,
			  struct profile_block *b, double lo, double len)
{
	const double *pos = p->o.axis == 0 ? f->x : p->o.axis == 1 ? f->y : f->z;
	for (size_t m = 0; m < p->nmol; m++) {
		if (!p->mol_kind[m])
			continue;
		size_t j0 = p->mol_start[m], j1 = p->mol_start[m + 1];
		double x0 = pos[p->mol_atom[j0]], s = 0.0;
		for (size_t j = j0 + 1; j < j1; j++) {
			size_t a = p->mol_atom[j];
			double dx = pos[a] - x0;
			dx -= len * nearbyint(dx / len);
			s += p->mass[a] * dx;
		}
		size_t k = bin_index(x0 + s / p->mol_mass[m], lo, len, p->o.nbins);
		if (p->mol_kind[m] == 1) {
			b->nsolute[k] += 1.0;
		} else {
			b->nsolvent[k] += 1.0;
			b->msolvent[k] += p->mol_mass[m];
		}
	}
}

int profile_add(struct profile *p, const struct frame *f, struct err *e)
{
	size_t k = p->nframes;
	if (k >= p->nframes_total)
		return err_set(e, "more frames than planned (%zu)", p->nframes_total);
	if (f->natoms != p->natoms)
		return err_set(e, "%zu atoms, the data file has %zu", f->natoms,
			       p->natoms);
	if (!f->vx || !f->vy || !f->vz)
		return err_set(e, "no velocities");
	double len[3];
	if (frame_box(p, f, len, e) != 0)
		return -1;
	for (size_t i = 0; i < p->natoms; i++)
		if (!isfinite(f->x[i]) || !isfinite(f->y[i]) || !isfinite(f->z[i]) ||
		    !isfinite(f->vx[i]) || !isfinite(f->vy[i]) || !isfinite(f->vz[i]))
			return err_set(e, "atom %zu (index in id order) has a "
				       "non-finite position or velocity", i + 1);
	double L = len[p->o.axis], lo = p->centre - 0.5 * L;
	/* contiguous blocks of floor or ceil(F/B) frames */
	struct profile_block *b = &p->blk[k * p->o.nblocks / p->nframes_total];
	add_temperature(p, f, b, lo, L);
	add_molecules(p, f, b, lo, L);
	b->vol += len[0] * len[1] * len[2] / (double)p->o.nbins;
	b->nframes++;
	p->sum_len += L;
	p->nframes++;
	return 0;
}

void profile_result_free(struct profile_result *r)
{
	free(r->z);
	free(r->T);
	free(r->T_err);
	free(r->c);
	free(r->c_err);
	free(r->nsolute);
	free(r->nsolvent);
	free(r->rho);
	memset(r, 0, sizeof *r);
}

/* Temperature and concentration from the sums of one block (or of the
 * pooled sums); NaN where undefined. */
static double temp_of(const struct profile *p, double ke, double dof)
{
	return dof > 0.0 ? ke / (p->u.boltz * dof) : NAN;
}

static double conc_of(const struct profile *p, double ns, double nv,
		      double mv, double vol)
{
	switch (p->o.conc) {
	case PROFILE_CONC_MOLEFRAC: return ns + nv > 0.0 ? ns / (ns + nv) : NAN;
	/* mol solute per kg solvent: masses in g/mol */
	case PROFILE_CONC_MOLALITY: return mv > 0.0 ? ns * 1000.0 / mv : NAN;
	case PROFILE_CONC_DENSITY: return vol > 0.0 ? ns / vol : NAN;
	default: return NAN;
	}
}

/* Standard error of the mean of the finite values among v[0..n-1]. */
static double sem_of(const double *v, size_t n)
{
	double s = 0.0, ss = 0.0;
	size_t m = 0;
	for (size_t i = 0; i < n; i++)
		if (isfinite(v[i])) {
			s += v[i];
			m++;
		}
	if (m < 2)
		return NAN;
	double mean = s / (double)m;
	for (size_t i = 0; i < n; i++)
		if (isfinite(v[i]))
			ss += (v[i] - mean) * (v[i] - mean);
	return sqrt(ss / (double)(m - 1) / (double)m);
}

int profile_finish(const struct profile *p, struct profile_result *r,
		   struct err *e)
{
	size_t nb = p->o.nbins, nt = p->ntypes, B = p->o.nblocks;
	memset(r, 0, sizeof *r);
	if (p->nframes != p->nframes_total || p->nframes == 0)
		return err_set(e, "%zu of %zu planned frames were added", p->nframes,
			       p->nframes_total);
	int conc = p->o.conc != PROFILE_CONC_NONE;
	r->nbins = nb;
	r->ntypes = nt;
	r->nframes = p->nframes;
	r->z = malloc(nb * sizeof *r->z);
	r->T = malloc(nb * sizeof *r->T);
	r->T_err = malloc(nb * sizeof *r->T_err);
	r->nsolute = malloc(nb * sizeof *r->nsolute);
	r->nsolvent = malloc(nb * sizeof *r->nsolvent);
	r->rho = malloc(nb * nt * sizeof *r->rho);
	if (conc) {
		r->c = malloc(nb * sizeof *r->c);
		r->c_err = malloc(nb * sizeof *r->c_err);
	}
	double *tb = malloc(B * sizeof *tb), *cb = malloc(B * sizeof *cb);
	if (!r->z || !r->T || !r->T_err || !r->nsolute || !r->nsolvent ||
	    !r->rho || (conc && (!r->c || !r->c_err)) || !tb || !cb) {
		free(tb);
		free(cb);
		profile_result_free(r);
		return err_set(e, "out of memory");
	}
	double F = (double)p->nframes;
	r->len = p->sum_len / F;
	r->lo = p->centre - 0.5 * r->len;
	double vol = 0.0;
	for (size_t b = 0; b < B; b++)
		vol += p->blk[b].vol;
	for (size_t k = 0; k < nb; k++) {
		double ke = 0, dof = 0, ns = 0, nv = 0, mv = 0;
		for (size_t b = 0; b < B; b++) {
			const struct profile_block *bl = &p->blk[b];
			ke += bl->ke[k];
			dof += bl->dof[k];
			ns += bl->nsolute[k];
			nv += bl->nsolvent[k];
			mv += bl->msolvent[k];
			tb[b] = temp_of(p, bl->ke[k], bl->dof[k]);
			cb[b] = conc_of(p, bl->nsolute[k], bl->nsolvent[k],
					bl->msolvent[k], bl->vol);
		}
		r->z[k] = r->lo + ((double)k + 0.5) * r->len / (double)nb;
		r->T[k] = temp_of(p, ke, dof);
		r->T_err[k] = sem_of(tb, B);
		if (conc) {
			r->c[k] = conc_of(p, ns, nv, mv, vol);
			r->c_err[k] = sem_of(cb, B);
		}
		r->nsolute[k] = ns / F;
		r->nsolvent[k] = nv / F;
		for (size_t t = 0; t < nt; t++) {
			double na = 0;
			for (size_t b = 0; b < B; b++)
				na += p->blk[b].natom[k * nt + t];
			r->rho[k * nt + t] = na / vol;
		}
	}
	free(tb);
	free(cb);
	return 0;
}
