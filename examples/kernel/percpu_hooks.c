/* percpu_hooks.c: the runtime hooks shared by both demo kernels (see
 * percpu_hooks.h; ./percpu_setup.c and x86_64/percpu_setup.c use them). */
#include <percpu-vm/runtime.h>

#include "io.h"
#include "kernel.h"
#include "percpu_hooks.h"
#include "percpu_setup.h"
#include "pmem.h"
#include "smp.h"
#include "spinlock.h"

static void (*backend_flush)(void *ctx, uintptr_t va, size_t len);
static int (*backend_unmap)(void *ctx, uintptr_t va, uint64_t *phys);
static unsigned unmaps_since_shootdown;
static struct spinlock rt_lock = SPINLOCK_INIT;
static size_t data_pages;
static unsigned long shootdowns;

int percpu_hook_pt_alloc(void *ctx, uint64_t *phys)
{
	(void)ctx;
	uint32_t p = pmem_alloc_page();
	if (!p)
		return PCPU_ERR_NOMEM;
	*phys = p;
	return 0;
}

void percpu_hook_pt_free(void *ctx, uint64_t phys)
{
	(void)ctx;
	pmem_free_page((uint32_t)phys);
}

int percpu_hook_data_alloc(void *ctx, unsigned cpu, uint64_t *phys)
{
	(void)ctx;
	(void)cpu; /* one memory node: every CPU's pages are local */
	uint32_t p = pmem_alloc_page();
	if (!p)
		return PCPU_ERR_NOMEM;
	*phys = p;
	data_pages++;
	return 0;
}

void percpu_hook_data_free(void *ctx, unsigned cpu, uint64_t phys)
{
	(void)ctx;
	(void)cpu;
	pmem_free_page((uint32_t)phys);
	data_pages--;
}

void percpu_hook_flush_all(void *ctx)
{
	(void)ctx;
	write_cr3(read_cr3());
}

static int unmap_counted(void *ctx, uintptr_t va, uint64_t *phys)
{
	int rc = backend_unmap(ctx, va, phys);

	if (rc == 0)
		unmaps_since_shootdown++;
	return rc;
}

/* The backend flushes this CPU page by page.  Any other CPU may hold the
 * same translations (per_cpu() reads every CPU's copy), so the others get
 * a shootdown IPI, on which they flush their whole TLB.  The runtime
 * unmaps a batch of pages (up to PCPU_UNMAP_BATCH, on every CPU slot),
 * then calls this once per CPU slot before freeing them, so one shootdown
 * covers every unmap before it: later calls with no unmap in between send
 * none. */
static void flush_tlb_everywhere(void *ctx, uintptr_t va, size_t len)
{
	backend_flush(ctx, va, len);
	if (smp_online_count() > 1 && unmaps_since_shootdown) {
		unmaps_since_shootdown = 0;
		shootdowns++;
		smp_tlb_shootdown();
	}
}

void percpu_hook_lock(void *ctx)
{
	(void)ctx;
	spin_lock(&rt_lock);
}

void percpu_hook_unlock(void *ctx)
{
	(void)ctx;
	spin_unlock(&rt_lock);
}

void percpu_hooks_add_shootdown(struct pcpu_arch_ops *ops)
{
	backend_flush = ops->flush_tlb;
	ops->flush_tlb = flush_tlb_everywhere;
	backend_unmap = ops->unmap_page;
	ops->unmap_page = unmap_counted;
}

size_t percpu_data_pages(void) { return data_pages; }
unsigned long percpu_shootdowns(void) { return shootdowns; }
