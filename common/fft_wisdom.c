/* fft_wisdom: FFTW wisdom to and from text (see fft_wisdom.h). */
#include "fft_wisdom.h"

#include <fftw3.h>
#include <stdlib.h>

int fft_wisdom_import(const char *text, const char *what, struct err *e)
{
	if (!fftw_import_wisdom_from_string(text))
		return err_set(e, "%s: FFTW cannot read its wisdom (written by "
			       "another FFTW version or build?)", what);
	return 0;
}

char *fft_wisdom_export(struct err *e)
{
	/* FFTW allocates the string with malloc (its manual: free it). */
	char *s = fftw_export_wisdom_to_string();
	if (!s)
		err_set(e, "out of memory (FFTW wisdom)");
	return s;
}
