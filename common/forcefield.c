/* forcefield: special-pair LJ correction, long-range Coulomb and bonded
 * terms added to the LJ kernel's forces (see forcefield.h). */
#include "forcefield.h"

#include "decouple.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int forcefield_opts_check(const struct forcefield_opts *o, struct err *e)
{
	if (o->kspace == KSPACE_PPPM_TIP4P && !o->has_tip4p)
		return err_set(e, "--kspace pppm/tip4p needs --tip4p OTYPE,HTYPE,"
				  "BTYPE,ATYPE,QDIST");
	if (o->kspace == KSPACE_PPPM && o->has_tip4p)
		return err_set(e, "--tip4p with --kspace pppm would put the O "
				  "charge on O in k-space and on M in real "
				  "space: use --kspace pppm/tip4p");
	return 0;
}

static const char *kspace_name(enum kspace_style k)
{
	switch (k) {
	case KSPACE_PPPM: return "pppm";
	case KSPACE_PPPM_TIP4P: return "pppm/tip4p";
	case KSPACE_EWALD: return "ewald";
	default: return "none";
	}
}

int forcefield_needed(const struct lmp_data *d)
{
	if (d->bonds.n || d->angles.n || d->dihedrals.n || d->impropers.n)
		return 1;
	if (d->q)
		for (size_t i = 0; i < d->natoms; i++)
			if (d->q[i] != 0.0)
				return 1;
	return 0;
}

void forcefield_free(struct forcefield *ff)
{
	if (!ff)
		return;
	if (ff->has_bonded)
		bonded_free(&ff->bonded);
	if (ff->has_special)
		special_free(&ff->sp);
	free(ff->spairs);
	free(ff->cpairs);
	coul_long_free(ff->cl);
	pair_ljcoul_free(&ff->plc);
	pppm_free(ff->pppm);
	ewald_free(ff->ewald);
	tip4p_free(ff->tip4p);
	free(ff->tip4p);
	memset(ff, 0, sizeof *ff);
}

int forcefield_create(struct forcefield *ff, const struct system *sys,
		      const struct lmp_data *d,
		      const struct forcefield_opts *o, const char *path,
		      struct err *e)
{
	memset(ff, 0, sizeof *ff);
	for (size_t i = 0; i < sys->natoms; i++)
		if (sys->q[i] != 0.0)
			ff->has_charge = 1;
	ff->kspace = o->kspace;
	if (ff->kspace == KSPACE_DEFAULT)
		ff->kspace = !ff->has_charge ? KSPACE_NONE
			     : o->has_tip4p ? KSPACE_PPPM_TIP4P : KSPACE_PPPM;
	if (ff->kspace != KSPACE_NONE && !ff->has_charge)
		return err_set(e, "%s: --kspace %s: the system has no charges",
			       path, kspace_name(ff->kspace));
	ff->accuracy = o->accuracy > 0 ? o->accuracy : 1e-5;
	ff->coul_cutoff = o->coul_cutoff > 0 ? o->coul_cutoff
					     : sys->lj.cut_global;
	ff->qqrd2e = sys->units.qqr2e;
	ff->allow_charged = o->allow_charged;
	ff->fftw_measure = o->fftw_measure;

	/* bonded_from_data names the unsupported style or missing row. */
	if (bonded_from_data(&ff->bonded, d, NULL, path, e) != 0)
		return -1;
	ff->has_bonded = 1;
	if (o->has_tip4p) {
		ff->tip4p = malloc(sizeof *ff->tip4p);
		if (!ff->tip4p) {
			err_set(e, "out of memory");
			goto fail;
		}
		if (tip4p_create(ff->tip4p, &o->tip4p, sys, d, path, e) != 0) {
			free(ff->tip4p);
			ff->tip4p = NULL;
			goto fail;
		}
	}
	if (special_from_data(&ff->sp, d, o->special_lj, o->special_coul,
			      path, e) != 0)
		goto fail;
	ff->has_special = 1;
	if (special_pairs(&ff->sp, &ff->spairs, &ff->nspairs, e) != 0)
		goto fail;
	if (ff->nspairs) {
		ff->cpairs = malloc(ff->nspairs * sizeof *ff->cpairs);
		if (!ff->cpairs) {
			err_set(e, "out of memory");
			goto fail;
		}
	}
	for (size_t k = 0; k < ff->nspairs; k++)
		if (ff->spairs[k].coul != 1.0)
			ff->cpairs[ff->ncpairs++] = (struct coul_pair){
				ff->spairs[k].i, ff->spairs[k].j,
				ff->spairs[k].coul};
	return 0;
fail:
	forcefield_free(ff);
	return -1;
}

