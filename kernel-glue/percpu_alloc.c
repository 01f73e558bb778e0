/* __alloc_percpu() and free_percpu(), the dynamic per-CPU API of percpu.h,
 * for the mode this file is compiled in (it must be the kernel's mode).
 *
 * VM mode: an area in the window from the runtime instance the kernel gave
 * to pcpu_api_set_runtime() at boot; every CPU's copy is mapped on demand.
 * Classic mode: a slice of the fixed reserve in every CPU's area. */
#include <percpu-vm/percpu.h>
#include <percpu-vm/classic.h>
#include <percpu-vm/runtime.h>

void *__alloc_percpu(size_t size, size_t align)
{
#if PERCPU_VM_MODE
	return pcpu_api_alloc(size, align);
#else
	return pcpu_classic_alloc(size, align);
#endif
}

void free_percpu(void *ptr)
{
#if PERCPU_VM_MODE
	pcpu_api_free(ptr);
#else
	/* Like kfree(): a bad pointer is a caller bug with nothing useful to
	 * return; pcpu_classic_last_error() records it for tests. */
	(void)pcpu_classic_free(ptr);
#endif
}
