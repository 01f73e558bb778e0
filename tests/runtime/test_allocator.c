/* test_allocator.c: the offset allocator on its own (runtime/allocator.c).
 *
 * Every error code is provoked and each failing call is checked to leave the
 * allocator byte-for-byte as it was; first fit, alignment, coalescing and
 * the tombstone rules are checked against expectations worked out by hand;
 * a seeded random run compares every placement with a naive model. */
#include "../cunit-run.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <percpu-vm/allocator.h>

#define MAX_LIVE 16

static unsigned char meta[65536] __attribute__((aligned(16)));
static struct pcpu_allocator A;

/* A copy of everything the allocator owns, to prove a call changed nothing. */
struct snap {
	struct pcpu_allocator a;
	struct pcpu_alloc_extent ext[2 * 4096 + 1];
	struct pcpu_alloc_tomb tomb[4096];
};
static struct snap before, after;

static void take(struct snap *s, const struct pcpu_allocator *a)
{
	memset(s, 0, sizeof(*s));
	memcpy(&s->a, a, sizeof(*a));
	memcpy(s->ext, a->ext, a->nr_ext * sizeof(a->ext[0]));
	memcpy(s->tomb, a->tomb, a->nr_tomb * sizeof(a->tomb[0]));
}

#define UNCHANGED_BY(call, expect)                                              \
	do {                                                                    \
		take(&before, &A);                                              \
		CU_ASSERT_EQUAL((call), (expect));                              \
		take(&after, &A);                                               \
		CU_ASSERT(memcmp(&before, &after, sizeof(before)) == 0);        \
		CU_ASSERT_PTR_NULL(pcpu_alloc_verify(&A));                      \
	} while (0)

static void fresh(size_t space, unsigned max_live)
{
	CU_ASSERT_FATAL(pcpu_alloc_meta_size(max_live) <= sizeof(meta));
	CU_ASSERT_EQUAL_FATAL(pcpu_alloc_init(&A, space, max_live, meta, sizeof(meta)), PCPU_OK);
}

static size_t take_off(size_t size, size_t align)
{
	size_t off = (size_t)-1;

	CU_ASSERT_EQUAL(pcpu_alloc_alloc(&A, size, align, NULL, &off), PCPU_OK);
	CU_ASSERT_PTR_NULL(pcpu_alloc_verify(&A));
	return off;
}

static void test_init_errors(void)
{
	struct pcpu_allocator a;

	CU_ASSERT_EQUAL(pcpu_alloc_meta_size(0), 0);
	CU_ASSERT_EQUAL(pcpu_alloc_init(&a, 4096, 0, meta, sizeof(meta)), PCPU_ERR_INVAL);
	CU_ASSERT_EQUAL(pcpu_alloc_init(&a, 0, 4, meta, sizeof(meta)), PCPU_ERR_INVAL);
	CU_ASSERT_EQUAL(pcpu_alloc_init(&a, 4096, 4, NULL, sizeof(meta)), PCPU_ERR_INVAL);
	CU_ASSERT_EQUAL(pcpu_alloc_init(NULL, 4096, 4, meta, sizeof(meta)), PCPU_ERR_INVAL);
	CU_ASSERT_EQUAL(pcpu_alloc_init(&a, 4096, 4, meta, pcpu_alloc_meta_size(4) - 1),
			PCPU_ERR_INVAL);
	CU_ASSERT_EQUAL(pcpu_alloc_init(&a, 4096, 4, meta, pcpu_alloc_meta_size(4)), PCPU_OK);
	CU_ASSERT_EQUAL(pcpu_alloc_largest_free(&a), 4096);
	CU_ASSERT_EQUAL(pcpu_alloc_used(&a), 0);
	CU_ASSERT_PTR_NULL(pcpu_alloc_verify(&a));
}

