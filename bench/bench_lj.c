/* bench_lj: speed of the LJ engine core (nbr.c + pair_lj.c) on a LAMMPS
 * data file: plain NVE velocity Verlet (the order of LAMMPS fix nve) for N
 * steps, neighbour list checked every step and rebuilt when an atom moved
 * more than skin/2 (LAMMPS `neigh_modify every 1 delay 0 check yes`).
 * Prints atom-steps per second of the time-step loop (setup excluded, as
 * LAMMPS's "Loop time"), the builds, and the energy drift as a sanity
 * check. Not a front end: md-run is the real integrator; --md runs its
 * loop instead (integrator_step, energies only on the last step, as md-run
 * with --thermo N does).
 *
 * --reps R repeats the run R times from the same state; a given thread
 * count gives the same trajectory each time, so step k does the same work
 * in every repetition, and the sum over steps of each step's fastest
 * repetition ("per-step best") estimates the loop on an idle machine even
 * when other jobs share the cores (they only ever delay a step).
 *
 * It also prints the 10th percentile of the steps that rebuilt the list,
 * of those that only pruned it (nbr_set_prune) and of the others, over
 * all repetitions, and the per-step time they give at the run's rates of
 * builds and prunings: on a host whose speed comes and goes
 * (a VM whose cores are moved under it), a figure that resolves a change
 * of 1 us per step where whole runs differ by 10-30%, and tells the cost
 * of the builds from that of the ordinary steps. */
#include <getopt.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "integrate.h"
#include "lmp_data.h"
#include "md.h"
#include "nbr.h"
#include "system.h"

static const char *tool = "bench_lj";

static void usage(FILE *fp)
{
	fprintf(fp,
"Usage: bench_lj [options] DATAFILE\n"
"NVE velocity Verlet with the soretkit LJ kernel; prints atom-steps/s.\n"
"  --steps N        time steps (default 20000)\n"
"  --dt X           time step (default 0.005 lj, 1 real)\n"
"  --cutoff X       LJ cutoff (default 2.5)\n"
"  --skin X         neighbour skin (default 0.3)\n"
"  --units lj|real  units of the data file (default lj)\n"
"  --mix geometric|arithmetic, --shift, --tail   pair_modify settings\n"
"  --threads N      OpenMP threads (default: OMP_NUM_THREADS)\n"
"  --md             md-run's loop (integrator_step) instead of the driver's\n"
"  --reps R         repeat R times; also report the per-step best\n"
"  -h, --help\n");
}

static double ke_of(const struct system *s, const struct state *st)
{
	double k = 0;
	for (size_t i = 0; i < st->n; i++)
		k += s->mass[i] * (st->vx[i] * st->vx[i] + st->vy[i] * st->vy[i] +
				   st->vz[i] * st->vz[i]);
	return 0.5 * k * s->units.mvv2e;
}

/* Forces; energy and virial only when en is given (LAMMPS computes them
 * only on thermo steps). */
