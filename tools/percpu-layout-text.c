/* percpu-layout-text.c: the default output, a table in the spirit of
 * size(1) and pahole: one block per input with every variable (offset in
 * the stride, size, alignment, the hole before it), then the totals, the
 * pages per CPU and the window.  Offsets are in the stride (CPU 0's copy
 * is at base + offset; CPU n's n strides higher). */
#include "config.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <percpu-vm/contract.h>
#include <percpu-vm/runtime.h>

#include "percpu-layout.h"

static const char *kind_name(const struct layout_file *f)
{
	if (f->kind == LAYOUT_IMAGE)
		return "linked image, kernel";
	return "relocatable, module";
}

/* The variable rows are most of the output (50,000 of them in the
 * benchmark), and printf's format interpretation was most of the tool's
 * time there: the rows are put together by hand instead
 * (layout_put_udec/layout_put_hex). */
/* `s` left-justified in `width` columns; the caller's buffer holds it. */
static char *put_left(char *p, const char *s, size_t len, size_t width)
{
	memcpy(p, s, len);
	p += len;
	for (; width > len; width--)
		*p++ = ' ';
	return p;
}

static void print_file(const struct layout *l, const struct layout_file *f, FILE *out)
{
	char h1[32];
	size_t i, w = 8;
	size_t *section_len;
	char *row;

	fprintf(out, "%s: %s (%s)%s\n", f->path, f->format ? f->format : "?", kind_name(f),
		f->linux_naming ? ", Linux .data..percpu naming" : "");
	for (i = 0; i < f->nr_notes; i++)
		fprintf(out, "  stride note: version %u, shift %u (stride %#llx)\n",
			f->notes[i].version, f->notes[i].shift,
			f->notes[i].shift < 64 ? (unsigned long long)1 << f->notes[i].shift : 0ULL);
	if (f->nr_notes == 0)
		fprintf(out, "  stride note: none\n");
	if (f->zero_based)
		fprintf(out, "  zero-based: per-CPU sections linked at 0x%" PRIx64 ", a variable's "
			"address is its offset (%%gs holds the CPU's area, at base + n * stride)\n",
			f->base);
	if (l->nr_reports && f->nr_vars && !layout_file_in_reports(f))
		fprintf(out, "  plugin reports: none declares this file's variables "
			"(built without the plugin?); not checked against them\n");
	/* A stride note says the plugin lowered this file, which embeds its
	 * records unless told not to: their absence is worth a line. */
	if (l->reports_embedded && f->nr_vars && f->nr_notes && !f->has_report_section)
		fprintf(out, "  access records: none (no %s section: built with "
			"embed-report=no, or stripped; --reports reads side files)\n",
			PERCPU_REPORT_SECTION_NAME);
	if (!f->sizes_from_symtab)
		fprintf(out, "  sizes: inferred from the next symbol (no ELF symbol sizes)\n");
	section_len = layout_xmalloc((f->nr_sections + 1) * sizeof(*section_len));
	for (i = 0; i < f->nr_sections; i++) {
		section_len[i] = strlen(f->sections[i].name);
		if (section_len[i] > w)
			w = section_len[i];
	}
	/* 2 + 2 + 20 digits + 3 * (1 + 20) + 1 + 4 + 2 + w + 1 */
	row = layout_xmalloc(w + 128);
	fprintf(out, "  %-10s %10s %6s %8s %-4s  %-*s %s\n", "offset", "size", "align", "hole",
		"fill", (int)w, "section", "variable");
	for (i = 0; i < f->nr_vars; i++) {
		const struct layout_var *v = &f->vars[i];

		const char *sname = f->sections[v->section].name;
		char *p = row;

		/* "  0x%08x %10u %6u %8u %-4s  %-*s " then the name */
		*p++ = ' ';
		*p++ = ' ';
		p = layout_put_hex(p, f->area_offset + v->offset, 8);
		*p++ = ' ';
		p = layout_put_udec(p, v->size, 10);
		*p++ = ' ';
		p = layout_put_udec(p, v->align, 6);
		*p++ = ' ';
		p = layout_put_udec(p, v->hole_before, 8);
		*p++ = ' ';
		p = put_left(p, v->zero_fill ? "zero" : "data", 4, 4);
		*p++ = ' ';
		*p++ = ' ';
		p = put_left(p, sname, section_len[v->section], w);
		*p++ = ' ';
		fwrite(row, 1, (size_t)(p - row), out);
		layout_put_name(out, v->name);
		if (v->src_file)
			fprintf(out, "  (%s:%u, %zu access%s)", v->src_file, v->src_line,
				v->nr_accesses, v->nr_accesses == 1 ? "" : "es");
		fputc('\n', out);
		for (size_t a = 0; a < v->nr_accesses; a++)
			fprintf(out, "  %10s %10s %6s %8s %4s  %-*s   %s %s:%u:%u%s%s\n", "", "", "", "", "",
				(int)w, "", v->accesses[a].kind ? v->accesses[a].kind : "access",
				v->accesses[a].file ? v->accesses[a].file : "?",
				v->accesses[a].line, v->accesses[a].column,
				v->accesses[a].function ? " in " : "",
				v->accesses[a].function ? v->accesses[a].function : "");
	}
	free(row);
	free(section_len);
	for (i = 0; i < f->nr_sections; i++) {
		const struct layout_section *s = &f->sections[i];

		fprintf(out, "  section %-*s %10" PRIu64 " bytes at +0x%" PRIx64 ", align %" PRIu64
			"%s\n", (int)w, s->name, s->size, s->offset, s->align,
			s->zero_fill ? ", zero-filled" : "");
	}
	h1[0] = '\0';
	if (f->area_size >= 1024) {
		h1[0] = ' ';
		h1[1] = '(';
		layout_human_size(f->area_size, h1 + 2, sizeof(h1) - 3);
		strcat(h1, ")");
	}
	fprintf(out, "  area: %" PRIu64 " bytes%s: %" PRIu64 " copied from the template, %"
		PRIu64 " zero-filled, aligned to %" PRIu64 "\n",
		f->area_size, h1, f->init_size, f->zero_size, f->area_align);
	if (f->placed)
		fprintf(out, "  lands at: offset 0x%" PRIx64 "..0x%" PRIx64 " of the stride, CPU 0 "
			"address 0x%" PRIx64 "\n", f->area_offset, f->area_offset + f->area_size,
			l->base + f->area_offset);
	else if (f->area_size == 0)
		fprintf(out, "  lands at: nowhere (no per-CPU bytes)\n");
	else
		fprintf(out, "  lands at: nowhere: %s would refuse it (%s)\n",
			f->place_error == PCPU_ERR_STRIDE ? "the module loader" : "the runtime",
			pcpu_strerror(f->place_error));
	fputc('\n', out);
}

