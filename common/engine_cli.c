#include "engine_cli.h"

#include <errno.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "fft_wisdom.h"
#include "lmp_data.h"
#include "pair_ljcoul.h"
#include "setup.h"
#include "tip4p.h"
#include "traj_nc.h"

enum {
	E_UNITS = ENGINE_OPT_BASE, E_DATA, E_FROM, E_RESTART, E_THERMOFILE,
	E_STEPS, E_DT, E_TEMP, E_VEL, E_SEED, E_CUT, E_SKIN, E_MIX, E_SHIFT,
	E_TAIL, E_THERMO, E_DUMP, E_CKPT, E_DOUBLE, E_THREADS, E_PROGRESS,
	E_DECOUPLE, E_LAMBDA, E_SCFORM, E_SCALPHA, E_SCN, E_SCPOWER,
	E_KSPACE, E_KACC, E_COULCUT, E_SPLJ, E_SPCOUL, E_ALLOWQ, E_TIP4P,
	E_CONSTRAIN, E_SHAKETOL, E_SHAKEITER, E_SHAKEONLY, E_PRECISION,
	E_FFTW, E_FFTWWISDOM
};

/* bits of engine_cli.sc_given */
enum { SC_GIVEN_LAMBDA = 1, SC_GIVEN_FORM = 2, SC_GIVEN_ALPHA = 4,
       SC_GIVEN_N = 8, SC_GIVEN_POWER = 16 };

const struct option engine_longopts[] = {
	{"units", 1, 0, E_UNITS}, {"data", 1, 0, E_DATA}, {"from", 1, 0, E_FROM},
	{"restart", 1, 0, E_RESTART}, {"thermo-file", 1, 0, E_THERMOFILE},
	{"steps", 1, 0, E_STEPS}, {"dt", 1, 0, E_DT}, {"temp", 1, 0, E_TEMP},
	{"velocity", 1, 0, E_VEL}, {"seed", 1, 0, E_SEED},
	{"cutoff", 1, 0, E_CUT}, {"skin", 1, 0, E_SKIN}, {"mix", 1, 0, E_MIX},
	{"shift", 0, 0, E_SHIFT}, {"tail", 0, 0, E_TAIL},
	{"thermo", 1, 0, E_THERMO}, {"dump", 1, 0, E_DUMP},
	{"checkpoint", 1, 0, E_CKPT}, {"double", 0, 0, E_DOUBLE},
	{"threads", 1, 0, E_THREADS}, {"progress", 0, 0, E_PROGRESS},
	{"decouple", 1, 0, E_DECOUPLE}, {"lambda", 1, 0, E_LAMBDA},
	{"sc-form", 1, 0, E_SCFORM}, {"sc-alpha", 1, 0, E_SCALPHA},
	{"sc-n", 1, 0, E_SCN}, {"sc-power", 1, 0, E_SCPOWER},
	{"kspace", 1, 0, E_KSPACE}, {"kspace-accuracy", 1, 0, E_KACC},
	{"coul-cutoff", 1, 0, E_COULCUT}, {"special-lj", 1, 0, E_SPLJ},
	{"special-coul", 1, 0, E_SPCOUL}, {"allow-charged", 0, 0, E_ALLOWQ},
	{"tip4p", 1, 0, E_TIP4P},
	{"constrain", 1, 0, E_CONSTRAIN}, {"shake-tol", 1, 0, E_SHAKETOL},
	{"shake-iter", 1, 0, E_SHAKEITER}, {"shake-only", 0, 0, E_SHAKEONLY},
	{"precision", 1, 0, E_PRECISION},
	{"fftw", 1, 0, E_FFTW}, {"fftw-wisdom", 1, 0, E_FFTWWISDOM},
};
const size_t engine_nlongopts = sizeof engine_longopts / sizeof engine_longopts[0];

