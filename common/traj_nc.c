/* traj_nc: AMBER NetCDF trajectories and restarts (notes/algorithms.md
 * section 6; https://ambermd.org/netcdf/nctraj.xhtml).
 *
 * Every nc_* status is checked: a damaged or foreign file must give a
 * message "path: what", never a crash or silently wrong numbers. */
#include "traj_nc.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <netcdf.h>

#ifndef SK_VERSION
#define SK_VERSION "unknown"
#endif

/* One variable of the file: absent when id < 0. rec: its first dimension
 * is the frame dimension (trajectory) rather than absent (restart). */
struct ncvar {
	int id;
	int rec;
	double scale;   /* scale_factor attribute, 1 when absent */
	/* Byte extent in a classic-format file (see classic_layout): data of
	 * frame k lie in [begin + k recsize, + bytes). known = 0: not checked. */
	int known;
	uint64_t begin, bytes;
};

/* A status of our own beside netCDF's (negative) and errno's (positive). */
enum { ST_TRUNCATED = -10000 };

struct traj_nc {
	int ncid;
	int writer;
	int restart;            /* Conventions AMBERRESTART: one frame, no frame dim */
	char *path;             /* final name */
	char *tmp;              /* writer: the name being written */
	size_t natoms, nframes;
	int has_vel;
	int precision;          /* TRAJ_FLOAT / TRAJ_DOUBLE: type of coordinates */
	enum units_style style;
	double t2f, v2f;        /* engine -> file factors for time and velocity */
	struct ncvar coord, vel, time, clen, cang;
	/* Restarts of real-unit runs also keep velocities and time in engine
	 * units: fs->ps and Å/fs->Å/ps are not exactly invertible in double
	 * (a few percent of values change in the last bit), and a checkpoint
	 * must resume bit for bit. */
	struct ncvar evel, etime;
	double *buf;            /* [3 natoms] interleaved xyz scratch */
	int classic;            /* CDF-1/2/5: extents checked */
	uint64_t recsize, fsize; /* classic files: record size, file size */
};

static const struct ncvar no_var = { -1, 0, 1.0, 0, 0, 0 };

static const char *status_str(int s)
{
	return s == ST_TRUNCATED ? "file is truncated" : nc_strerror(s);
}

/* "path: what: netCDF reason"; always -1. */
static int nc_fail(struct err *e, const char *path, const char *what, int status)
{
	return err_set(e, "%s: %s: %s", path, what, status_str(status));
}

static char *str_cat(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	char *s = malloc(la + lb + 1);
	if (s) {
		memcpy(s, a, la);
		memcpy(s + la, b, lb + 1);
	}
	return s;
}

static int put_text(int ncid, int varid, const char *name, const char *text)
{
	return nc_put_att_text(ncid, varid, name, strlen(text), text);
}

static void free_handle(struct traj_nc *t)
{
	if (!t)
		return;
	free(t->path);
	free(t->tmp);
	free(t->buf);
	free(t);
}

static struct traj_nc *new_handle(const char *path, size_t natoms, struct err *e)
{
	struct traj_nc *t = calloc(1, sizeof *t);
	if (!t) {
		err_set(e, "%s: out of memory", path);
		return NULL;
	}
	t->ncid = -1;
	t->coord = t->vel = t->time = t->clen = t->cang = no_var;
	t->evel = t->etime = no_var;
	t->natoms = natoms;
	t->path = strdup(path);
	/* 3 natoms doubles: guard the multiplication before calloc sees it */
	if (natoms > SIZE_MAX / 3 / sizeof(double))
		t->buf = NULL;
	else
		t->buf = calloc(3 * natoms, sizeof(double));
	if (!t->path || !t->buf) {
		free_handle(t);
		err_set(e, "%s: out of memory for %zu atoms", path, natoms);
		return NULL;
	}
	return t;
}

int frame_alloc(struct frame *f, size_t natoms, int with_vel, struct err *e)
{
	memset(f, 0, sizeof *f);
	if (natoms == 0)
		return err_set(e, "frame with no atoms");
	double **arr[6] = { &f->x, &f->y, &f->z, &f->vx, &f->vy, &f->vz };
	int narr = with_vel ? 6 : 3;
	for (int i = 0; i < narr; i++) {
		*arr[i] = calloc(natoms, sizeof(double));
		if (!*arr[i]) {
			frame_free(f);
			return err_set(e, "out of memory for a frame of %zu atoms", natoms);
		}
	}
	f->natoms = natoms;
	f->angle[0] = f->angle[1] = f->angle[2] = 90.0;
	return 0;
}

void frame_free(struct frame *f)
{
	if (!f)
		return;
	free(f->x);
	free(f->y);
	free(f->z);
	free(f->vx);
	free(f->vy);
	free(f->vz);
	memset(f, 0, sizeof *f);
	f->angle[0] = f->angle[1] = f->angle[2] = 90.0;
}

/* Angles within this many degrees of 90 are orthorhombic: float storage
 * and LAMMPS's acos(0) * 180 / pi give 90 to far better than that. */
#define ANGLE_TOL 1e-3

int frame_check_cell(const struct frame *f, struct err *e)
{
	if (f->has_cell)
		for (int a = 0; a < 3; a++)
			if (!(fabs(f->angle[a] - 90.0) <= ANGLE_TOL))
				return err_set(e, "cell angles %g %g %g: only "
					       "orthorhombic boxes are supported",
					       f->angle[0], f->angle[1], f->angle[2]);
	return 0;
}

int frame_check(const struct frame *f, struct err *e)
{
	if (frame_check_cell(f, e) != 0)
		return -1;
	const double *arr[6] = { f->x, f->y, f->z, f->vx, f->vy, f->vz };
	for (int k = 0; k < 6; k++) {
		if (!arr[k])
			continue;
		for (size_t i = 0; i < f->natoms; i++)
			if (!isfinite(arr[k][i]))
				return err_set(e, "atom %zu: %s %c is %g", i + 1,
					       k < 3 ? "position" : "velocity",
					       "xyz"[k % 3], arr[k][i]);
	}
	return 0;
}

/* Read or write one frame of a variable: frame index k along the frame
 * dimension when the variable has one, then the full extent of the
 * remaining nrest dimensions. */
static int var_io(int ncid, const struct ncvar *v, size_t k, int nrest,
		  const size_t *rest, double *data, int put)
{
	size_t start[4] = { 0 }, count[4] = { 1, 1, 1, 1 };
	int nd = 0;
	if (v->rec) {
		start[nd] = k;
		count[nd++] = 1;
	}
	for (int i = 0; i < nrest; i++) {
		start[nd] = 0;
		count[nd++] = rest[i];
	}
	return put ? nc_put_vara_double(ncid, v->id, start, count, data)
		   : nc_get_vara_double(ncid, v->id, start, count, data);
}

/* ---- writing ---------------------------------------------------------- */

