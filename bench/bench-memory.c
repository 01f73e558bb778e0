/* bench/bench-memory.c: resident per-CPU memory, percpu-vm against the
 * classic 2006 scheme and a Linux-style first chunk (issue 2, Benchmark).
 *
 * Three scenarios, each on top of the previous one:
 *   (a) the static area: 68,556 bytes (the per-CPU section of a Linux 6.1
 *       i386 tinyconfig+SMP kernel);
 *   (b) + 40 modules with 200..6,000 bytes of per-CPU data each;
 *   (c) + 1,000 dynamic allocations of 4..256 bytes;
 * for 1, 4, 16, 64 and 256 CPUs.  Sizes come from a seeded generator, so
 * every run prints the same table.
 *
 * percpu-vm is measured: the real runtime runs on the hosted backend (a
 * real mmap'ed window) and the figure is its own bookkeeping
 * (pcpu_get_stats: pages mapped), cross-checked against the backend's page
 * count.  The other columns are computed from the same allocation list:
 *   tight bound   ceil(used bytes / 4096) pages per CPU;
 *   classic 2006  static + 8 KiB module reserve per CPU, one bootmem block
 *                 (PERCPU_ENOUGH_ROOM); modules that do not fit in the 8 KiB
 *                 cannot load ("fit" column).  alloc_percpu() then was a
 *                 kmalloc per CPU outside that block: not in the column, its
 *                 cost at slab sizes is printed below the table;
 *   Linux-style   first chunk of static + 8 KiB reserved + 20 KiB dynamic,
 *                 page rounded, fully resident; modules go to the reserved
 *                 part while they fit, the rest (and the dynamic
 *                 allocations) to the dynamic part, then to further chunks
 *                 of the same unit size whose pages are populated on
 *                 demand (counted page rounded).
 * Target: percpu-vm <= tight bound + one page per CPU per allocation class
 * present (static, modules, dynamic), checked on every row.
 *
 * Below the table, the runtime's own bookkeeping for each CPU count
 * (pcpu_runtime_meta_size(), the bytes each run was given): it must not
 * grow with the CPU count beyond the online bitmap, a bit per CPU.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <percpu-vm/hosted.h>
#include <percpu-vm/runtime.h>

#define PAGE 4096ul
#define STATIC_BYTES 68556ul
#define NR_MODULES 40
#define MOD_MIN 200ul
#define MOD_MAX 6000ul
#define NR_DYN 1000
#define DYN_MIN 4ul
#define DYN_MAX 256ul
#define CLASSIC_MODULE_RESERVE 8192ul
#define LINUX_RESERVED 8192ul
#define LINUX_DYNAMIC 20480ul
#define SEED 0x2006051705ull
/* The stride does not change what is resident; 1 MiB keeps 256 CPUs at
 * 256 MiB of reserved address space. */
#define BENCH_SHIFT 20u
#define MAX_AREAS (1 + NR_MODULES + NR_DYN + 8)

struct alloc_req {
	size_t size, align;
};
static struct alloc_req modules[NR_MODULES], dyns[NR_DYN];

static uint64_t rng_state = SEED;
static uint64_t rng(void)
{
	/* xorshift64*: small, seeded, the same on every host. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static size_t uniform(size_t lo, size_t hi)
{
	return lo + (size_t)(rng() % (hi - lo + 1));
}

static void make_requests(void)
{
	static const size_t mod_aligns[] = { 8, 16, 32, 64 };

	for (int i = 0; i < NR_MODULES; i++) {
		modules[i].size = uniform(MOD_MIN, MOD_MAX);
		modules[i].align = mod_aligns[rng() % 4];
	}
	for (int i = 0; i < NR_DYN; i++) {
		/* alloc_percpu(type): aligned like the type, at most 8. */
		size_t s = uniform(DYN_MIN, DYN_MAX);
		dyns[i].size = s;
		dyns[i].align = s >= 8 ? 8 : 4;
	}
}

static size_t round_up(size_t x, size_t a)
{
	return (x + a - 1) / a * a;
}

