/* test_pair_lj: lj/cut energies, pressure tensor and forces against LAMMPS
 * 29Sep2021 (tests/fixtures/lammps_forces: each case is a data file, the
 * settings in `cases`, and LAMMPS's `run 0` thermo log and force dump);
 * pair tables (mixing, shift, tail) and system_from_data checks.
 *
 * Tolerance for the LAMMPS comparison: 1e-10 relative, with the scale of a
 * quantity that is a sum of many terms being the size of those terms:
 *  - LAMMPS prints 15 significant digits (quantisation 5e-16 relative);
 *  - positions are the same doubles (write_data prints 17 digits);
 *  - the two codes sum the same pair terms in different orders (and LAMMPS
 *    forms the virial as sum x.f over atoms and ghosts), which changes a
 *    force component by ~ (number of terms) * 2^-52 * (typical force), i.e.
 *    ~1e-14 Frms, and the energy/virial by ~1e-14 relative.
 * So a force component must agree to 1e-10 * max(|F_ref|, Frms) (Frms: root
 * mean square of all components; a component that nearly cancels is still
 * made of terms of size Frms), energies to 1e-10 |E_ref|, pressure
 * components to 1e-10 * max(|P_ref|, Pscale) with Pscale the largest
 * diagonal kinetic+virial magnitude. That is four orders above round-off
 * and far below any physics error (a missed pair at the cutoff, a wrong
 * mixing rule or offset changes results at 1e-4 or more). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "lmp_data.h"
#include "nbr.h"
#include "system.h"

#define FIX "../fixtures/lammps_forces/"

struct lmp_ref {
	double pe, evdwl, press, p[6]; /* pxx pyy pzz pxy pxz pyz */
	long *id;
	double *f;                     /* [3n] by dump order (sorted by id) */
	size_t n;
};

/* The thermo line after the "Step PotEng E_vdwl Press Pxx ..." header. */
static int read_log(const char *path, struct lmp_ref *r)
{
	FILE *fp = fopen(path, "r");
	char line[4096];
	int ok = 0;
	if (!fp)
		return -1;
	while (fgets(line, sizeof line, fp))
		if (strncmp(line, "Step PotEng E_vdwl Press", 24) == 0) {
			long step;
			if (fgets(line, sizeof line, fp) &&
			    sscanf(line, "%ld %lf %lf %lf %lf %lf %lf %lf %lf %lf",
				   &step, &r->pe, &r->evdwl, &r->press, &r->p[0],
				   &r->p[1], &r->p[2], &r->p[3], &r->p[4],
				   &r->p[5]) == 10)
				ok = 1;
			break;
		}
	fclose(fp);
	return ok ? 0 : -1;
}

static int read_dump(const char *path, struct lmp_ref *r)
{
	FILE *fp = fopen(path, "r");
	char line[4096];
	if (!fp)
		return -1;
	r->n = 0;
	while (fgets(line, sizeof line, fp)) {
		if (strncmp(line, "ITEM: NUMBER OF ATOMS", 21) == 0) {
			if (!fgets(line, sizeof line, fp) ||
			    sscanf(line, "%zu", &r->n) != 1)
				break;
			r->id = calloc(r->n, sizeof *r->id);
			r->f = calloc(3 * r->n, sizeof *r->f);
		}
		if (strncmp(line, "ITEM: ATOMS id fx fy fz", 23) == 0 && r->f) {
			size_t i = 0;
			for (; i < r->n && fgets(line, sizeof line, fp); i++)
				if (sscanf(line, "%ld %lf %lf %lf", &r->id[i],
					   &r->f[3 * i], &r->f[3 * i + 1],
					   &r->f[3 * i + 2]) != 4)
					break;
			fclose(fp);
			return i == r->n ? 0 : -1;
		}
	}
	fclose(fp);
	return -1;
}

struct maxerr {
	double e, p, f;
};

/* pair_lj.c's AVX-512 kernel (where compiled) against its portable one
 * on list nl: bitwise the same forces, energy and virial, with and
 * without energies (the two do the same operations in the same order). */
