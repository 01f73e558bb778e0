/* big_mod.c: a module whose per-CPU data passes module.lds's check (at most
 * the stride less its 4 KiB guard page: .data.percpu + .bss.percpu is
 * exactly that) but cannot fit beside the kernel's static area.  Its big
 * array is page aligned, so its area is too: it would start at the first
 * page after the static area (offset 4096) and, with the padding after
 * .data.percpu, end past the stride.  The loader must refuse it with the
 * runtime's message and leave nothing allocated or mapped.  The array is
 * zero-initialised (.bss.percpu takes no room in the file: with a 256 MiB
 * stride an initialised one would be a 256 MiB module, more than the demo
 * machine's RAM); a small initialised variable keeps a template. */
#include <percpu-vm/percpu.h>

#include "module.h"

#define BM_FLAG_SIZE 4
#define BM_SIZE (PERCPU_STRIDE - 4096 - BM_FLAG_SIZE)

/* The variable is page aligned, not its type (whose size would then be
 * rounded up to whole pages). */
DEFINE_PER_CPU(unsigned char[BM_SIZE], bm_block) __attribute__((aligned(4096)));
DEFINE_PER_CPU(int, bm_flag) = 1;
_Static_assert(sizeof(int) == BM_FLAG_SIZE, "bm_flag is all of .data.percpu");

static void bm_run(void *arg)
{
	(void)arg;
	this_cpu_ptr(&bm_block)[0][0] = 1;
	this_cpu_inc(bm_flag);
}

struct demo_module demo_module = {
	.name = "big_mod",
	.run_on_cpu = bm_run,
};