static void test_first_fit_and_alignment(void)
{
	fresh(1 << 20, MAX_LIVE);
	CU_ASSERT_EQUAL(take_off(100, 1), 0);
	CU_ASSERT_EQUAL(take_off(8, 8), 104);     /* 100 rounded up to 8 */
	CU_ASSERT_EQUAL(take_off(1, 4096), 4096); /* a page boundary */
	CU_ASSERT_EQUAL(take_off(3, 1), 100);     /* first fit: the padding hole */
	CU_ASSERT_EQUAL(take_off(16, 64), 128);
	CU_ASSERT_EQUAL(pcpu_alloc_live(&A), 5);
	CU_ASSERT_EQUAL(pcpu_alloc_used(&A), 100 + 8 + 1 + 3 + 16);
	/* Free the first area: a later small request reuses offset 0. */
	CU_ASSERT_EQUAL(pcpu_alloc_free(&A, 0, NULL, NULL), PCPU_OK);
	CU_ASSERT_EQUAL(take_off(50, 2), 0);
	CU_ASSERT_EQUAL(take_off(40, 4), 52);
	CU_ASSERT_PTR_NULL(pcpu_alloc_verify(&A));
}

static void test_coalescing(void)
{
	size_t a, b, c, d, size;
	void *user;
	int tag_b = 0;

	fresh(4 * 4096, MAX_LIVE);
	a = take_off(4096, 4096);
	CU_ASSERT_EQUAL(pcpu_alloc_alloc(&A, 4096, 4096, &tag_b, &b), PCPU_OK);
	c = take_off(4096, 4096);
	d = take_off(4096, 4096);
	CU_ASSERT_EQUAL(pcpu_alloc_largest_free(&A), 0);
	CU_ASSERT_EQUAL(pcpu_alloc_lookup(&A, b, &size, &user), PCPU_OK);
	CU_ASSERT_EQUAL(size, 4096);
	CU_ASSERT_PTR_EQUAL(user, &tag_b);
	/* a and c: two separate gaps, nothing 8 KiB long. */
	CU_ASSERT_EQUAL(pcpu_alloc_free(&A, a, NULL, NULL), PCPU_OK);
	CU_ASSERT_EQUAL(pcpu_alloc_free(&A, c, NULL, NULL), PCPU_OK);
	CU_ASSERT_EQUAL(pcpu_alloc_largest_free(&A), 4096);
	UNCHANGED_BY(pcpu_alloc_fit(&A, 8192, 1, &size), PCPU_ERR_NOSPACE);
	/* freeing b joins a, b and c into one 12 KiB gap: one extent. */
	CU_ASSERT_EQUAL(pcpu_alloc_free(&A, b, &size, &user), PCPU_OK);
	CU_ASSERT_EQUAL(size, 4096);
	CU_ASSERT_PTR_EQUAL(user, &tag_b);
	CU_ASSERT_EQUAL(pcpu_alloc_largest_free(&A), 3 * 4096);
	CU_ASSERT_EQUAL(A.nr_ext, 2);
	CU_ASSERT_EQUAL(pcpu_alloc_free(&A, d, NULL, NULL), PCPU_OK);
	CU_ASSERT_EQUAL(A.nr_ext, 1);
	CU_ASSERT_EQUAL(pcpu_alloc_largest_free(&A), 4 * 4096);
	CU_ASSERT_EQUAL(take_off(4 * 4096, 4096), 0);
}

