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

#include <percpu-vm/contract.h>

#include "percpu-layout-jsonread.h"
#include "percpu-layout.h"

enum rtype {
	RT_STRING = 1,
	RT_UINT = 2,   /* an integer >= 0 */
	RT_INT = 4,    /* an integer */
	RT_BOOL = 8,
	RT_NULL = 16,
	RT_ARRAY = 32,
};

struct rkey {
	const char *name;
	unsigned types;
	json_int_t max;  /* RT_UINT: largest value the tool can keep (0: any) */
};

static const struct rkey report_keys[] = {
	{ PERCPU_REPORT_KEY_FORMAT, RT_STRING, 0 }, { PERCPU_REPORT_KEY_VERSION, RT_UINT, 0 },
	{ PERCPU_REPORT_KEY_UNIT, RT_STRING, 0 }, { PERCPU_REPORT_KEY_COMPILER, RT_STRING, 0 },
	{ PERCPU_REPORT_KEY_MODE, RT_STRING, 0 },
	{ PERCPU_REPORT_KEY_SHIFT, RT_UINT | RT_NULL, 0 },
	{ PERCPU_REPORT_KEY_VARIABLES, RT_ARRAY, 0 }, { PERCPU_REPORT_KEY_ACCESSES, RT_ARRAY, 0 },
};

static const struct rkey variable_keys[] = {
	{ PERCPU_REPORT_VAR_NAME, RT_STRING, 0 }, { PERCPU_REPORT_VAR_SIZE, RT_UINT | RT_NULL, 0 },
	/* No per-CPU object is aligned beyond the largest stride; the bound
	 * also keeps --json's integers below 2^53 (docs/layout.md). */
	{ PERCPU_REPORT_VAR_ALIGN, RT_UINT, (json_int_t)1 << PERCPU_SHIFT_MAX },
	{ PERCPU_REPORT_VAR_SECTION, RT_STRING, 0 }, { PERCPU_REPORT_VAR_DEFINED, RT_BOOL, 0 },
	{ PERCPU_REPORT_VAR_GLOBAL, RT_BOOL, 0 }, { PERCPU_REPORT_VAR_FILE, RT_STRING, 0 },
	{ PERCPU_REPORT_VAR_LINE, RT_UINT, 0xffffffff },
	{ PERCPU_REPORT_VAR_COLUMN, RT_UINT, 0xffffffff },
};

static const struct rkey access_keys[] = {
	{ PERCPU_REPORT_ACCESS_FUNCTION, RT_STRING, 0 }, { PERCPU_REPORT_ACCESS_FILE, RT_STRING, 0 },
	{ PERCPU_REPORT_ACCESS_LINE, RT_UINT, 0xffffffff },
	{ PERCPU_REPORT_ACCESS_COLUMN, RT_UINT, 0xffffffff },
	{ PERCPU_REPORT_ACCESS_KIND, RT_STRING, 0 },
	{ PERCPU_REPORT_ACCESS_VARIABLE, RT_STRING | RT_NULL, 0 },
	{ PERCPU_REPORT_ACCESS_CPU, RT_INT | RT_NULL, 0 },
	{ PERCPU_REPORT_ACCESS_REWRITTEN, RT_BOOL, 0 },
};

#define NKEYS(a) (sizeof(a) / sizeof((a)[0]))

/* What is being checked and where it sits in the document: the path of
 * the object being checked (at most report -> array -> element) plus
 * one step for a member. */
struct checking {
	const struct report_text *t;
	struct json_step path[4];
	size_t depth;
	char *err;
	size_t errlen;
};

/* "LINE:COL: message", the position of the value at c's path (plus
 * member `key`, if not NULL). */
static int fail_at(struct checking *c, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int fail_at(struct checking *c, const char *key, const char *fmt, ...)
{
	struct json_step path[5];
	size_t n = c->depth;
	unsigned line, col;
	char *where;
	va_list ap;

	memcpy(path, c->path, n * sizeof(path[0]));
	if (key)
		path[n++] = (struct json_step){ key, 0 };
	json_locate(c->t, path, n, &line, &col);
	where = layout_xasprintf("%u:%u", line, col);
	va_start(ap, fmt);
	layout_vfail(c->err, c->errlen, where, fmt, ap);
	va_end(ap);
	free(where);
	return -1;
}

static const char *value_kind(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_NULL: return "null";
	case JSON_TRUE: return "true";
	case JSON_FALSE: return "false";
	case JSON_INTEGER: return json_integer_value(v) < 0 ? "a negative integer" : "an integer";
	case JSON_REAL: return "a number that is not an integer";
	case JSON_STRING: return "a string";
	case JSON_ARRAY: return "an array";
	case JSON_OBJECT: return "an object";
	}
	return "?";
}

