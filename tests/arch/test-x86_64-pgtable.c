/* tests/arch/test-x86_64-pgtable.c: the x86-64 page-table helpers on a
 * simulated physical memory, and the real runtime on top of them.
 *
 * Physical memory is a memfd mapped once (phys = offset into it), so every
 * table the helpers build is made of real x86-64 entries that the tests read
 * back raw and walk independently.  The end-to-end test also maps memfd
 * pages at their window addresses (a shadow MMU that follows the helpers),
 * because the runtime writes per-CPU copies through the window as a kernel
 * does.  Layout of the simulated memory:
 *   0x00000..0x01000  unused (phys 0 stays a page nobody hands out)
 *   0x01000           the root (PML4, or PML5 under LA57)
 *   0x10000..0x20000  boot-time region (bump allocator): 16 pages
 *   0x20000..0x80000  the "normal" page allocator: a free list of pages
 *   0x80000..SIM_SIZE data pages
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../cunit-run.h"

#include <percpu-vm/x86_64_pgtable.h>

#define SIM_SIZE 0x200000u
#define ROOT 0x1000u
#define BOOT_START 0x10000u
#define BOOT_END 0x20000u
#define NORMAL_START 0x20000u
#define NORMAL_END 0x80000u
#define DATA_START 0x80000u
#define POISON 0xa5

/* Per-CPU leaves as the manuals spell them: P | RW | NX, U/S clear. */
#define LEAF_BITS (0x3ull | (1ull << 63))
/* The kernel's window in the top 2 GiB (-mcmodel=kernel). */
#define KVA 0xffffffffc0123000ull

static uint8_t *sim;
static int memfd = -1;

static void *sim_phys_to_virt(void *ctx, uint64_t phys)
{
	CU_ASSERT_PTR_EQUAL(ctx, &sim);
	if (phys >= SIM_SIZE) {
		fprintf(stderr, "phys_to_virt outside the simulated memory: %#llx\n",
			(unsigned long long)phys);
		abort();
	}
	return sim + phys;
}

#include "pt-normal-alloc.h"

static struct pcpu_bootmem bm;
static struct pcpu_x86_64_mmu mmu;

/* Fresh memory: everything poisoned (so the helpers must zero the tables
 * they allocate), an empty root, allocators reset. */
static void setup(unsigned levels, bool normal)
{
	struct pcpu_pt_alloc boot;

	memset(sim, POISON, SIM_SIZE);
	memset(sim + ROOT, 0, 4096);
	CU_ASSERT_EQUAL_FATAL(pcpu_bootmem_init(&bm, BOOT_START, BOOT_END), PCPU_OK);
	pcpu_bootmem_alloc_ops(&bm, &boot);
	normal_reset();
	CU_ASSERT_EQUAL_FATAL(pcpu_x86_64_mmu_init(&mmu, levels, ROOT, sim_phys_to_virt, &sim, &boot),
			      PCPU_OK);
	if (normal)
		CU_ASSERT_EQUAL_FATAL(pcpu_x86_64_mmu_use_normal_alloc(&mmu, &normal_ops), PCPU_OK);
}

static uint64_t rd64(uint64_t phys)
{
	uint64_t v;

	memcpy(&v, sim + phys, 8);
	return v;
}

static void wr64(uint64_t phys, uint64_t v)
{
	memcpy(sim + phys, &v, 8);
}

/* The entry at `level` (5..1) on the way to va, walked independently of the
 * code under test (from the manuals: bits 47..39 index the PML4, 38..30 the
 * PDPT, 29..21 the PD, 20..12 the PT, 56..48 the PML5); 0 if a level above
 * is missing.  *where gets the entry's physical address. */
static uint64_t ref_entry(unsigned levels, uint64_t va, unsigned level, uint64_t *where)
{
	uint64_t table = ROOT, e = 0;

	for (unsigned l = levels; l >= level; l--) {
		uint64_t at = table + ((va >> (12 + 9 * (l - 1))) & 511) * 8;
		e = rd64(at);
		if (where)
			*where = at;
		if (l == level)
			break;
		if (!(e & 1))
			return 0;
		table = e & 0x000ffffffffff000ull;
	}
	return e;
}

static uint64_t ref_leaf(unsigned levels, uint64_t va)
{
	return ref_entry(levels, va, 1, NULL);
}

/* ---- map, translate, unmap -------------------------------------------- */

static void check_map_translate_unmap(unsigned levels)
{
	const uint64_t data = DATA_START + 0x5000;
	uint64_t phys, flags, dir[6], pt;

	setup(levels, true);
	CU_ASSERT_EQUAL(pcpu_x86_64_percpu_flags(&mmu), LEAF_BITS);
	CU_ASSERT_EQUAL(pcpu_x86_64_translate(&mmu, KVA, &phys, &flags), PCPU_ERR_NOTMAPPED);
	CU_ASSERT_EQUAL(pcpu_x86_64_map(&mmu, KVA, data, pcpu_x86_64_percpu_flags(&mmu)), PCPU_OK);

	/* Raw entries: every directory level points at a page from the normal
	 * allocator with P|RW only (no U/S, no PS, no NX: the leaf decides);
	 * the leaf holds data|P|RW|NX. */
	for (unsigned l = levels; l >= 2; l--) {
		dir[l] = ref_entry(levels, KVA, l, NULL);
		CU_ASSERT_EQUAL(dir[l] & ~0x000ffffffffff000ull, 0x3);
		CU_ASSERT((dir[l] & ~0xfffull) >= NORMAL_START && (dir[l] & ~0xfffull) < NORMAL_END);
	}
	CU_ASSERT_EQUAL(ref_leaf(levels, KVA), data | LEAF_BITS);
	/* The rest of every new table was zeroed (memory was poisoned). */
	for (unsigned l = levels; l >= 2; l--) {
		uint64_t t = dir[l] & ~0xfffull;
		unsigned used = (KVA >> (12 + 9 * (l - 2))) & 511, nonzero = 0;
		for (unsigned i = 0; i < 512; i++)
			nonzero += i != used && rd64(t + i * 8) != 0;
		CU_ASSERT_EQUAL(nonzero, 0);
	}
	CU_ASSERT_EQUAL(mmu.pt_pages_normal, levels - 1);
	CU_ASSERT_EQUAL(na.live, levels - 1);
	CU_ASSERT_EQUAL(mmu.pt_pages_boot, 0);
	CU_ASSERT_EQUAL(mmu.mapped_pages, 1);

	/* Translation of a byte: same page, P, RW, supervisor-only, NX. */
	CU_ASSERT_EQUAL(pcpu_x86_64_translate(&mmu, KVA + 0x7ab, &phys, &flags), PCPU_OK);
	CU_ASSERT_EQUAL(phys, data + 0x7ab);
	CU_ASSERT((flags & PCPU_X86_64_PTE_P) != 0);
	CU_ASSERT((flags & PCPU_X86_64_PTE_RW) != 0);
	CU_ASSERT_EQUAL(flags & PCPU_X86_64_PTE_US, 0);
	CU_ASSERT((flags & PCPU_X86_64_PTE_NX) != 0);
	CU_ASSERT_EQUAL(pcpu_x86_64_translate(&mmu, KVA + 0x1000, NULL, NULL), PCPU_ERR_NOTMAPPED);
	CU_ASSERT_EQUAL(pcpu_x86_64_translate(&mmu, KVA - 1, NULL, NULL), PCPU_ERR_NOTMAPPED);

	/* A store through the "virtual" address reaches the data page. */
	CU_ASSERT_EQUAL(pcpu_x86_64_translate(&mmu, KVA + 8, &phys, NULL), PCPU_OK);
	sim[phys] = 0x42;
	CU_ASSERT_EQUAL(sim[data + 8], 0x42);

	/* Unmap: the leaf is cleared, the tables are kept (policy). */
	pt = dir[2] & ~0xfffull;
	CU_ASSERT_EQUAL(pcpu_x86_64_unmap(&mmu, KVA, &phys), PCPU_OK);
	CU_ASSERT_EQUAL(phys, data);
	CU_ASSERT_EQUAL(rd64(pt + ((KVA >> 12) & 511) * 8), 0);
	for (unsigned l = levels; l >= 2; l--)
		CU_ASSERT_EQUAL(ref_entry(levels, KVA, l, NULL), dir[l]);
	CU_ASSERT_EQUAL(mmu.mapped_pages, 0);
	CU_ASSERT_EQUAL(na.live, levels - 1);
	CU_ASSERT_EQUAL(pcpu_x86_64_translate(&mmu, KVA, NULL, NULL), PCPU_ERR_NOTMAPPED);
	CU_ASSERT_EQUAL(pcpu_x86_64_unmap(&mmu, KVA, NULL), PCPU_ERR_NOTMAPPED);

	/* Mapping again reuses the kept tables: no allocation. */
	size_t calls = na.calls;
	CU_ASSERT_EQUAL(pcpu_x86_64_map(&mmu, KVA, data + 0x1000, pcpu_x86_64_percpu_flags(&mmu)), PCPU_OK);
	CU_ASSERT_EQUAL(na.calls, calls);
	CU_ASSERT_EQUAL(ref_leaf(levels, KVA), (data + 0x1000) | LEAF_BITS);

	/* Neighbours: the same 2 MiB shares the PT, the next 2 MiB needs a PT,
	 * the next 1 GiB a PD and a PT, another PML4 slot a PDPT too, the
	 * other half of the address space (another PML5 slot under 5 levels)
	 * every level below the root. */
	const struct { uint64_t va; size_t new_tables; } near[] = {
		{ KVA + 0x1000, 0 },
		{ KVA + 0x200000, 1 },
		{ 0xffffffff00000000ull, 2 },
		{ 0xffff888000000000ull, 3 },
		{ 0x00007f0000000000ull, levels == 5 ? 4 : 3 },
	};
	for (unsigned i = 0; i < sizeof(near) / sizeof(near[0]); i++) {
		size_t live = na.live;
		CU_ASSERT_EQUAL(pcpu_x86_64_map(&mmu, near[i].va, DATA_START, pcpu_x86_64_percpu_flags(&mmu)),
				PCPU_OK);
		CU_ASSERT_EQUAL(na.live - live, near[i].new_tables);
		CU_ASSERT_EQUAL(ref_leaf(levels, near[i].va), DATA_START | LEAF_BITS);
		CU_ASSERT_EQUAL(pcpu_x86_64_translate(&mmu, near[i].va + 0x123, &phys, NULL), PCPU_OK);
		CU_ASSERT_EQUAL(phys, DATA_START + 0x123);
	}
}

