/* table: read and write the whitespace tables of DESIGN.md ("Tables").
 *
 * Memory layout of a read table: each data row is copied once into its own
 * buffer, split in place at the whitespace, and text[] points into it. The
 * first cell of a row starts its buffer, so text[r*ncol] is what to free.
 * That keeps a million-cell table at one allocation per row, not per cell. */
#include "table.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ------------------------------------------------------------------ */
/* Reading                                                            */
/* ------------------------------------------------------------------ */

/* State that lives only while one stream is read. */
struct reader {
	struct table *t;
	struct err *e;
	long lineno;
	char *pending;     /* last comment line seen before data (after '#') */
	long pending_line;
	int in_data;       /* first data row seen: header fixed, meta closed */
	char *later;       /* last plain comment line after the data started */
	long later_line;
	size_t row_cap;    /* rows allocated in t->text/num/line */
	size_t meta_cap;
};

/* Whitespace as the table format knows it. '\r' is included so that a
 * stray carriage return inside a line never glues itself to a cell. */
static int is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f' ||
	       c == '\n';
}

static char *skip_ws(char *s)
{
	while (is_ws(*s))
		s++;
	return s;
}

static char *skip_token(char *s)
{
	while (*s && !is_ws(*s))
		s++;
	return s;
}

static size_t count_tokens(char *s)
{
	size_t n = 0;
	for (s = skip_ws(s); *s; s = skip_ws(skip_token(s)))
		n++;
	return n;
}

static char *dup_range(const char *s, size_t n)
{
	char *d = malloc(n + 1);
	if (d) {
		memcpy(d, s, n);
		d[n] = '\0';
	}
	return d;
}

/* The cell as a number only when all of it is a finite number: "1.5abc"
 * and "inf" are text. "nan" is NAN here too; table_numeric() tells it
 * apart from text by parsing the cell again. */
static double parse_cell(const char *s)
{
	char *end;
	double v = strtod(s, &end);
	if (end == s || *end != '\0' || !isfinite(v))
		return NAN;
	return v;
}

/* "# key: value": key is one token ending in ':' followed by whitespace
 * (or nothing: an empty value). Anything else is a plain comment. */
static int add_meta(struct reader *r, char *s)
{
	struct table *t = r->t;
	s = skip_ws(s);
	char *kend = skip_token(s);
	if (kend - s < 2 || kend[-1] != ':')
		return 0;
	char *val = skip_ws(kend);
	char *vend = val + strlen(val);
	while (vend > val && is_ws(vend[-1]))
		vend--;
	if (t->nmeta == r->meta_cap) {
		size_t cap = r->meta_cap ? 2 * r->meta_cap : 8;
		char **k = realloc(t->meta_key, cap * sizeof *k);
		if (!k)
			return err_set(r->e, "%s: out of memory", t->source);
		t->meta_key = k;
		char **v = realloc(t->meta_val, cap * sizeof *v);
		if (!v)
			return err_set(r->e, "%s: out of memory", t->source);
		t->meta_val = v;
		r->meta_cap = cap;
	}
	char *key = dup_range(s, (size_t)(kend - 1 - s));
	char *value = dup_range(val, (size_t)(vend - val));
	if (!key || !value) {
		free(key);
		free(value);
		return err_set(r->e, "%s: out of memory", t->source);
	}
	t->meta_key[t->nmeta] = key;
	t->meta_val[t->nmeta] = value;
	t->nmeta++;
	return 0;
}

/* Split "name" or "name[unit]" (tok is n chars, not terminated). The unit
 * may hold anything but ']' so that "rho_1[sigma^-3]" and "D[A^2/fs]"
 * pass; a name with brackets elsewhere is a typo worth reporting. */
