/* profile-bin: slab profiles (temperature, densities, solute concentration)
 * of AMBER NetCDF trajectories along one box axis, with block-averaged
 * errors. The physics is in common/profile.c. See man/man1/profile-bin.1. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "lmp_data.h"
#include "profile.h"
#include "table.h"
#include "traj_nc.h"

static const char *tool = "profile-bin";
#define MAXT 64

static void usage(FILE *fp)
{
	fprintf(fp,
"Usage: profile-bin --data FILE --bins N [options] TRAJ.nc [TRAJ.nc ...]\n"
"Slab profiles of temperature, number density and solute concentration.\n"
"  --data FILE           LAMMPS data file (types, masses, molecule ids)\n"
"  --bins N              number of slabs along the axis (required)\n"
"  --units lj|real       unit style (default real)\n"
"  --axis x|y|z          binning axis (default z)\n"
"  --first N --last N    frame range in each file, 0-based, inclusive\n"
"                        (default 0 and the file's last frame)\n"
"  --stride N            every N-th frame (default 1)\n"
"  --solute T1,T2,...    atom types that make a molecule a solute\n"
"  --solvent T1,T2,...   atom types that make a molecule a solvent\n"
"  --conc KIND           molefrac|molality|density (default molefrac)\n"
"  --blocks B            blocks for the standard errors (default 5)\n"
"  --dof-per-atom D      degrees of freedom per atom in the temperature,\n"
"                        0 < D <= 3 (default 3; 2 for rigid 3-site water)\n"
"  -o FILE               output table (default stdout)\n"
"  -q, --progress        no progress / progress even when not a terminal\n"
"  -h, --help  --version\n");
}

struct input {
	const char *path;
	struct traj_nc *t;
	size_t first, last, n;   /* frames first..last by stride; n of them */
};

static int die(int code, const struct err *e)
{
	fprintf(stderr, "%s: %s\n", tool, e->msg);
	return code;
}

/* Comma list of atom types (positive integers). */
static int parse_types(const char *opt, const char *s, int *out, size_t *n,
		       struct err *e)
{
	double v[MAXT];
	int k;
	if (cli_list(opt, s, v, MAXT, &k, e) != 0)
		return -1;
	for (int i = 0; i < k; i++) {
		if (v[i] < 1 || v[i] != floor(v[i]) || v[i] > 1e9)
			return err_set(e, "%s: '%g' is not an atom type", opt, v[i]);
		out[i] = (int)v[i];
	}
	*n = (size_t)k;
	return 0;
}

static int open_inputs(struct input *in, size_t nin, long first, long last,
		       long stride, const struct units *u, size_t natoms,
		       size_t *total, struct err *e)
{
	*total = 0;
	for (size_t i = 0; i < nin; i++) {
		if (traj_nc_open(&in[i].t, in[i].path, e) != 0)
			return -1;
		size_t nf = traj_nc_nframes(in[i].t);
		if (!traj_nc_has_vel(in[i].t))
			return err_set(e, "%s: no velocities in the trajectory "
				       "(temperatures need them)", in[i].path);
		if (traj_nc_units(in[i].t) != u->style)
			return err_set(e, "%s: holds %s units, --units is %s", in[i].path,
				       u->style == UNITS_LJ ? "real" : "lj", u->name);
		if (traj_nc_natoms(in[i].t) != natoms)
			return err_set(e, "%s: %zu atoms, the data file has %zu",
				       in[i].path, traj_nc_natoms(in[i].t), natoms);
		if (nf == 0 || (size_t)first >= nf)
			return err_set(e, "%s: %zu frames, none from --first %ld",
				       in[i].path, nf, first);
		in[i].first = (size_t)first;
		in[i].last = last < 0 || (size_t)last >= nf ? nf - 1 : (size_t)last;
		if (in[i].last < in[i].first)
			return err_set(e, "%s: --last %ld is before --first %ld",
				       in[i].path, last, first);
		in[i].n = (in[i].last - in[i].first) / (size_t)stride + 1;
		*total += in[i].n;
	}
	return 0;
}