static void test_map_translate_unmap_4level(void)
{
	check_map_translate_unmap(4);
}

static void test_map_translate_unmap_5level(void)
{
	check_map_translate_unmap(5);
}

/* ---- flags ------------------------------------------------------------ */

static void test_flags(void)
{
	uint64_t flags, where, e;

	setup(4, true);
	/* With CR4.PGE the per-CPU pages are global too. */
	mmu.global = true;
	CU_ASSERT_EQUAL(pcpu_x86_64_percpu_flags(&mmu), LEAF_BITS | PCPU_X86_64_PTE_G);
	CU_ASSERT_EQUAL(pcpu_x86_64_map(&mmu, KVA, DATA_START, pcpu_x86_64_percpu_flags(&mmu)), PCPU_OK);
	CU_ASSERT_EQUAL(ref_leaf(4, KVA), DATA_START | LEAF_BITS | PCPU_X86_64_PTE_G);
	mmu.global = false;

	/* A leaf asking for U/S stays supervisor-only: the directories the
	 * helpers make never grant it (effective U/S is the AND). */
	CU_ASSERT_EQUAL(pcpu_x86_64_map(&mmu, KVA + 0x1000, DATA_START,
					PCPU_X86_64_PTE_RW | PCPU_X86_64_PTE_US), PCPU_OK);
	CU_ASSERT_EQUAL(ref_leaf(4, KVA + 0x1000), DATA_START | 0x7);
	CU_ASSERT_EQUAL(pcpu_x86_64_translate(&mmu, KVA + 0x1000, NULL, &flags), PCPU_OK);
	CU_ASSERT_EQUAL(flags & PCPU_X86_64_PTE_US, 0);
	CU_ASSERT_EQUAL(flags & PCPU_X86_64_PTE_NX, 0);

	/* A directory without RW makes the page read-only, one with NX makes
	 * it NX, at any level (here the PDPT entry). */
	e = ref_entry(4, KVA, 3, &where);
	wr64(where, e & ~PCPU_X86_64_PTE_RW);
	CU_ASSERT_EQUAL(pcpu_x86_64_translate(&mmu, KVA + 0x1000, NULL, &flags), PCPU_OK);
	CU_ASSERT_EQUAL(flags & PCPU_X86_64_PTE_RW, 0);
	wr64(where, e | PCPU_X86_64_PTE_NX);
	CU_ASSERT_EQUAL(pcpu_x86_64_translate(&mmu, KVA + 0x1000, NULL, &flags), PCPU_OK);
	CU_ASSERT((flags & PCPU_X86_64_PTE_RW) != 0);
	CU_ASSERT((flags & PCPU_X86_64_PTE_NX) != 0);
	wr64(where, e);

	/* Only leaf bits: no PS, no protection key or other high bits. */
	CU_ASSERT_EQUAL(pcpu_x86_64_map(&mmu, KVA + 0x2000, DATA_START, PCPU_X86_64_PTE_PS),
			PCPU_ERR_INVAL);
	CU_ASSERT_EQUAL(pcpu_x86_64_map(&mmu, KVA + 0x2000, DATA_START, 1ull << 59), PCPU_ERR_INVAL);
	CU_ASSERT_EQUAL(pcpu_x86_64_map(&mmu, KVA + 0x2000, DATA_START, 1ull << 52), PCPU_ERR_INVAL);
	CU_ASSERT_EQUAL(pcpu_x86_64_translate(&mmu, KVA + 0x2000, NULL, NULL), PCPU_ERR_NOTMAPPED);
}

/* ---- argument errors, physical address width --------------------------- */

