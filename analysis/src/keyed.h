/* SPDX-License-Identifier: Apache-2.0 */
/* A stable sort by a 64-bit key, in time linear in the count (analysis/ only: the tables of addresses elf.c and
 * aranges.c build at every open, thousands of entries, where qsort() took most of the time of building them). */
#ifndef FA_RADIX_H
#define FA_RADIX_H

#include <stddef.h>

/*
 * Sort an array by the uint64_t each element starts with, keeping the order of elements with equal keys: a radix
 * sort, byte by byte from the lowest, over the bytes in which the keys differ (an ELF's addresses: two or three).
 * base: (in, out) the array; its elements' first member is a uint64_t.  n: how many.  size: the size of one.
 * Returns 0; FF_ERR_NOMEM (base unchanged).
 */
int fa_radix_sort(void *base, size_t n, size_t size);

#endif
