/* runtime/arch/hosted/hosted.c: the runtime's arch hooks in user space.
 *
 * The window is one PROT_NONE reservation; a mapped per-CPU page is a
 * MAP_SHARED|MAP_FIXED view of one page of a memfd (the "physical" memory)
 * placed over it, and unmapping puts a PROT_NONE anonymous page back.  The
 * same memfd is mapped once more as a "direct map"
 * (pcpu_hosted_phys_to_virt), so a write through either address is seen
 * through the other, as with a kernel's direct map and its page tables.
 *
 * A process cannot read its own page tables, so this backend keeps their
 * stand-in: `window`, the physical page behind each window page, which is
 * where unmap_page finds what it reports.  That table is test
 * infrastructure (a uint32_t per window page); a kernel's arch reads the
 * real page-table entry instead, and the runtime keeps no such table.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <percpu-vm/config.h>
#include <percpu-vm/hosted.h>

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

#define HPAGE 4096u
#define NO_PAGE UINT32_MAX
#define PAGE_LIVE 1u   /* handed out by alloc_data_page */
#define PAGE_MAPPED 2u /* mapped in the window */

struct pcpu_hosted {
	struct pcpu_arch_ops ops;
	uintptr_t base;
	size_t window_size;
	unsigned shift, nr_cpus;
	pthread_mutex_t lock;

	int memfd;
	uint8_t *direct;        /* the memfd mapped whole: phys p is direct + p */
	size_t max_pages;
	size_t bump;            /* pages below this have been handed out once */
	uint32_t *free_list;    /* page numbers given back, reused first */
	size_t nfree;
	uint8_t *page_state;    /* per physical page: PAGE_LIVE | PAGE_MAPPED */

	uint32_t *window;       /* per window page: physical page mapped there, or NO_PAGE */
	size_t *cpu_mapped;     /* per CPU: pages mapped */

	/* Ranges that were mapped before the window was reserved (adopted). */
	uintptr_t adopted_start[PCPU_HOSTED_MAX_ADOPTED], adopted_end[PCPU_HOSTED_MAX_ADOPTED];
	unsigned nadopted;

	struct pcpu_hosted_stats st;
	size_t page_calls, page_fail_at, map_calls, map_fail_at;
};

static void set_err(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (!err || len == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
}

static int hosted_alloc_data_page(void *ctx, unsigned cpu, uint64_t *phys)
{
	struct pcpu_hosted *h = ctx;
	uint32_t pg;

	(void)cpu; /* one node: every page is local */
	h->page_calls++;
	if (h->page_fail_at && h->page_calls == h->page_fail_at) {
		h->st.failed_allocs++;
		return PCPU_ERR_NOMEM;
	}
	if (h->nfree)
		pg = h->free_list[--h->nfree];
	else if (h->bump < h->max_pages)
		pg = (uint32_t)h->bump++;
	else {
		h->st.failed_allocs++;
		return PCPU_ERR_NOMEM;
	}
	h->page_state[pg] = PAGE_LIVE;
	*phys = (uint64_t)pg * HPAGE;
	h->st.allocs++;
	if (++h->st.data_pages > h->st.data_pages_peak)
		h->st.data_pages_peak = h->st.data_pages;
	return PCPU_OK;
}

static bool phys_is_live(const struct pcpu_hosted *h, uint64_t phys)
{
	return !(phys % HPAGE) && phys / HPAGE < h->bump && (h->page_state[phys / HPAGE] & PAGE_LIVE);
}

static void hosted_free_data_page(void *ctx, unsigned cpu, uint64_t phys)
{
	struct pcpu_hosted *h = ctx;
	uint32_t pg = (uint32_t)(phys / HPAGE);

	(void)cpu;
	/* A page still mapped in the window would be a use after free. */
	if (!phys_is_live(h, phys) || (h->page_state[pg] & PAGE_MAPPED)) {
		h->st.misuse++;
		return;
	}
	/* Give the memory back to the kernel too: a freed page reads as zero
	 * and costs nothing, so resident memory follows the runtime's use. */
	(void)fallocate(h->memfd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)phys, HPAGE);
	h->page_state[pg] = 0;
	h->free_list[h->nfree++] = pg;
	h->st.frees++;
	h->st.data_pages--;
}

static bool window_index(const struct pcpu_hosted *h, uintptr_t va, size_t *idx)
{
	if (va < h->base || va - h->base >= h->window_size)
		return false;
	*idx = (va - h->base) / HPAGE;
	return true;
}