static size_t pages_of(size_t bytes)
{
	return (bytes + PAGE - 1) / PAGE;
}

/* ---- the models ------------------------------------------------------- */

/* The 2006 kmalloc size classes (SLAB, i386). */
static size_t kmalloc_size(size_t n)
{
	static const size_t classes[] = { 32, 64, 96, 128, 192, 256, 512 };

	for (size_t i = 0; i < sizeof(classes) / sizeof(classes[0]); i++)
		if (n <= classes[i])
			return classes[i];
	return round_up(n, 4096);
}

struct classic {
	size_t per_cpu;
	int modules_fit;
};

static struct classic classic_2006(int scenario)
{
	struct classic c = { STATIC_BYTES + CLASSIC_MODULE_RESERVE, 0 };
	size_t used = 0;

	if (scenario >= 1)
		for (int i = 0; i < NR_MODULES; i++) {
			size_t at = round_up(used, modules[i].align);
			if (at + modules[i].size <= CLASSIC_MODULE_RESERVE) {
				used = at + modules[i].size;
				c.modules_fit++;
			}
		}
	return c;
}

struct linux_style {
	size_t per_cpu;
	int chunks;
	int modules_reserved; /* modules that fit the reserved part */
};

/* Bump allocation through the dynamic space of the first chunk, then of
 * further chunks, never freeing (the scenarios only add). */
struct linux_dyn {
	size_t unit;      /* chunk unit size per CPU */
	size_t first_end; /* end of the first chunk's dynamic part (offset in unit) */
	int chunk;        /* 0: first chunk */
	size_t used;      /* offset used in the current chunk */
	size_t extra_resident; /* populated pages of the later chunks, bytes */
	size_t cur_top;   /* high-water offset in the current later chunk */
};

static void linux_place(struct linux_dyn *d, size_t size, size_t align)
{
	size_t at = round_up(d->used, align);
	size_t end = d->chunk == 0 ? d->first_end : d->unit;

	if (at + size > end) {
		/* A new chunk: the old one's populated pages stay resident. */
		if (d->chunk > 0)
			d->extra_resident += round_up(d->cur_top, PAGE);
		d->chunk++;
		d->used = 0;
		d->cur_top = 0;
		at = 0;
	}
	d->used = at + size;
	if (d->chunk > 0 && d->used > d->cur_top)
		d->cur_top = d->used;
}

static struct linux_style linux_first_chunk(int scenario)
{
	struct linux_style l = { 0, 1, 0 };
	size_t first = round_up(STATIC_BYTES + LINUX_RESERVED + LINUX_DYNAMIC, PAGE);
	struct linux_dyn d = { first, first, 0, STATIC_BYTES + LINUX_RESERVED, 0, 0 };
	size_t reserved_used = 0;

	if (scenario >= 1)
		for (int i = 0; i < NR_MODULES; i++) {
			size_t at = round_up(reserved_used, modules[i].align);
			if (at + modules[i].size <= LINUX_RESERVED) {
				reserved_used = at + modules[i].size;
				l.modules_reserved++;
			} else {
				linux_place(&d, modules[i].size, modules[i].align);
			}
		}
	if (scenario >= 2)
		for (int i = 0; i < NR_DYN; i++)
			linux_place(&d, dyns[i].size, dyns[i].align);
	if (d.chunk > 0)
		d.extra_resident += round_up(d.cur_top, PAGE);
	l.per_cpu = first + d.extra_resident;
	l.chunks = 1 + d.chunk;
	return l;
}

/* ---- percpu-vm, measured ---------------------------------------------- */

struct measured {
	size_t pages[3];     /* mapped pages, all CPUs, after each scenario */
	size_t used[3];      /* bytes in live areas */
	size_t meta;         /* the runtime's bookkeeping bytes */
};