void engine_cli_usage(FILE *fp)
{
	fprintf(fp,
"  --units lj|real       unit style of the data file (default real)\n"
"  --data FILE           LAMMPS data file (required)\n"
"  --from TRAJ.nc        start from the last frame of a NetCDF trajectory/restart\n"
"  -o TRAJ.nc            trajectory output (AMBER NetCDF, with velocities)\n"
"  --restart FILE        checkpoint file (default TRAJ.nc.rst when -o is given)\n"
"  --thermo-file FILE    thermo table to FILE instead of stdout\n"
"  --steps N             number of steps (0: evaluate the input state)\n"
"  --dt X                time step (default: 0.005 tau lj, 1 fs real)\n"
"  --temp T              target temperature; also creates velocities at T\n"
"                        when the input has none\n"
"  --velocity T          (re)create Gaussian velocities at T, zero momentum\n"
"  --seed S              random seed (default 12345)\n"
"  --cutoff RC           LJ cutoff (default 2.5 lj, 10 real)\n"
"  --skin S              neighbour skin (default 0.3 lj, 2.0 real)\n"
"  --mix geometric|arithmetic  mixing rule (default geometric)\n"
"  --shift               shift LJ energy to zero at the cutoff\n"
"  --tail                long-range tail correction\n"
"  --decouple SEL        decouple atoms (ids 1,5,7, ranges 3-9, mol:N, type:N)\n"
"                        from the rest by soft-core LJ scaled by --lambda;\n"
"                        with charges/bonds: whole molecules, Coulomb linear\n"
"  --lambda X|COUL,LJ    coupling of the decoupled atoms, 0 (off) .. 1 (full,\n"
"                        default); X means 1,X; COUL < 1 needs charges\n"
"  --sc-form lammps|gromacs  soft-core form: lj/cut/soft or Beutler (lammps)\n"
"  --sc-alpha A          soft-core alpha (default 0.5)\n"
"  --sc-n N              lammps form: power of lambda (default 1)\n"
"  --sc-power P          gromacs form: power of 1-lambda (default 1)\n"
"  --kspace pppm|pppm/tip4p|ewald|none  long-range Coulomb of a charged\n"
"                        system (default pppm, pppm/tip4p with --tip4p, when\n"
"                        any charge is non-zero; none: plain cut-off Coulomb)\n"
"  --tip4p OTYPE,HTYPE,BTYPE,ATYPE,QDIST  4-site water: each O's charge on\n"
"                        its M site QDIST from O (LAMMPS lj/cut/tip4p/long)\n"
"  --kspace-accuracy X   relative force accuracy (default 1e-5)\n"
"  --coul-cutoff RC      real-space Coulomb cut-off (default: --cutoff)\n"
"  --special-lj A,B,C    1-2, 1-3, 1-4 LJ factors (default 0,0,0)\n"
"  --special-coul A,B,C  1-2, 1-3, 1-4 Coulomb factors (default 0,0,0)\n"
"  --allow-charged       run a non-neutral system with k-space (else error)\n"
"  --constrain none|water|hbonds  rigid 3-site water (SETTLE), plus with\n"
"                        hbonds every bond to H (mass < 1.5) by SHAKE;\n"
"                        RATTLE velocities (LAMMPS fix rattle)\n"
"  --shake-tol X         SHAKE relative tolerance on d^2 (default 1e-10)\n"
"  --shake-iter N        SHAKE iteration cap (default 100)\n"
"  --shake-only          positions only, no RATTLE (LAMMPS fix shake)\n"
"  --precision double|mixed  double (default; equals LAMMPS to round-off) or\n"
"                        mixed: the LJ + real-space Coulomb pass in single\n"
"                        precision, sums in double (as GROMACS's default;\n"
"                        ~1e-6 relative forces; AVX-512 builds, k-space)\n"
"  --fftw measure|estimate  PPPM's FFTW plans: timed (default; faster, the\n"
"                        plan kept in the checkpoint for an exact resume) or\n"
"                        estimated (the same plan in every run)\n"
"  --fftw-wisdom RST     import the FFTW plans of the run that wrote restart\n"
"                        file RST (a rerun from scratch is then bitwise equal)\n"
"  --thermo N            thermo row every N steps (default 100)\n"
"  --dump N              trajectory frame every N steps (default 1000)\n"
"  --checkpoint N        checkpoint every N steps (default 10000)\n"
"  --double              double-precision trajectory frames\n"
"  --threads N           OpenMP threads (default: OMP_NUM_THREADS or all)\n"
"  --progress            progress on stderr even when it is not a terminal\n"
"  -q                    no progress\n"
"  -h, --help            this help;  --version  print the version\n");
}