/* Global attributes, dimensions and the label variables every AMBER file
 * carries (cpptraj refuses files without `spatial`, mdanalysis#488).
 * dims out: frame (-1 for restarts), spatial, atom, cell_spatial,
 * cell_angular, label. lab out: ids of the three label variables. */
static int define_header(int ncid, int restart, size_t natoms,
			 enum units_style style, const char *title,
			 int dims[6], int lab[3])
{
	int s;
	if ((s = nc_set_fill(ncid, NC_NOFILL, &(int){ 0 })))
		return s;
	if ((s = put_text(ncid, NC_GLOBAL, "Conventions",
			  restart ? "AMBERRESTART" : "AMBER")) ||
	    (s = put_text(ncid, NC_GLOBAL, "ConventionVersion", "1.0")) ||
	    (s = put_text(ncid, NC_GLOBAL, "program", "soretkit")) ||
	    (s = put_text(ncid, NC_GLOBAL, "programVersion", SK_VERSION)) ||
	    (s = put_text(ncid, NC_GLOBAL, "title", title ? title : "soretkit")) ||
	    (s = put_text(ncid, NC_GLOBAL, "soretkit_units",
			  style == UNITS_LJ ? "lj" : "real")))
		return s;
	dims[0] = -1;
	if (!restart && (s = nc_def_dim(ncid, "frame", NC_UNLIMITED, &dims[0])))
		return s;
	if ((s = nc_def_dim(ncid, "spatial", 3, &dims[1])) ||
	    (s = nc_def_dim(ncid, "atom", natoms, &dims[2])) ||
	    (s = nc_def_dim(ncid, "cell_spatial", 3, &dims[3])) ||
	    (s = nc_def_dim(ncid, "cell_angular", 3, &dims[4])) ||
	    (s = nc_def_dim(ncid, "label", 5, &dims[5])))
		return s;
	int ang[2] = { dims[4], dims[5] };
	if ((s = nc_def_var(ncid, "spatial", NC_CHAR, 1, &dims[1], &lab[0])) ||
	    (s = nc_def_var(ncid, "cell_spatial", NC_CHAR, 1, &dims[3], &lab[1])) ||
	    (s = nc_def_var(ncid, "cell_angular", NC_CHAR, 2, ang, &lab[2])))
		return s;
	return NC_NOERR;
}

/* Define a data variable: [frame,] then the given dims; units attribute. */
static int define_var(int ncid, const char *name, nc_type type, int frame_dim,
		      int nrest, const int *rest, const char *units,
		      struct ncvar *v)
{
	int d[3], nd = 0, s;
	if (frame_dim >= 0)
		d[nd++] = frame_dim;
	for (int i = 0; i < nrest; i++)
		d[nd++] = rest[i];
	if ((s = nc_def_var(ncid, name, type, nd, d, &v->id)))
		return s;
	v->rec = frame_dim >= 0;
	v->scale = 1.0;
	if (units && (s = put_text(ncid, v->id, "units", units)))
		return s;
	return NC_NOERR;
}

static int put_labels(int ncid, const int lab[3])
{
	int s;
	size_t st[2] = { 0, 0 }, c3[1] = { 3 }, c35[2] = { 3, 5 };
	if ((s = nc_put_vara_text(ncid, lab[0], st, c3, "xyz")) ||
	    (s = nc_put_vara_text(ncid, lab[1], st, c3, "abc")) ||
	    (s = nc_put_vara_text(ncid, lab[2], st, c35, "alphabeta gamma")))
		return s;
	return NC_NOERR;
}

/* Create a trajectory writer on file ncname (the temporary name); path is
 * the final name. Velocity and time factors from u. */
static int create_traj(struct traj_nc **tp, const char *path, const char *ncname,
		       size_t natoms, int with_vel, int precision,
		       const struct units *u, const char *title, struct err *e)
{
	*tp = NULL;
	if (natoms == 0)
		return err_set(e, "%s: trajectory with no atoms", path);
	if (precision != TRAJ_FLOAT && precision != TRAJ_DOUBLE)
		return err_set(e, "%s: unknown precision %d", path, precision);
	struct traj_nc *t = new_handle(path, natoms, e);
	if (!t)
		return -1;
	t->writer = 1;
	t->has_vel = with_vel != 0;
	t->precision = precision;
	t->style = u->style;
	t->t2f = u->time_to_file;
	t->v2f = u->vel_to_file;
	t->tmp = strdup(ncname);
	if (!t->tmp) {
		free_handle(t);
		return err_set(e, "%s: out of memory", path);
	}
	int s = nc_create(ncname, NC_CLOBBER | NC_64BIT_OFFSET, &t->ncid);
	if (s) {
		nc_fail(e, ncname, "cannot create", s);
		free_handle(t);
		return -1;
	}
	int dims[6], lab[3];
	nc_type ft = precision == TRAJ_DOUBLE ? NC_DOUBLE : NC_FLOAT;
	int xyz[2];
	if ((s = define_header(t->ncid, 0, natoms, u->style, title, dims, lab)))
		goto fail;
	xyz[0] = dims[2];
	xyz[1] = dims[1];
	/* Cell variables are always defined (the box of an MD run always
	 * exists); a frame without a cell stores zero lengths, read back as
	 * has_cell = 0. */
	if ((s = define_var(t->ncid, "time", NC_FLOAT, dims[0], 0, NULL,
			    "picosecond", &t->time)) ||
	    (s = define_var(t->ncid, "coordinates", ft, dims[0], 2, xyz,
			    "angstrom", &t->coord)) ||
	    (with_vel && (s = define_var(t->ncid, "velocities", ft, dims[0], 2,
					 xyz, "angstrom/picosecond", &t->vel))) ||
	    (s = define_var(t->ncid, "cell_lengths", NC_DOUBLE, dims[0], 1,
			    &dims[3], "angstrom", &t->clen)) ||
	    (s = define_var(t->ncid, "cell_angles", NC_DOUBLE, dims[0], 1,
			    &dims[4], "degree", &t->cang)))
		goto fail;
	if ((s = nc_enddef(t->ncid)) || (s = put_labels(t->ncid, lab)))
		goto fail;
	*tp = t;
	return 0;
fail:
	nc_fail(e, ncname, "cannot write header", s);
	traj_nc_abort(t);
	return -1;
}

int traj_nc_create(struct traj_nc **t, const char *path, size_t natoms,
		   int with_vel, int precision, const struct units *u,
		   const char *title, struct err *e)
{
	*t = NULL;
	if (!u)
		return err_set(e, "%s: no unit style given", path);
	char *tmp = str_cat(path, ".tmp");
	if (!tmp)
		return err_set(e, "%s: out of memory", path);
	int rc = create_traj(t, path, tmp, natoms, with_vel, precision, u,
			     title, e);
	free(tmp);
	return rc;
}

/* Write frame f as frame t->nframes. from_engine: f is in engine units
 * (convert), else already in file units (copying a file). */
