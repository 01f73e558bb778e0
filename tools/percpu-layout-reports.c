/* percpu-layout-reports.c: --reports, merging the plugin's JSON reports.
 *
 * The plugin writes one report per translation unit
 * (-fplugin-arg-percpu_plugin-report=FILE; schema in docs/plugin.md): the
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

static const char *get_str(const struct jval *obj, const char *key)
{
	const struct jval *v = jval_get(obj, key);

	return v && v->type == JV_STRING ? v->str : NULL;
}

/* A non-negative integer member (layout_report_check() vouched for its
 * type and range), or 0. */
static uint64_t get_uint(const struct jval *obj, const char *key)
{
	const struct jval *v = jval_get(obj, key);

	return v && v->type == JV_NUMBER && v->integer && !v->negative ? v->magnitude : 0;
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

static void merge_variable(const struct name_index *ix, const struct jval *jv,
			   const char *unit)
{
	const char *name = get_str(jv, "name"), *file = get_str(jv, "file");
	const struct jval *defined = jval_get(jv, "defined");
	bool is_def = !defined || (defined->type == JV_BOOL && defined->boolean);
	uint64_t line = get_uint(jv, "line"), align = get_uint(jv, "align");
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

static void merge_access(const struct name_index *ix, const struct jval *ja, const char *unit)
{
	const char *name = get_str(ja, "variable");
	const char *file = get_str(ja, "file"), *kind = get_str(ja, "kind");
	const char *fn = get_str(ja, "function");
	uint64_t line = get_uint(ja, "line"), col = get_uint(ja, "column");
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

static int merge_one(struct layout *l, const struct name_index *ix, const char *path, char *err,
		     size_t errlen)
{
	FILE *fp = open_report(path, err, errlen);
	struct jval root;
	const struct jval *vars, *acc;
	const char *unit;
	char jerr[200];
	char *text;
	size_t len;
	long size;
	int ret = -1;

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
	if (jval_parse(text, len, &root, jerr, sizeof(jerr)) < 0) {
		/* jerr is "LINE:COL: problem": FILE:LINE:COL, as compilers say */
		snprintf(err, errlen, "%s:%s", path, jerr);
		layout_sanitize_line(err);
		goto out;
	}
	if (layout_report_check(&root, path, err, errlen) < 0)
		goto out;
	vars = jval_get(&root, "variables");
	acc = jval_get(&root, "accesses");
	unit = get_str(&root, "unit");
	for (size_t i = 0; i < vars->n; i++)
		merge_variable(ix, &vars->items[i], unit);
	for (size_t i = 0; i < acc->n; i++)
		merge_access(ix, &acc->items[i], unit);
	l->nr_reports++;
	ret = 0;
out:
	jval_free(&root);
	free(text);
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
