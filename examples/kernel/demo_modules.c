/* demo_modules.c: the modules qemu hands over as Multiboot modules
 * (-initrd "a.o,b.o arg"), each loaded, initialised, run on every CPU,
 * checked and unloaded; then a load/unload loop.  A module whose command
 * line says expect=refuse must be refused with a message and leave
 * nothing behind; allow=unstamped loads it with MODULE_LOAD_UNSTAMPED (for
 * the test of a module that module.lds did not link).  After every unload the window, the runtime's
 * bookkeeping and the page allocator must be back where they were. */
#include <percpu-vm/percpu.h>
#include <percpu-vm/runtime.h>

#include "demo.h"
#include "kernel.h"
#include "loader.h"
#include "multiboot.h"
#include "percpu_setup.h"
#include "pmem.h"
#include "smp.h"
#include "traps.h"

#define MAX_MODULES 8

struct snapshot {
	struct pcpu_stats st;
	size_t free_pages;
	unsigned mapped; /* by walking the page tables */
};

static void snap(struct snapshot *s)
{
	struct window_census c;
	pcpu_get_stats(demo_rt, &s->st);
	s->free_pages = pmem_free_count();
	window_census(&c);
	s->mapped = c.total;
}

static bool same(const struct snapshot *a, const struct snapshot *b)
{
	return a->st.mapped_pages == b->st.mapped_pages && a->st.live_areas == b->st.live_areas &&
	       a->st.used_bytes == b->st.used_bytes && a->free_pages == b->free_pages &&
	       a->mapped == b->mapped;
}

struct module_file {
	const void *data;
	size_t size;
	char name[48];
	bool expect_refuse;
	unsigned load_flags;
};

static unsigned long run_rounds;
static unsigned n_loaded, n_refused;
static unsigned long n_cycles;

void demo_modules_counts(unsigned *loaded, unsigned *refused, unsigned long *cycles)
{
	*loaded = n_loaded;
	*refused = n_refused;
	*cycles = n_cycles;
}

static void run_module_on_cpu(void *arg)
{
	const struct demo_module *d = arg;
	d->run_on_cpu((void *)run_rounds);
}

void module_run_everywhere(const struct demo_module *d, unsigned long rounds)
{
	if (!d->run_on_cpu)
		return;
	run_rounds = rounds;
	smp_call_all(run_module_on_cpu, (void *)d);
}

/* Every CPU reads its own copy of `page` (an offset in the stride), and
 * the boot CPU reads every CPU's: all must fault.  A CPU that missed a TLB
 * shootdown would still reach the freed page through a stale entry. */
static volatile uint32_t stale_page_off;
static volatile unsigned stale_not_faulted;

static void probe_own_copy(void *arg)
{
	(void)arg;
	uint32_t v;
	uintptr_t a = DEMO_PERCPU_BASE + ((uintptr_t)this_cpu_read(pcpu_cpu_number) << PERCPU_SHIFT) +
		      stale_page_off;
	if (!probe_read32((const volatile uint32_t *)a, &v))
		__atomic_fetch_add(&stale_not_faulted, 1, __ATOMIC_RELAXED);
}

static void check_no_stale_tlb(const char *name, size_t page)
{
	stale_page_off = (uint32_t)(page * PAGE_SIZE);
	stale_not_faulted = 0;
	smp_call_all(probe_own_copy, NULL);
	unsigned cross = 0;
	for (unsigned cpu = 0; cpu < PERCPU_NR_CPUS; cpu++) {
		uint32_t v;
		if (smp_cpu_online(cpu) &&
		    !probe_read32((const volatile uint32_t *)(DEMO_PERCPU_BASE + ((uintptr_t)cpu << PERCPU_SHIFT) +
							       stale_page_off), &v))
			cross++;
	}
	check(stale_not_faulted == 0 && cross == 0,
	      "module %s: after unload every CPU faults on its copy of page offset 0x%x, and CPU 0 "
	      "on every CPU's (no stale TLB entry)",
	      name, stale_page_off);
}

void loader_module_exit(const struct loaded_module *m)
{
	if (m->desc->exit)
		m->desc->exit();
}