static int run(struct profile *p, struct input *in, size_t nin, long stride,
	       size_t total, int show, struct err *e)
{
	struct frame f;
	if (frame_alloc(&f, p->natoms, 1, e) != 0)
		return -1;
	struct progress pr;
	progress_init(&pr, show, tool, 0, (long)total, 1.0, "frames/s");
	long done = 0;
	int rc = 0;
	for (size_t i = 0; i < nin && rc == 0; i++)
		for (size_t k = in[i].first; k <= in[i].last && rc == 0;
		     k += (size_t)stride) {
			rc = traj_nc_read(in[i].t, k, &f, e);
			if (rc == 0 && (rc = profile_add(p, &f, e)) != 0)
				err_prefix(e, "%s: frame %zu", in[i].path, k);
			progress_update(&pr, ++done);
		}
	if (rc == 0)
		progress_end(&pr, done);
	frame_free(&f);
	return rc;
}

static const char axis_name[] = "xyz";

static int write_table(const char *out, const struct profile *p,
		       const struct profile_result *r, const struct input *in,
		       size_t nin, long stride, const char *data, int argc,
		       char **argv, struct err *e)
{
	const struct units *u = &p->u;
	struct table_writer w;
	if (table_writer_open(&w, out, e) != 0)
		return -1;
	table_writer_provenance(&w, tool, SK_VERSION, argc, argv);
	table_writer_meta(&w, "data", "%s", data);
	for (size_t i = 0; i < nin; i++)
		table_writer_meta(&w, "input", "%s frames %zu..%zu stride %ld (%zu)",
				  in[i].path, in[i].first, in[i].last, stride, in[i].n);
	table_writer_meta(&w, "frames", "%zu", r->nframes);
	table_writer_meta(&w, "units", "%s", u->name);
	table_writer_meta(&w, "axis", "%c", axis_name[p->o.axis]);
	table_writer_meta(&w, "bins", "%zu", p->o.nbins);
	table_writer_meta(&w, "axis_lo", "%.17g", r->lo);
	table_writer_meta(&w, "axis_len", "%.17g", r->len);
	table_writer_meta(&w, "blocks", "%zu", p->o.nblocks);
	table_writer_meta(&w, "conc", "%s", profile_conc_name(p->o.conc));
	table_writer_meta(&w, "temperature", "T = sum m|v-V_slab|^2 mvv2e / "
			  "(kB sum_frames(%g N - 3)), pooled over frames",
			  p->o.dof_per_atom);
	table_writer_meta(&w, "errors", "standard error over %zu blocks",
			  p->o.nblocks);
	char cu[32], zc[32], tc[32], te[32], cc[48], ce[48];
	size_t nt = r->ntypes, nc = 0;
	const char **cols = malloc((10 + nt) * sizeof *cols);
	char (*rho)[40] = malloc(nt * sizeof *rho);
	double *row = malloc((10 + nt) * sizeof *row);
	if (!cols || !rho || !row) {
		free(cols);
		free(rho);
		free(row);
		table_writer_abort(&w);
		return err_set(e, "out of memory");
	}
	int conc = p->o.conc != PROFILE_CONC_NONE;
	profile_conc_unit(p->o.conc, u, cu, sizeof cu);
	/* "z" whatever the axis: soret-fit and users find the column by name */
	snprintf(zc, sizeof zc, "z[%s]", u->u_dist);
	snprintf(tc, sizeof tc, "T[%s]", u->u_temp);
	snprintf(te, sizeof te, "T_err[%s]", u->u_temp);
	snprintf(cc, sizeof cc, "c[%s]", cu);
	snprintf(ce, sizeof ce, "c_err[%s]", cu);
	cols[nc++] = "bin";
	cols[nc++] = zc;
	cols[nc++] = tc;
	cols[nc++] = te;
	if (conc) {
		cols[nc++] = cc;
		cols[nc++] = ce;
		cols[nc++] = "n_solute";
		cols[nc++] = "n_solvent";
	}
	for (size_t t = 0; t < nt; t++) {
		snprintf(rho[t], sizeof rho[t], "rho_%zu[%s^-3]", t + 1, u->u_dist);
		cols[nc++] = rho[t];
	}
	table_writer_header(&w, nc, cols);
	for (size_t k = 0; k < r->nbins; k++) {
		size_t j = 0;
		row[j++] = (double)k;
		row[j++] = r->z[k];
		row[j++] = r->T[k];
		row[j++] = r->T_err[k];
		if (conc) {
			row[j++] = r->c[k];
			row[j++] = r->c_err[k];
			row[j++] = r->nsolute[k];
			row[j++] = r->nsolvent[k];
		}
		for (size_t t = 0; t < nt; t++)
			row[j++] = r->rho[k * nt + t];
		for (size_t c = 0; c < j; c++)
			if (isnan(row[c]))
				row[c] = NAN;   /* "nan", never "-nan" */
		table_writer_row(&w, row, 0);
	}
	free(cols);
	free(rho);
	free(row);
	return table_writer_close(&w, e);
}

