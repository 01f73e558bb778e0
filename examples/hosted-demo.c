/* examples/hosted-demo.c: the per-CPU runtime on its hosted backend.
 *
 * Four simulated CPUs share one window reserved in this process; the
 * runtime maps 4 KiB pages into it for a static area (the "kernel's"
 * .data.percpu and .bss.percpu), two module areas and a dynamic
 * allocation, and this program prints what got mapped where, writes every
 * CPU's copy through base + cpu * stride, and unloads a module to show its
 * pages going away.  It exits non-zero if anything does not add up.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <percpu-vm/config.h>
#include <percpu-vm/hosted.h>
#include <percpu-vm/runtime.h>

#define DEMO_CPUS 4u
/* The configured stride, but at least 64 KiB: the areas below (a 9 KiB
 * static template, two modules, a dynamic area) need that much room. */
#define DEMO_SHIFT (PERCPU_SHIFT > 16 ? PERCPU_SHIFT : 16)
#define DEMO_STRIDE (1ul << DEMO_SHIFT)
#define DEMO_MAX_AREAS 16u

static int failures;

#define CHECK(cond, ...) do { \
		if (!(cond)) { \
			failures++; \
			printf("  CHECK FAILED: "); \
			printf(__VA_ARGS__); \
			printf("\n"); \
		} \
	} while (0)

/* The "kernel image's" per-CPU template: what .data.percpu would hold. */
struct kernel_percpu {
	char name[16];
	uint64_t irq_count;
	uint64_t ticks;
	unsigned char runqueue[9000];
};

static const char *kind_name(enum pcpu_area_kind k)
{
	switch (k) {
	case PCPU_AREA_STATIC: return "static";
	case PCPU_AREA_MODULE: return "module";
	case PCPU_AREA_DYNAMIC: return "dynamic";
	}
	return "?";
}

static bool print_area(const struct pcpu_area_info *a, void *arg)
{
	(void)arg;
	printf("  %-8s offset %#7zx  size %6zu  align %4zu  pages %zu-%zu\n", kind_name(a->kind),
	       a->offset, a->size, a->align, a->offset / PCPU_PAGE_SIZE,
	       (a->offset + a->size - 1) / PCPU_PAGE_SIZE);
	return true;
}

/* Print the mapped ranges of each CPU's part of the window. */
static void print_mapped(const struct pcpu_hosted *h)
{
	uintptr_t base = pcpu_hosted_base(h);

	for (unsigned cpu = 0; cpu < DEMO_CPUS; cpu++) {
		uintptr_t start = base + cpu * DEMO_STRIDE, end = start + DEMO_STRIDE;
		printf("  cpu %u (%#lx): %zu pages:", cpu, (unsigned long)start,
		       pcpu_hosted_cpu_mapped_pages(h, cpu));
		for (uintptr_t va = start; va < end;) {
			if (!pcpu_hosted_is_mapped(h, va)) {
				va += PCPU_PAGE_SIZE;
				continue;
			}
			uintptr_t run = va;
			while (va < end && pcpu_hosted_is_mapped(h, va))
				va += PCPU_PAGE_SIZE;
			printf(" +%#lx..+%#lx", (unsigned long)(run - start), (unsigned long)(va - start));
		}
		printf("\n");
	}
}

/* Does touching addr fault?  In a child, with SIGSEGV at its default
 * action (raw syscall: sanitizers intercept sigaction). */
static bool faults(uintptr_t addr)
{
	pid_t pid = fork();
	int status;

	if (pid == 0) {
		struct { void *h; unsigned long f; void *r; unsigned long m; } dfl = { SIG_DFL, 0, 0, 0 };
		syscall(SYS_rt_sigaction, SIGSEGV, &dfl, NULL, sizeof(dfl.m));
		(void)*(volatile char *)addr;
		_exit(0);
	}
	return pid > 0 && waitpid(pid, &status, 0) == pid && WIFSIGNALED(status) &&
	       WTERMSIG(status) == SIGSEGV;
}