static void test_err_inval_and_align(void)
{
	size_t off = 12345;

	fresh(65536, MAX_LIVE);
	take_off(10, 1);
	UNCHANGED_BY(pcpu_alloc_alloc(&A, 0, 8, NULL, &off), PCPU_ERR_INVAL);
	UNCHANGED_BY(pcpu_alloc_alloc(&A, 8, 0, NULL, &off), PCPU_ERR_ALIGN);
	UNCHANGED_BY(pcpu_alloc_alloc(&A, 8, 3, NULL, &off), PCPU_ERR_ALIGN);
	UNCHANGED_BY(pcpu_alloc_alloc(&A, 8, 24, NULL, &off), PCPU_ERR_ALIGN);
	UNCHANGED_BY(pcpu_alloc_alloc(&A, 8, 8192, NULL, &off), PCPU_ERR_ALIGN);
	UNCHANGED_BY(pcpu_alloc_alloc(&A, 8, (size_t)1 << 40, NULL, &off), PCPU_ERR_ALIGN);
	UNCHANGED_BY(pcpu_alloc_fit(&A, 8, 4097, &off), PCPU_ERR_ALIGN);
	CU_ASSERT_EQUAL(off, 12345); /* untouched on failure */
	UNCHANGED_BY(pcpu_alloc_reserve(&A, 65536, 1, NULL), PCPU_ERR_INVAL);
	UNCHANGED_BY(pcpu_alloc_reserve(&A, 65000, 1000, NULL), PCPU_ERR_INVAL);
	UNCHANGED_BY(pcpu_alloc_reserve(&A, 100, 0, NULL), PCPU_ERR_INVAL);
	UNCHANGED_BY(pcpu_alloc_reserve(&A, 100, (size_t)-1, NULL), PCPU_ERR_INVAL);
	CU_ASSERT_EQUAL(pcpu_alloc_alloc(&A, 8, 4096, NULL, &off), PCPU_OK);
	CU_ASSERT_EQUAL(off, 4096);
}

static void test_err_nospace(void)
{
	size_t off;

	fresh(8192, MAX_LIVE);
	UNCHANGED_BY(pcpu_alloc_alloc(&A, 8193, 1, NULL, &off), PCPU_ERR_NOSPACE);
	UNCHANGED_BY(pcpu_alloc_alloc(&A, (size_t)-1, 1, NULL, &off), PCPU_ERR_NOSPACE);
	take_off(5000, 1);
	/* Room left is 3192 bytes. */
	UNCHANGED_BY(pcpu_alloc_alloc(&A, 3193, 1, NULL, &off), PCPU_ERR_NOSPACE);
	/* Enough bytes, but alignment pushes the start too far. */
	UNCHANGED_BY(pcpu_alloc_alloc(&A, 3000, 4096, NULL, &off), PCPU_ERR_NOSPACE);
	/* Reserving over a live area. */
	UNCHANGED_BY(pcpu_alloc_reserve(&A, 4000, 8, NULL), PCPU_ERR_NOSPACE);
	UNCHANGED_BY(pcpu_alloc_reserve(&A, 4999, 2, NULL), PCPU_ERR_NOSPACE);
	CU_ASSERT_EQUAL(pcpu_alloc_reserve(&A, 5000, 3192, NULL), PCPU_OK);
	CU_ASSERT_EQUAL(pcpu_alloc_largest_free(&A), 0);
	UNCHANGED_BY(pcpu_alloc_alloc(&A, 1, 1, NULL, &off), PCPU_ERR_NOSPACE);
}

static void test_err_nometa(void)
{
	size_t off;

	fresh(1 << 20, 4);
	/* Four areas with gaps between them: the worst case for extents. */
	for (int i = 0; i < 4; i++)
		CU_ASSERT_EQUAL(pcpu_alloc_reserve(&A, (size_t)(2 * i + 1) * 100, 50, NULL), PCPU_OK);
	CU_ASSERT_EQUAL(A.nr_ext, 9);
	UNCHANGED_BY(pcpu_alloc_alloc(&A, 8, 8, NULL, &off), PCPU_ERR_NOMETA);
	UNCHANGED_BY(pcpu_alloc_reserve(&A, 5000, 8, NULL), PCPU_ERR_NOMETA);
	UNCHANGED_BY(pcpu_alloc_fit(&A, 8, 8, &off), PCPU_ERR_NOMETA);
	/* More than the room left: NOSPACE takes precedence. */
	UNCHANGED_BY(pcpu_alloc_alloc(&A, (1 << 20) - 199, 8, NULL, &off), PCPU_ERR_NOSPACE);
	CU_ASSERT_EQUAL(pcpu_alloc_free(&A, 300, NULL, NULL), PCPU_OK);
	CU_ASSERT_EQUAL(take_off(8, 8), 0);
}

