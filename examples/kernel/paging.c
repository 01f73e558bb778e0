/* paging.c: identity map of low RAM and the APIC MMIO, paging on, and a
 * read-only walker the checks use to see what is really mapped (so the
 * report compares the runtime's bookkeeping with the hardware's view). */
#include "io.h"
#include "kernel.h"
#include "paging.h"
#include "pmem.h"

#define CR0_PG (1u << 31)
#define CR0_WP (1u << 16)
#define CR4_PSE (1u << 4)
#define CR4_PAE (1u << 5)
#define MSR_EFER 0xC0000080u
#define EFER_NXE (1u << 11)

static uint32_t cr3_value, cr4_value;
static bool nx_on;

#ifdef DEMO_PAE
typedef uint64_t pte_t;
#define LARGE_SHIFT 21
static uint64_t *pdpt;
#else
typedef uint32_t pte_t;
#define LARGE_SHIFT 22
static uint32_t *pgdir;
#endif

static pte_t *pd_for(uintptr_t va)
{
#ifdef DEMO_PAE
	uint64_t e = pdpt[va >> 30];
	if (!(e & PTE_P))
		return NULL;
	return (pte_t *)(uintptr_t)(e & 0xFFFFF000u);
#else
	(void)va;
	return pgdir;
#endif
}

static unsigned pd_index(uintptr_t va)
{
#ifdef DEMO_PAE
	return (va >> 21) & 511;
#else
	return va >> 22;
#endif
}

static unsigned pt_index(uintptr_t va)
{
#ifdef DEMO_PAE
	return (va >> 12) & 511;
#else
	return (va >> 12) & 1023;
#endif
}

static void map_large(uintptr_t va, uint32_t flags)
{
	pte_t *pd = pd_for(va);
	pd[pd_index(va)] = (pte_t)((va & ~((1u << LARGE_SHIFT) - 1)) | PTE_PS | PTE_RW | PTE_P | flags);
}

void paging_init(uint32_t ram_top)
{
	uint32_t a, b, c, d;
	cpuid(0x80000000u, &a, &b, &c, &d);
	bool have_nx = false;
	if (a >= 0x80000001u) {
		cpuid(0x80000001u, &a, &b, &c, &d);
		have_nx = d & (1u << 20);
	}
#ifdef DEMO_PAE
	pdpt = (uint64_t *)(uintptr_t)pmem_alloc_page();
	for (unsigned i = 0; i < 4; i++)
		pdpt[i] = pmem_alloc_page() | PTE_P; /* PDPTEs take no RW/US bits */
	cr3_value = (uint32_t)(uintptr_t)pdpt;
	cr4_value = CR4_PAE;
#else
	(void)have_nx;
	pgdir = (uint32_t *)(uintptr_t)pmem_alloc_page();
	cr3_value = (uint32_t)(uintptr_t)pgdir;
	cr4_value = CR4_PSE;
#endif
	if (!cr3_value)
		panic("paging: no memory for the page tables");
	for (uint32_t va = 0; va < ram_top; va += 1u << LARGE_SHIFT)
		map_large(va, 0);
	/* IO APIC (0xFEC00000) and local APIC (0xFEE00000), uncached. */
	_Static_assert(DEMO_WINDOW_MISSES(0xFEC00000u, 0xFF000000u),
		       "the per-CPU window overlaps the APICs (see configure.ac)");
	map_large(0xFEC00000u, PTE_PCD | PTE_PWT);
	map_large(0xFEE00000u, PTE_PCD | PTE_PWT);
#ifdef DEMO_PAE
	if (have_nx) {
		wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_NXE);
		nx_on = true;
	}
#endif
	write_cr4(read_cr4() | cr4_value);
	write_cr3(cr3_value);
	write_cr0(read_cr0() | CR0_PG | CR0_WP);
}

uint32_t paging_cr3(void) { return cr3_value; }
uint32_t paging_cr4(void) { return cr4_value; }
bool paging_nx_enabled(void) { return nx_on; }

int paging_map_user(uintptr_t va, uint32_t phys)
{
	pte_t *pd = pd_for(va);
	pte_t *pde = &pd[pd_index(va)];
	if (!(*pde & PTE_P)) {
		uint32_t pt = pmem_alloc_page();
		if (!pt)
			return -1;
		*pde = (pte_t)(pt | PTE_US | PTE_RW | PTE_P);
	}
	if (*pde & PTE_PS)
		return -1;
	pte_t *pt = (pte_t *)(uintptr_t)(uint32_t)(*pde & 0xFFFFF000u);
	pt[pt_index(va)] = (pte_t)(phys | PTE_US | PTE_RW | PTE_P);
	invlpg(va);
	return 0;
}

uint64_t paging_lookup(uintptr_t va)
{
	pte_t *pd = pd_for(va);
	if (!pd)
		return 0;
	pte_t pde = pd[pd_index(va)];
	if (!(pde & PTE_P))
		return 0;
	if (pde & PTE_PS)
		return pde;
	pte_t *pt = (pte_t *)(uintptr_t)(uint32_t)(pde & 0xFFFFF000u);
	pte_t pte = pt[pt_index(va)];
	return (pte & PTE_P) ? pte : 0;
}

unsigned paging_count_mapped(uintptr_t va, uint32_t len)
{
	unsigned n = 0;
	for (uint32_t off = 0; off < len; off += PAGE_SIZE) {
		uintptr_t a = va + off;
		pte_t *pd = pd_for(a);
		if (!pd || !(pd[pd_index(a)] & PTE_P)) {
			/* skip the rest of this page-table's reach */
			uint32_t reach = 1u << LARGE_SHIFT;
			uint32_t next = (uint32_t)((a & ~(reach - 1)) + reach);
			if (next == 0 || next - va >= len)
				break;
			off = next - (uint32_t)va - PAGE_SIZE;
			continue;
		}
		if (paging_lookup(a))
			n++;
	}
	return n;
}
