/* big_mod.c: a module whose per-CPU data (two arrays of 6/10 of the stride
 * each) cannot fit in what is left of the stride.  The loader must refuse
 * it with a clear message and leave nothing allocated or mapped.  The big
 * arrays are zero-initialised (.bss.percpu takes no room in the file: with
 * a 256 MiB stride an initialised one would be a 150 MiB module, more than
 * the demo machine's RAM); a small initialised variable keeps a template. */
#include <percpu-vm/percpu.h>

#include "module.h"

#define BM_SIZE (PERCPU_STRIDE / 10 * 6)

DEFINE_PER_CPU(unsigned char[BM_SIZE], bm_first);
DEFINE_PER_CPU(unsigned char[BM_SIZE], bm_second);
DEFINE_PER_CPU(int, bm_flag) = 1;

static void bm_run(void *arg)
{
	(void)arg;
	this_cpu_ptr(&bm_first)[0][0] = 1;
	this_cpu_ptr(&bm_second)[0][0] = 2;
	this_cpu_inc(bm_flag);
}

struct demo_module demo_module = {
	.name = "big_mod",
	.run_on_cpu = bm_run,
};
