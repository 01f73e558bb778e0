/* test-layout-model.c: CUnit tests of the layout tool's model, placement,
 * checks and JSON reader, on layouts built in memory (the shell tests
 * cover reading real files). */
#include "config.h"

#include "../cunit-run.h"
#include <stdlib.h>
#include <string.h>

#include <percpu-vm/runtime.h>

#include "percpu-layout-jsonread.h"
#include "percpu-layout.h"

static struct layout_section mk_section(const char *name, uint64_t vma, uint64_t size,
					uint64_t align, bool zero)
{
	struct layout_section s = { 0 };

	s.name = layout_xstrdup(name);
	s.vma = vma;
	s.size = size;
	s.align = align;
	s.zero_fill = zero;
	s.init_size = zero ? 0 : size;
	return s;
}

static void add_var(struct layout_file *f, const char *name, unsigned section, uint64_t value,
		    uint64_t size)
{
	struct layout_var *v;

	f->vars = layout_xrealloc(f->vars, (f->nr_vars + 1) * sizeof(*f->vars));
	v = &f->vars[f->nr_vars++];
	memset(v, 0, sizeof(*v));
	v->name = layout_xstrdup(name);
	v->section = section;
	v->offset = value;
	v->size = size;
}

/* A kernel image: .data.percpu at 0xc0000000, 0x1234 bytes of which the
 * template is the first 0x100 (__per_cpu_data_end). */
static void mk_kernel(struct layout_file *f, uint64_t size)
{
	memset(f, 0, sizeof(*f));
	f->path = layout_xstrdup("kernel");
	f->kind = LAYOUT_IMAGE;
	f->sizes_from_symtab = true;
	f->sections = layout_xcalloc(1, sizeof(*f->sections));
	f->sections[0] = mk_section(".data.percpu", 0xc0000000, size, 4096, false);
	f->nr_sections = 1;
	f->has_data_end = true;
	f->data_end_sym = 0xc0000100;
	add_var(f, "b", 0, 0x10, 8);
	add_var(f, "a", 0, 0, 4);
	add_var(f, "c", 0, 0x200, 0x40);
}

/* A module: .data.percpu of `data` bytes (align 8), .bss.percpu of `bss`
 * bytes aligned to `bss_align`. */
static void mk_module(struct layout_file *f, const char *name, uint64_t data, uint64_t bss,
		      uint64_t bss_align)
{
	memset(f, 0, sizeof(*f));
	f->path = layout_xstrdup(name);
	f->kind = LAYOUT_RELOCATABLE;
	f->sizes_from_symtab = true;
	f->sections = layout_xcalloc(2, sizeof(*f->sections));
	/* the zero one first in the file: the model must still put it last */
	f->sections[0] = mk_section(".bss.percpu", 0, bss, bss_align, true);
	f->sections[1] = mk_section(".data.percpu", 0, data, 8, false);
	f->nr_sections = 2;
	add_var(f, "m_zero", 0, 0, bss);
	add_var(f, "m_data", 1, 0, data);
}

static const struct layout_options no_options = { 0 };

static size_t count_kind(const struct layout *l, enum layout_problem_kind k)
{
	size_t n = 0;

	for (size_t i = 0; i < l->nr_problems; i++)
		n += l->problems[i].kind == k;
	return n;
}