static int write_frame(struct traj_nc *t, const struct frame *f, int from_engine,
		       struct err *e)
{
	size_t k = t->nframes, n = t->natoms;
	size_t rest[2] = { n, 3 }, r3[1] = { 3 };
	double *b = t->buf;
	int s;
	if (f->natoms != n || !f->x || !f->y || !f->z)
		return err_set(e, "%s: frame has %zu atoms, file has %zu",
			       t->path, f->natoms, n);
	if (t->has_vel && (!f->vx || !f->vy || !f->vz))
		return err_set(e, "%s: frame %zu has no velocities", t->path, k);
	for (size_t i = 0; i < n; i++) {
		b[3 * i] = f->x[i];
		b[3 * i + 1] = f->y[i];
		b[3 * i + 2] = f->z[i];
	}
	if ((s = var_io(t->ncid, &t->coord, k, 2, rest, b, 1)))
		goto fail;
	if (t->has_vel) {
		double c = from_engine ? t->v2f : 1.0;
		for (size_t i = 0; i < n; i++) {
			b[3 * i] = f->vx[i] * c;
			b[3 * i + 1] = f->vy[i] * c;
			b[3 * i + 2] = f->vz[i] * c;
		}
		if ((s = var_io(t->ncid, &t->vel, k, 2, rest, b, 1)))
			goto fail;
	}
	double time = f->time * (from_engine ? t->t2f : 1.0);
	double len[3] = { 0, 0, 0 }, ang[3] = { 90, 90, 90 };
	if (f->has_cell) {
		memcpy(len, f->cell, sizeof len);
		memcpy(ang, f->angle, sizeof ang);
	}
	if ((s = var_io(t->ncid, &t->time, k, 0, NULL, &time, 1)) ||
	    (s = var_io(t->ncid, &t->clen, k, 1, r3, len, 1)) ||
	    (s = var_io(t->ncid, &t->cang, k, 1, r3, ang, 1)))
		goto fail;
	t->nframes++;
	return 0;
fail:
	return err_set(e, "%s: frame %zu: %s", t->tmp, k, nc_strerror(s));
}

int traj_nc_append(struct traj_nc *t, const struct frame *f, struct err *e)
{
	if (!t->writer || t->restart)
		return err_set(e, "%s: not open for writing", t->path);
	return write_frame(t, f, 1, e);
}

int traj_nc_sync(struct traj_nc *t, struct err *e)
{
	if (!t->writer)
		return 0;
	int s = nc_sync(t->ncid);
	return s ? nc_fail(e, t->tmp, "cannot flush", s) : 0;
}

int traj_nc_close(struct traj_nc *t, struct err *e)
{
	if (!t)
		return 0;
	int rc = 0;
	int s = nc_close(t->ncid);
	if (t->writer) {
		/* A file that did not close cleanly (full disk) must not take
		 * the final name: it would look like a finished run. */
		if (s) {
			rc = nc_fail(e, t->tmp, "cannot close", s);
			unlink(t->tmp);
		} else if (rename(t->tmp, t->path) != 0) {
			rc = err_set(e, "%s: cannot rename to %s: %s", t->tmp,
				     t->path, strerror(errno));
		}
	} else if (s) {
		rc = nc_fail(e, t->path, "cannot close", s);
	}
	free_handle(t);
	return rc;
}

int traj_nc_detach(struct traj_nc *t)
{
	if (!t)
		return 0;
	/* nc_close writes the header's record count: the frames appended so
	 * far stay readable in path.tmp for traj_nc_append_open */
	int s = t->ncid >= 0 ? nc_close(t->ncid) : NC_NOERR;
	free_handle(t);
	return s ? -1 : 0;
}

void traj_nc_abort(struct traj_nc *t)
{
	if (!t)
		return;
	if (t->ncid >= 0)
		nc_close(t->ncid);
	if (t->writer && t->tmp)
		unlink(t->tmp);
	free_handle(t);
}

/* ---- truncation check for classic files ------------------------------- */

/* netCDF-3 reads past the end of a truncated file as zeros without an
 * error (posixio pads short reads), so a file cut by a full disk or an
 * interrupted copy would give frames of zeros. We read the variables'
 * offsets from the header (format spec: "The NetCDF Classic Format
 * Specification", CDF-1, CDF-2 and CDF-5) and refuse frames that lie
 * beyond the end of the file. netCDF has validated the header already;
 * the parser still bounds every count by the file size. */
struct hdr {
	FILE *fp;
	int ver;        /* 1, 2 or 5 */
	int bad;
	uint64_t fsize;
};

static uint64_t rd_be(struct hdr *h, int nbytes)
{
	unsigned char b[8];
	uint64_t v = 0;
	if (h->bad || fread(b, 1, (size_t)nbytes, h->fp) != (size_t)nbytes) {
		h->bad = 1;
		return 0;
	}
	for (int i = 0; i < nbytes; i++)
		v = v << 8 | b[i];
	return v;
}

/* NON_NEG: element counts, lengths, dimension ids (64 bit in CDF-5) */
static uint64_t rd_count(struct hdr *h)
{
	uint64_t v = rd_be(h, h->ver == 5 ? 8 : 4);
	if (v > h->fsize) /* no count can exceed the bytes it describes */
		h->bad = 1;
	return h->bad ? 0 : v;
}

static void skip_bytes(struct hdr *h, uint64_t n)
{
	n = (n + 3) & ~(uint64_t)3; /* everything is padded to 4 bytes */
	if (h->bad || n > h->fsize || fseeko(h->fp, (off_t)n, SEEK_CUR) != 0)
		h->bad = 1;
}

static int type_size(uint64_t ty)
{
	static const int sz[] = { 0, 1, 1, 2, 4, 4, 8, 1, 2, 4, 8, 8 };
	return ty < sizeof sz / sizeof sz[0] ? sz[ty] : 0;
}

/* Read a name into buf (NUL-terminated); names longer than buf can hold
 * cannot be ours and are skipped, leaving buf empty. */
static void rd_name(struct hdr *h, char *buf, size_t cap)
{
	uint64_t n = rd_count(h);
	buf[0] = '\0';
	if (h->bad)
		return;
	if (n >= cap) {
		skip_bytes(h, n);
		return;
	}
	if (fread(buf, 1, (size_t)n, h->fp) != (size_t)n) {
		h->bad = 1;
		return;
	}
	buf[n] = '\0';
	if (n % 4 && fseeko(h->fp, (off_t)(4 - n % 4), SEEK_CUR) != 0)
		h->bad = 1;
}

/* Read a list header: tag and count; ABSENT (0, 0) gives 0. */
static uint64_t rd_list(struct hdr *h, uint64_t tag)
{
	uint64_t t = rd_be(h, 4), n = rd_count(h);
	if (t != tag && !(t == 0 && n == 0))
		h->bad = 1;
	return h->bad ? 0 : n;
}

static void skip_atts(struct hdr *h)
{
	char name[NC_MAX_NAME + 1];
	uint64_t n = rd_list(h, 0x0C);
	for (uint64_t i = 0; i < n && !h->bad; i++) {
		rd_name(h, name, sizeof name);
		int sz = type_size(rd_be(h, 4));
		uint64_t m = rd_count(h);
		if (!sz)
			h->bad = 1;
		skip_bytes(h, m * (uint64_t)sz); /* m <= fsize: no overflow */
	}
}

