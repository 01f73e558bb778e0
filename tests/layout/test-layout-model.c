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

/* A zero-based image: sections at 0 give offsets, the window is the
 * image's PERCPU_BASE and nothing is a marker problem; the symbol
 * PERCPU_LAYOUT_ZERO_BASED = 1 on sections elsewhere is one. */
static void test_zero_based(void)
{
	struct layout l = { 0 };
	struct layout_file *k;
	char err[200];

	l.files = layout_xcalloc(1, sizeof(*l.files));
	mk_kernel(&l.files[0], 0x1000);
	l.nr_files = 1;
	k = &l.files[0];
	k->addr_bits = 64;
	k->sections[0].vma = 0;
	k->data_end_sym = 0x100;
	k->has_start = true;
	k->start_sym = 0;
	k->has_image_base = true;
	k->image_base = 0xffffffffc0000000ull;
	CU_ASSERT_EQUAL_FATAL(layout_model(&l, &no_options, err, sizeof(err)), 0);
	CU_ASSERT_TRUE(k->zero_based);
	CU_ASSERT_EQUAL(l.base, 0xffffffffc0000000ull);
	CU_ASSERT_EQUAL(l.base_source, LAYOUT_SRC_IMAGE);
	CU_ASSERT_EQUAL(k->init_size, 0x100);
	layout_check(&l);
	CU_ASSERT_EQUAL(l.nr_problems, 0);
	layout_free(&l);

	memset(&l, 0, sizeof(l));
	l.files = layout_xcalloc(1, sizeof(*l.files));
	mk_kernel(&l.files[0], 0x1000);
	l.nr_files = 1;
	k = &l.files[0];
	k->zero_based_symbol = true; /* but the sections are at 0xc0000000 */
	CU_ASSERT_EQUAL_FATAL(layout_model(&l, &no_options, err, sizeof(err)), 0);
	layout_check(&l);
	CU_ASSERT_EQUAL(count_kind(&l, LAYOUT_PB_MARKERS), 1);
	CU_ASSERT_EQUAL(l.nr_problems, 1);
	if (l.nr_problems)
		CU_ASSERT_PTR_NOT_NULL(strstr(l.problems[0].message, "not 0"));
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

/* jansson parses; errors are "LINE:COL: problem", columns in bytes. */
static void test_json_reader(void)
{
	static const char ok[] = " {\"a\": [1, -2.5e1, true, false, null], \"s\": \"x\\u0041\\n\"} ";
	static const char deep_fmt[] = "[";
	struct report_text t = { ok, strlen(ok) };
	char err[200], deep[5000];
	json_t *v;

	v = report_json_parse(&t, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(v);
	CU_ASSERT_EQUAL(json_array_size(json_object_get(v, "a")), 5);
	CU_ASSERT_DOUBLE_EQUAL(json_real_value(json_array_get(json_object_get(v, "a"), 1)), -25.0,
			       1e-9);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(v, "s")), "xA\n");
	json_decref(v);

	t = (struct report_text){ "{\"a\":\n  [1,]}", 13 };
	CU_ASSERT_PTR_NULL(report_json_parse(&t, err, sizeof(err)));
	CU_ASSERT_STRING_EQUAL(err, "2:6: unexpected token near ']'");
	/* a column counts bytes: "é" is two */
	t = (struct report_text){ "{\"\xc3\xa9\": tru}", 13 };
	CU_ASSERT_PTR_NULL(report_json_parse(&t, err, sizeof(err)));
	CU_ASSERT_STRING_EQUAL(err, "1:10: invalid token near 'tru'");
	t = (struct report_text){ "[1] 2", 5 };
	CU_ASSERT_PTR_NULL(report_json_parse(&t, err, sizeof(err)));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "end of file expected"));
	memset(deep, deep_fmt[0], sizeof(deep));
	t = (struct report_text){ deep, sizeof(deep) };
	CU_ASSERT_PTR_NULL(report_json_parse(&t, err, sizeof(err)));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "maximum parsing depth"));
	/* integers: exact to 2^63 - 1, beyond refused (json_int_t) */
	t = (struct report_text){ "{\"a\": 9223372036854775807, \"b\": -9223372036854775808}", 53 };
	v = report_json_parse(&t, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(v);
	CU_ASSERT(json_integer_value(json_object_get(v, "a")) == INT64_MAX);
	CU_ASSERT(json_integer_value(json_object_get(v, "b")) == INT64_MIN);
	json_decref(v);
	t = (struct report_text){ "{\"a\":\n 18446744073709551615}", 28 };
	CU_ASSERT_PTR_NULL(report_json_parse(&t, err, sizeof(err)));
	CU_ASSERT_STRING_EQUAL(err, "2:21: too big integer near '18446744073709551615'");
	/* a NUL byte in a string is refused (C strings would cut it) */
	t = (struct report_text){ "[\"a\\u0000\"]", 11 };
	CU_ASSERT_PTR_NULL(report_json_parse(&t, err, sizeof(err)));
}

/* Positions for the semantic errors come from the text; a key written
 * twice is an error at the second, naming the first. */