static bool type_ok(const json_t *v, unsigned types)
{
	switch (json_typeof(v)) {
	case JSON_NULL: return types & RT_NULL;
	case JSON_TRUE:
	case JSON_FALSE: return types & RT_BOOL;
	case JSON_STRING: return types & RT_STRING;
	case JSON_ARRAY: return types & RT_ARRAY;
	case JSON_INTEGER:
		return (types & RT_INT) || ((types & RT_UINT) && json_integer_value(v) >= 0);
	case JSON_REAL:
	case JSON_OBJECT: return false;
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

/* obj (at c's path) is `noun` (number n, or the report itself when n is
 * 0): it must be an object holding every key of `keys`, each of its type
 * and within its maximum.  The name is put together only for an error. */
static int check_object(struct checking *c, const json_t *obj, const char *noun, size_t n,
			const struct rkey *keys, size_t nkeys)
{
	char want[96], what[48];
	const json_t *v = NULL;
	size_t i = 0;

	if (json_is_object(obj)) {
		for (i = 0; i < nkeys; i++) {
			v = json_object_get(obj, keys[i].name);
			if (!v || !type_ok(v, keys[i].types) ||
			    (json_is_integer(v) && keys[i].max && json_integer_value(v) > keys[i].max))
				break;
		}
		if (i == nkeys)
			return 0;
	}
	if (n)
		snprintf(what, sizeof(what), "%s %zu", noun, n);
	else
		snprintf(what, sizeof(what), "%s", noun);
	if (!json_is_object(obj))
		return fail_at(c, NULL, "%s is %s, want an object", what, value_kind(obj));
	if (!v)
		return fail_at(c, NULL, "%s has no \"%s\"", what, keys[i].name);
	if (!type_ok(v, keys[i].types)) {
		types_wanted(keys[i].types, want, sizeof(want));
		return fail_at(c, keys[i].name, "\"%s\" of %s is %s, want %s", keys[i].name, what,
			       value_kind(v), want);
	}
	return fail_at(c, keys[i].name, "\"%s\" of %s is %lld, more than %lld", keys[i].name, what,
		       (long long)json_integer_value(v), (long long)keys[i].max);
}

/* Every element of the report's array `key` is an object with `keys`. */
static int check_array(struct checking *c, json_t *root, const char *key, const char *noun,
		       const struct rkey *keys, size_t nkeys)
{
	const json_t *arr = json_object_get(root, key);

	c->path[0] = (struct json_step){ key, 0 };
	for (size_t i = 0; i < json_array_size(arr); i++) {
		const json_t *item = json_array_get(arr, i);

		c->path[1] = (struct json_step){ NULL, i };
		c->depth = 2;
		if (check_object(c, item, noun, i + 1, keys, nkeys) < 0)
			return -1;
		if (keys == variable_keys) {
			json_int_t align =
				json_integer_value(json_object_get(item, PERCPU_REPORT_VAR_ALIGN));

			if (align == 0 || (align & (align - 1)))
				return fail_at(c, PERCPU_REPORT_VAR_ALIGN, "\"align\" of %s %zu is "
					       "%lld, not a power of two", noun, i + 1, (long long)align);
		}
	}
	return 0;
}

int layout_report_check(json_t *root, const struct report_text *t, char *err, size_t errlen)
{
	const json_t *fmt = json_object_get(root, PERCPU_REPORT_KEY_FORMAT);
	const json_t *version = json_object_get(root, PERCPU_REPORT_KEY_VERSION);
	struct checking c = { t, { { NULL, 0 } }, 0, err, errlen };

	/* First whether it is a report at all, and of which version. */
	if (!json_is_string(fmt) || strcmp(json_string_value(fmt), PERCPU_REPORT_FORMAT) != 0)
		return fail_at(&c, fmt ? PERCPU_REPORT_KEY_FORMAT : NULL,
			       "not a percpu-vm plugin report (no \"format\": \"%s\")",
			       PERCPU_REPORT_FORMAT);
	if (json_is_integer(version) && json_integer_value(version) != PERCPU_REPORT_VERSION)
		return fail_at(&c, PERCPU_REPORT_KEY_VERSION, "report version %lld, this tool "
			       "reads version %d", (long long)json_integer_value(version),
			       PERCPU_REPORT_VERSION);
	if (check_object(&c, root, "the report", 0, report_keys, NKEYS(report_keys)) < 0)
		return -1;
	if (check_array(&c, root, PERCPU_REPORT_KEY_VARIABLES, "variable", variable_keys,
			NKEYS(variable_keys)) < 0)
		return -1;
	return check_array(&c, root, PERCPU_REPORT_KEY_ACCESSES, "access", access_keys,
			   NKEYS(access_keys));
}