static int hosted_map_page(void *ctx, uintptr_t va, uint64_t phys)
{
	struct pcpu_hosted *h = ctx;
	size_t idx;
	void *p;

	/* One window address per page: the runtime never aliases a page. */
	if ((va % HPAGE) || !window_index(h, va, &idx) || !phys_is_live(h, phys) ||
	    (h->page_state[phys / HPAGE] & PAGE_MAPPED)) {
		h->st.misuse++;
		return PCPU_ERR_INVAL;
	}
	if (h->window[idx] != NO_PAGE)
		return PCPU_ERR_MAPPED;
	h->map_calls++;
	if (h->map_fail_at && h->map_calls == h->map_fail_at) {
		h->st.failed_maps++;
		return PCPU_ERR_NOMEM;
	}
	p = mmap((void *)va, HPAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, h->memfd,
		 (off_t)phys);
	if (p == MAP_FAILED) { /* e.g. vm.max_map_count reached */
		h->st.failed_maps++;
		return PCPU_ERR_NOMEM;
	}
	h->window[idx] = (uint32_t)(phys / HPAGE);
	h->page_state[phys / HPAGE] |= PAGE_MAPPED;
	h->cpu_mapped[(va - h->base) >> h->shift]++;
	h->st.maps++;
	if (++h->st.mapped_pages > h->st.mapped_pages_peak)
		h->st.mapped_pages_peak = h->st.mapped_pages;
	return PCPU_OK;
}

static int hosted_unmap_page(void *ctx, uintptr_t va, uint64_t *phys)
{
	struct pcpu_hosted *h = ctx;
	size_t idx;

	if ((va % HPAGE) || !window_index(h, va, &idx) || h->window[idx] == NO_PAGE) {
		h->st.misuse++;
		return PCPU_ERR_NOTMAPPED;
	}
	/* Replace, never munmap: the hole would let another mmap in. */
	if (mmap((void *)va, HPAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE,
		 -1, 0) == MAP_FAILED) {
		/* Only if the kernel is out of VMAs: fall back to a PROT_NONE
		 * view of the shared page, still faulting on every access. */
		(void)mprotect((void *)va, HPAGE, PROT_NONE);
	}
	*phys = (uint64_t)h->window[idx] * HPAGE;
	h->page_state[h->window[idx]] &= (uint8_t)~PAGE_MAPPED;
	h->window[idx] = NO_PAGE;
	h->cpu_mapped[(va - h->base) >> h->shift]--;
	h->st.unmaps++;
	h->st.mapped_pages--;
	return PCPU_OK;
}

static void hosted_flush_tlb(void *ctx, uintptr_t va, size_t len)
{
	struct pcpu_hosted *h = ctx;

	/* mmap changes are visible to every thread at once: nothing to do. */
	(void)va;
	(void)len;
	h->st.flushes++;
}

static void hosted_lock(void *ctx)
{
	pthread_mutex_lock(&((struct pcpu_hosted *)ctx)->lock);
}

static void hosted_unlock(void *ctx)
{
	pthread_mutex_unlock(&((struct pcpu_hosted *)ctx)->lock);
}

/* Unmap the window except the adopted ranges. */
static void unmap_window(struct pcpu_hosted *h)
{
	uintptr_t at = h->base, end = h->base + h->window_size;

	for (unsigned i = 0; i < h->nadopted; i++) {
		if (h->adopted_start[i] > at)
			munmap((void *)at, h->adopted_start[i] - at);
		at = h->adopted_end[i];
	}
	if (at < end)
		munmap((void *)at, end - at);
}

/* The window overlaps existing mappings: find them in /proc/self/maps
 * (sorted by address), remember them and reserve only the gaps between. */
