/* lmp_data: LAMMPS data files, read as LAMMPS 29Sep2021 read_data reads them
 * and written in the layout of its write_data.
 *
 * What LAMMPS does and we copy: the first line is a title; header lines are
 * matched by their keywords after '#' comments are cut; the first line that
 * is no header line is the first section keyword; a section keyword may
 * carry a "# style" comment; the line after a keyword is skipped; then
 * exactly as many lines follow as the header count says.
 *
 * Where LAMMPS is silent or lenient we are strict, because a file that
 * LAMMPS would misread or drop data from should not run here: the line after
 * a keyword must be blank, duplicate header lines, sections, types and atom
 * ids are errors, a Masses section names every type, and the box must be
 * given.
 * Section order is free (LAMMPS wants Atoms before Velocities and Bonds):
 * records that name atoms are kept with their line numbers and checked
 * against the atom ids once the whole file is read. */
#include "lmp_data.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "table.h"

#define WS " \t\r\n\f\v"
/* The widest line we need is a coeff row: type + LMP_MAXP numbers. */
#define MAXTOK 16

/* ---- Tables of what a data file may contain ---------------------------- */

/* Header lines: nnum leading numbers, then these words. LAMMPS matches them
 * by regular expression on the line; we compare the words exactly. */
enum hdr_key {
	HK_ATOMS, HK_BONDS, HK_ANGLES, HK_DIHEDRALS, HK_IMPROPERS,
	HK_ATYPES, HK_BTYPES, HK_ATTYPES, HK_DTYPES, HK_ITYPES,
	HK_X, HK_Y, HK_Z, HK_TILT,
	HK_XBOND, HK_XANGLE, HK_XDIHED, HK_XIMPROP, HK_XSPECIAL,
	HK_ELLIPS, HK_LINES, HK_TRIS, HK_BODIES,
	HK_N
};
static const struct {
	int nnum;
	const char *words;
} hdr_keys[HK_N] = {
	{1, "atoms"}, {1, "bonds"}, {1, "angles"}, {1, "dihedrals"},
	{1, "impropers"},
	{1, "atom types"}, {1, "bond types"}, {1, "angle types"},
	{1, "dihedral types"}, {1, "improper types"},
	{2, "xlo xhi"}, {2, "ylo yhi"}, {2, "zlo zhi"}, {3, "xy xz yz"},
	{1, "extra bond per atom"}, {1, "extra angle per atom"},
	{1, "extra dihedral per atom"}, {1, "extra improper per atom"},
	{1, "extra special per atom"},
	{1, "ellipsoids"}, {1, "lines"}, {1, "triangles"}, {1, "bodies"},
};

/* Topology: section name, header word of its count, of its type count. */
static const struct {
	const char *sec, *count, *types;
	int nat;
} topo_kinds[4] = {
	{"Bonds", "bonds", "bond types", 2},
	{"Angles", "angles", "angle types", 3},
	{"Dihedrals", "dihedrals", "dihedral types", 4},
	{"Impropers", "impropers", "improper types", 4},
};

/* Coeffs sections: name and which topology type count gives their rows
 * (class2 BondBond/BondAngle rows are per angle type). */
enum { NCOEFF = 6 };
static const struct {
	const char *sec;
	int kind;
} coeff_kinds[NCOEFF] = {
	{"Bond Coeffs", 0}, {"Angle Coeffs", 1}, {"Dihedral Coeffs", 2},
	{"Improper Coeffs", 3}, {"BondBond Coeffs", 1},
	{"BondAngle Coeffs", 1},
};

/* Sections LAMMPS knows that need styles we do not model. */
static const char *const unsupported_secs[] = {
	"Ellipsoids", "Lines", "Triangles", "Bodies",
	"MiddleBondTorsion Coeffs", "EndBondTorsion Coeffs",
	"AngleTorsion Coeffs", "AngleAngleTorsion Coeffs",
	"BondBond13 Coeffs", "AngleAngle Coeffs", "CMAP",
};

/* Pair styles whose Pair Coeffs rows are "eps sigma [cut]" (the LJ part
 * of the style). For any other style the rows are checked for their type
 * only and not kept: reading morse's "d0 alpha r0" as eps and sigma would
 * give the numbers a meaning LAMMPS does not. */
static const char *const lj_pair_styles[] = {
	"lj/cut", "lj/cut/coul/cut", "lj/cut/coul/long", "lj/cut/coul/debye",
	"lj/cut/coul/dsf", "lj/cut/coul/wolf", "lj/cut/coul/msm",
	"lj/cut/tip4p/cut", "lj/cut/tip4p/long", "lj/long/coul/long",
};
static const char *const accel_suffixes[] = {
	"/omp", "/opt", "/gpu", "/intel", "/kk",
};

/* Field access by kind index (0 bonds .. 3 impropers; coeff_kinds order),
 * so that one loop serves every topology and coeff section. */
static const struct lmp_topo *ctopo_of(const struct lmp_data *d, int k)
{
	const struct lmp_topo *t[4] = {&d->bonds, &d->angles, &d->dihedrals,
				       &d->impropers};
	return t[k];
}

static struct lmp_topo *topo_of(struct lmp_data *d, int k)
{
	struct lmp_topo *t[4] = {&d->bonds, &d->angles, &d->dihedrals,
				 &d->impropers};
	return t[k];
}

static size_t cntypes_of(const struct lmp_data *d, int k)
{
	const size_t n[4] = {d->nbondtypes, d->nangletypes,
			     d->ndihedraltypes, d->nimpropertypes};
	return n[k];
}

static size_t *ntypes_of(struct lmp_data *d, int k)
{
	size_t *n[4] = {&d->nbondtypes, &d->nangletypes, &d->ndihedraltypes,
			&d->nimpropertypes};
	return n[k];
}

static const struct lmp_coeffs *ccoeffs_of(const struct lmp_data *d, int c)
{
	const struct lmp_coeffs *t[NCOEFF] = {
		&d->bond_coeffs, &d->angle_coeffs, &d->dihedral_coeffs,
		&d->improper_coeffs, &d->bondbond_coeffs,
		&d->bondangle_coeffs};
	return t[c];
}

static struct lmp_coeffs *coeffs_of(struct lmp_data *d, int c)
{
	struct lmp_coeffs *t[NCOEFF] = {
		&d->bond_coeffs, &d->angle_coeffs, &d->dihedral_coeffs,
		&d->improper_coeffs, &d->bondbond_coeffs,
		&d->bondangle_coeffs};
	return t[c];
}

/* ---- Reader state ------------------------------------------------------ */

struct atom_rec {
	long id, mol, line;
	int type, img[3];
	double q, r[3];
};
struct vel_rec {
	long id, line;
	double v[3];
};
struct topo_rec {
	long id, line;
	int type;
	long atom[4];
};
/* One row of Masses, Pair Coeffs, PairIJ Coeffs or a Coeffs section. */
struct row_rec {
	long line;
	int i, j;           /* type (i), second type of PairIJ (j) */
	int np;
	double p[LMP_MAXP];
};

enum { S_ATOMS, S_VEL, S_MASSES, S_PAIR, S_PAIRIJ, S_COEFF,
       S_TOPO = S_COEFF + NCOEFF, S_N = S_TOPO + 4 };

struct rd {
	FILE *fp;
	const char *name;
	struct err *e;
	struct lmp_data *d;

	char *line;          /* current raw line, newline stripped */
	size_t linecap, len;
	char *work;          /* tokenised copy of line */
	size_t workcap;
	long lineno;
	char *tok[MAXTOK];
	int ntok;            /* MAXTOK + 1: the line has more tokens */

	long hdr_line[HK_N]; /* where each header line was, 0 if absent */
	long sec_line[S_N];  /* where each section began, 0 if absent */
	size_t ntopo[4];     /* header counts of bonds .. impropers */
	const char *prev_sec; /* last section read, for "too many lines" */
	size_t prev_count;

	struct atom_rec *atoms;
	size_t natoms, atoms_cap;
	struct vel_rec *vel;
	size_t nvel, vel_cap;
	struct topo_rec *topo[4];
	size_t ntopo_read[4], topo_cap[4];
	struct row_rec *rows;   /* rows of the section being read */
	size_t nrows, rows_cap;
};