static void test_errors(void)
{
	const uint64_t f = LEAF_BITS;
	uint64_t phys;

	setup(4, true);
	CU_ASSERT_EQUAL(pcpu_x86_64_map(&mmu, KVA + 4, DATA_START, f), PCPU_ERR_INVAL);
	CU_ASSERT_EQUAL(pcpu_x86_64_map(&mmu, KVA, DATA_START + 4, f), PCPU_ERR_INVAL);
	CU_ASSERT_EQUAL(pcpu_x86_64_unmap(&mmu, KVA + 1, NULL), PCPU_ERR_INVAL);
	/* Physical addresses: the last frame below 1 << 52 maps, nothing above. */
	const uint64_t beyond[] = { 1ull << 52, (1ull << 52) + 0x1000, 1ull << 63, ~0xfffull };
	for (unsigned i = 0; i < sizeof(beyond) / sizeof(beyond[0]); i++)
		CU_ASSERT_EQUAL(pcpu_x86_64_map(&mmu, KVA, beyond[i], f), PCPU_ERR_INVAL);
	CU_ASSERT_EQUAL(na.calls, 0); /* no argument error touched an allocator */
	CU_ASSERT_EQUAL(mmu.mapped_pages, 0);
	CU_ASSERT_EQUAL(pcpu_x86_64_map(&mmu, KVA, (1ull << 52) - 0x1000, f), PCPU_OK);
	CU_ASSERT_EQUAL(ref_leaf(4, KVA), ((1ull << 52) - 0x1000) | LEAF_BITS);
	CU_ASSERT_EQUAL(pcpu_x86_64_translate(&mmu, KVA + 0xfff, &phys, NULL), PCPU_OK);
	CU_ASSERT_EQUAL(phys, (1ull << 52) - 1);
	CU_ASSERT_EQUAL(pcpu_x86_64_unmap(&mmu, KVA, &phys), PCPU_OK);
	CU_ASSERT_EQUAL(phys, (1ull << 52) - 0x1000);

	/* Remap of a mapped page: refused, the old mapping stays. */
	CU_ASSERT_EQUAL(pcpu_x86_64_map(&mmu, KVA, DATA_START, f), PCPU_OK);
	CU_ASSERT_EQUAL(pcpu_x86_64_map(&mmu, KVA, DATA_START + 0x1000, f), PCPU_ERR_MAPPED);
	CU_ASSERT_EQUAL(ref_leaf(4, KVA), DATA_START | LEAF_BITS);
	CU_ASSERT_EQUAL(mmu.mapped_pages, 1);

	/* NULL and bad set-ups. */
	struct pcpu_x86_64_mmu m2;
	struct pcpu_pt_alloc boot, none = { NULL, NULL, NULL };
	pcpu_bootmem_alloc_ops(&bm, &boot);
	CU_ASSERT_EQUAL(pcpu_x86_64_map(NULL, KVA, DATA_START, f), PCPU_ERR_INVAL);
	CU_ASSERT_EQUAL(pcpu_x86_64_unmap(NULL, KVA, NULL), PCPU_ERR_INVAL);
	CU_ASSERT_EQUAL(pcpu_x86_64_translate(NULL, KVA, NULL, NULL), PCPU_ERR_INVAL);
	for (unsigned levels = 0; levels < 8; levels++)
		CU_ASSERT_EQUAL(pcpu_x86_64_mmu_init(&m2, levels, ROOT, sim_phys_to_virt, &sim, &boot),
				levels == 4 || levels == 5 ? PCPU_OK : PCPU_ERR_INVAL);
	CU_ASSERT_EQUAL(pcpu_x86_64_mmu_init(&m2, 4, ROOT + 8, sim_phys_to_virt, &sim, &boot),
			PCPU_ERR_INVAL);
	CU_ASSERT_EQUAL(pcpu_x86_64_mmu_init(&m2, 4, 1ull << 52, sim_phys_to_virt, &sim, &boot),
			PCPU_ERR_INVAL);
	CU_ASSERT_EQUAL(pcpu_x86_64_mmu_init(&m2, 4, ROOT, NULL, &sim, &boot), PCPU_ERR_INVAL);
	CU_ASSERT_EQUAL(pcpu_x86_64_mmu_init(&m2, 4, ROOT, sim_phys_to_virt, &sim, &none),
			PCPU_ERR_INVAL);
	CU_ASSERT_EQUAL(pcpu_x86_64_mmu_use_normal_alloc(&m2, &none), PCPU_ERR_INVAL);
	CU_ASSERT_EQUAL(pcpu_bootmem_init(&bm, 0x1000, 0x1000), PCPU_ERR_INVAL);
	CU_ASSERT_EQUAL(pcpu_bootmem_init(&bm, 0x1800, 0x4000), PCPU_ERR_INVAL);
}

/* ---- canonical addresses ---------------------------------------------- */

static uint8_t snapshot[SIM_SIZE];

static void check_noncanonical(unsigned levels, const uint64_t *bad, size_t nbad,
			       const uint64_t *good, size_t ngood)
{
	const uint64_t f = PCPU_X86_64_PTE_RW;
	uint64_t phys = 7, flags = 7;

	setup(levels, true);
	/* Something mapped at every canonical neighbour, so an aliasing walk
	 * (index bits only) would find a page. */
	for (size_t i = 0; i < ngood; i++) {
		CU_ASSERT_TRUE(pcpu_x86_64_canonical(&mmu, good[i]));
		CU_ASSERT_EQUAL(pcpu_x86_64_map(&mmu, good[i], DATA_START, f), PCPU_OK);
		CU_ASSERT_EQUAL(pcpu_x86_64_translate(&mmu, good[i] + 0x10, &phys, NULL), PCPU_OK);
		CU_ASSERT_EQUAL(phys, DATA_START + 0x10);
	}
	memcpy(snapshot, sim, SIM_SIZE);
	size_t live = na.live, calls = na.calls, mapped = mmu.mapped_pages;
	for (size_t i = 0; i < nbad; i++) {
		CU_ASSERT_FALSE(pcpu_x86_64_canonical(&mmu, bad[i]));
		CU_ASSERT_EQUAL(pcpu_x86_64_map(&mmu, bad[i], DATA_START + 0x1000, f), PCPU_ERR_INVAL);
		CU_ASSERT_EQUAL(pcpu_x86_64_translate(&mmu, bad[i] + 0x10, &phys, &flags), PCPU_ERR_INVAL);
		CU_ASSERT_EQUAL(pcpu_x86_64_unmap(&mmu, bad[i], &phys), PCPU_ERR_INVAL);
	}
	CU_ASSERT_EQUAL(phys, DATA_START + 0x10); /* nothing written on failure */
	CU_ASSERT_EQUAL(flags, 7);
	CU_ASSERT(memcmp(snapshot, sim, SIM_SIZE) == 0);
	CU_ASSERT_EQUAL(na.live, live);
	CU_ASSERT_EQUAL(na.calls, calls);
	CU_ASSERT_EQUAL(mmu.mapped_pages, mapped);
}

static void test_noncanonical_4level(void)
{
	/* 48-bit: bits 63..47 equal.  Each bad address has the index bits of
	 * a good one. */
	const uint64_t good[] = {
		0x0000000000000000ull, 0x00007ffffffff000ull,
		0xffff800000000000ull, 0xfffffffffffff000ull,
	};
	const uint64_t bad[] = {
		0x0001000000000000ull, 0x0000fffffffff000ull, /* bit 47 set, 63..48 clear */
		0x0000800000000000ull, 0xffff7ffffffff000ull,
		0x8000000000000000ull, 0x7ffffffffffff000ull,
		0x00ff800000000000ull, 0xfffe000000000000ull,
	};

	check_noncanonical(4, bad, sizeof(bad) / sizeof(bad[0]), good, sizeof(good) / sizeof(good[0]));
}

static void test_noncanonical_5level(void)
{
	/* 57-bit: bits 63..56 equal.  Addresses that are bad under 4 levels
	 * are good here. */
	const uint64_t good[] = {
		0x0000800000000000ull, 0x00fffffffffff000ull,
		0xff00000000000000ull, 0xffff7ffffffff000ull,
	};
	const uint64_t bad[] = {
		0x0100000000000000ull, 0x01fffffffffff000ull,
		0xfe00000000000000ull, 0xfeff7ffffffff000ull,
		0x8000800000000000ull, 0x7fff7ffffffff000ull,
	};

	check_noncanonical(5, bad, sizeof(bad) / sizeof(bad[0]), good, sizeof(good) / sizeof(good[0]));
}