static void print_totals(const struct pcpu_runtime *rt, const struct pcpu_hosted *h)
{
	struct pcpu_stats rs;
	struct pcpu_hosted_stats hs;

	pcpu_get_stats(rt, &rs);
	pcpu_hosted_get_stats(h, &hs);
	printf("  runtime: %zu bytes in %zu areas, %zu page offsets x %u CPUs = %zu pages mapped\n",
	       rs.used_bytes, rs.live_areas, rs.mapped_offsets, rs.online_cpus, rs.mapped_pages);
	printf("  backend: %zu data pages allocated, %zu pages mapped\n", hs.data_pages,
	       hs.mapped_pages);
	CHECK(rs.mapped_pages == rs.mapped_offsets * rs.online_cpus,
	      "runtime: mapped pages != offsets x CPUs");
	CHECK(hs.mapped_pages == rs.mapped_pages && hs.data_pages == rs.mapped_pages,
	      "backend and runtime disagree");
	CHECK(hs.misuse == 0, "backend saw %zu bad calls", hs.misuse);
}

int main(int argc, char **argv)
{
	static struct kernel_percpu tmpl = { .name = "kernel", .ticks = 1000 };
	static unsigned char mod_net[2500], mod_fs[6000];
	struct pcpu_hosted_params hp = { .shift = DEMO_SHIFT, .nr_cpus = DEMO_CPUS };
	struct pcpu_runtime_storage storage;
	struct pcpu_runtime *rt;
	struct pcpu_hosted *h;
	char err[256];
	uintptr_t base, net, fs, counters;
	int rc;

	/* --base ADDR picks another window base (default PERCPU_HOSTED_BASE). */
	if (argc == 3 && strcmp(argv[1], "--base") == 0)
		hp.base = (uintptr_t)strtoull(argv[2], NULL, 0);
	else if (argc != 1) {
		fprintf(stderr, "usage: %s [--base ADDR]\n", argv[0]);
		return 2;
	}
	rc = pcpu_hosted_create(&hp, &h, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "hosted-demo: %s\n", err);
		return 1;
	}
	base = pcpu_hosted_base(h);
	size_t msize = pcpu_runtime_meta_size(DEMO_SHIFT, DEMO_CPUS, DEMO_MAX_AREAS);
	void *meta = malloc(msize);
	struct pcpu_params p = { base, DEMO_SHIFT, DEMO_CPUS, DEMO_MAX_AREAS, meta, msize,
				 pcpu_hosted_ops(h) };
	if (!meta || (rc = pcpu_runtime_init(&storage, &p, &rt)) != PCPU_OK) {
		fprintf(stderr, "hosted-demo: runtime init: %s\n", meta ? pcpu_strerror(rc) : "no memory");
		return 1;
	}
	printf("percpu-vm hosted demo: %u simulated CPUs, stride %#lx, window %#lx..%#lx\n",
	       DEMO_CPUS, DEMO_STRIDE, (unsigned long)base,
	       (unsigned long)(base + pcpu_hosted_window_size(h)));

	/* A second window over this one is refused with a clear message. */
	struct pcpu_hosted *h2 = NULL;
	struct pcpu_hosted_params hp2 = { .base = base + DEMO_STRIDE, .shift = DEMO_SHIFT,
					    .nr_cpus = DEMO_CPUS };
	rc = pcpu_hosted_create(&hp2, &h2, err, sizeof(err));
	printf("a second window one stride higher: %s\n", rc ? err : "accepted?!");
	CHECK(rc == PCPU_ERR_MAPPED && !h2, "overlapping window accepted");

	for (unsigned cpu = 1; cpu < DEMO_CPUS; cpu++) {
		rc = pcpu_cpu_online(rt, cpu);
		CHECK(rc == PCPU_OK, "cpu %u online: %s", cpu, pcpu_strerror(rc));
	}
	/* .data.percpu = the struct's first 32 bytes; the runqueue is .bss. */
	rc = pcpu_static_init(rt, &tmpl, offsetof(struct kernel_percpu, runqueue),
			      sizeof(tmpl.runqueue));
	CHECK(rc == PCPU_OK, "static area: %s", pcpu_strerror(rc));
	memset(mod_net, 0x4e, sizeof(mod_net));
	memset(mod_fs, 0x46, sizeof(mod_fs));
	rc = pcpu_module_alloc(rt, mod_net, sizeof(mod_net), 512, 64, &net);
	CHECK(rc == PCPU_OK, "module net: %s", pcpu_strerror(rc));
	rc = pcpu_module_alloc(rt, mod_fs, sizeof(mod_fs), 2000, 4096, &fs);
	CHECK(rc == PCPU_OK, "module fs: %s", pcpu_strerror(rc));
	rc = pcpu_dyn_alloc(rt, 8 * sizeof(uint64_t), 8, &counters);
	CHECK(rc == PCPU_OK, "dynamic: %s", pcpu_strerror(rc));
	if (failures)
		return 1;

	printf("\nareas (offsets inside the stride):\n");
	pcpu_for_each_area(rt, print_area, NULL);
	printf("  module net at %#lx, module fs at %#lx, dynamic counters at %#lx (CPU 0's copies)\n",
	       (unsigned long)net, (unsigned long)fs, (unsigned long)counters);
	printf("\nmapped, per CPU (offsets from the CPU's base):\n");
	print_mapped(h);
	print_totals(rt, h);

	/* Each CPU's copy starts as the template, and each CPU's writes land in
	 * its own copy only. */
	printf("\nwriting every CPU's copy through base + cpu * stride:\n");
	for (unsigned cpu = 0; cpu < DEMO_CPUS; cpu++) {
		struct kernel_percpu *k = (struct kernel_percpu *)(base + cpu * DEMO_STRIDE);
		uint64_t *c = (uint64_t *)(counters + cpu * DEMO_STRIDE);
		CHECK(strcmp(k->name, "kernel") == 0 && k->ticks == 1000 && k->runqueue[8999] == 0,
		      "cpu %u: static copy not initialised", cpu);
		CHECK(*(unsigned char *)(net + cpu * DEMO_STRIDE + 2499) == 0x4e &&
		      *(unsigned char *)(net + cpu * DEMO_STRIDE + 2500) == 0,
		      "cpu %u: module net copy", cpu);
		CHECK(*(unsigned char *)(fs + cpu * DEMO_STRIDE) == 0x46, "cpu %u: module fs copy", cpu);
		CHECK(c[0] == 0, "cpu %u: dynamic area not zero", cpu);
		for (unsigned n = 0; n <= cpu; n++) {
			k->irq_count++;
			c[0] += 10;
		}
	}
	for (unsigned cpu = 0; cpu < DEMO_CPUS; cpu++) {
		struct kernel_percpu *k = (struct kernel_percpu *)(base + cpu * DEMO_STRIDE);
		uint64_t *c = (uint64_t *)(counters + cpu * DEMO_STRIDE);
		printf("  cpu %u: irq_count %llu, counters[0] %llu\n", cpu,
		       (unsigned long long)k->irq_count, (unsigned long long)c[0]);
		CHECK(k->irq_count == cpu + 1 && c[0] == 10 * (cpu + 1), "cpu %u: copies alias", cpu);
	}

	printf("\nunloading module fs (%zu bytes per CPU):\n", sizeof(mod_fs) + 2000);
	rc = pcpu_module_free(rt, fs);
	CHECK(rc == PCPU_OK, "module fs free: %s", pcpu_strerror(rc));
	print_mapped(h);
	print_totals(rt, h);
	for (unsigned cpu = 0; cpu < DEMO_CPUS; cpu++)
		CHECK(faults(fs + cpu * DEMO_STRIDE), "cpu %u: module fs page still accessible", cpu);
	printf("  touching module fs's old address on each CPU now faults (checked in a child)\n");
	CHECK(faults(base + DEMO_STRIDE - 1), "end of CPU 0's stride accessible");

	pcpu_dyn_free(rt, counters);
	pcpu_module_free(rt, net);
	pcpu_hosted_destroy(h);
	free(meta);
	printf("\nhosted demo: %s\n", failures ? "FAILED" : "all checks passed");
	return failures ? 1 : 0;
}
