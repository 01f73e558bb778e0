/* tests/loader/loader-host.c: the kernel services examples/kernel/loader.c
 * uses, for a hosted x86-64 process (loader-host.h says why below 4 GiB). */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <percpu-vm/config.h>
#include <percpu-vm/hosted.h>

#include "kernel.h"
#include "ksyms.h"
#include "loader.h"
#include "pmem.h"
#include "loader-host.h"

#define MAX_AREAS 64u

static struct pcpu_hosted *host;
static struct pcpu_runtime_storage storage;
static struct pcpu_runtime *rt;
static void *meta;
static unsigned char static_tmpl[LOADER_HOST_STATIC_INIT];
static size_t image_pages;

/* What ksyms.c exports, at made-up addresses for the plain ones (module
 * code never runs here) and in the static area for the per-CPU ones. */
static const char *const plain_exports[] = {
	"kprintf", "demo_check", "demo_nr_cpus", "demo_cpu_online", "memcpy",
	"memset", "__per_cpu_offset", "__alloc_percpu", "free_percpu",
};
static const char *const percpu_exports[] = {
	"pcpu_cpu_number", "pcpu_this_cpu_off", "demo_module_ticks",
};
#define PLAIN_EXPORT_BASE 0x00100000u

int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	return vsnprintf(buf, size, fmt, ap);
}

int ksnprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

uint32_t pmem_alloc_pages(size_t n)
{
	size_t len = (n + 1) * PAGE_SIZE;
	uint8_t *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT,
			  -1, 0);
	if (p == MAP_FAILED)
		return 0;
	if (mprotect(p + n * PAGE_SIZE, PAGE_SIZE, PROT_NONE)) {
		munmap(p, len);
		return 0;
	}
	image_pages += n;
	return (uint32_t)(uintptr_t)p;
}

void pmem_free_pages(uint32_t phys, size_t n)
{
	if (munmap((void *)(uintptr_t)phys, (n + 1) * PAGE_SIZE) == 0)
		image_pages -= n;
}

bool ksym_lookup(const char *name, uintptr_t *addr, bool *percpu)
{
	for (unsigned i = 0; i < ARRAY_SIZE(plain_exports); i++) {
		if (!strcmp(plain_exports[i], name)) {
			*addr = PLAIN_EXPORT_BASE + 16 * i;
			*percpu = false;
			return true;
		}
	}
	for (unsigned i = 0; i < ARRAY_SIZE(percpu_exports); i++) {
		if (!strcmp(percpu_exports[i], name)) {
			*addr = (uint32_t)(pcpu_base(rt) + 4 * i);
			*percpu = true;
			return true;
		}
	}
	return false;
}

uint32_t loader_host_ksym(const char *name)
{
	uintptr_t a;
	bool percpu;
	return ksym_lookup(name, &a, &percpu) ? (uint32_t)a : 0;
}

void loader_module_exit(const struct loaded_module *m)
{
	(void)m; /* i386 code: not run */
}

int loader_host_init(void)
{
	char err[256];
	size_t window = (size_t)LOADER_HOST_CPUS << PERCPU_SHIFT;
	/* The first free, window-aligned range from 256 MiB up to 2 GiB
	 * (AddressSanitizer's shadow starts just below 2 GiB). */
	int rc = PCPU_ERR_MAPPED;
	for (uintptr_t base = 0x10000000; rc == PCPU_ERR_MAPPED && base + window <= 0x7fff0000;
	     base += window > 0x10000000 ? window : 0x10000000) {
		struct pcpu_hosted_params hp = { .base = base, .shift = PERCPU_SHIFT,
						 .nr_cpus = LOADER_HOST_CPUS };
		rc = pcpu_hosted_create(&hp, &host, err, sizeof(err));
	}
	if (rc) {
		fprintf(stderr, "loader-host: no per-CPU window below 2 GiB: %s\n", err);
		return -1;
	}
	size_t msize = pcpu_runtime_meta_size(PERCPU_SHIFT, LOADER_HOST_CPUS, MAX_AREAS);
	meta = malloc(msize);
	struct pcpu_params p = { pcpu_hosted_base(host), PERCPU_SHIFT, LOADER_HOST_CPUS, MAX_AREAS,
				 meta, msize, pcpu_hosted_ops(host) };
	if (!meta || (rc = pcpu_runtime_init(&storage, &p, &rt)) || (rc = pcpu_cpu_online(rt, 1)) ||
	    (rc = pcpu_static_init(rt, static_tmpl, sizeof(static_tmpl), LOADER_HOST_STATIC_ZERO))) {
		fprintf(stderr, "loader-host: runtime: %s\n", meta ? pcpu_strerror(rc) : "no memory");
		loader_host_fini();
		return -1;
	}
	return 0;
}

void loader_host_fini(void)
{
	if (host)
		pcpu_hosted_destroy(host);
	free(meta);
	host = NULL;
	meta = NULL;
	rt = NULL;
}

struct pcpu_runtime *loader_host_rt(void)
{
	return rt;
}

uintptr_t loader_host_window_base(void)
{
	return pcpu_hosted_base(host);
}

void loader_host_usage(struct loader_host_usage *u)
{
	struct pcpu_stats st;
	struct pcpu_hosted_stats hs;
	pcpu_get_stats(rt, &st);
	pcpu_hosted_get_stats(host, &hs);
	u->image_pages = image_pages;
	u->used_bytes = st.used_bytes;
	u->live_areas = st.live_areas;
	u->mapped_pages = st.mapped_pages;
	u->data_pages = hs.data_pages;
}

bool loader_host_same_usage(const struct loader_host_usage *a, const struct loader_host_usage *b)
{
	return a->image_pages == b->image_pages && a->used_bytes == b->used_bytes &&
	       a->live_areas == b->live_areas && a->mapped_pages == b->mapped_pages &&
	       a->data_pages == b->data_pages;
}
