/* Unit tests for common/table.c: the table format of DESIGN.md ("Tables").
 * Scratch files go to a fresh mkdtemp directory under /tmp, removed at the
 * end. Values written with precise=1 (%.17g) must come back bit for bit:
 * 17 significant digits identify every double (IEEE 754-2008, 5.12.2). */
#include "check.h"
#include "table.h"

#include <dirent.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* Parse a table held in memory, as if from a file called "mem". */
static int read_text(struct table *t, const char *text, struct err *e)
{
	FILE *fp = fmemopen((void *)text, strlen(text), "r");
	if (!fp)
		return err_set(e, "fmemopen failed");
	int rc = table_read_stream(t, fp, "mem", e);
	fclose(fp);
	return rc;
}

static int contains(const char *hay, const char *needle)
{
	return strstr(hay, needle) != NULL;
}

static size_t count_entries(const char *dir)
{
	size_t n = 0;
	DIR *d = opendir(dir);
	if (!d)
		return (size_t)-1;
	for (struct dirent *de; (de = readdir(d));)
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

static void remove_all(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	char path[4096];
	for (struct dirent *de; (de = readdir(d));) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		unlink(path);
	}
	closedir(d);
	rmdir(dir);
}

static int same_bits(double a, double b)
{
	return memcmp(&a, &b, sizeof a) == 0;
}

static void test_round_trip(const char *dir)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/rt.dat", dir);
	/* Values chosen to need all 17 digits, the extremes of the range,
	 * a subnormal and a signed zero. */
	const double vals[][3] = {
		{0.1, 1.0 / 3.0, -0.0},
		{6.02214076e23, 1.7976931348623157e308, 2.2250738585072014e-308},
		{4.9406564584124654e-324, -2.5e-300, 123456789.123456789},
	};
	const char *cols[] = {"z[sigma]", "T[eps/kB]", "rho_1[sigma^-3]"};
	char *argv[] = {"md-run", "-o", "a b.dat", "it's", "x;y", "plain=1,2"};
	struct table_writer w;
	struct err e = {""};
	setenv("SLURM_JOB_ID", "4242", 1);
	setenv("SOURCE_DATE_EPOCH", "1700000000", 1);
	int rc = table_writer_open(&w, path, &e);
	CHECK(rc == 0, "writer opens %s (%s)", path, e.msg);
	if (rc)
		return;
	CHECK(access(path, F_OK) != 0,
	      "target does not exist before close (temporary only)");
	table_writer_provenance(&w, "md-run", "0.1.0", 6, argv);
	table_writer_meta(&w, "state", "%d", 3);
	table_writer_meta(&w, "note", "two\nlines");
	table_writer_header(&w, 3, cols);
	for (int r = 0; r < 3; r++)
		table_writer_row(&w, vals[r], 1);
	rc = table_writer_close(&w, &e);
	CHECK(rc == 0, "writer closes (%s)", e.msg);
	CHECK(count_entries(dir) == 1, "only the target is left in the "
	      "directory (%zu entries)", count_entries(dir));
	unsetenv("SLURM_JOB_ID");
	unsetenv("SOURCE_DATE_EPOCH");

	struct table t;
	rc = table_read(&t, path, &e);
	CHECK(rc == 0, "written table reads back (%s)", e.msg);
	if (rc)
		return;
	CHECK(t.ncol == 3 && t.nrow == 3, "3x3 cells (got %zux%zu)", t.nrow,
	      t.ncol);
	CHECK(strcmp(t.source, path) == 0, "source is the path");
	int exact = 1;
	for (size_t r = 0; r < 3; r++)
		for (size_t c = 0; c < 3; c++)
			exact &= same_bits(table_get(&t, r, c), vals[r][c]);
	CHECK(exact, "precise rows round-trip bit for bit (incl. -0, "
	      "subnormal, DBL_MAX)");
	CHECK(t.line[0] == 10, "first row is line 10 after 9 comment lines "
	      "(got %ld)", t.line[0]);
	CHECK(strcmp(t.name[2], "rho_1") == 0 &&
	      strcmp(t.unit[2], "sigma^-3") == 0, "name[unit] split back");
	const char *m;
	CHECK((m = table_meta(&t, "tool")) && !strcmp(m, "md-run"),
	      "meta tool");
	CHECK((m = table_meta(&t, "version")) && !strcmp(m, "0.1.0"),
	      "meta version");
	m = table_meta(&t, "command");
	CHECK(m && !strcmp(m, "md-run -o 'a b.dat' 'it'\\''s' 'x;y' "
			      "plain=1,2"),
	      "command line shell-quoted (got %s)", m ? m : "NULL");
	m = table_meta(&t, "date");
	CHECK(m && !strcmp(m, "2023-11-14T22:13:20Z"),
	      "date is ISO-8601 UTC of SOURCE_DATE_EPOCH (got %s)",
	      m ? m : "NULL");
	CHECK(table_meta(&t, "host") != NULL, "meta host present");
	CHECK((m = table_meta(&t, "slurm_job_id")) && !strcmp(m, "4242"),
	      "meta slurm_job_id from the environment");
	CHECK((m = table_meta(&t, "state")) && !strcmp(m, "3"),
	      "meta from table_writer_meta");
	CHECK((m = table_meta(&t, "note")) && !strcmp(m, "two lines"),
	      "a newline in a meta value stays on one line");
	CHECK(table_numeric(&t, 0, 0, &e) == 0 &&
	      table_numeric(&t, 1, 0, &e) == 0 &&
	      table_numeric(&t, 2, 0, &e) == 0, "all columns numeric");
	table_free(&t);
	unlink(path);
}

