/* tests/arch/test-i386-pgtable.c: the i386 page-table helpers on a
 * simulated physical memory.
 *
 * Physical memory is a byte array (phys = offset), so every table the
 * helpers build is made of real i386 entries that the tests read back raw
 * and walk independently.  Layout of the simulated memory:
 *   0x00000..0x01000  unused (phys 0 stays a page nobody hands out)
 *   0x01000           the root (page directory, or PDPT under PAE)
 *   0x10000..0x20000  boot-time region (bump allocator): 16 pages
 *   0x20000..0x80000  the "normal" page allocator: a free list of pages
 *   0x80000..SIM_SIZE data pages
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../cunit-run.h"

#include <percpu-vm/i386_pgtable.h>

#define SIM_SIZE 0x100000u
#define ROOT 0x1000u
#define BOOT_START 0x10000u
#define BOOT_END 0x20000u
#define NORMAL_START 0x20000u
#define NORMAL_END 0x80000u
#define DATA_START 0x80000u
#define POISON 0xa5

static _Alignas(4096) uint8_t sim[SIM_SIZE];

static void *sim_phys_to_virt(void *ctx, uint64_t phys)
{
	CU_ASSERT_PTR_EQUAL(ctx, sim);
	if (phys >= SIM_SIZE) {
		fprintf(stderr, "phys_to_virt outside the simulated memory: %#llx\n",
			(unsigned long long)phys);
		abort();
	}
	return sim + phys;
}

#include "pt-normal-alloc.h"

static struct pcpu_i386_bootmem bm;
static struct pcpu_i386_mmu mmu;

/* Fresh memory: everything poisoned (so the helpers must zero the tables
 * they allocate), an empty root, allocators reset. */
static void setup(enum pcpu_i386_paging mode, bool nx, bool normal)
{
	struct pcpu_i386_pt_alloc boot;

	memset(sim, POISON, sizeof(sim));
	memset(sim + ROOT, 0, 4096);
	CU_ASSERT_EQUAL_FATAL(pcpu_i386_bootmem_init(&bm, BOOT_START, BOOT_END), PCPU_OK);
	pcpu_i386_bootmem_alloc_ops(&bm, &boot);
	normal_reset();
	CU_ASSERT_EQUAL_FATAL(pcpu_i386_mmu_init(&mmu, mode, ROOT, nx, sim_phys_to_virt, sim, &boot),
			      PCPU_OK);
	if (normal)
		CU_ASSERT_EQUAL_FATAL(pcpu_i386_mmu_use_normal_alloc(&mmu, &normal_ops), PCPU_OK);
}

static uint32_t rd32(uint64_t phys)
{
	uint32_t v;

	memcpy(&v, sim + phys, 4);
	return v;
}

static uint64_t rd64(uint64_t phys)
{
	uint64_t v;

	memcpy(&v, sim + phys, 8);
	return v;
}

static void wr32(uint64_t phys, uint32_t v)
{
	memcpy(sim + phys, &v, 4);
}

static void wr64(uint64_t phys, uint64_t v)
{
	memcpy(sim + phys, &v, 8);
}

/* An independent walk of the raw tables, written from the manuals rather
 * than from the code under test: the leaf entry for va, or 0. */
static uint64_t ref_leaf(enum pcpu_i386_paging mode, uint32_t va)
{
	if (mode == PCPU_I386_PAGING_2LEVEL) {
		uint32_t pde = rd32(ROOT + (va >> 22) * 4);
		if (!(pde & 1))
			return 0;
		return rd32((pde & 0xfffff000u) + ((va >> 12) & 0x3ff) * 4);
	}
	uint64_t pdpte = rd64(ROOT + (va >> 30) * 8);
	if (!(pdpte & 1))
		return 0;
	uint64_t pde = rd64((pdpte & 0xffffffffff000ull) + ((va >> 21) & 0x1ff) * 8);
	if (!(pde & 1))
		return 0;
	return rd64((pde & 0xffffffffff000ull) + ((va >> 12) & 0x1ff) * 8);
}

/* ---- 2-level ---------------------------------------------------------- */