/* ---- large pages on the way ------------------------------------------- */

static void test_large_pages(void)
{
	const uint64_t f = LEAF_BITS;
	uint64_t where, phys, flags;

	setup(4, true);
	/* Build PML4 -> PDPT -> PD for KVA, then put a 2 MiB page in one PD
	 * slot and a 1 GiB page in one PDPT slot. */
	CU_ASSERT_EQUAL(pcpu_x86_64_map(&mmu, KVA, DATA_START, f), PCPU_OK);
	ref_entry(4, KVA, 2, &where);
	const uint64_t va2m = (KVA & ~0x1fffffull) + 0x400000; /* two PD slots on */
	const uint64_t pde_at = where + 2 * 8;
	/* PS | P | RW | PAT (bit 12): PAT is not an address bit here. */
	wr64(pde_at, 0x0000123456600000ull | 0x1000 | 0x83 | PCPU_X86_64_PTE_NX);
	ref_entry(4, KVA, 3, &where);
	const uint64_t va1g = (KVA & ~0x3fffffffull) - 0x40000000ull; /* one PDPT slot back */
	const uint64_t pdpte_at = where - 8;
	wr64(pdpte_at, 0x000abcdc0000000ull | 0x83);

	CU_ASSERT_EQUAL(pcpu_x86_64_translate(&mmu, va2m + 0x12345, &phys, &flags), PCPU_OK);
	CU_ASSERT_EQUAL(phys, 0x0000123456612345ull);
	CU_ASSERT((flags & PCPU_X86_64_PTE_PS) != 0);
	CU_ASSERT((flags & PCPU_X86_64_PTE_NX) != 0);
	CU_ASSERT_EQUAL(pcpu_x86_64_translate(&mmu, va1g + 0x2345678, &phys, &flags), PCPU_OK);
	CU_ASSERT_EQUAL(phys, 0x000abcdc2345678ull);
	CU_ASSERT((flags & PCPU_X86_64_PTE_PS) != 0);
	CU_ASSERT_EQUAL(flags & PCPU_X86_64_PTE_NX, 0);

	/* map refuses to split them and changes nothing; unmap refuses too. */
	memcpy(snapshot, sim, SIM_SIZE);
	size_t calls = na.calls;
	CU_ASSERT_EQUAL(pcpu_x86_64_map(&mmu, va2m + 0x5000, DATA_START, f), PCPU_ERR_MAPPED);
	CU_ASSERT_EQUAL(pcpu_x86_64_map(&mmu, va1g + 0x12345000, DATA_START, f), PCPU_ERR_MAPPED);
	CU_ASSERT_EQUAL(pcpu_x86_64_unmap(&mmu, va2m, NULL), PCPU_ERR_INVAL);
	CU_ASSERT_EQUAL(pcpu_x86_64_unmap(&mmu, va1g + 0x200000, NULL), PCPU_ERR_INVAL);
	CU_ASSERT(memcmp(snapshot, sim, SIM_SIZE) == 0);
	CU_ASSERT_EQUAL(na.calls, calls);
	CU_ASSERT_EQUAL(mmu.mapped_pages, 1);

	/* PS in a PML4 entry is reserved (no 512 GiB pages): map, unmap and
	 * translate all refuse rather than read it as a table or a page. */
	const uint64_t va512 = 0xffff880000000000ull;
	wr64(ROOT + ((va512 >> 39) & 511) * 8, 0x0000000040000000ull | 0x83);
	memcpy(snapshot, sim, SIM_SIZE);
	CU_ASSERT_EQUAL(pcpu_x86_64_map(&mmu, va512, DATA_START, f), PCPU_ERR_INVAL);
	CU_ASSERT_EQUAL(pcpu_x86_64_unmap(&mmu, va512, NULL), PCPU_ERR_INVAL);
	CU_ASSERT_EQUAL(pcpu_x86_64_translate(&mmu, va512, NULL, NULL), PCPU_ERR_INVAL);
	CU_ASSERT(memcmp(snapshot, sim, SIM_SIZE) == 0);
	CU_ASSERT_EQUAL(na.calls, calls);
}

/* ---- boot-time and normal allocation ---------------------------------- */

static void check_boot_then_normal(unsigned levels)
{
	const uint64_t f = LEAF_BITS;
	uint64_t phys;

	setup(levels, false);
	/* Before the switch: tables from the boot region, in order. */
	CU_ASSERT_EQUAL(pcpu_x86_64_map(&mmu, KVA, DATA_START, f), PCPU_OK);
	const size_t boot_tables = levels - 1;
	CU_ASSERT_EQUAL(bm.allocated, boot_tables);
	CU_ASSERT_EQUAL(bm.next, BOOT_START + boot_tables * 4096);
	CU_ASSERT_EQUAL(mmu.pt_pages_boot, boot_tables);
	CU_ASSERT_EQUAL(na.calls, 0);
	for (unsigned l = levels; l >= 2; l--) {
		uint64_t t = ref_entry(levels, KVA, l, NULL) & ~0xfffull;
		CU_ASSERT(t >= BOOT_START && t < BOOT_END);
	}

	/* After: the next new tables come from the page allocator. */
	CU_ASSERT_EQUAL(pcpu_x86_64_mmu_use_normal_alloc(&mmu, &normal_ops), PCPU_OK);
	CU_ASSERT_EQUAL(pcpu_x86_64_map(&mmu, KVA + 0x1000, DATA_START + 0x1000, f), PCPU_OK);
	CU_ASSERT_EQUAL(na.calls, 0); /* same page table as before */
	CU_ASSERT_EQUAL(pcpu_x86_64_map(&mmu, KVA - 0x40000000ull, DATA_START + 0x2000, f), PCPU_OK);
	CU_ASSERT_EQUAL(na.live, 2); /* PD and PT under the existing PDPT */
	CU_ASSERT_EQUAL(mmu.pt_pages_normal, 2);
	CU_ASSERT_EQUAL(mmu.pt_pages_boot, boot_tables);
	CU_ASSERT_EQUAL(bm.allocated, boot_tables);
	for (unsigned l = 3; l >= 2; l--) { /* the entries pointing at the PD and the PT */
		uint64_t t = ref_entry(levels, KVA - 0x40000000ull, l, NULL) & ~0xfffull;
		CU_ASSERT(t >= NORMAL_START && t < NORMAL_END);
	}

	/* Everything translates to what was mapped. */
	CU_ASSERT_EQUAL(pcpu_x86_64_translate(&mmu, KVA + 0x10, &phys, NULL), PCPU_OK);
	CU_ASSERT_EQUAL(phys, DATA_START + 0x10);
	CU_ASSERT_EQUAL(pcpu_x86_64_translate(&mmu, KVA + 0x1010, &phys, NULL), PCPU_OK);
	CU_ASSERT_EQUAL(phys, DATA_START + 0x1010);
	CU_ASSERT_EQUAL(pcpu_x86_64_translate(&mmu, KVA - 0x40000000ull + 0x10, &phys, NULL), PCPU_OK);
	CU_ASSERT_EQUAL(phys, DATA_START + 0x2010);
}

static void test_boot_then_normal_4level(void)
{
	check_boot_then_normal(4);
}

static void test_boot_then_normal_5level(void)
{
	check_boot_then_normal(5);
}

/* ---- allocation failure leaves nothing behind -------------------------- */

/* Every byte outside the allocators' pools is unchanged, no pool page is
 * still handed out, and the mmu's counts are as before. */
