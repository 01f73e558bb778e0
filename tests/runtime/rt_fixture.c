/* rt_fixture.c: see rt_fixture.h. */
#include "rt_fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void fixture_init(struct rt_fixture *x, unsigned shift, unsigned nr_cpus, unsigned max_areas,
		  bool with_flush)
{
	struct pcpu_params p;
	int err;

	memset(x, 0, sizeof(*x));
	fake_arch_init(&x->f, shift, nr_cpus, with_flush);
	x->meta_size = pcpu_runtime_meta_size(shift, nr_cpus, max_areas);
	if (x->meta_size == 0)
		abort();
	x->meta = malloc(x->meta_size + RT_META_GUARD);
	if (!x->meta)
		abort();
	memset(x->meta, RT_META_FILL, x->meta_size + RT_META_GUARD);
	memset(&p, 0, sizeof(p));
	p.base = x->f.base;
	p.shift = shift;
	p.nr_cpus = nr_cpus;
	p.max_areas = max_areas;
	p.meta = x->meta;
	p.meta_size = x->meta_size;
	p.ops = &x->f.ops;
	err = pcpu_runtime_init(&x->storage, &p, &x->rt);
	if (err) {
		fprintf(stderr, "pcpu_runtime_init: %s\n", pcpu_strerror(err));
		abort();
	}
}

void fixture_destroy(struct rt_fixture *x)
{
	fake_arch_destroy(&x->f);
	free(x->meta);
	memset(x, 0, sizeof(*x));
}

void snapshot_take(struct rt_snapshot *s, const struct rt_fixture *x)
{
	size_t wlen = x->f.window_pages * PCPU_PAGE_SIZE;

	memcpy(s->storage, x->storage.bytes, sizeof(s->storage));
	s->meta_size = x->meta_size;
	s->meta = malloc(x->meta_size);
	s->window_pages = x->f.window_pages;
	s->window = malloc(wlen);
	s->map = malloc(x->f.window_pages * sizeof(*s->map));
	if (!s->meta || !s->window || !s->map)
		abort();
	memcpy(s->meta, x->meta, x->meta_size);
	memcpy(s->window, x->f.window, wlen);
	memcpy(s->map, x->f.map, x->f.window_pages * sizeof(*s->map));
	s->live_pages = x->f.live_pages;
	s->mapped = x->f.mapped;
}

const char *snapshot_diff(const struct rt_snapshot *s, const struct rt_fixture *x)
{
	if (memcmp(s->storage, x->storage.bytes, sizeof(s->storage)))
		return "runtime struct differs";
	if (memcmp(s->meta, x->meta, s->meta_size))
		return "runtime bookkeeping differs";
	if (memcmp(s->map, x->f.map, s->window_pages * sizeof(*s->map)))
		return "mapped pages differ";
	if (memcmp(s->window, x->f.window, s->window_pages * PCPU_PAGE_SIZE))
		return "window contents differ";
	if (s->live_pages != x->f.live_pages)
		return "data pages leaked or lost";
	if (s->mapped != x->f.mapped)
		return "mapping count differs";
	return NULL;
}

void snapshot_free(struct rt_snapshot *s)
{
	free(s->meta);
	free(s->window);
	free(s->map);
	memset(s, 0, sizeof(*s));
}

struct walk_check {
	const struct rt_fixture *x;
	uint32_t *expect_ref;
	size_t prev_end, live, used;
	bool first;
	const char *err;
};

static bool check_area(const struct pcpu_area_info *a, void *arg)
{
	struct walk_check *w = arg;
	const struct pcpu_runtime *rt = w->x->rt;
	void *user = NULL;
	const struct pcpu_area *slot;

	if (!w->first && a->offset < w->prev_end) {
		w->err = "two live areas overlap";
		return false;
	}
	if (a->size == 0 || a->offset + a->size > rt->stride - PCPU_GUARD_SIZE) {
		w->err = "area empty or reaching into the guard page at the stride's end";
		return false;
	}
	if (a->align == 0 || a->offset % a->align) {
		w->err = "area misaligned";
		return false;
	}
	if (a->kind == PCPU_AREA_STATIC && a->offset != 0) {
		w->err = "static area not at offset 0";
		return false;
	}
	/* S4: the slot behind the extent agrees. */
	if (pcpu_alloc_lookup(&rt->alloc, a->offset, NULL, &user) != PCPU_OK) {
		w->err = "walked area not found by lookup";
		return false;
	}
	slot = user;
	if (slot < rt->areas || slot >= rt->areas + rt->max_areas || !slot->used ||
	    slot->offset != a->offset || slot->size != a->size || slot->kind != a->kind) {
		w->err = "S4: area slot does not match its extent";
		return false;
	}
	for (size_t p = a->offset / PCPU_PAGE_SIZE; p <= (a->offset + a->size - 1) / PCPU_PAGE_SIZE; p++)
		w->expect_ref[p]++;
	w->prev_end = a->offset + a->size;
	w->first = false;
	w->live++;
	w->used += a->size;
	return true;
}