/* Fill the extents of the n variables named names[i] (known = 1 when
 * found), the record size and the file size. Returns 0, or -1 when the
 * header cannot be read (a file cut inside its header: netCDF itself
 * may still open it, reading the missing bytes as zeros). */
static int classic_layout(const char *path, int n, const char *const names[],
			  struct ncvar *out[], uint64_t *recsize, uint64_t *fsize)
{
	struct hdr h = { NULL, 0, 0, 0 };
	uint64_t *dimlen = NULL;
	struct stat st;
	h.fp = fopen(path, "rb");
	if (!h.fp || fstat(fileno(h.fp), &st) != 0)
		goto bad;
	h.fsize = *fsize = (uint64_t)st.st_size;
	unsigned char magic[4];
	if (fread(magic, 1, 4, h.fp) != 4 || memcmp(magic, "CDF", 3) != 0)
		goto bad;
	h.ver = magic[3];
	if (h.ver != 1 && h.ver != 2 && h.ver != 5)
		goto bad;
	rd_be(&h, h.ver == 5 ? 8 : 4); /* numrecs: netCDF's is used */
	uint64_t ndims = rd_list(&h, 0x0A);
	dimlen = malloc((ndims ? ndims : 1) * sizeof *dimlen);
	if (!dimlen)
		goto bad;
	char name[NC_MAX_NAME + 1];
	for (uint64_t i = 0; i < ndims && !h.bad; i++) {
		rd_name(&h, name, sizeof name);
		/* not bounded by the file size: a dimension of variables with
		 * no records yet may be larger than the file */
		dimlen[i] = rd_be(&h, h.ver == 5 ? 8 : 4);
	}
	skip_atts(&h);
	uint64_t nvars = rd_list(&h, 0x0B), recsum = 0, first_pad = 0, first_bytes = 0;
	int nrec = 0;
	for (uint64_t i = 0; i < nvars && !h.bad; i++) {
		rd_name(&h, name, sizeof name);
		uint64_t nd = rd_count(&h), prod = 1;
		int rec = 0;
		for (uint64_t j = 0; j < nd && !h.bad; j++) {
			uint64_t d = rd_count(&h);
			if (d >= ndims) {
				h.bad = 1;
				break;
			}
			if (j == 0 && dimlen[d] == 0) {
				rec = 1; /* length 0 in the header: the record dimension */
				continue;
			}
			if (dimlen[d] && prod > UINT64_MAX / dimlen[d])
				h.bad = 1;
			else
				prod *= dimlen[d];
		}
		skip_atts(&h);
		int sz = type_size(rd_be(&h, 4));
		rd_be(&h, h.ver == 5 ? 8 : 4); /* vsize: recomputed (saturates for big vars) */
		uint64_t begin = rd_be(&h, h.ver == 1 ? 4 : 8);
		if (!sz || prod > UINT64_MAX / 8)
			h.bad = 1;
		if (h.bad)
			break;
		uint64_t bytes = prod * (uint64_t)sz;
		if (rec) {
			if (nrec++ == 0) {
				first_bytes = bytes;
				first_pad = (bytes + 3) & ~(uint64_t)3;
			}
			recsum += (bytes + 3) & ~(uint64_t)3;
		}
		for (int k = 0; k < n; k++) {
			if (strcmp(name, names[k]) != 0)
				continue;
			out[k]->known = 1;
			out[k]->begin = begin;
			out[k]->bytes = bytes;
		}
	}
	if (h.bad)
		goto bad;
	/* netCDF packs records without padding when there is exactly one
	 * record variable (nc3internal.c, NC_computeshapes) */
	*recsize = recsum == first_pad ? first_bytes : recsum;
	free(dimlen);
	fclose(h.fp);
	return 0;
bad:
	free(dimlen);
	if (h.fp)
		fclose(h.fp);
	return -1;
}

/* Does frame k of v lie inside the file? Re-reads the size once before
 * saying no, for a file still being written. */
static int in_file(struct traj_nc *t, const struct ncvar *v, size_t k)
{
	if (!v->known)
		return 1;
	uint64_t off = v->rec ? (uint64_t)k : 0, end;
	if (v->begin > UINT64_MAX - v->bytes)
		return 0;
	if (off && t->recsize && off > (UINT64_MAX - v->begin - v->bytes) / t->recsize)
		return 0;
	end = v->begin + v->bytes + off * t->recsize;
	if (end <= t->fsize)
		return 1;
	struct stat st;
	if (stat(t->path, &st) == 0 && (uint64_t)st.st_size > t->fsize)
		t->fsize = (uint64_t)st.st_size;
	return end <= t->fsize;
}

/* var_io for reading, refusing data beyond the end of the file. */
static int get_var(struct traj_nc *t, const struct ncvar *v, size_t k,
		   int nrest, const size_t *rest, double *data)
{
	if (!in_file(t, v, k))
		return ST_TRUNCATED;
	return var_io(t->ncid, v, k, nrest, rest, data, 0);
}

/* ---- reading ---------------------------------------------------------- */

static int is_numeric(nc_type ty)
{
	/* NC_BYTE .. NC_UINT64, except text */
	return ty >= NC_BYTE && ty <= NC_UINT64 && ty != NC_CHAR;
}

/* Read a global text attribute into a malloc'd NUL-terminated string.
 * Returns 0, 1 when absent, -1 on error (message filled). */
static int get_gtext(int ncid, const char *path, const char *name, char **out,
		     struct err *e)
{
	nc_type ty;
	size_t len;
	*out = NULL;
	int s = nc_inq_att(ncid, NC_GLOBAL, name, &ty, &len);
	if (s == NC_ENOTATT)
		return 1;
	if (s)
		return nc_fail(e, path, name, s);
	if (ty != NC_CHAR)
		return err_set(e, "%s: attribute %s is not text", path, name);
	char *b = malloc(len + 1);
	if (!b)
		return err_set(e, "%s: out of memory", path);
	if (len && (s = nc_get_att_text(ncid, NC_GLOBAL, name, b))) {
		free(b);
		return nc_fail(e, path, name, s);
	}
	b[len] = '\0'; /* some writers include a trailing NUL: strlen stops there */
	*out = b;
	return 0;
}

/* Does the comma/space separated list conv contain token tok?
 * (MDAnalysis accepts lists such as "AMBER,ACME".) */
static int has_token(const char *conv, const char *tok)
{
	size_t n = strlen(tok);
	const char *p = conv;
	while (*p) {
		p += strspn(p, ", \t");
		size_t m = strcspn(p, ", \t");
		if (m == n && strncmp(p, tok, n) == 0)
			return 1;
		p += m;
	}
	return 0;
}

/* Find variable name and check its shape: [frame,] then nrest dims, where
 * rest[i] >= 0 is a dimension id the variable must use and -3 means "any
 * dimension of length 3". Returns 0 found, 1 absent, -1 error. */
