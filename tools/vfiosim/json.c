// SPDX-License-Identifier: MIT
/*
 * json.c - a reader for the flat objects of a trace line.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "strbuf.h"

static const char *skip_ws(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
		p++;
	return p;
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

/* A string at *pp (just past its opening quote); NULL on error. */
static char *read_string(const char **pp)
{
	struct strbuf sb = { 0 };
	const char *p = *pp;

	for (;;) {
		char c = *p++;

		if (!c) {
			sb_free(&sb);
			return NULL;
		}
		if (c == '"')
			break;
		if (c != '\\') {
			sb_putc(&sb, c);
			continue;
		}
		c = *p++;
		switch (c) {
		case '"': case '\\': case '/': sb_putc(&sb, c); break;
		case 'n': sb_putc(&sb, '\n'); break;
		case 't': sb_putc(&sb, '\t'); break;
		case 'r': sb_putc(&sb, '\r'); break;
		case 'b': sb_putc(&sb, '\b'); break;
		case 'f': sb_putc(&sb, '\f'); break;
		case 'u': {
			int v = 0, i;

			for (i = 0; i < 4; i++) {
				int h = hexval(p[i]);

				if (h < 0) {
					sb_free(&sb);
					return NULL;
				}
				v = v * 16 + h;
			}
			p += 4;
			/* Traces only escape control characters. */
			sb_putc(&sb, v > 0 && v < 0x80 ? (char)v : '?');
			break;
		}
		default:
			sb_free(&sb);
			return NULL;
		}
	}
	*pp = p;
	return sb.s ? sb.s : strdup("");
}

int json_parse(const char *line, struct json_obj *o, char *err, size_t len)
{
	const char *p = skip_ws(line);

	memset(o, 0, sizeof(*o));
#define FAIL(...) do { snprintf(err, len, __VA_ARGS__); json_free(o); return -1; } while (0)
	if (*p++ != '{')
		FAIL("col %d: expected a JSON object ({...})", (int)(p - line));
	p = skip_ws(p);
	if (*p == '}') {
		p++;
	} else {
		for (;;) {
			struct json_kv *kv;
			const char *start;

			if (o->n == JSON_MAX_KEYS)
				FAIL("col %d: more than %d keys", (int)(p - line) + 1,
				     JSON_MAX_KEYS);
			kv = &o->kv[o->n];
			if (*p++ != '"')
				FAIL("col %d: expected a key in double quotes", (int)(p - line));
			kv->key = read_string(&p);
			if (!kv->key)
				FAIL("col %d: a key is not a well-formed string", (int)(p - line));
			o->n++;
			p = skip_ws(p);
			if (*p++ != ':')
				FAIL("col %d: expected ':' after \"%s\"", (int)(p - line), kv->key);
			p = skip_ws(p);
			if (*p == '"') {
				p++;
				kv->str = read_string(&p);
				kv->is_str = true;
				if (!kv->str)
					FAIL("col %d: the value of \"%s\" is not a string",
					     (int)(p - line), kv->key);
			} else {
				start = p;
				while (*p && *p != ',' && *p != '}' && *p != ' ')
					p++;
				if (p == start)
					FAIL("col %d: \"%s\" has no value", (int)(p - line) + 1,
					     kv->key);
				kv->str = strndup(start, (size_t)(p - start));
				if (!kv->str)
					FAIL("out of memory");
			}
			p = skip_ws(p);
			if (*p == ',') {
				p = skip_ws(p + 1);
				continue;
			}
			if (*p++ != '}')
				FAIL("col %d: expected ',' or '}'", (int)(p - line));
			break;
		}
	}
	p = skip_ws(p);
	if (*p)
		FAIL("col %d: text after the object", (int)(p - line) + 1);
#undef FAIL
	return 0;
}

void json_free(struct json_obj *o)
{
	unsigned int i;

	for (i = 0; i < o->n; i++) {
		free(o->kv[i].key);
		free(o->kv[i].str);
	}
	o->n = 0;
}

const char *json_get(const struct json_obj *o, const char *key)
{
	unsigned int i;

	for (i = 0; i < o->n; i++)
		if (!strcmp(o->kv[i].key, key))
			return o->kv[i].str;
	return NULL;
}

static int parse_int(const char *s, bool neg_ok, uint64_t *mag, bool *neg)
{
	char *end;

	*neg = *s == '-';
	if (*neg && !neg_ok)
		return -1;
	if (*neg)
		s++;
	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		*mag = strtoull(s + 2, &end, 16);
	else
		*mag = strtoull(s, &end, 10);
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && end == s + 2)
		return -1;
	if (errno || *end)
		return -1;
	return 0;
}

int json_u64(const struct json_obj *o, const char *key, uint64_t *v)
{
	const char *s = json_get(o, key);
	uint64_t m;
	bool neg;

	if (!s || parse_int(s, false, &m, &neg))
		return -1;
	*v = m;
	return 0;
}

int json_i64(const struct json_obj *o, const char *key, long long *v)
{
	const char *s = json_get(o, key);
	uint64_t m;
	bool neg;

	if (!s || parse_int(s, true, &m, &neg))
		return -1;
	if (m > (uint64_t)INT64_MAX + (neg ? 1 : 0))
		return -1;
	if (!neg)
		*v = (long long)m;
	else if (m == (uint64_t)INT64_MAX + 1)
		*v = INT64_MIN;
	else
		*v = -(long long)m;
	return 0;
}

int json_bool(const struct json_obj *o, const char *key, bool *v)
{
	const char *s = json_get(o, key);

	if (!s)
		return -1;
	if (!strcmp(s, "true"))
		*v = true;
	else if (!strcmp(s, "false"))
		*v = false;
	else
		return -1;
	return 0;
}