int forcefield_prepare(struct forcefield *ff, const struct system *sys,
		       const struct state *st, struct err *e)
{
	if (ff->bonded.natoms &&
	    bonded_check(&ff->bonded, st->len, st->x, st->y, st->z, st->ix,
			 st->iy, st->iz, e) != 0)
		return -1;
	if (!ff->has_charge)
		return 0;
	double qsqsum;
	coul_long_qsums(sys->q, sys->natoms, &ff->qsum, &qsqsum);
	ff->nonneutral = fabs(ff->qsum) > COUL_NONNEUTRAL_SMALL;
	if (ff->nonneutral && ff->kspace != KSPACE_NONE && !ff->allow_charged)
		return err_set(e, "the system is not charge neutral (total "
				  "charge %.10g e): the k-space sum adds a "
				  "uniform neutralising background; give "
				  "--allow-charged to run it anyway",
			       ff->qsum);
	if (ff->kspace == KSPACE_PPPM || ff->kspace == KSPACE_PPPM_TIP4P) {
		struct pppm_opts po = {.accuracy = ff->accuracy,
				       .cutoff = ff->coul_cutoff,
				       .qqr2e = ff->qqrd2e,
				       .fftw_measure = ff->fftw_measure};
		ff->pppm = pppm_create(&po, st->len, sys->q, sys->natoms, e);
		if (!ff->pppm)
			return -1; /* pppm.c's messages say "pppm: " */
		struct pppm_info pi;
		pppm_get_info(ff->pppm, &pi);
		ff->g_ewald = pi.g_ewald;
	} else if (ff->kspace == KSPACE_EWALD) {
		struct ewald_opts eo = {.accuracy = ff->accuracy,
					.cutoff = ff->coul_cutoff,
					.qqr2e = ff->qqrd2e};
		if (ewald_create(&ff->ewald, &eo, st->len, sys->q, sys->natoms,
				 e) != 0)
			return -1; /* ewald.c's messages say "ewald: " */
		struct ewald_info ei;
		ewald_get_info(ff->ewald, &ei);
		ff->g_ewald = ei.g_ewald;
	}
	memcpy(ff->len_setup, st->len, sizeof ff->len_setup);
	/* kspace none: g = 0 and libm erfc (exactly 1), i.e. coul/cut. */
	struct coul_long_opts co = {.g_ewald = ff->g_ewald,
				    .cutoff = ff->coul_cutoff,
				    .qqrd2e = ff->qqrd2e,
				    .erfc_exact = ff->kspace == KSPACE_NONE};
	return coul_long_create(&ff->cl, &co, sys->natoms, e);
}

int forcefield_fuse(struct forcefield *ff, const struct system *sys,
		    const struct state *st, double skin, double *list_cutoff,
		    struct err *e)
{
	const double rlj = sys->lj.cut_global;
	const double rc = ff->coul_cutoff > rlj ? ff->coul_cutoff : rlj;
	*list_cutoff = rlj;
	ff->fused = 0;
	/* kspace none is coul/cut: erfc = 1 exactly, coul_long's libm path;
	 * tip4p's charges sit on M sites, not on the list's atoms */
	if (!ff->cl || ff->kspace == KSPACE_NONE || ff->tip4p)
		return 0;
	for (int a = 0; a < 3; a++)
		if (!(st->len[a] >= 2.0 * (rc + skin)))
			return 0;
	/* parameters the fused kernel cannot take stay with coul_long */
	struct err ignored = {{0}};
	if (pair_ljcoul_init(&ff->plc, ff->g_ewald, ff->coul_cutoff,
			     ff->qqrd2e, &ignored) != 0)
		return 0;
	ff->fused = 1;
	*list_cutoff = rc;
	return 0;
}