static int find_var(struct traj_nc *t, const char *name, int frame_dim,
		    int nrest, const int *rest, struct ncvar *v, struct err *e)
{
	int id, nd, d[NC_MAX_VAR_DIMS], s;
	nc_type ty;
	*v = no_var;
	s = nc_inq_varid(t->ncid, name, &id);
	if (s == NC_ENOTVAR)
		return 1;
	if (s || (s = nc_inq_var(t->ncid, id, NULL, &ty, &nd, NULL, NULL)))
		return nc_fail(e, t->path, name, s);
	if (!is_numeric(ty))
		return err_set(e, "%s: variable %s is not numeric", t->path, name);
	int rec = frame_dim >= 0;
	if (nd != rec + nrest)
		goto shape;
	if ((s = nc_inq_vardimid(t->ncid, id, d)))
		return nc_fail(e, t->path, name, s);
	if (rec && d[0] != frame_dim)
		goto shape;
	for (int i = 0; i < nrest; i++) {
		size_t len;
		if (rest[i] >= 0) {
			if (d[rec + i] != rest[i])
				goto shape;
			continue;
		}
		if ((s = nc_inq_dimlen(t->ncid, d[rec + i], &len)))
			return nc_fail(e, t->path, name, s);
		if (len != 3)
			goto shape;
	}
	v->id = id;
	v->rec = rec;
	v->scale = 1.0;
	/* Amber stores restart velocities in internal units with
	 * scale_factor 20.455 (MDAnalysis PR #3294): readers must multiply. */
	size_t alen;
	s = nc_inq_att(t->ncid, id, "scale_factor", &ty, &alen);
	if (s == NC_NOERR) {
		if (!is_numeric(ty) || alen != 1)
			return err_set(e, "%s: %s: scale_factor is not one number",
				       t->path, name);
		if ((s = nc_get_att_double(t->ncid, id, "scale_factor", &v->scale)))
			return nc_fail(e, t->path, name, s);
	} else if (s != NC_ENOTATT) {
		return nc_fail(e, t->path, name, s);
	}
	/* AMBER's units are ps and A/ps, but LAMMPS dump netcdf writes a
	 * real-units run in its own fs and A/fs and says so in the units
	 * attribute: read as ps, velocities would be 1000 times too small. */
	char u[32];
	s = nc_inq_att(t->ncid, id, "units", &ty, &alen);
	if (s == NC_NOERR && ty == NC_CHAR && alen < sizeof u &&
	    nc_get_att_text(t->ncid, id, "units", u) == NC_NOERR) {
		u[alen] = '\0';
		if (!strcmp(name, "velocities") &&
		    !strcasecmp(u, "angstrom/femtosecond"))
			v->scale *= 1000.0;
		else if (!strcmp(name, "time") && !strcasecmp(u, "femtosecond"))
			v->scale *= 0.001;
	}
	return 0;
shape:
	return err_set(e, "%s: variable %s has unexpected dimensions", t->path, name);
}

/* Does the coordinates variable say its units are "lj"? LAMMPS dump
 * netcdf marks an lj-units run only so (units attribute "lj" on every
 * variable, no soretkit_units); read as real, its time and velocities
 * would be converted by 1000 and every tool would refuse --units lj. */
static int lj_coordinates(int ncid)
{
	int id;
	nc_type ty;
	size_t len;
	char u[3];
	return nc_inq_varid(ncid, "coordinates", &id) == NC_NOERR &&
	       nc_inq_att(ncid, id, "units", &ty, &len) == NC_NOERR &&
	       ty == NC_CHAR && len == 2 &&
	       nc_get_att_text(ncid, id, "units", u) == NC_NOERR &&
	       u[0] == 'l' && u[1] == 'j';
}

/* Conventions and soretkit_units: what kind of file, in which units. */
static int read_globals(int ncid, const char *path, int *restart,
			enum units_style *style, struct err *e)
{
	char *conv, *ustr;
	int rc = get_gtext(ncid, path, "Conventions", &conv, e);
	if (rc == 1)
		return err_set(e, "%s: not an AMBER NetCDF file (no Conventions attribute)",
			       path);
	if (rc < 0)
		return -1;
	/* cpptraj compares the whole string; we accept a token list as
	 * MDAnalysis does */
	*restart = has_token(conv, "AMBERRESTART");
	rc = *restart || has_token(conv, "AMBER") ? 0 :
	     err_set(e, "%s: Conventions \"%s\" is neither AMBER nor AMBERRESTART",
		     path, conv);
	free(conv);
	if (rc < 0)
		return -1;
	/* files of other programs are in Å, ps, unless LAMMPS says lj */
	*style = UNITS_REAL;
	rc = get_gtext(ncid, path, "soretkit_units", &ustr, e);
	if (rc == 1 && lj_coordinates(ncid))
		*style = UNITS_LJ;
	if (rc != 0)
		return rc < 0 ? -1 : 0;
	if (strcmp(ustr, "lj") == 0)
		*style = UNITS_LJ;
	else if (strcmp(ustr, "real") != 0)
		rc = err_set(e, "%s: unknown soretkit_units \"%s\"", path, ustr);
	free(ustr);
	return rc;
}