static void test_2level_map_translate_unmap(void)
{
	const uint32_t va = 0xc0123000u;
	const uint64_t data = DATA_START + 0x5000;
	uint64_t phys, flags, pde, pt;

	setup(PCPU_I386_PAGING_2LEVEL, false, true);
	CU_ASSERT_EQUAL(pcpu_i386_percpu_flags(&mmu), PCPU_I386_PTE_P | PCPU_I386_PTE_RW);
	CU_ASSERT_EQUAL(pcpu_i386_translate(&mmu, va, &phys, &flags), PCPU_ERR_NOTMAPPED);
	CU_ASSERT_EQUAL(pcpu_i386_map(&mmu, va, data, pcpu_i386_percpu_flags(&mmu)), PCPU_OK);

	/* Raw entries: the PDE points at a page from the normal allocator
	 * with P|RW (no U/S, no PS); the PTE holds data|P|RW. */
	pde = rd32(ROOT + (va >> 22) * 4);
	pt = pde & 0xfffff000u;
	CU_ASSERT_EQUAL(pde & 0xfff, PCPU_I386_PTE_P | PCPU_I386_PTE_RW);
	CU_ASSERT(pt >= NORMAL_START && pt < NORMAL_END);
	CU_ASSERT_EQUAL(rd32(pt + ((va >> 12) & 0x3ff) * 4), data | 3);
	/* The rest of the new table was zeroed (memory was poisoned). */
	for (unsigned i = 0; i < 1024; i++)
		if (i != ((va >> 12) & 0x3ff))
			CU_ASSERT_EQUAL(rd32(pt + i * 4), 0);
	CU_ASSERT_EQUAL(mmu.pt_pages_normal, 1);
	CU_ASSERT_EQUAL(mmu.pt_pages_boot, 0);
	CU_ASSERT_EQUAL(mmu.mapped_pages, 1);

	/* Translation of every byte offset lands in the same page. */
	CU_ASSERT_EQUAL(pcpu_i386_translate(&mmu, va + 0x7ab, &phys, &flags), PCPU_OK);
	CU_ASSERT_EQUAL(phys, data + 0x7ab);
	CU_ASSERT(flags & PCPU_I386_PTE_P);
	CU_ASSERT(flags & PCPU_I386_PTE_RW);
	CU_ASSERT_FALSE(flags & PCPU_I386_PTE_US);
	CU_ASSERT_EQUAL(pcpu_i386_translate(&mmu, va + 0x1000, NULL, NULL), PCPU_ERR_NOTMAPPED);
	CU_ASSERT_EQUAL(pcpu_i386_translate(&mmu, va - 1, NULL, NULL), PCPU_ERR_NOTMAPPED);

	/* A store through the "virtual" address reaches the data page. */
	CU_ASSERT_EQUAL(pcpu_i386_translate(&mmu, va + 8, &phys, NULL), PCPU_OK);
	sim[phys] = 0x42;
	CU_ASSERT_EQUAL(sim[data + 8], 0x42);

	/* Unmap: the PTE is cleared, the table is kept (policy). */
	CU_ASSERT_EQUAL(pcpu_i386_unmap(&mmu, va, &phys), PCPU_OK);
	CU_ASSERT_EQUAL(phys, data);
	CU_ASSERT_EQUAL(rd32(pt + ((va >> 12) & 0x3ff) * 4), 0);
	CU_ASSERT_EQUAL(rd32(ROOT + (va >> 22) * 4), pde);
	CU_ASSERT_EQUAL(mmu.mapped_pages, 0);
	CU_ASSERT_EQUAL(na.live, 1);
	CU_ASSERT_EQUAL(pcpu_i386_translate(&mmu, va, NULL, NULL), PCPU_ERR_NOTMAPPED);
	CU_ASSERT_EQUAL(pcpu_i386_unmap(&mmu, va, NULL), PCPU_ERR_NOTMAPPED);

	/* With CR4.PGE the per-CPU pages are global. */
	mmu.global = true;
	CU_ASSERT_EQUAL(pcpu_i386_percpu_flags(&mmu),
			PCPU_I386_PTE_P | PCPU_I386_PTE_RW | PCPU_I386_PTE_G);
	CU_ASSERT_EQUAL(pcpu_i386_map(&mmu, va + 0x2000, data, pcpu_i386_percpu_flags(&mmu)), PCPU_OK);
	CU_ASSERT_EQUAL(pcpu_i386_translate(&mmu, va + 0x2000, NULL, &flags), PCPU_OK);
	CU_ASSERT(flags & PCPU_I386_PTE_G);
	CU_ASSERT_EQUAL(pcpu_i386_unmap(&mmu, va + 0x2000, NULL), PCPU_OK);
	mmu.global = false;

	/* Mapping again reuses the kept table: no allocation. */
	CU_ASSERT_EQUAL(pcpu_i386_map(&mmu, va, data + 0x1000, pcpu_i386_percpu_flags(&mmu)), PCPU_OK);
	CU_ASSERT_EQUAL(na.calls, 1);
	CU_ASSERT_EQUAL(ref_leaf(PCPU_I386_PAGING_2LEVEL, va), (data + 0x1000) | 3);
}