int forcefield_pair(struct forcefield *ff, const struct system *sys,
		    struct state *st, const struct nbr_list *nl,
		    struct energy *en, struct err *e)
{
	if (!ff->fused) {
		pair_lj_compute(&sys->lj, sys->type, st, nl, en);
		return 0;
	}
	return pair_ljcoul_compute(&ff->plc, &sys->lj, sys->type, sys->q, st,
				   nl, en, e);
}

/* Remove (1 - f) of the lj/cut term of each special pair with f != 1:
 * the kernel counted it at full strength (LAMMPS pair_lj_cut_coul_long:
 * E = f (E_LJ - offset), F = f F_LJ, for r < rc). The separation is the
 * kernel's (nbr_pair_sep), so that a 1-2 term of ~1e4 kcal/mol cancels
 * to the last bit. */
static void special_lj_correct(const struct forcefield *ff,
			       const struct system *sys, struct state *st,
			       const struct nbr_list *nl, struct energy *en)
{
	const struct pair_lj *p = &sys->lj;
	double ev = 0.0, w[6] = {0};
	for (size_t k = 0; k < ff->nspairs; k++) {
		const struct special_pair *sp = &ff->spairs[k];
		if (sp->lj == 1.0)
			continue;
		size_t i = sp->i, j = sp->j;
		size_t t = (size_t)sys->type[i] * p->ntypes + (size_t)sys->type[j];
		double d[3];
		nbr_pair_sep(nl, st, i, j, d);
		double rsq = d[0] * d[0] + d[1] * d[1] + d[2] * d[2];
		if (!(rsq < p->cutsq[t]))
			continue;
		double r2inv = 1.0 / rsq;
		double r6inv = r2inv * r2inv * r2inv;
		double forcelj = r6inv * (p->lj1[t] * r6inv - p->lj2[t]);
		double g = 1.0 - sp->lj;
		double fpair = g * forcelj * r2inv;
		st->fx[i] -= d[0] * fpair;
		st->fy[i] -= d[1] * fpair;
		st->fz[i] -= d[2] * fpair;
		st->fx[j] += d[0] * fpair;
		st->fy[j] += d[1] * fpair;
		st->fz[j] += d[2] * fpair;
		ev -= g * (r6inv * (p->lj3[t] * r6inv - p->lj4[t]) - p->offset[t]);
		w[0] -= d[0] * d[0] * fpair;
		w[1] -= d[1] * d[1] * fpair;
		w[2] -= d[2] * d[2] * fpair;
		w[3] -= d[0] * d[1] * fpair;
		w[4] -= d[0] * d[2] * fpair;
		w[5] -= d[1] * d[2] * fpair;
	}
	en->evdwl += ev;
	for (int a = 0; a < 6; a++)
		en->virial[a] += w[a];
}

int forcefield_kspace(struct forcefield *ff, const struct state *st,
		      const double *q, double *elong, double virial[6],
		      double *fx, double *fy, double *fz, struct err *e)
{
	if (memcmp(ff->len_setup, st->len, sizeof ff->len_setup) != 0) {
		int rc = ff->pppm ? pppm_setup(ff->pppm, st->len, e)
				  : ewald_setup(ff->ewald, st->len, e);
		if (rc != 0)
			return -1;
		memcpy(ff->len_setup, st->len, sizeof ff->len_setup);
	}
	return ff->pppm ? pppm_compute(ff->pppm, st, q, elong, virial, fx, fy,
				       fz, e)
			: ewald_compute(ff->ewald, st, q, elong, virial, fx, fy,
					fz, e);
}

