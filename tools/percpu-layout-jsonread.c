/* percpu-layout-jsonread.c: a plugin report's JSON, read with jansson.
 *
 * jansson parses (strictly: duplicate keys refused, integers exact as its
 * 64-bit json_int_t, nesting limited) and gives each syntax error a byte
 * position.  It keeps no position for the values it builds, yet the
 * report's semantic errors (a missing key, a value of the wrong type) are
 * to name the line and column they are about.  So the error path, and
 * only it, scans the text once more: json_locate() walks a path of keys
 * and indexes through the text to where the value starts.  The text has
 * already parsed, so the scan needs no error handling beyond staying
 * inside the buffer. */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "percpu-layout-jsonread.h"
#include "percpu-layout.h"

/* Line and byte column (1-based) of offset `at` in t. */
static void position_of(const struct report_text *t, size_t at, unsigned *line, unsigned *col)
{
	size_t line_start = 0;

	*line = 1;
	if (at > t->len)
		at = t->len;
	for (size_t i = 0; i < at; i++)
		if (t->text[i] == '\n') {
			(*line)++;
			line_start = i + 1;
		}
	*col = (unsigned)(at - line_start) + 1;
}

struct scan {
	const char *p, *end;
};

static void skip_ws(struct scan *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
		s->p++;
}

static bool at(const struct scan *s, char c)
{
	return s->p < s->end && *s->p == c;
}

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

static unsigned read_hex4(struct scan *s)
{
	unsigned cp = 0;

	for (int k = 0; k < 4 && s->p < s->end; k++, s->p++)
		cp = cp * 16 + (unsigned)(hexval(*s->p) < 0 ? 0 : hexval(*s->p));
	return cp;
}

