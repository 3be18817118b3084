/* SPDX-License-Identifier: Apache-2.0 */
/* Test fixtures from tests/data/. */
#ifndef FL_TESTDATA_H
#define FL_TESTDATA_H

#include <stddef.h>
#include <stdint.h>

/*
 * Read tests/data/<relpath> whole. out_len: its size. Fails the running cmocka test when the file cannot be read.
 * Returns a malloc'd buffer the caller frees.
 */
uint8_t *fl_test_read(const char *relpath, size_t *out_len);

/* The same for a file anywhere (a build product). */
uint8_t *fl_test_read_path(const char *path, size_t *out_len);

#endif
