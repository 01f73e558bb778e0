/* runtime/arch/common/pt_alloc.c: taking one page-table page from an
 * allocator (percpu-vm/pt_alloc.h), the step every page-table backend's map
 * starts with when a level is missing.
 */
#include <stddef.h>
#include <stdint.h>

#include <percpu-vm/pt_alloc.h>
#include <percpu-vm/runtime.h>

#define PT_PAGE_MASK 0xfffull

int pcpu_pt_alloc_table(const struct pcpu_pt_alloc *a, uint64_t addr_mask, uint64_t *phys)
{
	uint64_t p;

	if (a->alloc(a->ctx, &p) != PCPU_OK)
		return PCPU_ERR_NOMEM;
	if ((p & PT_PAGE_MASK) || (p & ~addr_mask)) {
		if (a->free)
			a->free(a->ctx, p);
		return PCPU_ERR_NOMEM;
	}
	*phys = p;
	return PCPU_OK;
}