static int forces(const struct system *s, struct state *st,
		  struct nbr_list *nl, struct energy *en, struct err *e)
{
	if (nbr_needs_rebuild(nl, st) && nbr_build(nl, st, e))
		return -1;
	pair_lj_compute(&s->lj, s->type, st, nl, en);
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	const double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* What step k did to the list: kb[k] = 2 rebuilt it, 1 pruned it
 * (nbr_set_prune) without a rebuild, 0 neither. */
static char list_work(const struct nbr_list *nl, long nb, long np)
{
	return nbr_nbuilds(nl) != nb ? 2 : nbr_nprunes(nl) != np ? 1 : 0;
}

/* The driver's own loop: fix nve around the forces. Step k's wall time to
 * tk[k], what it did to the list to kb[k] (list_work); energy of the last
 * step to en. */
static int run_driver(const struct system *s, struct state *st,
		      struct nbr_list *nl, long steps, double dt,
		      const double *dtfm, struct energy *en, double *tk,
		      char *kb, struct err *e)
{
	size_t n = st->n;
	double *restrict x = st->x, *restrict y = st->y, *restrict z = st->z;
	double *restrict vx = st->vx, *restrict vy = st->vy, *restrict vz = st->vz;
	const double *restrict fx = st->fx, *restrict fy = st->fy,
			       *restrict fz = st->fz;
	for (long k = 0; k < steps; k++) {
		const long nb = nbr_nbuilds(nl), np = nbr_nprunes(nl);
		double t0 = now();
		/* static: each thread integrates the atoms whose forces it
		 * summed in pair_lj_compute (same split), so f stays local */
#pragma omp parallel for schedule(static)
		for (size_t i = 0; i < n; i++) { /* fix nve initial_integrate */
			double a = dtfm[i];
			vx[i] += a * fx[i];
			vy[i] += a * fy[i];
			vz[i] += a * fz[i];
			x[i] += dt * vx[i];
			y[i] += dt * vy[i];
			z[i] += dt * vz[i];
		}
		if (forces(s, st, nl, k == steps - 1 ? en : NULL, e))
			return -1;
#pragma omp parallel for schedule(static)
		for (size_t i = 0; i < n; i++) { /* final_integrate */
			double a = dtfm[i];
			vx[i] += a * fx[i];
			vy[i] += a * fy[i];
			vz[i] += a * fz[i];
		}
		tk[k] = now() - t0;
		kb[k] = list_work(nl, nb, np);
	}
	return 0;
}

/* md-run's loop: integrator_step (NVE), energies on the last step only. */
static int run_md(struct system *s, struct state *st,
		  struct nbr_list *nl, long steps, double dt, struct energy *en,
		  double *tk, char *kb, struct err *e)
{
	struct md m = {.sys = s, .st = st, .nl = nl};
	/* md-run renumbers atoms at builds; back to input order at the end,
	 * so that the next repetition starts from the same system */
	if (md_allow_reorder(&m, s, e))
		return -1;
	struct integrator_opts io = {.ens = ENS_NVE, .dt = dt,
				     .nsteps_total = steps};
	struct integrator it;
	if (integrator_init(&it, &io, &m, e))
		return -1;
	for (long k = 0; k < steps; k++) {
		const long nb = nbr_nbuilds(nl), np = nbr_nprunes(nl);
		double t0 = now();
		m.forces_only = k != steps - 1;
		if (integrator_step(&it, &m, e))
			return -1;
		tk[k] = now() - t0;
		kb[k] = list_work(nl, nb, np);
	}
	*en = m.en;
	md_input_order(&m);
	md_free_order(&m);
	return 0;
}

int main(int argc, char **argv)
{
	struct err e;
	long steps = 20000, threads = 0, reps = 1;
	int md = 0;
	double dt = -1, cutoff = 2.5, skin = 0.3;
	struct system_opts so = {UNITS_LJ, 2.5, MIX_GEOMETRIC, 0, 0};
	static const struct option opts[] = {
		{"steps", 1, 0, 's'}, {"dt", 1, 0, 'd'}, {"cutoff", 1, 0, 'c'},
		{"skin", 1, 0, 'k'}, {"units", 1, 0, 'u'}, {"mix", 1, 0, 'm'},
		{"shift", 0, 0, 'S'}, {"tail", 0, 0, 'T'},
		{"threads", 1, 0, 't'}, {"md", 0, 0, 'M'}, {"reps", 1, 0, 'r'},
		{"help", 0, 0, 'h'}, {0, 0, 0, 0}};
	int c;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		int bad = 0;
		switch (c) {
		case 's': bad = cli_long("--steps", optarg, 1, &steps, &e); break;
		case 'd': bad = cli_positive("--dt", optarg, &dt, &e); break;
		case 'c': bad = cli_positive("--cutoff", optarg, &cutoff, &e); break;
		case 'k': bad = cli_double("--skin", optarg, &skin, &e); break;
		case 't': bad = cli_long("--threads", optarg, 1, &threads, &e); break;
		case 'r': bad = cli_long("--reps", optarg, 1, &reps, &e); break;
		case 'M': md = 1; break;
		case 'S': so.shift = 1; break;
		case 'T': so.tail = 1; break;
		case 'u':
			if (!strcmp(optarg, "lj")) so.units = UNITS_LJ;
			else if (!strcmp(optarg, "real")) so.units = UNITS_REAL;
			else bad = err_set(&e, "--units: lj or real, not '%s'", optarg);
			break;
		case 'm':
			if (!strcmp(optarg, "geometric")) so.mix = MIX_GEOMETRIC;
			else if (!strcmp(optarg, "arithmetic")) so.mix = MIX_ARITHMETIC;
			else bad = err_set(&e, "--mix: geometric or arithmetic");
			break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
		if (bad) {
			fprintf(stderr, "%s: %s\n", tool, e.msg);
			return 2;
		}
	}
	if (optind != argc - 1) {
		usage(stderr);
		return 2;
	}
	const char *path = argv[optind];
	so.cutoff = cutoff;
	if (threads > 0)
		omp_set_num_threads((int)threads);

	struct lmp_data d = {0};
	struct system s = {0};
	struct state st0 = {0}, st = {0};
	struct nbr_list *nl = NULL;
	double *dtfm = NULL, *tk = NULL, *tbest = NULL, *tcls = NULL;
	char *kb = NULL;
	int rc = 1;
	if (lmp_data_read(&d, path, &e) || system_from_data(&s, &st0, &d, &so, path, &e))
		goto fail;
	if (dt <= 0)
		dt = s.units.dt_default;
	const double dtf = 0.5 * dt * s.units.ftm2v;
	size_t n = st0.n;
	dtfm = malloc(n * sizeof *dtfm); /* dtf / m per atom */
	tk = malloc((size_t)steps * sizeof *tk);
	tbest = malloc((size_t)steps * sizeof *tbest);
	kb = malloc((size_t)steps);
	/* step times of all repetitions by class (list_work): class q's
	 * from tcls + q * steps * reps */
	tcls = malloc(3 * (size_t)steps * (size_t)reps * sizeof *tcls);
	if (!dtfm || !tk || !tbest || !kb || !tcls) {
		err_set(&e, "out of memory");
		goto fail;
	}
	for (size_t i = 0; i < n; i++)
		dtfm[i] = dtf / s.mass[i];

	double best = INFINITY, e0 = 0.0, e1 = 0.0;
	long builds = 0;
	/* step times by class (kb): builds, prunings, others */
	const size_t ntot = (size_t)steps * (size_t)reps;
	size_t ncls[3] = {0, 0, 0};
	for (long r = 0; r < reps; r++) {
		/* the same start each time: state and a fresh list */
		nbr_free(nl);
		nl = NULL;
		if (state_copy(&st, &st0, &e) ||
		    nbr_create_pruned(&nl, st.n, cutoff, skin, st.len, &e))
			goto fail;
		struct energy en = {0};
		if (forces(&s, &st, nl, &en, &e))
			goto fail;
		e0 = en.evdwl + ke_of(&s, &st);
		long b0 = nbr_nbuilds(nl);
		double t0 = now();
		if (md ? run_md(&s, &st, nl, steps, dt, &en, tk, kb, &e)
		       : run_driver(&s, &st, nl, steps, dt, dtfm, &en, tk, kb,
				    &e))
			goto fail;
		double sec = now() - t0;
		best = sec < best ? sec : best;
		for (long k = 0; k < steps; k++)
			tbest[k] = r == 0 || tk[k] < tbest[k] ? tk[k] : tbest[k];
		for (long k = 0; k < steps; k++)
			tcls[(size_t)kb[k] * ntot + ncls[(int)kb[k]]++] = tk[k];
		e1 = en.evdwl + ke_of(&s, &st);
		builds = nbr_nbuilds(nl) - b0;
	}
	double stepbest = 0.0;
	for (long k = 0; k < steps; k++)
		stepbest += tbest[k];
	printf("atoms %zu steps %ld threads %d loop %.4f s builds %ld "
	       "etotal %.10g -> %.10g (drift/atom %.2e)\n",
	       n, steps, omp_get_max_threads(), best, builds, e0, e1,
	       (e1 - e0) / (double)n);
	printf("atom-steps/s %.6g\n", (double)n * (double)steps / best);
	if (reps > 1)
		printf("per-step best atom-steps/s %.6g\n",
		       (double)n * (double)steps / stepbest);
	/* 10th percentiles of the steps that build, prune and neither, at
	 * their rates: steady against the host's changes of speed (a step
	 * is never faster than its work) */
	if (ncls[2] > 0 && ncls[0] > 0) {
		double p[3], mean = 0.0;
		for (int q = 0; q < 3; q++) {
			double *t = tcls + (size_t)q * ntot;
			qsort(t, ncls[q], sizeof *t, cmp_double);
			p[q] = ncls[q] ? t[ncls[q] / 10] : 0.0;
			mean += p[q] * (double)ncls[q] / (double)ntot;
		}
		printf("steps p10 us: build %.1f prune %.1f other %.1f (1 build "
		       "in %.2f steps, 1 pruning in %.2f) -> atom-steps/s "
		       "%.6g\n", 1e6 * p[2], 1e6 * p[1], 1e6 * p[0],
		       (double)ntot / (double)ncls[2],
		       ncls[1] ? (double)ntot / (double)ncls[1] : 0.0,
		       (double)n / mean);
	}
	rc = 0;
	goto done;
fail:
	fprintf(stderr, "%s: %s\n", tool, e.msg);
done:
	free(dtfm);
	free(tk);
	free(tbest);
	free(tcls);
	free(kb);
	nbr_free(nl);
	system_free(&s);
	state_free(&st);
	state_free(&st0);
	lmp_data_free(&d);
	return rc;
}
