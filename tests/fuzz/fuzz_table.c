/* libFuzzer target for common/table.c: any bytes go through the reader and
 * every column through table_numeric(); ASan/UBSan/LeakSanitizer report
 * what goes wrong. Build and run with `make -C tests/fuzz run-table`. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "table.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* fmemopen() of zero bytes is refused by older C libraries. */
	if (size == 0)
		return 0;
	FILE *fp = fmemopen((void *)data, size, "r");
	if (!fp)
		return 0;
	struct table t;
	struct err e;
	if (table_read_stream(&t, fp, "fuzz", &e) == 0) {
		for (size_t c = 0; c < t.ncol; c++) {
			table_numeric(&t, c, 0, &e);
			table_numeric(&t, c, 1, &e);
		}
		if (t.ncol > 0)
			table_column(&t, t.name[t.ncol - 1], &e);
		table_column(&t, "no-such-column", &e);
		table_meta(&t, "tool");
	}
	table_free(&t);
	fclose(fp);
	return 0;
}
