/* percpu-layout.h: the layout tool's model, shared by its parts.
 *
 * The tool reads each input (a linked kernel image, a module linked with
 * module.lds, or a plain object) into a struct layout_file: its per-CPU
 * sections, the per-CPU variables in them with their offsets inside the
 * file's per-CPU area, and its stride notes.  The model part then places the
 * areas in one CPU's stride the way the runtime would (kernel first at
 * offset 0, modules after it, with the runtime's own allocator), and the
 * output parts (text, JSON, SVG) and the checks read the finished struct
 * layout.  Nothing here depends on libbfd: only percpu-layout-read.c does.
 */
#ifndef PERCPU_LAYOUT_H
#define PERCPU_LAYOUT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* The stride note's layout, the shift range and the guard page, as the
 * plugin, the runtime and the loader have them (docs/layout.md, "The
 * stride note"). */
#include <percpu-vm/contract.h>

#define LAYOUT_PAGE_SIZE 4096u

/* Where a number the layout depends on came from, strongest first. */
enum layout_source {
	LAYOUT_SRC_CONFIGURE, /* the build's configured default */
	LAYOUT_SRC_IMAGE,     /* absolute symbols PERCPU_SHIFT... in the image */
	LAYOUT_SRC_NOTE,      /* the .note.percpu stride note */
	LAYOUT_SRC_OPTION,    /* the command line */
};
const char *layout_source_name(enum layout_source s);

/* One access site of a variable, from a plugin report. */
struct layout_access {
	char *file;
	unsigned line, column;
	char *kind;      /* "per_cpu", "this_cpu_read", ... as the plugin says */
	char *function;  /* may be NULL */
};

/* One per-CPU variable (an ELF symbol in a per-CPU section). */
struct layout_var {
	char *name;
	uint64_t offset;      /* inside the file's per-CPU area */
	uint64_t size;
	uint64_t align;       /* from a report, else inferred from the offset */
	bool align_from_report;
	uint64_t hole_before; /* bytes between the previous variable's end and this one */
	unsigned section;     /* index into layout_file.sections */
	const char *unit;     /* local symbols: the source file named by the
				 STT_FILE symbol before it (in layout_file.units) */
	bool global;
	bool in_report;       /* some merged report declares it */
	bool zero_fill;       /* in the zero-filled part of the area */
	/* From the plugin's reports (NULL/0 when none names it). */
	char *src_file;
	unsigned src_line;
	struct layout_access *accesses;
	size_t nr_accesses, cap_accesses;
};

/* One per-CPU section of the input. */
struct layout_section {
	char *name;
	uint64_t vma;          /* images: link address; relocatables: 0 */
	uint64_t size;
	uint64_t align;        /* 1 << alignment power */
	bool zero_fill;        /* no contents in the file (.bss.percpu) */
	uint64_t offset;       /* where it starts inside the file's area */
	uint64_t init_size;    /* bytes of it that come from the template */
};

/* One stride note found in the file. */
struct layout_note {
	char *section;         /* the section it was in */
	unsigned version;
	unsigned shift;
};

/* An allocated non-per-CPU section that lies inside the window. */
struct layout_stray {
	char *name;
	uint64_t vma, size;
};

/* A per-CPU symbol that does not fit in its section. */
struct layout_overhang {
	char *name;
	char *section;
	uint64_t value, size, section_size;
};

enum layout_kind { LAYOUT_IMAGE, LAYOUT_RELOCATABLE };
enum layout_role { LAYOUT_ROLE_KERNEL, LAYOUT_ROLE_MODULE };

struct layout_file {
	char *path;
	char *format;            /* libbfd's target name, e.g. elf32-i386 */
	unsigned addr_bits;      /* 32 or 64 */
	enum layout_kind kind;
	enum layout_role role;
	bool linux_naming;       /* .data..percpu */
	bool sizes_from_symtab;  /* ELF st_size was readable (else inferred) */

	struct layout_section *sections;
	size_t nr_sections;
	struct layout_var *vars; /* sorted by offset, then name */
	size_t nr_vars;
	struct layout_note *notes;
	size_t nr_notes;
	char **units;            /* STT_FILE names, owned here */
	size_t nr_units;
	struct layout_stray *strays;
	size_t nr_strays;
	struct layout_overhang *overhangs;
	size_t nr_overhangs;

	/* The plugin's .percpu.report section, as read (records framed as
	 * percpu-vm/contract.h says); NULL when the file has none. */
	unsigned char *report_section;
	size_t report_section_size;
	bool has_report_section;

	/* Images: CPU 0's address of the area and the marker symbols. */
	uint64_t base;
	bool has_start, has_end, has_data_end;
	uint64_t start_sym, end_sym, data_end_sym; /* __per_cpu_data_end: end of the template */
	bool classic;            /* linked with PERCPU_LAYOUT_CLASSIC = 1: no window */
	/* Linked zero-based (Linux x86-64's layout): the per-CPU sections at
	 * 0, so base is 0 and the window is elsewhere (image_base).  Set by
	 * the model: the sections start at 0, or the image says
	 * PERCPU_LAYOUT_ZERO_BASED = 1 (zero_based_symbol). */
	bool zero_based, zero_based_symbol;
	/* Absolute symbols from ldscripts/percpu-config.lds, when linked in. */
	bool has_image_shift, has_image_nr_cpus, has_image_base;
	uint64_t image_shift, image_nr_cpus, image_base;
	/* Images: every allocated section, to find strays once the window is known. */
	struct layout_stray *alloc_sections;
	size_t nr_alloc_sections;

	/* The area: [0, area_size) in the file's own terms, aligned to area_align. */
	uint64_t init_size;      /* bytes copied from the template (.data part) */
	uint64_t zero_size;      /* bytes zero-filled (.bss part) */
	uint64_t area_size;
	uint64_t area_align;

	/* Set by the model: where the area lands in the stride. */
	bool placed;
	uint64_t area_offset;
	int place_error;         /* enum pcpu_error from the allocator, 0 if placed */
};

/* A problem --check reports (and the other outputs list). */
enum layout_problem_kind {
	LAYOUT_PB_OVER_STRIDE,    /* per-CPU data larger than the stride */
	LAYOUT_PB_MIXED_STRIDES,  /* notes with different shifts */
	LAYOUT_PB_OUTSIDE,        /* per-CPU symbol outside its section */
	LAYOUT_PB_STRAY,          /* a section that is not per-CPU in the window */
	LAYOUT_PB_NOT_PERCPU,     /* a symbol in a per-CPU section no report declares */
	LAYOUT_PB_PLACEMENT,      /* the allocator refused an area */
	LAYOUT_PB_NOTE,           /* a stride note the tool cannot read */
	LAYOUT_PB_MARKERS,        /* __per_cpu_start/__per_cpu_end disagree with the sections */
	LAYOUT_PB_WINDOW_OVERFLOW, /* the window runs past the end of the address space */
};
const char *layout_problem_kind_name(enum layout_problem_kind k);

struct layout_problem {
	enum layout_problem_kind kind;
	char *file;     /* the input it concerns (NULL: the whole layout) */
	char *message;
};

/* A dynamic (alloc_percpu) area asked for with --dynamic SIZE[:ALIGN]. */
struct layout_dynamic {
	uint64_t size, align;
	bool placed;
	uint64_t offset;
	int place_error;
};

struct layout_options {
	unsigned shift;      /* valid when shift_set */
	bool shift_set;
	unsigned nr_cpus;
	bool nr_cpus_set;
	uint64_t base;
	bool base_set;
	struct layout_dynamic *dynamic; /* copied into struct layout by layout_model() */
	size_t nr_dynamic;
};

struct layout {
	struct layout_file *files;   /* files[0] is the kernel when it is an image */
	size_t nr_files;

	/* The window, decided by layout_model(). */
	unsigned shift;
	enum layout_source shift_source;
	const char *shift_file;  /* the file whose note or symbol gave the shift */
	uint64_t stride;
	uint64_t usable;         /* stride - PERCPU_GUARD_SIZE: where areas may lie */
	unsigned nr_cpus;
	enum layout_source nr_cpus_source;
	uint64_t base;
	enum layout_source base_source;

	uint64_t used_end;       /* end of the last placed area in the stride */
	uint64_t used_bytes;     /* sum of the placed areas */
	uint64_t pages_per_cpu;  /* page offsets some area covers */

	struct layout_problem *problems;
	size_t nr_problems;

	size_t nr_reports;       /* plugin reports merged */
	bool reports_embedded;   /* ...from the inputs' .percpu.report (no --reports) */

	/* --dynamic: alloc_percpu() areas to place after the modules. */
	struct layout_dynamic *dynamic;
	size_t nr_dynamic;
};

/* ---- util (percpu-layout-util.c) ---- */
void *layout_xmalloc(size_t n);
void *layout_xcalloc(size_t n, size_t size);
void *layout_xrealloc(void *p, size_t n);
char *layout_xstrdup(const char *s);
char *layout_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Grow *array (of *cap elements of `size` bytes) so index `need` fits. */
void layout_grow(void *array, size_t *cap, size_t need, size_t size);
void layout_add_problem(struct layout *l, enum layout_problem_kind kind, const char *file,
			const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void layout_free(struct layout *l);
/* Do the merged plugin reports declare any of f's variables?  A file they
 * do not cover was built without the plugin (or without report=). */
bool layout_file_in_reports(const struct layout_file *f);
void layout_file_free(struct layout_file *f);
/* Write v in decimal, right-justified in `width` columns (at most 20
 * digits), or as 0x and at least `digits` hex digits; return the end.  The
 * per-variable rows use these instead of printf (see percpu-layout-text.c). */
char *layout_put_udec(char *p, uint64_t v, int width);
char *layout_put_hex(char *p, uint64_t v, int digits);
/* Section and symbol names are bytes from the file: control characters
 * become '?' wherever a line must stay one line (errors, --check, text). */
void layout_sanitize_line(char *s);
void layout_put_name(FILE *out, const char *s);
/* "WHERE: message" into err, on one line (control characters as '?');
 * returns -1.  For the report errors, WHERE being a file or FILE:LINE:COL. */
int layout_vfail(char *err, size_t errlen, const char *where, const char *fmt, va_list ap);
/* What a stat() mode that is not a regular file is ("a FIFO", "a
 * character device" ...), for the errors refusing it: reading a FIFO or a
 * terminal would wait for a writer that may never come. */
const char *layout_file_type_name(unsigned mode);
/* "4 KiB", "1 MiB", "1.5 MiB": for the text and SVG outputs. */
void layout_human_size(uint64_t bytes, char *buf, size_t len);

/* ---- reading (percpu-layout-read.c): libbfd ---- */
/* Read one input.  On failure returns -1 with a one-line message (without
 * the file name) in err; never exits, so the fuzzer can call it. */
int layout_read_file(const char *path, struct layout_file *out, char *err, size_t errlen);
/* Once per process, before layout_read_file(). */
void layout_read_init(void);
/* Is this section name one the tool treats as per-CPU data? */
bool layout_is_percpu_section(const char *name);

/* ---- model (percpu-layout-model.c) ---- */
/* Decide the window, place every area, compute holes and pages.  Returns -1
 * with a message in err for a usage error (e.g. two images). */
int layout_model(struct layout *l, const struct layout_options *opt, char *err, size_t errlen);
/* Bytes of one CPU's stride covered by page offsets in use. */
uint64_t layout_mapped_per_cpu(const struct layout *l);

/* ---- placement (percpu-layout-place.c): the runtime's allocator ---- */
/* Place files[0] (if it is the kernel) at offset 0 and every module after
 * it, as the runtime would.  Sets placed/area_offset/place_error. */
void layout_place_areas(struct layout *l);

/* ---- checks (percpu-layout-check.c) ---- */
void layout_check(struct layout *l);

/* ---- plugin reports (percpu-layout-reports.c) ---- */
/* Merge the JSON reports named by paths (files, or directories whose *.json
 * files are read).  Returns -1 with a message naming the file on error. */
int layout_merge_reports(struct layout *l, char *const *paths, size_t n, char *err,
			 size_t errlen);
/* Merge the reports the inputs carry in their .percpu.report sections.
 * Returns -1 with a message naming the file, the section and the record. */
int layout_merge_embedded_reports(struct layout *l, char *err, size_t errlen);

/* ---- the records of .percpu.report (percpu-layout-records.c) ---- */
struct layout_record {
	unsigned number;   /* 1, 2, ... in the section */
	size_t offset;     /* of its header in the section */
	const char *text;  /* the JSON document */
	size_t len;
};
/* The record at or after *pos in a section's bytes (zero padding between
 * records is skipped): 1 and *pos past it, 0 at the end, -1 with
 * "record N at byte B: problem" in err. */
int layout_record_next(const unsigned char *sec, size_t size, size_t *pos,
		       struct layout_record *rec, char *err, size_t errlen);

/* ---- outputs ---- */
void layout_print_text(const struct layout *l, FILE *out);
void layout_print_json(const struct layout *l, FILE *out);
int layout_write_svg(const struct layout *l, FILE *out);

#endif /* PERCPU_LAYOUT_H */