static void test_short_format(const char *dir)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/short.dat", dir);
	struct table_writer w;
	struct err e = {""};
	const char *cols[] = {"a", "b"};
	const double row[] = {1.0 / 3.0, 1e-20};
	int rc = table_writer_open(&w, path, &e);
	CHECK(rc == 0, "writer opens (%s)", e.msg);
	if (rc)
		return;
	table_writer_header(&w, 2, cols);
	table_writer_row(&w, row, 0);
	CHECK(table_writer_close(&w, &e) == 0, "close (%s)", e.msg);
	FILE *fp = fopen(path, "r");
	char buf[256] = "";
	size_t n = fp ? fread(buf, 1, sizeof buf - 1, fp) : 0;
	buf[n] = '\0';
	if (fp)
		fclose(fp);
	CHECK(!strcmp(buf, "# a b\n0.3333333333 1e-20\n"),
	      "%%.10g cells, one space apart");
	struct stat st;
	/* umask is set to 022 in main: a new table is world readable like
	 * any other new file, not mkstemp's 0600. */
	CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0644,
	      "output mode is 0666 & ~umask (got %o)",
	      (unsigned)(st.st_mode & 0777));
	unlink(path);
}

static void test_overwrite(const char *dir)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/old.dat", dir);
	FILE *fp = fopen(path, "w");
	if (fp) {
		fputs("old contents\n", fp);
		fclose(fp);
	}
	struct table_writer w;
	struct err e = {""};
	const char *cols[] = {"x"};
	const double v = 7;
	CHECK(table_writer_open(&w, path, &e) == 0, "open over old file");
	table_writer_header(&w, 1, cols);
	table_writer_row(&w, &v, 0);
	CHECK(table_writer_close(&w, &e) == 0, "close replaces old file");
	struct table t;
	CHECK(table_read(&t, path, &e) == 0 && t.nrow == 1 &&
	      table_get(&t, 0, 0) == 7.0, "new contents in place");
	table_free(&t);
	unlink(path);
}

static void test_abort(const char *dir)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/aborted.dat", dir);
	struct table_writer w;
	struct err e = {""};
	const char *cols[] = {"x"};
	const double v = 1;
	CHECK(table_writer_open(&w, path, &e) == 0, "open for abort");
	table_writer_header(&w, 1, cols);
	table_writer_row(&w, &v, 0);
	CHECK(count_entries(dir) == 1, "temporary exists while writing");
	table_writer_abort(&w);
	CHECK(count_entries(dir) == 0, "abort leaves no file at all");
	CHECK(w.fp == NULL && w.tmp == NULL, "aborted writer is cleared");
	CHECK(table_writer_close(&w, &e) < 0 && contains(e.msg, "not open"),
	      "close after abort is an error (%s)", e.msg);
}

