/* percpu-vm/classic.h: the classic (non-VM) per-CPU scheme's setup.
 *
 * Used when percpu.h runs in classic mode (CONFIG_HAS_VM_PERCPU or
 * __ARCH_HAS_VM_PERCPU missing), as in the 2006 kernels: every CPU gets an
 * ordinary memory area holding a copy of the per-CPU section (template =
 * the section as linked into the image, __per_cpu_start..__per_cpu_end)
 * followed by a fixed reserve of PERCPU_CLASSIC_RESERVE bytes from which
 * __alloc_percpu() hands out dynamic per-CPU memory.  CPU n's copy of
 * anything is at its template address + __per_cpu_offset[n].
 *
 * The reserve is fixed, as the 2006 module slack was: what does not fit
 * fails (NULL), which is the scheme's known weakness the VM mode removes.
 */
#ifndef PERCPU_VM_CLASSIC_H
#define PERCPU_VM_CLASSIC_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef PERCPU_CLASSIC_RESERVE
# define PERCPU_CLASSIC_RESERVE 8192u  /* bytes of dynamic room per CPU */
#endif
/* Most live dynamic allocations the reserve keeps track of at once. */
#define PERCPU_CLASSIC_MAX_ALLOCS 64u
/* Each CPU's area must be aligned to this (the section's own alignment is
 * at most a page; the linker scripts assert it). */
#define PERCPU_CLASSIC_AREA_ALIGN 4096u

/* Bytes one CPU's area needs: the per-CPU section, rounded up to 64 bytes,
 * plus the reserve. */
size_t pcpu_classic_area_size(void);

/* Start classic mode for CPUs 0..nr_cpus-1: areas[n] (pcpu_classic_area_size()
 * bytes, PERCPU_CLASSIC_AREA_ALIGN aligned) gets the template copied in and
 * the rest zeroed, and __per_cpu_offset[n] = areas[n] - __per_cpu_start.
 * Entries of __per_cpu_offset past nr_cpus are left alone.  Returns 0, or
 * PCPU_ERR_INVAL (NULL or misaligned area, nr_cpus 0 or > NR_CPUS) /
 * PCPU_ERR_STATE (called twice) from enum pcpu_error, changing nothing. */
int pcpu_classic_setup(void *const areas[], unsigned nr_cpus);

/* The reserve's allocator (what __alloc_percpu/free_percpu use in classic
 * mode).  Zeroes every CPU's copy.  NULL on error (see
 * pcpu_classic_last_error()). */
void *pcpu_classic_alloc(size_t size, size_t align);
/* 0, or PCPU_ERR_NOTALLOC / PCPU_ERR_DOUBLEFREE for a pointer that is not
 * a live allocation (nothing changes). free of NULL is 0 and does nothing. */
int pcpu_classic_free(void *ptr);
int pcpu_classic_last_error(void);

#ifdef __cplusplus
}
#endif

#endif /* PERCPU_VM_CLASSIC_H */