static void check_unchanged(size_t na_live, size_t bm_alloc, uint64_t bm_next, size_t mapped,
			    size_t boot_tables, size_t normal_tables)
{
	CU_ASSERT(memcmp(sim, snapshot, BOOT_START) == 0);
	CU_ASSERT(memcmp(sim + DATA_START, snapshot + DATA_START, SIM_SIZE - DATA_START) == 0);
	CU_ASSERT_EQUAL(na.live, na_live);
	CU_ASSERT_EQUAL(bm.allocated, bm_alloc);
	CU_ASSERT_EQUAL(bm.next, bm_next);
	CU_ASSERT_EQUAL(mmu.mapped_pages, mapped);
	CU_ASSERT_EQUAL(mmu.pt_pages_boot, boot_tables);
	CU_ASSERT_EQUAL(mmu.pt_pages_normal, normal_tables);
}

static void test_failure_normal(void)
{
	const uint64_t f = LEAF_BITS;

	for (unsigned levels = 4; levels <= 5; levels++) {
		/* With KVA mapped, a new address needs 1 (next PT), 2 (next PD),
		 * 3 (other PML4 slot) or, in the lower half, every level below the
		 * root: fail each of its allocations in turn. */
		const struct { uint64_t va; size_t needed; } cases[] = {
			{ KVA + 0x200000, 1 },
			{ KVA - 0x40000000ull, 2 },
			{ 0xffff888000000000ull, 3 },
			{ 0x00007f0000000000ull, levels - 1 },
		};
		for (unsigned c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
			for (size_t n = 1; n <= cases[c].needed; n++) {
				setup(levels, true);
				CU_ASSERT_EQUAL(pcpu_x86_64_map(&mmu, KVA, DATA_START, f), PCPU_OK);
				size_t live = na.live, tables = mmu.pt_pages_normal;
				memcpy(snapshot, sim, SIM_SIZE);
				na.calls = 0;
				na.fail_at = n;
				CU_ASSERT_EQUAL(pcpu_x86_64_map(&mmu, cases[c].va, DATA_START + 0x1000, f),
						PCPU_ERR_NOMEM);
				CU_ASSERT_EQUAL(na.calls, n);
				check_unchanged(live, 0, BOOT_START, 1, 0, tables);
				CU_ASSERT_EQUAL(pcpu_x86_64_translate(&mmu, cases[c].va, NULL, NULL),
						PCPU_ERR_NOTMAPPED);
				/* Once the allocator works again, so does the map. */
				na.fail_at = 0;
				CU_ASSERT_EQUAL(pcpu_x86_64_map(&mmu, cases[c].va, DATA_START + 0x1000, f),
						PCPU_OK);
				CU_ASSERT_EQUAL(na.live, live + cases[c].needed);
				CU_ASSERT_EQUAL(mmu.pt_pages_normal, tables + cases[c].needed);
			}
		}
	}
}

static void test_failure_bootmem(void)
{
	const uint64_t f = LEAF_BITS;
	struct pcpu_pt_alloc boot;

	for (unsigned levels = 4; levels <= 5; levels++) {
		/* A boot region one page short of a first map (levels - 1 tables):
		 * every page it handed out goes back. */
		setup(levels, false);
		const uint64_t end = BOOT_START + (levels - 2) * 4096ull;
		CU_ASSERT_EQUAL(pcpu_bootmem_init(&bm, BOOT_START, end), PCPU_OK);
		pcpu_bootmem_alloc_ops(&bm, &boot);
		CU_ASSERT_EQUAL(pcpu_x86_64_mmu_init(&mmu, levels, ROOT, sim_phys_to_virt, &sim, &boot),
				PCPU_OK);
		memcpy(snapshot, sim, SIM_SIZE);
		CU_ASSERT_EQUAL(pcpu_x86_64_map(&mmu, KVA, DATA_START, f), PCPU_ERR_NOMEM);
		check_unchanged(0, 0, BOOT_START, 0, 0, 0);

		/* One page more is exactly enough; then the region is used up
		 * and the next PT cannot be had. */
		CU_ASSERT_EQUAL(pcpu_bootmem_init(&bm, BOOT_START, end + 4096), PCPU_OK);
		CU_ASSERT_EQUAL(pcpu_x86_64_map(&mmu, KVA, DATA_START, f), PCPU_OK);
		CU_ASSERT_EQUAL(bm.allocated, levels - 1);
		memcpy(snapshot, sim, SIM_SIZE);
		CU_ASSERT_EQUAL(pcpu_x86_64_map(&mmu, KVA + 0x200000, DATA_START, f), PCPU_ERR_NOMEM);
		check_unchanged(0, levels - 1, end + 4096, 1, levels - 1, 0);
	}
}

/* A table allocator that hands out a page it must not: unaligned or beyond
 * 52 bits.  The map refuses it, gives it back and writes nothing. */
static uint64_t bad_page;
static size_t bad_frees;
static int bad_alloc(void *ctx, uint64_t *phys)
{
	(void)ctx;
	*phys = bad_page;
	return PCPU_OK;
}
static void bad_free(void *ctx, uint64_t phys)
{
	(void)ctx;
	CU_ASSERT_EQUAL(phys, bad_page);
	bad_frees++;
}

static void test_bad_table_page(void)
{
	const struct pcpu_pt_alloc bad = { NULL, bad_alloc, bad_free };
	const uint64_t pages[] = { NORMAL_START + 8, 1ull << 52 };

	for (unsigned i = 0; i < 2; i++) {
		setup(4, false);
		CU_ASSERT_EQUAL(pcpu_x86_64_mmu_use_normal_alloc(&mmu, &bad), PCPU_OK);
		bad_page = pages[i];
		bad_frees = 0;
		memcpy(snapshot, sim, SIM_SIZE);
		CU_ASSERT_EQUAL(pcpu_x86_64_map(&mmu, KVA, DATA_START, pcpu_x86_64_percpu_flags(&mmu)),
				PCPU_ERR_NOMEM);
		CU_ASSERT_EQUAL(bad_frees, 1);
		CU_ASSERT(memcmp(snapshot, sim, SIM_SIZE) == 0);
	}
}

/* ---- many pages, against a reference model ---------------------------- */

