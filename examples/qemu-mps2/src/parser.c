/* SPDX-License-Identifier: Apache-2.0 */
/* Recursive descent: expression = term { "+" term }; term = number | "(" expression ")". */
#include "parser.h"

#include <ctype.h>

struct cursor {
	const char *p;
	char context[24]; /* the text around the cursor, for error messages: each level keeps its own */
};

static long expression(struct cursor *c);

static long term(struct cursor *c)
{
	struct cursor here = *c;
	long v = 0;

	if (*here.p == '(') {
		/* the bug: the "(" is not consumed, so the same term is parsed again, one level deeper, forever */
		v = term(&here); /* @frame term_recurse */
		v += expression(&here);
		if (*here.p == ')')
			here.p++;
	} else {
		while (isdigit((unsigned char)*here.p))
			v = v * 10 + (*here.p++ - '0');
	}
	c->p = here.p;
	return v;
}

static long expression(struct cursor *c)
{
	long v = term(c); /* @frame expression_term */

	while (*c->p == '+') {
		c->p++;
		v += term(c);
	}
	return v;
}

long parse_expression(const char *text)
{
	struct cursor c = {.p = text, .context = ""};

	return expression(&c); /* @frame parse_start */
}
