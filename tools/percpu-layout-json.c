/* percpu-layout-json.c: --json, for programs.  The schema ("percpu-layout/2")
 * is documented in docs/layout.md.  Sizes, offsets and counts are plain JSON
 * integers, all below 2^53 (the window is at most 65536 CPUs of a 2 GiB
 * stride, 2^47 bytes), so a reader that keeps numbers in doubles has them
 * exactly.  Addresses are strings, "0x" and lowercase hex digits: an x86-64
 * kernel's window is in the top 2 GiB, above 2^63, which a double rounds
 * and a signed 64-bit integer (jansson's json_int_t) cannot hold. */
#include "config.h"

#include <inttypes.h>
#include <string.h>

#include "percpu-layout.h"

/* An address member: `, "KEY": "0x..."`. */
static void json_address(FILE *out, const char *key, uint64_t address)
{
	fprintf(out, ", \"%s\": \"0x%" PRIx64 "\"", key, address);
}

/* Length of the valid UTF-8 sequence at s, or 0. */
static int utf8_len(const unsigned char *s)
{
	int n, i;
	unsigned cp;

	if (s[0] < 0xc2 || s[0] > 0xf4)
		return 0;
	n = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : 2;
	cp = s[0] & (0x7f >> n);
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

/* A JSON string: symbol names are bytes, so anything that is not valid
 * UTF-8 becomes U+FFFD and the document stays valid. */
static void json_string(FILE *out, const char *s)
{
	fputc('"', out);
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		size_t run = 0;

		/* the usual case: a run of plain ASCII, written at once */
		while (s[run] && (unsigned char)s[run] >= 0x20 && (unsigned char)s[run] < 0x7f &&
		       s[run] != '"' && s[run] != '\\')
			run++;
		if (run) {
			fwrite(s, 1, run, out);
			s += run - 1;
			continue;
		}
		if (c >= 0x80) {
			int n = utf8_len((const unsigned char *)s);

			if (n) {
				fwrite(s, 1, (size_t)n, out);
				s += n - 1;
			} else {
				fputs("\\ufffd", out);
			}
		} else if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", out);
		else if (c == '\t')
			fputs("\\t", out);
		else if (c < 0x20 || c == 0x7f)
			fprintf(out, "\\u%04x", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
}

/* `"key": N` after a comma; the rows are built by hand as in the text
 * output, printf being most of the time for 50,000 variables. */
static void json_uint(FILE *out, const char *key, uint64_t v)
{
	char buf[96], *p = buf;
	size_t n = strlen(key);

	if (n > 64)
		n = 64; /* (keys are this file's own short literals) */
	*p++ = ',';
	*p++ = ' ';
	*p++ = '"';
	memcpy(p, key, n);
	p += n;
	*p++ = '"';
	*p++ = ':';
	*p++ = ' ';
	p = layout_put_udec(p, v, 0);
	fwrite(buf, 1, (size_t)(p - buf), out);
}

static void print_var(const struct layout_file *f, const struct layout_var *v, FILE *out)
{
	fputs("        {\"name\": ", out);
	json_string(out, v->name);
	json_uint(out, "offset", f->area_offset + v->offset);
	json_uint(out, "size", v->size);
	json_uint(out, "align", v->align);
	fputs(v->align_from_report ? ", \"align_source\": \"report\""
				   : ", \"align_source\": \"offset\"", out);
	json_uint(out, "hole_before", v->hole_before);
	fputs(", \"section\": ", out);
	json_string(out, f->sections[v->section].name);
	fputs(v->global ? ", \"global\": true" : ", \"global\": false", out);
	fputs(v->zero_fill ? ", \"zero_fill\": true" : ", \"zero_fill\": false", out);
	if (v->src_file) {
		fputs(", \"source\": {\"file\": ", out);
		json_string(out, v->src_file);
		fprintf(out, ", \"line\": %u}", v->src_line);
	}
	if (v->nr_accesses) {
		fputs(", \"accesses\": [", out);
		for (size_t i = 0; i < v->nr_accesses; i++) {
			const struct layout_access *a = &v->accesses[i];

			fputs(i ? ", {\"file\": " : "{\"file\": ", out);
			json_string(out, a->file);
			fprintf(out, ", \"line\": %u, \"column\": %u, \"kind\": ", a->line, a->column);
			json_string(out, a->kind);
			if (a->function) {
				fputs(", \"function\": ", out);
				json_string(out, a->function);
			}
			fputc('}', out);
		}
		fputc(']', out);
	}
	fputc('}', out);
}

static void print_file(const struct layout_file *f, FILE *out)
{
	size_t i;

	fputs("    {\"path\": ", out);
	json_string(out, f->path);
	fputs(", \"format\": ", out);
	json_string(out, f->format);
	fprintf(out, ", \"kind\": \"%s\", \"role\": \"%s\", \"linux_naming\": %s,"
		" \"sizes_from_symtab\": %s,\n",
		f->kind == LAYOUT_IMAGE ? "image" : "relocatable",
		f->role == LAYOUT_ROLE_KERNEL ? "kernel" : "module",
		f->linux_naming ? "true" : "false", f->sizes_from_symtab ? "true" : "false");
	/* Optional, added within percpu-layout/2: a reader that ignores it
	 * still gets right numbers (link_address 0, the window's base). */
	if (f->zero_based)
		fputs("      \"zero_based\": true,\n", out);
	fprintf(out, "      \"area\": {\"offset\": %" PRIu64 ", \"size\": %" PRIu64
		", \"init_size\": %" PRIu64 ", \"zero_size\": %" PRIu64 ", \"align\": %" PRIu64
		", \"placed\": %s",
		f->area_offset, f->area_size, f->init_size, f->zero_size, f->area_align,
		f->placed ? "true" : "false");
	if (f->kind == LAYOUT_IMAGE)
		json_address(out, "link_address", f->base);
	fputs("},\n      \"notes\": [", out);
	for (i = 0; i < f->nr_notes; i++)
		fprintf(out, "%s{\"version\": %u, \"shift\": %u}", i ? ", " : "",
			f->notes[i].version, f->notes[i].shift);
	fputs("],\n      \"sections\": [", out);
	for (i = 0; i < f->nr_sections; i++) {
		const struct layout_section *s = &f->sections[i];

		fputs(i ? ", {\"name\": " : "{\"name\": ", out);
		json_string(out, s->name);
		fprintf(out, ", \"offset\": %" PRIu64 ", \"size\": %" PRIu64 ", \"align\": %" PRIu64
			", \"zero_fill\": %s}", f->area_offset + s->offset, s->size, s->align,
			s->zero_fill ? "true" : "false");
	}
	fputs("],\n      \"variables\": [", out);
	for (i = 0; i < f->nr_vars; i++) {
		fputs(i ? ",\n" : "\n", out);
		print_var(f, &f->vars[i], out);
	}
	fputs(f->nr_vars ? "\n      ]}" : "]}", out);
}

void layout_print_json(const struct layout *l, FILE *out)
{
	uint64_t window = (uint64_t)l->nr_cpus << l->shift;
	size_t i;

	fputs("{\n  \"schema\": \"percpu-layout/2\",\n", out);
	fprintf(out, "  \"window\": {\"shift\": %u, \"shift_source\": \"%s\", \"stride\": %" PRIu64
		", \"nr_cpus\": %u, \"nr_cpus_source\": \"%s\"",
		l->shift, layout_source_name(l->shift_source), l->stride, l->nr_cpus,
		layout_source_name(l->nr_cpus_source));
	json_address(out, "base", l->base);
	fprintf(out, ", \"base_source\": \"%s\", \"size\": %" PRIu64 ", \"page_size\": %u,\n",
		layout_source_name(l->base_source), window, LAYOUT_PAGE_SIZE);
	fprintf(out, "    \"used_bytes_per_cpu\": %" PRIu64 ", \"used_end\": %" PRIu64
		", \"pages_per_cpu\": %" PRIu64 ", \"mapped_bytes_per_cpu\": %" PRIu64
		", \"mapped_bytes\": %" PRIu64 "},\n",
		l->used_bytes, l->used_end, l->pages_per_cpu, layout_mapped_per_cpu(l),
		layout_mapped_per_cpu(l) * l->nr_cpus);
	fprintf(out, "  \"reports_merged\": %zu,\n  \"files\": [\n", l->nr_reports);
	for (i = 0; i < l->nr_files; i++) {
		print_file(&l->files[i], out);
		fputs(i + 1 < l->nr_files ? ",\n" : "\n", out);
	}
	fputs("  ],\n  \"dynamic\": [", out);
	for (i = 0; i < l->nr_dynamic; i++) {
		const struct layout_dynamic *d = &l->dynamic[i];

		fprintf(out, "%s{\"size\": %" PRIu64 ", \"align\": %" PRIu64 ", \"placed\": %s, "
			"\"offset\": %" PRIu64 "}", i ? ", " : "", d->size, d->align,
			d->placed ? "true" : "false", d->offset);
	}
	fputs("],\n  \"problems\": [", out);
	for (i = 0; i < l->nr_problems; i++) {
		const struct layout_problem *p = &l->problems[i];

		fprintf(out, "%s\n    {\"kind\": \"%s\", \"file\": ", i ? "," : "",
			layout_problem_kind_name(p->kind));
		if (p->file)
			json_string(out, p->file);
		else
			fputs("null", out);
		fputs(", \"message\": ", out);
		json_string(out, p->message);
		fputc('}', out);
	}
	fputs(l->nr_problems ? "\n  ]\n}\n" : "]\n}\n", out);
}
