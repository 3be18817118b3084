/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer: what the dashboard reads of a request and writes of hostile text (server/src/form.c, html.c). The
 * input is a field name, a NUL, and a body: the body is read as a form and as a Cookie header for that name, and
 * escaped as HTML. Beyond "no crash, no read past the input": a value found fits its buffer and holds no NUL
 * before its end; escaped text holds none of < > " ' and no control byte, and only entities start with &. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "form.h"
#include "html.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, 0, size);
	char name[64], out[128], *body, *text;
	struct srv_html h = {0};
	size_t n, blen, len;

	if (nul == NULL || (size_t)(nul - data) >= sizeof(name))
		return 0;
	n = (size_t)(nul - data);
	memcpy(name, data, n);
	name[n] = '\0';
	blen = size - n - 1;
	body = malloc(blen + 1); /* exactly the body (and a NUL for the Cookie header's reading): ASan sees overreads */
	if (body == NULL)
		return 0;
	memcpy(body, nul + 1, blen);
	body[blen] = '\0';
	if (srv_form_value(body, blen, name, out, sizeof(out)) && strlen(out) >= sizeof(out))
		abort();
	if (srv_cookie_value(body, name, out, sizeof(out)) && strlen(out) >= sizeof(out))
		abort();
	srv_html_text(&h, body);
	srv_html_text_cut(&h, body, 7);
	text = srv_html_take(&h, &len);
	for (size_t k = 0; k < len; k++) {
		unsigned char c = (unsigned char)text[k];

		if (c == '<' || c == '>' || c == '"' || c == '\'' || c < 0x20 || c == 0x7f)
			abort();
		if (c == '&' && strncmp(text + k, "&amp;", 5) != 0 && strncmp(text + k, "&lt;", 4) != 0 &&
		    strncmp(text + k, "&gt;", 4) != 0 && strncmp(text + k, "&quot;", 6) != 0 &&
		    strncmp(text + k, "&#39;", 5) != 0)
			abort();
	}
	free(text);
	free(body);
	return 0;
}
