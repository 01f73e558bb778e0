/* percpu-layout-jsonread.c: a small strict JSON reader for the plugin's
 * reports.  Builds a tree of struct jval; errors name line and column, and
 * every value keeps its own, so the report's semantic checks can name
 * where a wrong value is written (a library like jansson keeps no value
 * positions).  Nesting is limited so a hostile file cannot exhaust the
 * stack; duplicate keys are found by sorting, so a huge object cannot
 * make it quadratic. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "percpu-layout-jsonread.h"
#include "percpu-layout.h"

#define JSON_MAX_DEPTH 64

struct jparser {
	const char *p, *end, *start;
	unsigned line;          /* of j->p; newlines only occur in whitespace */
	const char *line_start;
	char *err;
	size_t errlen;
	int depth;
};

static void vjfail(struct jparser *j, unsigned line, unsigned col, const char *fmt, va_list ap)
{
	size_t n = (size_t)snprintf(j->err, j->errlen, "%u:%u: ", line, col);

	if (n < j->errlen)
		vsnprintf(j->err + n, j->errlen - n, fmt, ap);
}

static int jfail_pos(struct jparser *j, unsigned line, unsigned col, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int jfail_pos(struct jparser *j, unsigned line, unsigned col, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vjfail(j, line, col, fmt, ap);
	va_end(ap);
	return -1;
}

static unsigned column(const struct jparser *j)
{
	return (unsigned)(j->p - j->line_start) + 1;
}

static int jfail(struct jparser *j, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int jfail(struct jparser *j, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vjfail(j, j->line, column(j), fmt, ap);
	va_end(ap);
	return -1;
}

/* A character for an error message: 'x', or its byte value when it is not
 * printable (a message must stay one line). */
static const char *char_shown(unsigned char c, char buf[16])
{
	if (c >= 0x20 && c < 0x7f)
		snprintf(buf, 16, "'%c'", c);
	else
		snprintf(buf, 16, "byte 0x%02x", c);
	return buf;
}

static void skip_ws(struct jparser *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r')) {
		if (*j->p == '\n') {
			j->line++;
			j->line_start = j->p + 1;
		}
		j->p++;
	}
}

static int parse_value(struct jparser *j, struct jval *v);

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static void put_utf8(char *out, size_t *n, unsigned cp)
{
	if (cp < 0x80) {
		out[(*n)++] = (char)cp;
	} else if (cp < 0x800) {
		out[(*n)++] = (char)(0xc0 | (cp >> 6));
		out[(*n)++] = (char)(0x80 | (cp & 0x3f));
	} else {
		out[(*n)++] = (char)(0xe0 | (cp >> 12));
		out[(*n)++] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[(*n)++] = (char)(0x80 | (cp & 0x3f));
	}
}

static int parse_string(struct jparser *j, char **out)
{
	const char *q = ++j->p; /* past the quote */
	size_t n = 0;
	char *s;

	/* The decoded string is never longer than the encoded one. */
	while (q < j->end && *q != '"') {
		if (*q == '\\')
			q++;
		q++;
	}
	if (q >= j->end)
		return jfail(j, "unterminated string");
	s = layout_xmalloc((size_t)(q - j->p) + 1);
	while (*j->p != '"') {
		unsigned char c = (unsigned char)*j->p++;

		if (c < 0x20) {
			free(s);
			j->p--;
			return jfail(j, "control character in a string");
		}
		if (c != '\\') {
			s[n++] = (char)c;
			continue;
		}
		c = (unsigned char)*j->p++;
		switch (c) {
		case '"': case '\\': case '/': s[n++] = (char)c; break;
		case 'b': s[n++] = '\b'; break;
		case 'f': s[n++] = '\f'; break;
		case 'n': s[n++] = '\n'; break;
		case 'r': s[n++] = '\r'; break;
		case 't': s[n++] = '\t'; break;
		case 'u': {
			unsigned cp = 0;

			for (int k = 0; k < 4; k++) {
				int h = j->p < j->end ? hexval(*j->p) : -1;

				if (h < 0) {
					free(s);
					return jfail(j, "bad \\u escape");
				}
				cp = cp * 16 + (unsigned)h;
				j->p++;
			}
			if (cp == 0)
				cp = '?'; /* keep C strings whole */
			put_utf8(s, &n, cp); /* at most 3 bytes for 6 input bytes */
			break;
		}
		default: {
			char cb[16];

			free(s);
			j->p--;
			return jfail(j, "bad escape \\ followed by %s", char_shown(c, cb));
		}
		}
	}
	j->p++;
	s[n] = '\0';
	*out = s;
	return 0;
}

/* An integer literal that fits 64 bits is converted here, exactly;
 * fractions, exponents and bigger integers go to strtod. */
static int parse_number(struct jparser *j, struct jval *v)
{
	const char *q = j->p, *digits;
	bool negative = q < j->end && *q == '-';
	uint64_t magnitude = 0;
	bool fits = true;
	char buf[64];
	size_t n;
	char *endp;

	if (negative)
		q++;
	for (digits = q; q < j->end && *q >= '0' && *q <= '9'; q++) {
		unsigned d = (unsigned)(*q - '0');

		if (magnitude > (UINT64_MAX - d) / 10)
			fits = false;
		magnitude = magnitude * 10 + d;
	}
	v->type = JV_NUMBER;
	v->negative = negative;
	if (q > digits && fits && (q == j->end || !*q || !strchr(".eE+-", *q))) {
		v->integer = true;
		v->magnitude = magnitude;
		v->num = negative ? -(double)magnitude : (double)magnitude;
		j->p = q;
		return 0;
	}
	while (q < j->end && *q && strchr("0123456789.eE+-", *q))
		q++;
	n = (size_t)(q - j->p);
	if (n == 0 || n >= sizeof(buf))
		return jfail(j, "bad number");
	memcpy(buf, j->p, n);
	buf[n] = '\0';
	errno = 0;
	v->num = strtod(buf, &endp);
	if (*endp || errno)
		return jfail(j, "bad number");
	j->p = q;
	return 0;
}

static int expect_word(struct jparser *j, const char *w)
{
	size_t n = strlen(w);
	char cb[16];

	if ((size_t)(j->end - j->p) < n || memcmp(j->p, w, n) != 0)
		return jfail(j, "unexpected character %s", char_shown((unsigned char)*j->p, cb));
	j->p += n;
	return 0;
}

static int cmp_key(const void *a, const void *b)
{
	const struct jkey *const *x = a, *const *y = b;
	int c = strcmp((*x)->name, (*y)->name);

	/* equal names in the order written (the array is in that order) */
	return c ? c : (*x > *y) - (*x < *y);
}

/* A key written twice in one object is an error at its second place:
 * "first wins" would hide a mistake in a generated file.  Big objects are
 * sorted by name, so a hostile one cannot make this quadratic. */
static int check_duplicate_keys(struct jparser *j, const struct jval *v)
{
	const struct jkey **sorted, *dup = NULL, *first = NULL;
	size_t i;

	if (v->n < 2)
		return 0;
	if (v->n <= 16) {
		/* a report's objects have about nine keys: pairwise is cheaper */
		for (i = 1; i < v->n && !dup; i++)
			for (size_t k = 0; k < i; k++)
				if (v->keys[k].name[0] == v->keys[i].name[0] &&
				    strcmp(v->keys[k].name, v->keys[i].name) == 0) {
					dup = &v->keys[i];
					first = &v->keys[k];
					break;
				}
		goto out;
	}
	sorted = layout_xmalloc(v->n * sizeof(*sorted));
	for (i = 0; i < v->n; i++)
		sorted[i] = &v->keys[i];
	qsort(sorted, v->n, sizeof(*sorted), cmp_key);
	/* each run of one name: its second element is its first repeat */
	for (i = 0; i + 1 < v->n; i++) {
		if (strcmp(sorted[i]->name, sorted[i + 1]->name) != 0)
			continue;
		if (!dup || sorted[i + 1] < dup) {
			dup = sorted[i + 1];
			first = sorted[i];
		}
		while (i + 1 < v->n && strcmp(sorted[i]->name, sorted[i + 1]->name) == 0)
			i++;
	}
	free(sorted);
out:
	if (!dup)
		return 0;
	return jfail_pos(j, dup->line, dup->col, "duplicate key \"%s\" (first at %u:%u)",
			 dup->name, first->line, first->col);
}

static int parse_container(struct jparser *j, struct jval *v, bool object)
{
	size_t cap_items = 0, cap_keys = 0;
	char close = object ? '}' : ']';

	if (++j->depth > JSON_MAX_DEPTH)
		return jfail(j, "nested more than %d deep", JSON_MAX_DEPTH);
	v->type = object ? JV_OBJECT : JV_ARRAY;
	j->p++;
	skip_ws(j);
	if (j->p < j->end && *j->p == close) {
		j->p++;
		j->depth--;
		return 0;
	}
	for (;;) {
		struct jkey key = { NULL, 0, 0 };

		skip_ws(j);
		if (object) {
			if (j->p >= j->end || *j->p != '"')
				return jfail(j, "expected a member name");
			key.line = j->line;
			key.col = column(j);
			if (parse_string(j, &key.name) < 0)
				return -1;
			skip_ws(j);
			if (j->p >= j->end || *j->p != ':') {
				free(key.name);
				return jfail(j, "expected ':'");
			}
			j->p++;
		}
		layout_grow(&v->items, &cap_items, v->n, sizeof(*v->items));
		if (object)
			layout_grow(&v->keys, &cap_keys, v->n, sizeof(*v->keys));
		memset(&v->items[v->n], 0, sizeof(*v->items));
		if (object)
			v->keys[v->n] = key;
		v->n++;
		if (parse_value(j, &v->items[v->n - 1]) < 0)
			return -1;
		skip_ws(j);
		if (j->p < j->end && *j->p == ',') {
			j->p++;
			continue;
		}
		if (j->p < j->end && *j->p == close) {
			j->p++;
			j->depth--;
			return object ? check_duplicate_keys(j, v) : 0;
		}
		return jfail(j, "expected ',' or '%c'", close);
	}
}

static int parse_value(struct jparser *j, struct jval *v)
{
	char cb[16];

	skip_ws(j);
	if (j->p >= j->end)
		return jfail(j, "unexpected end of file");
	v->line = j->line;
	v->col = column(j);
	switch (*j->p) {
	case '{': return parse_container(j, v, true);
	case '[': return parse_container(j, v, false);
	case '"':
		v->type = JV_STRING;
		return parse_string(j, &v->str);
	case 't':
		v->type = JV_BOOL;
		v->boolean = true;
		return expect_word(j, "true");
	case 'f':
		v->type = JV_BOOL;
		return expect_word(j, "false");
	case 'n':
		v->type = JV_NULL;
		return expect_word(j, "null");
	default:
		if (*j->p == '-' || (*j->p >= '0' && *j->p <= '9'))
			return parse_number(j, v);
		return jfail(j, "unexpected character %s", char_shown((unsigned char)*j->p, cb));
	}
}

int jval_parse(const char *text, size_t len, struct jval *out, char *err, size_t errlen)
{
	struct jparser j = { text, text + len, text, 1, text, err, errlen, 0 };

	memset(out, 0, sizeof(*out));
	if (parse_value(&j, out) < 0)
		return -1;
	skip_ws(&j);
	if (j.p != j.end)
		return jfail(&j, "text after the JSON value");
	return 0;
}

void jval_free(struct jval *v)
{
	for (size_t i = 0; i < v->n; i++) {
		jval_free(&v->items[i]);
		if (v->keys)
			free(v->keys[i].name);
	}
	free(v->items);
	free(v->keys);
	free(v->str);
	memset(v, 0, sizeof(*v));
}

const struct jval *jval_get(const struct jval *obj, const char *key)
{
	if (!obj || obj->type != JV_OBJECT)
		return NULL;
	for (size_t i = 0; i < obj->n; i++)
		if (obj->keys[i].name[0] == key[0] && strcmp(obj->keys[i].name, key) == 0)
			return &obj->items[i];
	return NULL;
}
