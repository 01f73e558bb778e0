/* tests/arch/pt-normal-alloc.h: the "normal" page-table allocator the
 * page-table tests (i386, x86-64) give their mmu after the boot-time one: a
 * LIFO free list over the simulated pages [NORMAL_START, NORMAL_END), with
 * counters and a fault injector (fail the Nth allocation, counting from 1).
 * The including test defines NORMAL_START and NORMAL_END. */
#ifndef PERCPU_VM_TESTS_PT_NORMAL_ALLOC_H
#define PERCPU_VM_TESTS_PT_NORMAL_ALLOC_H

#include <stddef.h>
#include <stdint.h>
#include <CUnit/CUnit.h>

#include <percpu-vm/pt_alloc.h>
#include <percpu-vm/runtime.h>

struct normal_alloc {
	uint64_t free_list[(NORMAL_END - NORMAL_START) / 4096];
	size_t nfree;
	size_t live;       /* handed out and not given back */
	size_t calls;      /* alloc calls so far */
	size_t fail_at;    /* 0: never */
};
static struct normal_alloc na;

static void normal_reset(void)
{
	na.nfree = 0;
	for (uint64_t p = NORMAL_END; p > NORMAL_START; p -= 4096)
		na.free_list[na.nfree++] = p - 4096;
	na.live = na.calls = na.fail_at = 0;
}

static int normal_alloc(void *ctx, uint64_t *phys)
{
	CU_ASSERT_PTR_EQUAL(ctx, &na);
	na.calls++;
	if ((na.fail_at && na.calls == na.fail_at) || na.nfree == 0)
		return PCPU_ERR_NOMEM;
	*phys = na.free_list[--na.nfree];
	na.live++;
	return PCPU_OK;
}

static void normal_free(void *ctx, uint64_t phys)
{
	CU_ASSERT_PTR_EQUAL(ctx, &na);
	CU_ASSERT(phys >= NORMAL_START && phys < NORMAL_END);
	na.free_list[na.nfree++] = phys;
	na.live--;
}

static const struct pcpu_pt_alloc normal_ops = { &na, normal_alloc, normal_free };

#endif /* PERCPU_VM_TESTS_PT_NORMAL_ALLOC_H */