static void put_utf8(char *out, size_t *n, unsigned cp)
{
	if (cp < 0x80) {
		out[(*n)++] = (char)cp;
	} else if (cp < 0x800) {
		out[(*n)++] = (char)(0xc0 | (cp >> 6));
		out[(*n)++] = (char)(0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		out[(*n)++] = (char)(0xe0 | (cp >> 12));
		out[(*n)++] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[(*n)++] = (char)(0x80 | (cp & 0x3f));
	} else {
		out[(*n)++] = (char)(0xf0 | (cp >> 18));
		out[(*n)++] = (char)(0x80 | ((cp >> 12) & 0x3f));
		out[(*n)++] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[(*n)++] = (char)(0x80 | (cp & 0x3f));
	}
}

/* The string at s->p (its opening quote), decoded as jansson decodes it
 * (a key "na\u006de" is "name"); s->p moves past it. */
static char *read_string(struct scan *s)
{
	/* decoded, never longer than the encoded text */
	char *out = layout_xmalloc((size_t)(s->end - s->p) + 1);
	size_t n = 0;

	s->p++;
	while (s->p < s->end && *s->p != '"') {
		char c = *s->p++;

		if (c != '\\' || s->p >= s->end) {
			out[n++] = c;
			continue;
		}
		c = *s->p++;
		switch (c) {
		case 'b': out[n++] = '\b'; break;
		case 'f': out[n++] = '\f'; break;
		case 'n': out[n++] = '\n'; break;
		case 'r': out[n++] = '\r'; break;
		case 't': out[n++] = '\t'; break;
		case 'u': {
			unsigned cp = read_hex4(s);

			if (cp >= 0xd800 && cp < 0xdc00 && s->end - s->p >= 6 && s->p[0] == '\\' &&
			    s->p[1] == 'u') {
				s->p += 2;
				cp = 0x10000 + ((cp - 0xd800) << 10) + (read_hex4(s) - 0xdc00);
			}
			put_utf8(out, &n, cp);
			break;
		}
		default: out[n++] = c; break; /* " \ / */
		}
	}
	if (s->p < s->end)
		s->p++;
	out[n] = '\0';
	return out;
}

/* Past the value at s->p: containers by counting brackets outside
 * strings, so a deep one costs no recursion. */
static void skip_value(struct scan *s)
{
	size_t depth = 0;

	skip_ws(s);
	do {
		if (s->p >= s->end)
			return;
		if (*s->p == '"') {
			free(read_string(s));
			continue;
		}
		if (*s->p == '{' || *s->p == '[') {
			depth++;
		} else if (*s->p == '}' || *s->p == ']') {
			if (depth == 0)
				return; /* an empty container's end: not ours */
			depth--;
		} else if (depth == 0) {
			/* a number or a literal: up to what ends it */
			while (s->p < s->end && !strchr(",}] \t\r\n", *s->p))
				s->p++;
			return;
		}
		s->p++;
	} while (depth > 0);
}

/* Into the member `key` of the object, or element `index` of the array,
 * at s->p: s->p at the value.  False if there is none. */
static bool step_into(struct scan *s, const struct json_step *step)
{
	char open = step->key ? '{' : '[', close = step->key ? '}' : ']';

	skip_ws(s);
	if (!at(s, open))
		return false;
	s->p++;
	for (size_t i = 0;; i++) {
		bool found;

		skip_ws(s);
		if (s->p >= s->end || at(s, close))
			return false;
		if (step->key) {
			char *name = read_string(s);

			found = strcmp(name, step->key) == 0;
			free(name);
			skip_ws(s);
			if (at(s, ':'))
				s->p++;
		} else {
			found = i == step->index;
		}
		skip_ws(s);
		if (found)
			return true;
		skip_value(s);
		skip_ws(s);
		if (at(s, ','))
			s->p++;
	}
}

void json_locate(const struct report_text *t, const struct json_step *path, size_t n,
		 unsigned *line, unsigned *col)
{
	struct scan s = { t->text, t->text + t->len };

	skip_ws(&s);
	for (size_t i = 0; i < n; i++) {
		const char *before = s.p;

		if (!step_into(&s, &path[i])) {
			s.p = before; /* not there: the deepest value that is */
			break;
		}
	}
	skip_ws(&s);
	position_of(t, (size_t)(s.p - t->text), line, col);
}

/* jansson names a duplicate key by the byte after it: find the key that
 * ends there, and the object it is in. */
struct dup_search {
	const char *key_end;      /* in */
	const char *object, *key; /* out */
};

static bool find_key_ending(struct scan *s, struct dup_search *d, int depth)
{
	const char *start;
	bool object;

	skip_ws(s);
	if (depth > 4096 || s->p >= s->end)
		return false;
	if (*s->p != '{' && *s->p != '[') {
		skip_value(s);
		return false;
	}
	object = *s->p == '{';
	start = s->p++;
	for (;;) {
		skip_ws(s);
		if (s->p >= s->end)
			return false;
		if (*s->p == '}' || *s->p == ']') {
			s->p++;
			return false;
		}
		if (object) {
			const char *key = s->p;

			free(read_string(s));
			if (s->p == d->key_end) {
				d->object = start;
				d->key = key;
				return true;
			}
			skip_ws(s);
			if (at(s, ':'))
				s->p++;
		}
		if (find_key_ending(s, d, depth + 1))
			return true;
		skip_ws(s);
		if (at(s, ','))
			s->p++;
	}
}

/* "LINE:COL: duplicate key "k" (first at LINE:COL)", at the second one. */
static void duplicate_key_error(const struct report_text *t, size_t end, char *err,
				size_t errlen)
{
	struct scan s = { t->text, t->text + t->len };
	struct dup_search d = { t->text + end, NULL, NULL };
	unsigned line, col, first_line, first_col;
	char *name;

	if (end > t->len || !find_key_ending(&s, &d, 0)) {
		position_of(t, end ? end - 1 : 0, &line, &col);
		snprintf(err, errlen, "%u:%u: duplicate key", line, col);
		return;
	}
	s.p = d.key;
	name = read_string(&s);
	/* the first member of that object with the same name */
	s.p = d.object + 1;
	for (;;) {
		const char *key;
		char *other;

		skip_ws(&s);
		key = s.p;
		other = read_string(&s);
		if (strcmp(other, name) == 0 || key >= d.key) {
			free(other);
			position_of(t, (size_t)(key - t->text), &first_line, &first_col);
			break;
		}
		free(other);
		skip_ws(&s);
		if (at(&s, ':'))
			s.p++;
		skip_value(&s);
		skip_ws(&s);
		if (at(&s, ','))
			s.p++;
	}
	position_of(t, (size_t)(d.key - t->text), &line, &col);
	snprintf(err, errlen, "%u:%u: duplicate key \"%s\" (first at %u:%u)", line, col, name,
		 first_line, first_col);
	free(name);
}

json_t *report_json_parse(const struct report_text *t, char *err, size_t errlen)
{
	json_error_t e;
	json_t *root = json_loadb(t->text, t->len, JSON_REJECT_DUPLICATES, &e);
	unsigned line, col;

	if (root)
		return root;
	if (json_error_code(&e) == json_error_duplicate_key) {
		duplicate_key_error(t, (size_t)e.position, err, errlen);
	} else {
		/* jansson's position is the byte after the last one it read:
		 * name that byte, in bytes (its own column counts characters) */
		position_of(t, e.position > 0 ? (size_t)e.position - 1 : 0, &line, &col);
		snprintf(err, errlen, "%u:%u: %s", line, col, e.text);
	}
	layout_sanitize_line(err);
	return NULL;
}