void engine_cli_defaults(struct engine_cli *c)
{
	memset(c, 0, sizeof *c);
	c->units = "real";
	c->temp = c->vel_temp = c->skin = -1;
	c->thermo = 100;
	c->dump = 1000;
	c->ckpt = 10000;
	c->seed = 12345;
	c->progress = -1;
	c->mix = MIX_GEOMETRIC;
	c->lambda = (struct sc_lambda){.coul = 1.0, .lj = 1.0};
	c->sc_form = SC_FORM_LAMMPS;
	c->sc_alpha = 0.5;
	c->sc_n = 1.0;
	c->ffo.kspace = KSPACE_DEFAULT;
	c->ffo.accuracy = 1e-5;
	c->co = (struct constrain_opts){.mode = CONSTRAIN_NONE,
					.tol = CONSTRAIN_TOL_DEFAULT,
					.max_iter = CONSTRAIN_ITER_DEFAULT,
					.h_mass = 1.5};
}

int engine_cli_option(struct engine_cli *c, int code, const char *a,
		      struct err *e)
{
	int rc = 0, choice = 0;
	switch (code) {
	case E_UNITS: c->units = a; break;
	case E_DATA: c->data = a; break;
	case E_FROM: c->from = a; break;
	case 'o': c->out = a; break;
	case 'q': c->quiet = 1; break;
	case E_RESTART: c->restart = a; break;
	case E_THERMOFILE: c->thermo_file = a; break;
	case E_STEPS: rc = cli_long("--steps", a, 0, &c->steps, e); break;
	case E_DT: rc = cli_positive("--dt", a, &c->dt, e); break;
	case E_TEMP: rc = cli_positive("--temp", a, &c->temp, e); break;
	case E_VEL: rc = cli_positive("--velocity", a, &c->vel_temp, e); break;
	case E_SEED: rc = cli_long("--seed", a, 0, &c->seed, e); break;
	case E_CUT: rc = cli_positive("--cutoff", a, &c->cutoff, e); break;
	case E_SKIN:
		rc = cli_double("--skin", a, &c->skin, e);
		if (!rc && c->skin < 0)
			rc = err_set(e, "--skin: must not be negative");
		break;
	case E_MIX:
		/* enum lj_mix order */
		rc = cli_choice("--mix", a,
				(const char *const[]){"geometric", "arithmetic",
						      NULL},
				&choice, e);
		if (!rc)
			c->mix = (enum lj_mix)choice;
		break;
	case E_SHIFT: c->shift = 1; break;
	case E_TAIL: c->tail = 1; break;
	case E_THERMO: rc = cli_long("--thermo", a, 0, &c->thermo, e); break;
	case E_DUMP: rc = cli_long("--dump", a, 0, &c->dump, e); break;
	case E_CKPT: rc = cli_long("--checkpoint", a, 0, &c->ckpt, e); break;
	case E_DOUBLE: c->traj_double = 1; break;
	case E_THREADS: rc = cli_long("--threads", a, 1, &c->threads, e); break;
	case E_PROGRESS: c->progress = 1; break;
	case E_DECOUPLE: c->decouple = a; break;
	case E_LAMBDA:
		rc = sc_lambda_parse("--lambda", a, &c->lambda, e);
		c->sc_given |= SC_GIVEN_LAMBDA;
		break;
	case E_SCFORM:
		/* enum sc_form order */
		rc = cli_choice("--sc-form", a,
				(const char *const[]){"lammps", "gromacs", NULL},
				&choice, e);
		if (!rc)
			c->sc_form = (enum sc_form)choice;
		c->sc_given |= SC_GIVEN_FORM;
		break;
	case E_SCALPHA:
		rc = cli_double("--sc-alpha", a, &c->sc_alpha, e);
		if (!rc && c->sc_alpha < 0)
			rc = err_set(e, "--sc-alpha: must not be negative");
		c->sc_given |= SC_GIVEN_ALPHA;
		break;
	case E_SCN:
		rc = cli_double("--sc-n", a, &c->sc_n, e);
		if (!rc && c->sc_n < 1)
			rc = err_set(e, "--sc-n: %g is less than 1", c->sc_n);
		c->sc_given |= SC_GIVEN_N;
		break;
	case E_KSPACE:
		if (!strcmp(a, "pppm"))
			c->ffo.kspace = KSPACE_PPPM;
		else if (!strcmp(a, "pppm/tip4p"))
			c->ffo.kspace = KSPACE_PPPM_TIP4P;
		else if (!strcmp(a, "ewald"))
			c->ffo.kspace = KSPACE_EWALD;
		else if (!strcmp(a, "none"))
			c->ffo.kspace = KSPACE_NONE;
		else
			rc = err_set(e, "--kspace: '%s' is not pppm, pppm/tip4p, "
					"ewald or none", a);
		c->ff_given = 1;
		break;
	case E_KACC:
		rc = cli_positive("--kspace-accuracy", a, &c->ffo.accuracy, e);
		c->ff_given = 1;
		break;
	case E_COULCUT:
		rc = cli_positive("--coul-cutoff", a, &c->ffo.coul_cutoff, e);
		c->ff_given = 1;
		break;
	case E_SPLJ:
		rc = special_parse(a, "--special-lj", c->ffo.special_lj, e);
		c->ff_given = 1;
		break;
	case E_SPCOUL:
		rc = special_parse(a, "--special-coul", c->ffo.special_coul, e);
		c->ff_given = 1;
		break;
	case E_ALLOWQ: c->ffo.allow_charged = 1; break;
	case E_TIP4P:
		rc = tip4p_parse(a, &c->ffo.tip4p, e);
		c->ffo.has_tip4p = 1;
		c->ff_given = 1;
		break;
	case E_CONSTRAIN:
		/* enum constrain_mode order */
		rc = cli_choice("--constrain", a,
				(const char *const[]){"none", "water", "hbonds",
						      NULL},
				&choice, e);
		if (!rc)
			c->co.mode = (enum constrain_mode)choice;
		break;
	case E_SHAKETOL:
		rc = cli_positive("--shake-tol", a, &c->co.tol, e);
		c->co_given = 1;
		break;
	case E_SHAKEITER:
		rc = cli_long("--shake-iter", a, 1, &c->co.max_iter, e);
		c->co_given = 1;
		break;
	case E_SHAKEONLY: c->co.shake_only = 1; c->co_given = 1; break;
	case E_PRECISION:
		rc = cli_choice("--precision", a,
				(const char *const[]){"double", "mixed", NULL},
				&c->mixed, e);
		break;
	case E_FFTW:
		rc = cli_choice("--fftw", a,
				(const char *const[]){"measure", "estimate", NULL},
				&c->fftw_estimate, e);
		break;
	case E_FFTWWISDOM: c->fftw_wisdom_from = a; break;
	case E_SCPOWER:
		rc = cli_double("--sc-power", a, &c->sc_power, e);
		if (!rc && c->sc_power < 1)
			rc = err_set(e, "--sc-power: %g is less than 1", c->sc_power);
		c->sc_given |= SC_GIVEN_POWER;
		break;
	default: return 0;
	}
	return rc ? -1 : 1;
}

