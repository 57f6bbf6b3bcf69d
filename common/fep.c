/* fep: reduced potentials of trajectory frames at every state of a lambda
 * schedule (see fep.h for what a row holds and why). */
#include "fep.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void fep_schedule_free(struct fep_schedule *sch)
{
	free(sch->lambda);
	memset(sch, 0, sizeof *sch);
}

struct sc_lambda fep_schedule_state(const struct fep_schedule *sch, size_t k)
{
	if (sch->ncomp == 2)
		return (struct sc_lambda){sch->lambda[2 * k], sch->lambda[2 * k + 1]};
	return (struct sc_lambda){1.0, sch->lambda[k]};
}

int fep_schedule_parse(const char *s, struct fep_schedule *sch,
		       struct err *e)
{
	memset(sch, 0, sizeof *sch);
	size_t len = strlen(s);
	char *buf = malloc(len + 1);
	if (!buf)
		return err_set(e, "out of memory");
	memcpy(buf, s, len + 1);
	int blanks = strpbrk(buf, " \t\n;") != NULL;
	const char *sep = blanks ? " \t\n;" : ",";
	if (!blanks && (buf[0] == ',' || (len && buf[len - 1] == ',') ||
			strstr(buf, ",,"))) {
		free(buf);
		return err_set(e, "--lambdas: '%s' has an empty entry", s);
	}
	/* at most len/2 + 1 entries of at most 2 values */
	sch->lambda = malloc((len + 2) * sizeof *sch->lambda);
	if (!sch->lambda) {
		free(buf);
		return err_set(e, "out of memory");
	}
	char *save = NULL;
	int rc = 0;
	for (char *tok = strtok_r(buf, sep, &save); tok && !rc;
	     tok = strtok_r(NULL, sep, &save)) {
		int nc = strchr(tok, ',') ? 2 : 1;
		if (sch->K == 0)
			sch->ncomp = nc;
		else if (nc != sch->ncomp) {
			rc = err_set(e, "--lambdas: entry %zu '%s' has %d component(s), "
					"entry 0 has %d", sch->K, tok, nc, sch->ncomp);
			break;
		}
		struct sc_lambda l;
		struct err e1;
		if (sc_lambda_parse("--lambdas", tok, &l, &e1) != 0) {
			rc = err_set(e, "%s (state %zu)", e1.msg, sch->K);
			break;
		}
		if (nc == 2) {
			sch->lambda[2 * sch->K] = l.coul;
			sch->lambda[2 * sch->K + 1] = l.lj;
		} else {
			sch->lambda[sch->K] = l.lj;
		}
		sch->K++;
	}
	free(buf);
	if (!rc && sch->K < 2)
		rc = err_set(e, "--lambdas: %zu state(s); a schedule needs at "
				"least 2", sch->K);
	if (rc)
		fep_schedule_free(sch);
	return rc;
}

int fep_schedule_windows(size_t K, struct fep_schedule *sch, struct err *e)
{
	memset(sch, 0, sizeof *sch);
	if (K < 2)
		return err_set(e, "--windows: %zu state(s); a schedule needs at "
				  "least 2", K);
	sch->lambda = malloc(K * sizeof *sch->lambda);
	if (!sch->lambda)
		return err_set(e, "out of memory");
	sch->K = K;
	sch->ncomp = 1;
	for (size_t k = 0; k < K; k++)
		sch->lambda[k] = k + 1 == K ? 0.0 : 1.0 - (double)k / (double)(K - 1);
	return 0;
}

void fep_eval_free(struct fep_eval *ev)
{
	nbr_free(ev->nl);
	free(ev->lam);
	free(ev->e);
	free(ev->dudl);
	memset(ev, 0, sizeof *ev);
}

int fep_eval_init(struct fep_eval *ev, const struct system *sys,
		  const struct softcore *sc, const struct fep_schedule *sch,
		  size_t state, double temperature, double press, int absolute,
		  double skin, struct err *e)
{
	memset(ev, 0, sizeof *ev);
	if (state >= sch->K)
		return err_set(e, "--state %zu: the schedule has %zu states "
				  "(0..%zu)", state, sch->K, sch->K - 1);
	if (!(temperature > 0.0))
		return err_set(e, "temperature %g must be positive", temperature);
	ev->sys = sys;
	ev->sc = sc;
	ev->sch = sch;
	ev->state = state;
	ev->beta = 1.0 / (sys->units.boltz * temperature);
	ev->press = press;
	ev->absolute = absolute;
	ev->lam = malloc((sch->K + 1) * sizeof *ev->lam);
	ev->e = malloc((sch->K + 1) * sizeof *ev->e);
	ev->dudl = malloc((sch->K + 1) * sizeof *ev->dudl);
	if (!ev->lam || !ev->e || !ev->dudl) {
		fep_eval_free(ev);
		return err_set(e, "out of memory");
	}
	for (size_t k = 0; k < sch->K; k++)
		ev->lam[k] = fep_schedule_state(sch, k);
	if (absolute && nbr_create(&ev->nl, sys->natoms, sys->lj.cut_global,
				   skin, e) != 0) {
		fep_eval_free(ev);
		return -1;
	}
	return 0;
}

