/* percpu-vm/runtime.h: the per-CPU window runtime.
 *
 * Freestanding C (only <stddef.h>, <stdint.h>, <stdbool.h> and the
 * freestanding percpu-vm/contract.h, whose guard page and shift range the
 * runtime shares with the other parts): the same source
 * is compiled -ffreestanding -nostdlib -m32 into a kernel and, with the
 * hosted arch backend (runtime/arch/hosted/), into user-space tests.
 *
 * The window: CPU n's copy of per-CPU byte `off` lives at
 *     base + (n << shift) + off,        0 <= off < (1 << shift) - PCPU_GUARD_SIZE.
 * The last page of every CPU's stride is a guard that is never handed out
 * nor mapped, so an overflow off the end of CPU n's part faults instead of
 * landing in CPU n+1's copy.
 * The runtime hands out offsets inside the stride (allocator.c), keeps every
 * page offset that some live allocation covers mapped on every online CPU and
 * nothing else (populate.c), and serves three clients: the kernel's static
 * area (offset 0, first), module areas and dynamic alloc_percpu areas.
 *
 * All state lives in a struct pcpu_runtime the caller owns, with bookkeeping
 * memory the caller provides (pcpu_runtime_meta_size() tells how much), so no
 * part of the runtime needs a heap.  Every entry point takes the lock hook.
 *
 * Errors: every function returning int returns 0 or a positive enum
 * pcpu_error code; a call that fails changes nothing (allocator state,
 * mappings, page ownership).  A NULL runtime is PCPU_ERR_INVAL there, and
 * a documented "none" value (0, false) from the few that return a value.
 *
 * The offset allocator underneath is usable on its own: allocator.h.
 * docs/runtime.md describes the whole contract.
 */
#ifndef PERCPU_VM_RUNTIME_H
#define PERCPU_VM_RUNTIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <percpu-vm/contract.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PCPU_PAGE_SHIFT 12u
#define PCPU_PAGE_SIZE  (1u << PCPU_PAGE_SHIFT)
#define PCPU_MAX_CPUS   4096u

/* The guard at the end of every CPU's stride: its last page, never handed
 * out and never mapped.  Areas (static, module, dynamic) all lie in
 * [0, stride - PCPU_GUARD_SIZE) of the stride, so a write one byte past the
 * usable part of CPU n's copy faults rather than changing CPU n+1's data.
 * percpu.lds asserts the same of the kernel's static area.  The size is
 * contract.h's, shared with the plugin, percpu-layout and the scripts. */
#define PCPU_GUARD_SIZE PERCPU_GUARD_SIZE
/* The strides the runtime takes, contract.h's range, the one every part
 * accepts: the smallest two pages, one usable and the guard (a one-page
 * stride would be all guard); the largest 2 GiB, the most a 32-bit window
 * holds. */
#define PCPU_MIN_SHIFT  ((unsigned)PERCPU_SHIFT_MIN)
#define PCPU_MAX_SHIFT  ((unsigned)PERCPU_SHIFT_MAX)

enum pcpu_error {
	PCPU_OK = 0,
	PCPU_ERR_INVAL = 1,      /* bad argument: NULL, zero size, shift out of range */
	PCPU_ERR_ALIGN = 2,      /* alignment not a power of two, or above a page */
	PCPU_ERR_NOSPACE = 3,    /* request bigger than the room left in the stride */
	PCPU_ERR_NOTALLOC = 4,   /* free of an offset that was never allocated */
	PCPU_ERR_DOUBLEFREE = 5, /* free of an offset already freed */
	PCPU_ERR_NOMEM = 6,      /* a data page or page-table page could not be had */
	PCPU_ERR_NOMETA = 7,     /* the allocator's bookkeeping is full */
	PCPU_ERR_CPU = 8,        /* CPU number out of range, or wrong online state */
	PCPU_ERR_STATE = 9,      /* call out of order (e.g. static area not first) */
	PCPU_ERR_STRIDE = 10,    /* object built for another per-CPU stride */
	PCPU_ERR_MAPPED = 11,    /* arch: address already mapped */
	PCPU_ERR_NOTMAPPED = 12, /* arch: address not mapped */
	PCPU_ERR_KIND = 13,      /* area is of another kind (module vs dynamic vs static) */
};
#define PCPU_ERR_MAX 13

/* A short English name for an error code ("double free", ...). */
const char *pcpu_strerror(int err);

/* What an architecture (or the hosted backend) supplies: the 2006
 * proposal's hooks, generalised.  Page-table pages are the arch's business:
 * map_page allocates them itself (boot-time allocator first, the normal one
 * later) and reports PCPU_ERR_NOMEM if it cannot, leaving nothing behind.
 *
 * The runtime keeps no table of which data page backs which address: the
 * page tables already say so.  unmap_page reports the physical address it
 * took out, and after the TLB flush that address is what the runtime hands
 * to free_data_page.  Taking pages down is therefore unmap (up to
 * PCPU_UNMAP_BATCH pages), flush_tlb, free_data_page, repeated. */
