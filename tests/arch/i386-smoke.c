/* tests/arch/i386-smoke.c: the kernel build of the arch code at work.
 *
 * Built -m32 against runtime/libpercpu-runtime-i386.a (the objects the demo
 * kernel links, compiled with $(KERNEL_CFLAGS)), so uintptr_t is 32 bits as
 * in the kernel.  The real runtime runs on the i386 backend in 2-level and
 * PAE (NX) paging.  "Physical memory" is a memfd: the page tables the i386
 * helpers build live in it (reached through phys_to_virt), and a shadow MMU
 * maps the same memfd page at the window address whenever the helpers map
 * one, because the runtime initialises pages through their window address
 * as a kernel would.  The checks then walk the page tables: every byte of
 * every CPU's copy found through them must be the byte the runtime wrote
 * at the window address, the template, the zeros, each CPU's own writes.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <percpu-vm/i386_pgtable.h>
#include <percpu-vm/runtime.h>

#define SIM_SIZE (2u << 20)
#define ROOT 0x1000u
#define BOOT_START 0x10000u
#define BOOT_END 0x14000u     /* 4 boot-time table pages */
#define DATA_START 0x40000u   /* data pages and later tables, bump allocated */
#define WINDOW 0xc0000000u
#define SHIFT 20u
#define NCPUS 8u       /* a 8 MiB window: 2 page tables (2-level), 4 (PAE) */
#define BOOT_CPUS 4u   /* online at boot; the others come up later */

static unsigned char *sim;  /* the memfd, mapped: phys p is sim + p */
static int memfd = -1;
static _Alignas(16) unsigned char meta[1 << 16];
static int failures;

#define CHECK(cond, ...) do { \
		if (!(cond)) { \
			failures++; \
			printf("i386-smoke: %s:%d: ", __FILE__, __LINE__); \
			printf(__VA_ARGS__); \
			printf("\n"); \
		} \
	} while (0)

static void *sim_virt(void *ctx, uint64_t phys)
{
	(void)ctx;
	return sim + phys;
}

/* The kernel's page allocator, for data pages and (after the switch) page
 * tables: a bump allocator with a LIFO free list and a fault injector. */
static uint32_t next_page = DATA_START, free_pages[512];
static unsigned nfree, live_pages, calls, fail_at;

static int page_get(uint64_t *phys)
{
	calls++;
	if (fail_at && calls == fail_at)
		return PCPU_ERR_NOMEM;
	if (nfree)
		*phys = free_pages[--nfree];
	else if (next_page < SIM_SIZE) {
		*phys = next_page;
		next_page += 4096;
	} else
		return PCPU_ERR_NOMEM;
	memset(sim + *phys, 0xee, 4096); /* garbage: the runtime must initialise */
	live_pages++;
	return PCPU_OK;
}

static void page_put(uint64_t phys)
{
	free_pages[nfree++] = (uint32_t)phys;
	live_pages--;
}

static int data_alloc(void *ctx, unsigned cpu, uint64_t *phys)
{
	(void)ctx;
	(void)cpu;
	return page_get(phys);
}

static void data_free(void *ctx, unsigned cpu, uint64_t phys)
{
	(void)ctx;
	(void)cpu;
	page_put(phys);
}

static int pt_alloc(void *ctx, uint64_t *phys)
{
	(void)ctx;
	return page_get(phys);
}

static void pt_free(void *ctx, uint64_t phys)
{
	(void)ctx;
	page_put(phys);
}

static unsigned invlpgs;
static void invlpg(void *ctx, uint32_t va)
{
	(void)ctx;
	(void)va;
	invlpgs++;
}

/* The shadow MMU: after the i386 helpers map or unmap a page, the process
 * mapping at the same address follows. */
static struct pcpu_arch_ops i386_ops;
static unsigned shadow_errors;

static int shadow_map(void *ctx, uintptr_t va, uint64_t phys)
{
	int rc = i386_ops.map_page(ctx, va, phys);

	if (rc == PCPU_OK && mmap((void *)va, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
				  memfd, (off_t)phys) == MAP_FAILED)
		shadow_errors++;
	return rc;
}