static void test_2level_errors(void)
{
	const uint32_t va = 0xc0000000u;
	uint64_t f = PCPU_I386_PTE_P | PCPU_I386_PTE_RW;

	setup(PCPU_I386_PAGING_2LEVEL, false, true);
	CU_ASSERT_EQUAL(pcpu_i386_map(&mmu, va + 4, DATA_START, f), PCPU_ERR_INVAL);
	CU_ASSERT_EQUAL(pcpu_i386_map(&mmu, va, DATA_START + 4, f), PCPU_ERR_INVAL);
	/* 2-level PTEs hold 32-bit frames only. */
	CU_ASSERT_EQUAL(pcpu_i386_map(&mmu, va, 0x100000000ull, f), PCPU_ERR_INVAL);
	/* No NX without PAE, no unknown bits. */
	CU_ASSERT_EQUAL(pcpu_i386_map(&mmu, va, DATA_START, f | PCPU_I386_PTE_NX), PCPU_ERR_INVAL);
	CU_ASSERT_EQUAL(pcpu_i386_map(&mmu, va, DATA_START, f | PCPU_I386_PTE_PS), PCPU_ERR_INVAL);
	CU_ASSERT_EQUAL(pcpu_i386_unmap(&mmu, va + 1, NULL), PCPU_ERR_INVAL);
	CU_ASSERT_EQUAL(na.calls, 0); /* no argument error touched an allocator */

	/* Remap of a mapped page: refused, the old mapping stays. */
	CU_ASSERT_EQUAL(pcpu_i386_map(&mmu, va, DATA_START, f), PCPU_OK);
	CU_ASSERT_EQUAL(pcpu_i386_map(&mmu, va, DATA_START + 0x1000, f), PCPU_ERR_MAPPED);
	CU_ASSERT_EQUAL(ref_leaf(PCPU_I386_PAGING_2LEVEL, va), DATA_START | 3);
	CU_ASSERT_EQUAL(mmu.mapped_pages, 1);

	/* A 4 MiB page in the directory: translate walks it, map and unmap
	 * refuse to touch it. */
	wr32(ROOT + (0xd0000000u >> 22) * 4, 0x00400000u | 0x83);
	uint64_t phys, flags;
	CU_ASSERT_EQUAL(pcpu_i386_translate(&mmu, 0xd0123456u, &phys, &flags), PCPU_OK);
	CU_ASSERT_EQUAL(phys, 0x00523456u);
	CU_ASSERT(flags & PCPU_I386_PTE_PS);
	CU_ASSERT_EQUAL(pcpu_i386_map(&mmu, 0xd0001000u, DATA_START, f), PCPU_ERR_MAPPED);
	CU_ASSERT_EQUAL(pcpu_i386_unmap(&mmu, 0xd0001000u, NULL), PCPU_ERR_INVAL);

	/* Effective permissions: a directory entry without RW makes the page
	 * read-only whatever the leaf says. */
	uint32_t pde = rd32(ROOT + (va >> 22) * 4);
	wr32(ROOT + (va >> 22) * 4, pde & ~2u);
	CU_ASSERT_EQUAL(pcpu_i386_translate(&mmu, va, NULL, &flags), PCPU_OK);
	CU_ASSERT_FALSE(flags & PCPU_I386_PTE_RW);
	wr32(ROOT + (va >> 22) * 4, pde);

	/* Bad set-ups. */
	struct pcpu_i386_mmu m2;
	struct pcpu_i386_pt_alloc boot;
	pcpu_i386_bootmem_alloc_ops(&bm, &boot);
	CU_ASSERT_EQUAL(pcpu_i386_mmu_init(&m2, PCPU_I386_PAGING_2LEVEL, ROOT + 32, false,
					   sim_phys_to_virt, sim, &boot), PCPU_ERR_INVAL);
	CU_ASSERT_EQUAL(pcpu_i386_mmu_init(&m2, PCPU_I386_PAGING_2LEVEL, ROOT, true,
					   sim_phys_to_virt, sim, &boot), PCPU_ERR_INVAL);
	CU_ASSERT_EQUAL(pcpu_i386_mmu_init(&m2, PCPU_I386_PAGING_PAE, ROOT + 8, false,
					   sim_phys_to_virt, sim, &boot), PCPU_ERR_INVAL);
	CU_ASSERT_EQUAL(pcpu_i386_mmu_init(&m2, PCPU_I386_PAGING_PAE, 0x100000000ull, false,
					   sim_phys_to_virt, sim, &boot), PCPU_ERR_INVAL);
	CU_ASSERT_EQUAL(pcpu_i386_mmu_init(&m2, PCPU_I386_PAGING_PAE, ROOT + 32, false,
					   NULL, sim, &boot), PCPU_ERR_INVAL);
	CU_ASSERT_EQUAL(pcpu_i386_mmu_init(&m2, PCPU_I386_PAGING_PAE, ROOT + 32, false,
					   sim_phys_to_virt, sim, &boot), PCPU_OK);
	CU_ASSERT_EQUAL(pcpu_i386_bootmem_init(&bm, 0x1000, 0x1000), PCPU_ERR_INVAL);
	CU_ASSERT_EQUAL(pcpu_i386_bootmem_init(&bm, 0x1800, 0x4000), PCPU_ERR_INVAL);
}

/* ---- PAE -------------------------------------------------------------- */

