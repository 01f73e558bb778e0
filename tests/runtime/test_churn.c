/* test_churn.c: the runtime under seeded random churn over the fake arch.
 *
 * 100,000 operations (static area first, then module and dynamic areas of
 * random sizes and alignments, frees, writes into CPUs' copies, CPUs going
 * online and offline, and bad calls that must fail with the right code).
 * After EVERY operation:
 *  - the model-free invariants (rt_fixture.c): no overlap, alignment,
 *    refcount of each page offset == live areas touching it, mapped pages
 *    == covered page offsets x online CPUs, no leaked page, no arch
 *    contract violation (double map, unmap of unmapped, free before flush);
 *  - the runtime's list of areas equals the model's;
 *  - every online CPU's copy of every live area holds exactly the expected
 *    bytes: the template, zeros, or what the test wrote there.
 * Seed: PCPU_CHURN_SEED in the environment, default 1; ops: PCPU_CHURN_OPS. */
#include "../cunit-run.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rt_fixture.h"

/* The configuration of the current run (see main). */
static unsigned cfg_shift, cfg_ncpu, cfg_max_areas;
#define STRIDE ((size_t)1 << cfg_shift)
/* Where areas may lie: everything but the guard page at the stride's end. */
#define USABLE (STRIDE - PCPU_GUARD_SIZE)
#define LIVE_CAP 128

struct m_area {
	uintptr_t addr;
	size_t off, size, init, align;
	int kind;
	unsigned char *tmpl;
};

static struct rt_fixture X;
static struct m_area live[LIVE_CAP];
static unsigned nlive;
static unsigned char *shadow; /* expected bytes, cfg_ncpu * STRIDE */
static unsigned long long rng_state;
static long op_count[16];