int engine_cli_merge_opts(struct option *out, size_t cap,
			  const struct option *tool_opts)
{
	size_t n = 0;
	for (const struct option *o = tool_opts; o->name; o++) {
		if (n + 1 >= cap)
			return -1;
		out[n++] = *o;
	}
	for (size_t k = 0; k < engine_nlongopts; k++) {
		if (n + 1 >= cap)
			return -1;
		out[n++] = engine_longopts[k];
	}
	memset(&out[n], 0, sizeof out[n]);
	return 0;
}

int engine_cli_merge_some(struct option *out, size_t cap,
			  const struct option *tool_opts,
			  const char *const *names)
{
	size_t n = 0;
	for (const struct option *o = tool_opts; o->name; o++) {
		if (n + 1 >= cap)
			return -1;
		out[n++] = *o;
	}
	for (size_t k = 0; k < engine_nlongopts; k++)
		for (const char *const *p = names; *p; p++)
			if (!strcmp(*p, engine_longopts[k].name)) {
				if (n + 1 >= cap)
					return -1;
				out[n++] = engine_longopts[k];
			}
	memset(&out[n], 0, sizeof out[n]);
	return 0;
}

/* The soft-core parameters from the options; usage errors for options
 * that do not fit the form or come without --decouple. */
static int sc_options(const struct engine_cli *c, struct sc_params *p,
		      struct err *e)
{
	if (!c->decouple && c->sc_given)
		return err_set(e, "--lambda and --sc-* need --decouple");
	sc_params_default(p, (enum sc_form)c->sc_form);
	if (c->sc_form == SC_FORM_GROMACS && (c->sc_given & SC_GIVEN_N))
		return err_set(e, "--sc-n is for --sc-form lammps (gromacs scales "
				  "by lambda; use --sc-power)");
	if (c->sc_form == SC_FORM_LAMMPS && (c->sc_given & SC_GIVEN_POWER))
		return err_set(e, "--sc-power is for --sc-form gromacs (lammps "
				  "has (1-lambda)^2; use --sc-n)");
	p->alpha = c->sc_alpha;
	if (c->sc_form == SC_FORM_LAMMPS)
		p->n = c->sc_n;
	if (c->sc_given & SC_GIVEN_POWER)
		p->p = c->sc_power;
	return sc_params_check(p, e);
}