static void test_err_notalloc(void)
{
	size_t a, b, size = 77;
	void *user = &size;

	fresh(65536, MAX_LIVE);
	a = take_off(64, 8);
	b = take_off(64, 8);
	UNCHANGED_BY(pcpu_alloc_free(&A, 1000, NULL, NULL), PCPU_ERR_NOTALLOC);  /* in a gap */
	UNCHANGED_BY(pcpu_alloc_free(&A, a + 8, NULL, NULL), PCPU_ERR_NOTALLOC); /* inside an area */
	UNCHANGED_BY(pcpu_alloc_free(&A, 65536, NULL, NULL), PCPU_ERR_NOTALLOC); /* past the end */
	UNCHANGED_BY(pcpu_alloc_free(&A, (size_t)-1, NULL, NULL), PCPU_ERR_NOTALLOC);
	UNCHANGED_BY(pcpu_alloc_lookup(&A, b + 1, &size, &user), PCPU_ERR_NOTALLOC);
	CU_ASSERT_EQUAL(size, 77);
	CU_ASSERT_PTR_EQUAL(user, &size);
}

static void test_err_doublefree(void)
{
	size_t a, b, c;

	fresh(65536, 4);
	a = take_off(256, 8);
	b = take_off(256, 8);
	CU_ASSERT_EQUAL(pcpu_alloc_free(&A, a, NULL, NULL), PCPU_OK);
	UNCHANGED_BY(pcpu_alloc_free(&A, a, NULL, NULL), PCPU_ERR_DOUBLEFREE);
	UNCHANGED_BY(pcpu_alloc_lookup(&A, a, NULL, NULL), PCPU_ERR_DOUBLEFREE);
	/* After b is freed and coalesced with a's gap, both stay detected. */
	CU_ASSERT_EQUAL(pcpu_alloc_free(&A, b, NULL, NULL), PCPU_OK);
	UNCHANGED_BY(pcpu_alloc_free(&A, b, NULL, NULL), PCPU_ERR_DOUBLEFREE);
	UNCHANGED_BY(pcpu_alloc_free(&A, a, NULL, NULL), PCPU_ERR_DOUBLEFREE);
	/* A new area over b's old offset (not starting there) makes a stale
	 * free of b an interior offset of a live area: no longer a double free
	 * by I4, but still refused and harmless. */
	CU_ASSERT_EQUAL(pcpu_alloc_reserve(&A, 200, 200, NULL), PCPU_OK); /* covers 256 */
	UNCHANGED_BY(pcpu_alloc_free(&A, b, NULL, NULL), PCPU_ERR_NOTALLOC);
	UNCHANGED_BY(pcpu_alloc_free(&A, a, NULL, NULL), PCPU_ERR_DOUBLEFREE);
	/* Reusing exactly offset a: a free of a is the new owner's free. */
	c = take_off(100, 1);
	CU_ASSERT_EQUAL(c, a);
	CU_ASSERT_EQUAL(pcpu_alloc_free(&A, c, NULL, NULL), PCPU_OK);
	UNCHANGED_BY(pcpu_alloc_free(&A, c, NULL, NULL), PCPU_ERR_DOUBLEFREE);
	/* Only the last max_live (4) frees are remembered. */
	CU_ASSERT_EQUAL(pcpu_alloc_free(&A, 200, NULL, NULL), PCPU_OK);
	size_t offs[4];
	for (int i = 0; i < 4; i++)
		offs[i] = take_off(16, 1);
	for (int i = 0; i < 4; i++)
		CU_ASSERT_EQUAL(pcpu_alloc_free(&A, offs[i], NULL, NULL), PCPU_OK);
	UNCHANGED_BY(pcpu_alloc_free(&A, offs[0], NULL, NULL), PCPU_ERR_DOUBLEFREE);
	UNCHANGED_BY(pcpu_alloc_free(&A, offs[3], NULL, NULL), PCPU_ERR_DOUBLEFREE);
	UNCHANGED_BY(pcpu_alloc_free(&A, 200, NULL, NULL), PCPU_ERR_NOTALLOC); /* forgotten */
	CU_ASSERT_EQUAL(A.nr_tomb, 4);
}

