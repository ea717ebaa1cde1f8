/* SPDX-License-Identifier: MIT */
/*
 * json.h - reading one flat JSON object (a trace line): string, number,
 * true/false/null values only, which is all a trace holds.
 */
#ifndef VFIOSIM_CMD_JSON_H
#define VFIOSIM_CMD_JSON_H

#include <stdbool.h>
#include <stdint.h>

#define JSON_MAX_KEYS	32

struct json_kv {
	char *key;
	char *str;		/* the value as text: unescaped string or literal */
	bool is_str;
};

struct json_obj {
	struct json_kv kv[JSON_MAX_KEYS];
	unsigned int n;
};

/* 0, or -1 with a message (and the column) in err. */
int json_parse(const char *line, struct json_obj *o, char *err, size_t len);
void json_free(struct json_obj *o);

/* The value of key, or NULL. */
const char *json_get(const struct json_obj *o, const char *key);
/*
 * Integer values: a number, or a string holding a decimal, 0x hex or
 * negative number.  0 if present and well-formed, -1 otherwise (v kept).
 */
int json_u64(const struct json_obj *o, const char *key, uint64_t *v);
int json_i64(const struct json_obj *o, const char *key, long long *v);
int json_bool(const struct json_obj *o, const char *key, bool *v);

#endif /* VFIOSIM_CMD_JSON_H */