static int split_column(struct reader *r, const char *tok, size_t n,
			size_t col)
{
	struct table *t = r->t;
	const char *open = memchr(tok, '[', n);
	size_t nlen = open ? (size_t)(open - tok) : n;
	int bad = nlen == 0 || memchr(tok, ']', nlen) != NULL;
	if (open && !bad) {
		size_t ulen = n - nlen - 1;
		bad = ulen == 0 || tok[n - 1] != ']' ||
		      memchr(open + 1, ']', ulen - 1) != NULL;
	}
	if (bad)
		return err_set(r->e, "%s:%ld: bad column name '%.*s' (want "
			       "name or name[unit])", t->source,
			       r->pending_line, (int)n, tok);
	t->name[col] = dup_range(tok, nlen);
	t->unit[col] = open ? dup_range(open + 1, n - nlen - 2)
			    : dup_range("", 0);
	if (!t->name[col] || !t->unit[col])
		return err_set(r->e, "%s: out of memory", t->source);
	return 0;
}

/* The pending comment line becomes the header. */
static int set_header(struct reader *r)
{
	struct table *t = r->t;
	char *s = r->pending;
	size_t n = count_tokens(s);
	if (n == 0)
		return err_set(r->e, "%s:%ld: header line names no columns",
			       t->source, r->pending_line);
	t->name = calloc(n, sizeof *t->name);
	t->unit = calloc(n, sizeof *t->unit);
	if (!t->name || !t->unit)
		return err_set(r->e, "%s: out of memory", t->source);
	t->ncol = n;
	size_t col = 0;
	for (s = skip_ws(s); *s; s = skip_ws(s)) {
		char *end = skip_token(s);
		if (split_column(r, s, (size_t)(end - s), col++) < 0)
			return -1;
		s = end;
	}
	return 0;
}

static int grow_rows(struct reader *r)
{
	struct table *t = r->t;
	size_t cap = r->row_cap ? 2 * r->row_cap : 64;
	size_t elem = sizeof(double) > sizeof(char *) ? sizeof(double)
						       : sizeof(char *);
	if (cap > SIZE_MAX / elem / t->ncol)
		return err_set(r->e, "%s:%ld: table too large", t->source,
			       r->lineno);
	char **text = realloc(t->text, cap * t->ncol * sizeof *text);
	if (!text)
		return err_set(r->e, "%s: out of memory", t->source);
	t->text = text;
	double *num = realloc(t->num, cap * t->ncol * sizeof *num);
	if (!num)
		return err_set(r->e, "%s: out of memory", t->source);
	t->num = num;
	long *line = realloc(t->line, cap * sizeof *line);
	if (!line)
		return err_set(r->e, "%s: out of memory", t->source);
	t->line = line;
	r->row_cap = cap;
	return 0;
}

/* s starts at the first cell (leading whitespace already skipped). */
static int add_row(struct reader *r, char *s)
{
	struct table *t = r->t;
	size_t n = count_tokens(s);
	if (n != t->ncol)
		return err_set(r->e, "%s:%ld: %zu columns, header has %zu",
			       t->source, r->lineno, n, t->ncol);
	if (t->nrow == r->row_cap && grow_rows(r) < 0)
		return -1;
	char *buf = dup_range(s, strlen(s));
	if (!buf)
		return err_set(r->e, "%s: out of memory", t->source);
	size_t base = t->nrow * t->ncol, col = 0;
	for (char *c = buf; *c; c = skip_ws(c)) {
		char *end = skip_token(c);
		if (*end)
			*end++ = '\0';
		t->text[base + col] = c;
		t->num[base + col] = parse_cell(c);
		col++;
		c = end;
	}
	t->line[t->nrow++] = r->lineno;
	return 0;
}

/* Is comment text s a header too (of a second table after the first, as
 * `cat a b` gives)? Yes when most of its words name columns of the
 * header: a note that mentions one column ("# T drifts") is not. */
