/* percpu-layout-reportcheck.c: what a plugin report must hold before it
 * is merged.
 *
 * The report is the plugin's (schema tests/plugin/report-schema.json,
 * docs/plugin.md).  Every key the schema requires must be there with its
 * type; a wrong one is an error at FILE:LINE:COL of the value (a missing
 * key: of the object that lacks it), so a hand-edited or truncated report
 * is never half merged with defaults filled in.  Keys the tool does not
 * know are ignored: a newer plugin may add some.  Values are not checked
 * against the schema's enums either (an access kind the tool does not know
 * is still shown), except the version, which decides the format.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "percpu-layout-jsonread.h"
#include "percpu-layout.h"

enum rtype {
	RT_STRING = 1,
	RT_UINT = 2,   /* an integer >= 0 that fits 64 bits */
	RT_INT = 4,    /* an integer whose magnitude fits 64 bits */
	RT_BOOL = 8,
	RT_NULL = 16,
	RT_ARRAY = 32,
};

struct rkey {
	const char *name;
	unsigned types;
	uint64_t max;  /* RT_UINT: largest value the tool can keep (0: any) */
};

static const struct rkey report_keys[] = {
	{ "format", RT_STRING, 0 }, { "version", RT_UINT, 0 }, { "unit", RT_STRING, 0 },
	{ "compiler", RT_STRING, 0 }, { "mode", RT_STRING, 0 }, { "shift", RT_UINT | RT_NULL, 0 },
	{ "variables", RT_ARRAY, 0 }, { "accesses", RT_ARRAY, 0 },
};

static const struct rkey variable_keys[] = {
	{ "name", RT_STRING, 0 }, { "size", RT_UINT | RT_NULL, 0 },
	{ "align", RT_UINT, (uint64_t)1 << 62 }, { "section", RT_STRING, 0 },
	{ "defined", RT_BOOL, 0 }, { "global", RT_BOOL, 0 }, { "file", RT_STRING, 0 },
	{ "line", RT_UINT, 0xffffffffu }, { "column", RT_UINT, 0xffffffffu },
};

static const struct rkey access_keys[] = {
	{ "function", RT_STRING, 0 }, { "file", RT_STRING, 0 },
	{ "line", RT_UINT, 0xffffffffu }, { "column", RT_UINT, 0xffffffffu },
	{ "kind", RT_STRING, 0 }, { "variable", RT_STRING | RT_NULL, 0 },
	{ "cpu", RT_INT | RT_NULL, 0 }, { "rewritten", RT_BOOL, 0 },
};

#define NKEYS(a) (sizeof(a) / sizeof((a)[0]))