static int shadow_unmap(void *ctx, uintptr_t va, uint64_t *phys)
{
	int rc = i386_ops.unmap_page(ctx, va, phys);

	if (rc == PCPU_OK && mmap((void *)va, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
				  -1, 0) == MAP_FAILED)
		shadow_errors++;
	return rc;
}

/* One byte of the window found by walking the page tables; it must equal
 * what the process sees at the address. */
static int read_va(const struct pcpu_i386_mmu *mmu, uint32_t va, unsigned char *out)
{
	uint64_t phys;
	int rc = pcpu_i386_translate(mmu, va, &phys, NULL);

	if (rc == PCPU_OK) {
		*out = sim[phys];
		if (*(volatile unsigned char *)(uintptr_t)va != *out)
			return -1;
	}
	return rc;
}

static void run(enum pcpu_i386_paging mode, int nx)
{
	static unsigned char tmpl[5000];
	struct pcpu_i386_bootmem bm;
	struct pcpu_i386_pt_alloc boot, normal = { NULL, pt_alloc, pt_free };
	struct pcpu_i386_mmu mmu;
	struct pcpu_i386_backend be = { &mmu, NULL, data_alloc, data_free, invlpg, NULL, NULL, NULL };
	struct pcpu_arch_ops ops;
	struct pcpu_runtime_storage st;
	struct pcpu_runtime *rt;
	struct pcpu_stats rs;
	const char *name = mode == PCPU_I386_PAGING_PAE ? (nx ? "PAE+NX" : "PAE") : "2-level";
	uintptr_t mod, dyn;
	unsigned char b;
	uint64_t flags;
	int rc;

	memset(sim, 0, SIM_SIZE);
	next_page = DATA_START;
	nfree = live_pages = calls = fail_at = 0;
	CHECK(sizeof(uintptr_t) == 4, "not a 32-bit build");
	for (unsigned i = 0; i < sizeof(tmpl); i++)
		tmpl[i] = (unsigned char)(i * 13 + 1);

	CHECK(pcpu_i386_bootmem_init(&bm, BOOT_START, BOOT_END) == PCPU_OK, "bootmem");
	pcpu_i386_bootmem_alloc_ops(&bm, &boot);
	CHECK(pcpu_i386_mmu_init(&mmu, mode, ROOT, nx, sim_virt, NULL, &boot) == PCPU_OK, "mmu");
	CHECK(pcpu_i386_backend_ops(&be, &i386_ops) == PCPU_OK, "ops");
	ops = i386_ops;
	ops.map_page = shadow_map;
	ops.unmap_page = shadow_unmap;
	struct pcpu_params p = { WINDOW, SHIFT, NCPUS, 16, meta, sizeof(meta), &ops };
	CHECK(pcpu_runtime_meta_size(SHIFT, NCPUS, 16) <= sizeof(meta), "meta too small");
	rc = pcpu_runtime_init(&st, &p, &rt);
	CHECK(rc == PCPU_OK, "%s: runtime init: %s", name, pcpu_strerror(rc));
	if (rc)
		return;
	for (unsigned c = 1; c < BOOT_CPUS; c++)
		CHECK(pcpu_cpu_online(rt, c) == PCPU_OK, "cpu %u online", c);

	/* Boot: the static area's tables come from the boot-time region. */
	rc = pcpu_static_init(rt, tmpl, sizeof(tmpl), 3000);
	CHECK(rc == PCPU_OK, "%s: static: %s", name, pcpu_strerror(rc));
	CHECK(mmu.pt_pages_boot > 0 && mmu.pt_pages_normal == 0, "%s: boot tables %zu/%zu", name,
	      mmu.pt_pages_boot, mmu.pt_pages_normal);
	/* The page allocator is up: later tables come from it. */
	CHECK(pcpu_i386_mmu_use_normal_alloc(&mmu, &normal) == PCPU_OK, "switch");

	/* CPU 4 comes online: its part of the window (the second 4 MiB) needs
	 * a new page table.  Fail each allocation it makes in turn: the
	 * mappings stay as they were, and the only page not given back is a
	 * page table that was completed and is kept (policy). */
	unsigned online_failures = 0;
	for (unsigned n = 1;; n++) {
		size_t mapped = mmu.mapped_pages, pages = live_pages, tables = mmu.pt_pages_normal;
		calls = 0;
		fail_at = n;
		rc = pcpu_cpu_online(rt, BOOT_CPUS);
		fail_at = 0;
		if (rc == PCPU_OK || n > 64)
			break;
		online_failures++;
		CHECK(rc == PCPU_ERR_NOMEM, "%s: online: %s", name, pcpu_strerror(rc));
		CHECK(mmu.mapped_pages == mapped, "%s: failed online left mappings", name);
		CHECK(live_pages == pages + (mmu.pt_pages_normal - tables),
		      "%s: failed online leaked pages (%u -> %u)", name, (unsigned)pages, live_pages);
		CHECK(!pcpu_cpu_is_online(rt, BOOT_CPUS), "%s: failed online left the CPU online", name);
	}
	CHECK(rc == PCPU_OK, "%s: online cpu %u: %s", name, BOOT_CPUS, pcpu_strerror(rc));
	/* A page table and the static area's 2 data pages: 3 allocations. */
	CHECK(online_failures == 3, "%s: %u failing allocations while onlining", name,
	      online_failures);
	for (unsigned c = BOOT_CPUS + 1; c < NCPUS; c++)
		CHECK(pcpu_cpu_online(rt, c) == PCPU_OK, "cpu %u online", c);
	CHECK(mmu.pt_pages_normal == (mode == PCPU_I386_PAGING_PAE ? 2u : 1u),
	      "%s: %zu page tables from the page allocator", name, mmu.pt_pages_normal);

	for (unsigned c = 0; c < NCPUS; c++) {
		uint32_t cpu_base = WINDOW + (c << SHIFT);
		unsigned bad = 0;
		for (unsigned i = 0; i < sizeof(tmpl); i++)
			bad += read_va(&mmu, cpu_base + i, &b) != PCPU_OK || b != tmpl[i];
		for (unsigned i = 0; i < 3000; i++)
			bad += read_va(&mmu, cpu_base + sizeof(tmpl) + i, &b) != PCPU_OK || b != 0;
		CHECK(bad == 0, "%s: cpu %u: %u bytes of the static copy wrong", name, c, bad);
		CHECK(pcpu_i386_translate(&mmu, cpu_base, NULL, &flags) == PCPU_OK &&
		      (flags & (PCPU_I386_PTE_P | PCPU_I386_PTE_RW | PCPU_I386_PTE_US)) ==
			      (PCPU_I386_PTE_P | PCPU_I386_PTE_RW) &&
		      !!(flags & PCPU_I386_PTE_NX) == !!nx, "%s: cpu %u: flags %#llx", name, c,
		      (unsigned long long)flags);
		CHECK(read_va(&mmu, cpu_base + 2 * 4096, &b) == PCPU_ERR_NOTMAPPED,
		      "%s: cpu %u: page after the static area mapped", name, c);
	}

	/* A module in pages of its own, and a dynamic area: a failing page
	 * allocation at each step leaves the page tables as they were. */
	for (unsigned n = 1;; n++) {
		size_t mapped = mmu.mapped_pages, pages = live_pages;
		calls = 0;
		fail_at = n;
		rc = pcpu_module_alloc(rt, tmpl, 4096, 4096, 4096, &mod);
		fail_at = 0;
		if (rc == PCPU_OK)
			break;
		CHECK(rc == PCPU_ERR_NOMEM, "%s: module: %s", name, pcpu_strerror(rc));
		CHECK(mmu.mapped_pages == mapped, "%s: failed module load left mappings", name);
		CHECK(live_pages == pages, "%s: failed module load leaked pages", name);
		if (n > 64)
			break;
	}
	CHECK(rc == PCPU_OK && mod % 4096 == 0, "%s: module", name);
	rc = pcpu_dyn_alloc(rt, 64, 8, &dyn);
	CHECK(rc == PCPU_OK, "%s: dyn: %s", name, pcpu_strerror(rc));
	for (unsigned c = 0; c < NCPUS; c++) {
		uint64_t phys;
		CHECK(read_va(&mmu, (uint32_t)mod + (c << SHIFT) + 4095, &b) == PCPU_OK &&
		      b == tmpl[4095], "%s: cpu %u: module template", name, c);
		CHECK(read_va(&mmu, (uint32_t)mod + (c << SHIFT) + 4096, &b) == PCPU_OK && b == 0,
		      "%s: cpu %u: module zero part", name, c);
		/* Each CPU writes its copy at base + cpu * stride... */
		CHECK(pcpu_i386_translate(&mmu, (uint32_t)dyn + (c << SHIFT), &phys, NULL) == PCPU_OK,
		      "%s: cpu %u: dyn", name, c);
		*(volatile unsigned char *)(dyn + (c << SHIFT)) = (unsigned char)(0x40 + c);
		CHECK(sim[phys] == 0x40 + c, "%s: cpu %u: dyn byte not in its page", name, c);
	}
	/* ...and reads back its own byte only, through the tables. */
	for (unsigned c = 0; c < NCPUS; c++)
		CHECK(read_va(&mmu, (uint32_t)dyn + (c << SHIFT), &b) == PCPU_OK && b == 0x40 + c,
		      "%s: cpu %u: copies alias", name, c);

	/* The module's data pages, as the page tables have them: the runtime
	 * keeps no copy, so these must come back through unmap_page. */
	uint64_t mod_phys[NCPUS][2];
	for (unsigned c = 0; c < NCPUS; c++)
		for (unsigned k = 0; k < 2; k++)
			CHECK(pcpu_i386_translate(&mmu, (uint32_t)mod + (c << SHIFT) + k * 4096,
						  &mod_phys[c][k], NULL) == PCPU_OK,
			      "%s: cpu %u: module page %u", name, c, k);
	unsigned before = invlpgs, live_before = live_pages, nfree_before = nfree;
	CHECK(pcpu_module_free(rt, mod) == PCPU_OK, "%s: module free", name);
	for (unsigned c = 0; c < NCPUS; c++)
		CHECK(read_va(&mmu, (uint32_t)mod + (c << SHIFT), &b) == PCPU_ERR_NOTMAPPED,
		      "%s: cpu %u: module page still mapped", name, c);
	CHECK(invlpgs >= before + 2 * NCPUS, "%s: %u invlpg for %u unmapped pages", name,
	      invlpgs - before, 2 * NCPUS);
	CHECK(live_pages == live_before - 2 * NCPUS && nfree == nfree_before + 2 * NCPUS,
	      "%s: module free gave back %u pages, not %u", name, live_before - live_pages,
	      2 * NCPUS);
	for (unsigned c = 0; c < NCPUS; c++)
		for (unsigned k = 0; k < 2; k++) {
			unsigned found = 0;
			for (unsigned i = nfree_before; i < nfree; i++)
				found += free_pages[i] == mod_phys[c][k];
			CHECK(found == 1, "%s: cpu %u: module page %u (%#llx) given back %u times",
			      name, c, k, (unsigned long long)mod_phys[c][k], found);
		}
	pcpu_get_stats(rt, &rs);
	CHECK(rs.mapped_pages == mmu.mapped_pages, "%s: runtime %zu pages, page tables %zu", name,
	      rs.mapped_pages, mmu.mapped_pages);
	printf("i386-smoke: %s: %zu pages mapped, %zu boot + %zu normal page-table pages, "
	       "%u failed onlines rolled back\n", name, mmu.mapped_pages, mmu.pt_pages_boot,
	       mmu.pt_pages_normal, online_failures);
}

int main(void)
{
	memfd = memfd_create("i386-smoke-phys", 0);
	if (memfd < 0 || ftruncate(memfd, SIM_SIZE) != 0)
		return perror("i386-smoke: memfd"), 1;
	sim = mmap(NULL, SIM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
	if (sim == MAP_FAILED)
		return perror("i386-smoke: mmap"), 1;
	/* The window, as the kernel would have it: nothing there yet. */
	if (mmap((void *)WINDOW, NCPUS << SHIFT, PROT_NONE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE, -1, 0) !=
	    (void *)WINDOW)
		return perror("i386-smoke: window at 0xc0000000"), 1;
	run(PCPU_I386_PAGING_2LEVEL, 0);
	run(PCPU_I386_PAGING_PAE, 0);
	run(PCPU_I386_PAGING_PAE, 1);
	CHECK(shadow_errors == 0, "%u shadow mmap errors", shadow_errors);
	printf("i386-smoke: %s\n", failures ? "FAILED" : "ok");
	return failures ? 1 : 0;
}
