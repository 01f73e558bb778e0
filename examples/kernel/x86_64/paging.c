/* x86_64/paging.c: the x86-64 demo's page tables after boot.S built them
 * (4-level: the first 4 GiB identity mapped in 2 MiB pages, the first GiB
 * again at the image's address), and a read-only walker the checks use to
 * see what is really mapped, independent of the runtime's helpers
 * (runtime/arch/x86_64), whose work it checks. */
#include "io.h"
#include "kernel.h"
#include "paging.h"
#include "pmem.h"

#define CR4_PAE (1u << 5)
#define MSR_EFER 0xC0000080u
#define EFER_NXE (1u << 11)
#define ADDR_MASK 0x000ffffffffff000ull

static uint32_t cr3_value;
static bool nx_on;

/* A table by its physical address: every table lies in the identity map
 * (the boot tables in the image below 4 GiB, the runtime's from pmem). */
static volatile uint64_t *table(uint64_t entry)
{
	return phys_to_ptr((uintptr_t)(entry & ADDR_MASK));
}

void paging_init(uint32_t ram_top)
{
	(void)ram_top; /* boot.S maps all of the first 4 GiB */
	cr3_value = (uint32_t)read_cr3();
	nx_on = rdmsr(MSR_EFER) & EFER_NXE;
	/* IO APIC (0xFEC00000) and local APIC (0xFEE00000): uncached. */
	_Static_assert(DEMO_WINDOW_MISSES(0, 1ull << 32),
		       "the per-CPU window overlaps the identity map of the first 4 GiB");
	_Static_assert(DEMO_WINDOW_MISSES(0xffffffff80000000ull, 0xffffffffc0000000ull),
		       "the x86-64 demo maps the GiB at 0xffffffff80000000 (its image) with 2 MiB "
		       "pages (boot.S): the per-CPU window must lie in the top GiB "
		       "(configure --with-percpu-base-x86-64)");
	volatile uint64_t *pd = table(table(table(cr3_value)[0])[3]);
	pd[0xFEC00000u >> 21 & 511] |= PTE_PCD | PTE_PWT;
	pd[0xFEE00000u >> 21 & 511] |= PTE_PCD | PTE_PWT;
	write_cr3(cr3_value);
}

uint32_t paging_cr3(void) { return cr3_value; }
uint32_t paging_cr4(void) { return CR4_PAE; }
bool paging_nx_enabled(void) { return nx_on; }

/* The ring-3 probe's pages are in the lower half, above the identity map
 * (whose 2 MiB pages are supervisor-only): the PD and PT they need come
 * from pmem, and every level's entry on the way gets U/S, which the leaf
 * entries of the identity map and the window still deny. */
int paging_map_user(uintptr_t va, uint32_t phys)
{
	volatile uint64_t *t = table(cr3_value);
	for (int level = 4; level > 1; level--) {
		volatile uint64_t *e = &t[(va >> (12 + 9 * (level - 1))) & 511];
		if (!(*e & PTE_P)) {
			uint32_t page = pmem_alloc_page();
			if (!page)
				return -1;
			memset(phys_to_ptr(page), 0, PAGE_SIZE);
			*e = page | PTE_P;
		}
		if (level < 4 && (*e & PTE_PS))
			return -1;
		*e |= PTE_US | PTE_RW;
		t = table(*e);
	}
	t[(va >> 12) & 511] = phys | PTE_US | PTE_RW | PTE_P;
	invlpg(va);
	return 0;
}

uint64_t paging_lookup(uintptr_t va)
{
	uint64_t e = cr3_value;
	for (int level = 4; level >= 1; level--) {
		e = table(e)[(va >> (12 + 9 * (level - 1))) & 511];
		if (!(e & PTE_P))
			return 0;
		if (level <= 3 && level > 1 && (e & PTE_PS))
			return e;
	}
	return e;
}

unsigned paging_count_mapped(uintptr_t va, uint32_t len)
{
	unsigned n = 0;
	for (uint32_t off = 0; off < len; off += PAGE_SIZE)
		if (paging_lookup(va + off))
			n++;
	return n;
}
