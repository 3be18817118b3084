/* SPDX-License-Identifier: Apache-2.0 */
/* The text report as a string, for the analysis tests that compare what fa_report_print() prints. */
#ifndef FL_REPORTTEXT_H
#define FL_REPORTTEXT_H

#include "fa/report.h"

/* What fa_report_print() prints for r, NUL-terminated and malloc'd: the caller frees it. Fails the running cmocka
 * test when it cannot be made. */
char *fl_test_report_text(const struct fa_report *r);

#endif
