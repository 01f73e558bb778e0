/* tests/loader/test-loader.c: the demo kernel's module loader
 * (examples/kernel/loader.c), built hosted (loader-host.h), on every
 * sample module the demo builds, linked by GNU ld and by ld.lld, and on
 * malformed variants of them made here by editing the ELF in memory:
 * truncated at every length, sections past the end of the file or
 * misaligned, symbols outside their sections, module.lds's record missing
 * or disagreeing with the sections (renamed .bss.percpu, deleted stride
 * note, another stride), per-CPU data over the stride; and the loader fuzz
 * target's regression inputs (tests/loader/corpus).  Every refusal must
 * give its message and leave the runtime, the window and the module pages
 * where they were; every load is unloaded and must too. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../cunit-run.h"

#include <percpu-vm/config.h>

#include "elf32.h"
#include "loader.h"
#include "loader-host.h"

#define NO_ERROR "(loaded)"

static const char *const linkers[] = { "bfd", "lld" };

/* A module file in 4-byte aligned memory, editable. */
struct mod {
	uint8_t *buf;
	size_t size;
	char name[64];
};

static bool read_module(const char *linker, const char *name, struct mod *m)
{
	const char *top = getenv("top_builddir");
	char path[1024];
	snprintf(path, sizeof(path), "%s/examples/modules/%s/%s.o", top ? top : ".", linker, name);
	snprintf(m->name, sizeof(m->name), "%s/%s.o", linker, name);
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "cannot open %s (make builds it)\n", path);
		return false;
	}
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	rewind(f);
	m->size = n > 0 ? (size_t)n : 0;
	m->buf = malloc(m->size + 4);
	bool ok = m->buf && fread(m->buf, 1, m->size, f) == m->size;
	fclose(f);
	return ok;
}

static void copy_module(const struct mod *from, struct mod *to)
{
	*to = *from;
	to->buf = malloc(from->size + 4);
	memcpy(to->buf, from->buf, from->size);
}

static Elf32_Ehdr *ehdr(struct mod *m)
{
	return (Elf32_Ehdr *)m->buf;
}

static Elf32_Shdr *shdr(struct mod *m, unsigned i)
{
	return (Elf32_Shdr *)(m->buf + ehdr(m)->e_shoff) + i;
}

static const char *secname(struct mod *m, unsigned i)
{
	return (const char *)m->buf + shdr(m, ehdr(m)->e_shstrndx)->sh_offset + shdr(m, i)->sh_name;
}

static unsigned find_section(struct mod *m, const char *name)
{
	for (unsigned i = 1; i < ehdr(m)->e_shnum; i++)
		if (!strcmp(secname(m, i), name))
			return i;
	CU_FAIL_FATAL("section not found");
	return 0;
}

/* By name; a section's symbol (which has none) by its section's name. */
static Elf32_Sym *find_symbol(struct mod *m, const char *name)
{
	unsigned st = find_section(m, ".symtab");
	Elf32_Sym *syms = (Elf32_Sym *)(m->buf + shdr(m, st)->sh_offset);
	const char *str = (const char *)m->buf + shdr(m, shdr(m, st)->sh_link)->sh_offset;
	for (unsigned i = 0; i < shdr(m, st)->sh_size / sizeof(Elf32_Sym); i++) {
		const char *n = str + syms[i].st_name;
		if (ELF32_ST_TYPE(syms[i].st_info) == STT_SECTION && syms[i].st_shndx < ehdr(m)->e_shnum)
			n = secname(m, syms[i].st_shndx);
		if (!strcmp(n, name))
			return &syms[i];
	}
	CU_FAIL_FATAL("symbol not found");
	return NULL;
}

static uint32_t *record_word(struct mod *m, unsigned w)
{
	return (uint32_t *)(m->buf + shdr(m, find_section(m, ".percpu.module"))->sh_offset) + w;
}

/* Load `data` (already placed), check the result code and that the message
 * contains `want` (NO_ERROR: that it loads), unload, check nothing is left.
 * Fills *out (if given) before unloading. */