/* Load, run everywhere, check, unload; quiet in the loop. */
static bool exercise(const struct module_file *f, struct loaded_module *m, unsigned long rounds,
		     bool verbose)
{
	char err[240];
	int rc = module_load(demo_rt, f->data, f->size, f->name, f->load_flags, m, err, sizeof(err));
	if (rc) {
		check(false, "module %s: load failed: %s", f->name, err);
		return false;
	}
	if (verbose) {
		kprintf("module %s: loaded: image 0x%08lx (%zu pages), per-CPU area at 0x%08lx "
			"(offset 0x%x in every CPU's slot): %zu bytes initialised + %zu zero, align %zu; "
			"%u relocations (%u to per-CPU symbols), %u kernel symbols, stride note: %s\n",
			f->name, (unsigned long)m->image_va, m->image_pages,
			(unsigned long)m->percpu_addr, (uint32_t)(m->percpu_addr - DEMO_PERCPU_BASE),
			m->percpu_init, m->percpu_zero, m->percpu_align, m->relocs, m->percpu_relocs,
			m->kernel_syms,
			m->stride_shift < 0 ? "none" : m->stride_shift == PERCPU_SHIFT ? "matches" : "?");
	}
	bool ok = true;
	if (m->desc->init && m->desc->init() != 0) {
		check(false, "module %s: init failed", f->name);
		ok = false;
	}
	if (ok)
		module_run_everywhere(m->desc, rounds);
	if (ok && m->desc->check) {
		unsigned failed = m->desc->check(smp_online_count(), rounds);
		if (failed)
			ok = false;
	}
	if (verbose)
		report_window("module loaded");
	/* A page offset only this module uses: unloading must unmap it on
	 * every CPU and flush every TLB (the CPUs have just used it). */
	size_t own_page = 0;
	if (m->percpu_addr) {
		size_t off = m->percpu_addr - DEMO_PERCPU_BASE, end = off + m->percpu_init + m->percpu_zero;
		for (size_t p = off / PAGE_SIZE; p * PAGE_SIZE < end && !own_page; p++)
			if (pcpu_page_refcount(demo_rt, p) == 1)
				own_page = p;
	}
	rc = module_unload(demo_rt, m);
	if (rc) {
		check(false, "module %s: unload: %s", f->name, pcpu_strerror(rc));
		ok = false;
	}
	if (own_page && verbose)
		check_no_stale_tlb(f->name, own_page);
	return ok;
}