static uint64_t rng_state;
static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static void check_churn(unsigned levels)
{
	/* 4 regions of 1024 pages each, in both halves and different PML4 (and
	 * under 5 levels PML5) slots; model[i] = phys or 0. */
	enum { REGION = 1024, NPAGES = 4 * REGION };
	const uint64_t region[4] = {
		KVA & ~0xfffffull, 0xffff888000000000ull, 0x0000555555554000ull,
		levels == 5 ? 0x00ff7f0000000000ull : 0x00007ffff0000000ull,
	};
	static uint64_t model[NPAGES];
	size_t mapped = 0;

	setup(levels, true);
	memset(model, 0, sizeof(model));
	rng_state = 0x9e3779b97f4a7c15ull + levels;
	for (int op = 0; op < 20000; op++) {
		unsigned i = (unsigned)(rng() % NPAGES);
		uint64_t va = region[i / REGION] + (i % REGION) * 4096ull;
		/* any frame below 1 << 52 */
		uint64_t phys = (rng() & 0xffffffffffull) << 12;
		if (phys == 0)
			phys = 0x1000;
		if (model[i]) {
			if (rng() & 1) {
				uint64_t got;
				CU_ASSERT_EQUAL(pcpu_x86_64_unmap(&mmu, va, &got), PCPU_OK);
				CU_ASSERT_EQUAL(got, model[i]);
				model[i] = 0;
				mapped--;
			} else {
				CU_ASSERT_EQUAL(pcpu_x86_64_map(&mmu, va, phys, pcpu_x86_64_percpu_flags(&mmu)),
						PCPU_ERR_MAPPED);
			}
		} else {
			CU_ASSERT_EQUAL(pcpu_x86_64_map(&mmu, va, phys, pcpu_x86_64_percpu_flags(&mmu)), PCPU_OK);
			model[i] = phys;
			mapped++;
		}
	}
	CU_ASSERT_EQUAL(mmu.mapped_pages, mapped);
	for (unsigned i = 0; i < NPAGES; i++) {
		uint64_t va = region[i / REGION] + (i % REGION) * 4096ull;
		uint64_t phys, leaf = ref_leaf(levels, va);
		int rc = pcpu_x86_64_translate(&mmu, va + (i & 0xfff), &phys, NULL);
		if (model[i]) {
			CU_ASSERT_EQUAL(rc, PCPU_OK);
			CU_ASSERT_EQUAL(phys, model[i] + (i & 0xfff));
			CU_ASSERT_EQUAL(leaf, model[i] | LEAF_BITS);
		} else {
			CU_ASSERT_EQUAL(rc, PCPU_ERR_NOTMAPPED);
			CU_ASSERT_EQUAL(leaf & 1, 0);
		}
	}
	/* Each 4 MiB region straddles no 1 GiB line (so one PD each) but may
	 * straddle a 2 MiB one: 2 or 3 PTs.  Count what a walk finds. */
	size_t tables = 0;
	uint64_t seen[64];
	for (unsigned l = levels; l >= 2; l--)
		for (unsigned r = 0; r < 4; r++)
			for (unsigned p = 0; p < REGION; p += 1) {
				uint64_t e = ref_entry(levels, region[r] + p * 4096ull, l, NULL), t;
				if (!(e & 1))
					continue;
				t = e & ~0xfffull;
				bool dup = false;
				for (size_t k = 0; k < tables; k++)
					dup |= seen[k] == t;
				if (!dup && tables < 64)
					seen[tables++] = t;
			}
	CU_ASSERT_EQUAL(na.live, tables);
	CU_ASSERT_EQUAL(mmu.pt_pages_normal, tables);
}

static void test_churn_4level(void)
{
	check_churn(4);
}

static void test_churn_5level(void)
{
	check_churn(5);
}

/* ---- the pcpu_arch_ops adapter ----------------------------------------- */

struct fake_kernel {
	uint64_t free_list[(SIM_SIZE - DATA_START) / 4096];
	size_t nfree;
	size_t data_live, data_calls, data_fail_at;
	uint64_t flushed[64];
	size_t nflushed, flush_alls, locks, unlocks;
	unsigned last_cpu;
	uint64_t last_freed;
};
static struct fake_kernel fk;

static void fk_reset(void)
{
	memset(&fk, 0, sizeof(fk));
	for (uint64_t p = SIM_SIZE; p > DATA_START; p -= 4096)
		fk.free_list[fk.nfree++] = p - 4096;
}

static int fk_page_alloc(void *ctx, unsigned cpu, uint64_t *phys)
{
	struct fake_kernel *k = ctx;

	k->data_calls++;
	if ((k->data_fail_at && k->data_calls == k->data_fail_at) || k->nfree == 0)
		return PCPU_ERR_NOMEM;
	k->last_cpu = cpu;
	*phys = k->free_list[--k->nfree];
	memset(sim + *phys, 0xee, 4096); /* garbage: the runtime must initialise */
	k->data_live++;
	return PCPU_OK;
}

static void fk_page_free(void *ctx, unsigned cpu, uint64_t phys)
{
	struct fake_kernel *k = ctx;

	CU_ASSERT(phys >= DATA_START && phys < SIM_SIZE && !(phys & 0xfff));
	k->last_cpu = cpu;
	k->last_freed = phys;
	k->free_list[k->nfree++] = phys;
	k->data_live--;
}

static void fk_invlpg(void *ctx, uint64_t va)
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
	struct pcpu_x86_64_backend be = {
		.mmu = &mmu, .ctx = &fk, .page_alloc = fk_page_alloc, .page_free = fk_page_free,
		.invlpg = fk_invlpg, .flush_all = fk_flush_all, .lock = fk_lock, .unlock = fk_unlock,
	};
	struct pcpu_arch_ops ops;
	uint64_t phys, flags, unmapped;

	setup(4, true);
	fk_reset();
	CU_ASSERT_EQUAL_FATAL(pcpu_x86_64_backend_ops(&be, &ops), PCPU_OK);
	CU_ASSERT_PTR_EQUAL(ops.ctx, &be);

	/* A data page: a physical address, from the kernel's allocator. */
	CU_ASSERT_EQUAL(ops.alloc_data_page(ops.ctx, 3, &phys), PCPU_OK);
	CU_ASSERT_EQUAL(fk.last_cpu, 3);
	const uint64_t page = phys;
	memset(sim + page, 0x5a, 4096);

	/* map_page: per-CPU flags (P, RW, supervisor, NX). */
	CU_ASSERT_EQUAL(ops.map_page(ops.ctx, (uintptr_t)KVA, page), PCPU_OK);
	CU_ASSERT_EQUAL(pcpu_x86_64_translate(&mmu, KVA + 0xabc, &phys, &flags), PCPU_OK);
	CU_ASSERT_EQUAL(phys, page + 0xabc);
	CU_ASSERT_EQUAL(sim[phys], 0x5a);
	CU_ASSERT_EQUAL(flags & (PCPU_X86_64_PTE_P | PCPU_X86_64_PTE_RW | PCPU_X86_64_PTE_US |
				 PCPU_X86_64_PTE_NX),
			PCPU_X86_64_PTE_P | PCPU_X86_64_PTE_RW | PCPU_X86_64_PTE_NX);
	CU_ASSERT_EQUAL(ref_leaf(4, KVA), page | LEAF_BITS);
	CU_ASSERT_EQUAL(ops.map_page(ops.ctx, (uintptr_t)KVA, page), PCPU_ERR_MAPPED);
	CU_ASSERT_EQUAL(ops.map_page(ops.ctx, (uintptr_t)0x0000800000000000ull, page), PCPU_ERR_INVAL);

	/* A page-table allocation failure comes back as NOMEM. */
	na.calls = 0;
	na.fail_at = 1;
	CU_ASSERT_EQUAL(ops.map_page(ops.ctx, (uintptr_t)0xffff888000000000ull, page), PCPU_ERR_NOMEM);
	na.fail_at = 0;

	/* flush: one invlpg per page touched by [va, va+len). */
	ops.flush_tlb(ops.ctx, (uintptr_t)(KVA + 0xff0), 0x20);
	CU_ASSERT_EQUAL(fk.nflushed, 2);
	CU_ASSERT_EQUAL(fk.flushed[0], KVA);
	CU_ASSERT_EQUAL(fk.flushed[1], KVA + 0x1000);
	ops.flush_tlb(ops.ctx, (uintptr_t)KVA, 0);
	CU_ASSERT_EQUAL(fk.nflushed, 2);
	ops.flush_tlb(ops.ctx, (uintptr_t)KVA, PCPU_X86_64_FLUSH_ALL_PAGES * 4096u);
	CU_ASSERT_EQUAL(fk.nflushed, 2 + PCPU_X86_64_FLUSH_ALL_PAGES);
	CU_ASSERT_EQUAL(fk.flush_alls, 0);
	ops.flush_tlb(ops.ctx, (uintptr_t)KVA, (PCPU_X86_64_FLUSH_ALL_PAGES + 1) * 4096u);
	CU_ASSERT_EQUAL(fk.nflushed, 2 + PCPU_X86_64_FLUSH_ALL_PAGES);
	CU_ASSERT_EQUAL(fk.flush_alls, 1);

	/* unmap reports the page the entry held; then free it. */
	unmapped = 0;
	CU_ASSERT_EQUAL(ops.unmap_page(ops.ctx, (uintptr_t)KVA, &unmapped), PCPU_OK);
	CU_ASSERT_EQUAL(unmapped, page);
	CU_ASSERT_EQUAL(pcpu_x86_64_translate(&mmu, KVA, NULL, NULL), PCPU_ERR_NOTMAPPED);
	/* Nothing there any more, not a page boundary, not canonical: nothing
	 * to report. */
	unmapped = 7;
	CU_ASSERT_EQUAL(ops.unmap_page(ops.ctx, (uintptr_t)KVA, &unmapped), PCPU_ERR_NOTMAPPED);
	CU_ASSERT_EQUAL(ops.unmap_page(ops.ctx, (uintptr_t)(KVA + 0x10), &unmapped), PCPU_ERR_NOTMAPPED);
	CU_ASSERT_EQUAL(ops.unmap_page(ops.ctx, (uintptr_t)0x0000800000000000ull, &unmapped),
			PCPU_ERR_NOTMAPPED);
	CU_ASSERT_EQUAL(unmapped, 7);
	ops.free_data_page(ops.ctx, 3, page);
	CU_ASSERT_EQUAL(fk.data_live, 0);
	CU_ASSERT_EQUAL(fk.last_freed, page);
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
	CU_ASSERT_EQUAL(pcpu_x86_64_backend_ops(&be, &ops), PCPU_ERR_INVAL);
	be.unlock = NULL;
	CU_ASSERT_EQUAL(pcpu_x86_64_backend_ops(&be, &ops), PCPU_OK);
	CU_ASSERT_PTR_NULL(ops.lock);
	be.invlpg = NULL;
	CU_ASSERT_EQUAL(pcpu_x86_64_backend_ops(&be, &ops), PCPU_ERR_INVAL);
	be.invlpg = fk_invlpg;
	be.mmu = NULL;
	CU_ASSERT_EQUAL(pcpu_x86_64_backend_ops(&be, &ops), PCPU_ERR_INVAL);
	CU_ASSERT_EQUAL(pcpu_x86_64_backend_ops(NULL, &ops), PCPU_ERR_INVAL);
}