int forcefield_compute(struct forcefield *ff, const struct system *sys,
		       struct state *st, const struct nbr_list *nl,
		       struct energy *en, struct err *e)
{
	special_lj_correct(ff, sys, st, nl, en);
	/* Coulomb acts on the charge sites qs: the atoms, or with tip4p the
	 * atoms with each water O moved to its M; forces on qs's arrays. */
	struct state *qs = st;
	struct coul_offsite off, *offp = NULL;
	if (ff->tip4p && ff->cl) {
		tip4p_sites(ff->tip4p, st);
		qs = &ff->tip4p->site;
		off = (struct coul_offsite){
			ff->tip4p->ox, ff->tip4p->oy, ff->tip4p->oz,
			ff->coul_cutoff + 2.0 * ff->tip4p->o.qdist};
		offp = &off;
	}
	if (ff->cl) {
		/* fused: the pass over the neighbour list summed them */
		if (!ff->fused &&
		    coul_long_compute_offsite(ff->cl, qs, sys->q, offp, qs->fx,
					      qs->fy, qs->fz, &en->ecoul,
					      en->virial, e) != 0)
			return -1;
		coul_long_special_correct(ff->cl, qs, sys->q, ff->cpairs,
					  ff->ncpairs, qs->fx, qs->fy, qs->fz,
					  &en->ecoul, en->virial);
		if (ff->dc)
			decouple_coul_real(ff->dc, ff, qs, sys->q, qs->fx, qs->fy,
					   qs->fz, &en->ecoul, en->virial);
	}
	if (ff->pppm || ff->ewald) {
		int rc = ff->dc
			? decouple_kspace(ff->dc, ff, qs, sys->q, &en->elong,
					  en->virial, qs->fx, qs->fy, qs->fz, e)
			: forcefield_kspace(ff, qs, sys->q, &en->elong,
					    en->virial, qs->fx, qs->fy, qs->fz, e);
		if (rc != 0)
			return -1;
	}
	if (qs != st)
		tip4p_spread(ff->tip4p, st);
	if (ff->bonded.natoms && bonded_compute_state(&ff->bonded, st, en, e) != 0)
		return -1;
	return 0;
}

void forcefield_describe(const struct forcefield *ff, char *buf, size_t n)
{
	int k = snprintf(buf, n, "special lj %g %g %g coul %g %g %g; coul "
			 "cutoff %.17g", ff->sp.lj[1], ff->sp.lj[2],
			 ff->sp.lj[3], ff->sp.coul[1], ff->sp.coul[2],
			 ff->sp.coul[3], ff->coul_cutoff);
	if (k < 0 || (size_t)k >= n)
		return;
	if (ff->tip4p) {
		const struct tip4p *t = ff->tip4p;
		int m = snprintf(buf + k, n - (size_t)k, "; tip4p O %d H %d bond "
				 "%d angle %d qdist %.17g alpha %.17g waters %zu",
				 t->o.otype, t->o.htype, t->o.btype, t->o.atype,
				 t->o.qdist, t->alpha, t->nwater);
		if (m < 0 || (size_t)(k + m) >= n)
			return;
		k += m;
	}
	if (ff->pppm) {
		struct pppm_info pi;
		pppm_get_info(ff->pppm, &pi);
		snprintf(buf + k, n - (size_t)k, "; kspace %s accuracy %g "
			 "g_ewald %.17g grid %d %d %d order %d fftw %s",
			 kspace_name(ff->kspace), ff->accuracy,
			 pi.g_ewald, pi.grid[0], pi.grid[1], pi.grid[2],
			 pi.order, ff->fftw_measure ? "measure" : "estimate");
	} else if (ff->ewald) {
		struct ewald_info ei;
		ewald_get_info(ff->ewald, &ei);
		snprintf(buf + k, n - (size_t)k, "; kspace ewald accuracy %g "
			 "g_ewald %.17g kmax %d %d %d", ff->accuracy,
			 ei.g_ewald, ei.kmax[0], ei.kmax[1], ei.kmax[2]);
	} else {
		snprintf(buf + k, n - (size_t)k, "; kspace none%s",
			 ff->has_charge ? " (coul/cut)" : "");
	}
}