static bool measure(unsigned cpus, struct measured *m)
{
	static unsigned char static_tmpl[STATIC_BYTES], mod_tmpl[MOD_MAX];
	struct pcpu_hosted_params hp = { .shift = BENCH_SHIFT, .nr_cpus = cpus };
	struct pcpu_runtime_storage storage;
	struct pcpu_runtime *rt;
	struct pcpu_hosted *h;
	struct pcpu_stats st;
	struct pcpu_hosted_stats hs;
	char err[256];
	uintptr_t addr;
	int rc;

	rc = pcpu_hosted_create(&hp, &h, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "bench-memory: %s\n", err);
		return false;
	}
	size_t msize = pcpu_runtime_meta_size(BENCH_SHIFT, cpus, MAX_AREAS);
	void *meta = malloc(msize);

	m->meta = msize;
	struct pcpu_params p = { pcpu_hosted_base(h), BENCH_SHIFT, cpus, MAX_AREAS, meta, msize,
				 pcpu_hosted_ops(h) };
	if (!meta || (rc = pcpu_runtime_init(&storage, &p, &rt)) != PCPU_OK)
		goto fail;
	for (unsigned c = 1; c < cpus; c++)
		if ((rc = pcpu_cpu_online(rt, c)) != PCPU_OK)
			goto fail;
	memset(static_tmpl, 0x5a, sizeof(static_tmpl));
	memset(mod_tmpl, 0x6b, sizeof(mod_tmpl));
	for (int scenario = 0; scenario < 3; scenario++) {
		if (scenario == 0)
			rc = pcpu_static_init(rt, static_tmpl, STATIC_BYTES, 0);
		for (int i = 0; scenario == 1 && i < NR_MODULES && !rc; i++) {
			/* Half initialised data, half .bss, like a real module. */
			size_t init = modules[i].size / 2;
			rc = pcpu_module_alloc(rt, mod_tmpl, init, modules[i].size - init,
					       modules[i].align, &addr);
		}
		for (int i = 0; scenario == 2 && i < NR_DYN && !rc; i++)
			rc = pcpu_dyn_alloc(rt, dyns[i].size, dyns[i].align, &addr);
		if (rc)
			goto fail;
		pcpu_get_stats(rt, &st);
		pcpu_hosted_get_stats(h, &hs);
		if (hs.mapped_pages != st.mapped_pages || hs.data_pages != st.mapped_pages ||
		    st.mapped_pages != st.mapped_offsets * cpus) {
			fprintf(stderr, "bench-memory: %u CPUs: runtime says %zu pages, backend %zu mapped / %zu allocated\n",
				cpus, st.mapped_pages, hs.mapped_pages, hs.data_pages);
			rc = PCPU_ERR_STATE;
			goto fail;
		}
		m->pages[scenario] = st.mapped_pages;
		m->used[scenario] = st.used_bytes;
	}
	pcpu_hosted_destroy(h);
	free(meta);
	return true;
fail:
	fprintf(stderr, "bench-memory: %u CPUs: %s\n", cpus, pcpu_strerror(rc));
	pcpu_hosted_destroy(h);
	free(meta);
	return false;
}

/* ---- the table --------------------------------------------------------- */

static void print_bytes(size_t bytes, int width)
{
	printf(" %*zu", width, bytes);
}