int traj_nc_open(struct traj_nc **tp, const char *path, struct err *e)
{
	int ncid, s, fmt, restart = 0;
	enum units_style style = UNITS_REAL;
	*tp = NULL;
	if ((s = nc_open(path, NC_NOWRITE, &ncid)))
		return nc_fail(e, path, "cannot open", s);
	if ((s = nc_inq_format(ncid, &fmt))) {
		nc_close(ncid);
		return nc_fail(e, path, "format", s);
	}
	/* Classic files: byte extents of the variables we read, from the
	 * header, first, since netCDF opens a file cut inside its header. */
	enum { NV = 7 };
	static const char *const names[NV] = {
		"coordinates", "velocities", "time", "cell_lengths",
		"cell_angles", "soretkit_velocities", "soretkit_time"
	};
	struct ncvar ext[NV], *pext[NV];
	uint64_t recsize = 0, fsize = 0;
	int classic = fmt == NC_FORMAT_CLASSIC || fmt == NC_FORMAT_64BIT_OFFSET ||
		      fmt == NC_FORMAT_CDF5;
	for (int i = 0; i < NV; i++) {
		ext[i] = no_var;
		pext[i] = &ext[i];
	}
	if (classic && classic_layout(path, NV, names, pext, &recsize, &fsize) < 0) {
		nc_close(ncid);
		return err_set(e, "%s: file is truncated or damaged (incomplete header)",
			       path);
	}
	if (read_globals(ncid, path, &restart, &style, e) < 0) {
		nc_close(ncid);
		return -1;
	}
	int atom_dim;
	size_t natoms;
	if ((s = nc_inq_dimid(ncid, "atom", &atom_dim)) ||
	    (s = nc_inq_dimlen(ncid, atom_dim, &natoms)) || natoms == 0) {
		if (s)
			nc_fail(e, path, "atom dimension", s);
		else
			err_set(e, "%s: no atoms", path);
		nc_close(ncid);
		return -1;
	}
	struct traj_nc *t = new_handle(path, natoms, e);
	if (!t) {
		nc_close(ncid);
		return -1;
	}
	t->ncid = ncid;
	t->restart = restart;
	t->style = style;
	struct units u;
	units_set(&u, style);
	t->t2f = u.time_to_file;
	t->v2f = u.vel_to_file;

	/* The frame dimension is the first one of coordinates (a trajectory
	 * written by another program may name it differently). */
	int coord_id, nd, d[NC_MAX_VAR_DIMS], frame_dim = -1;
	nc_type cty;
	s = nc_inq_varid(ncid, "coordinates", &coord_id);
	if (s == NC_ENOTVAR) {
		err_set(e, "%s: no coordinates variable", path);
		goto fail;
	}
	if (s || (s = nc_inq_varndims(ncid, coord_id, &nd)) ||
	    (s = nc_inq_vartype(ncid, coord_id, &cty))) {
		nc_fail(e, path, "coordinates", s);
		goto fail;
	}
	t->precision = cty == NC_DOUBLE ? TRAJ_DOUBLE : TRAJ_FLOAT;
	t->nframes = 1;
	if (!restart && nd == 3) {
		if ((s = nc_inq_vardimid(ncid, coord_id, d)) ||
		    (s = nc_inq_dimlen(ncid, d[0], &t->nframes))) {
			nc_fail(e, path, "coordinates", s);
			goto fail;
		}
		frame_dim = d[0];
	}
	/* shapes after the frame dimension: [atom, 3], [], [3] */
	int xyz[2] = { atom_dim, -3 }, three[1] = { -3 };
	struct ncvar *vars[NV] = { &t->coord, &t->vel, &t->time, &t->clen,
				   &t->cang, &t->evel, &t->etime };
	const int nrest[NV] = { 2, 2, 0, 1, 1, 2, 0 };
	for (int i = 0; i < NV; i++) {
		const int *rest = nrest[i] == 2 ? xyz : three;
		int rc = find_var(t, names[i], frame_dim, nrest[i], rest, vars[i], e);
		if (rc < 0 || (rc == 1 && i == 0))
			goto fail;
		if (classic && vars[i]->id >= 0) {
			if (!ext[i].known) {
				err_set(e, "%s: variable %s not found in the header",
					path, names[i]);
				goto fail;
			}
			vars[i]->known = 1;
			vars[i]->begin = ext[i].begin;
			vars[i]->bytes = ext[i].bytes;
		}
	}
	t->has_vel = t->vel.id >= 0 || t->evel.id >= 0;
	t->classic = classic;
	t->recsize = recsize;
	t->fsize = fsize;
	*tp = t;
	return 0;
fail:
	traj_nc_abort(t);
	return -1;
}

size_t traj_nc_nframes(const struct traj_nc *t) { return t->nframes; }
size_t traj_nc_natoms(const struct traj_nc *t) { return t->natoms; }
int traj_nc_has_vel(const struct traj_nc *t) { return t->has_vel; }
enum units_style traj_nc_units(const struct traj_nc *t) { return t->style; }

/* Read one xyz-shaped variable into three arrays, divided by div (a unit
 * conversion: one rounding, as the writer's multiplication). */
static int get_xyz(struct traj_nc *t, const struct ncvar *v, size_t k, double div,
		   double *x, double *y, double *z)
{
	size_t rest[2] = { t->natoms, 3 };
	int s = get_var(t, v, k, 2, rest, t->buf);
	if (s)
		return s;
	double c = v->scale;
	for (size_t i = 0; i < t->natoms; i++) {
		x[i] = t->buf[3 * i] * c / div;
		y[i] = t->buf[3 * i + 1] * c / div;
		z[i] = t->buf[3 * i + 2] * c / div;
	}
	return NC_NOERR;
}

/* Read frame k into f; to_engine: convert to engine units, else leave in
 * file units (copying a file). */
static int read_frame(struct traj_nc *t, size_t k, struct frame *f, int to_engine,
		      struct err *e)
{
	size_t r3[1] = { 3 };
	int s;
	if (k >= t->nframes)
		return err_set(e, "%s: frame %zu out of range (file has %zu frames)",
			       t->path, k, t->nframes);
	if (f->natoms != t->natoms || !f->x || !f->y || !f->z)
		return err_set(e, "%s: file has %zu atoms, frame has %zu",
			       t->path, t->natoms, f->natoms);
	int want_vel = f->vx != NULL;
	if (want_vel && (!f->vy || !f->vz))
		return err_set(e, "%s: frame has incomplete velocity arrays", t->path);
	if (want_vel && !t->has_vel)
		return err_set(e, "%s: no velocities in file", t->path);
	if ((s = get_xyz(t, &t->coord, k, 1.0, f->x, f->y, f->z)))
		goto fail;
	if (want_vel) {
		if (to_engine && t->evel.id >= 0)
			s = get_xyz(t, &t->evel, k, 1.0, f->vx, f->vy, f->vz);
		else if (t->vel.id >= 0)
			s = get_xyz(t, &t->vel, k, to_engine ? t->v2f : 1.0,
				    f->vx, f->vy, f->vz);
		else /* only engine-unit velocities: convert to file units */
			s = get_xyz(t, &t->evel, k, 1.0 / t->v2f, f->vx, f->vy, f->vz);
		if (s)
			goto fail;
	}
	double time = 0.0;
	if (to_engine && t->etime.id >= 0) {
		if ((s = get_var(t, &t->etime, k, 0, NULL, &time)))
			goto fail;
		time *= t->etime.scale;
	} else if (t->time.id >= 0) {
		if ((s = get_var(t, &t->time, k, 0, NULL, &time)))
			goto fail;
		time *= t->time.scale;
		if (to_engine)
			time /= t->t2f;
	}
	f->time = time;
	f->has_cell = 0;
	f->cell[0] = f->cell[1] = f->cell[2] = 0.0;
	f->angle[0] = f->angle[1] = f->angle[2] = 90.0;
	if (t->clen.id >= 0) {
		if ((s = get_var(t, &t->clen, k, 1, r3, f->cell)))
			goto fail;
		for (int i = 0; i < 3; i++) {
			f->cell[i] *= t->clen.scale;
			if (f->cell[i] != 0.0)
				f->has_cell = 1;
		}
		if (t->cang.id >= 0) {
			if ((s = get_var(t, &t->cang, k, 1, r3, f->angle)))
				goto fail;
			for (int i = 0; i < 3; i++)
				f->angle[i] *= t->cang.scale;
		}
	}
	return 0;
fail:
	return err_set(e, "%s: frame %zu: %s", t->path, k, status_str(s));
}

int traj_nc_read(struct traj_nc *t, size_t k, struct frame *f, struct err *e)
{
	return read_frame(t, k, f, 1, e);
}

