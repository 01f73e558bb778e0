/* rt_fixture.h: a runtime over the fake arch, state snapshots and the
 * model-free invariant check shared by the runtime's test programs. */
#ifndef PERCPU_VM_TEST_RT_FIXTURE_H
#define PERCPU_VM_TEST_RT_FIXTURE_H

#include "fake_arch.h"
#include "runtime_state.h" /* the runtime's insides, to check invariants */

struct rt_fixture {
	struct fake_arch f;
	struct pcpu_runtime_storage storage;
	struct pcpu_runtime *rt;
	unsigned char *meta;     /* meta_size bytes for the runtime, then a guard */
	size_t meta_size;        /* exactly pcpu_runtime_meta_size() */
};
/* Bytes after the runtime's bookkeeping that it must never write. */
#define RT_META_GUARD 64
#define RT_META_FILL 0xee

/* Everything a failing call must leave as it was. */
struct rt_snapshot {
	unsigned char storage[PCPU_RUNTIME_SIZE];
	unsigned char *meta;
	size_t meta_size;
	unsigned char *window;
	int32_t *map;
	size_t window_pages;
	long live_pages, mapped;
};

void fixture_init(struct rt_fixture *x, unsigned shift, unsigned nr_cpus, unsigned max_areas,
		  bool with_flush);
void fixture_destroy(struct rt_fixture *x);

void snapshot_take(struct rt_snapshot *s, const struct rt_fixture *x);
/* NULL when equal, else which part differs. */
const char *snapshot_diff(const struct rt_snapshot *s, const struct rt_fixture *x);
void snapshot_free(struct rt_snapshot *s);

/* Checks S1-S5 and the allocator's invariants against the fake arch's view:
 * no overlap, alignment, no area in the guard page, reference counts,
 * mapped set == covered page offsets x online CPUs, the guard page mapped
 * on no CPU, no page leaked, no contract violation, lock free,
 * nothing written past the meta_size bytes of bookkeeping.
 * Returns NULL or a description of the first failure (static buffer). */
const char *check_invariants(const struct rt_fixture *x);

#endif