static int fail(struct rd *r, long line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int fail(struct rd *r, long line, const char *fmt, ...)
{
	char msg[768];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return err_set(r->e, "%s:%ld: %s", r->name, line, msg);
}

/* Make room for need elements of size sz in *p (capacity *cap). Growth is
 * driven by lines actually read, never by header counts, so a header that
 * claims 10^15 atoms costs nothing until the atoms are there. */
static int grow(struct rd *r, void *pp, size_t *cap, size_t need, size_t sz)
{
	size_t n;
	void *p, *q;
	if (need <= *cap)
		return 0;
	/* pp is the address of a typed pointer; copy rather than cast to
	 * void ** so no object is accessed through the wrong type. */
	memcpy(&p, pp, sizeof p);
	n = *cap ? *cap : 64;
	while (n < need) {
		if (n > SIZE_MAX / 2)
			return fail(r, r->lineno, "out of memory");
		n *= 2;
	}
	if (n > SIZE_MAX / sz)
		return fail(r, r->lineno, "out of memory");
	q = realloc(p, n * sz);
	if (!q)
		return fail(r, r->lineno, "out of memory");
	memcpy(pp, &q, sizeof q);
	*cap = n;
	return 0;
}

/* calloc that never returns NULL for a zero count (so NULL means failure)
 * and checks the product. */
static void *zalloc(size_t n, size_t sz)
{
	if (n && sz > SIZE_MAX / n)
		return NULL;
	return calloc(n ? n : 1, sz);
}

/* 1: a line was read, 0: end of file, -1: error. */
static int next_line(struct rd *r)
{
	ssize_t n;
	errno = 0;
	n = getline(&r->line, &r->linecap, r->fp);
	if (n < 0) {
		if (ferror(r->fp) || errno == ENOMEM)
			return fail(r, r->lineno + 1, "read error: %s",
				    strerror(errno ? errno : EIO));
		return 0;
	}
	r->lineno++;
	if (memchr(r->line, '\0', (size_t)n))
		return fail(r, r->lineno, "NUL byte in line (not a text file?)");
	while (n > 0 && (r->line[n - 1] == '\n' || r->line[n - 1] == '\r'))
		r->line[--n] = '\0';
	r->len = (size_t)n;
	return 1;
}

/* Split the current line, without its '#' comment, into r->tok. */
static int split(struct rd *r)
{
	char *s, *hash;
	if (grow(r, &r->work, &r->workcap, r->len + 1, 1))
		return -1;
	memcpy(r->work, r->line, r->len + 1);
	if ((hash = strchr(r->work, '#')))
		*hash = '\0';
	r->ntok = 0;
	s = r->work;
	for (;;) {
		s += strspn(s, WS);
		if (!*s)
			break;
		if (r->ntok == MAXTOK) {
			r->ntok = MAXTOK + 1;
			break;
		}
		r->tok[r->ntok++] = s;
		s += strcspn(s, WS);
		if (*s)
			*s++ = '\0';
	}
	return 0;
}

/* ---- Strict numbers (the grammar of LAMMPS utils::is_double/is_integer,
 * which is also the part of strtod/strtol that involves no hex, inf or nan) */

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int is_int_text(const char *s)
{
	if (*s == '+' || *s == '-')
		s++;
	if (!is_digit(*s))
		return 0;
	while (is_digit(*s))
		s++;
	return *s == '\0';
}

static int is_real_text(const char *s)
{
	int digits = 0;
	if (*s == '+' || *s == '-')
		s++;
	for (; is_digit(*s); s++)
		digits++;
	if (*s == '.')
		for (s++; is_digit(*s); s++)
			digits++;
	if (!digits)
		return 0;
	if (*s == 'e' || *s == 'E') {
		s++;
		if (*s == '+' || *s == '-')
			s++;
		if (!is_digit(*s))
			return 0;
		while (is_digit(*s))
			s++;
	}
	return *s == '\0';
}

static int get_real(struct rd *r, int i, const char *sec, const char *what,
		    double *out)
{
	const char *s = r->tok[i];
	char *end;
	double v;
	if (!is_real_text(s))
		return fail(r, r->lineno, "%s: %s '%.40s' is not a number",
			    sec, what, s);
	errno = 0;
	v = strtod(s, &end);
	/* Underflow to a denormal or zero is what LAMMPS gets too; overflow
	 * is not a number we can use. */
	if (*end || !isfinite(v))
		return fail(r, r->lineno, "%s: %s '%.40s' is out of range",
			    sec, what, s);
	*out = v;
	return 0;
}

static int get_long(struct rd *r, int i, const char *sec, const char *what,
		    long lo, long hi, long *out)
{
	const char *s = r->tok[i];
	char *end;
	long v;
	if (!is_int_text(s))
		return fail(r, r->lineno, "%s: %s '%.40s' is not an integer",
			    sec, what, s);
	errno = 0;
	v = strtol(s, &end, 10);
	if (*end || errno == ERANGE || v < lo || v > hi) {
		if (hi == LONG_MAX && lo == 1)
			return fail(r, r->lineno, "%s: %s %.40s is not "
				    "positive or too large", sec, what, s);
		return fail(r, r->lineno,
			    "%s: %s %.40s is out of range %ld..%ld", sec, what,
			    s, lo, hi);
	}
	*out = v;
	return 0;
}

static int get_int(struct rd *r, int i, const char *sec, const char *what,
		   long lo, long hi, int *out)
{
	long v = 0;
	if (get_long(r, i, sec, what, lo, hi, &v))
		return -1;
	*out = (int)v;
	return 0;
}

/* ---- Header ------------------------------------------------------------ */

/* Index of the header line in r->tok, or -1. Only the words decide, so a
 * header line with a bad number is reported as such. */
static int match_header(const struct rd *r)
{
	for (int k = 0; k < HK_N; k++) {
		const char *w = hdr_keys[k].words;
		int t = hdr_keys[k].nnum, ok = 1;
		if (r->ntok <= t || r->ntok > MAXTOK)
			continue;
		for (; t < r->ntok && ok; t++) {
			size_t n = strlen(r->tok[t]);
			/* strncmp stops at the end of w, so w[n] exists when
			 * it matched. */
			if (!*w || strncmp(w, r->tok[t], n) ||
			    (w[n] != ' ' && w[n] != '\0')) {
				ok = 0;
				break;
			}
			w += n;
			w += *w == ' ';
		}
		if (ok && !*w)
			return k;
	}
	return -1;
}

static int get_count(struct rd *r, long max, size_t *out)
{
	const char *s = r->tok[0];
	long v = 0;
	if (!is_digit(*s) || get_long(r, 0, "header", "count", 0, max, &v))
		return fail(r, r->lineno,
			    "header: '%.40s %s': count must be an integer "
			    "from 0 to %ld", s, r->tok[1], max);
	*out = (size_t)v;
	return 0;
}

static int header_line(struct rd *r, int k)
{
	struct lmp_data *d = r->d;
	size_t n = 0;
	if (r->hdr_line[k])
		return fail(r, r->lineno, "header line '%s' given twice "
			    "(also on line %ld)", hdr_keys[k].words,
			    r->hdr_line[k]);
	r->hdr_line[k] = r->lineno;
	switch (k) {
	case HK_ATOMS:
		return get_count(r, LONG_MAX / 2, &d->natoms);
	case HK_BONDS: case HK_ANGLES: case HK_DIHEDRALS: case HK_IMPROPERS:
		return get_count(r, LONG_MAX / 2, &r->ntopo[k - HK_BONDS]);
	case HK_ATYPES:
		/* Types are ints in LAMMPS and here. */
		return get_count(r, INT_MAX, &d->ntypes);
	case HK_BTYPES: case HK_ATTYPES: case HK_DTYPES: case HK_ITYPES:
		return get_count(r, INT_MAX, ntypes_of(d, k - HK_BTYPES));
	case HK_X: case HK_Y: case HK_Z: {
		int a = k - HK_X;
		if (get_real(r, 0, "header", "box bound", &d->lo[a]) ||
		    get_real(r, 1, "header", "box bound", &d->hi[a]))
			return -1;
		if (!(d->lo[a] < d->hi[a]))
			return fail(r, r->lineno, "header: '%s': low bound "
				    "%.17g is not below high bound %.17g",
				    hdr_keys[k].words, d->lo[a], d->hi[a]);
		return 0;
	}
	case HK_TILT:
		d->triclinic = 1;
		if (get_real(r, 0, "header", "tilt xy", &d->xy) ||
		    get_real(r, 1, "header", "tilt xz", &d->xz) ||
		    get_real(r, 2, "header", "tilt yz", &d->yz))
			return -1;
		return 0;
	case HK_XBOND: case HK_XANGLE: case HK_XDIHED: case HK_XIMPROP:
	case HK_XSPECIAL:
		/* Memory hints for LAMMPS; they change no meaning. */
		return get_count(r, INT_MAX, &n);
	default: /* ellipsoids, lines, triangles, bodies */
		if (get_count(r, LONG_MAX / 2, &n))
			return -1;
		if (n)
			return fail(r, r->lineno, "header: '%s' needs an atom "
				    "style other than atomic or full, which is "
				    "not supported", hdr_keys[k].words);
		return 0;
	}
}

/* Checks once the header is complete (the line at hand is the first
 * section keyword, or the end of the file). */
static int header_done(struct rd *r)
{
	struct lmp_data *d = r->d;
	static const char *const box[3] = {"xlo xhi", "ylo yhi", "zlo zhi"};
	for (int a = 0; a < 3; a++)
		if (!r->hdr_line[HK_X + a])
			/* LAMMPS would put the box at -0.5..0.5; a file that
			 * forgot its box is a mistake, not a unit cube. */
			return fail(r, r->lineno, "header has no '%s' line "
				    "(the box is required)", box[a]);
	if (d->natoms && !d->ntypes)
		return fail(r, r->lineno, "header: %zu atoms but no 'atom "
			    "types' line", d->natoms);
	for (int k = 0; k < 4; k++)
		if (r->ntopo[k] && !cntypes_of(d, k))
			return fail(r, r->lineno, "header: %zu %s but no '%s' "
				    "line", r->ntopo[k], topo_kinds[k].count,
				    topo_kinds[k].types);
	return 0;
}

/* ---- Sections ---------------------------------------------------------- */

struct sect {
	const char *kw;     /* section name */
	size_t count;       /* lines it must have */
	const char *what;   /* the header count that says so, e.g. "atoms" */
	size_t hdr;         /* that header number */
	long kwline;
};

/* LAMMPS skips the line after a section keyword unread; it must be blank
 * here, else LAMMPS and we would both lose a data line. */
static int section_begin(struct rd *r, struct sect *s)
{
	int rc;
	s->kwline = r->lineno;
	if (!s->count)
		return fail(r, r->lineno, "section '%s' but the header gives "
			    "0 %s", s->kw, s->what);
	rc = next_line(r);
	if (rc < 0)
		return -1;
	if (rc == 0)
		return fail(r, r->lineno + 1, "%s: end of file right after "
			    "the section name (expected %zu data lines)", s->kw,
			    s->count);
	if (split(r))
		return -1;
	if (r->ntok)
		return fail(r, r->lineno, "%s: expected a blank line after "
			    "the section name (LAMMPS skips this line unread)",
			    s->kw);
	return 0;
}

/* Read data line k of the section into r->tok. Returns 1 when the section
 * ends before its count (message set), -1 on other errors. */
static int section_line(struct rd *r, const struct sect *s, size_t k)
{
	int rc = next_line(r);
	if (rc < 0)
		return -1;
	if (rc == 0) {
		fail(r, r->lineno + 1, "%s: end of file after %zu of %zu "
		     "lines (header: %zu %s)", s->kw, k, s->count, s->hdr,
		     s->what);
		return 1;
	}
	if (split(r))
		return -1;
	if (r->ntok == 0) {
		fail(r, r->lineno, "%s: section ended after %zu of %zu lines "
		     "(header: %zu %s)", s->kw, k, s->count, s->hdr, s->what);
		return 1;
	}
	if (r->ntok > MAXTOK)
		return fail(r, r->lineno, "%s: too many values on the line",
			    s->kw);
	return 0;
}

static void err_append(struct err *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void err_append(struct err *e, const char *fmt, ...)
{
	va_list ap;
	size_t n;
	if (!e)
		return;
	n = strlen(e->msg);
	va_start(ap, fmt);
	vsnprintf(e->msg + n, sizeof e->msg - n, fmt, ap);
	va_end(ap);
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return (x > y) - (x < y);
}

/* First type in 1..ntypes that none of the rows read so far names, 0 if
 * none is missing or memory is short (it is only a hint). */
static long first_missing_type(const struct rd *r, size_t ntypes)
{
	int *t = malloc((r->nrows ? r->nrows : 1) * sizeof *t);
	long want = 1;
	if (!t)
		return 0;
	for (size_t k = 0; k < r->nrows; k++)
		t[k] = r->rows[k].i;
	qsort(t, r->nrows, sizeof *t, cmp_int);
	for (size_t k = 0; k < r->nrows && t[k] <= want; k++)
		if (t[k] == want)
			want++;
	free(t);
	return (size_t)want <= ntypes ? want : 0;
}

/* Read a type-indexed section (Masses, Pair Coeffs, * Coeffs) into r->rows,
 * calling parse for the values after the type on each line. */
static int read_type_rows(struct rd *r, struct sect *s, size_t ntypes,
			  int (*parse)(struct rd *, const struct sect *,
				       struct row_rec *, void *),
			  void *ctx)
{
	r->nrows = 0;
	if (section_begin(r, s))
		return -1;
	for (size_t k = 0; k < s->count; k++) {
		struct row_rec *row;
		long t;
		int rc = section_line(r, s, k);
		if (rc > 0) {
			long miss = first_missing_type(r, ntypes);
			if (miss)
				err_append(r->e, "; no entry for type %ld", miss);
			return -1;
		}
		if (rc < 0 || grow(r, &r->rows, &r->rows_cap, k + 1,
				   sizeof *r->rows))
			return -1;
		row = &r->rows[k];
		memset(row, 0, sizeof *row);
		row->line = r->lineno;
		if (get_long(r, 0, s->kw, "type", 1, (long)ntypes, &t))
			return -1;
		row->i = (int)t;
		if (parse(r, s, row, ctx))
			return -1;
		r->nrows = k + 1;
	}
	return 0;
}

/* Every type once: with exactly ntypes rows all in range, a duplicate is
 * the same as a missing type, and the message names both. */
static int check_types_once(struct rd *r, const char *kw, size_t ntypes)
{
	long *first = zalloc(ntypes, sizeof *first);
	size_t dup = SIZE_MAX;
	if (!first)
		return fail(r, r->lineno, "out of memory");
	for (size_t k = 0; k < r->nrows; k++) {
		int t = r->rows[k].i;
		if (first[t - 1] && dup == SIZE_MAX)
			dup = k;
		else if (!first[t - 1])
			first[t - 1] = r->rows[k].line;
	}
	if (dup != SIZE_MAX) {
		const struct row_rec *row = &r->rows[dup];
		size_t miss = 0;
		while (miss < ntypes && first[miss])
			miss++;
		fail(r, row->line, "%s: type %d given twice (also on line "
		     "%ld), so type %zu has no entry", kw, row->i,
		     first[row->i - 1], miss + 1);
		free(first);
		return -1;
	}
	free(first);
	return 0;
}

static int parse_mass(struct rd *r, const struct sect *s, struct row_rec *row,
		      void *ctx)
{
	(void)ctx;
	if (r->ntok != 2)
		return fail(r, r->lineno, "%s: expected 'type mass', got %d "
			    "values", s->kw, r->ntok);
	row->np = 1;
	if (get_real(r, 1, s->kw, "mass", &row->p[0]))
		return -1;
	if (!(row->p[0] > 0))
		return fail(r, r->lineno, "%s: mass of type %d must be "
			    "positive, got %.17g", s->kw, row->i, row->p[0]);
	return 0;
}

static int read_masses(struct rd *r)
{
	struct lmp_data *d = r->d;
	struct sect s = {"Masses", d->ntypes, "atom types", d->ntypes, 0};
	if (read_type_rows(r, &s, d->ntypes, parse_mass, NULL) ||
	    check_types_once(r, s.kw, d->ntypes))
		return -1;
	if (!(d->mass = zalloc(d->ntypes, sizeof *d->mass)))
		return fail(r, r->lineno, "out of memory");
	for (size_t k = 0; k < r->nrows; k++)
		d->mass[r->rows[k].i - 1] = r->rows[k].p[0];
	d->has_mass = 1;
	return 0;
}

static int is_lj_style(const char *style)
{
	char base[64];
	size_t n = strlen(style);
	if (!*style)
		return 1;
	if (n >= sizeof base)
		return 0;
	memcpy(base, style, n + 1);
	for (size_t k = 0; k < sizeof accel_suffixes / sizeof *accel_suffixes;
	     k++) {
		size_t m = strlen(accel_suffixes[k]);
		if (n > m && !strcmp(base + n - m, accel_suffixes[k])) {
			base[n - m] = '\0';
			break;
		}
	}
	for (size_t k = 0; k < sizeof lj_pair_styles / sizeof *lj_pair_styles;
	     k++)
		if (!strcmp(base, lj_pair_styles[k]))
			return 1;
	return 0;
}

/* ctx: non-NULL when the style is LJ-form and the values are kept. Values
 * start at token first (1 for Pair Coeffs, 2 for PairIJ Coeffs). */
static int parse_lj(struct rd *r, const struct sect *s, struct row_rec *row,
		    int first, int lj)
{
	static const char *const what[3] = {"epsilon", "sigma", "cutoff"};
	if (!lj)
		return 0;
	if (r->ntok != first + 2 && r->ntok != first + 3)
		return fail(r, r->lineno, "%s: expected '%s eps sigma [cut]', "
			    "got %d values", s->kw,
			    first == 1 ? "type" : "i j", r->ntok);
	row->np = r->ntok - first;
	for (int k = 0; k < row->np; k++)
		if (get_real(r, first + k, s->kw, what[k], &row->p[k]))
			return -1;
	/* pair_cut 0 means "no cutoff of its own"; a cutoff written as 0
	 * (LAMMPS: the pair never interacts) would be read as the global
	 * one, so it is refused rather than silently changed. */
	if (row->np > 2 && !(row->p[2] > 0))
		return fail(r, r->lineno, "%s: cutoff %.17g must be positive",
			    s->kw, row->p[2]);
	return 0;
}

static int parse_pair(struct rd *r, const struct sect *s, struct row_rec *row,
		      void *ctx)
{
	return parse_lj(r, s, row, 1, ctx != NULL);
}

static int alloc_pair(struct rd *r)
{
	struct lmp_data *d = r->d;
	size_t n = d->ntypes;
	if (n > SIZE_MAX / n)
		return fail(r, r->lineno, "out of memory");
	d->pair_eps = zalloc(n * n, sizeof *d->pair_eps);
	d->pair_sig = zalloc(n * n, sizeof *d->pair_sig);
	d->pair_cut = zalloc(n * n, sizeof *d->pair_cut);
	if (!d->pair_eps || !d->pair_sig || !d->pair_cut)
		return fail(r, r->lineno, "out of memory");
	return 0;
}

static int set_style(struct rd *r, char *dst, size_t cap, const char *style,
		     const char *kw)
{
	size_t n = strlen(style);
	if (n >= cap)
		return fail(r, r->lineno, "%s: style comment '%.40s...' is "
			    "longer than %zu characters", kw, style, cap - 1);
	memcpy(dst, style, n + 1);
	return 0;
}

static int read_pair(struct rd *r, const char *style)
{
	struct lmp_data *d = r->d;
	struct sect s = {"Pair Coeffs", d->ntypes, "atom types", d->ntypes, 0};
	int lj = is_lj_style(style);
	size_t n = d->ntypes;
	if (set_style(r, d->pair_style, sizeof d->pair_style, style, s.kw) ||
	    read_type_rows(r, &s, n, parse_pair, lj ? (void *)r : NULL) ||
	    check_types_once(r, s.kw, n))
		return -1;
	if (!lj)
		return 0;
	if (alloc_pair(r))
		return -1;
	for (size_t k = 0; k < r->nrows; k++) {
		const struct row_rec *row = &r->rows[k];
		size_t ii = (size_t)(row->i - 1) * (n + 1);
		d->pair_eps[ii] = row->p[0];
		d->pair_sig[ii] = row->p[1];
		d->pair_cut[ii] = row->np > 2 ? row->p[2] : 0;
	}
	d->has_pair = 1;
	return 0;
}

/* PairIJ Coeffs: one row per i <= j, n(n+1)/2 rows. */
static int read_pairij(struct rd *r, const char *style)
{
	struct lmp_data *d = r->d;
	size_t n = d->ntypes;
	struct sect s = {"PairIJ Coeffs", n * (n + 1) / 2, "atom types", n, 0};
	int lj = is_lj_style(style);
	long *first = NULL;
	r->nrows = 0;
	if (set_style(r, d->pair_style, sizeof d->pair_style, style, s.kw) ||
	    section_begin(r, &s))
		return -1;
	for (size_t k = 0; k < s.count; k++) {
		struct row_rec *row;
		long i, j;
		int rc = section_line(r, &s, k);
		if (rc)
			return -1;
		if (grow(r, &r->rows, &r->rows_cap, k + 1,
			 sizeof *r->rows))
			return -1;
		row = &r->rows[k];
		memset(row, 0, sizeof *row);
		row->line = r->lineno;
		if (r->ntok < 2)
			return fail(r, r->lineno, "%s: expected 'i j eps sigma "
				    "[cut]', got 1 value", s.kw);
		if (get_long(r, 0, s.kw, "type i", 1, (long)n, &i) ||
		    get_long(r, 1, s.kw, "type j", 1, (long)n, &j))
			return -1;
		/* LAMMPS sets nothing for i > j and then fails. */
		if (i > j)
			return fail(r, r->lineno, "%s: type i %ld is above type "
				    "j %ld (rows are i <= j)", s.kw, i, j);
		row->i = (int)i;
		row->j = (int)j;
		if (parse_lj(r, &s, row, 2, lj))
			return -1;
		r->nrows = k + 1;
	}
	/* n(n+1)/2 rows were read, so n*n is bounded by the file's size. */
	if (!(first = zalloc(n * n, sizeof *first)))
		return fail(r, r->lineno, "out of memory");
	for (size_t k = 0; k < r->nrows; k++) {
		const struct row_rec *row = &r->rows[k];
		size_t ij = (size_t)(row->i - 1) * n + (size_t)(row->j - 1);
		if (first[ij]) {
			fail(r, row->line, "%s: pair %d %d given twice (also "
			     "on line %ld)", s.kw, row->i, row->j, first[ij]);
			free(first);
			return -1;
		}
		first[ij] = row->line;
	}
	free(first);
	if (!lj)
		return 0;
	if (alloc_pair(r))
		return -1;
	for (size_t k = 0; k < r->nrows; k++) {
		const struct row_rec *row = &r->rows[k];
		size_t ij = (size_t)(row->i - 1) * n + (size_t)(row->j - 1);
		size_t ji = (size_t)(row->j - 1) * n + (size_t)(row->i - 1);
		d->pair_eps[ij] = d->pair_eps[ji] = row->p[0];
		d->pair_sig[ij] = d->pair_sig[ji] = row->p[1];
		d->pair_cut[ij] = d->pair_cut[ji] = row->np > 2 ? row->p[2] : 0;
	}
	d->has_pairij = 1;
	return 0;
}

static int parse_coeff(struct rd *r, const struct sect *s, struct row_rec *row,
		       void *ctx)
{
	(void)ctx;
	if (r->ntok - 1 > LMP_MAXP)
		return fail(r, r->lineno, "%s: %d coefficients, at most %d are "
			    "supported", s->kw, r->ntok - 1, LMP_MAXP);
	row->np = r->ntok - 1;
	for (int k = 0; k < row->np; k++)
		if (get_real(r, 1 + k, s->kw, "coefficient", &row->p[k]))
			return -1;
	return 0;
}

static int read_coeffs(struct rd *r, int c, const char *style)
{
	struct lmp_data *d = r->d;
	struct lmp_coeffs *co = coeffs_of(d, c);
	int kind = coeff_kinds[c].kind;
	size_t n = cntypes_of(d, kind);
	struct sect s = {coeff_kinds[c].sec, n, topo_kinds[kind].types, n, 0};
	if (set_style(r, co->style, sizeof co->style, style, s.kw) ||
	    read_type_rows(r, &s, n, parse_coeff, NULL) ||
	    check_types_once(r, s.kw, n))
		return -1;
	co->nparam = zalloc(n, sizeof *co->nparam);
	if (!co->nparam || n > SIZE_MAX / LMP_MAXP ||
	    !(co->p = zalloc(n * LMP_MAXP, sizeof *co->p)))
		return fail(r, r->lineno, "out of memory");
	for (size_t k = 0; k < r->nrows; k++) {
		const struct row_rec *row = &r->rows[k];
		size_t t = (size_t)(row->i - 1);
		co->nparam[t] = row->np;
		memcpy(co->p + t * LMP_MAXP, row->p, sizeof row->p);
	}
	co->ntypes = n;
	co->present = 1;
	return 0;
}

/* Atoms: atomic "id type x y z [ix iy iz]", full "id mol type q x y z
 * [ix iy iz]". Without a style comment the column count tells which. */
static int read_atoms(struct rd *r, const char *style)
{
	struct lmp_data *d = r->d;
	struct sect s = {"Atoms", d->natoms, "atoms", d->natoms, 0};
	int full, ncol = 0;
	long first_line = 0;
	if (!strcmp(style, "atomic"))
		full = 0;
	else if (!strcmp(style, "full"))
		full = 1;
	else if (!*style)
		full = -1;
	else
		return fail(r, r->lineno, "Atoms: atom style '%.40s' is not "
			    "supported (atomic or full)", style);
	if (section_begin(r, &s))
		return -1;
	for (size_t k = 0; k < s.count; k++) {
		struct atom_rec *a;
		int c = 0;
		if (section_line(r, &s, k))
			return -1;
		if (k == 0) {
			ncol = r->ntok;
			first_line = r->lineno;
			if (full < 0 && (ncol == 5 || ncol == 8))
				full = 0;
			else if (full < 0 && (ncol == 7 || ncol == 10))
				full = 1;
			if (full < 0)
				return fail(r, r->lineno, "Atoms: cannot tell "
					    "the atom style from %d values "
					    "(atomic: id type x y z [ix iy iz]; "
					    "full: id mol type q x y z [ix iy "
					    "iz]); write 'Atoms # atomic' or "
					    "'Atoms # full'", ncol);
			if (full ? ncol != 7 && ncol != 10 :
				   ncol != 5 && ncol != 8)
				return fail(r, r->lineno, "Atoms # %s: expected "
					    "%s, got %d values",
					    full ? "full" : "atomic",
					    full ? "id mol type q x y z [ix iy iz]"
						 : "id type x y z [ix iy iz]",
					    ncol);
			d->style = full ? LMP_FULL : LMP_ATOMIC;
			for (int t = 0; t < 4 && !full; t++)
				if (r->ntopo[t] || cntypes_of(d, t))
					return fail(r, s.kwline, "Atoms: atom "
						    "style atomic has no %s, "
						    "but the header gives %zu "
						    "%s and %zu %s",
						    topo_kinds[t].count,
						    r->ntopo[t],
						    topo_kinds[t].count,
						    cntypes_of(d, t),
						    topo_kinds[t].types);
		} else if (r->ntok != ncol) {
			return fail(r, r->lineno, "Atoms: %d values, expected "
				    "%d as on line %ld", r->ntok, ncol,
				    first_line);
		}
		if (grow(r, &r->atoms, &r->atoms_cap, k + 1,
			 sizeof *r->atoms))
			return -1;
		a = &r->atoms[k];
		memset(a, 0, sizeof *a);
		a->line = r->lineno;
		/* LAMMPS needs ids > 0: 0 means "no atom" in its topology. */
		if (get_long(r, c++, s.kw, "atom id", 1, LONG_MAX, &a->id))
			return -1;
		if (full && get_long(r, c++, s.kw, "molecule id", LONG_MIN,
				     LONG_MAX, &a->mol))
			return -1;
		if (get_int(r, c++, s.kw, "atom type", 1, (long)d->ntypes,
			    &a->type))
			return -1;
		if (full && get_real(r, c++, s.kw, "charge", &a->q))
			return -1;
		for (int x = 0; x < 3; x++)
			if (get_real(r, c++, s.kw, "coordinate", &a->r[x]))
				return -1;
		for (int x = 0; x < 3 && c < ncol; x++)
			if (get_int(r, c++, s.kw, "image flag", INT_MIN,
				    INT_MAX, &a->img[x]))
				return -1;
		r->natoms = k + 1;
	}
	return 0;
}

static int read_velocities(struct rd *r)
{
	struct lmp_data *d = r->d;
	struct sect s = {"Velocities", d->natoms, "atoms", d->natoms, 0};
	if (section_begin(r, &s))
		return -1;
	for (size_t k = 0; k < s.count; k++) {
		struct vel_rec *v;
		if (section_line(r, &s, k))
			return -1;
		if (r->ntok != 4)
			return fail(r, r->lineno, "Velocities: expected 'id vx "
				    "vy vz', got %d values", r->ntok);
		if (grow(r, &r->vel, &r->vel_cap, k + 1,
			 sizeof *r->vel))
			return -1;
		v = &r->vel[k];
		v->line = r->lineno;
		if (get_long(r, 0, s.kw, "atom id", 1, LONG_MAX, &v->id))
			return -1;
		for (int x = 0; x < 3; x++)
			if (get_real(r, 1 + x, s.kw, "velocity", &v->v[x]))
				return -1;
		r->nvel = k + 1;
	}
	return 0;
}

static int read_topo(struct rd *r, int t)
{
	struct lmp_data *d = r->d;
	int nat = topo_kinds[t].nat;
	size_t ntypes = cntypes_of(d, t);
	struct sect s = {topo_kinds[t].sec, r->ntopo[t], topo_kinds[t].count,
			 r->ntopo[t], 0};
	if (section_begin(r, &s))
		return -1;
	for (size_t k = 0; k < s.count; k++) {
		struct topo_rec *b;
		if (section_line(r, &s, k))
			return -1;
		if (r->ntok != 2 + nat)
			return fail(r, r->lineno, "%s: expected 'id type' and "
				    "%d atom ids, got %d values", s.kw, nat,
				    r->ntok);
		if (grow(r, &r->topo[t], &r->topo_cap[t], k + 1,
			 sizeof *r->topo[t]))
			return -1;
		b = &r->topo[t][k];
		memset(b, 0, sizeof *b);
		b->line = r->lineno;
		if (get_long(r, 0, s.kw, "id", LONG_MIN, LONG_MAX, &b->id) ||
		    get_int(r, 1, s.kw, "type", 1, (long)ntypes, &b->type))
			return -1;
		for (int a = 0; a < nat; a++) {
			if (get_long(r, 2 + a, s.kw, "atom id", 1, LONG_MAX,
				     &b->atom[a]))
				return -1;
			/* As LAMMPS: an atom cannot bond to itself. */
			for (int p = 0; p < a; p++)
				if (b->atom[p] == b->atom[a])
					return fail(r, r->lineno, "%s: atom id "
						    "%ld appears twice", s.kw,
						    b->atom[a]);
		}
		r->ntopo_read[t] = k + 1;
	}
	return 0;
}

/* ---- Section dispatch -------------------------------------------------- */

/* Split the raw keyword line into name and "# style", both trimmed. */
static void keyword_of(const char *line, char *kw, size_t kwcap,
		       char *style, size_t stcap)
{
	const char *hash = strchr(line, '#');
	const char *a = line, *b = hash ? hash : line + strlen(line);
	size_t n;
	a += strspn(a, WS);
	while (b > a && strchr(WS, b[-1]))
		b--;
	n = (size_t)(b - a) < kwcap - 1 ? (size_t)(b - a) : kwcap - 1;
	memcpy(kw, a, n);
	kw[n] = '\0';
	style[0] = '\0';
	if (!hash)
		return;
	a = hash + 1;
	a += strspn(a, WS);
	b = a + strlen(a);
	while (b > a && strchr(WS, b[-1]))
		b--;
	/* One byte more than fits marks the style as too long. */
	n = (size_t)(b - a) < stcap - 1 ? (size_t)(b - a) : stcap - 1;
	memcpy(style, a, n);
	style[n] = '\0';
}

static const char *sec_name(int sec)
{
	static const char *const base[] = {"Atoms", "Velocities", "Masses",
					   "Pair Coeffs", "PairIJ Coeffs"};
	if (sec < S_COEFF)
		return base[sec];
	if (sec < S_TOPO)
		return coeff_kinds[sec - S_COEFF].sec;
	return topo_kinds[sec - S_TOPO].sec;
}

static int section(struct rd *r)
{
	char kw[128], style[128];
	int sec = -1;
	struct lmp_data *d = r->d;
	keyword_of(r->line, kw, sizeof kw, style, sizeof style);
	if (!strcmp(kw, "Atoms"))
		sec = S_ATOMS;
	else if (!strcmp(kw, "Velocities"))
		sec = S_VEL;
	else if (!strcmp(kw, "Masses"))
		sec = S_MASSES;
	else if (!strcmp(kw, "Pair Coeffs"))
		sec = S_PAIR;
	else if (!strcmp(kw, "PairIJ Coeffs"))
		sec = S_PAIRIJ;
	for (int c = 0; c < NCOEFF && sec < 0; c++)
		if (!strcmp(kw, coeff_kinds[c].sec))
			sec = S_COEFF + c;
	for (int t = 0; t < 4 && sec < 0; t++)
		if (!strcmp(kw, topo_kinds[t].sec))
			sec = S_TOPO + t;
	if (sec < 0) {
		for (size_t k = 0;
		     k < sizeof unsupported_secs / sizeof *unsupported_secs; k++)
			if (!strcmp(kw, unsupported_secs[k]))
				return fail(r, r->lineno, "section '%s' is not "
					    "supported (atom styles atomic and "
					    "full, class2 angles at most)", kw);
		if (split(r))
			return -1;
		if (match_header(r) >= 0)
			return fail(r, r->lineno, "header line '%.60s' after "
				    "the first section", kw);
		if (r->prev_sec && r->ntok &&
		    (is_real_text(r->tok[0]) || is_int_text(r->tok[0])))
			return fail(r, r->lineno, "'%.60s' is not a section "
				    "name; if it is data, section '%s' has "
				    "more lines than the %zu its header count "
				    "gives", kw, r->prev_sec, r->prev_count);
		return fail(r, r->lineno, "unknown section '%.60s'", kw);
	}
	if (r->sec_line[sec])
		return fail(r, r->lineno, "section '%s' given twice (first on "
			    "line %ld)", kw, r->sec_line[sec]);
	if (sec == S_PAIR && r->sec_line[S_PAIRIJ])
		return fail(r, r->lineno, "Pair Coeffs and PairIJ Coeffs "
			    "(line %ld) in one file", r->sec_line[S_PAIRIJ]);
	if (sec == S_PAIRIJ && r->sec_line[S_PAIR])
		return fail(r, r->lineno, "Pair Coeffs (line %ld) and PairIJ "
			    "Coeffs in one file", r->sec_line[S_PAIR]);
	r->sec_line[sec] = r->lineno;
	r->prev_sec = sec_name(sec);
	switch (sec) {
	case S_ATOMS:
		r->prev_count = d->natoms;
		return read_atoms(r, style);
	case S_VEL:
		r->prev_count = d->natoms;
		return read_velocities(r);
	case S_MASSES:
		r->prev_count = d->ntypes;
		return read_masses(r);
	case S_PAIR:
		r->prev_count = d->ntypes;
		return read_pair(r, style);
	case S_PAIRIJ:
		r->prev_count = d->ntypes * (d->ntypes + 1) / 2;
		return read_pairij(r, style);
	default:
		if (sec < S_TOPO) {
			int c = sec - S_COEFF;
			r->prev_count = cntypes_of(d, coeff_kinds[c].kind);
			return read_coeffs(r, c, style);
		}
		r->prev_count = r->ntopo[sec - S_TOPO];
		return read_topo(r, sec - S_TOPO);
	}
}

/* ---- After the last line: sort, resolve atom ids, fill d --------------- */

static int cmp_atom(const void *a, const void *b)
{
	const struct atom_rec *x = a, *y = b;
	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	return (x->line > y->line) - (x->line < y->line);
}

static int finish_atoms(struct rd *r)
{
	struct lmp_data *d = r->d;
	size_t n = r->natoms;
	if (n)
		qsort(r->atoms, n, sizeof *r->atoms, cmp_atom);
	for (size_t i = 1; i < n; i++)
		if (r->atoms[i].id == r->atoms[i - 1].id)
			return fail(r, r->atoms[i].line, "Atoms: atom id %ld "
				    "given twice (also on line %ld)",
				    r->atoms[i].id, r->atoms[i - 1].line);
	d->id = zalloc(n, sizeof *d->id);
	d->type = zalloc(n, sizeof *d->type);
	d->mol = zalloc(n, sizeof *d->mol);
	d->q = zalloc(n, sizeof *d->q);
	d->x = zalloc(n, sizeof *d->x);
	d->y = zalloc(n, sizeof *d->y);
	d->z = zalloc(n, sizeof *d->z);
	d->ix = zalloc(n, sizeof *d->ix);
	d->iy = zalloc(n, sizeof *d->iy);
	d->iz = zalloc(n, sizeof *d->iz);
	if (!d->id || !d->type || !d->mol || !d->q || !d->x || !d->y ||
	    !d->z || !d->ix || !d->iy || !d->iz)
		return fail(r, r->lineno, "out of memory");
	for (size_t i = 0; i < n; i++) {
		const struct atom_rec *a = &r->atoms[i];
		d->id[i] = a->id;
		d->type[i] = a->type;
		d->mol[i] = a->mol;
		d->q[i] = a->q;
		d->x[i] = a->r[0];
		d->y[i] = a->r[1];
		d->z[i] = a->r[2];
		d->ix[i] = a->img[0];
		d->iy[i] = a->img[1];
		d->iz[i] = a->img[2];
	}
	return 0;
}

static int finish_velocities(struct rd *r)
{
	struct lmp_data *d = r->d;
	long *seen;
	int rc = 0;
	if (!r->sec_line[S_VEL])
		return 0;
	d->vx = zalloc(d->natoms, sizeof *d->vx);
	d->vy = zalloc(d->natoms, sizeof *d->vy);
	d->vz = zalloc(d->natoms, sizeof *d->vz);
	seen = zalloc(d->natoms, sizeof *seen);
	if (!d->vx || !d->vy || !d->vz || !seen) {
		free(seen);
		return fail(r, r->lineno, "out of memory");
	}
	/* In file order, so a repeated id is reported at its second line. */
	for (size_t k = 0; k < r->nvel && !rc; k++) {
		const struct vel_rec *v = &r->vel[k];
		long i = lmp_data_index(d, v->id);
		if (i < 0)
			rc = fail(r, v->line, "Velocities: atom id %ld is not "
				  "in Atoms", v->id);
		else if (seen[i])
			rc = fail(r, v->line, "Velocities: atom id %ld given "
				  "twice (also on line %ld)", v->id, seen[i]);
		else {
			seen[i] = v->line;
			d->vx[i] = v->v[0];
			d->vy[i] = v->v[1];
			d->vz[i] = v->v[2];
		}
	}
	free(seen);
	return rc;
}

static int finish_topo(struct rd *r, int t)
{
	struct lmp_data *d = r->d;
	struct lmp_topo *tp = topo_of(d, t);
	int nat = topo_kinds[t].nat;
	size_t n = r->ntopo_read[t];
	tp->nat = nat;
	if (!r->sec_line[S_TOPO + t]) {
		if (r->ntopo[t])
			return fail(r, r->lineno, "end of file without a %s "
				    "section (header: %zu %s)",
				    topo_kinds[t].sec, r->ntopo[t],
				    topo_kinds[t].count);
		return 0;
	}
	for (size_t k = 0; k < n; k++)
		for (int a = 0; a < nat; a++)
			if (lmp_data_index(d, r->topo[t][k].atom[a]) < 0)
				return fail(r, r->topo[t][k].line, "%s: atom id "
					    "%ld is not in Atoms",
					    topo_kinds[t].sec,
					    r->topo[t][k].atom[a]);
	tp->id = zalloc(n, sizeof *tp->id);
	tp->type = zalloc(n, sizeof *tp->type);
	tp->atom = zalloc(n, nat * sizeof *tp->atom);
	if (!tp->id || !tp->type || !tp->atom)
		return fail(r, r->lineno, "out of memory");
	for (size_t k = 0; k < n; k++) {
		tp->id[k] = r->topo[t][k].id;
		tp->type[k] = r->topo[t][k].type;
		for (int a = 0; a < nat; a++)
			tp->atom[k * nat + a] = r->topo[t][k].atom[a];
	}
	tp->n = n;
	return 0;
}

static int finish(struct rd *r)
{
	struct lmp_data *d = r->d;
	if (!r->sec_line[S_ATOMS]) {
		if (d->natoms)
			return fail(r, r->lineno, "end of file without an Atoms "
				    "section (header: %zu atoms)", d->natoms);
		/* No atoms: the style can only follow from the topology. */
		d->style = LMP_ATOMIC;
		for (int t = 0; t < 4; t++)
			if (r->ntopo[t] || cntypes_of(d, t))
				d->style = LMP_FULL;
	}
	if (finish_atoms(r) || finish_velocities(r))
		return -1;
	for (int t = 0; t < 4; t++)
		if (finish_topo(r, t))
			return -1;
	return 0;
}

static void rd_free(struct rd *r)
{
	free(r->line);
	free(r->work);
	free(r->atoms);
	free(r->vel);
	for (int t = 0; t < 4; t++)
		free(r->topo[t]);
	free(r->rows);
}

static int read_all(struct rd *r)
{
	struct lmp_data *d = r->d;
	int rc = next_line(r);
	if (rc < 0)
		return -1;
	if (rc == 0)
		return fail(r, 1, "empty file (a data file starts with a title "
			    "line)");
	if (!(d->title = strdup(r->line)))
		return fail(r, r->lineno, "out of memory");
	/* Header: until the first line that is not blank and not a header
	 * line, which is the first section name. */
	for (;;) {
		int k;
		if ((rc = next_line(r)) <= 0)
			break;
		if (split(r))
			return -1;
		if (r->ntok == 0)
			continue;
		if ((k = match_header(r)) < 0)
			break;
		if (header_line(r, k))
			return -1;
	}
	if (rc < 0 || header_done(r))
		return -1;
	while (rc > 0) {
		if (section(r))
			return -1;
		/* Find the next section name, past blank lines. */
		while ((rc = next_line(r)) > 0) {
			if (split(r))
				return -1;
			if (r->ntok)
				break;
		}
		if (rc < 0)
			return -1;
	}
	return finish(r);
}

int lmp_data_read_stream(struct lmp_data *d, FILE *fp, const char *name,
			 struct err *e)
{
	struct rd r;
	int rc;
	memset(d, 0, sizeof *d);
	memset(&r, 0, sizeof r);
	r.fp = fp;
	r.name = name ? name : "-";
	r.e = e;
	r.d = d;
	rc = read_all(&r);
	rd_free(&r);
	if (rc)
		lmp_data_free(d);
	return rc;
}

int lmp_data_read(struct lmp_data *d, const char *path, struct err *e)
{
	FILE *fp = fopen(path, "r");
	int rc;
	if (!fp) {
		memset(d, 0, sizeof *d);
		return err_set(e, "%s: cannot open: %s", path, strerror(errno));
	}
	rc = lmp_data_read_stream(d, fp, path, e);
	fclose(fp);
	return rc;
}

long lmp_data_index(const struct lmp_data *d, long id)
{
	size_t lo = 0, hi = d->id ? d->natoms : 0;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (d->id[mid] < id)
			lo = mid + 1;
		else if (d->id[mid] > id)
			hi = mid;
		else
			return (long)mid;
	}
	return -1;
}

static void coeffs_free(struct lmp_coeffs *c)
{
	free(c->nparam);
	free(c->p);
}

void lmp_data_free(struct lmp_data *d)
{
	void *p[] = {d->title, d->mass, d->pair_eps, d->pair_sig, d->pair_cut,
		     d->id, d->type, d->mol, d->q, d->x, d->y, d->z, d->ix,
		     d->iy, d->iz, d->vx, d->vy, d->vz};
	for (size_t k = 0; k < sizeof p / sizeof *p; k++)
		free(p[k]);
	for (int t = 0; t < 4; t++) {
		struct lmp_topo *tp = topo_of(d, t);
		free(tp->id);
		free(tp->type);
		free(tp->atom);
	}
	for (int c = 0; c < NCOEFF; c++)
		coeffs_free(coeffs_of(d, c));
	memset(d, 0, sizeof *d);
}

int lmp_data_alloc(struct lmp_data *d, size_t natoms, size_t ntypes,
		   int with_vel, struct err *e)
{
	size_t nn;
	memset(d, 0, sizeof *d);
	if (ntypes > INT_MAX || natoms > LONG_MAX / 2)
		return err_set(e, "lmp_data_alloc: %zu atoms of %zu types is "
			       "too many", natoms, ntypes);
	nn = ntypes * ntypes;
	d->natoms = natoms;
	d->ntypes = ntypes;
	d->id = zalloc(natoms, sizeof *d->id);
	d->type = zalloc(natoms, sizeof *d->type);
	d->mol = zalloc(natoms, sizeof *d->mol);
	d->q = zalloc(natoms, sizeof *d->q);
	d->x = zalloc(natoms, sizeof *d->x);
	d->y = zalloc(natoms, sizeof *d->y);
	d->z = zalloc(natoms, sizeof *d->z);
	d->ix = zalloc(natoms, sizeof *d->ix);
	d->iy = zalloc(natoms, sizeof *d->iy);
	d->iz = zalloc(natoms, sizeof *d->iz);
	d->mass = zalloc(ntypes, sizeof *d->mass);
	d->pair_eps = zalloc(nn, sizeof *d->pair_eps);
	d->pair_sig = zalloc(nn, sizeof *d->pair_sig);
	d->pair_cut = zalloc(nn, sizeof *d->pair_cut);
	if (with_vel) {
		d->vx = zalloc(natoms, sizeof *d->vx);
		d->vy = zalloc(natoms, sizeof *d->vy);
		d->vz = zalloc(natoms, sizeof *d->vz);
	}
	if (!d->id || !d->type || !d->mol || !d->q || !d->x || !d->y ||
	    !d->z || !d->ix || !d->iy || !d->iz || !d->mass || !d->pair_eps ||
	    !d->pair_sig || !d->pair_cut ||
	    (with_vel && (!d->vx || !d->vy || !d->vz))) {
		lmp_data_free(d);
		return err_set(e, "lmp_data_alloc: out of memory for %zu atoms",
			       natoms);
	}
	for (int t = 0; t < 4; t++)
		topo_of(d, t)->nat = topo_kinds[t].nat;
	return 0;
}

/* ---- Writing ----------------------------------------------------------- */

/* Refuse what LAMMPS could not read back, before any byte is written. */
static int check_writable(const struct lmp_data *d, const char *name,
			  struct err *e)
{
	int full = d->style == LMP_FULL;
	if (d->natoms && (!d->id || !d->type || !d->x || !d->y || !d->z))
		return err_set(e, "%s: atom arrays missing", name);
	if (d->natoms && !d->ntypes)
		return err_set(e, "%s: %zu atoms but 0 atom types", name,
			       d->natoms);
	if (d->ntypes > INT_MAX)
		return err_set(e, "%s: too many atom types", name);
	for (int a = 0; a < 3; a++)
		if (!isfinite(d->lo[a]) || !isfinite(d->hi[a]) ||
		    !(d->lo[a] < d->hi[a]))
			return err_set(e, "%s: box bounds of dimension %d are "
				       "invalid", name, a);
	if (d->triclinic &&
	    (!isfinite(d->xy) || !isfinite(d->xz) || !isfinite(d->yz)))
		return err_set(e, "%s: tilt factors are not finite", name);
	if (d->has_mass && !d->mass)
		return err_set(e, "%s: has_mass without masses", name);
	for (size_t t = 0; d->has_mass && t < d->ntypes; t++)
		if (!(d->mass[t] > 0) || !isfinite(d->mass[t]))
			return err_set(e, "%s: mass of type %zu is %.17g, not "
				       "positive", name, t + 1, d->mass[t]);
	if ((d->has_pair || d->has_pairij) &&
	    (!d->pair_eps || !d->pair_sig || !d->pair_cut))
		return err_set(e, "%s: pair coefficient arrays missing", name);
	for (size_t k = 0; (d->has_pair || d->has_pairij) &&
			   k < d->ntypes * d->ntypes; k++)
		if (!isfinite(d->pair_eps[k]) || !isfinite(d->pair_sig[k]) ||
		    !isfinite(d->pair_cut[k]) || d->pair_cut[k] < 0)
			return err_set(e, "%s: pair coefficients of types %zu "
				       "%zu are not finite (or cutoff < 0)", name,
				       k / d->ntypes + 1, k % d->ntypes + 1);
	if (strchr(d->pair_style, '\n'))
		return err_set(e, "%s: pair style has a newline", name);
	for (size_t i = 0; i < d->natoms; i++) {
		if (d->id[i] <= 0 || (i && d->id[i] <= d->id[i - 1]))
			return err_set(e, "%s: atom ids must be positive and "
				       "ascending (index %zu has id %ld)", name,
				       i, d->id[i]);
		if (d->type[i] < 1 || (size_t)d->type[i] > d->ntypes)
			return err_set(e, "%s: atom id %ld has type %d, not in "
				       "1..%zu", name, d->id[i], d->type[i],
				       d->ntypes);
		if (!isfinite(d->x[i]) || !isfinite(d->y[i]) ||
		    !isfinite(d->z[i]) || (full && d->q && !isfinite(d->q[i])))
			return err_set(e, "%s: atom id %ld has a non-finite "
				       "position or charge", name, d->id[i]);
		if (d->vx && d->vy && d->vz &&
		    (!isfinite(d->vx[i]) || !isfinite(d->vy[i]) ||
		     !isfinite(d->vz[i])))
			return err_set(e, "%s: atom id %ld has a non-finite "
				       "velocity", name, d->id[i]);
	}
	for (int t = 0; t < 4; t++) {
		const struct lmp_topo *tp = ctopo_of(d, t);
		int nat = topo_kinds[t].nat;
		size_t nt = cntypes_of(d, t);
		if (!tp->n && !nt)
			continue;
		if (!full)
			return err_set(e, "%s: atom style atomic cannot have "
				       "%s", name, topo_kinds[t].count);
		if (tp->n && (!tp->id || !tp->type || !tp->atom))
			return err_set(e, "%s: %s arrays missing", name,
				       topo_kinds[t].count);
		for (size_t k = 0; k < tp->n; k++) {
			if (tp->type[k] < 1 || (size_t)tp->type[k] > nt)
				return err_set(e, "%s: %s entry %zu has type "
					       "%d, not in 1..%zu", name,
					       topo_kinds[t].sec, k + 1,
					       tp->type[k], nt);
			for (int a = 0; a < nat; a++)
				if (lmp_data_index(d, tp->atom[k * nat + a]) < 0)
					return err_set(e, "%s: %s entry %zu "
						       "names atom id %ld, "
						       "which does not exist",
						       name, topo_kinds[t].sec,
						       k + 1,
						       tp->atom[k * nat + a]);
		}
	}
	for (int c = 0; c < NCOEFF; c++) {
		const struct lmp_coeffs *co = ccoeffs_of(d, c);
		size_t nt = cntypes_of(d, coeff_kinds[c].kind);
		if (!co->present)
			continue;
		if (!full)
			return err_set(e, "%s: atom style atomic cannot have "
				       "%s", name, coeff_kinds[c].sec);
		if (co->ntypes != nt || (nt && (!co->nparam || !co->p)))
			return err_set(e, "%s: %s has %zu rows for %zu types",
				       name, coeff_kinds[c].sec, co->ntypes,
				       nt);
		if (strchr(co->style, '\n'))
			return err_set(e, "%s: %s style has a newline", name,
				       coeff_kinds[c].sec);
		for (size_t t = 0; t < nt; t++) {
			if (co->nparam[t] < 0 || co->nparam[t] > LMP_MAXP)
				return err_set(e, "%s: %s type %zu has %d "
					       "coefficients", name,
					       coeff_kinds[c].sec, t + 1,
					       co->nparam[t]);
			for (int k = 0; k < co->nparam[t]; k++)
				if (!isfinite(co->p[t * LMP_MAXP + k]))
					return err_set(e, "%s: %s type %zu: "
						       "coefficient not finite",
						       name, coeff_kinds[c].sec,
						       t + 1);
		}
	}
	return 0;
}

/* Shortest "%g" that reads back to the same double (LAMMPS write_data
 * prints shortest round-trip too), so files diff cleanly against its. */
static const char *real(char buf[32], double v)
{
	char b15[32];
	/* 16 digits first: it settles most doubles in one or two tries. */
	snprintf(buf, 32, "%.16g", v);
	if (strtod(buf, NULL) != v) {
		snprintf(buf, 32, "%.17g", v);
		return buf;
	}
	snprintf(b15, sizeof b15, "%.15g", v);
	if (strtod(b15, NULL) == v)
		memcpy(buf, b15, sizeof b15);
	return buf;
}

static void put_style(FILE *fp, const char *sec, const char *style)
{
	if (*style)
		fprintf(fp, "\n%s # %s\n\n", sec, style);
	else
		fprintf(fp, "\n%s\n\n", sec);
}

static void write_coeffs(FILE *fp, const struct lmp_data *d, int c)
{
	const struct lmp_coeffs *co = ccoeffs_of(d, c);
	char b[32];
	if (!co->present || !co->ntypes)
		return;
	put_style(fp, coeff_kinds[c].sec, co->style);
	for (size_t t = 0; t < co->ntypes; t++) {
		fprintf(fp, "%zu", t + 1);
		for (int k = 0; k < co->nparam[t]; k++)
			fprintf(fp, " %s", real(b, co->p[t * LMP_MAXP + k]));
		fputc('\n', fp);
	}
}

static void write_body(FILE *fp, const struct lmp_data *d,
		       const char *comments)
{
	int full = d->style == LMP_FULL;
	size_t n = d->ntypes;
	/* No style comment was read as lj/cut; say so in what we write. */
	const char *pstyle = d->pair_style[0] ? d->pair_style : "lj/cut";
	char b[6][32];
	size_t tl = d->title ? strcspn(d->title, "\n") : 0;

	if (d->title)
		fprintf(fp, "%.*s\n", (int)(tl < INT_MAX ? tl : INT_MAX),
			d->title);
	else
		fputs("LAMMPS data file via soretkit\n", fp);
	if (comments)
		fputs(comments, fp);
	fputc('\n', fp);
	fprintf(fp, "%zu atoms\n%zu atom types\n", d->natoms, n);
	for (int t = 0; t < 4 && full; t++) {
		size_t cnt = ctopo_of(d, t)->n, nt = cntypes_of(d, t);
		if (cnt || nt)
			fprintf(fp, "%zu %s\n%zu %s\n", cnt,
				topo_kinds[t].count, nt, topo_kinds[t].types);
	}
	fprintf(fp, "\n%s %s xlo xhi\n", real(b[0], d->lo[0]),
		real(b[1], d->hi[0]));
	fprintf(fp, "%s %s ylo yhi\n", real(b[0], d->lo[1]),
		real(b[1], d->hi[1]));
	fprintf(fp, "%s %s zlo zhi\n", real(b[0], d->lo[2]),
		real(b[1], d->hi[2]));
	if (d->triclinic)
		fprintf(fp, "%s %s %s xy xz yz\n", real(b[0], d->xy),
			real(b[1], d->xz), real(b[2], d->yz));

	if (d->has_mass && n) {
		fputs("\nMasses\n\n", fp);
		for (size_t t = 0; t < n; t++)
			fprintf(fp, "%zu %s\n", t + 1, real(b[0], d->mass[t]));
	}
	if (d->has_pairij && n) {
		put_style(fp, "PairIJ Coeffs", pstyle);
		for (size_t i = 0; i < n; i++)
			for (size_t j = i; j < n; j++) {
				size_t ij = i * n + j;
				fprintf(fp, "%zu %zu %s %s", i + 1, j + 1,
					real(b[0], d->pair_eps[ij]),
					real(b[1], d->pair_sig[ij]));
				/* 0 means "the global cutoff": leave it out. */
				if (d->pair_cut[ij] != 0)
					fprintf(fp, " %s",
						real(b[2], d->pair_cut[ij]));
				fputc('\n', fp);
			}
	} else if (d->has_pair && n) {
		put_style(fp, "Pair Coeffs", pstyle);
		for (size_t i = 0; i < n; i++) {
			size_t ii = i * (n + 1);
			fprintf(fp, "%zu %s %s", i + 1,
				real(b[0], d->pair_eps[ii]),
				real(b[1], d->pair_sig[ii]));
			if (d->pair_cut[ii] != 0)
				fprintf(fp, " %s", real(b[2], d->pair_cut[ii]));
			fputc('\n', fp);
		}
	}
	/* write_data's order: class2 angles add BondBond and BondAngle
	 * after their Angle Coeffs. */
	write_coeffs(fp, d, 0);
	write_coeffs(fp, d, 1);
	write_coeffs(fp, d, 4);
	write_coeffs(fp, d, 5);
	write_coeffs(fp, d, 2);
	write_coeffs(fp, d, 3);

	if (d->natoms) {
		fprintf(fp, "\nAtoms # %s\n\n", full ? "full" : "atomic");
		for (size_t i = 0; i < d->natoms; i++) {
			fprintf(fp, "%ld ", d->id[i]);
			if (full)
				fprintf(fp, "%ld %d %s ", d->mol ? d->mol[i] : 0,
					d->type[i],
					real(b[0], d->q ? d->q[i] : 0.0));
			else
				fprintf(fp, "%d ", d->type[i]);
			fprintf(fp, "%s %s %s %d %d %d\n", real(b[1], d->x[i]),
				real(b[2], d->y[i]), real(b[3], d->z[i]),
				d->ix ? d->ix[i] : 0, d->iy ? d->iy[i] : 0,
				d->iz ? d->iz[i] : 0);
		}
	}
	if (d->natoms && d->vx && d->vy && d->vz) {
		fputs("\nVelocities\n\n", fp);
		for (size_t i = 0; i < d->natoms; i++)
			fprintf(fp, "%ld %s %s %s\n", d->id[i],
				real(b[0], d->vx[i]), real(b[1], d->vy[i]),
				real(b[2], d->vz[i]));
	}
	for (int t = 0; t < 4 && full; t++) {
		const struct lmp_topo *tp = ctopo_of(d, t);
		int nat = topo_kinds[t].nat;
		if (!tp->n)
			continue;
		fprintf(fp, "\n%s\n\n", topo_kinds[t].sec);
		for (size_t k = 0; k < tp->n; k++) {
			fprintf(fp, "%ld %d", tp->id[k], tp->type[k]);
			for (int a = 0; a < nat; a++)
				fprintf(fp, " %ld", tp->atom[k * nat + a]);
			fputc('\n', fp);
		}
	}
}

int lmp_data_write_stream(const struct lmp_data *d, FILE *fp,
			  const char *name, struct err *e)
{
	if (!name)
		name = "-";
	if (check_writable(d, name, e))
		return -1;
	write_body(fp, d, NULL);
	if (fflush(fp) || ferror(fp))
		return err_set(e, "%s: write error: %s", name, strerror(errno));
	return 0;
}

int lmp_data_write_commented(const struct lmp_data *d, const char *comments,
			     const char *path, struct err *e)
{
	/* table_writer: a temporary beside the file, renamed into place when
	 * complete; "-", a device or a FIFO written in place */
	if (check_writable(d, path, e))
		return -1; /* before a temporary exists */
	struct table_writer w;
	if (table_writer_open(&w, path, e))
		return -1;
	write_body(w.fp, d, comments);
	return table_writer_close(&w, e);
}

int lmp_data_write(const struct lmp_data *d, const char *path, struct err *e)
{
	return lmp_data_write_commented(d, NULL, path, e);
}