static void test_kernel_and_modules(void)
{
	struct layout l = { 0 };
	struct layout_options opt = { .shift = 16, .shift_set = true, .nr_cpus = 4,
				      .nr_cpus_set = true };
	char err[200];

	l.files = layout_xcalloc(3, sizeof(*l.files));
	mk_kernel(&l.files[0], 0x1234);
	mk_module(&l.files[1], "m1", 0x14, 0x100, 64);
	mk_module(&l.files[2], "m2", 0x8, 0x2000, 4096);
	l.nr_files = 3;
	CU_ASSERT_EQUAL_FATAL(layout_model(&l, &opt, err, sizeof(err)), 0);

	CU_ASSERT_EQUAL(l.stride, 0x10000);
	CU_ASSERT_EQUAL(l.shift_source, LAYOUT_SRC_OPTION);
	CU_ASSERT_EQUAL(l.base, 0xc0000000);
	CU_ASSERT_EQUAL(l.base_source, LAYOUT_SRC_IMAGE);
	/* the kernel: sorted by offset, holes, template end from the marker */
	CU_ASSERT_STRING_EQUAL(l.files[0].vars[0].name, "a");
	CU_ASSERT_EQUAL(l.files[0].vars[1].hole_before, 0x10 - 4);
	CU_ASSERT_EQUAL(l.files[0].vars[2].hole_before, 0x200 - 0x18);
	CU_ASSERT_EQUAL(l.files[0].init_size, 0x100);
	CU_ASSERT_EQUAL(l.files[0].zero_size, 0x1234 - 0x100);
	CU_ASSERT_FALSE(l.files[0].vars[1].zero_fill);
	CU_ASSERT_TRUE(l.files[0].vars[2].zero_fill);
	/* offset 0x10 implies 16-byte alignment, offset 0 the section's */
	CU_ASSERT_EQUAL(l.files[0].vars[1].align, 16);
	CU_ASSERT_EQUAL(l.files[0].vars[0].align, 4096);
	CU_ASSERT_TRUE(l.files[0].placed);
	CU_ASSERT_EQUAL(l.files[0].area_offset, 0);

	/* m1: data 0x14 at 0, bss at 0x40 (its alignment), area 0x140 at 64;
	 * the sections are listed in that order although the file had bss first */
	CU_ASSERT_STRING_EQUAL(l.files[1].sections[0].name, ".data.percpu");
	CU_ASSERT_EQUAL(l.files[1].sections[0].offset, 0);
	CU_ASSERT_STRING_EQUAL(l.files[1].sections[1].name, ".bss.percpu");
	CU_ASSERT_EQUAL(l.files[1].sections[1].offset, 0x40);
	CU_ASSERT_STRING_EQUAL(l.files[1].sections[l.files[1].vars[1].section].name,
			       ".bss.percpu");
	CU_ASSERT_EQUAL(l.files[1].area_size, 0x140);
	CU_ASSERT_EQUAL(l.files[1].init_size, 0x14);
	CU_ASSERT_EQUAL(l.files[1].area_align, 64);
	CU_ASSERT_EQUAL(l.files[1].area_offset, 0x1240); /* after 0x1234, 64-aligned */
	CU_ASSERT_STRING_EQUAL(l.files[1].vars[0].name, "m_data");
	CU_ASSERT_EQUAL(l.files[1].vars[1].offset, 0x40);
	/* m2: page aligned after m1's end (0x1380) */
	CU_ASSERT_EQUAL(l.files[2].area_offset, 0x2000);
	CU_ASSERT_EQUAL(l.files[2].area_size, 0x3000);
	/* pages: [0,0x1380) -> 0..1, [0x2000,0x5000) -> 2..4 */
	CU_ASSERT_EQUAL(l.pages_per_cpu, 5);
	CU_ASSERT_EQUAL(l.used_end, 0x5000);
	CU_ASSERT_EQUAL(l.used_bytes, 0x1234 + 0x140 + 0x3000);
	layout_check(&l);
	CU_ASSERT_EQUAL(l.nr_problems, 0);
	layout_free(&l);
}