static void check_pae_map(bool nx)
{
	const uint32_t va = 0xc0345000u;
	/* A frame above 4 GiB: PAE addresses it (never dereferenced here). */
	const uint64_t high = 0x123456000ull;
	uint64_t pdpte, pde, pte, phys, flags;

	setup(PCPU_I386_PAGING_PAE, nx, true);
	CU_ASSERT_EQUAL(pcpu_i386_percpu_flags(&mmu),
			PCPU_I386_PTE_P | PCPU_I386_PTE_RW | (nx ? PCPU_I386_PTE_NX : 0));
	CU_ASSERT_EQUAL(pcpu_i386_map(&mmu, va, high, pcpu_i386_percpu_flags(&mmu)), PCPU_OK);

	pdpte = rd64(ROOT + (va >> 30) * 8);
	CU_ASSERT_EQUAL(pdpte & 0xfff, PCPU_I386_PTE_P); /* RW/US reserved in a PDPTE */
	CU_ASSERT_EQUAL(pdpte >> 52, 0);
	pde = rd64((pdpte & ~0xfffull) + ((va >> 21) & 0x1ff) * 8);
	CU_ASSERT_EQUAL(pde & 0xfff, PCPU_I386_PTE_P | PCPU_I386_PTE_RW);
	CU_ASSERT((pde & PCPU_I386_PTE_NX) == 0); /* the leaf decides */
	pte = rd64((pde & 0xffffffffff000ull) + ((va >> 12) & 0x1ff) * 8);
	CU_ASSERT_EQUAL(pte, high | 3 | (nx ? PCPU_I386_PTE_NX : 0));
	CU_ASSERT_EQUAL(pte, ref_leaf(PCPU_I386_PAGING_PAE, va));
	CU_ASSERT_EQUAL(mmu.pt_pages_normal, 2); /* a page directory and a page table */
	CU_ASSERT_EQUAL(na.live, 2);

	CU_ASSERT_EQUAL(pcpu_i386_translate(&mmu, va + 0xfff, &phys, &flags), PCPU_OK);
	CU_ASSERT_EQUAL(phys, high + 0xfff);
	CU_ASSERT(flags & PCPU_I386_PTE_P);
	CU_ASSERT(flags & PCPU_I386_PTE_RW);
	CU_ASSERT_FALSE(flags & PCPU_I386_PTE_US);
	CU_ASSERT_EQUAL(!!(flags & PCPU_I386_PTE_NX), nx);

	/* A neighbour in the same 2 MiB shares the table; one 2 MiB further
	 * needs a new table but not a new directory. */
	CU_ASSERT_EQUAL(pcpu_i386_map(&mmu, va + 0x1000, DATA_START, pcpu_i386_percpu_flags(&mmu)), PCPU_OK);
	CU_ASSERT_EQUAL(na.live, 2);
	CU_ASSERT_EQUAL(pcpu_i386_map(&mmu, va + 0x200000, DATA_START, pcpu_i386_percpu_flags(&mmu)), PCPU_OK);
	CU_ASSERT_EQUAL(na.live, 3);

	CU_ASSERT_EQUAL(pcpu_i386_unmap(&mmu, va, &phys), PCPU_OK);
	CU_ASSERT_EQUAL(phys, high);
	CU_ASSERT_EQUAL(ref_leaf(PCPU_I386_PAGING_PAE, va), 0);
	CU_ASSERT_EQUAL(pcpu_i386_translate(&mmu, va, NULL, NULL), PCPU_ERR_NOTMAPPED);
	CU_ASSERT_EQUAL(pcpu_i386_translate(&mmu, va + 0x1000, &phys, NULL), PCPU_OK);
	CU_ASSERT_EQUAL(phys, DATA_START);
	CU_ASSERT_EQUAL(na.live, 3); /* tables kept */
}

static void test_pae_map_nx(void)
{
	check_pae_map(true);
}

static void test_pae_map_no_nx(void)
{
	check_pae_map(false);
}

static void test_pae_errors(void)
{
	const uint64_t f = PCPU_I386_PTE_P | PCPU_I386_PTE_RW;
	uint64_t phys, flags;

	setup(PCPU_I386_PAGING_PAE, false, true);
	/* NX asked for while EFER.NXE is off (mmu->nx false). */
	CU_ASSERT_EQUAL(pcpu_i386_map(&mmu, 0xc0000000u, DATA_START, f | PCPU_I386_PTE_NX), PCPU_ERR_INVAL);
	/* Beyond MAXPHYADDR (52 bits). */
	CU_ASSERT_EQUAL(pcpu_i386_map(&mmu, 0xc0000000u, 1ull << 52, f), PCPU_ERR_INVAL);
	CU_ASSERT_EQUAL(na.calls, 0);

	CU_ASSERT_EQUAL(pcpu_i386_map(&mmu, 0xc0000000u, DATA_START, f), PCPU_OK);
	CU_ASSERT_EQUAL(pcpu_i386_map(&mmu, 0xc0000000u, DATA_START, f), PCPU_ERR_MAPPED);

	/* A 2 MiB page: translated, never replaced. */
	uint64_t pd = rd64(ROOT + 3 * 8) & ~0xfffull;
	wr64(pd + 5 * 8, 0x12340000000ull | 0x200000ull * 0 | 0xe00000ull | 0x83 | PCPU_I386_PTE_NX);
	CU_ASSERT_EQUAL(pcpu_i386_translate(&mmu, 0xc0a12345u, &phys, &flags), PCPU_OK);
	CU_ASSERT_EQUAL(phys, 0x12340e12345ull);
	CU_ASSERT((flags & PCPU_I386_PTE_NX) != 0);
	CU_ASSERT_EQUAL(pcpu_i386_map(&mmu, 0xc0a00000u, DATA_START, f), PCPU_ERR_MAPPED);

	/* NX on a directory entry makes the page NX. */
	uint64_t pde0 = rd64(pd);
	wr64(pd, pde0 | PCPU_I386_PTE_NX);
	CU_ASSERT_EQUAL(pcpu_i386_translate(&mmu, 0xc0000000u, NULL, &flags), PCPU_OK);
	CU_ASSERT((flags & PCPU_I386_PTE_NX) != 0);
	wr64(pd, pde0);
}