static void load_at(const uint8_t *data, size_t size, const char *name, unsigned flags, int want_rc,
		    const char *want, struct loaded_module *out)
{
	struct loader_host_usage before, after;
	struct loaded_module lm;
	char err[300] = "";
	loader_host_usage(&before);
	int rc = module_load(loader_host_rt(), data, size, name, flags, &lm, err, sizeof(err));
	if (rc != want_rc || (rc && !strstr(err, want)))
		fprintf(stderr, "\n    %s: rc %d (want %d): '%s' (want '%s')", name, rc, want_rc, err, want);
	CU_ASSERT_EQUAL(rc, want_rc);
	if (rc) {
		CU_ASSERT_PTR_NOT_NULL(strstr(err, want));
		CU_ASSERT_PTR_NOT_NULL(strstr(err, name));
	} else {
		if (out)
			*out = lm;
		CU_ASSERT_EQUAL(module_unload(loader_host_rt(), &lm), 0);
	}
	loader_host_usage(&after);
	CU_ASSERT(loader_host_same_usage(&before, &after));
}

static void expect(struct mod *m, unsigned flags, int want_rc, const char *want)
{
	load_at(m->buf, m->size, m->name, flags, want_rc, want, NULL);
}

/* ---- the sample modules ---------------------------------------------- */

/* A loaded module's per-CPU area: inside CPU 0's slot, each CPU's copy
 * holds the relocated template and zeros after it. */
static void check_loaded(const struct loaded_module *lm)
{
	uintptr_t base = loader_host_window_base();
	CU_ASSERT(lm->percpu_addr >= base + LOADER_HOST_STATIC_INIT + LOADER_HOST_STATIC_ZERO);
	CU_ASSERT(lm->percpu_addr + lm->percpu_init + lm->percpu_zero <= base + PERCPU_STRIDE);
	CU_ASSERT(lm->image != 0);
	CU_ASSERT_PTR_NOT_NULL(lm->desc);
	for (unsigned cpu = 0; cpu < LOADER_HOST_CPUS; cpu++) {
		const uint8_t *copy = (const uint8_t *)(lm->percpu_addr + ((uintptr_t)cpu << PERCPU_SHIFT));
		CU_ASSERT(memcmp(copy, lm->percpu_template, lm->percpu_init) == 0);
		for (size_t i = 0; i < lm->percpu_zero; i++)
			if (copy[lm->percpu_init + i]) {
				CU_FAIL("zero part not zero");
				break;
			}
	}
}

/* Load, check every CPU's copy, unload; the same figures from both linkers. */
static void load_both(const char *name, struct loaded_module out[2])
{
	for (unsigned l = 0; l < 2; l++) {
		struct mod m;
		struct loader_host_usage before, after;
		char err[300];
		CU_ASSERT_FATAL(read_module(linkers[l], name, &m));
		loader_host_usage(&before);
		int rc = module_load(loader_host_rt(), m.buf, m.size, m.name, 0, &out[l], err, sizeof(err));
		if (rc)
			fprintf(stderr, "\n    %s: %s", m.name, err);
		CU_ASSERT_EQUAL_FATAL(rc, 0);
		check_loaded(&out[l]);
		struct loaded_module copy = out[l];
		CU_ASSERT_EQUAL(module_unload(loader_host_rt(), &copy), 0);
		loader_host_usage(&after);
		CU_ASSERT(loader_host_same_usage(&before, &after));
		free(m.buf);
	}
	CU_ASSERT_EQUAL(out[0].percpu_init, out[1].percpu_init);
	CU_ASSERT_EQUAL(out[0].percpu_zero, out[1].percpu_zero);
	CU_ASSERT_EQUAL(out[0].relocs, out[1].relocs);
	CU_ASSERT_EQUAL(out[0].percpu_relocs, out[1].percpu_relocs);
	CU_ASSERT_EQUAL(out[0].kernel_syms, out[1].kernel_syms);
	CU_ASSERT_EQUAL(out[0].stride_shift, out[1].stride_shift);
}

static void test_counter_mod(void)
{
	struct loaded_module lm[2];
	load_both("counter_mod", lm);
	CU_ASSERT_EQUAL(lm[0].percpu_init, 12);
	CU_ASSERT_EQUAL(lm[0].stride_shift, PERCPU_SHIFT);
	CU_ASSERT(lm[0].percpu_relocs > 0 && lm[0].kernel_syms > 0);
}