int traj_nc_read_text(struct traj_nc *t, const char *name, char **text,
		      struct err *e)
{
	return get_gtext(t->ncid, t->path, name, text, e);
}

int traj_nc_read_extra(struct traj_nc *t, const char *name, double **val,
		       size_t *n, struct err *e)
{
	int id, nd, d[NC_MAX_VAR_DIMS], s;
	nc_type ty;
	*val = NULL;
	*n = 0;
	s = nc_inq_varid(t->ncid, name, &id);
	if (s == NC_ENOTVAR)
		return 1;
	if (s || (s = nc_inq_var(t->ncid, id, NULL, &ty, &nd, d, NULL)))
		return nc_fail(e, t->path, name, s);
	if (!is_numeric(ty))
		return err_set(e, "%s: variable %s is not numeric", t->path, name);
	size_t total = 1;
	for (int i = 0; i < nd; i++) {
		size_t len;
		if ((s = nc_inq_dimlen(t->ncid, d[i], &len)))
			return nc_fail(e, t->path, name, s);
		if (len && total > SIZE_MAX / sizeof(double) / len)
			return err_set(e, "%s: variable %s is too large", t->path, name);
		total *= len;
	}
	/* An empty extra is a scalar marked soretkit_length = 0 (a netCDF-3
	 * dimension of length 0 would be the unlimited one). */
	int zero = -1;
	if (nd == 0 && nc_get_att_int(t->ncid, id, "soretkit_length", &zero) == NC_NOERR &&
	    zero == 0)
		return 0;
	if (total == 0)
		return 0;
	/* extent check through the last record (or the only one) */
	struct ncvar ext = no_var, *pext = &ext;
	const char *nm[1] = { name };
	if (t->classic && classic_layout(t->path, 1, nm, &pext, &t->recsize, &t->fsize) < 0)
		return err_set(e, "%s: cannot parse the netCDF header", t->path);
	if (ext.known) {
		size_t last = 0;
		int unlim = -1;
		if (nd > 0 && (s = nc_inq_unlimdim(t->ncid, &unlim)))
			return nc_fail(e, t->path, name, s);
		if (nd > 0 && d[0] == unlim) {
			ext.rec = 1;
			if ((s = nc_inq_dimlen(t->ncid, d[0], &last)))
				return nc_fail(e, t->path, name, s);
			last = last ? last - 1 : 0;
		} else {
			ext.rec = 0;
		}
		if (!in_file(t, &ext, last))
			return err_set(e, "%s: %s: file is truncated", t->path, name);
	}
	double *v = malloc(total * sizeof *v);
	if (!v)
		return err_set(e, "%s: out of memory reading %s", t->path, name);
	if ((s = nc_get_var_double(t->ncid, id, v))) {
		free(v);
		return nc_fail(e, t->path, name, s);
	}
	*val = v;
	*n = total;
	return 0;
}

/* ---- appending after a resume ----------------------------------------- */

/* Open candidate src for appending nkeep frames in units u. */
static int open_source(struct traj_nc **src, const char *name, size_t nkeep,
		       const struct units *u, struct err *e)
{
	if (traj_nc_open(src, name, e) < 0)
		return -1;
	struct traj_nc *t = *src;
	const char *why = NULL;
	if (t->restart)
		why = "is a restart file, not a trajectory";
	else if (t->style != u->style)
		why = t->style == UNITS_LJ ? "holds lj units, the run uses real"
					   : "holds real units, the run uses lj";
	if (why) {
		err_set(e, "%s: %s", name, why);
	} else if (t->nframes < nkeep) {
		err_set(e, "%s: has %zu frames, cannot keep %zu", name,
			t->nframes, nkeep);
	} else {
		return 0;
	}
	traj_nc_close(t, NULL);
	*src = NULL;
	return -1;
}

/* netCDF-3 cannot shrink the frame dimension, so the first nkeep frames
 * are copied (in file units, bit for bit) into a new file, which then
 * replaces path.tmp and grows by appending.
 *
 * path.tmp, when present, is the newest file of this name: it exists only
 * if the last writer was interrupted (a clean close renames it), and it
 * holds the frames written before that run's last checkpoint. It is used
 * if it has nkeep frames; otherwise the finished file path is. */
int traj_nc_append_open(struct traj_nc **tp, const char *path, size_t nkeep,
			const struct units *u, struct err *e)
{
	*tp = NULL;
	if (!u)
		return err_set(e, "%s: no unit style given", path);
	char *tmp = str_cat(path, ".tmp"), *fresh = str_cat(path, ".tmp.new");
	struct traj_nc *src = NULL, *t = NULL;
	struct err etmp = { "" };
	int tmp_failed = 0, rc = -1;
	struct frame f = { 0 };
	char *title = NULL;
	if (!tmp || !fresh) {
		err_set(e, "%s: out of memory", path);
		goto out;
	}
	if (access(tmp, F_OK) == 0 && open_source(&src, tmp, nkeep, u, &etmp) < 0)
		tmp_failed = 1;
	if (!src && open_source(&src, path, nkeep, u, e) < 0) {
		/* the final file is missing: the problem with path.tmp is the
		 * one to report */
		if (tmp_failed && access(path, F_OK) != 0 && e)
			*e = etmp;
		goto out;
	}
	/* a title we cannot read is not worth refusing the resume */
	if (get_gtext(src->ncid, src->path, "title", &title, NULL) < 0)
		title = NULL;
	if (create_traj(&t, path, fresh, src->natoms, src->has_vel,
			src->precision, u, title, e) < 0)
		goto out;
	if (frame_alloc(&f, src->natoms, src->has_vel, e) < 0)
		goto out;
	for (size_t k = 0; k < nkeep; k++)
		if (read_frame(src, k, &f, 0, e) < 0 || write_frame(t, &f, 0, e) < 0)
			goto out;
	if (traj_nc_sync(t, e) < 0)
		goto out;
	if (traj_nc_close(src, e) < 0) {
		src = NULL;
		goto out;
	}
	src = NULL;
	/* The copy now holds everything worth keeping: give it the
	 * temporary name, replacing an interrupted run's file. */
	if (rename(fresh, tmp) != 0) {
		err_set(e, "%s: cannot rename to %s: %s", fresh, tmp, strerror(errno));
		goto out;
	}
	free(t->tmp);
	t->tmp = tmp;
	tmp = NULL;
	*tp = t;
	t = NULL;
	rc = 0;
out:
	frame_free(&f);
	free(title);
	if (src)
		traj_nc_close(src, NULL);
	if (t)
		traj_nc_abort(t);
	free(tmp);
	free(fresh);
	return rc;
}

/* ---- restarts --------------------------------------------------------- */