const char *check_invariants(const struct rt_fixture *x)
{
	static char msg[256];
	const struct pcpu_runtime *rt = x->rt;
	struct walk_check w;
	struct pcpu_stats st;
	size_t covered = 0, online = 0;
	const char *e;
	unsigned free_slots = 0;

	if (x->f.violations) {
		snprintf(msg, sizeof(msg), "arch contract violated %ld times, last: %s",
			 x->f.violations, x->f.last_violation);
		return msg;
	}
	if (x->f.lock_depth)
		return "lock still held after a call";
	for (size_t i = 0; i < RT_META_GUARD; i++)
		if (x->meta[x->meta_size + i] != RT_META_FILL)
			return "the runtime wrote past its meta_size bytes of bookkeeping";
	e = pcpu_alloc_verify(&rt->alloc);
	if (e)
		return e;
	memset(&w, 0, sizeof(w));
	w.x = x;
	w.first = true;
	w.expect_ref = calloc(rt->nr_pages, sizeof(uint32_t));
	if (!w.expect_ref)
		abort();
	pcpu_for_each_area(rt, check_area, &w);
	if (w.err) {
		free(w.expect_ref);
		return w.err;
	}
	for (size_t p = 0; p < rt->nr_pages; p++) {
		if (pcpu_page_refcount(rt, p) != w.expect_ref[p]) {
			snprintf(msg, sizeof(msg), "S1: page %zu refcount %u, %u areas touch it", p,
				 pcpu_page_refcount(rt, p), w.expect_ref[p]);
			free(w.expect_ref);
			return msg;
		}
		if (w.expect_ref[p])
			covered++;
		for (unsigned cpu = 0; cpu < rt->nr_cpus; cpu++) {
			bool want = w.expect_ref[p] && pcpu_cpu_is_online(rt, cpu);

			if (fake_arch_is_mapped(&x->f, cpu, p) != want) {
				snprintf(msg, sizeof(msg), "S2: cpu %u page %zu is %smapped", cpu, p,
					 want ? "not " : "");
				free(w.expect_ref);
				return msg;
			}
		}
	}
	free(w.expect_ref);
	/* S5: the guard page, the stride's last, is mapped on no CPU. */
	for (unsigned cpu = 0; cpu < rt->nr_cpus; cpu++)
		if (fake_arch_is_mapped(&x->f, cpu, (rt->stride - PCPU_GUARD_SIZE) / PCPU_PAGE_SIZE)) {
			snprintf(msg, sizeof(msg), "S5: cpu %u's guard page is mapped", cpu);
			return msg;
		}
	for (unsigned cpu = 0; cpu < rt->nr_cpus; cpu++)
		online += pcpu_cpu_is_online(rt, cpu);
	pcpu_get_stats(rt, &st);
	if (st.mapped_offsets != covered || st.online_cpus != online ||
	    st.mapped_pages != covered * online || (long)st.mapped_pages != x->f.mapped)
		return "S3: mapped page counts wrong";
	if (x->f.live_pages != x->f.mapped)
		return "a data page is held but not mapped (leak)";
	if (st.live_areas != w.live || st.used_bytes != w.used)
		return "stats disagree with the areas";
	for (unsigned i = rt->free_area; i != PCPU_NO_AREA; i = rt->areas[i].next_free) {
		if (i >= rt->max_areas || rt->areas[i].used || free_slots > rt->max_areas)
			return "S4: free slot list broken";
		free_slots++;
	}
	if (free_slots + w.live != rt->max_areas)
		return "S4: slots lost";
	return NULL;
}
