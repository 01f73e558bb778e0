/* checks.c: every check the demo makes prints one "CHECK PASS|FAIL" line,
 * and the final result is a pass only if none failed. */
#include "kernel.h"

static unsigned n_pass, n_fail;
static bool quiet;

void checks_set_quiet(bool q) { quiet = q; }

void check(bool ok, const char *fmt, ...)
{
	char line[240];
	va_list ap;
	va_start(ap, fmt);
	kvsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (!ok || !quiet)
		kprintf("CHECK %s: %s\n", ok ? "PASS" : "FAIL", line);
	if (ok)
		__atomic_fetch_add(&n_pass, 1, __ATOMIC_RELAXED);
	else
		__atomic_fetch_add(&n_fail, 1, __ATOMIC_RELAXED);
}

unsigned checks_failed(void) { return n_fail; }
unsigned checks_passed(void) { return n_pass; }

/* The same for modules (exported to them by ksyms.c). */
void demo_check(bool ok, const char *fmt, ...)
{
	char line[240];
	va_list ap;
	va_start(ap, fmt);
	kvsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	check(ok, "%s", line);
}
