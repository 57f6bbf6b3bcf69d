/* table: the whitespace tables of DESIGN.md.
 *
 *   # tool: md-run            <- provenance block: "# key: value" comments
 *   # version: 0.1.0
 *   # step time[fs] temp[K]   <- last comment line before data: column names[units]
 *   0 0 300.0
 *
 * Reading: `-` or NULL means stdin. Every cell is kept as text and, when it
 * parses as a finite number (strtod, end pointer checked), as a double.
 * Rows with a different number of cells than the header are rejected with
 * their line number. Text cells are allowed at read time (method names,
 * system names); a tool asks for a numeric column with table_numeric(), which
 * names the first offending line.
 *
 * Writing: rows go to a temporary file beside the target, renamed into place
 * by table_writer_close() after the stream is checked and synced; `-` or
 * NULL is stdout, a device or FIFO is written in place. Other text outputs
 * that must appear whole or not at all (LAMMPS data files: lmp_data_write,
 * molbuild_write) write their own text to the writer's fp the same way. */
#ifndef SK_TABLE_H
#define SK_TABLE_H

#include <stddef.h>
#include <stdio.h>

#include "err.h"

struct table {
	char *source;        /* file name for messages ("<stdin>" for stdin) */
	size_t ncol, nrow;
	char **name;         /* [ncol] column names, without the unit */
	char **unit;         /* [ncol] unit inside [...], "" when none */
	char **text;         /* [nrow*ncol] cell strings, row-major */
	double *num;         /* [nrow*ncol] cell values; NAN where text */
	long *line;          /* [nrow] 1-based source line of each row */
	size_t nmeta;
	char **meta_key, **meta_val; /* "# key: value" lines, in order */
};

/* Read a whole table; 0 on success. Errors: "file:line: what". */
int table_read(struct table *t, const char *path, struct err *e);
int table_read_stream(struct table *t, FILE *fp, const char *source,
		      struct err *e);
void table_free(struct table *t);

/* Index of the column called name, or -1 with "file: no column 'name'". */
int table_column(const struct table *t, const char *name, struct err *e);
/* Check that every cell of column col is a finite number (or NaN when
 * allow_nan); -1 with "file:line: column 'x': 'abc' is not a number". */
int table_numeric(const struct table *t, size_t col, int allow_nan,
		  struct err *e);
/* Value of a "# key: value" line, or NULL. Last one wins. */
const char *table_meta(const struct table *t, const char *key);
static inline double table_get(const struct table *t, size_t row, size_t col)
{
	return t->num[row * t->ncol + col];
}
static inline const char *table_cell(const struct table *t, size_t row,
				     size_t col)
{
	return t->text[row * t->ncol + col];
}

struct table_writer {
	FILE *fp;
	char *path;    /* final name, NULL for stdout */
	char *tmp;     /* temporary name, NULL for stdout */
	size_t ncol;   /* set by table_writer_header */
};

/* Open for writing; path NULL or "-" is stdout. */
int table_writer_open(struct table_writer *w, const char *path, struct err *e);
/* "# key: value" */
void table_writer_meta(struct table_writer *w, const char *key,
		       const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Standard provenance: tool, version, command line (quoted), date, host,
 * and SLURM_JOB_ID when set. */
void table_writer_provenance(struct table_writer *w, const char *tool,
			     const char *version, int argc, char **argv);
/* Header line; each entry is "name" or "name[unit]". */
void table_writer_header(struct table_writer *w, size_t ncol,
			 const char *const *cols);
/* One numeric row, %.10g (full precision %.17g when precise != 0). */
void table_writer_row(struct table_writer *w, const double *vals, int precise);
/* Flush, check the stream, close, rename the temporary into place.
 * On any error the temporary is removed. */
int table_writer_close(struct table_writer *w, struct err *e);
/* Abandon: close and remove the temporary, leave no output. */
void table_writer_abort(struct table_writer *w);

/* Insert comment lines (text, each ending in a newline) into the
 * provenance block of the closed table file at path: just before its
 * column header (the last comment line before the first data row), for
 * facts known only when a run ends (wall time). The file is rewritten in
 * place; tables are small. */
int table_file_insert_meta(const char *path, const char *text, struct err *e);

#endif