static void kernels_same(struct system *sys, struct state *st,
			 struct nbr_list *nl, const char *name, const char *lst)
{
	const size_t n = st->n, nb = n * sizeof(double);
	double *f[2][2][3];
	struct energy en[2] = {{0}};
	int ok = 1;
	for (int k = 0; k < 2; k++)
		for (int ef = 0; ef < 2; ef++)
			for (int a = 0; a < 3; a++)
				ok &= (f[k][ef][a] = malloc(nb)) != NULL;
	CHECK(ok, "%s: memory", name);
	if (!ok)
		return;
	for (int k = 0; k < 2; k++) {
		sys->lj.portable = k;
		for (int ef = 0; ef < 2; ef++) {
			pair_lj_compute(&sys->lj, sys->type, st, nl, ef ? &en[k] : NULL);
			memcpy(f[k][ef][0], st->fx, nb);
			memcpy(f[k][ef][1], st->fy, nb);
			memcpy(f[k][ef][2], st->fz, nb);
		}
	}
	sys->lj.portable = 0;
	int same = 1;
	for (int ef = 0; ef < 2; ef++)
		for (int a = 0; a < 3; a++)
			same &= memcmp(f[0][ef][a], f[1][ef][a], nb) == 0 &&
				memcmp(f[0][ef][a], f[0][1][a], nb) == 0;
	CHECK(same, "%s, %s list: SIMD and portable kernels give bitwise the "
	      "same forces, with and without energies", name, lst);
	CHECK(memcmp(&en[0].evdwl, &en[1].evdwl, sizeof en[0].evdwl) == 0 &&
	      memcmp(en[0].virial, en[1].virial, sizeof en[0].virial) == 0,
	      "%s, %s list: SIMD and portable kernels give bitwise the same "
	      "energy (%.17g, %.17g) and virial", name, lst, en[0].evdwl,
	      en[1].evdwl);
	for (int k = 0; k < 2; k++)
		for (int ef = 0; ef < 2; ef++)
			for (int a = 0; a < 3; a++)
				free(f[k][ef][a]);
}

