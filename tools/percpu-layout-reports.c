/* percpu-layout-reports.c: merging the plugin's JSON reports, from side
 * files (--reports) or from the records the inputs carry (.percpu.report).
 *
 * The plugin writes one report per translation unit (a side file with
 * -fplugin-arg-percpu_plugin-report=FILE, a record in the object in
 * mode=lower; schema in docs/plugin.md): the
 * unit's per-CPU variables with their source line, size and alignment,
 * and every access site.  The ELF files know where a variable is but not
 * where it was written or its declared alignment; the reports know that,
 * so the two are joined by symbol name.  A report that declares a name
 * also vouches that it is per-CPU, which is how --check tells a real
 * per-CPU variable from something that only landed in the section.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <percpu-vm/contract.h>

#include "percpu-layout-jsonread.h"
#include "percpu-layout.h"

#define REPORT_MAX_BYTES (256u << 20)
#define REPORT_MAX_DEPTH 16

struct name_index {
	struct layout_var **vars; /* sorted by name */
	size_t n;
};

static int cmp_var_name(const void *a, const void *b)
{
	const struct layout_var *const *x = a, *const *y = b;

	return strcmp((*x)->name, (*y)->name);
}

static void build_index(struct layout *l, struct name_index *ix)
{
	size_t total = 0, i, j;

	for (i = 0; i < l->nr_files; i++)
		total += l->files[i].nr_vars;
	ix->vars = layout_xmalloc(total * sizeof(*ix->vars));
	ix->n = 0;
	for (i = 0; i < l->nr_files; i++)
		for (j = 0; j < l->files[i].nr_vars; j++)
			ix->vars[ix->n++] = &l->files[i].vars[j];
	qsort(ix->vars, ix->n, sizeof(*ix->vars), cmp_var_name);
}

