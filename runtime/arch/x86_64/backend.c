/* runtime/arch/x86_64/backend.c: the runtime's arch hooks (struct
 * pcpu_arch_ops) on top of the x86-64 page-table helpers, for a kernel that
 * supplies a page allocator (by physical address), a phys->virt conversion
 * for page tables (in the mmu) and invlpg.  unmap_page reads the physical
 * address out of the entry it clears, so nothing here remembers data pages.
 */
#include <stddef.h>
#include <stdint.h>

#include <percpu-vm/x86_64_pgtable.h>

static int be_alloc_data_page(void *ctx, unsigned cpu, uint64_t *phys)
{
	struct pcpu_x86_64_backend *be = ctx;

	if (be->page_alloc(be->ctx, cpu, phys) != PCPU_OK)
		return PCPU_ERR_NOMEM;
	return PCPU_OK;
}

static void be_free_data_page(void *ctx, unsigned cpu, uint64_t phys)
{
	struct pcpu_x86_64_backend *be = ctx;

	be->page_free(be->ctx, cpu, phys);
}

static int be_map_page(void *ctx, uintptr_t va, uint64_t phys)
{
	struct pcpu_x86_64_backend *be = ctx;

	return pcpu_x86_64_map(be->mmu, (uint64_t)va, phys, pcpu_x86_64_percpu_flags(be->mmu));
}

static int be_unmap_page(void *ctx, uintptr_t va, uint64_t *phys)
{
	struct pcpu_x86_64_backend *be = ctx;

	/* INVAL (unaligned, not canonical, inside a large page) means the
	 * runtime's page is not mapped there either. */
	return pcpu_x86_64_unmap(be->mmu, (uint64_t)va, phys) == PCPU_OK ? PCPU_OK
									  : PCPU_ERR_NOTMAPPED;
}

static void be_flush_tlb(void *ctx, uintptr_t va, size_t len)
{
	struct pcpu_x86_64_backend *be = ctx;
	uint64_t start = (uint64_t)va & ~0xfffull;
	uint64_t end = (uint64_t)va + len;
	uint64_t pages;

	if (len == 0)
		return;
	pages = (end - start + 0xfff) >> 12;
	if (be->flush_all && pages > PCPU_X86_64_FLUSH_ALL_PAGES) {
		be->flush_all(be->ctx);
		return;
	}
	for (uint64_t i = 0; i < pages; i++)
		be->invlpg(be->ctx, start + (i << 12));
}

static void be_lock(void *ctx)
{
	struct pcpu_x86_64_backend *be = ctx;

	be->lock(be->ctx);
}

static void be_unlock(void *ctx)
{
	struct pcpu_x86_64_backend *be = ctx;

	be->unlock(be->ctx);
}

int pcpu_x86_64_backend_ops(struct pcpu_x86_64_backend *be, struct pcpu_arch_ops *ops)
{
	if (!be || !ops || !be->mmu || !be->page_alloc || !be->page_free || !be->invlpg)
		return PCPU_ERR_INVAL;
	if (!be->lock != !be->unlock)
		return PCPU_ERR_INVAL;
	ops->ctx = be;
	ops->alloc_data_page = be_alloc_data_page;
	ops->free_data_page = be_free_data_page;
	ops->map_page = be_map_page;
	ops->unmap_page = be_unmap_page;
	ops->flush_tlb = be_flush_tlb;
	ops->lock = be->lock ? be_lock : NULL;
	ops->unlock = be->unlock ? be_unlock : NULL;
	return PCPU_OK;
}