static void test_zero_mod(void)
{
	struct loaded_module lm[2];
	load_both("zero_mod", lm);
	CU_ASSERT_EQUAL(lm[0].percpu_init, 0);
	CU_ASSERT(lm[0].percpu_zero > 2 * 4096);
	CU_ASSERT_EQUAL(lm[0].percpu_align, 4096);
}

static void test_noplugin_mod(void)
{
	struct loaded_module lm[2];
	load_both("noplugin_mod", lm);
	CU_ASSERT_EQUAL(lm[0].stride_shift, -1); /* no note; the record still checks the stride */
}

static void test_refused_samples(void)
{
	for (unsigned l = 0; l < 2; l++) {
		struct mod m;
		CU_ASSERT_FATAL(read_module(linkers[l], "big_mod", &m));
		expect(&m, 0, PCPU_ERR_NOSPACE, "does not fit: the largest free extent");
		free(m.buf);
		CU_ASSERT_FATAL(read_module(linkers[l], "stride_mod", &m));
		expect(&m, 0, PCPU_ERR_STRIDE, "built for per-CPU stride 2^");
		free(m.buf);
		CU_ASSERT_FATAL(read_module(linkers[l], "undef_mod", &m));
		expect(&m, 0, -1, "undefined symbol 'demo_not_exported'");
		free(m.buf);
	}
}

/* ---- malformed files ---------------------------------------------------- */

static void test_truncated(void)
{
	for (unsigned l = 0; l < 2; l++) {
		struct mod m;
		CU_ASSERT_FATAL(read_module(linkers[l], "counter_mod", &m));
		for (size_t n = 0; n < m.size; n++) {
			/* a buffer of exactly n bytes: reading past it is an ASan error */
			uint8_t *cut = malloc(n ? n : 1);
			memcpy(cut, m.buf, n);
			struct loader_host_usage before, after;
			struct loaded_module lm;
			char err[300];
			loader_host_usage(&before);
			int rc = module_load(loader_host_rt(), cut, n, "cut.o", 0, &lm, err, sizeof(err));
			CU_ASSERT(rc != 0);
			if (rc == 0)
				module_unload(loader_host_rt(), &lm);
			loader_host_usage(&after);
			CU_ASSERT(loader_host_same_usage(&before, &after));
			free(cut);
		}
		free(m.buf);
	}
}

static void test_bad_offsets(void)
{
	struct mod orig, m;
	CU_ASSERT_FATAL(read_module("bfd", "counter_mod", &orig));
	for (unsigned i = 1; i < ehdr(&orig)->e_shnum; i++) {
		if (shdr(&orig, i)->sh_type == SHT_NOBITS || !shdr(&orig, i)->sh_size)
			continue;
		static const uint32_t offsets[] = { 0xfffffff0u, 0x7fffffffu, 0 };
		for (unsigned k = 0; k < 3; k++) {
			copy_module(&orig, &m);
			shdr(&m, i)->sh_offset = offsets[k] ? offsets[k] : (uint32_t)m.size;
			expect(&m, 0, -1, "extends past the end of the file");
			free(m.buf);
		}
	}
	copy_module(&orig, &m);
	ehdr(&m)->e_shoff = 0xffffffc0u;
	expect(&m, 0, -1, "section header table extends past the end of the file");
	free(m.buf);
	free(orig.buf);
}

static void test_misaligned(void)
{
	struct mod orig, m;
	CU_ASSERT_FATAL(read_module("lld", "counter_mod", &orig));
	/* The tables the loader reads through Elf32_* pointers, one byte on. */
	static const char *const tables[] = { ".symtab", ".rel.text", ".note.percpu" };
	for (unsigned k = 0; k < 3; k++) {
		char want[64];
		copy_module(&orig, &m);
		shdr(&m, find_section(&m, tables[k]))->sh_offset += 1;
		snprintf(want, sizeof(want), "section %s: file offset 0x", tables[k]);
		expect(&m, 0, -1, want);
		free(m.buf);
	}
	copy_module(&orig, &m);
	ehdr(&m)->e_shoff -= 2;
	expect(&m, 0, -1, "section header table misaligned");
	free(m.buf);
	/* the file itself, one byte into its buffer */
	uint8_t *odd = malloc(orig.size + 1);
	memcpy(odd + 1, orig.buf, orig.size);
	load_at(odd + 1, orig.size, "odd.o", 0, -1, "not 4-byte aligned in memory", NULL);
	free(odd);
	free(orig.buf);
}