int fep_eval_molecular(struct fep_eval *ev, struct softcore *sc,
		       struct forcefield *ff, struct decouple *dc,
		       struct err *e)
{
	if (sc != ev->sc)
		return err_set(e, "internal: fep_eval_molecular with another "
				  "softcore");
	ev->sc_mut = sc;
	ev->ff = ff;
	ev->dc = dc;
	/* with the real-space Coulomb in the pair pass (forcefield_fuse),
	 * the list must reach max(rc_lj, rc_coul); it is built afresh for
	 * every frame, so no skin */
	if (ev->nl && ff->fused) {
		double rc = ff->coul_cutoff > ev->sys->lj.cut_global
				    ? ff->coul_cutoff : ev->sys->lj.cut_global;
		nbr_free(ev->nl);
		ev->nl = NULL;
		if (nbr_create(&ev->nl, ev->sys->natoms, rc, 0.0, e) != 0)
			return -1;
	}
	/* state K: sc's own lambda, at which --absolute evaluates U */
	ev->lam[ev->sch->K] = sc->lam;
	return 0;
}

/* Whole potential energy at sc's lambda (md_forces's terms), forces into
 * st as scratch. */
static int molecular_pe(struct fep_eval *ev, struct state *st, double *pe,
			struct err *e)
{
	struct energy en;
	if (nbr_build(ev->nl, st, e) != 0)
		return -1;
	memset(&en, 0, sizeof en);
	memset(st->fx, 0, st->n * sizeof *st->fx);
	memset(st->fy, 0, st->n * sizeof *st->fy);
	memset(st->fz, 0, st->n * sizeof *st->fz);
	if (forcefield_pair(ev->ff, ev->sys, st, ev->nl, &en, e) != 0)
		return -1;
	softcore_compute(ev->sc_mut, st, &en);
	if (forcefield_compute(ev->ff, ev->sys, st, ev->nl, &en, e) != 0)
		return -1;
	*pe = energy_pe(&en);
	return 0;
}

int fep_eval_frame(struct fep_eval *ev, struct state *st, double *u,
		   double *dudl, struct err *e)
{
	const size_t K = ev->sch->K;
	const int mol_abs = ev->ff && ev->absolute;
	if (softcore_energies(ev->sc, st, K + (size_t)mol_abs, ev->lam, ev->e,
			      ev->dudl, e) != 0)
		return -1;
	double x = 0.0; /* solute-environment Coulomb energy */
	if (ev->dc) {
		if (decouple_coul_cross(ev->dc, ev->ff, st, ev->sys->q, &x, e) != 0)
			return -1;
		for (size_t k = 0; k < K + (size_t)mol_abs; k++)
			ev->e[k] += ev->lam[k].coul * x;
	}
	double base = 0.0;
	if (!isnan(ev->press))
		base += ev->press * st->len[0] * st->len[1] * st->len[2] /
			ev->sys->units.nktv2p;
	if (mol_abs) {
		double pe;
		if (molecular_pe(ev, st, &pe, e) != 0)
			return -1;
		base += pe - ev->e[K];
	} else if (ev->absolute) {
		struct energy en;
		if (nbr_build(ev->nl, st, e) != 0)
			return -1;
		memset(&en, 0, sizeof en);
		pair_lj_compute(&ev->sys->lj, ev->sys->type, st, ev->nl, &en);
		base += en.evdwl;
	}
	for (size_t k = 0; k < K; k++) {
		u[k] = ev->beta * (ev->e[k] + base);
		/* +inf (a hard overlap at a state with little soft core) is a
		 * valid "impossible in state k", except in the sampled one */
		if (isnan(u[k]) || u[k] == -INFINITY ||
		    (k == ev->state && !isfinite(u[k])))
			return err_set(e, "energy %g at state %zu (overlapping "
					  "atoms?)", u[k], k);
	}
	if (ev->sch->ncomp == 2) {
		dudl[0] = ev->beta * x; /* 0 without charges */
		dudl[1] = ev->beta * ev->dudl[ev->state];
	} else {
		dudl[0] = ev->beta * ev->dudl[ev->state];
	}
	return 0;
}