static void run_case(const char *name, const char *data, const char *units,
		     double rc, const char *mix, const char *shift,
		     const char *tail, struct maxerr *worst)
{
	char path[512], what[256];
	struct err e;
	struct lmp_data d = {0};
	struct system sys = {0};
	struct state st = {0};
	struct lmp_ref r = {0};
	struct nbr_list *nl = NULL;
	struct system_opts o = {
		.units = strcmp(units, "real") == 0 ? UNITS_REAL : UNITS_LJ,
		.cutoff = rc,
		.mix = strcmp(mix, "arithmetic") == 0 ? MIX_ARITHMETIC
						       : MIX_GEOMETRIC,
		.shift = strcmp(shift, "yes") == 0,
		.tail = strcmp(tail, "yes") == 0,
	};
	snprintf(path, sizeof path, FIX "%s", data);
	int ok = lmp_data_read(&d, path, &e) == 0;
	CHECK(ok, "%s: read %s%s%s", name, data, ok ? "" : ": ", ok ? "" : e.msg);
	if (!ok)
		return;
	ok = system_from_data(&sys, &st, &d, &o, path, &e) == 0;
	CHECK(ok, "%s: system_from_data%s%s", name, ok ? "" : ": ", ok ? "" : e.msg);
	snprintf(path, sizeof path, FIX "%s.log", name);
	int okl = read_log(path, &r) == 0;
	snprintf(path, sizeof path, FIX "%s.dump", name);
	int okd = read_dump(path, &r) == 0;
	CHECK(okl && okd && r.n == st.n, "%s: LAMMPS log and dump read", name);
	if (!ok || !okl || !okd || r.n != st.n)
		goto out;
	double skin = o.units == UNITS_REAL ? 2.0 : 0.3;
	if (nbr_create(&nl, st.n, rc, skin, &e) || nbr_build(nl, &st, &e)) {
		CHECK(0, "%s: neighbour list: %s", name, e.msg);
		goto out;
	}
	struct energy en = {0};
	pair_lj_compute(&sys.lj, sys.type, &st, nl, &en);

	/* Energy: thermo pe and evdwl (both include etail/V). */
	double de = fabs(en.evdwl - r.pe) / fabs(r.pe);
	snprintf(what, sizeof what, "%s: pe", name);
	CHECK_CLOSE(energy_pe(&en), r.pe, 1e-10, 0.0, what);
	snprintf(what, sizeof what, "%s: evdwl", name);
	CHECK_CLOSE(en.evdwl, r.evdwl, 1e-10, 0.0, what);
	worst->e = fmax(worst->e, de);

	/* Pressure tensor: (sum m v_a v_b mvv2e + W_ab) / V * nktv2p. */
	double k[6] = {0}, vol = st.len[0] * st.len[1] * st.len[2];
	for (size_t i = 0; i < st.n; i++) {
		double m = sys.mass[i] * sys.units.mvv2e;
		k[0] += m * st.vx[i] * st.vx[i];
		k[1] += m * st.vy[i] * st.vy[i];
		k[2] += m * st.vz[i] * st.vz[i];
		k[3] += m * st.vx[i] * st.vy[i];
		k[4] += m * st.vx[i] * st.vz[i];
		k[5] += m * st.vy[i] * st.vz[i];
	}
	double c = sys.units.nktv2p / vol, p[6], pscale = 0;
	for (int a = 0; a < 6; a++)
		p[a] = (k[a] + en.virial[a]) * c;
	for (int a = 0; a < 3; a++)
		pscale = fmax(pscale, (fabs(k[a]) + fabs(en.virial[a])) * c);
	double press = (p[0] + p[1] + p[2]) / 3.0;
	static const char *pn[6] = {"pxx", "pyy", "pzz", "pxy", "pxz", "pyz"};
	double dp = fabs(press - r.press) / fmax(fabs(r.press), pscale);
	snprintf(what, sizeof what, "%s: press", name);
	CHECK_CLOSE(press, r.press, 0.0, 1e-10 * fmax(fabs(r.press), pscale), what);
	for (int a = 0; a < 6; a++) {
		snprintf(what, sizeof what, "%s: %s", name, pn[a]);
		CHECK_CLOSE(p[a], r.p[a], 0.0,
			    1e-10 * fmax(fabs(r.p[a]), pscale), what);
		dp = fmax(dp, fabs(p[a] - r.p[a]) / fmax(fabs(r.p[a]), pscale));
	}
	worst->p = fmax(worst->p, dp);

	/* Forces, atom by atom (dump sorted by id, as our arrays). */
	double frms = 0;
	for (size_t q = 0; q < 3 * r.n; q++)
		frms += r.f[q] * r.f[q];
	frms = sqrt(frms / (3.0 * r.n));
	double df = 0;
	size_t bad = 0, idbad = 0;
	for (size_t i = 0; i < st.n; i++) {
		if (r.id[i] != sys.id[i])
			idbad++;
		double f[3] = {st.fx[i], st.fy[i], st.fz[i]};
		for (int a = 0; a < 3; a++) {
			double ref = r.f[3 * i + a];
			double s = fmax(fabs(ref), frms);
			double dd = fabs(f[a] - ref) / s;
			df = fmax(df, dd);
			if (!(dd <= 1e-10))
				bad++;
		}
	}
	CHECK(idbad == 0, "%s: atom ids in dump order", name);
	CHECK(bad == 0, "%s: all %zu force components within 1e-10 "
			"(max err %.2e of max(|F|, Frms = %.3g)), %zu outside",
	      name, 3 * st.n, df, frms, bad);
	worst->f = fmax(worst->f, df);
	printf("# %-20s max rel err: energy %.1e, pressure %.1e, force %.1e\n",
	       name, de, dp, df);
	kernels_same(&sys, &st, nl, name, "whole");
	{
		struct nbr_list *pl = NULL;
		if (nbr_create_pruned(&pl, st.n, rc, skin, st.len, &e) ||
		    nbr_build(pl, &st, &e))
			CHECK(0, "%s: pruned list: %s", name, e.msg);
		else
			kernels_same(&sys, &st, pl, name, "pruned");
		nbr_free(pl);
	}
out:
	free(r.id);
	free(r.f);
	nbr_free(nl);
	lmp_data_free(&d);
	system_free(&sys);
	state_free(&st);
}