static void test_symbol_outside_section(void)
{
	for (unsigned l = 0; l < 2; l++) {
		struct mod orig, m;
		CU_ASSERT_FATAL(read_module(linkers[l], "counter_mod", &orig));
		uint32_t pc_size = shdr(&orig, find_section(&orig, ".data.percpu"))->sh_size;
		CU_ASSERT_EQUAL(pc_size, 12);
		/* cm_hits (at 8 in the 12-byte .data.percpu) one past the end:
		 * today it lands in the next area or CPU 1's copy */
		copy_module(&orig, &m);
		find_symbol(&m, "cm_hits")->st_value = pc_size + 4;
		expect(&m, 0, -1, "symbol 'cm_hits' at 0x10 lies outside its section .data.percpu (12 bytes)");
		free(m.buf);
		copy_module(&orig, &m);
		find_symbol(&m, "cm_hits")->st_value = PERCPU_STRIDE + 8;
		expect(&m, 0, -1, "symbol 'cm_hits' at");
		free(m.buf);
		/* exactly at the end is an end marker: legal */
		copy_module(&orig, &m);
		find_symbol(&m, "cm_hits")->st_value = pc_size;
		expect(&m, 0, 0, NO_ERROR);
		free(m.buf);
		/* the .rodata section symbol far outside the image */
		copy_module(&orig, &m);
		find_symbol(&m, ".rodata")->st_value = 0x7ffffff0u;
		expect(&m, 0, -1, "symbol '.rodata' at 0x7ffffff0 lies outside its section .rodata");
		free(m.buf);
		/* and the overflow of address + value */
		copy_module(&orig, &m);
		find_symbol(&m, ".rodata")->st_value = 0xfffffff0u;
		expect(&m, 0, -1, "lies outside its section .rodata");
		free(m.buf);
		free(orig.buf);
	}
}

/* ---- module.lds's record ---------------------------------------------- */