static int names_columns(const struct table *t, char *s)
{
	size_t words = 0, names = 0;
	for (s = skip_ws(s); *s; s = skip_ws(s), words++) {
		char *end = skip_token(s);
		size_t n = (size_t)(end - s);
		const char *open = memchr(s, '[', n);
		if (open)
			n = (size_t)(open - s);
		for (size_t c = 0; c < t->ncol; c++)
			if (strlen(t->name[c]) == n && !strncmp(t->name[c], s, n)) {
				names++;
				break;
			}
		s = end;
	}
	return 2 * names > words;
}

/* Is comment text s the header, token for token? */
static int same_header(const struct table *t, char *s)
{
	size_t c = 0;
	for (s = skip_ws(s); *s; s = skip_ws(s), c++) {
		if (c >= t->ncol)
			return 0;
		char *end = skip_token(s);
		size_t n = (size_t)(end - s), ln = strlen(t->name[c]);
		if (n < ln || strncmp(s, t->name[c], ln))
			return 0;
		const char *u = t->unit[c];
		if (*u ? (n != ln + strlen(u) + 2 || s[ln] != '[' ||
			  strncmp(s + ln + 1, u, strlen(u)) || s[n - 1] != ']')
		       : n != ln)
			return 0;
		s = end;
	}
	return c == t->ncol;
}

static int comment_line(struct reader *r, char *text)
{
	if (r->in_data) {
		/* notes after the data start are not provenance; "# key:
		 * value" lines are never a header */
		char *k = skip_ws(text), *kend = skip_token(k);
		if (kend - k >= 2 && kend[-1] == ':')
			return 0;
		free(r->later);
		r->later = dup_range(text, strlen(text));
		r->later_line = r->lineno;
		return r->later ? 0 : err_set(r->e, "%s: out of memory",
					      r->t->source);
	}
	if (r->pending) {
		/* An earlier comment line was not the header after all. */
		int rc = add_meta(r, r->pending);
		free(r->pending);
		r->pending = NULL;
		if (rc < 0)
			return -1;
	}
	r->pending = dup_range(text, strlen(text));
	if (!r->pending)
		return err_set(r->e, "%s: out of memory", r->t->source);
	r->pending_line = r->lineno;
	return 0;
}

static int data_line(struct reader *r, char *s)
{
	if (!r->in_data) {
		if (!r->pending)
			return err_set(r->e, "%s:%ld: data before any header "
				       "line ('# name name ...')",
				       r->t->source, r->lineno);
		if (set_header(r) < 0)
			return -1;
		r->in_data = 1;
	} else if (r->later) {
		/* A header repeated before more rows (two tables joined by
		 * cat) must be the same: the rows below a different one
		 * would be read under the wrong names or units. */
		int bad = names_columns(r->t, r->later) &&
			  !same_header(r->t, r->later);
		free(r->later);
		r->later = NULL;
		if (bad)
			return err_set(r->e, "%s:%ld: column header differs from "
				       "line %ld's (two tables joined?)",
				       r->t->source, r->later_line,
				       r->pending_line);
	}
	return add_row(r, s);
}

static int read_line(struct reader *r, char *s, size_t len)
{
	/* A NUL would silently cut the line short: the file is not text. */
	if (memchr(s, '\0', len))
		return err_set(r->e, "%s:%ld: NUL byte: not a text table",
			       r->t->source, r->lineno);
	while (len > 0 && (s[len - 1] == '\n' || s[len - 1] == '\r'))
		s[--len] = '\0';
	s = skip_ws(s);
	if (*s == '\0')
		return 0;
	if (*s == '#')
		return comment_line(r, s + 1);
	return data_line(r, s);
}

static int read_lines(struct reader *r, FILE *fp)
{
	char *buf = NULL;
	size_t cap = 0;
	ssize_t len;
	int rc = 0;
	while (rc == 0 && (len = getline(&buf, &cap, fp)) >= 0) {
		r->lineno++;
		rc = read_line(r, buf, (size_t)len);
	}
	int saved = errno;
	free(buf);
	/* getline() also stops on ENOMEM, without the error flag: only a
	 * real end of file ends the table. */
	if (rc == 0 && (ferror(fp) || !feof(fp)))
		rc = err_set(r->e, "%s:%ld: read error: %s", r->t->source,
			     r->lineno + 1, strerror(saved));
	/* A header with no rows after it is an empty table, not an error. */
	if (rc == 0 && !r->in_data && r->pending)
		rc = set_header(r);
	return rc;
}