static void test_lammps(void)
{
	FILE *fp = fopen(FIX "cases", "r");
	CHECK(fp != NULL, "open " FIX "cases");
	if (!fp)
		return;
	char line[512];
	int ncase = 0;
	struct maxerr worst = {0};
	while (fgets(line, sizeof line, fp)) {
		char name[64], data[64], units[16], mix[16], shift[8], tail[8];
		double rc;
		if (line[0] == '#')
			continue;
		if (sscanf(line, "%63s %63s %15s %lf %15s %7s %7s", name, data,
			   units, &rc, mix, shift, tail) != 7)
			continue;
		run_case(name, data, units, rc, mix, shift, tail, &worst);
		ncase++;
	}
	fclose(fp);
	CHECK(ncase >= 9, "%d LAMMPS cases run", ncase);
	printf("# all cases: max rel err energy %.1e, pressure %.1e, force %.1e\n",
	       worst.e, worst.p, worst.f);
}

/* ---- pair tables and system_from_data ---------------------------------- */

/* A small in-memory data set: 4 atoms, 2 types, Pair Coeffs. */
static void make_data(struct lmp_data *d)
{
	struct err e;
	lmp_data_alloc(d, 4, 2, 1, &e);
	d->has_mass = 1;
	d->mass[0] = 1.0;
	d->mass[1] = 3.0;
	d->has_pair = 1;
	d->pair_eps[0] = 1.0;
	d->pair_sig[0] = 1.0;
	d->pair_eps[3] = 2.0;
	d->pair_sig[3] = 1.5;
	for (int a = 0; a < 3; a++) {
		d->lo[a] = -1.0;
		d->hi[a] = 7.0;
	}
	for (size_t i = 0; i < 4; i++) {
		d->id[i] = (long)(10 * i + 3);
		d->type[i] = i % 2 ? 2 : 1;
		d->x[i] = 0.5 + 1.1 * (double)i;
		d->y[i] = 1.0;
		d->z[i] = 2.0 - (double)i;
		d->vx[i] = 0.1 * (double)i;
		d->ix[i] = (int)i - 1;
	}
}