void layout_print_text(const struct layout *l, FILE *out)
{
	char h1[32], h2[32], h3[32];
	uint64_t window = (uint64_t)l->nr_cpus << l->shift;
	uint64_t mapped = layout_mapped_per_cpu(l);
	size_t i, placed = 0;

	for (i = 0; i < l->nr_files; i++)
		print_file(l, &l->files[i], out);

	for (i = 0; i < l->nr_dynamic; i++) {
		const struct layout_dynamic *d = &l->dynamic[i];

		fprintf(out, "dynamic area %zu (alloc_percpu): %" PRIu64 " bytes, aligned to %" PRIu64,
			i + 1, d->size, d->align);
		if (d->placed)
			fprintf(out, ": lands at offset 0x%" PRIx64 "..0x%" PRIx64 "\n", d->offset,
				d->offset + d->size);
		else
			fprintf(out, ": nowhere (%s)\n", pcpu_strerror(d->place_error));
	}
	if (l->nr_dynamic)
		fputc('\n', out);
	layout_human_size(l->stride, h1, sizeof(h1));
	fprintf(out, "stride: 0x%" PRIx64 " (%s, shift %u, from %s)\n", l->stride, h1, l->shift,
		layout_source_name(l->shift_source));
	fprintf(out, "base: 0x%" PRIx64 " (from %s); CPU n's copy at base + n * stride\n", l->base,
		layout_source_name(l->base_source));
	for (i = 0; i < l->nr_files; i++)
		placed += l->files[i].placed;
	for (i = 0; i < l->nr_dynamic; i++)
		placed += l->dynamic[i].placed;
	fprintf(out, "used per CPU: %" PRIu64 " bytes in %zu area%s, up to offset 0x%" PRIx64
		" (%.2f%% of the stride)\n", l->used_bytes, placed,
		placed == 1 ? "" : "s", l->used_end,
		l->stride ? 100.0 * (double)l->used_end / (double)l->stride : 0.0);
	layout_human_size(mapped, h2, sizeof(h2));
	fprintf(out, "pages per CPU: %" PRIu64 " (%s mapped of each %s stride)\n", l->pages_per_cpu,
		h2, h1);
	layout_human_size(window, h1, sizeof(h1));
	layout_human_size(mapped * l->nr_cpus, h3, sizeof(h3));
	fprintf(out, "window: %u CPUs x stride = %s at 0x%" PRIx64 "..0x%" PRIx64
		" (CPUs from %s); mapped with all of them online %s (%.3f%%)\n",
		l->nr_cpus, h1, l->base, l->base + window,
		layout_source_name(l->nr_cpus_source), h3,
		window ? 100.0 * (double)(mapped * l->nr_cpus) / (double)window : 0.0);
	if (l->nr_reports)
		fprintf(out, "plugin reports merged: %zu\n", l->nr_reports);
	if (l->nr_problems == 0) {
		fprintf(out, "problems: none\n");
		return;
	}
	fprintf(out, "problems: %zu\n", l->nr_problems);
	for (i = 0; i < l->nr_problems; i++)
		fprintf(out, "  %s: %s [%s]\n", l->problems[i].file ? l->problems[i].file : "layout",
			l->problems[i].message, layout_problem_kind_name(l->problems[i].kind));
}