/* "FILE:LINE:COL: message", the position of the value `at`. */
static int fail_at(char *err, size_t errlen, const char *path, const struct jval *at,
		   const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static int fail_at(char *err, size_t errlen, const char *path, const struct jval *at,
		   const char *fmt, ...)
{
	char *where = layout_xasprintf("%s:%u:%u", path, at->line, at->col);
	va_list ap;

	va_start(ap, fmt);
	layout_vfail(err, errlen, where, fmt, ap);
	va_end(ap);
	free(where);
	return -1;
}

static const char *value_kind(const struct jval *v)
{
	switch (v->type) {
	case JV_NULL: return "null";
	case JV_BOOL: return v->boolean ? "true" : "false";
	case JV_NUMBER:
		if (!v->integer)
			return "a number that is not an integer of 64 bits";
		return v->negative ? "a negative integer" : "an integer";
	case JV_STRING: return "a string";
	case JV_ARRAY: return "an array";
	case JV_OBJECT: return "an object";
	}
	return "?";
}

static bool type_ok(const struct jval *v, unsigned types)
{
	switch (v->type) {
	case JV_NULL: return types & RT_NULL;
	case JV_BOOL: return types & RT_BOOL;
	case JV_STRING: return types & RT_STRING;
	case JV_ARRAY: return types & RT_ARRAY;
	case JV_NUMBER:
		return v->integer && ((types & RT_INT) || ((types & RT_UINT) && !v->negative));
	case JV_OBJECT: return false;
	}
	return false;
}

static void types_wanted(unsigned types, char *buf, size_t len)
{
	static const char *const names[] = { "a string", "a non-negative integer", "an integer",
					     "true or false", "null", "an array" };
	size_t n = 0;

	buf[0] = '\0';
	for (unsigned bit = 0; bit < NKEYS(names); bit++)
		if ((types & (1u << bit)) && n < len)
			n += (size_t)snprintf(buf + n, len - n, "%s%s", n ? " or " : "",
					      names[bit]);
}

/* obj is `what` ("the report", "variable 3"): it must be an object holding
 * every key of `keys`, each of its type and within its maximum. */
static int check_object(const char *path, const struct jval *obj, const char *what,
			const struct rkey *keys, size_t nkeys, char *err, size_t errlen)
{
	char want[96];

	if (obj->type != JV_OBJECT)
		return fail_at(err, errlen, path, obj, "%s is %s, want an object", what,
			       value_kind(obj));
	for (size_t i = 0; i < nkeys; i++) {
		const struct jval *v = jval_get(obj, keys[i].name);

		if (!v)
			return fail_at(err, errlen, path, obj, "%s has no \"%s\"", what,
				       keys[i].name);
		if (!type_ok(v, keys[i].types)) {
			types_wanted(keys[i].types, want, sizeof(want));
			return fail_at(err, errlen, path, v, "\"%s\" of %s is %s, want %s",
				       keys[i].name, what, value_kind(v), want);
		}
		if (v->type == JV_NUMBER && keys[i].max && v->magnitude > keys[i].max)
			return fail_at(err, errlen, path, v, "\"%s\" of %s is %llu, more than "
				       "%llu", keys[i].name, what,
				       (unsigned long long)v->magnitude,
				       (unsigned long long)keys[i].max);
	}
	return 0;
}

int layout_report_check(const struct jval *root, const char *path, char *err, size_t errlen)
{
	const struct jval *fmt = jval_get(root, "format"), *version = jval_get(root, "version");
	const struct jval *vars, *acc;
	char what[48];

	/* First whether it is a report at all, and of which version. */
	if (!fmt || fmt->type != JV_STRING || strcmp(fmt->str, "percpu-vm-report") != 0)
		return fail_at(err, errlen, path, fmt ? fmt : root, "not a percpu-vm plugin report "
			       "(no \"format\": \"percpu-vm-report\")");
	if (version && version->type == JV_NUMBER && version->integer &&
	    (version->negative || version->magnitude != 1))
		return fail_at(err, errlen, path, version, "report version %s%llu, this tool "
			       "reads version 1", version->negative ? "-" : "",
			       (unsigned long long)version->magnitude);
	if (check_object(path, root, "the report", report_keys, NKEYS(report_keys), err,
			 errlen) < 0)
		return -1;
	vars = jval_get(root, "variables");
	acc = jval_get(root, "accesses");
	for (size_t i = 0; i < vars->n; i++) {
		const struct jval *align;

		snprintf(what, sizeof(what), "variable %zu", i + 1);
		if (check_object(path, &vars->items[i], what, variable_keys, NKEYS(variable_keys),
				 err, errlen) < 0)
			return -1;
		align = jval_get(&vars->items[i], "align");
		if (align->magnitude == 0 || (align->magnitude & (align->magnitude - 1)))
			return fail_at(err, errlen, path, align, "\"align\" of %s is %llu, not a "
				       "power of two", what, (unsigned long long)align->magnitude);
	}
	for (size_t i = 0; i < acc->n; i++) {
		snprintf(what, sizeof(what), "access %zu", i + 1);
		if (check_object(path, &acc->items[i], what, access_keys, NKEYS(access_keys), err,
				 errlen) < 0)
			return -1;
	}
	return 0;
}