static int reserve_around_existing(struct pcpu_hosted *h, char *err, size_t err_len)
{
	uintptr_t lo = h->base, hi = h->base + h->window_size;
	char line[512];
	FILE *f = fopen("/proc/self/maps", "re");

	if (!f) {
		set_err(err, err_len, "hosted window: /proc/self/maps: %s", strerror(errno));
		return PCPU_ERR_NOMEM;
	}
	h->nadopted = 0;
	while (fgets(line, sizeof(line), f)) {
		unsigned long s, e;
		if (sscanf(line, "%lx-%lx", &s, &e) != 2 || e <= lo || s >= hi)
			continue;
		if (h->nadopted == PCPU_HOSTED_MAX_ADOPTED) {
			fclose(f);
			set_err(err, err_len, "hosted window %#lx..%#lx: more than %u existing mappings inside",
				(unsigned long)lo, (unsigned long)hi, PCPU_HOSTED_MAX_ADOPTED);
			return PCPU_ERR_MAPPED;
		}
		h->adopted_start[h->nadopted] = s < lo ? lo : s;
		h->adopted_end[h->nadopted] = e > hi ? hi : e;
		h->nadopted++;
	}
	fclose(f);
	/* Gap i is [end of adopted range i-1 (or lo), start of range i (or hi)). */
	for (unsigned i = 0; i <= h->nadopted; i++) {
		uintptr_t gs = i ? h->adopted_end[i - 1] : lo;
		uintptr_t ge = i < h->nadopted ? h->adopted_start[i] : hi;
		void *w;

		if (ge <= gs)
			continue;
		w = mmap((void *)gs, ge - gs, PROT_NONE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE, -1, 0);
		if (w == (void *)gs)
			continue;
		/* Something appeared meanwhile: give back the gaps taken so far. */
		if (w != MAP_FAILED)
			munmap(w, ge - gs);
		for (unsigned j = 0; j < i; j++) {
			uintptr_t s2 = j ? h->adopted_end[j - 1] : lo;
			if (h->adopted_start[j] > s2)
				munmap((void *)s2, h->adopted_start[j] - s2);
		}
		set_err(err, err_len, "hosted window %#lx..%#lx: could not reserve %#lx..%#lx",
			(unsigned long)lo, (unsigned long)hi, (unsigned long)gs, (unsigned long)ge);
		h->nadopted = 0;
		return PCPU_ERR_MAPPED;
	}
	return PCPU_OK;
}

static void free_tables(struct pcpu_hosted *h)
{
	free(h->free_list);
	free(h->page_state);
	free(h->window);
	free(h->cpu_mapped);
	free(h);
}

int pcpu_hosted_create(const struct pcpu_hosted_params *p, struct pcpu_hosted **out,
		       char *err, size_t err_len)
{
	struct pcpu_hosted *h;
	uintptr_t base;
	size_t size, pages;
	void *w;

	set_err(err, err_len, "no error");
	if (!p || !out) {
		set_err(err, err_len, "hosted window: NULL parameters");
		return PCPU_ERR_INVAL;
	}
	base = p->base ? p->base : (uintptr_t)PERCPU_HOSTED_BASE;
	if (p->shift < PCPU_MIN_SHIFT || p->shift > PCPU_MAX_SHIFT) {
		/* the runtime's strides (contract.h): one usable page and the guard at least */
		set_err(err, err_len, "hosted window: shift %u out of range %u..%u", p->shift,
			PCPU_MIN_SHIFT, PCPU_MAX_SHIFT);
		return PCPU_ERR_INVAL;
	}
	if (p->nr_cpus == 0 || p->nr_cpus > PCPU_MAX_CPUS) {
		set_err(err, err_len, "hosted window: %u CPUs out of range 1..%u", p->nr_cpus,
			PCPU_MAX_CPUS);
		return PCPU_ERR_INVAL;
	}
	if (base % HPAGE) {
		set_err(err, err_len, "hosted window: base %#lx not page aligned",
			(unsigned long)base);
		return PCPU_ERR_INVAL;
	}
	size = (size_t)p->nr_cpus << p->shift;
	if (base + size < base) {
		set_err(err, err_len, "hosted window: base %#lx + %zu bytes wraps around",
			(unsigned long)base, size);
		return PCPU_ERR_INVAL;
	}
	pages = size / HPAGE;
	if (p->max_pages > UINT32_MAX - 1 || pages > UINT32_MAX - 1) {
		set_err(err, err_len, "hosted window: too many pages");
		return PCPU_ERR_INVAL;
	}

	h = calloc(1, sizeof(*h));
	if (!h) {
		set_err(err, err_len, "hosted window: out of memory");
		return PCPU_ERR_NOMEM;
	}
	h->base = base;
	h->window_size = size;
	h->shift = p->shift;
	h->nr_cpus = p->nr_cpus;
	h->max_pages = p->max_pages ? p->max_pages : pages;
	h->memfd = -1;
	h->direct = MAP_FAILED;
	h->free_list = malloc(h->max_pages * sizeof(*h->free_list));
	h->page_state = calloc(h->max_pages, 1);
	h->window = malloc(pages * sizeof(*h->window));
	h->cpu_mapped = calloc(p->nr_cpus, sizeof(*h->cpu_mapped));
	if (!h->free_list || !h->page_state || !h->window || !h->cpu_mapped) {
		free_tables(h);
		set_err(err, err_len, "hosted window: out of memory for %zu pages of bookkeeping",
			pages);
		return PCPU_ERR_NOMEM;
	}
	memset(h->window, 0xff, pages * sizeof(*h->window)); /* NO_PAGE everywhere */

	/* The window: reserved, inaccessible, never replacing a mapping. */
	w = mmap((void *)base, size, PROT_NONE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE, -1, 0);
	if (p->adopt_existing && w != (void *)base && (w != MAP_FAILED || errno == EEXIST)) {
		int rc;
		/* Placed elsewhere: a kernel (or valgrind) without NOREPLACE
		 * treated the address as a hint because something is there. */
		if (w != MAP_FAILED)
			munmap(w, size);
		rc = reserve_around_existing(h, err, err_len);
		if (rc) {
			free_tables(h);
			return rc;
		}
		w = (void *)base;
	}
	if (w == MAP_FAILED || w != (void *)base) {
		int e = errno;
		if (w != MAP_FAILED) /* a kernel without NOREPLACE took it as a hint */
			munmap(w, size);
		free_tables(h);
		if (w != MAP_FAILED || e == EEXIST) {
			set_err(err, err_len,
				"hosted window %#lx..%#lx (%u CPUs x %#lx): address range already in use; "
				"choose another base", (unsigned long)base,
				(unsigned long)(base + size), p->nr_cpus, 1ul << p->shift);
			return PCPU_ERR_MAPPED;
		}
		set_err(err, err_len, "hosted window %#lx..%#lx: mmap: %s", (unsigned long)base,
			(unsigned long)(base + size), strerror(e));
		return PCPU_ERR_NOMEM;
	}

	h->memfd = memfd_create("percpu-vm-phys", MFD_CLOEXEC);
	if (h->memfd < 0 || ftruncate(h->memfd, (off_t)(h->max_pages * HPAGE)) != 0) {
		set_err(err, err_len, "hosted physical memory (%zu pages): %s", h->max_pages,
			strerror(errno));
		goto fail;
	}
	h->direct = mmap(NULL, h->max_pages * HPAGE, PROT_READ | PROT_WRITE, MAP_SHARED,
			 h->memfd, 0);
	if (h->direct == MAP_FAILED) {
		set_err(err, err_len, "hosted direct map (%zu pages): %s", h->max_pages,
			strerror(errno));
		goto fail;
	}
	pthread_mutex_init(&h->lock, NULL);

	h->ops.ctx = h;
	h->ops.alloc_data_page = hosted_alloc_data_page;
	h->ops.free_data_page = hosted_free_data_page;
	h->ops.map_page = hosted_map_page;
	h->ops.unmap_page = hosted_unmap_page;
	h->ops.flush_tlb = hosted_flush_tlb;
	h->ops.lock = hosted_lock;
	h->ops.unlock = hosted_unlock;
	*out = h;
	return PCPU_OK;

fail:
	if (h->memfd >= 0)
		close(h->memfd);
	unmap_window(h);
	free_tables(h);
	return PCPU_ERR_NOMEM;
}