static void test_dynamic_after_modules(void)
{
	struct layout_dynamic dyn[2] = { { .size = 0x10, .align = 8 },
					 { .size = 0x1000, .align = 4096 } };
	/* a stride of its own, so the test holds in every configuration */
	struct layout_options opt = { .shift = 16, .shift_set = true,
				      .dynamic = dyn, .nr_dynamic = 2 };
	struct layout l = { 0 };
	char err[200];

	l.files = layout_xcalloc(2, sizeof(*l.files));
	mk_kernel(&l.files[0], 0x1234);
	mk_module(&l.files[1], "m1", 0x14, 0x100, 64);
	l.nr_files = 2;
	CU_ASSERT_EQUAL_FATAL(layout_model(&l, &opt, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL_FATAL(l.nr_dynamic, 2);
	/* after m1 (0x1240..0x1380), then the next page */
	CU_ASSERT_TRUE(l.dynamic[0].placed);
	CU_ASSERT_EQUAL(l.dynamic[0].offset, 0x1380);
	CU_ASSERT_EQUAL(l.dynamic[1].offset, 0x2000);
	CU_ASSERT_EQUAL(l.pages_per_cpu, 3);
	CU_ASSERT_EQUAL(l.used_bytes, 0x1234 + 0x140 + 0x10 + 0x1000);
	layout_free(&l);
}

static void test_no_room(void)
{
	struct layout l = { 0 };
	struct layout_options opt = { .shift = 14, .shift_set = true };
	char err[200];

	/* A 16 KiB stride less its 4 KiB guard page: 12 KiB for the areas,
	 * as the runtime has it.  toolate would end at 0x3010, inside the
	 * stride but in its guard page, where the runtime refuses it. */
	l.files = layout_xcalloc(3, sizeof(*l.files));
	mk_kernel(&l.files[0], 0x1000);
	mk_module(&l.files[1], "fits", 0x8, 0x1000, 8);
	mk_module(&l.files[2], "toolate", 0x8, 0x1000, 8);
	l.nr_files = 3;
	CU_ASSERT_EQUAL_FATAL(layout_model(&l, &opt, err, sizeof(err)), 0);
	CU_ASSERT_TRUE(l.files[1].placed);
	CU_ASSERT_FALSE(l.files[2].placed);
	layout_check(&l);
	CU_ASSERT_EQUAL(count_kind(&l, LAYOUT_PB_OVER_STRIDE), 1);
	CU_ASSERT_STRING_EQUAL(l.problems[0].file, "toolate");
	layout_free(&l);
}

static void test_checks(void)
{
	/* 64 CPUs whatever configure was given: the stray below needs CPU 3 */
	const struct layout_options opt = { .nr_cpus = 64, .nr_cpus_set = true };
	struct layout l = { 0 };
	struct layout_file *k;
	char err[200];

	l.files = layout_xcalloc(2, sizeof(*l.files));
	mk_kernel(&l.files[0], 0x1000);
	mk_module(&l.files[1], "mod", 0x8, 0x8, 8);
	l.nr_files = 2;
	k = &l.files[0];
	/* notes of two strides in the kernel, another in the module */
	k->notes = layout_xcalloc(2, sizeof(*k->notes));
	k->notes[0] = (struct layout_note){ layout_xstrdup(".note.percpu"), 1, 20 };
	k->notes[1] = (struct layout_note){ layout_xstrdup(".note.percpu"), 1, 16 };
	k->nr_notes = 2;
	l.files[1].notes = layout_xcalloc(1, sizeof(*k->notes));
	l.files[1].notes[0] = (struct layout_note){ layout_xstrdup(".note.percpu"), 3, 20 };
	l.files[1].nr_notes = 1;
	/* a section in CPU 3's stride */
	k->alloc_sections = layout_xcalloc(1, sizeof(*k->alloc_sections));
	k->alloc_sections[0] = (struct layout_stray){ layout_xstrdup(".data"), 0xc0300010, 0x20 };
	k->nr_alloc_sections = 1;
	/* __per_cpu_start off by 8 */
	k->has_start = true;
	k->start_sym = 0xc0000008;
	CU_ASSERT_EQUAL_FATAL(layout_model(&l, &opt, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(l.shift, 20);
	CU_ASSERT_EQUAL(l.shift_source, LAYOUT_SRC_NOTE);
	layout_check(&l);
	CU_ASSERT_EQUAL(count_kind(&l, LAYOUT_PB_MIXED_STRIDES), 1);
	CU_ASSERT_EQUAL(count_kind(&l, LAYOUT_PB_NOTE), 1); /* version 3 */
	CU_ASSERT_EQUAL(count_kind(&l, LAYOUT_PB_STRAY), 1);
	CU_ASSERT_EQUAL(count_kind(&l, LAYOUT_PB_MARKERS), 1);
	for (size_t i = 0; i < l.nr_problems; i++)
		if (l.problems[i].kind == LAYOUT_PB_STRAY)
			CU_ASSERT_PTR_NOT_NULL(strstr(l.problems[i].message, "CPU 3's copy"));
	layout_free(&l);
}

static void test_other_stride_takes_no_room(void)
{
	struct layout l = { 0 };
	char err[200];

	l.files = layout_xcalloc(3, sizeof(*l.files));
	mk_kernel(&l.files[0], 0x1000);
	mk_module(&l.files[1], "other", 0x8, 0x8, 8);
	mk_module(&l.files[2], "next", 0x8, 0x8, 8);
	l.files[0].notes = layout_xcalloc(1, sizeof(struct layout_note));
	l.files[0].notes[0] = (struct layout_note){ layout_xstrdup(".note.percpu"), 1, 20 };
	l.files[0].nr_notes = 1;
	l.files[1].notes = layout_xcalloc(1, sizeof(struct layout_note));
	l.files[1].notes[0] = (struct layout_note){ layout_xstrdup(".note.percpu"), 1, 16 };
	l.files[1].nr_notes = 1;
	l.nr_files = 3;
	CU_ASSERT_EQUAL_FATAL(layout_model(&l, &no_options, err, sizeof(err)), 0);
	CU_ASSERT_FALSE(l.files[1].placed);
	CU_ASSERT_EQUAL(l.files[1].place_error, PCPU_ERR_STRIDE);
	/* the loader refused it, so the next module gets its place */
	CU_ASSERT_TRUE(l.files[2].placed);
	CU_ASSERT_EQUAL(l.files[2].area_offset, 0x1000);
	layout_check(&l);
	CU_ASSERT_EQUAL(count_kind(&l, LAYOUT_PB_MIXED_STRIDES), 1);
	CU_ASSERT_EQUAL(count_kind(&l, LAYOUT_PB_PLACEMENT), 0);
	layout_free(&l);
}

static void test_kernel_decides_the_stride(void)
{
	struct layout l = { 0 };
	char err[200];

	/* a kernel without a note but linked with PERCPU_SHIFT = 18, and a
	 * module built for 16: the kernel's symbol wins over the module's note */
	l.files = layout_xcalloc(2, sizeof(*l.files));
	mk_kernel(&l.files[0], 0x1000);
	l.files[0].has_image_shift = true;
	l.files[0].image_shift = 18;
	mk_module(&l.files[1], "mod16", 0x8, 0x8, 8);
	l.files[1].notes = layout_xcalloc(1, sizeof(struct layout_note));
	l.files[1].notes[0] = (struct layout_note){ layout_xstrdup(".note.percpu"), 1, 16 };
	l.files[1].nr_notes = 1;
	l.nr_files = 2;
	CU_ASSERT_EQUAL_FATAL(layout_model(&l, &no_options, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(l.shift, 18);
	CU_ASSERT_EQUAL(l.shift_source, LAYOUT_SRC_IMAGE);
	CU_ASSERT_FALSE(l.files[1].placed);
	layout_check(&l);
	CU_ASSERT_EQUAL_FATAL(l.nr_problems, 1);
	CU_ASSERT_EQUAL(l.problems[0].kind, LAYOUT_PB_MIXED_STRIDES);
	CU_ASSERT_STRING_EQUAL(l.problems[0].file, "mod16");
	CU_ASSERT_STRING_EQUAL(l.problems[0].message, "built for shift 16, but kernel for shift 18");
	layout_free(&l);
}

static void test_image_second_is_refused(void)
{
	struct layout l = { 0 };
	char err[200];

	l.files = layout_xcalloc(2, sizeof(*l.files));
	mk_module(&l.files[0], "mod", 0x8, 0x8, 8);
	mk_kernel(&l.files[1], 0x100);
	l.nr_files = 2;
	CU_ASSERT_EQUAL(layout_model(&l, &no_options, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "kernel: a linked image can only be the first input"));
	layout_free(&l);
}

static void test_inferred_sizes(void)
{
	struct layout l = { 0 };
	char err[200];

	l.files = layout_xcalloc(1, sizeof(*l.files));
	mk_kernel(&l.files[0], 0x300);
	l.files[0].sizes_from_symtab = false;
	l.nr_files = 1;
	CU_ASSERT_EQUAL_FATAL(layout_model(&l, &no_options, err, sizeof(err)), 0);
	/* each runs to the next symbol, the last to the section end */
	CU_ASSERT_EQUAL(l.files[0].vars[0].size, 0x10);
	CU_ASSERT_EQUAL(l.files[0].vars[1].size, 0x200 - 0x10);
	CU_ASSERT_EQUAL(l.files[0].vars[2].size, 0x100);
	layout_free(&l);
}

static void test_json_reader(void)
{
	static const char ok[] = " {\"a\": [1, -2.5e1, true, false, null], \"s\": \"x\\u0041\\n\"} ";
	struct jval v;
	char err[200];
	char deep[300];

	CU_ASSERT_EQUAL_FATAL(jval_parse(ok, strlen(ok), &v, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(v.type, JV_OBJECT);
	CU_ASSERT_EQUAL(jval_get(&v, "a")->n, 5);
	CU_ASSERT_DOUBLE_EQUAL(jval_get(&v, "a")->items[1].num, -25.0, 1e-9);
	CU_ASSERT_STRING_EQUAL(jval_get(&v, "s")->str, "xA\n");
	CU_ASSERT_PTR_NULL(jval_get(&v, "missing"));
	jval_free(&v);

	CU_ASSERT_EQUAL(jval_parse("{\"a\":\n  [1,]}", 13, &v, err, sizeof(err)), -1);
	CU_ASSERT_STRING_EQUAL(err, "2:6: unexpected character ']'");
	jval_free(&v);
	CU_ASSERT_EQUAL(jval_parse("\"abc", 4, &v, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "unterminated string"));
	jval_free(&v);
	CU_ASSERT_EQUAL(jval_parse("[1] 2", 5, &v, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "text after the JSON value"));
	jval_free(&v);
	memset(deep, '[', sizeof(deep));
	CU_ASSERT_EQUAL(jval_parse(deep, sizeof(deep), &v, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "nested more than"));
	jval_free(&v);
}

/* Every value knows where it is written; integers are exact to 64 bits;
 * a key written twice is an error at the second, also in a big object. */
static void test_json_positions(void)
{
	static const char text[] = "{\"a\": 1,\n  \"big\": 18446744073709551615, \"f\": 1.0,\n"
				   "  \"neg\": -3, \"huge\": 18446744073709551616}";
	char big[20 * 40 + 16], err[200];
	const struct jval *x;
	struct jval v;
	size_t n = 0;

	CU_ASSERT_EQUAL_FATAL(jval_parse(text, strlen(text), &v, err, sizeof(err)), 0);
	x = jval_get(&v, "big");
	CU_ASSERT(x->integer && !x->negative && x->magnitude == UINT64_MAX);
	CU_ASSERT_EQUAL(x->line, 2);
	CU_ASSERT_EQUAL(x->col, 10);
	CU_ASSERT_FALSE(jval_get(&v, "f")->integer);
	x = jval_get(&v, "neg");
	CU_ASSERT(x->integer && x->negative && x->magnitude == 3);
	CU_ASSERT_EQUAL(x->line, 3);
	CU_ASSERT_EQUAL(x->col, 10);
	CU_ASSERT_FALSE(jval_get(&v, "huge")->integer);
	jval_free(&v);

	CU_ASSERT_EQUAL(jval_parse("{\"k\": 1,\n \"k\": [{\"k\": 2}]}", 27, &v, err, sizeof(err)), -1);
	CU_ASSERT_STRING_EQUAL(err, "2:2: duplicate key \"k\" (first at 1:2)");
	jval_free(&v);
	/* a character quoted in an error is shown by its byte if not printable */
	CU_ASSERT_EQUAL(jval_parse("\"a\\\n\"", 5, &v, err, sizeof(err)), -1);
	CU_ASSERT_STRING_EQUAL(err, "1:4: bad escape \\ followed by byte 0x0a");
	jval_free(&v);
	/* 41 keys (sorted, not compared pairwise): k7 again at the end */
	big[n++] = '{';
	for (int i = 0; i < 40; i++)
		n += (size_t)snprintf(big + n, sizeof(big) - n, "\"k%d\":%d,", i, i);
	n += (size_t)snprintf(big + n, sizeof(big) - n, "\"k7\":0}");
	CU_ASSERT_EQUAL(jval_parse(big, n, &v, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "duplicate key \"k7\" (first at 1:"));
	jval_free(&v);
}

static void test_percpu_section_names(void)
{
	static const char *const yes[] = { ".data.percpu", ".bss.percpu", ".data..percpu",
					   ".bss..percpu", ".data.percpu.page_aligned",
					   ".data..percpu..shared_aligned", ".bss.percpu.x" };
	static const char *const no[] = { ".data", ".data.percpu_x", ".datapercpu",
					  ".data.percp", ".bss", "percpu", ".data.percpux.y",
					  ".note.percpu", "" };

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		CU_ASSERT_TRUE(layout_is_percpu_section(yes[i]));
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		CU_ASSERT_FALSE(layout_is_percpu_section(no[i]));
}

static void test_human_size(void)
{
	char b[32];

	layout_human_size(100, b, sizeof(b));
	CU_ASSERT_STRING_EQUAL(b, "100 bytes");
	layout_human_size(1 << 20, b, sizeof(b));
	CU_ASSERT_STRING_EQUAL(b, "1 MiB");
	layout_human_size(1536, b, sizeof(b));
	CU_ASSERT_STRING_EQUAL(b, "1.5 KiB");
}

static const struct cunit_test tests[] = {
	{ "kernel and modules placed by the runtime's allocator", test_kernel_and_modules },
	{ "a module that finds no room", test_no_room },
	{ "dynamic areas after the modules", test_dynamic_after_modules },
	{ "mixed strides, bad note, stray section, markers", test_checks },
	{ "a module of another stride takes no room", test_other_stride_takes_no_room },
	{ "the kernel decides the stride", test_kernel_decides_the_stride },
	{ "an image after the first input", test_image_second_is_refused },
	{ "sizes inferred without st_size", test_inferred_sizes },
	{ "JSON reader", test_json_reader },
	{ "JSON positions, integers, duplicate keys", test_json_positions },
	{ "per-CPU section names", test_percpu_section_names },
	{ "human sizes", test_human_size },
};

int main(void)
{
	return CUNIT_RUN("percpu-layout model", tests);
}
