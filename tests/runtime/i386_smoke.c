/* i386_smoke.c: run the runtime as built for the kernel.
 *
 * freestanding.sh links this program -m32 against
 * runtime/libpercpu-runtime-i386.a (the objects compiled with
 * $(KERNEL_CFLAGS)) and runs it, so the i386 build is exercised, not just
 * compiled.  A small arch backend over a static window: pages from a fixed
 * pool, a map table, counts checked at the end.  Prints one line per
 * failure and exits non-zero if there was any. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <percpu-vm/runtime.h>

#define SHIFT 16
#define NCPU 4
#define NPAGES_WINDOW ((NCPU << SHIFT) / 4096)
#define POOL 64

static unsigned char window[NCPU << SHIFT] __attribute__((aligned(4096)));
static int pool_used[POOL]; /* "physical" pages 1..POOL: nobody touches them */
static int map[NPAGES_WINDOW]; /* pool index + 1, or 0: the page tables */
static int live_pages, mapped, bad;
static unsigned char meta[64 * 1024] __attribute__((aligned(16)));
static unsigned char tmpl[10000];
static int failures;

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond)) {                                                 \
			printf("i386_smoke.c:%d: check failed: %s\n", __LINE__, #cond); \
			failures++;                                            \
		}                                                              \
	} while (0)

static int alloc_page(void *ctx, unsigned cpu, uint64_t *phys)
{
	(void)ctx;
	(void)cpu;
	for (int i = 0; i < POOL; i++)
		if (!pool_used[i]) {
			pool_used[i] = 1;
			live_pages++;
			*phys = (uint64_t)(i + 1) << 12;
			return 0;
		}
	return PCPU_ERR_NOMEM;
}

static void free_page(void *ctx, unsigned cpu, uint64_t phys)
{
	int i = (int)(phys >> 12) - 1;

	(void)ctx;
	(void)cpu;
	if (i < 0 || i >= POOL || !pool_used[i] || (phys & 0xfff))
		bad++;
	else {
		pool_used[i] = 0;
		live_pages--;
	}
}

static int map_page(void *ctx, uintptr_t va, uint64_t phys)
{
	size_t wp = (va - (uintptr_t)window) / 4096;

	(void)ctx;
	if (wp >= NPAGES_WINDOW || map[wp]) {
		bad++;
		return PCPU_ERR_MAPPED;
	}
	map[wp] = (int)(phys >> 12);
	mapped++;
	memset(window + wp * 4096, 0x5a, 4096); /* garbage the runtime must clear */
	return 0;
}

static int unmap_page(void *ctx, uintptr_t va, uint64_t *phys)
{
	size_t wp = (va - (uintptr_t)window) / 4096;

	(void)ctx;
	if (wp >= NPAGES_WINDOW || !map[wp]) {
		bad++;
		return PCPU_ERR_NOTMAPPED;
	}
	*phys = (uint64_t)map[wp] << 12;
	map[wp] = 0;
	mapped--;
	return 0;
}

static int zero(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return 0;
	return 1;
}

int main(void)
{
	static const struct pcpu_arch_ops ops = {
		.alloc_data_page = alloc_page, .free_data_page = free_page,
		.map_page = map_page, .unmap_page = unmap_page,
	};
	struct pcpu_runtime_storage st;
	struct pcpu_runtime *rt;
	struct pcpu_params p = { 0 };
	struct pcpu_stats s;
	unsigned long offs[NCPU];
	uintptr_t m, d;
	unsigned char *q;

	CHECK(sizeof(void *) == 4);
	for (size_t i = 0; i < sizeof(tmpl); i++)
		tmpl[i] = (unsigned char)(i * 3 + 1);
	p.base = (uintptr_t)window;
	p.shift = SHIFT;
	p.nr_cpus = NCPU;
	p.max_areas = 16;
	p.meta = meta;
	p.meta_size = sizeof(meta);
	p.ops = &ops;
	CHECK(pcpu_runtime_meta_size(SHIFT, NCPU, 16) <= sizeof(meta));
	CHECK(pcpu_runtime_init(&st, &p, &rt) == 0);
	/* Boot order: static area, then the other CPUs, then the offsets. */
	CHECK(pcpu_static_init(rt, tmpl, 6000, 3000) == 0);
	for (unsigned c = 1; c < NCPU; c++)
		CHECK(pcpu_cpu_online(rt, c) == 0);
	pcpu_fill_offsets(rt, offs, NCPU);
	for (unsigned c = 0; c < NCPU; c++) {
		CHECK(offs[c] == (unsigned long)c << SHIFT);
		CHECK(memcmp(window + (c << SHIFT), tmpl, 6000) == 0);
		CHECK(zero(window + (c << SHIFT) + 6000, 3000));
	}
	CHECK(pcpu_module_alloc(rt, tmpl + 9, 5000, 100, 32, &m) == 0);
	CHECK(m == (uintptr_t)window + 9024);
	CHECK(pcpu_dyn_alloc(rt, 24, 8, &d) == 0);
	for (unsigned c = 0; c < NCPU; c++) {
		CHECK(memcmp(window + (c << SHIFT) + 9024, tmpl + 9, 5000) == 0);
		CHECK(zero(window + (c << SHIFT) + (d - (uintptr_t)window), 24));
	}
	pcpu_get_stats(rt, &s);
	CHECK(s.mapped_offsets == 4 && s.mapped_pages == 16 && s.live_areas == 3);
	CHECK(mapped == 16 && live_pages == 16);
	pcpu_api_set_runtime(rt);
	q = pcpu_api_alloc(100, 4);
	CHECK(q && zero(q, 100));
	pcpu_api_free(q);
	CHECK(pcpu_api_bad_frees() == 0);
	CHECK(pcpu_module_free(rt, m) == 0);
	CHECK(pcpu_module_free(rt, m) == PCPU_ERR_DOUBLEFREE);
	CHECK(pcpu_dyn_free(rt, d) == 0);
	CHECK(pcpu_cpu_offline(rt, 3) == 0);
	pcpu_get_stats(rt, &s);
	CHECK(s.mapped_offsets == 3 && s.mapped_pages == 9);
	CHECK(mapped == 9 && live_pages == 9 && bad == 0);
	CHECK(strcmp(pcpu_strerror(PCPU_ERR_DOUBLEFREE), "double free") == 0);

	/* The bookkeeping as the kernel build sizes it: nothing per (CPU, page
	 * offset), so 4096 CPUs cost a bigger bitmap only, and a 256 times
	 * bigger stride 4 bytes per page offset.  (The last two windows would
	 * not fit a 32-bit address space; the figures say what the parts cost.) */
	static const struct { unsigned cpus, shift; } cfg[] = { { 64, 20 }, { 4096, 20 }, { 64, 28 } };
	size_t msz[3];
	for (int i = 0; i < 3; i++) {
		msz[i] = pcpu_runtime_meta_size(cfg[i].shift, cfg[i].cpus, 256);
		printf("i386 runtime bookkeeping: %u CPUs, shift %u, 256 areas: %zu bytes\n",
		       cfg[i].cpus, cfg[i].shift, msz[i]);
	}
	CHECK(msz[0] > 0 && msz[0] < 20 * 1024);
	CHECK(msz[1] >= msz[0] && msz[1] - msz[0] <= 4096 / 8);
	CHECK(msz[2] - msz[0] == ((1u << 16) - (1u << 8)) * 4);
	printf("i386 runtime smoke test: %d failure(s)\n", failures);
	return failures != 0;
}
