/* percpu-layout-util.c: memory, strings and the problem list.
 *
 * The tool is a short-lived host program: running out of memory is reported
 * and ends it, so the rest of the code need not check every allocation. */
#define _GNU_SOURCE /* vasprintf */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "percpu-layout.h"

static void out_of_memory(void)
{
	fputs("percpu-layout: out of memory\n", stderr);
	exit(2);
}

void *layout_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		out_of_memory();
	return p;
}

void *layout_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		out_of_memory();
	return p;
}

void *layout_xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		out_of_memory();
	return p;
}

char *layout_xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;

	return memcpy(layout_xmalloc(n), s, n);
}

char *layout_xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		out_of_memory();
	return s;
}

void layout_grow(void *array, size_t *cap, size_t need, size_t size)
{
	void **arr = array;
	size_t n = *cap;

	if (need < n)
		return;
	n = n ? n : 8;
	while (n <= need) {
		if (n > SIZE_MAX / 2 / size)
			out_of_memory();
		n *= 2;
	}
	*arr = layout_xrealloc(*arr, n * size);
	*cap = n;
}

const char *layout_problem_kind_name(enum layout_problem_kind k)
{
	switch (k) {
	case LAYOUT_PB_OVER_STRIDE: return "over-stride";
	case LAYOUT_PB_MIXED_STRIDES: return "mixed-strides";
	case LAYOUT_PB_OUTSIDE: return "outside-section";
	case LAYOUT_PB_STRAY: return "stray-section";
	case LAYOUT_PB_NOT_PERCPU: return "not-per-cpu";
	case LAYOUT_PB_PLACEMENT: return "placement";
	case LAYOUT_PB_NOTE: return "bad-note";
	case LAYOUT_PB_MARKERS: return "markers";
	case LAYOUT_PB_WINDOW_OVERFLOW: return "window-overflow";
	}
	return "unknown";
}

const char *layout_source_name(enum layout_source s)
{
	switch (s) {
	case LAYOUT_SRC_CONFIGURE: return "configure";
	case LAYOUT_SRC_IMAGE: return "image";
	case LAYOUT_SRC_NOTE: return "note";
	case LAYOUT_SRC_OPTION: return "option";
	}
	return "unknown";
}

void layout_sanitize_line(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s == 0x7f)
			*s = '?';
}

void layout_put_name(FILE *out, const char *s)
{
	const char *p = s;

	while (*p && (unsigned char)*p >= 0x20 && (unsigned char)*p != 0x7f)
		p++;
	if (!*p) { /* the usual case */
		fputs(s, out);
		return;
	}
	for (p = s; *p; p++)
		fputc((unsigned char)*p < 0x20 || (unsigned char)*p == 0x7f ? '?' : *p, out);
}

void layout_add_problem(struct layout *l, enum layout_problem_kind kind, const char *file,
			const char *fmt, ...)
{
	struct layout_problem *p;
	va_list ap;
	int n;

	l->problems = layout_xrealloc(l->problems, (l->nr_problems + 1) * sizeof(*l->problems));
	p = &l->problems[l->nr_problems++];
	p->kind = kind;
	p->file = file ? layout_xstrdup(file) : NULL;
	va_start(ap, fmt);
	n = vasprintf(&p->message, fmt, ap);
	va_end(ap);
	if (n < 0)
		out_of_memory();
	/* names come from the file: keep each problem on one line */
	layout_sanitize_line(p->message);
}

int layout_vfail(char *err, size_t errlen, const char *where, const char *fmt, va_list ap)
{
	int n = snprintf(err, errlen, "%s: ", where);

	if (n >= 0 && (size_t)n < errlen)
		vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
	layout_sanitize_line(err);
	return -1;
}

const char *layout_file_type_name(unsigned mode)
{
	if (S_ISDIR(mode))
		return "a directory";
	if (S_ISFIFO(mode))
		return "a FIFO";
	if (S_ISCHR(mode))
		return "a character device";
	if (S_ISBLK(mode))
		return "a block device";
	if (S_ISSOCK(mode))
		return "a socket";
	return "not a regular file";
}

void layout_human_size(uint64_t bytes, char *buf, size_t len)
{
	static const char *const unit[] = { "bytes", "KiB", "MiB", "GiB", "TiB" };
	unsigned u = 0;
	uint64_t whole = bytes, scale = 1;

	while (whole >= 1024 && u + 1 < sizeof(unit) / sizeof(unit[0])) {
		whole /= 1024;
		scale *= 1024;
		u++;
	}
	if (u == 0 || bytes % scale == 0)
		snprintf(buf, len, "%llu %s", (unsigned long long)whole, unit[u]);
	else
		snprintf(buf, len, "%.1f %s", (double)bytes / (double)scale, unit[u]);
}

void layout_file_free(struct layout_file *f)
{
	size_t i, j;

	free(f->path);
	free(f->format);
	for (i = 0; i < f->nr_sections; i++)
		free(f->sections[i].name);
	free(f->sections);
	for (i = 0; i < f->nr_vars; i++) {
		struct layout_var *v = &f->vars[i];

		free(v->name);
		free(v->src_file);
		for (j = 0; j < v->nr_accesses; j++) {
			free(v->accesses[j].file);
			free(v->accesses[j].kind);
			free(v->accesses[j].function);
		}
		free(v->accesses);
	}
	free(f->vars);
	for (i = 0; i < f->nr_units; i++)
		free(f->units[i]);
	free(f->units);
	for (i = 0; i < f->nr_notes; i++)
		free(f->notes[i].section);
	free(f->notes);
	for (i = 0; i < f->nr_strays; i++)
		free(f->strays[i].name);
	free(f->strays);
	for (i = 0; i < f->nr_alloc_sections; i++)
		free(f->alloc_sections[i].name);
	free(f->alloc_sections);
	for (i = 0; i < f->nr_overhangs; i++) {
		free(f->overhangs[i].name);
		free(f->overhangs[i].section);
	}
	free(f->overhangs);
	free(f->report_section);
	memset(f, 0, sizeof(*f));
}

bool layout_file_in_reports(const struct layout_file *f)
{
	size_t i;

	for (i = 0; i < f->nr_vars; i++)
		if (f->vars[i].in_report)
			return true;
	return false;
}

void layout_free(struct layout *l)
{
	size_t i;

	for (i = 0; i < l->nr_files; i++)
		layout_file_free(&l->files[i]);
	free(l->files);
	for (i = 0; i < l->nr_problems; i++) {
		free(l->problems[i].file);
		free(l->problems[i].message);
	}
	free(l->problems);
	free(l->dynamic);
	memset(l, 0, sizeof(*l));
}

char *layout_put_udec(char *p, uint64_t v, int width)
{
	char tmp[24];
	int n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (; width > n; width--)
		*p++ = ' ';
	while (n)
		*p++ = tmp[--n];
	return p;
}

char *layout_put_hex(char *p, uint64_t v, int digits)
{
	static const char hex[] = "0123456789abcdef";
	char tmp[20];
	int n = 0;

	do {
		tmp[n++] = hex[v & 15];
		v >>= 4;
	} while (v);
	*p++ = '0';
	*p++ = 'x';
	for (; digits > n; digits--)
		*p++ = '0';
	while (n)
		*p++ = tmp[--n];
	return p;
}