static void test_record(void)
{
	for (unsigned l = 0; l < 2; l++) {
		struct mod orig, m;
		CU_ASSERT_FATAL(read_module(linkers[l], "counter_mod", &orig));
		CU_ASSERT_EQUAL(*record_word(&orig, 0), 0x55504350u);
		CU_ASSERT_EQUAL(*record_word(&orig, 2), PERCPU_SHIFT);
		CU_ASSERT_EQUAL(*record_word(&orig, 3), 12);
		/* no record (its name gone): refused unless the caller opts in */
		copy_module(&orig, &m);
		shdr(&m, find_section(&m, ".percpu.module"))->sh_name = 0;
		expect(&m, 0, -1, "no .percpu.module record: not linked with ldscripts/module.lds");
		expect(&m, MODULE_LOAD_UNSTAMPED, 0, NO_ERROR);
		free(m.buf);
		/* another stride */
		copy_module(&orig, &m);
		*record_word(&m, 2) = PERCPU_SHIFT + 1;
		char want[100];
		snprintf(want, sizeof(want), "linked for per-CPU stride 2^%u, this kernel uses 2^%u",
			 PERCPU_SHIFT + 1, PERCPU_SHIFT);
		expect(&m, 0, PCPU_ERR_STRIDE, want);
		expect(&m, MODULE_LOAD_UNSTAMPED, PCPU_ERR_STRIDE, want);
		free(m.buf);
		/* another format */
		copy_module(&orig, &m);
		*record_word(&m, 1) = 2;
		expect(&m, 0, -1, "not a version 1 record");
		free(m.buf);
		copy_module(&orig, &m);
		shdr(&m, find_section(&m, ".percpu.module"))->sh_size = 20;
		expect(&m, 0, -1, "a record of 20 bytes");
		free(m.buf);
		/* .data.percpu renamed (".percpu" is not a per-CPU name) */
		copy_module(&orig, &m);
		shdr(&m, find_section(&m, ".data.percpu"))->sh_name += 5;
		expect(&m, 0, -1, ".data.percpu had 12 bytes when linked (.percpu.module), the module has 0");
		free(m.buf);
		free(orig.buf);

		/* big_mod's .bss.percpu renamed: almost a stride of would-be
		 * per-CPU data as ordinary data */
		CU_ASSERT_FATAL(read_module(linkers[l], "big_mod", &orig));
		copy_module(&orig, &m);
		shdr(&m, find_section(&m, ".bss.percpu"))->sh_name += 4;
		snprintf(want, sizeof(want), ".bss.percpu had %lu bytes when linked", PERCPU_STRIDE - 4100);
		expect(&m, 0, -1, want);
		free(m.buf);
		/* over the stride: the runtime refuses */
		copy_module(&orig, &m);
		shdr(&m, find_section(&m, ".bss.percpu"))->sh_size = PERCPU_STRIDE;
		*record_word(&m, 4) = PERCPU_STRIDE;
		expect(&m, 0, PCPU_ERR_NOSPACE, "does not fit");
		free(m.buf);
		free(orig.buf);

		/* stride_mod (built for another stride) with its note deleted:
		 * the record says it had one */
		CU_ASSERT_FATAL(read_module(linkers[l], "stride_mod", &orig));
		copy_module(&orig, &m);
		shdr(&m, find_section(&m, ".note.percpu"))->sh_type = SHT_PROGBITS;
		expect(&m, 0, -1, ".note.percpu had 32 bytes when linked (.percpu.module), the module has 0");
		free(m.buf);
		free(orig.buf);
	}
}

/* ---- the fuzz target's finds ---------------------------------------------- */

static void test_corpus(void)
{
	const char *top = getenv("top_srcdir");
	char dir[1024];
	snprintf(dir, sizeof(dir), "%s/tests/loader/corpus", top ? top : ".");
	DIR *d = opendir(dir);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	unsigned n = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		char path[2048];
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		FILE *f = fopen(path, "rb");
		CU_ASSERT_PTR_NOT_NULL_FATAL(f);
		static uint8_t buf[1 << 20];
		size_t size = fread(buf, 1, sizeof(buf), f);
		fclose(f);
		/* whatever the result, no crash and nothing left behind */
		for (unsigned flags = 0; flags <= MODULE_LOAD_UNSTAMPED; flags++) {
			struct loader_host_usage before, after;
			struct loaded_module lm;
			char err[300];
			loader_host_usage(&before);
			if (module_load(loader_host_rt(), buf, size, e->d_name, flags, &lm, err, sizeof(err)) == 0)
				CU_ASSERT_EQUAL(module_unload(loader_host_rt(), &lm), 0);
			loader_host_usage(&after);
			CU_ASSERT(loader_host_same_usage(&before, &after));
		}
		n++;
	}
	closedir(d);
	printf(" (%u inputs)", n);
	CU_ASSERT(n > 0);
}

int main(void)
{
	if (loader_host_init())
		return 2;
	static const struct cunit_test tests[] = {
		{ "counter_mod: loads, every CPU's copy relocated (GNU ld = ld.lld)", test_counter_mod },
		{ "zero_mod: zero-only, page aligned", test_zero_mod },
		{ "noplugin_mod: no stride note, loads", test_noplugin_mod },
		{ "big_mod, stride_mod, undef_mod: refused", test_refused_samples },
		{ "truncated at every length: refused", test_truncated },
		{ "section or header table past the end: refused", test_bad_offsets },
		{ "misaligned tables and file: refused", test_misaligned },
		{ "symbols outside their section: refused, at the end: loads", test_symbol_outside_section },
		{ "module.lds record: missing, wrong stride, renamed sections", test_record },
		{ "fuzz regression inputs: no crash, no leak", test_corpus },
	};
	int rc = CUNIT_RUN("loader", tests);
	loader_host_fini();
	return rc;
}