int table_read_stream(struct table *t, FILE *fp, const char *source,
		      struct err *e)
{
	memset(t, 0, sizeof *t);
	if (!source)
		source = "<stdin>";
	t->source = dup_range(source, strlen(source));
	if (!t->source)
		return err_set(e, "%s: out of memory", source);
	struct reader r = {.t = t, .e = e};
	int rc = read_lines(&r, fp);
	free(r.pending);
	free(r.later);
	if (rc < 0)
		table_free(t);
	return rc;
}

int table_read(struct table *t, const char *path, struct err *e)
{
	if (!path || strcmp(path, "-") == 0)
		return table_read_stream(t, stdin, "<stdin>", e);
	FILE *fp = fopen(path, "r");
	if (!fp) {
		memset(t, 0, sizeof *t);
		return err_set(e, "%s: %s", path, strerror(errno));
	}
	int rc = table_read_stream(t, fp, path, e);
	fclose(fp); /* read-only: nothing to lose on close */
	return rc;
}

static void free_strings(char **v, size_t n)
{
	if (!v)
		return;
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void table_free(struct table *t)
{
	if (t->text)
		for (size_t r = 0; r < t->nrow; r++)
			free(t->text[r * t->ncol]);
	free(t->text);
	free(t->num);
	free(t->line);
	free_strings(t->name, t->ncol);
	free_strings(t->unit, t->ncol);
	free_strings(t->meta_key, t->nmeta);
	free_strings(t->meta_val, t->nmeta);
	free(t->source);
	memset(t, 0, sizeof *t);
}

/* ------------------------------------------------------------------ */
/* Queries                                                            */
/* ------------------------------------------------------------------ */

/* "a b c" into buf, "..." when it does not fit. */
static void list_columns(const struct table *t, char *buf, size_t size)
{
	size_t used = 0;
	buf[0] = '\0';
	for (size_t c = 0; c < t->ncol; c++) {
		int n = snprintf(buf + used, size - used, "%s%s", c ? " " : "",
				 t->name[c]);
		if (n < 0 || (size_t)n >= size - used) {
			snprintf(buf + (used < size - 5 ? used : size - 5),
				 5, " ...");
			return;
		}
		used += (size_t)n;
	}
}

int table_column(const struct table *t, const char *name, struct err *e)
{
	for (size_t c = 0; c < t->ncol; c++)
		if (strcmp(t->name[c], name) == 0 && c <= INT_MAX)
			return (int)c;
	if (t->ncol == 0)
		return err_set(e, "%s: no column '%s' (no header line)",
			       t->source, name);
	char cols[512];
	list_columns(t, cols, sizeof cols);
	return err_set(e, "%s: no column '%s' (columns: %s)", t->source, name,
		       cols);
}

/* Whether strtod reads the whole cell, and as what: tells "nan" and "inf"
 * (numbers, but not finite) from text such as "MBAR" or "1.0x". */
static int whole_number(const char *s, double *v)
{
	char *end;
	*v = strtod(s, &end);
	return end != s && *end == '\0';
}

int table_numeric(const struct table *t, size_t col, int allow_nan,
		  struct err *e)
{
	if (col >= t->ncol)
		return err_set(e, "%s: column %zu does not exist (%zu columns)",
			       t->source, col, t->ncol);
	for (size_t r = 0; r < t->nrow; r++) {
		if (isfinite(table_get(t, r, col)))
			continue;
		const char *s = table_cell(t, r, col);
		double v;
		int number = whole_number(s, &v);
		if (number && isnan(v) && allow_nan)
			continue;
		return err_set(e, "%s:%ld: column '%s': '%s' is not a %s",
			       t->source, t->line[r], t->name[col], s,
			       number ? "finite number" : "number");
	}
	return 0;
}

const char *table_meta(const struct table *t, const char *key)
{
	for (size_t i = t->nmeta; i-- > 0;)
		if (strcmp(t->meta_key[i], key) == 0)
			return t->meta_val[i];
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Writing                                                            */
/* ------------------------------------------------------------------ */

/* mkstemp creates 0600 files; a result table should get the mode any
 * other new file gets (0666 & ~umask) so that colleagues can read it.
 * Linux shows the umask in /proc without changing it; elsewhere fall back
 * to the set-and-restore dance. */
static mode_t current_umask(void)
{
	FILE *fp = fopen("/proc/self/status", "r");
	if (fp) {
		char line[256];
		unsigned m;
		while (fgets(line, sizeof line, fp))
			if (sscanf(line, "Umask: %o", &m) == 1) {
				fclose(fp);
				return (mode_t)m;
			}
		fclose(fp);
	}
	mode_t m = umask(022);
	umask(m);
	return m;
}

static void writer_clear(struct table_writer *w)
{
	free(w->path);
	free(w->tmp);
	memset(w, 0, sizeof *w);
}

static int open_temporary(struct table_writer *w, const char *path,
			  struct err *e)
{
	size_t n = strlen(path);
	w->path = dup_range(path, n);
	w->tmp = malloc(n + sizeof ".tmp.XXXXXX");
	if (!w->path || !w->tmp)
		return err_set(e, "%s: out of memory", path);
	memcpy(w->tmp, path, n);
	memcpy(w->tmp + n, ".tmp.XXXXXX", sizeof ".tmp.XXXXXX");
	/* Beside the target, so that rename() stays on one file system. */
	int fd = mkstemp(w->tmp);
	if (fd < 0)
		return err_set(e, "%s: %s", path, strerror(errno));
	if (fchmod(fd, 0666 & ~current_umask()) < 0 ||
	    !(w->fp = fdopen(fd, "w"))) {
		int saved = errno;
		close(fd);
		unlink(w->tmp);
		return err_set(e, "%s: %s", path, strerror(saved));
	}
	return 0;
}

/* `-o /dev/stdout`, a FIFO or a terminal: there is nothing to rename into
 * place (and replacing /dev/stdout with a regular file would be wrong). */
static int is_special(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && !S_ISREG(st.st_mode) &&
	       !S_ISDIR(st.st_mode);
}

static int open_direct(struct table_writer *w, const char *path,
		       struct err *e)
{
	w->path = dup_range(path, strlen(path));
	if (!w->path)
		return err_set(e, "%s: out of memory", path);
	w->fp = fopen(path, "w");
	if (!w->fp)
		return err_set(e, "%s: %s", path, strerror(errno));
	return 0;
}

int table_writer_open(struct table_writer *w, const char *path, struct err *e)
{
	memset(w, 0, sizeof *w);
	if (!path || strcmp(path, "-") == 0) {
		w->fp = stdout;
		return 0;
	}
	int rc = is_special(path) ? open_direct(w, path, e)
				  : open_temporary(w, path, e);
	if (rc < 0)
		writer_clear(w);
	return rc;
}

/* A newline inside a value would end the comment and start a bogus data
 * row; keep every value on its line. */
static void put_one_line(FILE *fp, const char *s)
{
	for (; *s; s++)
		fputc(*s == '\n' || *s == '\r' ? ' ' : *s, fp);
}

void table_writer_meta(struct table_writer *w, const char *key,
		       const char *fmt, ...)
{
	if (!w->fp)
		return;
	char small[512], *big = NULL;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	fprintf(w->fp, "# %s: ", key);
	if ((size_t)n >= sizeof small && (big = malloc((size_t)n + 1))) {
		va_start(ap, fmt);
		vsnprintf(big, (size_t)n + 1, fmt, ap);
		va_end(ap);
	}
	/* Without memory for a long value, keep what fitted: a truncated
	 * comment is better than a broken table. */
	put_one_line(w->fp, big ? big : small);
	fputc('\n', w->fp);
	free(big);
}

/* Characters a POSIX shell leaves alone outside quotes. */
static int shell_safe(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			    "0123456789_@%+=:,./-", *s))
			return 0;
	return 1;
}