int main(int argc, char **argv)
{
	enum { O_DATA = 256, O_BINS, O_UNITS, O_AXIS, O_FIRST, O_LAST, O_STRIDE,
	       O_SOLUTE, O_SOLVENT, O_CONC, O_BLOCKS, O_PROGRESS, O_VER,
	       O_DOF };
	static const struct option lo[] = {
		{"data", 1, 0, O_DATA}, {"bins", 1, 0, O_BINS},
		{"units", 1, 0, O_UNITS}, {"axis", 1, 0, O_AXIS},
		{"first", 1, 0, O_FIRST}, {"last", 1, 0, O_LAST},
		{"stride", 1, 0, O_STRIDE}, {"solute", 1, 0, O_SOLUTE},
		{"solvent", 1, 0, O_SOLVENT}, {"conc", 1, 0, O_CONC},
		{"blocks", 1, 0, O_BLOCKS}, {"progress", 0, 0, O_PROGRESS},
		{"dof-per-atom", 1, 0, O_DOF},
		{"help", 0, 0, 'h'}, {"version", 0, 0, O_VER}, {0, 0, 0, 0}};
	struct err e = {{0}};
	struct profile_opts po = {.axis = 2, .nblocks = 5, .dof_per_atom = 3.0,
				  .conc = PROFILE_CONC_MOLEFRAC};
	int solute[MAXT], solvent[MAXT], quiet = 0, force_progress = 0, c;
	int have_conc = 0;
	long bins = 0, first = 0, last = -1, stride = 1, blocks = 5;
	const char *data = NULL, *out = NULL, *units = "real";
	while ((c = getopt_long(argc, argv, "o:qh", lo, NULL)) != -1) {
		int rc = 0;
		switch (c) {
		case O_DATA: data = optarg; break;
		case O_BINS: rc = cli_long("--bins", optarg, 1, &bins, &e); break;
		case O_UNITS: units = optarg; break;
		case O_AXIS:
			if (strlen(optarg) != 1 || !strchr(axis_name, optarg[0]))
				rc = err_set(&e, "--axis: '%s' is not x, y or z", optarg);
			else
				po.axis = (int)(strchr(axis_name, optarg[0]) - axis_name);
			break;
		case O_FIRST: rc = cli_long("--first", optarg, 0, &first, &e); break;
		case O_LAST: rc = cli_long("--last", optarg, 0, &last, &e); break;
		case O_STRIDE: rc = cli_long("--stride", optarg, 1, &stride, &e); break;
		case O_SOLUTE:
			rc = parse_types("--solute", optarg, solute, &po.nsolute, &e);
			break;
		case O_SOLVENT:
			rc = parse_types("--solvent", optarg, solvent, &po.nsolvent, &e);
			break;
		case O_CONC:
			rc = profile_conc_parse(optarg, &po.conc, &e);
			have_conc = 1;
			break;
		case O_BLOCKS: rc = cli_long("--blocks", optarg, 1, &blocks, &e); break;
		case O_PROGRESS: force_progress = 1; break;
		case O_DOF:
			rc = cli_positive("--dof-per-atom", optarg, &po.dof_per_atom, &e);
			if (!rc && po.dof_per_atom > 3.0)
				rc = err_set(&e, "--dof-per-atom: %g is more than 3",
					     po.dof_per_atom);
			break;
		case 'o': out = optarg; break;
		case 'q': quiet = 1; break;
		case 'h': usage(stdout); return 0;
		case O_VER: printf("%s (soretkit) %s\n", tool, SK_VERSION); return 0;
		default: cli_try_help(tool); return ERR_USAGE;
		}
		if (rc)
			return die(ERR_USAGE, &e);
	}
	struct units u;
	if (units_init(&u, units, &e) != 0) {
		err_prefix(&e, "--units");
		return die(ERR_USAGE, &e);
	}
	if (!data || bins < 1 || optind >= argc) {
		err_set(&e, "--data FILE, --bins N and at least one trajectory are "
			"required");
		return die(ERR_USAGE, &e);
	}
	if (last >= 0 && last < first) {
		err_set(&e, "--last %ld is before --first %ld", last, first);
		return die(ERR_USAGE, &e);
	}
	if (po.nsolute == 0 && po.nsolvent == 0 && have_conc) {
		err_set(&e, "--conc needs --solute");
		return die(ERR_USAGE, &e);
	}
	for (size_t i = 0; i < po.nsolute; i++)
		for (size_t j = 0; j < po.nsolvent; j++)
			if (solute[i] == solvent[j]) {
				err_set(&e, "atom type %d is in both --solute and "
					"--solvent", solute[i]);
				return die(ERR_USAGE, &e);
			}
	if (po.nsolute == 0 && po.nsolvent == 0)
		po.conc = PROFILE_CONC_NONE;
	else if (po.nsolute == 0) {
		err_set(&e, "--solvent needs --solute");
		return die(ERR_USAGE, &e);
	}
	if ((po.conc == PROFILE_CONC_MOLEFRAC || po.conc == PROFILE_CONC_MOLALITY) &&
	    po.nsolvent == 0) {
		err_set(&e, "--conc %s needs --solvent", profile_conc_name(po.conc));
		return die(ERR_USAGE, &e);
	}
	if (po.conc == PROFILE_CONC_MOLALITY && u.style != UNITS_REAL) {
		err_set(&e, "--conc molality needs --units real (masses in g/mol)");
		return die(ERR_USAGE, &e);
	}
	po.nbins = (size_t)bins;
	po.nblocks = (size_t)blocks;
	po.solute = solute;
	po.solvent = solvent;

	size_t nin = (size_t)(argc - optind), total = 0;
	struct input *in = calloc(nin, sizeof *in);
	struct lmp_data d = {0};
	struct profile p = {0};
	struct profile_result r = {0};
	int code = ERR_DATA;
	if (!in) {
		err_set(&e, "out of memory");
		goto fail;
	}
	for (size_t i = 0; i < nin; i++)
		in[i].path = argv[optind + (int)i];
	if (lmp_data_read(&d, data, &e) != 0)
		goto fail;
	for (size_t i = 0; i < po.nsolute + po.nsolvent; i++) {
		int t = i < po.nsolute ? solute[i] : solvent[i - po.nsolute];
		if ((size_t)t > d.ntypes) {
			err_set(&e, "%s: atom type %d does not exist (%s has %zu types)",
				i < po.nsolute ? "--solute" : "--solvent", t, data,
				d.ntypes);
			code = ERR_USAGE;
			goto fail;
		}
	}
	if (open_inputs(in, nin, first, last, stride, &u, d.natoms, &total, &e) != 0)
		goto fail;
	if (total < po.nblocks) {
		err_set(&e, "%zu frames cannot make %zu blocks (--blocks at most "
			"the number of frames)", total, po.nblocks);
		goto fail;
	}
	if (profile_init(&p, &po, &d, total, &u, &e) != 0) {
		err_prefix(&e, "%s", data);
		goto fail;
	}
	int show = !quiet && (force_progress || isatty(STDERR_FILENO));
	if (run(&p, in, nin, stride, total, show, &e) != 0 ||
	    profile_finish(&p, &r, &e) != 0 ||
	    write_table(out, &p, &r, in, nin, stride, data, argc, argv, &e) != 0)
		goto fail;
	code = 0;
	goto done;
fail:
	fprintf(stderr, "%s: %s\n", tool, e.msg);
done:
	for (size_t i = 0; in && i < nin; i++)
		if (in[i].t)
			traj_nc_close(in[i].t, NULL);
	free(in);
	profile_result_free(&r);
	profile_free(&p);
	lmp_data_free(&d);
	return code;
}