/* ---- boot-time and normal allocation ---------------------------------- */

static void check_boot_then_normal(enum pcpu_i386_paging mode)
{
	const uint64_t f = PCPU_I386_PTE_P | PCPU_I386_PTE_RW;
	uint64_t pt;

	setup(mode, false, false);
	/* Before the switch: tables from the boot region, in order. */
	CU_ASSERT_EQUAL(pcpu_i386_map(&mmu, 0xc0000000u, DATA_START, f), PCPU_OK);
	size_t boot_tables = mode == PCPU_I386_PAGING_PAE ? 2 : 1;
	CU_ASSERT_EQUAL(bm.allocated, boot_tables);
	CU_ASSERT_EQUAL(bm.next, BOOT_START + boot_tables * 4096);
	CU_ASSERT_EQUAL(mmu.pt_pages_boot, boot_tables);
	CU_ASSERT_EQUAL(na.calls, 0);
	if (mode == PCPU_I386_PAGING_2LEVEL)
		pt = rd32(ROOT + (0xc0000000u >> 22) * 4) & 0xfffff000u;
	else
		pt = rd64((rd64(ROOT + 3 * 8) & ~0xfffull)) & ~0xfffull;
	CU_ASSERT(pt >= BOOT_START && pt < BOOT_END);

	/* After: the next new table comes from the page allocator. */
	CU_ASSERT_EQUAL(pcpu_i386_mmu_use_normal_alloc(&mmu, &normal_ops), PCPU_OK);
	CU_ASSERT_EQUAL(pcpu_i386_map(&mmu, 0xc0001000u, DATA_START + 0x1000, f), PCPU_OK);
	CU_ASSERT_EQUAL(na.calls, 0); /* same table as before */
	CU_ASSERT_EQUAL(pcpu_i386_map(&mmu, 0xc0800000u, DATA_START + 0x2000, f), PCPU_OK);
	CU_ASSERT_EQUAL(na.live, 1);
	CU_ASSERT_EQUAL(mmu.pt_pages_normal, 1);
	CU_ASSERT_EQUAL(bm.allocated, boot_tables);
	if (mode == PCPU_I386_PAGING_2LEVEL)
		pt = rd32(ROOT + (0xc0800000u >> 22) * 4) & 0xfffff000u;
	else
		pt = rd64((rd64(ROOT + 3 * 8) & ~0xfffull) + 4 * 8) & ~0xfffull;
	CU_ASSERT(pt >= NORMAL_START && pt < NORMAL_END);

	/* Everything translates to what was mapped. */
	uint64_t phys;
	CU_ASSERT_EQUAL(pcpu_i386_translate(&mmu, 0xc0000010u, &phys, NULL), PCPU_OK);
	CU_ASSERT_EQUAL(phys, DATA_START + 0x10);
	CU_ASSERT_EQUAL(pcpu_i386_translate(&mmu, 0xc0001010u, &phys, NULL), PCPU_OK);
	CU_ASSERT_EQUAL(phys, DATA_START + 0x1010);
	CU_ASSERT_EQUAL(pcpu_i386_translate(&mmu, 0xc0800010u, &phys, NULL), PCPU_OK);
	CU_ASSERT_EQUAL(phys, DATA_START + 0x2010);

	/* Switching needs an allocator. */
	struct pcpu_i386_pt_alloc none = { NULL, NULL, NULL };
	CU_ASSERT_EQUAL(pcpu_i386_mmu_use_normal_alloc(&mmu, &none), PCPU_ERR_INVAL);
}

static void test_boot_then_normal_2level(void)
{
	check_boot_then_normal(PCPU_I386_PAGING_2LEVEL);
}

static void test_boot_then_normal_pae(void)
{
	check_boot_then_normal(PCPU_I386_PAGING_PAE);
}

/* ---- allocation failure leaves nothing behind -------------------------- */

static uint8_t snapshot[SIM_SIZE];

/* Every byte outside the allocators' pools is unchanged, and no pool page
 * is still handed out. */