void demo_modules(const struct multiboot_info *mbi, unsigned long rounds, unsigned long loops)
{
	static struct module_file files[MAX_MODULES];
	static struct loaded_module lm[MAX_MODULES];
	unsigned nfiles = 0;

	if (!(mbi->flags & MBI_MODS) || mbi->mods_count == 0) {
		kprintf("modules: none given (qemu -initrd \"a.o,b.o\")\n");
		return;
	}
	const struct multiboot_module *mods = (const void *)(uintptr_t)mbi->mods_addr;
	for (uint32_t i = 0; i < mbi->mods_count && nfiles < MAX_MODULES; i++) {
		struct module_file *f = &files[nfiles++];
		const char *cmd = mods[i].string ? (const char *)(uintptr_t)mods[i].string : "";
		const char *base = cmd, *p;
		for (p = cmd; *p && *p != ' '; p++)
			if (*p == '/')
				base = p + 1;
		size_t n = (size_t)(p - base);
		if (n >= sizeof(f->name))
			n = sizeof(f->name) - 1;
		memcpy(f->name, base, n);
		f->name[n] = '\0';
		f->data = (const void *)(uintptr_t)mods[i].mod_start;
		f->size = mods[i].mod_end - mods[i].mod_start;
		f->expect_refuse = strstr_k(cmd, "expect=refuse") != NULL;
		f->load_flags = strstr_k(cmd, "allow=unstamped") ? MODULE_LOAD_UNSTAMPED : 0;
	}
	kprintf("modules: %u given\n", nfiles);

	struct snapshot start, now;
	snap(&start);
	for (unsigned i = 0; i < nfiles; i++) {
		struct module_file *f = &files[i];
		struct snapshot before;
		snap(&before);
		if (f->expect_refuse) {
			char err[240];
			int rc = module_load(demo_rt, f->data, f->size, f->name, f->load_flags, &lm[i], err,
					     sizeof(err));
			if (rc == 0) {
				check(false, "module %s: loaded, but it should have been refused", f->name);
				module_unload(demo_rt, &lm[i]);
				continue;
			}
			kprintf("%s (refused)\n", err);
			n_refused++;
			snap(&now);
			check(same(&before, &now),
			      "module %s: refused (%s) and nothing leaked: %zu pages mapped, %zu free pages",
			      f->name, rc > 0 ? pcpu_strerror(rc) : "bad object", now.st.mapped_pages,
			      now.free_pages);
			continue;
		}
		bool ok = exercise(f, &lm[i], rounds, true);
		n_loaded += ok;
		snap(&now);
		check(ok, "module %s: loaded, run on %u CPUs, every CPU's copy checked, unloaded",
		      f->name, smp_online_count());
		check(same(&before, &now),
		      "module %s: after unload its pages are unmapped and given back: %u pages mapped "
		      "(%zu by the runtime), %zu free pages, as before",
		      f->name, now.mapped, now.st.mapped_pages, now.free_pages);
	}

	for (unsigned i = 0; i < nfiles; i++) {
		if (!files[i].expect_refuse) {
			struct snapshot before;
			snap(&before);
			if (demo_hotplug(files[i].data, files[i].size, files[i].name, files[i].load_flags,
					 rounds)) {
				snap(&now);
				check(same(&before, &now),
				      "hotplug: afterwards the window and the free pages are as before");
			}
			break;
		}
	}

	/* The loop: every loadable module at once, unloaded in alternating
	 * orders so the allocator's free and coalescing paths all run. */
	unsigned loadable = 0;
	for (unsigned i = 0; i < nfiles; i++)
		loadable += !files[i].expect_refuse;
	if (!loops || !loadable)
		return;
	unsigned long failures = 0;
	size_t peak_mapped = 0;
	checks_set_quiet(true);
	for (unsigned long cycle = 0; cycle < loops && failures < 5; cycle++) {
		char err[240];
		unsigned loaded[MAX_MODULES], nl = 0;
		for (unsigned i = 0; i < nfiles; i++) {
			if (files[i].expect_refuse)
				continue;
			if (module_load(demo_rt, files[i].data, files[i].size, files[i].name,
					files[i].load_flags, &lm[i], err, sizeof(err))) {
				kprintf("loop %lu: %s\n", cycle, err);
				failures++;
				continue;
			}
			loaded[nl++] = i;
		}
		if (cycle == 0) {
			/* Where each landed with all of them loaded in command-line
			 * order (before any init could allocate): what percpu-layout
			 * predicts for the same files. */
			for (unsigned k = 0; k < nl; k++)
				kprintf("loop: all loaded: %s per-CPU area at 0x%08lx (%zu bytes)\n",
					lm[loaded[k]].name, (unsigned long)lm[loaded[k]].percpu_addr,
					lm[loaded[k]].percpu_init + lm[loaded[k]].percpu_zero);
		}
		for (unsigned k = 0; k < nl; k++) {
			const struct demo_module *d = lm[loaded[k]].desc;
			if (d->init && d->init() != 0)
				failures++;
		}
		struct pcpu_stats st;
		pcpu_get_stats(demo_rt, &st);
		if (st.mapped_pages > peak_mapped)
			peak_mapped = st.mapped_pages;
		if (cycle % 100 == 0) {
			for (unsigned k = 0; k < nl; k++) {
				const struct demo_module *d = lm[loaded[k]].desc;
				module_run_everywhere(d, 1);
				if (d->check && d->check(smp_online_count(), 1))
					failures++;
			}
		}
		for (unsigned k = 0; k < nl; k++) {
			unsigned i = loaded[(cycle & 1) ? nl - 1 - k : k];
			if (module_unload(demo_rt, &lm[i]))
				failures++;
		}
	}
	checks_set_quiet(false);
	n_cycles = loops;
	snap(&now);
	kprintf("loop: %lu load/unload cycles of %u modules; pages mapped: %zu at the start, "
		"up to %zu while loaded, %zu at the end; free pages %zu -> %zu; %lu TLB shootdowns so far\n",
		loops, loadable, start.st.mapped_pages, peak_mapped, now.st.mapped_pages,
		start.free_pages, now.free_pages, percpu_shootdowns());
	check(failures == 0, "loop: %lu cycles without a failure", loops);
	check(same(&start, &now),
	      "loop: the mapped-page count is back where it started (%zu pages, %u by walking the "
	      "page tables) and so are the free pages (%zu)",
	      now.st.mapped_pages, now.mapped, now.free_pages);
}