struct pcpu_arch_ops {
	void *ctx;
	/* One 4 KiB data page for `cpu` (NUMA-local where the arch can): its
	 * physical address, page aligned, in *phys; that is what map_page is
	 * given.  The runtime writes the page only through the window, once
	 * mapped, so it needs no other address for it.
	 * Returns 0 or PCPU_ERR_NOMEM. */
	int (*alloc_data_page)(void *ctx, unsigned cpu, uint64_t *phys);
	/* Give back a page alloc_data_page handed out for `cpu`: either one
	 * map_page refused, or one unmap_page reported, after the flush.  An
	 * arch whose allocator wants a virtual address derives it from phys
	 * (its direct map, a phys_to_page()). */
	void (*free_data_page)(void *ctx, unsigned cpu, uint64_t phys);
	/* Map `phys` at `va`: present, writable, supervisor-only, non-executable
	 * where the arch can.  0, PCPU_ERR_NOMEM or PCPU_ERR_MAPPED. */
	int (*map_page)(void *ctx, uintptr_t va, uint64_t phys);
	/* Remove the mapping at `va` and store the physical address it mapped
	 * in *phys: read the leaf entry, clear it, return its address bits
	 * (pcpu_i386_unmap does exactly this; Linux's ptep_get_and_clear).
	 * 0, or PCPU_ERR_NOTMAPPED if nothing is mapped at `va`: the runtime
	 * only unmaps what it mapped, so that means the page tables were
	 * changed behind its back, and it gives nothing back for `va`. */
	int (*unmap_page)(void *ctx, uintptr_t va, uint64_t *phys);
	/* Flush [va, va+len) from every CPU's TLB; may be NULL. */
	void (*flush_tlb)(void *ctx, uintptr_t va, size_t len);
	/* Serialise the runtime (a spinlock in a kernel); may be NULL. */
	void (*lock)(void *ctx);
	void (*unlock)(void *ctx);
};

/* Most pages the runtime holds unmapped but not yet flushed and freed (on
 * its stack, 10 bytes each).  Giving back more pages than this takes one
 * flush_tlb round (one call per CPU copy involved) per batch. */
#define PCPU_UNMAP_BATCH 32u

/* How a runtime is set up. */
struct pcpu_params {
	uintptr_t base;        /* CPU 0's copy; page aligned, not 0 (see pcpu_base) */
	unsigned shift;        /* stride = 1 << shift; PCPU_MIN_SHIFT..PCPU_MAX_SHIFT (13..31) */
	unsigned nr_cpus;      /* possible CPUs, 1..PCPU_MAX_CPUS */
	unsigned max_areas;    /* most live areas at once (static + modules + dynamic) */
	void *meta;            /* caller memory of pcpu_runtime_meta_size() bytes */
	size_t meta_size;
	const struct pcpu_arch_ops *ops;
};

/* Bytes of bookkeeping a runtime with this stride, CPU count and area count
 * needs (0 if the parameters are out of range): the allocator's records and
 * the area slots (both grow with max_areas), one 32-bit reference count per
 * usable page offset ((1 << (shift - 12)) - 1 of them: the guard page never
 * has one) and a bit per possible CPU (the
 * online map).  Nothing grows with nr_cpus << shift: which data page backs
 * each mapped address is left to the page tables.  On i386, 64 CPUs, a
 * 1 MiB stride and 256 areas take 18,480 bytes (17 KiB of it for the 256
 * areas), 4096 CPUs 496 bytes more, a 256 MiB stride 256 KiB more. */
size_t pcpu_runtime_meta_size(unsigned shift, unsigned nr_cpus, unsigned max_areas);

/* Opaque to callers apart from reading; laid out in runtime/runtime_state.h. */
struct pcpu_runtime;
#define PCPU_RUNTIME_SIZE 256 /* upper bound of sizeof(struct pcpu_runtime) */
struct pcpu_runtime_storage {
	_Alignas(16) unsigned char bytes[PCPU_RUNTIME_SIZE];
};

/* Sets up an empty window with CPU 0 online and nothing mapped. */
int pcpu_runtime_init(struct pcpu_runtime_storage *storage, const struct pcpu_params *p,
		      struct pcpu_runtime **rt_out);

/* The kernel's static area: offset 0, template [tmpl, tmpl+init_size),
 * then zero_size zero bytes (.bss.percpu).  Must be the first allocation.
 * Populated on every online CPU. */
int pcpu_static_init(struct pcpu_runtime *rt, const void *tmpl, size_t init_size,
		     size_t zero_size);

/* A module's area: reserve (init_size + zero_size) bytes aligned to `align`,
 * copy the template into every online CPU's copy, zero the rest, and return
 * CPU 0's address of the area (what the loader relocates the module's
 * per-CPU symbols against).  The runtime keeps `tmpl` to initialise CPUs
 * that come online later: it must stay valid until pcpu_module_free. */