static void test_bad_dir(const char *dir)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/no/such/dir/out.dat", dir);
	struct table_writer w;
	struct err e = {""};
	CHECK(table_writer_open(&w, path, &e) < 0,
	      "writer into a missing directory fails");
	CHECK(contains(e.msg, path), "message names the path (%s)", e.msg);
	CHECK(w.fp == NULL && w.path == NULL && w.tmp == NULL,
	      "failed writer holds nothing");
	struct table t;
	CHECK(table_read(&t, path, &e) < 0 && contains(e.msg, path) &&
	      contains(e.msg, "No such file"),
	      "reading a missing file names it (%s)", e.msg);
}

/* `-o /dev/stdout` or a FIFO: written in place, never replaced by a
 * renamed regular file. A child reads the FIFO and reports the bytes. */
static void test_fifo(const char *dir)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/fifo", dir);
	if (mkfifo(path, 0600) < 0) {
		CHECK(0, "mkfifo %s", path);
		return;
	}
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		FILE *fp = fopen(path, "r");
		char buf[64];
		size_t n = fp ? fread(buf, 1, sizeof buf, fp) : 0;
		_exit(n == 6 && !memcmp(buf, "# x\n1\n", 6) ? 0 : 1);
	}
	struct table_writer w;
	struct err e = {""};
	const char *cols[] = {"x"};
	const double v = 1;
	int rc = table_writer_open(&w, path, &e);
	CHECK(rc == 0 && w.tmp == NULL, "FIFO opened directly (%s)", e.msg);
	if (rc == 0) {
		table_writer_header(&w, 1, cols);
		table_writer_row(&w, &v, 0);
		CHECK(table_writer_close(&w, &e) == 0, "FIFO close (%s)", e.msg);
	} else if (pid > 0) {
		kill(pid, SIGKILL); /* it would wait for a writer forever */
	}
	int status = 0;
	CHECK(pid > 0 && waitpid(pid, &status, 0) == pid &&
	      WIFEXITED(status) && WEXITSTATUS(status) == 0,
	      "reader got the table through the FIFO");
	struct stat st;
	CHECK(stat(path, &st) == 0 && S_ISFIFO(st.st_mode) &&
	      count_entries(dir) == 1, "FIFO still a FIFO, no temporary");
	unlink(path);
}

/* Writing to stdout when stdout is /dev/full: the close must say so. Run
 * in a child so that this program's own stdout (the TAP lines) survives. */
static void test_full_disk(void)
{
	if (access("/dev/full", W_OK) != 0) {
		CHECK(1, "# skip: no /dev/full");
		return;
	}
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		if (!freopen("/dev/full", "w", stdout))
			_exit(3);
		struct table_writer w;
		struct err e = {""};
		const char *cols[] = {"x"};
		const double v = 1;
		if (table_writer_open(&w, "-", &e) < 0)
			_exit(4);
		table_writer_header(&w, 1, cols);
		table_writer_row(&w, &v, 0);
		int rc = table_writer_close(&w, &e);
		_exit(rc < 0 && contains(e.msg, "<stdout>: write error") ? 0
									 : 1);
	}
	int status = 0;
	CHECK(pid > 0 && waitpid(pid, &status, 0) == pid &&
	      WIFEXITED(status) && WEXITSTATUS(status) == 0,
	      "full stdout is reported by table_writer_close (status %d)",
	      status);
}