int engine_cli_setup_system(struct engine_cli *c, struct err *e)
{
	struct units u;
	struct sc_params scp;
	if (sc_options(c, &scp, e) != 0)
		return ERR_USAGE;
	if (units_init(&u, c->units, e) != 0) {
		err_prefix(e, "--units");
		return ERR_USAGE;
	}
	if (!c->data) {
		err_set(e, "--data FILE is required");
		return ERR_USAGE;
	}
	if (forcefield_opts_check(&c->ffo, e) != 0)
		return ERR_USAGE;
	struct system_opts so = {.units = u.style, .mix = c->mix,
				 .shift = c->shift, .tail = c->tail};
	so.cutoff = c->cutoff > 0 ? c->cutoff : (u.style == UNITS_LJ ? 2.5 : 10.0);
	if (c->threads > 0)
		omp_set_num_threads((int)c->threads);
	struct lmp_data d = {0};
	if (lmp_data_read(&d, c->data, e) != 0)
		return ERR_DATA;
	int rc = system_from_data(&c->sys, &c->st, &d, &so, c->data, e);
	c->had_vel = d.vx != NULL;
	if (rc == 0 && (c->ff_given || forcefield_needed(&d))) {
		rc = forcefield_create(&c->ff, &c->sys, &d, &c->ffo, c->data, e);
		c->has_ff = rc == 0;
	}
	lmp_data_free(&d);
	if (rc != 0)
		return ERR_DATA;
	if (c->co_given && c->co.mode == CONSTRAIN_NONE) {
		err_set(e, "--shake-tol, --shake-iter and --shake-only need "
			   "--constrain water|hbonds");
		return ERR_USAGE;
	}
	if (c->co.mode != CONSTRAIN_NONE) {
		if (!c->has_ff || !c->ff.has_bonded) {
			err_set(e, "%s: --constrain: the data file has no bonds",
				c->data);
			return ERR_DATA;
		}
		if (constrain_create(&c->cons, &c->sys, &c->ff.bonded, &c->co,
				     c->data, e) != 0)
			return ERR_DATA;
		c->has_cons = 1;
		/* LAMMPS compute temp: 3N - 3 - the constraints (fix dof) */
		c->sys.dof -= (double)c->cons.ncons;
	}
	if (c->decouple) {
		size_t *idx, n;
		rc = softcore_select(&c->sys, c->decouple, &idx, &n, e);
		if (rc != 0) {
			err_prefix(e, "%s", c->data);
			return rc == -2 ? ERR_USAGE : ERR_DATA;
		}
		if (!(c->has_ff && c->ff.has_charge) && c->lambda.coul != 1.0) {
			free(idx);
			err_set(e, "--lambda %g,%g: a Coulomb lambda needs a "
				   "system with charges (use X or 1,X)",
				c->lambda.coul, c->lambda.lj);
			return ERR_USAGE;
		}
		rc = softcore_init(&c->sc, &c->sys, idx, n, &scp, c->lambda, e);
		free(idx);
		if (rc != 0)
			return ERR_DATA;
		/* molecular: whole-molecule decoupling with linear Coulomb */
		if (c->has_ff) {
			if (decouple_init(&c->dc, &c->ff, &c->sys, &c->sc, e) != 0) {
				err_prefix(e, "%s", c->data);
				return ERR_DATA;
			}
			c->has_dc = 1;
		}
	}
	return 0;
}