static unsigned rnd(unsigned n)
{
	/* xorshift64*: the same sequence on every libc. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (unsigned)((rng_state * 2685821657736338717ULL) >> 33) % n;
}

static unsigned char *cpu_copy(unsigned cpu, size_t off)
{
	return X.f.window + ((size_t)cpu << cfg_shift) + off;
}

static void shadow_init_area(const struct m_area *a, unsigned cpu)
{
	unsigned char *s = shadow + ((size_t)cpu << cfg_shift) + a->off;

	if (a->init)
		memcpy(s, a->tmpl, a->init);
	memset(s + a->init, 0, a->size - a->init);
}

static void add_live(const struct m_area *a)
{
	unsigned at = nlive;

	while (at > 0 && live[at - 1].off > a->off) {
		live[at] = live[at - 1];
		at--;
	}
	live[at] = *a;
	nlive++;
	for (unsigned cpu = 0; cpu < cfg_ncpu; cpu++)
		if (pcpu_cpu_is_online(X.rt, cpu))
			shadow_init_area(&live[at], cpu);
}

static void remove_live(unsigned k)
{
	free(live[k].tmpl);
	memmove(&live[k], &live[k + 1], (nlive - k - 1) * sizeof(live[0]));
	nlive--;
}

/* Is there any aligned free range of `size` bytes (the model's view)? */
static bool model_fits(size_t size, size_t align)
{
	size_t c = 0;

	for (unsigned i = 0; i <= nlive; i++) {
		size_t end = i < nlive ? live[i].off : USABLE;

		if (i > 0)
			c = live[i - 1].off + live[i - 1].size;
		c = (c + align - 1) & ~(align - 1);
		if (c < end && end - c >= size)
			return true;
	}
	return false;
}

struct list_check {
	unsigned i;
	bool ok;
};

static bool compare_area(const struct pcpu_area_info *a, void *arg)
{
	struct list_check *c = arg;

	if (c->i >= nlive || live[c->i].off != a->offset || live[c->i].size != a->size ||
	    (int)a->kind != live[c->i].kind)
		c->ok = false;
	c->i++;
	return c->ok;
}

static const char *check_all(void)
{
	static char msg[200];
	struct list_check lc = { 0, true };
	const char *e = check_invariants(&X);

	if (e)
		return e;
	pcpu_for_each_area(X.rt, compare_area, &lc);
	if (!lc.ok || lc.i != nlive)
		return "runtime's areas differ from the model's";
	for (unsigned k = 0; k < nlive; k++) {
		const struct m_area *a = &live[k];

		if (a->addr != X.f.base + a->off || a->off % a->align)
			return "area address or alignment wrong";
		for (unsigned cpu = 0; cpu < cfg_ncpu; cpu++) {
			if (!pcpu_cpu_is_online(X.rt, cpu))
				continue;
			if (memcmp(cpu_copy(cpu, a->off), shadow + ((size_t)cpu << cfg_shift) + a->off,
				   a->size)) {
				snprintf(msg, sizeof(msg),
					 "cpu %u's copy of area at %zu (kind %d, %zu bytes) holds wrong bytes",
					 cpu, a->off, a->kind, a->size);
				return msg;
			}
		}
	}
	return NULL;
}

static size_t rand_size(void)
{
	unsigned r = rnd(100);

	if (r < 2)
		return 20000 + rnd(50000); /* often more than the room left */
	if (r < 70)
		return 1 + rnd(64);
	if (r < 92)
		return 65 + rnd(960);
	return 1025 + rnd(11000);
}

static size_t rand_align(void)
{
	return (size_t)1 << (rnd(2) ? rnd(4) : rnd(13));
}

static void op_alloc(bool module)
{
	struct m_area a;
	int err;

	memset(&a, 0, sizeof(a));
	a.align = rand_align();
	if (module) {
		a.kind = PCPU_AREA_MODULE;
		a.init = rnd(3) ? rnd(3000) : 0;
		a.size = a.init + (rnd(3) ? rnd(3000) : 0);
		if (a.size == 0)
			a.size = a.init = 1;
		a.tmpl = a.init ? malloc(a.init) : NULL;
		for (size_t i = 0; i < a.init; i++)
			a.tmpl[i] = (unsigned char)(rnd(255) + 1);
		err = pcpu_module_alloc(X.rt, a.tmpl, a.init, a.size - a.init, a.align, &a.addr);
	} else {
		a.kind = PCPU_AREA_DYNAMIC;
		a.size = rand_size();
		err = pcpu_dyn_alloc(X.rt, a.size, a.align, &a.addr);
	}
	if (err == PCPU_OK) {
		a.off = a.addr - X.f.base;
		add_live(&a);
		op_count[module ? 1 : 2]++;
		return;
	}
	free(a.tmpl);
	op_count[3]++;
	op_count[err == PCPU_ERR_NOMETA ? 10 : 11]++;
	if (err == PCPU_ERR_NOMETA) {
		CU_ASSERT_EQUAL(nlive, cfg_max_areas);
	} else if (err == PCPU_ERR_NOSPACE) {
		CU_ASSERT(!model_fits(a.size, a.align));
	} else {
		CU_FAIL("allocation failed with an unexpected error");
	}
}

static void op_free(void)
{
	unsigned k;
	int err;
	uintptr_t addr;
	int kind;

	if (nlive <= 1)
		return;
	k = 1 + rnd(nlive - 1); /* live[0] is the static area */
	addr = live[k].addr;
	kind = live[k].kind;
	err = kind == PCPU_AREA_MODULE ? pcpu_module_free(X.rt, addr) : pcpu_dyn_free(X.rt, addr);
	CU_ASSERT_EQUAL(err, PCPU_OK);
	remove_live(k);
	op_count[4]++;
	/* A second free of the same address, right away, is a double free. */
	if (rnd(8) == 0) {
		err = kind == PCPU_AREA_MODULE ? pcpu_module_free(X.rt, addr) : pcpu_dyn_free(X.rt, addr);
		CU_ASSERT_EQUAL(err, PCPU_ERR_DOUBLEFREE);
		op_count[5]++;
	}
}

static void op_write(void)
{
	unsigned k = rnd(nlive), cpu = rnd(cfg_ncpu);
	size_t from, len;

	if (!pcpu_cpu_is_online(X.rt, cpu))
		return;
	from = rnd((unsigned)live[k].size);
	len = 1 + rnd((unsigned)(live[k].size - from));
	for (size_t i = 0; i < len; i++) {
		unsigned char b = (unsigned char)rnd(256);

		*cpu_copy(cpu, live[k].off + from + i) = b;
		shadow[((size_t)cpu << cfg_shift) + live[k].off + from + i] = b;
	}
	op_count[6]++;
}

static void op_online(void)
{
	unsigned cpu = rnd(cfg_ncpu);

	if (pcpu_cpu_is_online(X.rt, cpu)) {
		CU_ASSERT_EQUAL(pcpu_cpu_online(X.rt, cpu), PCPU_ERR_CPU);
		return;
	}
	CU_ASSERT_EQUAL_FATAL(pcpu_cpu_online(X.rt, cpu), PCPU_OK);
	for (unsigned k = 0; k < nlive; k++)
		shadow_init_area(&live[k], cpu);
	op_count[7]++;
}

static void op_offline(void)
{
	unsigned cpu = rnd(cfg_ncpu);

	if (!pcpu_cpu_is_online(X.rt, cpu)) {
		CU_ASSERT_EQUAL(pcpu_cpu_offline(X.rt, cpu), PCPU_ERR_CPU);
		return;
	}
	CU_ASSERT_EQUAL_FATAL(pcpu_cpu_offline(X.rt, cpu), PCPU_OK);
	op_count[8]++;
}

/* Calls that must fail, with their code, changing nothing. */
static void op_bad(void)
{
	unsigned k = rnd(nlive);
	const struct m_area *a = &live[k];
	struct rt_snapshot s;
	bool snap = rnd(16) == 0;
	const char *d;

	if (snap)
		snapshot_take(&s, &X);
	switch (rnd(4)) {
	case 0: /* inside an area: never a start (tombstones are never covered) */
		if (a->size > 1) {
			CU_ASSERT_EQUAL(pcpu_dyn_free(X.rt, a->addr + 1 + rnd((unsigned)a->size - 1)),
					PCPU_ERR_NOTALLOC);
		}
		break;
	case 1: /* the wrong kind */
		if (a->kind == PCPU_AREA_DYNAMIC) {
			CU_ASSERT_EQUAL(pcpu_module_free(X.rt, a->addr), PCPU_ERR_KIND);
		} else {
			CU_ASSERT_EQUAL(pcpu_dyn_free(X.rt, a->addr), PCPU_ERR_KIND);
		}
		break;
	case 2: /* outside the stride, or in its guard page */
		CU_ASSERT_EQUAL(pcpu_dyn_free(X.rt, X.f.base + STRIDE + a->off), PCPU_ERR_NOTALLOC);
		CU_ASSERT_EQUAL(pcpu_dyn_free(X.rt, X.f.base + USABLE + rnd(PCPU_GUARD_SIZE)),
				PCPU_ERR_NOTALLOC);
		CU_ASSERT_EQUAL(pcpu_dyn_free(X.rt, X.f.base - 4096), PCPU_ERR_NOTALLOC);
		break;
	default: /* bad alignment or size */
		{
			uintptr_t addr = 1;

			CU_ASSERT_EQUAL(pcpu_dyn_alloc(X.rt, 8, 3 << rnd(8), &addr), PCPU_ERR_ALIGN);
			CU_ASSERT_EQUAL(pcpu_dyn_alloc(X.rt, 8, 8192, &addr), PCPU_ERR_ALIGN);
			CU_ASSERT_EQUAL(pcpu_dyn_alloc(X.rt, USABLE + 1, 1, &addr), PCPU_ERR_NOSPACE);
			CU_ASSERT_EQUAL(pcpu_dyn_alloc(X.rt, 0, 8, &addr), PCPU_ERR_INVAL);
			CU_ASSERT_EQUAL(addr, 1);
		}
	}
	if (snap) {
		d = snapshot_diff(&s, &X);
		CU_ASSERT_PTR_NULL(d);
		if (d)
			fprintf(stderr, "bad call changed state: %s\n", d);
		snapshot_free(&s);
	}
	op_count[9]++;
}

static void run_churn(unsigned shift, unsigned ncpu, unsigned max_areas, long default_ops)
{
	const char *env_seed = getenv("PCPU_CHURN_SEED");
	const char *env_ops = getenv("PCPU_CHURN_OPS");
	unsigned long seed = env_seed ? strtoul(env_seed, NULL, 0) : 1;
	long ops = env_ops ? strtol(env_ops, NULL, 0) : default_ops;
	struct m_area st;
	const char *e;

	cfg_shift = shift;
	cfg_ncpu = ncpu;
	cfg_max_areas = max_areas;
	nlive = 0;
	memset(op_count, 0, sizeof(op_count));
	rng_state = seed * 0x9E3779B97F4A7C15ULL + 1;
	fixture_init(&X, cfg_shift, cfg_ncpu, cfg_max_areas, true);
	shadow = calloc(cfg_ncpu, STRIDE);
	CU_ASSERT_PTR_NOT_NULL_FATAL(shadow);
	/* Boot: CPUs 0..2 online, then the static area (5000 + 2000 bytes). */
	CU_ASSERT_EQUAL_FATAL(pcpu_cpu_online(X.rt, 1), PCPU_OK);
	CU_ASSERT_EQUAL_FATAL(pcpu_cpu_online(X.rt, 2), PCPU_OK);
	memset(&st, 0, sizeof(st));
	st.kind = PCPU_AREA_STATIC;
	st.init = STRIDE / 4 < 5000 ? STRIDE / 4 : 5000;
	st.size = st.init + st.init / 2;
	st.align = PCPU_PAGE_SIZE;
	st.tmpl = malloc(st.init);
	for (size_t i = 0; i < st.init; i++)
		st.tmpl[i] = (unsigned char)(i * 7 + 3);
	CU_ASSERT_EQUAL_FATAL(pcpu_static_init(X.rt, st.tmpl, st.init, st.size - st.init), PCPU_OK);
	st.addr = X.f.base;
	add_live(&st);
	e = check_all();
	CU_ASSERT_PTR_NULL_FATAL(e);

	for (long op = 0; op < ops; op++) {
		size_t used = 0;
		unsigned r = rnd(100);

		for (unsigned k = 0; k < nlive; k++)
			used += live[k].size;
		/* Keep about 16-24 KiB in use so frees and allocations balance,
		 * except in "fill" phases (every fourth 2,000 operations) that
		 * allocate until the stride or the bookkeeping is full. */
		if ((op / 2000) % 4 == 3)
			r = r < 80 ? r % 37 : r;
		else if (used > STRIDE * 3 / 8 && r < 40)
			r += 30;
		if (r < 25)
			op_alloc(false);
		else if (r < 37)
			op_alloc(true);
		else if (r < 70)
			op_free();
		else if (r < 88)
			op_write();
		else if (r < 92)
			op_online();
		else if (r < 95)
			op_offline();
		else
			op_bad();
		e = check_all();
		if (e) {
			fprintf(stderr, "seed %lu, after operation %ld: %s\n", seed, op, e);
			CU_FAIL_FATAL("invariant broken (see stderr)");
		}
	}
	printf("\n  stride %zu, %u CPUs, %u areas, seed %lu, %ld ops: %ld dyn, %ld module allocs, %ld refused (%ld bookkeeping full, %ld no room), %ld frees, "
	       "%ld double frees, %ld writes, %ld online, %ld offline, %ld bad calls; "
	       "%ld data pages allocated, %ld maps\n",
	       STRIDE, ncpu, max_areas, seed, ops, op_count[2], op_count[1], op_count[3], op_count[10], op_count[11], op_count[4], op_count[5],
	       op_count[6], op_count[7], op_count[8], op_count[9], X.f.page_allocs, X.f.map_calls);
	/* Every kind of operation really happened. */
	CU_ASSERT(op_count[1] > ops / 100 && op_count[2] > ops / 100 && op_count[4] > ops / 100);
	CU_ASSERT(op_count[7] > ops / 1000 && op_count[8] > ops / 1000);
	CU_ASSERT(op_count[10] > ops / 1000 && op_count[11] > ops / 1000); /* both refusals */

	/* Tear everything down: every page goes back. */
	while (nlive > 1) {
		unsigned k = nlive - 1;
		int err = live[k].kind == PCPU_AREA_MODULE ? pcpu_module_free(X.rt, live[k].addr)
							   : pcpu_dyn_free(X.rt, live[k].addr);

		CU_ASSERT_EQUAL(err, PCPU_OK);
		remove_live(k);
	}
	for (unsigned cpu = 0; cpu < cfg_ncpu; cpu++)
		if (pcpu_cpu_is_online(X.rt, cpu)) {
			CU_ASSERT_EQUAL(pcpu_cpu_offline(X.rt, cpu), PCPU_OK);
		}
	CU_ASSERT_PTR_NULL(check_all());
	CU_ASSERT_EQUAL(X.f.live_pages, 0);
	CU_ASSERT_EQUAL(X.f.mapped, 0);
	remove_live(0);
	free(shadow);
	fixture_destroy(&X);
}

/* 64 KiB stride, 6 CPUs: the main run. */
static void test_churn_main(void)
{
	run_churn(16, 6, 96, 100000);
}

/* 16 KiB stride (3 usable page offsets and the guard), 40 CPUs (the
 * online bitmap's second word), little bookkeeping: a crowded window. */
static void test_churn_crowded(void)
{
	run_churn(14, 40, 24, 20000);
}

static const struct cunit_test tests[] = {
	{ "100,000 random operations, invariants after each", test_churn_main },
	{ "20,000 operations in a crowded window, 40 CPUs", test_churn_crowded },
};

int main(void)
{
	return CUNIT_RUN("churn", tests);
}