static void test_units_and_columns(void)
{
	struct table t;
	struct err e = {""};
	int rc = read_text(&t,
			   "# z[sigma] T[eps/kB] rho_1[sigma^-3] D[A^2/fs] n "
			   "e[]\n1 2 3 4 5 6\n", &e);
	CHECK(rc == 0, "units header parses (%s)", e.msg);
	if (rc)
		return;
	const char *name[] = {"z", "T", "rho_1", "D", "n", "e"};
	const char *unit[] = {"sigma", "eps/kB", "sigma^-3", "A^2/fs", "", ""};
	int ok = t.ncol == 6;
	for (size_t c = 0; ok && c < 6; c++)
		ok = !strcmp(t.name[c], name[c]) && !strcmp(t.unit[c], unit[c]);
	CHECK(ok, "names and units split at the brackets");
	CHECK(table_column(&t, "rho_1", &e) == 2, "column lookup by name");
	CHECK(table_column(&t, "rho_1[sigma^-3]", &e) < 0,
	      "lookup is by name without the unit");
	CHECK(table_column(&t, "temp", &e) < 0, "missing column is -1");
	CHECK(!strcmp(e.msg, "mem: no column 'temp' (columns: z T rho_1 D n "
			     "e)"), "message lists the columns (%s)", e.msg);
	table_free(&t);

	const char *bad[] = {"# a[b\n1\n", "# [K]\n1\n", "# a[K]x\n1\n",
			     "# a]b\n1\n", "# a[x]y]\n1\n"};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		rc = read_text(&t, bad[i], &e);
		CHECK(rc < 0 && contains(e.msg, "mem:1: bad column name"),
		      "malformed header token %zu rejected (%s)", i, e.msg);
	}
}

static void test_metadata(void)
{
	struct table t;
	struct err e = {""};
	const char *text =
		"# tool: mbar\n"
		"#version:   0.1.0  \n"
		"# free text, not a key\n"
		"# key:value without space is no meta\n"
		"\n"
		"# state: 1\n"
		"# state: 2\n"
		"# empty:\n"
		"# method dG[kT] err[kT]\n"
		"MBAR 1.5 0.1\n"
		"# late: comment ignored\n"
		"BAR 1.4 0.2\n";
	int rc = read_text(&t, text, &e);
	CHECK(rc == 0, "meta table parses (%s)", e.msg);
	if (rc)
		return;
	const char *m;
	CHECK((m = table_meta(&t, "tool")) && !strcmp(m, "mbar"), "tool");
	CHECK((m = table_meta(&t, "version")) && !strcmp(m, "0.1.0"),
	      "'#key:' without a space after '#' counts, value trimmed");
	CHECK((m = table_meta(&t, "state")) && !strcmp(m, "2"),
	      "last one wins");
	CHECK((m = table_meta(&t, "empty")) && !strcmp(m, ""), "empty value");
	CHECK(table_meta(&t, "key") == NULL, "'key:value' is not meta");
	CHECK(table_meta(&t, "late") == NULL, "comments after data ignored");
	CHECK(table_meta(&t, "method") == NULL, "header is not meta");
	CHECK(t.nmeta == 5, "5 meta lines (got %zu)", t.nmeta);
	CHECK(t.nrow == 2 && t.line[1] == 12, "rows keep their line numbers "
	      "(got %ld)", t.nrow == 2 ? t.line[1] : -1L);
	CHECK(!strcmp(table_cell(&t, 1, 0), "BAR") &&
	      isnan(table_get(&t, 1, 0)), "text cell kept, value NaN");
	CHECK(table_numeric(&t, 0, 1, &e) < 0 &&
	      !strcmp(e.msg, "mem:10: column 'method': 'MBAR' is not a "
			     "number"),
	      "text column fails table_numeric even with allow_nan (%s)",
	      e.msg);
	CHECK(table_numeric(&t, 1, 0, &e) == 0, "numeric column passes");
	CHECK(table_numeric(&t, 3, 0, &e) < 0, "column index out of range");
	table_free(&t);
}

static void test_errors(void)
{
	struct table t;
	struct err e = {""};
	int rc = read_text(&t, "# a b c d\n1 2 3 4\n\n1 2 3\n", &e);
	CHECK(rc < 0 && !strcmp(e.msg, "mem:4: 3 columns, header has 4"),
	      "ragged row names its line (%s)", e.msg);
	CHECK(t.text == NULL && t.ncol == 0 && t.source == NULL,
	      "failed read leaves an empty table");
	table_free(&t); /* must be harmless after a failed read */

	rc = read_text(&t, "# a\n1\n2 3\n", &e);
	CHECK(rc < 0 && !strcmp(e.msg, "mem:3: 2 columns, header has 1"),
	      "too many cells (%s)", e.msg);
	rc = read_text(&t, "\n1 2\n", &e);
	CHECK(rc < 0 && contains(e.msg, "mem:2: data before any header"),
	      "data without header (%s)", e.msg);
	rc = read_text(&t, "#\n1 2\n", &e);
	CHECK(rc < 0 && contains(e.msg, "mem:1: header line names no"),
	      "empty header line (%s)", e.msg);
	const char nul[] = "# a\n1\0\n";
	FILE *fp = fmemopen((void *)nul, sizeof nul - 1, "r");
	rc = fp ? table_read_stream(&t, fp, "mem", &e) : -1;
	if (fp)
		fclose(fp);
	CHECK(rc < 0 && contains(e.msg, "mem:2: NUL byte"),
	      "NUL byte rejected (%s)", e.msg);
}

