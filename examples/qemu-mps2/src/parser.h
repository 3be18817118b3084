/* SPDX-License-Identifier: Apache-2.0 */
/* A tiny expression parser for the "calc" command: integers, + and parentheses. */
#ifndef PARSER_H
#define PARSER_H

/* The value of text, e.g. "(1+2)+3". */
long parse_expression(const char *text);

#endif