static int has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 1;
	return 0;
}

/* Write one argument so that pasting the command line into a shell runs
 * it again: bare when safe, '...' otherwise, and bash's $'...' when it
 * holds control characters (which would also break the comment line). */
static void put_shell_arg(FILE *fp, const char *s)
{
	if (shell_safe(s)) {
		fputs(s, fp);
	} else if (!has_control(s)) {
		fputc('\'', fp);
		for (; *s; s++)
			if (*s == '\'')
				fputs("'\\''", fp); /* close, escaped quote, reopen */
			else
				fputc(*s, fp);
		fputc('\'', fp);
	} else {
		fputs("$'", fp);
		for (; *s; s++) {
			unsigned char c = (unsigned char)*s;
			if (c == '\\' || c == '\'')
				fprintf(fp, "\\%c", c);
			else if (c < 0x20 || c == 0x7f)
				fprintf(fp, "\\x%02x", c);
			else
				fputc(c, fp);
		}
		fputc('\'', fp);
	}
}

/* Now as ISO-8601 UTC. SOURCE_DATE_EPOCH (reproducible-builds.org) pins
 * it so that tests and pipelines can compare whole files. */
static void format_date(char *buf, size_t size)
{
	time_t now = time(NULL);
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	if (sde && *sde) {
		char *end;
		errno = 0;
		long long v = strtoll(sde, &end, 10);
		if (*end == '\0' && errno == 0 && v >= 0)
			now = (time_t)v;
	}
	struct tm tm;
	if (!gmtime_r(&now, &tm) ||
	    strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, size, "unknown");
}