static void test_strerror(void)
{
	/* Every code has its own name. */
	for (int i = 0; i <= PCPU_ERR_MAX; i++) {
		CU_ASSERT_STRING_NOT_EQUAL(pcpu_strerror(i), "unknown error");
		for (int j = 0; j < i; j++)
			CU_ASSERT_STRING_NOT_EQUAL(pcpu_strerror(i), pcpu_strerror(j));
	}
	CU_ASSERT_STRING_EQUAL(pcpu_strerror(PCPU_ERR_MAX + 1), "unknown error");
	CU_ASSERT_STRING_EQUAL(pcpu_strerror(PCPU_ERR_DOUBLEFREE), "double free");
}

/* The naive model: live intervals in an array, first fit found by trying
 * every candidate start (0 and each interval's end, aligned up). */
struct model_area { size_t off, size; };
static struct model_area model[4096];
static unsigned model_n;

static bool model_free_range(size_t off, size_t size, size_t space)
{
	if (off + size > space)
		return false;
	for (unsigned i = 0; i < model_n; i++)
		if (off < model[i].off + model[i].size && model[i].off < off + size)
			return false;
	return true;
}

static bool model_fit(size_t size, size_t align, size_t space, size_t *out)
{
	size_t best = (size_t)-1;
	size_t c = 0;

	for (unsigned i = 0; i <= model_n; i++) {
		if (i > 0)
			c = model[i - 1].off + model[i - 1].size;
		c = (c + align - 1) & ~(align - 1);
		if (c < best && model_free_range(c, size, space))
			best = c;
	}
	*out = best;
	return best != (size_t)-1;
}

static void test_random_against_model(void)
{
	const size_t space = 64 * 1024;
	const unsigned max_live = 300;
	unsigned seed = 12345;

	fresh(space, max_live);
	model_n = 0;
	srand(seed);
	for (int op = 0; op < 20000; op++) {
		if (model_n > 0 && (rand() % 100 < 45 || model_n == max_live)) {
			unsigned k = (unsigned)rand() % model_n;
			size_t size;

			CU_ASSERT_EQUAL_FATAL(pcpu_alloc_free(&A, model[k].off, &size, NULL), PCPU_OK);
			CU_ASSERT_EQUAL(size, model[k].size);
			memmove(&model[k], &model[k + 1], (model_n - k - 1) * sizeof(model[0]));
			model_n--;
		} else {
			bool big = rand() % 8 == 0; /* sequenced: same run everywhere */
			size_t size = 1 + (size_t)rand() % (big ? 3000 : 200);
			size_t align = (size_t)1 << (rand() % 13);
			size_t want, got;
			bool fits = model_fit(size, align, space, &want);
			int err = pcpu_alloc_alloc(&A, size, align, NULL, &got);

			if (!fits) {
				CU_ASSERT_EQUAL_FATAL(err, PCPU_ERR_NOSPACE);
			} else {
				CU_ASSERT_EQUAL_FATAL(err, PCPU_OK);
				CU_ASSERT_EQUAL_FATAL(got, want);
				/* Keep the model sorted by offset. */
				unsigned at = model_n;
				while (at > 0 && model[at - 1].off > got) {
					model[at] = model[at - 1];
					at--;
				}
				model[at].off = got;
				model[at].size = size;
				model_n++;
			}
		}
		CU_ASSERT_PTR_NULL_FATAL(pcpu_alloc_verify(&A));
		CU_ASSERT_EQUAL_FATAL(pcpu_alloc_live(&A), model_n);
	}
}

static const struct cunit_test tests[] = {
	{ "init errors", test_init_errors },
	{ "first fit and alignment", test_first_fit_and_alignment },
	{ "coalescing", test_coalescing },
	{ "INVAL and ALIGN change nothing", test_err_inval_and_align },
	{ "NOSPACE changes nothing", test_err_nospace },
	{ "NOMETA changes nothing", test_err_nometa },
	{ "NOTALLOC changes nothing", test_err_notalloc },
	{ "DOUBLEFREE and tombstones", test_err_doublefree },
	{ "error names", test_strerror },
	{ "random ops against a naive model", test_random_against_model },
};

int main(void)
{
	return CUNIT_RUN("allocator", tests);
}