static void test_numbers(void)
{
	struct table t;
	struct err e = {""};
	const char *text = "# x y w\n"
			   "1 nan 1\n"
			   "2 NaN 1e999\n"
			   "3 -nan inf\n"
			   "0x10 4 -Infinity\n"
			   "1.5e-3 5 1.0x\n";
	int rc = read_text(&t, text, &e);
	CHECK(rc == 0, "number table parses (%s)", e.msg);
	if (rc)
		return;
	CHECK_CLOSE(table_get(&t, 3, 0), 16.0, 0, 0, "hex float cell");
	CHECK_CLOSE(table_get(&t, 4, 0), 1.5e-3, 0, 0, "exponent cell");
	CHECK(isnan(table_get(&t, 0, 1)) && isnan(table_get(&t, 2, 1)),
	      "nan cells are NaN");
	CHECK(isnan(table_get(&t, 1, 2)), "overflow 1e999 is NaN, not inf");
	CHECK(table_numeric(&t, 0, 0, &e) == 0, "x is numeric");
	CHECK(table_numeric(&t, 1, 0, &e) < 0 &&
	      !strcmp(e.msg, "mem:2: column 'y': 'nan' is not a finite "
			     "number"), "NaN refused without allow_nan (%s)",
	      e.msg);
	CHECK(table_numeric(&t, 1, 1, &e) == 0, "NaN/-nan accepted with "
	      "allow_nan (%s)", e.msg);
	CHECK(table_numeric(&t, 2, 1, &e) < 0 &&
	      !strcmp(e.msg, "mem:3: column 'w': '1e999' is not a finite "
			     "number"), "inf refused even with allow_nan (%s)",
	      e.msg);
	table_free(&t);

	rc = read_text(&t, "# w\n1\ninf\n", &e);
	CHECK(rc == 0 && table_numeric(&t, 0, 1, &e) < 0 &&
	      !strcmp(e.msg, "mem:3: column 'w': 'inf' is not a finite "
			     "number"), "'inf' refused (%s)", e.msg);
	table_free(&t);
	rc = read_text(&t, "# w\n1\n1.0x\n", &e);
	CHECK(rc == 0 && table_numeric(&t, 0, 1, &e) < 0 &&
	      !strcmp(e.msg, "mem:3: column 'w': '1.0x' is not a number"),
	      "trailing junk is text (%s)", e.msg);
	table_free(&t);
}

/* Two tables joined by `cat a b`: the second's provenance is a note, its
 * header must be the first's (rows under another one would be misread). */
static void test_concatenated(void)
{
	struct table t;
	struct err e = {""};
	const char *same = "# tool: a\n# t[fs] T[K]\n1 2\n"
			   "# tool: b\n# t[fs]\tT[K]\n3 4\n";
	int rc = read_text(&t, same, &e);
	CHECK(rc == 0 && t.nrow == 2 && table_get(&t, 1, 1) == 4.0 &&
	      t.nmeta == 1, "same header repeated: rows joined (%s)", e.msg);
	if (rc == 0)
		table_free(&t);
	rc = read_text(&t, "# t[fs] T[K]\n1 2\n# tool: b\n# T[K] t[fs]\n3 4\n", &e);
	CHECK(rc < 0 && !strcmp(e.msg, "mem:4: column header differs from line "
				"1's (two tables joined?)"),
	      "columns swapped in the second table refused (%s)", e.msg);
	rc = read_text(&t, "# t[fs] T[K]\n1 2\n# t[tau] T[K]\n3 4\n", &e);
	CHECK(rc < 0 && contains(e.msg, "mem:3: column header differs"),
	      "other units in the second table refused (%s)", e.msg);
	rc = read_text(&t, "# method dG[kT]\nMBAR 1\n# method changed\n"
		       "# late: x\nBAR 2\n", &e);
	CHECK(rc == 0 && t.nrow == 2, "notes between rows are no header (%s)",
	      e.msg);
	if (rc == 0)
		table_free(&t);
}