static void check_unchanged(size_t na_live, size_t bm_alloc, uint64_t bm_next, size_t mapped)
{
	CU_ASSERT(memcmp(sim, snapshot, BOOT_START) == 0);
	CU_ASSERT(memcmp(sim + DATA_START, snapshot + DATA_START, SIM_SIZE - DATA_START) == 0);
	CU_ASSERT_EQUAL(na.live, na_live);
	CU_ASSERT_EQUAL(bm.allocated, bm_alloc);
	CU_ASSERT_EQUAL(bm.next, bm_next);
	CU_ASSERT_EQUAL(mmu.mapped_pages, mapped);
}

static void test_failure_normal(void)
{
	const uint64_t f = PCPU_I386_PTE_P | PCPU_I386_PTE_RW;

	for (int mode = 0; mode < 2; mode++) {
		/* PAE on an empty PDPT slot needs 2 tables, 2-level 1: fail each. */
		size_t needed = mode == PCPU_I386_PAGING_PAE ? 2 : 1;
		for (size_t n = 1; n <= needed; n++) {
			setup(mode, false, true);
			CU_ASSERT_EQUAL(pcpu_i386_map(&mmu, 0x80000000u, DATA_START, f), PCPU_OK);
			size_t live = na.live;
			memcpy(snapshot, sim, SIM_SIZE);
			na.calls = 0;
			na.fail_at = n;
			CU_ASSERT_EQUAL(pcpu_i386_map(&mmu, 0xc0000000u, DATA_START + 0x1000, f),
					PCPU_ERR_NOMEM);
			CU_ASSERT_EQUAL(na.calls, n);
			check_unchanged(live, 0, BOOT_START, 1);
			CU_ASSERT_EQUAL(pcpu_i386_translate(&mmu, 0xc0000000u, NULL, NULL),
					PCPU_ERR_NOTMAPPED);
			/* Once the allocator works again, so does the map. */
			na.fail_at = 0;
			CU_ASSERT_EQUAL(pcpu_i386_map(&mmu, 0xc0000000u, DATA_START + 0x1000, f), PCPU_OK);
			CU_ASSERT_EQUAL(na.live, live + needed);
		}
	}
}

static void test_failure_bootmem(void)
{
	const uint64_t f = PCPU_I386_PTE_P | PCPU_I386_PTE_RW;
	struct pcpu_i386_pt_alloc boot;

	for (int mode = 0; mode < 2; mode++) {
		setup(mode, false, false);
		/* A boot region of exactly one page: enough for 2-level, one
		 * short for PAE (directory + table). */
		CU_ASSERT_EQUAL(pcpu_i386_bootmem_init(&bm, BOOT_START, BOOT_START + 4096), PCPU_OK);
		pcpu_i386_bootmem_alloc_ops(&bm, &boot);
		CU_ASSERT_EQUAL(pcpu_i386_mmu_init(&mmu, mode, ROOT, false, sim_phys_to_virt, sim, &boot),
				PCPU_OK);
		memcpy(snapshot, sim, SIM_SIZE);
		int rc = pcpu_i386_map(&mmu, 0xc0000000u, DATA_START, f);
		if (mode == PCPU_I386_PAGING_PAE) {
			CU_ASSERT_EQUAL(rc, PCPU_ERR_NOMEM);
			check_unchanged(0, 0, BOOT_START, 0);
			CU_ASSERT_EQUAL(mmu.pt_pages_boot, 0);
		} else {
			CU_ASSERT_EQUAL(rc, PCPU_OK);
			CU_ASSERT_EQUAL(bm.allocated, 1);
			/* The region is used up: a second directory slot fails. */
			memcpy(snapshot, sim, SIM_SIZE);
			CU_ASSERT_EQUAL(pcpu_i386_map(&mmu, 0xc0400000u, DATA_START, f), PCPU_ERR_NOMEM);
			check_unchanged(0, 1, BOOT_START + 4096, 1);
		}
	}
}

/* ---- many pages, against a reference model ---------------------------- */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static void check_churn(enum pcpu_i386_paging mode)
{
	/* 16 MiB of window at 0xc0000000: 4096 pages; model[i] = phys or 0. */
	enum { NPAGES = 4096 };
	static uint64_t model[NPAGES];
	size_t mapped = 0;

	setup(mode, mode == PCPU_I386_PAGING_PAE, true);
	memset(model, 0, sizeof(model));
	rng_state = 0x9e3779b97f4a7c15ull + (uint64_t)mode;
	for (int op = 0; op < 20000; op++) {
		unsigned i = (unsigned)(rng() % NPAGES);
		uint32_t va = 0xc0000000u + i * 4096u;
		uint64_t phys = (rng() % 0x100000ull) << 12; /* any 32-bit frame */
		if (phys == 0)
			phys = 0x1000;
		if (model[i]) {
			if (rng() & 1) {
				uint64_t got;
				CU_ASSERT_EQUAL(pcpu_i386_unmap(&mmu, va, &got), PCPU_OK);
				CU_ASSERT_EQUAL(got, model[i]);
				model[i] = 0;
				mapped--;
			} else {
				CU_ASSERT_EQUAL(pcpu_i386_map(&mmu, va, phys, pcpu_i386_percpu_flags(&mmu)),
						PCPU_ERR_MAPPED);
			}
		} else {
			CU_ASSERT_EQUAL(pcpu_i386_map(&mmu, va, phys, pcpu_i386_percpu_flags(&mmu)), PCPU_OK);
			model[i] = phys;
			mapped++;
		}
	}
	CU_ASSERT_EQUAL(mmu.mapped_pages, mapped);
	for (unsigned i = 0; i < NPAGES; i++) {
		uint32_t va = 0xc0000000u + i * 4096u;
		uint64_t phys, leaf = ref_leaf(mode, va);
		int rc = pcpu_i386_translate(&mmu, va + (i & 0xfff), &phys, NULL);
		if (model[i]) {
			CU_ASSERT_EQUAL(rc, PCPU_OK);
			CU_ASSERT_EQUAL(phys, model[i] + (i & 0xfff));
			CU_ASSERT_EQUAL(leaf, model[i] | pcpu_i386_percpu_flags(&mmu));
		} else {
			CU_ASSERT_EQUAL(rc, PCPU_ERR_NOTMAPPED);
			CU_ASSERT_EQUAL(leaf & 1, 0);
		}
	}
	/* 16 MiB is 4 page tables (2-level) or 8 plus one directory (PAE). */
	CU_ASSERT_EQUAL(na.live, mode == PCPU_I386_PAGING_PAE ? 9 : 4);
}

