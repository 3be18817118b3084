/* SPDX-License-Identifier: Apache-2.0 */
/* The dashboard's symbols page (docs/DASHBOARD.md): the firmware ELFs uploaded, the builds whose coredumps wait for
 * theirs, and an upload by choosing or dropping a file (the page's script POSTs it to /symbols with the session's
 * CSRF token; the server checks it as POST /api/v1/symbols does). */
#include <jansson.h>
#include <stdio.h>

#include "dash.h"

void srv_dash_symbols(struct srv_dash_page *p)
{
	const char *none[] = {NULL};
	char when[32];
	json_t *j, *e;
	size_t k;

	if ((j = srv_dash_api_page(p, "symbols", none)) == NULL)
		return;
	srv_dash_begin(p, "Symbols", "/symbols");
	srv_html_f(&p->html, "<div class=\"drop\" id=\"drop\" data-csrf=\"%s\"><p>Drop a firmware ELF here, or <label "
			     "class=\"pick\">choose one<input type=\"file\" id=\"file\" hidden></label>.</p><p class=\"hint\">"
			     "The server checks it (an ELF with DWARF and a GNU build-id), keeps it by build-id and "
			     "processes the coredumps that waited for it. Without JavaScript: <code>faultline symbols upload "
			     "FIRMWARE.elf</code>.</p><p id=\"upload-result\" role=\"status\"></p></div>", p->csrf);
	srv_html_f(&p->html, "<h2>Waiting for symbols (%zu build(s))</h2>", json_array_size(json_object_get(j, "waiting")));
	srv_html_raw(&p->html, "<table id=\"waiting\"><thead><tr><th>Build-id</th><th class=\"num\">Coredumps</th><th class="
			       "\"num\">Devices</th><th>Waiting since (UTC)</th></tr></thead><tbody>");
	json_array_foreach(json_object_get(j, "waiting"), k, e)
		srv_html_f(&p->html, "<tr data-build=\"%s\"><td><code>%s</code></td><td class=\"num\">%lld</td><td class="
				     "\"num\">%lld</td><td>%s</td></tr>", srv_dash_text(e, "build_id"), srv_dash_text(e, "build_id"),
			   srv_dash_int(e, "messages"), srv_dash_int(e, "devices"), srv_dash_when(srv_dash_int(e, "since"), when, sizeof(when)));
	srv_html_f(&p->html, "</tbody></table><h2>Uploaded (%zu)</h2>", json_array_size(json_object_get(j, "symbols")));
	srv_html_raw(&p->html, "<table id=\"uploaded\"><thead><tr><th>Build-id</th><th class=\"num\">Bytes</th><th>"
			       "Uploaded (UTC)</th></tr></thead><tbody>");
	json_array_foreach(json_object_get(j, "symbols"), k, e)
		srv_html_f(&p->html, "<tr data-build=\"%s\"><td><code>%s</code></td><td class=\"num\">%lld</td><td>%s</td>"
				     "</tr>", srv_dash_text(e, "build_id"), srv_dash_text(e, "build_id"), srv_dash_int(e, "size"),
			   srv_dash_when(srv_dash_int(e, "uploaded"), when, sizeof(when)));
	srv_html_raw(&p->html, "</tbody></table>");
	json_decref(j);
	srv_dash_end(p, 0);
}