void table_writer_provenance(struct table_writer *w, const char *tool,
			     const char *version, int argc, char **argv)
{
	if (!w->fp)
		return;
	table_writer_meta(w, "tool", "%s", tool ? tool : "unknown");
	table_writer_meta(w, "version", "%s", version ? version : "unknown");
	fputs("# command:", w->fp);
	for (int i = 0; i < argc && argv[i]; i++) {
		fputc(' ', w->fp);
		put_shell_arg(w->fp, argv[i]);
	}
	fputc('\n', w->fp);
	char buf[256];
	format_date(buf, sizeof buf);
	table_writer_meta(w, "date", "%s", buf);
	if (gethostname(buf, sizeof buf) < 0)
		snprintf(buf, sizeof buf, "unknown");
	buf[sizeof buf - 1] = '\0'; /* POSIX allows an unterminated cut */
	table_writer_meta(w, "host", "%s", buf);
	const char *job = getenv("SLURM_JOB_ID");
	if (job && *job)
		table_writer_meta(w, "slurm_job_id", "%s", job);
}

void table_writer_header(struct table_writer *w, size_t ncol,
			 const char *const *cols)
{
	if (!w->fp)
		return;
	w->ncol = ncol;
	fputc('#', w->fp);
	for (size_t c = 0; c < ncol; c++) {
		fputc(' ', w->fp);
		fputs(cols[c], w->fp);
	}
	fputc('\n', w->fp);
}

void table_writer_row(struct table_writer *w, const double *vals, int precise)
{
	if (!w->fp)
		return;
	const char *fmt = precise ? "%.17g" : "%.10g";
	for (size_t c = 0; c < w->ncol; c++) {
		if (c)
			fputc(' ', w->fp);
		fprintf(w->fp, fmt, vals[c]);
	}
	fputc('\n', w->fp);
}

/* fflush reports the errors of writes still buffered (ENOSPC, EIO);
 * ferror those of writes that already failed. */