/* ---- the runtime, end to end ------------------------------------------ */

/* The window: a canonical lower-half address this process can map, since
 * the runtime writes every CPU's copy through it. */
#define WINDOW 0x00005ec000000000ull
#define SHIFT 16u   /* 64 KiB stride: 15 usable pages and the guard */
#define NCPUS 4u

/* The shadow MMU: after the helpers map or unmap a page, the process
 * mapping at the same address follows (the same memfd page). */
static struct pcpu_arch_ops x86_64_ops;
static unsigned shadow_errors;

static int shadow_map(void *ctx, uintptr_t va, uint64_t phys)
{
	int rc = x86_64_ops.map_page(ctx, va, phys);

	if (rc == PCPU_OK && mmap((void *)va, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
				  memfd, (off_t)phys) == MAP_FAILED)
		shadow_errors++;
	return rc;
}

static int shadow_unmap(void *ctx, uintptr_t va, uint64_t *phys)
{
	int rc = x86_64_ops.unmap_page(ctx, va, phys);

	if (rc == PCPU_OK && mmap((void *)va, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
				  -1, 0) == MAP_FAILED)
		shadow_errors++;
	return rc;
}

/* How many bytes of [va, va+len) differ, read through the page tables,
 * from `want` (NULL: zeros); a byte not mapped counts as wrong. */
static size_t bytes_wrong(uint64_t va, const uint8_t *want, size_t len)
{
	size_t bad = 0;

	for (size_t i = 0; i < len; i++) {
		uint64_t phys;
		if (pcpu_x86_64_translate(&mmu, va + i, &phys, NULL) != PCPU_OK)
			bad++;
		else
			bad += sim[phys] != (want ? want[i] : 0);
	}
	return bad;
}

/* Mapped pages of one CPU's stride, by walking the tables. */
static unsigned cpu_pages_mapped(unsigned cpu)
{
	unsigned n = 0;

	for (uint64_t off = 0; off < (1u << SHIFT); off += 4096)
		n += pcpu_x86_64_translate(&mmu, WINDOW + ((uint64_t)cpu << SHIFT) + off, NULL, NULL) ==
		     PCPU_OK;
	return n;
}