static void test_json_positions(void)
{
	static const char text[] = "{\"a\": 1,\n  \"x\": {\"a\": [3, {\"k\": []}]}, \"f\": [[1], [],\n"
				   "  \"s]\\\"{\"], \"\\u006eame\": null, \"last\": 5}";
	const struct json_step to_k[] = { { "x", 0 }, { "a", 0 }, { NULL, 1 }, { "k", 0 } };
	const struct json_step to_s[] = { { "f", 0 }, { NULL, 2 } };
	const struct json_step to_name[] = { { "name", 0 } };
	const struct json_step to_last[] = { { "last", 0 } };
	const struct json_step to_none[] = { { "x", 0 }, { "nothing", 0 } };
	struct report_text t = { text, strlen(text) };
	char big[20 * 40 + 16], err[200];
	unsigned line, col;
	size_t n = 0;

	json_locate(&t, to_k, 4, &line, &col);
	CU_ASSERT(line == 2 && col == 24);
	json_locate(&t, to_s, 2, &line, &col);
	CU_ASSERT(line == 3 && col == 3);
	json_locate(&t, to_name, 1, &line, &col); /* the key written with an escape */
	CU_ASSERT(line == 3 && col == 26);
	json_locate(&t, to_last, 1, &line, &col);
	CU_ASSERT(line == 3 && col == 40);
	json_locate(&t, to_none, 2, &line, &col); /* missing: the object that lacks it */
	CU_ASSERT(line == 2 && col == 8);

	t = (struct report_text){ "{\"k\": 1,\n \"k\": [{\"k\": 2}]}", 27 };
	CU_ASSERT_PTR_NULL(report_json_parse(&t, err, sizeof(err)));
	CU_ASSERT_STRING_EQUAL(err, "2:2: duplicate key \"k\" (first at 1:2)");
	t = (struct report_text){ "{\"k\": [{\"a\": 1, \"\\u0061\": 2}], \"a\": 3}", 38 };
	CU_ASSERT_PTR_NULL(report_json_parse(&t, err, sizeof(err)));
	CU_ASSERT_STRING_EQUAL(err, "1:17: duplicate key \"a\" (first at 1:9)");
	/* a character quoted in an error is shown on one line */
	t = (struct report_text){ "[\"a\\\n\"]", 7 };
	CU_ASSERT_PTR_NULL(report_json_parse(&t, err, sizeof(err)));
	CU_ASSERT_PTR_NULL(strchr(err, '\n'));
	/* 41 keys: k7 again at the end */
	big[n++] = '{';
	for (int i = 0; i < 40; i++)
		n += (size_t)snprintf(big + n, sizeof(big) - n, "\"k%d\":%d,", i, i);
	n += (size_t)snprintf(big + n, sizeof(big) - n, "\"k7\":0}");
	t = (struct report_text){ big, n };
	CU_ASSERT_PTR_NULL(report_json_parse(&t, err, sizeof(err)));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "duplicate key \"k7\" (first at 1:"));
}

/* The framing of .percpu.report: records one after another, zero padding
 * between them skipped, every header checked against the bytes there. */
static void test_report_records(void)
{
	unsigned char sec[128];
	struct layout_record rec = { 0 };
	size_t n = 0, pos = 0;
	char err[200];

	memset(sec, 0, sizeof(sec));
	/* "{}" then, after 3 zero bytes, "[1]" */
	memcpy(sec, "PCPUREPT\x01\x00\x00\x00\x02\x00\x00\x00{}", 18);
	memcpy(sec + 21, "PCPUREPT\x01\x00\x00\x00\x03\x00\x00\x00[1]", 19);
	n = 40;
	CU_ASSERT_EQUAL(layout_record_next(sec, n, &pos, &rec, err, sizeof(err)), 1);
	CU_ASSERT(rec.number == 1 && rec.offset == 0 && rec.len == 2 && memcmp(rec.text, "{}", 2) == 0);
	CU_ASSERT_EQUAL(layout_record_next(sec, n, &pos, &rec, err, sizeof(err)), 1);
	CU_ASSERT(rec.number == 2 && rec.offset == 21 && rec.len == 3);
	CU_ASSERT_EQUAL(layout_record_next(sec, n, &pos, &rec, err, sizeof(err)), 0);

	pos = 0;
	rec.number = 0;
	CU_ASSERT_EQUAL(layout_record_next(sec, 39, &pos, &rec, err, sizeof(err)), 1);
	CU_ASSERT_EQUAL(layout_record_next(sec, 39, &pos, &rec, err, sizeof(err)), -1);
	CU_ASSERT_STRING_EQUAL(err, "record 2 at byte 21: length 3 runs past the section's end "
			       "(2 bytes left after the header)");
	pos = 0;
	rec.number = 0;
	CU_ASSERT_EQUAL(layout_record_next(sec, 10, &pos, &rec, err, sizeof(err)), -1);
	CU_ASSERT_STRING_EQUAL(err, "record 1 at byte 0: 10 bytes left, a record header is 16: "
			       "truncated");
	pos = 0;
	rec.number = 0;
	sec[0] = 'X';
	CU_ASSERT_EQUAL(layout_record_next(sec, n, &pos, &rec, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "record 1 at byte 0: no record magic"));
	sec[0] = 'P';
	sec[8] = 2;
	pos = 0;
	rec.number = 0;
	CU_ASSERT_EQUAL(layout_record_next(sec, n, &pos, &rec, err, sizeof(err)), -1);
	CU_ASSERT_STRING_EQUAL(err, "record 1 at byte 0: record version 2, this tool reads version 1");
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
	{ "zero-based image: window from PERCPU_BASE, markers", test_zero_based },
	{ "a module of another stride takes no room", test_other_stride_takes_no_room },
	{ "the kernel decides the stride", test_kernel_decides_the_stride },
	{ "an image after the first input", test_image_second_is_refused },
	{ "sizes inferred without st_size", test_inferred_sizes },
	{ "JSON reader", test_json_reader },
	{ "JSON positions, integers, duplicate keys", test_json_positions },
	{ ".percpu.report records", test_report_records },
	{ "per-CPU section names", test_percpu_section_names },
	{ "human sizes", test_human_size },
};

int main(void)
{
	return CUNIT_RUN("percpu-layout model", tests);
}