int pcpu_module_alloc(struct pcpu_runtime *rt, const void *tmpl, size_t init_size,
		      size_t zero_size, size_t align, uintptr_t *addr_out);
int pcpu_module_free(struct pcpu_runtime *rt, uintptr_t addr);

/* Dynamic areas (alloc_percpu): zero-filled on every CPU. *addr_out is CPU
 * 0's address; CPU n's copy is addr + (n << shift). */
int pcpu_dyn_alloc(struct pcpu_runtime *rt, size_t size, size_t align, uintptr_t *addr_out);
int pcpu_dyn_free(struct pcpu_runtime *rt, uintptr_t addr);

/* CPU hotplug: map and initialise `cpu`'s copy of every live area (each
 * area's template, zeros elsewhere).  Before a CPU runs any per-CPU code. */
int pcpu_cpu_online(struct pcpu_runtime *rt, unsigned cpu);
/* Unmap and give back `cpu`'s pages. */
int pcpu_cpu_offline(struct pcpu_runtime *rt, unsigned cpu);

/* Reading the runtime.  Every function here accepts a NULL runtime (and
 * other bad arguments) without crashing, like the calls that change
 * something: those returning int say PCPU_ERR_INVAL and write nothing; the
 * others return a value no runtime has, named with each. */

/* VM mode: offsets[n] = n << shift for n < nr.  PCPU_ERR_INVAL (nothing
 * written) for a NULL rt, or NULL offsets with nr > 0.  Takes no lock:
 * the shift is fixed at init. */
int pcpu_fill_offsets(const struct pcpu_runtime *rt, unsigned long *offsets, unsigned nr);

/* Bookkeeping, for reports, tests and benchmarks. */
struct pcpu_stats {
	size_t used_bytes;        /* bytes in live areas */
	size_t mapped_offsets;    /* page offsets with a nonzero reference count */
	size_t mapped_pages;      /* pages mapped in the window, all CPUs */
	size_t live_areas;
	unsigned online_cpus;
	size_t largest_free;      /* biggest free extent in the stride's usable part */
};
/* PCPU_ERR_INVAL (st untouched) for a NULL rt or st. */
int pcpu_get_stats(const struct pcpu_runtime *rt, struct pcpu_stats *st);

/* The reference count of one page offset (page index within the stride):
 * 0 when no area touches it, and for a NULL rt or an index past the
 * usable part (the guard page's count is 0 forever). */
unsigned pcpu_page_refcount(const struct pcpu_runtime *rt, size_t page_index);
/* false for a NULL rt or a CPU number out of range. */
bool pcpu_cpu_is_online(const struct pcpu_runtime *rt, unsigned cpu);
/* CPU 0's copy of offset 0; 0 for a NULL rt (init refuses base 0: CPU 0's
 * address of an area at offset 0 would be NULL, pcpu_api_alloc's error). */
uintptr_t pcpu_base(const struct pcpu_runtime *rt);
/* log2 of the stride; 0 for a NULL rt (below PCPU_MIN_SHIFT). */
unsigned pcpu_shift(const struct pcpu_runtime *rt);

/* Walk the live areas in offset order (for reports and invariant checks).
 * The callback returns false to stop.  PCPU_ERR_INVAL (fn never called)
 * for a NULL rt or fn. */
enum pcpu_area_kind { PCPU_AREA_STATIC, PCPU_AREA_MODULE, PCPU_AREA_DYNAMIC };
struct pcpu_area_info {
	size_t offset, size, align;
	enum pcpu_area_kind kind;
};
int pcpu_for_each_area(const struct pcpu_runtime *rt,
		       bool (*fn)(const struct pcpu_area_info *a, void *arg), void *arg);

/* One runtime instance behind the kernel's __alloc_percpu()/free_percpu()
 * (runtime/percpu_api.c).  The kernel sets it once at boot, after
 * pcpu_static_init().  pcpu_api_alloc returns CPU 0's address of a zeroed
 * dynamic area, or NULL on any error (no runtime set, bad size or
 * alignment, out of room or memory); pcpu_api_free(NULL) does nothing, and
 * freeing anything that is not a live dynamic area is ignored, counted in
 * pcpu_api_bad_frees() (a kernel may want to BUG() instead). */
void pcpu_api_set_runtime(struct pcpu_runtime *rt);
struct pcpu_runtime *pcpu_api_runtime(void);
void *pcpu_api_alloc(size_t size, size_t align);
void pcpu_api_free(void *ptr);
unsigned long pcpu_api_bad_frees(void);
/* The error of the last failing pcpu_api_alloc/free (0 if none yet). */
int pcpu_api_last_error(void);

#ifdef __cplusplus
}
#endif

#endif /* PERCPU_VM_RUNTIME_H */