static int check_stream(FILE *fp, const char *name, struct err *e)
{
	errno = 0;
	if (fflush(fp) == 0 && !ferror(fp))
		return 0;
	return err_set(e, "%s: write error: %s", name,
		       errno ? strerror(errno) : "I/O error");
}

/* fsync because network file systems (NFS, Lustre) may report a full
 * quota only there, and a rename of unsynced data can leave an empty
 * file after a crash. */
static int finish_file(struct table_writer *w, struct err *e)
{
	int rc = check_stream(w->fp, w->path, e);
	if (rc == 0 && fsync(fileno(w->fp)) < 0)
		rc = err_set(e, "%s: write error: %s", w->path,
			     strerror(errno));
	if (fclose(w->fp) != 0 && rc == 0)
		rc = err_set(e, "%s: write error: %s", w->path,
			     strerror(errno));
	w->fp = NULL;
	if (rc == 0 && rename(w->tmp, w->path) < 0)
		rc = err_set(e, "%s: %s", w->path, strerror(errno));
	if (rc < 0)
		unlink(w->tmp);
	return rc;
}

int table_writer_close(struct table_writer *w, struct err *e)
{
	if (!w->fp)
		return err_set(e, "table writer is not open");
	int rc;
	if (w->tmp) {
		rc = finish_file(w, e);
	} else if (w->path) { /* a device or FIFO, written in place */
		rc = check_stream(w->fp, w->path, e);
		if (fclose(w->fp) != 0 && rc == 0)
			rc = err_set(e, "%s: write error: %s", w->path,
				     strerror(errno));
	} else {
		rc = check_stream(w->fp, "<stdout>", e);
	}
	writer_clear(w);
	return rc;
}

void table_writer_abort(struct table_writer *w)
{
	if (w->fp && w->path)
		fclose(w->fp);
	if (w->tmp)
		unlink(w->tmp);
	/* stdout or a device cannot be taken back: what was written stays. */
	writer_clear(w);
}

int table_file_insert_meta(const char *path, const char *text, struct err *e)
{
	FILE *fp = fopen(path, "r");
	if (!fp)
		return err_set(e, "%s: %s", path, strerror(errno));
	char *buf = NULL;
	size_t cap = 0, len = 0;
	size_t at = SIZE_MAX, last_comment = 0; /* offsets of line starts */
	char *line = NULL;
	size_t lcap = 0;
	ssize_t n;
	int in_data = 0;
	while ((n = getline(&line, &lcap, fp)) > 0) {
		if (!in_data) {
			if (line[0] == '#')
				last_comment = len;
			else {
				in_data = 1;
				at = last_comment;
			}
		}
		if (len + (size_t)n > cap) {
			size_t ncap = 2 * (len + (size_t)n) + 1024;
			char *nb = realloc(buf, ncap);
			if (!nb) {
				free(buf);
				free(line);
				fclose(fp);
				return err_set(e, "out of memory");
			}
			buf = nb;
			cap = ncap;
		}
		memcpy(buf + len, line, (size_t)n);
		len += (size_t)n;
	}
	free(line);
	int rerr = ferror(fp);
	fclose(fp);
	if (rerr) {
		free(buf);
		return err_set(e, "%s: read error", path);
	}
	if (at == SIZE_MAX) /* no data yet: before the last comment line */
		at = last_comment;
	fp = fopen(path, "w");
	int bad = !fp;
	if (fp) {
		size_t tl = strlen(text);
		bad = (at && fwrite(buf, 1, at, fp) != at) ||
		      (tl && fwrite(text, 1, tl, fp) != tl) ||
		      (len > at && fwrite(buf + at, 1, len - at, fp) != len - at);
		bad |= check_stream(fp, path, e) != 0;
		bad |= fclose(fp) != 0;
	}
	free(buf);
	return bad ? err_set(e, "%s: cannot rewrite: %s", path, strerror(errno)) : 0;
}
