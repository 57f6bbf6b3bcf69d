#include "err.h"

#include <stdio.h>
#include <string.h>

int err_vset(struct err *e, const char *fmt, va_list ap)
{
	if (e)
		vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	return -1;
}

int err_set(struct err *e, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	err_vset(e, fmt, ap);
	va_end(ap);
	return -1;
}

int err_prefix(struct err *e, const char *fmt, ...)
{
	char pre[256], old[sizeof e->msg];
	va_list ap;
	if (!e)
		return -1;
	va_start(ap, fmt);
	vsnprintf(pre, sizeof pre, fmt, ap);
	va_end(ap);
	memcpy(old, e->msg, sizeof old);
	old[sizeof old - 1] = '\0';
	/* "pre: old", truncated to the buffer (truncation is acceptable for
	 * a message) */
	size_t np = strlen(pre), no = strlen(old), cap = sizeof e->msg - 1;
	size_t k = 0;
	for (size_t i = 0; i < np && k < cap; i++)
		e->msg[k++] = pre[i];
	for (const char *s = ": "; *s && k < cap; s++)
		e->msg[k++] = *s;
	for (size_t i = 0; i < no && k < cap; i++)
		e->msg[k++] = old[i];
	e->msg[k] = '\0';
	return -1;
}