/* Import the FFTW wisdom a restart file keeps (run.h: RUN_WISDOM_ATTR).
 * A file without it, or with wisdom FFTW cannot read: error if required
 * (--fftw-wisdom), else nothing imported and, for unreadable wisdom, a
 * warning: a checkpoint or --from file written on another machine or FFTW
 * build (a requeued Slurm job on another node type) still runs, with plans
 * measured afresh, not bitwise continuous. */
static int wisdom_from_restart(const char *path, int required, struct err *e)
{
	struct traj_nc *t;
	char *w = NULL;
	if (traj_nc_open(&t, path, e) != 0)
		return -1;
	int r = traj_nc_read_text(t, RUN_WISDOM_ATTR, &w, e);
	traj_nc_close(t, NULL);
	if (r < 0)
		return -1;
	if (r == 1)
		return required ? err_set(e, "%s: no FFTW wisdom (attribute %s; "
					  "written by a run without PPPM or "
					  "with --fftw estimate?)", path,
					  RUN_WISDOM_ATTR) : 0;
	r = fft_wisdom_import(w, path, e);
	free(w);
	if (r != 0 && !required) {
		fprintf(stderr, "%s: warning: %s; planning the FFTs afresh (not "
			"bitwise continuous with the run that wrote it)\n",
			program_invocation_short_name, e->msg);
		return 0;
	}
	return r;
}

/* Before PPPM plans with FFTW_MEASURE: the wisdom of --from's file, of
 * --fftw-wisdom's, then of the checkpoint this run may resume, in that
 * order. A resumed process so makes the plans of the process that wrote
 * the checkpoint (which had imported the same first two before planning,
 * and whose wisdom then holds its plans; later imports win). Importing
 * from a checkpoint that run_md will not resume (complete, or a different
 * command, which run_md refuses) is harmless: a fresh run with known
 * plans. Not with ESTIMATE: its plans would reuse imported wisdom. */
static int import_wisdom(struct engine_cli *c, struct err *e)
{
	if (c->from && wisdom_from_restart(c->from, 0, e) != 0)
		return -1;
	if (c->fftw_wisdom_from &&
	    wisdom_from_restart(c->fftw_wisdom_from, 1, e) != 0)
		return err_prefix(e, "--fftw-wisdom");
	if (c->restart && access(c->restart, F_OK) == 0 &&
	    wisdom_from_restart(c->restart, 0, e) != 0)
		return -1;
	return 0;
}

/* The trajectory, checkpoint and thermo table are written to PATH.tmp and
 * renamed into place: a device or FIFO would be replaced by a regular file
 * (as root, `-o /dev/null` would delete /dev/null), and NetCDF cannot
 * stream to stdout. Refused before any work. */
static int check_output(const char *opt, const char *path, int dash_ok,
			struct err *e)
{
	struct stat st;
	if (!path || (dash_ok && !strcmp(path, "-")))
		return 0;
	if (!strcmp(path, "-"))
		return err_set(e, "%s -: a NetCDF file cannot be written to "
			       "stdout; give a file name", opt);
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode))
		return err_set(e, "%s %s: not a regular file (written to a "
			       "temporary and renamed into place)", opt, path);
	return 0;
}