void pcpu_hosted_destroy(struct pcpu_hosted *h)
{
	if (!h)
		return;
	unmap_window(h);
	munmap(h->direct, h->max_pages * HPAGE);
	close(h->memfd);
	pthread_mutex_destroy(&h->lock);
	free_tables(h);
}

const struct pcpu_arch_ops *pcpu_hosted_ops(struct pcpu_hosted *h)
{
	return &h->ops;
}

uintptr_t pcpu_hosted_base(const struct pcpu_hosted *h)
{
	return h->base;
}

size_t pcpu_hosted_window_size(const struct pcpu_hosted *h)
{
	return h->window_size;
}

unsigned pcpu_hosted_shift(const struct pcpu_hosted *h)
{
	return h->shift;
}

unsigned pcpu_hosted_nr_cpus(const struct pcpu_hosted *h)
{
	return h->nr_cpus;
}

void *pcpu_hosted_phys_to_virt(const struct pcpu_hosted *h, uint64_t phys)
{
	return phys / HPAGE < h->max_pages ? h->direct + phys : NULL;
}

bool pcpu_hosted_is_mapped(const struct pcpu_hosted *h, uintptr_t va)
{
	size_t idx;

	return window_index(h, va, &idx) && h->window[idx] != NO_PAGE;
}

size_t pcpu_hosted_cpu_mapped_pages(const struct pcpu_hosted *h, unsigned cpu)
{
	return cpu < h->nr_cpus ? h->cpu_mapped[cpu] : 0;
}

void pcpu_hosted_get_stats(const struct pcpu_hosted *h, struct pcpu_hosted_stats *st)
{
	*st = h->st;
}

void pcpu_hosted_fail_nth_page(struct pcpu_hosted *h, size_t n)
{
	h->page_calls = 0;
	h->page_fail_at = n;
}

void pcpu_hosted_fail_nth_map(struct pcpu_hosted *h, size_t n)
{
	h->map_calls = 0;
	h->map_fail_at = n;
}