static void test_churn_2level(void)
{
	check_churn(PCPU_I386_PAGING_2LEVEL);
}

static void test_churn_pae(void)
{
	check_churn(PCPU_I386_PAGING_PAE);
}

/* ---- the pcpu_arch_ops adapter ----------------------------------------- */

struct fake_kernel {
	uint64_t next_data;   /* bump over the data region */
	size_t data_live, data_calls, data_fail_at;
	uint32_t flushed[64];
	size_t nflushed, flush_alls, locks, unlocks;
	unsigned last_cpu;
	uint64_t last_freed;
};
static struct fake_kernel fk;

static int fk_page_alloc(void *ctx, unsigned cpu, uint64_t *phys)
{
	struct fake_kernel *k = ctx;

	k->data_calls++;
	if (k->data_fail_at && k->data_calls == k->data_fail_at)
		return PCPU_ERR_NOMEM;
	k->last_cpu = cpu;
	*phys = k->next_data;
	k->next_data += 4096;
	k->data_live++;
	return PCPU_OK;
}

static void fk_page_free(void *ctx, unsigned cpu, uint64_t phys)
{
	struct fake_kernel *k = ctx;

	k->last_cpu = cpu;
	k->last_freed = phys;
	k->data_live--;
}

static void fk_invlpg(void *ctx, uint32_t va)
{
	struct fake_kernel *k = ctx;

	if (k->nflushed < 64)
		k->flushed[k->nflushed] = va;
	k->nflushed++;
}

static void fk_flush_all(void *ctx)
{
	((struct fake_kernel *)ctx)->flush_alls++;
}

static void fk_lock(void *ctx)
{
	((struct fake_kernel *)ctx)->locks++;
}

static void fk_unlock(void *ctx)
{
	((struct fake_kernel *)ctx)->unlocks++;
}

