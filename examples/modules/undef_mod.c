/* undef_mod.c: a module that calls a function the kernel does not export.
 * The loader must refuse it, naming the symbol, and give back the pages
 * and the per-CPU area it had already set up for it. */
#include <percpu-vm/percpu.h>

#include "module.h"

DEFINE_PER_CPU(unsigned long, um_value) = 7;

void demo_not_exported(void);

static int um_init(void)
{
	demo_not_exported();
	return 0;
}

struct demo_module demo_module = {
	.name = "undef_mod",
	.init = um_init,
};