int engine_cli_setup(struct engine_cli *c, struct err *e)
{
	/* Dynamics: PPPM plans by timing unless --fftw estimate (analysis
	 * tools use engine_cli_setup_system alone and keep ESTIMATE). */
	c->ffo.fftw_measure = !c->fftw_estimate;
	if (c->fftw_estimate && c->fftw_wisdom_from) {
		err_set(e, "--fftw-wisdom needs --fftw measure (estimated plans "
			   "would reuse the imported wisdom)");
		return ERR_USAGE;
	}
	int code = engine_cli_setup_system(c, e);
	if (code != 0)
		return code;
	const struct units *u = &c->sys.units;
	double cutoff = c->sys.lj.cut_global;
	if (c->skin < 0)
		c->skin = u->style == UNITS_LJ ? 0.3 : 2.0;
	if (c->dt <= 0)
		c->dt = u->dt_default;
	if (c->progress < 0)
		c->progress = isatty(2);
	if (c->quiet)
		c->progress = 0;
	if (c->out && !c->restart) {
		size_t n = strlen(c->out) + 5;
		c->restart_default = malloc(n);
		if (!c->restart_default) {
			err_set(e, "out of memory");
			return ERR_DATA;
		}
		snprintf(c->restart_default, n, "%s.rst", c->out);
		c->restart = c->restart_default;
	}
	if (check_output("-o", c->out, 0, e) ||
	    check_output("--restart", c->restart, 0, e) ||
	    check_output("--thermo-file", c->thermo_file, 1, e))
		return ERR_USAGE;
	int had_vel = c->had_vel;
	if (c->from && setup_from_traj(&c->sys, &c->st, c->from, &had_vel, e) != 0)
		return ERR_DATA;
	if (!c->from && setup_whole_zero_images(&c->sys, &c->st, e) != 0) {
		err_prefix(e, "%s", c->data);
		return ERR_DATA;
	}
	/* A minimised state carries zero velocities: treat it as having none,
	 * so that --temp starts the dynamics (a thermostat cannot heat a
	 * system at rest). */
	if (had_vel) {
		int any = 0;
		for (size_t i = 0; i < c->st.n && !any; i++)
			any = c->st.vx[i] != 0.0 || c->st.vy[i] != 0.0 || c->st.vz[i] != 0.0;
		had_vel = any;
	}
	rng_seed(&c->rng, (uint64_t)c->seed);
	if (c->vel_temp > 0)
		md_velocity_create(&c->sys, &c->st, c->vel_temp, &c->rng);
	else if (!had_vel && c->temp > 0)
		md_velocity_create(&c->sys, &c->st, c->temp, &c->rng);
	int pppm = c->has_ff && (c->ff.kspace == KSPACE_PPPM ||
				 c->ff.kspace == KSPACE_PPPM_TIP4P);
	if (pppm && !c->fftw_estimate && import_wisdom(c, e) != 0)
		return ERR_DATA;
	if (c->has_ff) {
		if (forcefield_prepare(&c->ff, &c->sys, &c->st, e) != 0) {
			err_prefix(e, "%s", c->from ? c->from : c->data);
			return ERR_DATA;
		}
		if (c->ff.nonneutral && c->ff.kspace != KSPACE_NONE)
			fprintf(stderr, "%s: warning: the system is not charge "
				"neutral (total charge %.10g e): the k-space "
				"energy includes a uniform neutralising "
				"background\n", program_invocation_short_name,
				c->ff.qsum);
	}
	/* the plans just made, for the checkpoints (run_opts.fftw_wisdom) */
	if (pppm && !c->fftw_estimate && !(c->fftw_wisdom = fft_wisdom_export(e)))
		return ERR_DATA;
	/* with k-space, the LJ list carries the real-space Coulomb too */
	if (c->has_ff &&
	    forcefield_fuse(&c->ff, &c->sys, &c->st, c->skin, &cutoff, e) != 0)
		return ERR_DATA;
	if (c->mixed) {
		if (!pair_ljcoul_mixed_available()) {
			err_set(e, "--precision mixed: this build has no "
				"mixed-precision kernel (it needs AVX-512: "
				"build with -march=native on such a CPU)");
			return ERR_USAGE;
		}
		if (!c->has_ff || !c->ff.fused) {
			err_set(e, "--precision mixed: only the fused LJ + "
				"real-space Coulomb pass has it (a charged "
				"system with --kspace pppm or ewald, no "
				"--tip4p, a box of at least 2 (cut-off + "
				"skin)); use --precision double");
			return ERR_USAGE;
		}
		c->ff.plc.mixed = 1;
		c->ff.plc.mol = c->sys.mol;
	}
	/* LJ alone: a wider list, pruned to the skin; the fused LJ +
	 * Coulomb pass: the skin's list, pruned to a quarter of it
	 * (pair_ljcoul.h) */
	if ((c->has_ff ? nbr_create(&c->nl, c->st.n, cutoff, c->skin, e)
		       : nbr_create_pruned(&c->nl, c->st.n, cutoff, c->skin,
					   c->st.len, e)) != 0)
		return ERR_DATA;
	if (c->has_ff && c->ff.fused &&
	    nbr_set_prune(c->nl, PAIR_LJCOUL_PRUNE * c->skin, e) != 0)
		return ERR_DATA;
	c->md = (struct md){.sys = &c->sys, .st = &c->st, .nl = c->nl, .dt = c->dt,
			    .sc = c->decouple ? &c->sc : NULL,
			    .ff = c->has_ff ? &c->ff : NULL,
			    .cons = c->has_cons ? &c->cons : NULL};
	return 0;
}