static int define_restart(int ncid, const struct frame *f, const struct units *u,
			  const struct nc_extra *extra, size_t nextra,
			  const struct nc_text *text, size_t ntext,
			  struct ncvar v[7], int *ext_id, size_t *bad)
{
	int dims[6], lab[3], s;
	int engine = u->time_to_file != 1.0 || u->vel_to_file != 1.0;
	int with_vel = f->vx && f->vy && f->vz;
	if ((s = define_header(ncid, 1, f->natoms, u->style, NULL, dims, lab)))
		return s;
	int xyz[2] = { dims[2], dims[1] };
	for (int i = 0; i < 7; i++)
		v[i] = no_var;
	if ((s = define_var(ncid, "time", NC_DOUBLE, -1, 0, NULL, "picosecond",
			    &v[0])) ||
	    (s = define_var(ncid, "coordinates", NC_DOUBLE, -1, 2, xyz,
			    "angstrom", &v[1])) ||
	    (with_vel && (s = define_var(ncid, "velocities", NC_DOUBLE, -1, 2, xyz,
					 "angstrom/picosecond", &v[2]))) ||
	    (f->has_cell && (s = define_var(ncid, "cell_lengths", NC_DOUBLE, -1, 1,
					    &dims[3], "angstrom", &v[3]))) ||
	    (f->has_cell && (s = define_var(ncid, "cell_angles", NC_DOUBLE, -1, 1,
					    &dims[4], "degree", &v[4]))) ||
	    (engine && (s = define_var(ncid, "soretkit_time", NC_DOUBLE, -1, 0,
				       NULL, u->u_time, &v[5]))) ||
	    (engine && with_vel &&
	     (s = define_var(ncid, "soretkit_velocities", NC_DOUBLE, -1, 2, xyz,
			     u->u_vel, &v[6]))))
		return s;
	for (size_t i = 0; i < nextra; i++) {
		*bad = i;
		const struct nc_extra *x = &extra[i];
		if (!x->name || (x->n && !x->val))
			return NC_EINVAL;
		if (x->n == 0) {
			if ((s = nc_def_var(ncid, x->name, NC_DOUBLE, 0, NULL,
					    &ext_id[i])) ||
			    (s = nc_put_att_int(ncid, ext_id[i], "soretkit_length",
						NC_INT, 1, &(int){ 0 })))
				return s;
			continue;
		}
		char *dn = str_cat(x->name, "_n");
		int dim;
		if (!dn)
			return NC_ENOMEM;
		s = nc_def_dim(ncid, dn, x->n, &dim);
		free(dn);
		if (s || (s = nc_def_var(ncid, x->name, NC_DOUBLE, 1, &dim, &ext_id[i])))
			return s;
	}
	*bad = SIZE_MAX;
	for (size_t i = 0; i < ntext; i++)
		if (!text[i].name || !text[i].text)
			return NC_EINVAL;
		else if ((s = put_text(ncid, NC_GLOBAL, text[i].name, text[i].text)))
			return s;
	if ((s = nc_enddef(ncid)))
		return s;
	return put_labels(ncid, lab);
}

int traj_nc_write_restart(const char *path, const struct frame *f,
			  const struct units *u, const struct nc_extra *extra,
			  size_t nextra, const struct nc_text *text,
			  size_t ntext, struct err *e)
{
	if (!u)
		return err_set(e, "%s: no unit style given", path);
	if (f->natoms == 0 || !f->x || !f->y || !f->z)
		return err_set(e, "%s: restart frame has no atoms", path);
	char *tmp = str_cat(path, ".tmp");
	int *ext_id = calloc(nextra ? nextra : 1, sizeof *ext_id);
	double *b = NULL;
	if (f->natoms <= SIZE_MAX / 3 / sizeof(double))
		b = malloc(3 * f->natoms * sizeof *b);
	if (!tmp || !ext_id || !b) {
		free(tmp);
		free(ext_id);
		free(b);
		return err_set(e, "%s: out of memory", path);
	}
	int ncid = -1, s, rc = -1;
	size_t n = f->natoms, bad = SIZE_MAX;
	size_t rest[2] = { n, 3 }, r3[1] = { 3 };
	struct ncvar v[7];
	if ((s = nc_create(tmp, NC_CLOBBER | NC_64BIT_OFFSET, &ncid))) {
		nc_fail(e, tmp, "cannot create", s);
		ncid = -1;
		goto out;
	}
	if ((s = define_restart(ncid, f, u, extra, nextra, text, ntext, v,
				ext_id, &bad))) {
		if (bad != SIZE_MAX)
			err_set(e, "%s: extra '%s': %s", tmp,
				extra[bad].name ? extra[bad].name : "(null)",
				nc_strerror(s));
		else
			nc_fail(e, tmp, "cannot write header", s);
		goto out;
	}
	double time = f->time * u->time_to_file;
	if ((s = var_io(ncid, &v[0], 0, 0, NULL, &time, 1)))
		goto fail;
	for (size_t i = 0; i < n; i++) {
		b[3 * i] = f->x[i];
		b[3 * i + 1] = f->y[i];
		b[3 * i + 2] = f->z[i];
	}
	if ((s = var_io(ncid, &v[1], 0, 2, rest, b, 1)))
		goto fail;
	for (int pass = 0; pass < 2 && v[2].id >= 0; pass++) {
		/* pass 0: AMBER velocities (Å/ps); pass 1: engine units */
		const struct ncvar *vv = pass ? &v[6] : &v[2];
		double c = pass ? 1.0 : u->vel_to_file;
		if (vv->id < 0)
			continue;
		for (size_t i = 0; i < n; i++) {
			b[3 * i] = f->vx[i] * c;
			b[3 * i + 1] = f->vy[i] * c;
			b[3 * i + 2] = f->vz[i] * c;
		}
		if ((s = var_io(ncid, vv, 0, 2, rest, b, 1)))
			goto fail;
	}
	double len[3], ang[3];
	memcpy(len, f->cell, sizeof len);
	memcpy(ang, f->angle, sizeof ang);
	if (v[3].id >= 0 &&
	    ((s = var_io(ncid, &v[3], 0, 1, r3, len, 1)) ||
	     (s = var_io(ncid, &v[4], 0, 1, r3, ang, 1))))
		goto fail;
	if (v[5].id >= 0 &&
	    (s = var_io(ncid, &v[5], 0, 0, NULL, &(double){ f->time }, 1)))
		goto fail;
	for (size_t i = 0; i < nextra; i++) {
		if (extra[i].n == 0)
			continue;
		if ((s = nc_put_var_double(ncid, ext_id[i], extra[i].val))) {
			err_set(e, "%s: extra '%s': %s", tmp, extra[i].name,
				nc_strerror(s));
			goto out;
		}
	}
	s = nc_close(ncid);
	ncid = -1;
	if (s) {
		nc_fail(e, tmp, "cannot close", s);
		goto out;
	}
	if (rename(tmp, path) != 0) {
		err_set(e, "%s: cannot rename to %s: %s", tmp, path, strerror(errno));
		goto out;
	}
	rc = 0;
	goto out;
fail:
	nc_fail(e, tmp, "cannot write data", s);
out:
	if (ncid >= 0)
		nc_close(ncid);
	if (rc)
		unlink(tmp);
	free(tmp);
	free(ext_id);
	free(b);
	return rc;
}