static void test_tables(void)
{
	struct err e;
	struct lmp_data d;
	struct system s;
	struct state st;
	make_data(&d);
	struct system_opts o = {UNITS_LJ, 2.5, MIX_ARITHMETIC, 1, 0};
	CHECK(system_from_data(&s, &st, &d, &o, "mem.data", &e) == 0,
	      "system_from_data on a hand-made data set");
	CHECK(s.natoms == 4 && s.ntypes == 2 && s.type[0] == 0 &&
	      s.type[1] == 1 && s.mass[1] == 3.0 && s.mass[2] == 1.0 &&
	      s.mass_type[1] == 3.0 && s.id[3] == 33,
	      "types 0-based, per-atom masses, ids");
	CHECK(s.dof == 9.0, "dof = 3N - 3");
	CHECK(st.vx[3] == d.vx[3] && st.ix[0] == -1 && st.x[2] == d.x[2] &&
	      st.lo[0] == -1.0 && st.len[2] == 8.0,
	      "positions, velocities, images and box copied");
	const struct pair_lj *p = &s.lj;
	/* Arithmetic: sigma (1 + 1.5)/2, eps sqrt(1*2) (LAMMPS mix_energy). */
	double e12 = sqrt(2.0), s12 = 1.25;
	CHECK(p->eps[1] == e12 && p->eps[2] == e12 && p->sig[1] == s12,
	      "arithmetic mixing: eps %g sigma %g", p->eps[1], p->sig[1]);
	CHECK_CLOSE(p->lj1[1], 48.0 * e12 * pow(s12, 12), 1e-15, 0.0, "lj1");
	CHECK_CLOSE(p->lj2[1], 24.0 * e12 * pow(s12, 6), 1e-15, 0.0, "lj2");
	CHECK_CLOSE(p->lj3[3], 4.0 * 2.0 * pow(1.5, 12), 1e-15, 0.0, "lj3");
	CHECK_CLOSE(p->lj4[3], 4.0 * 2.0 * pow(1.5, 6), 1e-15, 0.0, "lj4");
	double u = s12 / 2.5;
	CHECK_CLOSE(p->offset[2], 4.0 * e12 * (pow(u, 12) - pow(u, 6)), 1e-15,
		    0.0, "shift offset = u(rc)");
	CHECK(p->cutsq[3] == 6.25, "cutsq");
	system_free(&s);
	state_free(&st);

	/* Geometric: sigma sqrt(1*1.5); tail sums with 2 + 2 atoms. */
	o.mix = MIX_GEOMETRIC;
	o.shift = 0;
	o.tail = 1;
	system_from_data(&s, &st, &d, &o, "mem.data", &e);
	CHECK(s.lj.sig[1] == sqrt(1.5) && s.lj.offset[1] == 0.0,
	      "geometric mixing, no offset without shift");
	double et = 0, pt = 0, rc = 2.5;
	for (int i = 0; i < 2; i++)
		for (int j = 0; j < 2; j++) { /* ordered pairs, 2 atoms each */
			double ep = s.lj.eps[i * 2 + j], sg = s.lj.sig[i * 2 + j];
			double s6 = pow(sg, 6), r3 = rc * rc * rc;
			et += 8 * M_PI * 4 * ep * s6 * (s6 - 3 * r3 * r3) / (9 * r3 * r3 * r3);
			pt += 16 * M_PI * 4 * ep * s6 * (2 * s6 - 3 * r3 * r3) / (9 * r3 * r3 * r3);
		}
	CHECK_CLOSE(s.lj.etail, et, 1e-14, 0.0, "etail over ordered type pairs");
	CHECK_CLOSE(s.lj.ptail, pt, 1e-14, 0.0, "ptail over ordered type pairs");
	system_free(&s);
	state_free(&st);

	/* Explicit PairIJ values win over mixing. */
	d.has_pairij = 1;
	d.pair_eps[1] = d.pair_eps[2] = 0.3;
	d.pair_sig[1] = d.pair_sig[2] = 2.0;
	o.tail = 0;
	system_from_data(&s, &st, &d, &o, "mem.data", &e);
	CHECK(s.lj.eps[1] == 0.3 && s.lj.sig[2] == 2.0 && s.lj.eps[3] == 2.0,
	      "PairIJ coefficients used as given");
	system_free(&s);
	state_free(&st);
	d.has_pairij = 0;

	/* Pair style comment: lj/cut and its coulomb variants, or none. */
	strcpy(d.pair_style, "lj/cut/coul/long");
	CHECK(system_from_data(&s, &st, &d, &o, "mem.data", &e) == 0,
	      "pair style comment lj/cut/coul/long accepted");
	system_free(&s);
	state_free(&st);
	strcpy(d.pair_style, "lj/charmm/coul/long");
	CHECK(system_from_data(&s, &st, &d, &o, "mem.data", &e) != 0 &&
	      strstr(e.msg, "mem.data: ") && strstr(e.msg, "lj/charmm"),
	      "pair style lj/charmm refused: %s", e.msg);
	d.pair_style[0] = '\0';

	/* Errors name the file. */
	d.has_pair = 0;
	CHECK(system_from_data(&s, &st, &d, &o, "mem.data", &e) != 0 &&
	      strcmp(e.msg, "mem.data: no Pair Coeffs section (pair style "
			    "lj/cut needs eps and sigma per type)") == 0,
	      "no Pair Coeffs: %s", e.msg);
	d.has_pair = 1;
	d.triclinic = 1;
	CHECK(system_from_data(&s, &st, &d, &o, "mem.data", &e) != 0 &&
	      strstr(e.msg, "triclinic"), "triclinic refused: %s", e.msg);
	d.triclinic = 0;
	d.has_mass = 0;
	CHECK(system_from_data(&s, &st, &d, &o, "mem.data", &e) != 0 &&
	      strstr(e.msg, "Masses"), "no Masses: %s", e.msg);
	d.has_mass = 1;
	d.y[2] = NAN;
	CHECK(system_from_data(&s, &st, &d, &o, "mem.data", &e) != 0 &&
	      strstr(e.msg, "id 23") && strstr(e.msg, "non-finite"),
	      "NaN coordinate: %s", e.msg);
	d.y[2] = 1.0;
	d.pair_cut[3] = 3.0;
	CHECK(system_from_data(&s, &st, &d, &o, "mem.data", &e) != 0 &&
	      strstr(e.msg, "cutoff 3"), "per-type cutoff != global: %s", e.msg);
	d.pair_cut[3] = 2.5;
	CHECK(system_from_data(&s, &st, &d, &o, "mem.data", &e) == 0,
	      "per-type cutoff equal to the global one accepted");
	system_free(&s);
	state_free(&st);
	d.pair_cut[3] = 0.0;
	o.shift = o.tail = 1;
	CHECK(system_from_data(&s, &st, &d, &o, "mem.data", &e) != 0 &&
	      strstr(e.msg, "shift and tail"), "shift + tail refused: %s", e.msg);
	o.shift = o.tail = 0;
	d.pair_eps[0] = -1.0;
	CHECK(system_from_data(&s, &st, &d, &o, "mem.data", &e) != 0,
	      "negative eps refused: %s", e.msg);
	/* system_free/state_free after a failure (as tools do) are safe. */
	system_free(&s);
	state_free(&st);
	lmp_data_free(&d);
}