static void test_runtime_end_to_end(void)
{
	static uint8_t tmpl[5000], modtmpl[6000];
	static _Alignas(16) unsigned char meta[1 << 14];
	struct pcpu_x86_64_backend be = {
		.mmu = &mmu, .ctx = &fk, .page_alloc = fk_page_alloc, .page_free = fk_page_free,
		.invlpg = fk_invlpg, .flush_all = fk_flush_all, .lock = fk_lock, .unlock = fk_unlock,
	};
	struct pcpu_runtime_storage st;
	struct pcpu_runtime *rt;
	struct pcpu_stats rs;
	uintptr_t mod, dyn;
	int rc;

	setup(4, false);
	fk_reset();
	for (unsigned i = 0; i < sizeof(tmpl); i++)
		tmpl[i] = (uint8_t)(i * 13 + 1);
	for (unsigned i = 0; i < sizeof(modtmpl); i++)
		modtmpl[i] = (uint8_t)(i * 7 + 3);
	CU_ASSERT_EQUAL_FATAL(pcpu_x86_64_backend_ops(&be, &x86_64_ops), PCPU_OK);
	struct pcpu_arch_ops ops = x86_64_ops;
	ops.map_page = shadow_map;
	ops.unmap_page = shadow_unmap;
	CU_ASSERT_FATAL(pcpu_runtime_meta_size(SHIFT, NCPUS, 16) <= sizeof(meta));
	struct pcpu_params p = { (uintptr_t)WINDOW, SHIFT, NCPUS, 16, meta, sizeof(meta), &ops };
	CU_ASSERT_EQUAL_FATAL(pcpu_runtime_init(&st, &p, &rt), PCPU_OK);

	/* Boot: the static area on CPU 0, its tables from the boot region. */
	CU_ASSERT_EQUAL_FATAL(pcpu_static_init(rt, tmpl, sizeof(tmpl), 3000), PCPU_OK);
	CU_ASSERT_EQUAL(mmu.pt_pages_boot, 3);
	CU_ASSERT_EQUAL(mmu.pt_pages_normal, 0);
	CU_ASSERT_EQUAL(bytes_wrong(WINDOW, tmpl, sizeof(tmpl)), 0);
	CU_ASSERT_EQUAL(bytes_wrong(WINDOW + sizeof(tmpl), NULL, 3000), 0);
	CU_ASSERT_EQUAL(cpu_pages_mapped(0), 2);
	CU_ASSERT_EQUAL(fk.data_live, 2);
	CU_ASSERT_EQUAL_FATAL(pcpu_x86_64_mmu_use_normal_alloc(&mmu, &normal_ops), PCPU_OK);

	/* CPUs 1..3 online: the window's 256 KiB sit in one page table. */
	for (unsigned c = 1; c < NCPUS; c++) {
		CU_ASSERT_EQUAL(pcpu_cpu_online(rt, c), PCPU_OK);
		CU_ASSERT_EQUAL(bytes_wrong(WINDOW + ((uint64_t)c << SHIFT), tmpl, sizeof(tmpl)), 0);
		CU_ASSERT_EQUAL(cpu_pages_mapped(c), 2);
	}
	CU_ASSERT_EQUAL(mmu.pt_pages_normal, 0);

	/* Per-CPU leaves: P, RW, supervisor-only, NX. */
	for (unsigned c = 0; c < NCPUS; c++) {
		uint64_t flags;
		CU_ASSERT_EQUAL(pcpu_x86_64_translate(&mmu, WINDOW + ((uint64_t)c << SHIFT), NULL, &flags),
				PCPU_OK);
		CU_ASSERT_EQUAL(flags & (PCPU_X86_64_PTE_P | PCPU_X86_64_PTE_RW | PCPU_X86_64_PTE_US |
					 PCPU_X86_64_PTE_NX),
				PCPU_X86_64_PTE_P | PCPU_X86_64_PTE_RW | PCPU_X86_64_PTE_NX);
	}

	/* A module: each failing data-page allocation is rolled back by the
	 * runtime through unmap_page; then it loads. */
	size_t data_before = fk.data_live, mapped_before = mmu.mapped_pages;
	unsigned failures = 0;
	for (unsigned n = 1; n < 64; n++) {
		fk.data_calls = 0;
		fk.data_fail_at = n;
		rc = pcpu_module_alloc(rt, modtmpl, sizeof(modtmpl), 2000, 4096, &mod);
		fk.data_fail_at = 0;
		if (rc == PCPU_OK)
			break;
		failures++;
		CU_ASSERT_EQUAL(rc, PCPU_ERR_NOMEM);
		CU_ASSERT_EQUAL(fk.data_live, data_before);
		CU_ASSERT_EQUAL(mmu.mapped_pages, mapped_before);
	}
	CU_ASSERT_EQUAL_FATAL(rc, PCPU_OK);
	CU_ASSERT_EQUAL(failures, 2 * NCPUS); /* 8000 bytes: 2 pages a CPU */
	for (unsigned c = 0; c < NCPUS; c++) {
		uint64_t cmod = (uint64_t)mod + ((uint64_t)c << SHIFT);
		CU_ASSERT_EQUAL(bytes_wrong(cmod, modtmpl, sizeof(modtmpl)), 0);
		CU_ASSERT_EQUAL(bytes_wrong(cmod + sizeof(modtmpl), NULL, 2000), 0);
	}

	/* A dynamic area: each CPU writes its own copy through the window and
	 * the page tables find exactly that byte there. */
	CU_ASSERT_EQUAL_FATAL(pcpu_dyn_alloc(rt, 64, 8, &dyn), PCPU_OK);
	for (unsigned c = 0; c < NCPUS; c++)
		*(volatile uint8_t *)(dyn + ((uintptr_t)c << SHIFT)) = (uint8_t)(0x40 + c);
	for (unsigned c = 0; c < NCPUS; c++) {
		const uint8_t want[2] = { (uint8_t)(0x40 + c), 0 };
		CU_ASSERT_EQUAL(bytes_wrong((uint64_t)dyn + ((uint64_t)c << SHIFT), want, 2), 0);
	}

	/* CPU 2 offline: its pages go back, the others keep theirs; online
	 * again: template and zeros, not the old bytes. */
	size_t live = fk.data_live;
	unsigned cpu2 = cpu_pages_mapped(2);
	CU_ASSERT_EQUAL(pcpu_cpu_offline(rt, 2), PCPU_OK);
	CU_ASSERT_EQUAL(cpu_pages_mapped(2), 0);
	CU_ASSERT_EQUAL(fk.data_live, live - cpu2);
	CU_ASSERT_EQUAL(pcpu_cpu_online(rt, 2), PCPU_OK);
	CU_ASSERT_EQUAL(cpu_pages_mapped(2), cpu2);
	CU_ASSERT_EQUAL(bytes_wrong((uint64_t)dyn + (2u << SHIFT), NULL, 64), 0);
	CU_ASSERT_EQUAL(bytes_wrong((uint64_t)mod + (2u << SHIFT), modtmpl, sizeof(modtmpl)), 0);

	/* The runtime's count and the page tables' agree. */
	CU_ASSERT_EQUAL(pcpu_get_stats(rt, &rs), PCPU_OK);
	CU_ASSERT_EQUAL(rs.mapped_pages, mmu.mapped_pages);
	CU_ASSERT_EQUAL(fk.data_live, mmu.mapped_pages);

	/* Everything but the static area goes; then CPUs 1..3: every page
	 * but CPU 0's static ones given back, every unmapped page flushed. */
	size_t flushed = fk.nflushed + fk.flush_alls;
	CU_ASSERT_EQUAL(pcpu_module_free(rt, mod), PCPU_OK);
	CU_ASSERT_EQUAL(pcpu_dyn_free(rt, dyn), PCPU_OK);
	for (unsigned c = 1; c < NCPUS; c++)
		CU_ASSERT_EQUAL(pcpu_cpu_offline(rt, c), PCPU_OK);
	CU_ASSERT(fk.nflushed + fk.flush_alls > flushed);
	CU_ASSERT_EQUAL(fk.data_live, 2);
	CU_ASSERT_EQUAL(mmu.mapped_pages, 2);
	CU_ASSERT_EQUAL(cpu_pages_mapped(0), 2);
	for (unsigned c = 1; c < NCPUS; c++)
		CU_ASSERT_EQUAL(cpu_pages_mapped(c), 0);
	CU_ASSERT_EQUAL(bytes_wrong(WINDOW, tmpl, sizeof(tmpl)), 0);
	CU_ASSERT_EQUAL(shadow_errors, 0);
}

static const struct cunit_test tests[] = {
	{ "4-level map/translate/unmap", test_map_translate_unmap_4level },
	{ "5-level map/translate/unmap", test_map_translate_unmap_5level },
	{ "leaf and effective flags", test_flags },
	{ "argument errors, 52-bit physical addresses", test_errors },
	{ "4-level non-canonical addresses", test_noncanonical_4level },
	{ "5-level non-canonical addresses", test_noncanonical_5level },
	{ "large pages on the way", test_large_pages },
	{ "4-level boot then normal allocation", test_boot_then_normal_4level },
	{ "5-level boot then normal allocation", test_boot_then_normal_5level },
	{ "normal allocation failure leaves nothing", test_failure_normal },
	{ "boot allocation failure leaves nothing", test_failure_bootmem },
	{ "a bad table page from the allocator", test_bad_table_page },
	{ "4-level churn against a model", test_churn_4level },
	{ "5-level churn against a model", test_churn_5level },
	{ "pcpu_arch_ops adapter", test_backend_ops },
	{ "the runtime end to end", test_runtime_end_to_end },
};

int main(void)
{
	memfd = memfd_create("x86_64-pgtable-phys", 0);
	if (memfd < 0 || ftruncate(memfd, SIM_SIZE) != 0)
		return perror("test-x86_64-pgtable: memfd"), 2;
	sim = mmap(NULL, SIM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
	if (sim == MAP_FAILED)
		return perror("test-x86_64-pgtable: mmap"), 2;
	/* The window, as the kernel would have it: nothing there yet. */
	if (mmap((void *)(uintptr_t)WINDOW, (size_t)NCPUS << SHIFT, PROT_NONE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE, -1, 0) !=
	    (void *)(uintptr_t)WINDOW) {
		fprintf(stderr, "test-x86_64-pgtable: window at %#llx taken\n",
			(unsigned long long)WINDOW);
		return 2;
	}
	return CUNIT_RUN("x86-64 page tables", tests);
}