int engine_cli_allow_reorder(struct engine_cli *c, int langevin,
			     struct err *e)
{
	if (c->has_ff || c->decouple || c->has_cons || langevin)
		return 0;
	return md_allow_reorder(&c->md, &c->sys, e);
}

struct run_opts engine_cli_run_opts(const struct engine_cli *c,
				    const char *tool, int argc, char **argv,
				    volatile sig_atomic_t *stop)
{
	return (struct run_opts){
		.nsteps = c->steps, .thermo_every = c->thermo,
		.dump_every = c->dump, .ckpt_every = c->ckpt,
		.traj_path = c->out, .traj_double = c->traj_double,
		.rst_path = c->restart, .fftw_wisdom = c->fftw_wisdom,
		.thermo_path = c->thermo_file,
		.progress = c->progress, .tool = tool, .argc = argc,
		.argv = argv, .stop = stop};
}

void engine_cli_free(struct engine_cli *c)
{
	md_free_order(&c->md);
	nbr_free(c->nl);
	softcore_free(&c->sc);
	if (c->has_dc)
		decouple_free(&c->dc);
	c->has_dc = 0;
	if (c->has_ff)
		forcefield_free(&c->ff);
	c->has_ff = 0;
	if (c->has_cons)
		constrain_free(&c->cons);
	c->has_cons = 0;
	system_free(&c->sys);
	state_free(&c->st);
	free(c->restart_default);
	free(c->fftw_wisdom);
	c->nl = NULL;
	c->restart_default = NULL;
	c->fftw_wisdom = NULL;
}

int engine_cli_getopt(struct engine_cli *c, int argc, char **argv,
		      const struct option *opts, const char *tool,
		      void (*usage)(FILE *), int version_code, int lo, int hi,
		      engine_tool_opt tool_opt, void *ctx, const char **out)
{
	struct err e = {{0}};
	int code;
	while ((code = getopt_long(argc, argv, "o:qh", opts, NULL)) != -1) {
		int r;
		if (code == 'h') {
			usage(stdout);
			return 1;
		}
		if (code == version_code) {
			printf("%s (soretkit) %s\n", tool, SK_VERSION);
			return 1;
		}
		if (code == 'o' && out) {
			*out = optarg;
			continue;
		}
		if (code >= lo && code < hi)
			r = tool_opt(ctx, code, optarg, &e) ? -1 : 1;
		else
			r = engine_cli_option(c, code, optarg, &e);
		if (r == 0) {
			cli_try_help(tool);
			return ERR_USAGE;
		}
		if (r < 0) {
			fprintf(stderr, "%s: %s\n", tool, e.msg);
			return ERR_USAGE;
		}
	}
	return 0;
}