/* A pair of atoms at a known distance: the LJ formulas by hand, in real
 * units (no unit factor enters the kernel). */
static void test_pair_by_hand(void)
{
	struct err e;
	struct lmp_data d;
	struct system s;
	struct state st;
	make_data(&d);
	for (int a = 0; a < 3; a++) {
		d.lo[a] = 0.0;
		d.hi[a] = 30.0;
	}
	double r = 3.8; /* atoms 0 and 1 (types 1, 2) across the x boundary */
	double xs[4] = {0.4, 30.0 - (r - 0.4), 10, 20};
	double ys[4] = {5, 5, 15, 25}, zs[4] = {5, 5, 15, 5};
	for (int i = 0; i < 4; i++) {
		d.x[i] = xs[i];
		d.y[i] = ys[i];
		d.z[i] = zs[i];
		d.ix[i] = 0;
		d.pair_eps[0] = 0.2381;
		d.pair_sig[0] = 3.405;
		d.pair_eps[3] = 0.357;
		d.pair_sig[3] = 3.6;
	}
	struct system_opts o = {UNITS_REAL, 9.534, MIX_GEOMETRIC, 1, 0};
	system_from_data(&s, &st, &d, &o, "mem.data", &e);
	struct nbr_list *nl;
	nbr_create(&nl, 4, 9.534, 2.0, &e);
	nbr_build(nl, &st, &e);
	struct energy en = {0};
	pair_lj_compute(&s.lj, s.type, &st, nl, &en);
	double ep = sqrt(0.2381 * 0.357), sg = sqrt(3.405 * 3.6);
	double sr6 = pow(sg / r, 6), src6 = pow(sg / 9.534, 6);
	double u = 4 * ep * (sr6 * sr6 - sr6) - 4 * ep * (src6 * src6 - src6);
	double fr = 24 * ep * (2 * sr6 * sr6 - sr6) / r; /* -du/dr */
	/* Atom 0 at x 0.4 sees atom 1 at x -(r-0.4): pushed to +x. */
	CHECK_CLOSE(en.evdwl, u, 1e-13, 0.0, "shifted pair energy by hand");
	CHECK_CLOSE(st.fx[0], fr, 1e-13, 0.0, "pair force by hand (atom 0)");
	CHECK_CLOSE(st.fx[1], -fr, 1e-13, 0.0, "pair force by hand (atom 1)");
	CHECK(st.fy[0] == 0.0 && st.fz[1] == 0.0 && st.fx[2] == 0.0,
	      "no force off the pair axis / on far atoms");
	CHECK_CLOSE(en.virial[0], fr * r, 1e-13, 0.0, "virial xx = r F");
	CHECK(en.virial[1] == 0.0 && en.virial[3] == 0.0, "other virial zero");
	nbr_free(nl);
	system_free(&s);
	state_free(&st);
	lmp_data_free(&d);
}

int main(void)
{
	test_tables();
	test_pair_by_hand();
	test_lammps();
	return check_done();
}
