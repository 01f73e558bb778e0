/* stride_mod.c: a module built for another per-CPU stride (twice the
 * kernel's): the plugin is run with shift=PERCPU_SHIFT+1 (see
 * examples/Makefile.inc), so its .note.percpu records that shift and the
 * loader must refuse it.  It cannot include percpu.h, whose offset table
 * declaration carries the kernel's shift; it marks its variable itself. */
#include <percpu-vm/config.h>

#include "module.h"

#if defined(__has_attribute)
#if __has_attribute(percpu)
#define SM_PERCPU __attribute__((percpu))
#endif
#endif
#ifndef SM_PERCPU
#error "stride_mod.c is built with the percpu plugin"
#endif

__attribute__((section(".data.percpu"))) SM_PERCPU unsigned long sm_value = 42;

struct demo_module demo_module = {
	.name = "stride_mod",
};