/* The first variable with this name, or n; equal names follow it. */
static size_t find_first(const struct name_index *ix, const char *name)
{
	size_t lo = 0, hi = ix->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(ix->vars[mid]->name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < ix->n && strcmp(ix->vars[lo]->name, name) == 0 ? lo : ix->n;
}

static const char *get_str(const json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

/* A non-negative integer member (layout_report_check() vouched for its
 * type and range), or 0. */
static uint64_t get_uint(const json_t *obj, const char *key)
{
	json_int_t v = json_integer_value(json_object_get(obj, key));

	return v > 0 ? (uint64_t)v : 0;
}

static int rfail(char *err, size_t errlen, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int rfail(char *err, size_t errlen, const char *path, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	layout_vfail(err, errlen, path, fmt, ap);
	va_end(ap);
	return -1;
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* Can this report entry be about variable v?  A global is one variable;
 * a static is only the one of the report's own unit, when the object
 * names its units (STT_FILE symbols hold the source file's base name). */
static bool same_unit(const struct layout_var *v, const char *unit)
{
	return v->global || !v->unit || !unit || strcmp(v->unit, base_name(unit)) == 0;
}

static void merge_variable(const struct name_index *ix, const json_t *jv, const char *unit)
{
	const char *name = get_str(jv, PERCPU_REPORT_VAR_NAME);
	const char *file = get_str(jv, PERCPU_REPORT_VAR_FILE);
	bool is_def = json_is_true(json_object_get(jv, PERCPU_REPORT_VAR_DEFINED));
	uint64_t line = get_uint(jv, PERCPU_REPORT_VAR_LINE);
	uint64_t align = get_uint(jv, PERCPU_REPORT_VAR_ALIGN);
	size_t i;

	if (!name)
		return;
	for (i = find_first(ix, name); i < ix->n && strcmp(ix->vars[i]->name, name) == 0; i++) {
		struct layout_var *v = ix->vars[i];

		if (!same_unit(v, unit))
			continue;
		v->in_report = true;
		if (!is_def)
			continue;
		if (!v->src_file && file) {
			v->src_file = layout_xstrdup(file);
			layout_sanitize_line(v->src_file);
			v->src_line = (unsigned)line;
		}
		if (align && (align & (align - 1)) == 0) {
			v->align = align;
			v->align_from_report = true;
		}
	}
}

static void merge_access(const struct name_index *ix, const json_t *ja, const char *unit)
{
	const char *name = get_str(ja, PERCPU_REPORT_ACCESS_VARIABLE);
	const char *file = get_str(ja, PERCPU_REPORT_ACCESS_FILE);
	const char *kind = get_str(ja, PERCPU_REPORT_ACCESS_KIND);
	const char *fn = get_str(ja, PERCPU_REPORT_ACCESS_FUNCTION);
	uint64_t line = get_uint(ja, PERCPU_REPORT_ACCESS_LINE);
	uint64_t col = get_uint(ja, PERCPU_REPORT_ACCESS_COLUMN);
	size_t i;

	if (!name)
		return; /* an access through a pointer: no variable to attach it to */
	for (i = find_first(ix, name); i < ix->n && strcmp(ix->vars[i]->name, name) == 0; i++) {
		struct layout_var *v = ix->vars[i];
		struct layout_access *a;

		if (!same_unit(v, unit))
			continue;

		layout_grow(&v->accesses, &v->cap_accesses, v->nr_accesses, sizeof(*a));
		a = &v->accesses[v->nr_accesses++];
		a->file = layout_xstrdup(file ? file : "");
		a->line = (unsigned)line;
		a->column = (unsigned)col;
		a->kind = layout_xstrdup(kind ? kind : "access");
		a->function = fn && *fn ? layout_xstrdup(fn) : NULL;
		/* shown one per line in the text output */
		layout_sanitize_line(a->file);
		layout_sanitize_line(a->kind);
		if (a->function)
			layout_sanitize_line(a->function);
	}
}

/* A report path that is not a regular file is refused before anything
 * reads it: a FIFO without a writer, or a terminal, would block. */
static int refuse_not_regular(const char *path, unsigned mode, char *err, size_t errlen)
{
	return rfail(err, errlen, path, "not a regular file (%s): give a plugin report or a "
		     "directory of them", layout_file_type_name(mode));
}

/* Open a report without blocking on a FIFO that replaced it since the
 * directory walk, and make sure it is a regular file. */
static FILE *open_report(const char *path, char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	struct stat st;
	FILE *fp;

	if (fd < 0) {
		rfail(err, errlen, path, "%s", strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) < 0) {
		rfail(err, errlen, path, "%s", strerror(errno));
		close(fd);
		return NULL;
	}
	if (!S_ISREG(st.st_mode)) {
		refuse_not_regular(path, st.st_mode, err, errlen);
		close(fd);
		return NULL;
	}
	fp = fdopen(fd, "rb");
	if (!fp) {
		rfail(err, errlen, path, "%s", strerror(errno));
		close(fd);
	}
	return fp;
}

/* Check one report document and merge it.  On error, err is
 * "FILE:LINE:COL: problem" for a side file, "FILE: section .percpu.report,
 * record N at byte B: LINE:COL: problem" for a record (where, sep). */
static int merge_document(struct layout *l, const struct name_index *ix, const char *text,
			  size_t len, const char *where, const char *sep, char *err,
			  size_t errlen)
{
	struct report_text t = { text, len };
	const json_t *vars, *acc;
	const char *unit;
	char jerr[300];
	json_t *root = report_json_parse(&t, jerr, sizeof(jerr));

	if (!root || layout_report_check(root, &t, jerr, sizeof(jerr)) < 0) {
		/* jerr is "LINE:COL: problem": FILE:LINE:COL, as compilers say */
		snprintf(err, errlen, "%s%s%s", where, sep, jerr);
		layout_sanitize_line(err);
		json_decref(root);
		return -1;
	}
	vars = json_object_get(root, PERCPU_REPORT_KEY_VARIABLES);
	acc = json_object_get(root, PERCPU_REPORT_KEY_ACCESSES);
	unit = get_str(root, PERCPU_REPORT_KEY_UNIT);
	for (size_t i = 0; i < json_array_size(vars); i++)
		merge_variable(ix, json_array_get(vars, i), unit);
	for (size_t i = 0; i < json_array_size(acc); i++)
		merge_access(ix, json_array_get(acc, i), unit);
	l->nr_reports++;
	json_decref(root);
	return 0;
}

static int merge_one(struct layout *l, const struct name_index *ix, const char *path, char *err,
		     size_t errlen)
{
	FILE *fp = open_report(path, err, errlen);
	char *text;
	size_t len;
	long size;
	int ret;

	if (!fp)
		return -1;
	if (fseek(fp, 0, SEEK_END) != 0 || (size = ftell(fp)) < 0 || fseek(fp, 0, SEEK_SET) != 0) {
		fclose(fp);
		return rfail(err, errlen, path, "cannot read: %s", strerror(errno));
	}
	if ((unsigned long)size > REPORT_MAX_BYTES) {
		fclose(fp);
		return rfail(err, errlen, path, "%ld bytes: too big for a plugin report", size);
	}
	text = layout_xmalloc((size_t)size + 1);
	len = fread(text, 1, (size_t)size, fp);
	fclose(fp);
	if (len != (size_t)size) {
		free(text);
		return rfail(err, errlen, path, "short read");
	}
	ret = merge_document(l, ix, text, len, path, ":", err, errlen);
	free(text);
	return ret;
}

/* Every record of one input's .percpu.report. */
static int merge_records(struct layout *l, const struct name_index *ix,
			 const struct layout_file *f, char *err, size_t errlen)
{
	struct layout_record rec = { 0 };
	size_t pos = 0;
	char rerr[300];
	int got;

	while ((got = layout_record_next(f->report_section, f->report_section_size, &pos, &rec,
					 rerr, sizeof(rerr))) > 0) {
		char *where = layout_xasprintf("%s: section %s, record %u at byte %zu", f->path,
					       PERCPU_REPORT_SECTION_NAME, rec.number, rec.offset);
		int ret = merge_document(l, ix, rec.text, rec.len, where, ": ", err, errlen);

		free(where);
		if (ret < 0)
			return -1;
	}
	if (got < 0)
		return rfail(err, errlen, f->path, "section %s: %s", PERCPU_REPORT_SECTION_NAME,
			     rerr);
	return 0;
}

int layout_merge_embedded_reports(struct layout *l, char *err, size_t errlen)
{
	struct name_index ix;
	bool any = false;
	int ret = 0;

	for (size_t i = 0; i < l->nr_files; i++)
		any |= l->files[i].report_section_size > 0;
	if (!any)
		return 0; /* no index to sort: a big object without records costs nothing more */
	build_index(l, &ix);
	for (size_t i = 0; i < l->nr_files && ret == 0; i++)
		ret = merge_records(l, &ix, &l->files[i], err, errlen);
	free(ix.vars);
	return ret;
}

struct path_list {
	char **v;
	size_t n, cap;
};

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every *.json under dir, in name order. */
static int collect_dir(const char *dir, struct path_list *out, int depth, char *err, size_t errlen)
{
	DIR *d;
	struct dirent *e;
	struct path_list here = { 0 };
	int ret = 0;

	if (depth > REPORT_MAX_DEPTH)
		return 0;
	d = opendir(dir);
	if (!d)
		return rfail(err, errlen, dir, "%s", strerror(errno));
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		layout_grow(&here.v, &here.cap, here.n, sizeof(char *));
		here.v[here.n++] = layout_xasprintf("%s/%s", dir, e->d_name);
	}
	closedir(d);
	if (here.n) /* qsort(NULL, 0, ...) is undefined */
		qsort(here.v, here.n, sizeof(char *), cmp_str);
	for (size_t i = 0; i < here.n; i++) {
		struct stat st, lst;
		size_t len = strlen(here.v[i]);

		if (ret == 0 && stat(here.v[i], &st) == 0 && lstat(here.v[i], &lst) == 0) {
			/* Not through symbolic links to directories: a link to a
			 * parent would make the walk loop. */
			if (S_ISDIR(st.st_mode) && S_ISDIR(lst.st_mode)) {
				ret = collect_dir(here.v[i], out, depth + 1, err, errlen);
			} else if (len > 5 && strcmp(here.v[i] + len - 5, ".json") == 0) {
				if (!S_ISREG(st.st_mode)) {
					ret = refuse_not_regular(here.v[i], st.st_mode, err, errlen);
				} else {
					layout_grow(&out->v, &out->cap, out->n, sizeof(char *));
					out->v[out->n++] = here.v[i];
					continue;
				}
			}
		}
		free(here.v[i]);
	}
	free(here.v);
	return ret;
}

int layout_merge_reports(struct layout *l, char *const *paths, size_t n, char *err, size_t errlen)
{
	struct path_list files = { 0 };
	struct name_index ix;
	int ret = 0;
	size_t i;

	for (i = 0; i < n && ret == 0; i++) {
		struct stat st;

		if (stat(paths[i], &st) < 0) {
			ret = rfail(err, errlen, paths[i], "%s", strerror(errno));
		} else if (S_ISDIR(st.st_mode)) {
			size_t before = files.n;

			ret = collect_dir(paths[i], &files, 0, err, errlen);
			if (ret == 0 && files.n == before)
				ret = rfail(err, errlen, paths[i], "no *.json report in this directory");
		} else if (!S_ISREG(st.st_mode)) {
			ret = refuse_not_regular(paths[i], st.st_mode, err, errlen);
		} else {
			layout_grow(&files.v, &files.cap, files.n, sizeof(char *));
			files.v[files.n++] = layout_xstrdup(paths[i]);
		}
	}
	build_index(l, &ix);
	for (i = 0; i < files.n && ret == 0; i++)
		ret = merge_one(l, &ix, files.v[i], err, errlen);
	for (i = 0; i < files.n; i++)
		free(files.v[i]);
	free(files.v);
	free(ix.vars);
	return ret;
}