static void test_crlf_and_layout(void)
{
	struct table t;
	struct err e = {""};
	int rc = read_text(&t, "# tool: x\r\n# a[K] b\r\n 1\t 2 \r\n3 4", &e);
	CHECK(rc == 0, "CRLF, tabs, no final newline (%s)", e.msg);
	if (rc)
		return;
	CHECK(!strcmp(table_meta(&t, "tool"), "x"), "meta without \\r");
	CHECK(!strcmp(t.unit[0], "K") && !strcmp(t.name[1], "b"),
	      "header without \\r");
	CHECK(t.nrow == 2 && table_get(&t, 0, 1) == 2.0 &&
	      table_get(&t, 1, 1) == 4.0 && !strcmp(table_cell(&t, 0, 1), "2"),
	      "cells without \\r or blanks");
	table_free(&t);

	rc = read_text(&t, "# tool: x\n# a b\n", &e);
	CHECK(rc == 0 && t.nrow == 0 && t.ncol == 2 && t.nmeta == 1,
	      "header without rows is an empty table (%s)", e.msg);
	table_free(&t);
	rc = read_text(&t, "", &e);
	CHECK(rc == 0 && t.nrow == 0 && t.ncol == 0, "empty input");
	CHECK(table_column(&t, "a", &e) < 0 && contains(e.msg, "no header"),
	      "lookup in an empty input (%s)", e.msg);
	table_free(&t);

	FILE *fp = fmemopen((void *)"# a\n1\n", 6, "r");
	rc = fp ? table_read_stream(&t, fp, NULL, &e) : -1;
	if (fp)
		fclose(fp);
	CHECK(rc == 0 && !strcmp(t.source, "<stdin>"),
	      "NULL source reads as <stdin>");
	table_free(&t);
}

/* No fixed line buffer: one row of 20000 cells, over 100 kB. */
static void test_long_line(void)
{
	enum { N = 20000 };
	size_t cap = (size_t)N * 16 + 64;
	char *text = malloc(cap);
	if (!text) {
		CHECK(0, "malloc");
		return;
	}
	size_t n = 0;
	n += (size_t)snprintf(text + n, cap - n, "#");
	for (int i = 0; i < N; i++)
		n += (size_t)snprintf(text + n, cap - n, " c%d", i);
	n += (size_t)snprintf(text + n, cap - n, "\n");
	for (int i = 0; i < N; i++)
		n += (size_t)snprintf(text + n, cap - n, "%d ", i);
	snprintf(text + n, cap - n, "\n");
	struct table t;
	struct err e = {""};
	int rc = read_text(&t, text, &e);
	CHECK(rc == 0 && t.ncol == N && t.nrow == 1 &&
	      table_get(&t, 0, N - 1) == N - 1 &&
	      table_column(&t, "c19999", &e) == N - 1,
	      "%d-column row of %zu bytes (%s)", N, n, rc ? e.msg : "");
	table_free(&t);
	free(text);
}

int main(void)
{
	char dir[] = "/tmp/test_table.XXXXXX";
	if (!mkdtemp(dir)) {
		CHECK(0, "mkdtemp");
		return check_done();
	}
	umask(022);
	test_round_trip(dir);
	test_short_format(dir);
	test_overwrite(dir);
	test_abort(dir);
	test_bad_dir(dir);
	test_fifo(dir);
	test_full_disk();
	test_units_and_columns();
	test_metadata();
	test_errors();
	test_numbers();
	test_crlf_and_layout();
	test_concatenated();
	test_long_line();
	CHECK(count_entries(dir) == 0, "no scratch file left behind");
	remove_all(dir);
	return check_done();
}
