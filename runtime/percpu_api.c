/* percpu_api.c: __alloc_percpu()/free_percpu() over one runtime instance.
 *
 * A kernel has one per-CPU window, so its alloc_percpu() needs no runtime
 * argument: the boot code hands the instance over once with
 * pcpu_api_set_runtime(), and the kernel glue's __alloc_percpu/free_percpu
 * call these.  Errors cannot travel through a pointer, so the last one is
 * kept for pcpu_api_last_error(), and bad frees are counted rather than
 * crashing the kernel (the runtime refused them, so nothing was harmed).
 */
#include "runtime_state.h"

static struct pcpu_runtime *api_rt;
static int api_last_error;
static unsigned long api_bad_frees;

void pcpu_api_set_runtime(struct pcpu_runtime *rt)
{
	api_rt = rt;
}

struct pcpu_runtime *pcpu_api_runtime(void)
{
	return api_rt;
}

void *pcpu_api_alloc(size_t size, size_t align)
{
	uintptr_t addr;
	int err;

	if (!api_rt) {
		api_last_error = PCPU_ERR_STATE;
		return NULL;
	}
	err = pcpu_dyn_alloc(api_rt, size, align, &addr);
	if (err) {
		api_last_error = err;
		return NULL;
	}
	return (void *)addr;
}

void pcpu_api_free(void *ptr)
{
	int err;

	if (!ptr)
		return;
	err = api_rt ? pcpu_dyn_free(api_rt, (uintptr_t)ptr) : PCPU_ERR_STATE;
	if (err) {
		api_last_error = err;
		api_bad_frees++;
	}
}

unsigned long pcpu_api_bad_frees(void)
{
	return api_bad_frees;
}

int pcpu_api_last_error(void)
{
	return api_last_error;
}
