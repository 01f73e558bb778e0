/* percpu_hooks.h: the runtime hooks both demo kernels (i386 and x86-64)
 * give their arch backend whatever the paging mode: data and page-table
 * pages from pmem, the whole-TLB flush, the runtime's lock, and the TLB
 * shootdown to the other CPUs after unmaps. */
#ifndef DEMO_PERCPU_HOOKS_H
#define DEMO_PERCPU_HOOKS_H

#include <stddef.h>
#include <stdint.h>

struct pcpu_arch_ops;

int percpu_hook_pt_alloc(void *ctx, uint64_t *phys);
void percpu_hook_pt_free(void *ctx, uint64_t phys);
int percpu_hook_data_alloc(void *ctx, unsigned cpu, uint64_t *phys);
void percpu_hook_data_free(void *ctx, unsigned cpu, uint64_t phys);
void percpu_hook_flush_all(void *ctx);
void percpu_hook_lock(void *ctx);
void percpu_hook_unlock(void *ctx);
/* Wrap the backend's unmap_page and flush_tlb in `ops` so that every other
 * online CPU gets one shootdown IPI per batch of unmaps. */
void percpu_hooks_add_shootdown(struct pcpu_arch_ops *ops);

#endif
