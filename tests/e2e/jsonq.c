/* SPDX-License-Identifier: Apache-2.0 */
/* jsonq PATH [FILE]: the value at PATH in the JSON document FILE (default: standard input), so that the shell tests
 * check what the server answers by parsing it, not by matching its text. Test helper (jansson).
 * PATH: "." the document, ".key" a member, "[N]" an element, "[]" every element (one output line each), "#" the
 * length of the array or object there (e.g. ".issues#", ".results[].result"). Strings print raw, other values as
 * compact JSON. Exit 1, with the reason on stderr, when the input is not JSON or PATH is not in it. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int print(const json_t *v)
{
	char *text;

	if (json_is_string(v)) {
		puts(json_string_value(v));
		return 0;
	}
	text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_PRESERVE_ORDER);
	if (text == NULL)
		return 1;
	puts(text);
	free(text);
	return 0;
}

/* Follow path from v; print what it names. Returns 0, or 1 when it names nothing. */
static int follow(const json_t *v, const char *path, const char *whole)
{
	char key[256];
	size_t n;

	if (*path == '\0')
		return print(v);
	if (*path == '#') {
		if (!json_is_array(v) && !json_is_object(v))
			return fprintf(stderr, "jsonq: %s: not an array or object\n", whole), 1;
		printf("%zu\n", json_is_array(v) ? json_array_size(v) : json_object_size(v));
		return 0;
	}
	if (path[0] == '[' && path[1] == ']') {
		size_t i;
		const json_t *e;
		int rc = 0;

		if (!json_is_array(v))
			return fprintf(stderr, "jsonq: %s: not an array\n", whole), 1;
		json_array_foreach(v, i, e)
			rc |= follow(e, path + 2, whole);
		return rc;
	}
	if (*path == '[') {
		char *end;
		unsigned long i = strtoul(path + 1, &end, 10);

		if (*end != ']' || !json_is_array(v) || i >= json_array_size(v))
			return fprintf(stderr, "jsonq: %s: no element %lu\n", whole, i), 1;
		return follow(json_array_get(v, i), end + 1, whole);
	}
	if (*path == '.') {
		path++;
		n = strcspn(path, ".[#");
		if (n == 0)
			return follow(v, path, whole);
		if (n >= sizeof(key) || !json_is_object(v))
			return fprintf(stderr, "jsonq: %s: not an object\n", whole), 1;
		memcpy(key, path, n);
		key[n] = '\0';
		if (json_object_get(v, key) == NULL)
			return fprintf(stderr, "jsonq: %s: no member \"%s\"\n", whole, key), 1;
		return follow(json_object_get(v, key), path + n, whole);
	}
	return fprintf(stderr, "jsonq: %s: bad path\n", whole), 1;
}

int main(int argc, char **argv)
{
	json_error_t err;
	json_t *doc;
	int rc;

	if (argc < 2 || argc > 3)
		return fprintf(stderr, "usage: jsonq PATH [FILE]\n"), 2;
	doc = argc == 3 ? json_load_file(argv[2], JSON_DECODE_ANY, &err) : json_loadf(stdin, JSON_DECODE_ANY, &err);
	if (doc == NULL)
		return fprintf(stderr, "jsonq: not JSON: %s (line %d)\n", err.text, err.line), 1;
	rc = follow(doc, argv[1], argv[1]);
	json_decref(doc);
	return rc;
}