static void test_backend_ops(void)
{
	struct pcpu_i386_backend be = {
		.mmu = &mmu, .ctx = &fk, .page_alloc = fk_page_alloc, .page_free = fk_page_free,
		.invlpg = fk_invlpg, .flush_all = fk_flush_all, .lock = fk_lock, .unlock = fk_unlock,
	};
	struct pcpu_arch_ops ops;
	uint64_t phys, flags, unmapped;

	setup(PCPU_I386_PAGING_PAE, true, true);
	memset(&fk, 0, sizeof(fk));
	fk.next_data = DATA_START;
	CU_ASSERT_EQUAL_FATAL(pcpu_i386_backend_ops(&be, &ops), PCPU_OK);
	CU_ASSERT_PTR_EQUAL(ops.ctx, &be);

	/* A data page: a physical address, from the kernel's allocator. */
	CU_ASSERT_EQUAL(ops.alloc_data_page(ops.ctx, 3, &phys), PCPU_OK);
	CU_ASSERT_EQUAL(phys, DATA_START);
	CU_ASSERT_EQUAL(fk.last_cpu, 3);
	memset(sim + DATA_START, 0x5a, 4096);

	/* map_page: per-CPU flags (P, RW, supervisor, NX). */
	CU_ASSERT_EQUAL(ops.map_page(ops.ctx, 0xc0300000u, phys), PCPU_OK);
	CU_ASSERT_EQUAL(pcpu_i386_translate(&mmu, 0xc0300abcu, &phys, &flags), PCPU_OK);
	CU_ASSERT_EQUAL(phys, DATA_START + 0xabc);
	CU_ASSERT_EQUAL(sim[phys], 0x5a);
	CU_ASSERT_EQUAL(flags & (PCPU_I386_PTE_P | PCPU_I386_PTE_RW | PCPU_I386_PTE_US | PCPU_I386_PTE_NX),
			PCPU_I386_PTE_P | PCPU_I386_PTE_RW | PCPU_I386_PTE_NX);
	CU_ASSERT_EQUAL(ops.map_page(ops.ctx, 0xc0300000u, DATA_START), PCPU_ERR_MAPPED);
	if (sizeof(uintptr_t) > 4)
		CU_ASSERT_EQUAL(ops.map_page(ops.ctx, (uintptr_t)0x100000000ull, DATA_START),
				PCPU_ERR_INVAL);

	/* A page-table allocation failure comes back as NOMEM. */
	na.calls = 0;
	na.fail_at = 1;
	CU_ASSERT_EQUAL(ops.map_page(ops.ctx, 0x40000000u, DATA_START), PCPU_ERR_NOMEM);
	na.fail_at = 0;

	/* flush: one invlpg per page touched by [va, va+len). */
	ops.flush_tlb(ops.ctx, 0xc0300ff0u, 0x20);
	CU_ASSERT_EQUAL(fk.nflushed, 2);
	CU_ASSERT_EQUAL(fk.flushed[0], 0xc0300000u);
	CU_ASSERT_EQUAL(fk.flushed[1], 0xc0301000u);
	ops.flush_tlb(ops.ctx, 0xc0300000u, 0);
	CU_ASSERT_EQUAL(fk.nflushed, 2);
	ops.flush_tlb(ops.ctx, 0xc0300000u, (PCPU_I386_FLUSH_ALL_PAGES + 1) * 4096u);
	CU_ASSERT_EQUAL(fk.nflushed, 2);
	CU_ASSERT_EQUAL(fk.flush_alls, 1);

	/* unmap reports the page the entry held; then free it. */
	unmapped = 0;
	CU_ASSERT_EQUAL(ops.unmap_page(ops.ctx, 0xc0300000u, &unmapped), PCPU_OK);
	CU_ASSERT_EQUAL(unmapped, DATA_START);
	CU_ASSERT_EQUAL(pcpu_i386_translate(&mmu, 0xc0300000u, NULL, NULL), PCPU_ERR_NOTMAPPED);
	/* Nothing there any more (or not a page boundary): nothing to report. */
	unmapped = 7;
	CU_ASSERT_EQUAL(ops.unmap_page(ops.ctx, 0xc0300000u, &unmapped), PCPU_ERR_NOTMAPPED);
	CU_ASSERT_EQUAL(ops.unmap_page(ops.ctx, 0xc0300010u, &unmapped), PCPU_ERR_NOTMAPPED);
	if (sizeof(uintptr_t) > 4)
		CU_ASSERT_EQUAL(ops.unmap_page(ops.ctx, (uintptr_t)0x100000000ull, &unmapped),
				PCPU_ERR_NOTMAPPED);
	CU_ASSERT_EQUAL(unmapped, 7);
	ops.free_data_page(ops.ctx, 3, DATA_START);
	CU_ASSERT_EQUAL(fk.data_live, 0);
	CU_ASSERT_EQUAL(fk.last_freed, DATA_START);
	CU_ASSERT_EQUAL(fk.last_cpu, 3);

	/* Data page failure. */
	fk.data_calls = 0;
	fk.data_fail_at = 1;
	CU_ASSERT_EQUAL(ops.alloc_data_page(ops.ctx, 0, &phys), PCPU_ERR_NOMEM);

	ops.lock(ops.ctx);
	ops.unlock(ops.ctx);
	CU_ASSERT_EQUAL(fk.locks, 1);
	CU_ASSERT_EQUAL(fk.unlocks, 1);

	/* Missing hooks. */
	be.lock = NULL;
	CU_ASSERT_EQUAL(pcpu_i386_backend_ops(&be, &ops), PCPU_ERR_INVAL);
	be.unlock = NULL;
	CU_ASSERT_EQUAL(pcpu_i386_backend_ops(&be, &ops), PCPU_OK);
	CU_ASSERT_PTR_NULL(ops.lock);
	be.invlpg = NULL;
	CU_ASSERT_EQUAL(pcpu_i386_backend_ops(&be, &ops), PCPU_ERR_INVAL);
}

static const struct cunit_test tests[] = {
	{ "2-level map/translate/unmap", test_2level_map_translate_unmap },
	{ "2-level errors and remap", test_2level_errors },
	{ "PAE map with NX", test_pae_map_nx },
	{ "PAE map without NX", test_pae_map_no_nx },
	{ "PAE errors and remap", test_pae_errors },
	{ "2-level boot then normal allocation", test_boot_then_normal_2level },
	{ "PAE boot then normal allocation", test_boot_then_normal_pae },
	{ "normal allocation failure leaves nothing", test_failure_normal },
	{ "boot allocation failure leaves nothing", test_failure_bootmem },
	{ "2-level churn against a model", test_churn_2level },
	{ "PAE churn against a model", test_churn_pae },
	{ "pcpu_arch_ops adapter", test_backend_ops },
};

int main(void)
{
	return CUNIT_RUN("i386 page tables", tests);
}