int main(void)
{
	static const unsigned cpu_counts[] = { 1, 4, 16, 64, 256 };
	static const char *const names[] = { "(a) static", "(b) +modules", "(c) +dynamic" };
	struct measured m[5];
	size_t mod_total = 0, dyn_total = 0;
	int failures = 0;

	make_requests();
	for (int i = 0; i < NR_MODULES; i++)
		mod_total += modules[i].size;
	for (int i = 0; i < NR_DYN; i++)
		dyn_total += dyns[i].size;
	for (int i = 0; i < 5; i++)
		if (!measure(cpu_counts[i], &m[i]))
			return 1;

	printf("bench-memory: resident per-CPU memory (issue 2), seed %#llx, stride %lu KiB\n",
	       (unsigned long long)SEED, (1ul << BENCH_SHIFT) / 1024);
	printf("  static %lu B; %d modules %zu B total (%lu..%lu each); %d dynamic %zu B total (%lu..%lu each)\n",
	       STATIC_BYTES, NR_MODULES, mod_total, MOD_MIN, MOD_MAX, NR_DYN, dyn_total, DYN_MIN,
	       DYN_MAX);
	printf("  resident bytes per CPU / in total; percpu-vm measured from pcpu_get_stats() on the hosted backend\n\n");
	printf("%-13s %4s | %8s %9s | %8s %9s | %8s %9s %5s | %8s %9s %6s | %s\n", "scenario",
	       "cpus", "vm/cpu", "vm total", "tight/cpu", "tight tot", "2006/cpu", "2006 total",
	       "fit", "linux/cpu", "linux tot", "chunks", "target");
	for (int s = 0; s < 3; s++) {
		struct classic c = classic_2006(s);
		struct linux_style l = linux_first_chunk(s);
		for (int i = 0; i < 5; i++) {
			unsigned n = cpu_counts[i];
			size_t vm_cpu = m[i].pages[s] / n * PAGE;
			size_t tight_pages = pages_of(m[i].used[s]);
			int classes = s + 1;
			bool ok = m[i].pages[s] % n == 0 && m[i].pages[s] / n <= tight_pages + classes;
			char fit[16];

			if (s == 0)
				snprintf(fit, sizeof(fit), "-");
			else
				snprintf(fit, sizeof(fit), "%d/%d", c.modules_fit, NR_MODULES);
			printf("%-13s %4u |", names[s], n);
			print_bytes(vm_cpu, 8);
			print_bytes(vm_cpu * n, 9);
			printf(" |");
			print_bytes(tight_pages * PAGE, 8);
			print_bytes(tight_pages * PAGE * n, 9);
			printf(" |");
			print_bytes(c.per_cpu, 8);
			print_bytes(c.per_cpu * n, 9);
			printf(" %5s |", fit);
			print_bytes(l.per_cpu, 8);
			print_bytes(l.per_cpu * n, 9);
			printf(" %6d | %s (%zu <= %zu+%d pages)\n", l.chunks, ok ? "PASS" : "FAIL",
			       m[i].pages[s] / n, tight_pages, classes);
			failures += !ok;
		}
	}
	size_t kmalloc_bytes = 0;
	for (int i = 0; i < NR_DYN; i++)
		kmalloc_bytes += kmalloc_size(dyns[i].size);
	printf("\n2006: modules beyond the 8 KiB reserve cannot load (fit column); alloc_percpu()\n"
	       "was a kmalloc() per CPU outside the per-CPU block: (c)'s %d allocations would add\n"
	       "%zu bytes per CPU at slab sizes.  Linux-style: modules in the 8 KiB reserved part\n"
	       "while they fit, the rest with the dynamic allocations; chunks after the first\n"
	       "count their populated pages.\n", NR_DYN, kmalloc_bytes);
	printf("\nruntime bookkeeping (pcpu_runtime_meta_size, stride %lu KiB, %u areas, %zu-bit host):\n",
	       (1ul << BENCH_SHIFT) / 1024, (unsigned)MAX_AREAS, sizeof(void *) * 8);
	bool meta_ok = true;
	for (int i = 0; i < 5; i++) {
		unsigned n = cpu_counts[i];
		/* At most a 32-bit word more per 32 CPUs, each part 16-byte rounded. */
		size_t bitmap_growth = ((n + 31) / 32 - 1) * 4 + 16;
		bool ok = m[i].meta >= m[0].meta && m[i].meta - m[0].meta <= bitmap_growth;

		printf("  bookkeeping %4u cpus: %zu bytes (%+zd against 1 CPU) %s\n", n, m[i].meta,
		       (ssize_t)(m[i].meta - m[0].meta), ok ? "PASS" : "FAIL");
		meta_ok &= ok;
	}
	printf("bench-memory: %d of 15 rows within the target\n", 15 - failures);
	return failures || !meta_ok ? 1 : 0;
}
