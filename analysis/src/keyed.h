/* SPDX-License-Identifier: Apache-2.0 */
/* Arrays whose elements start with a uint64_t key (an address): a stable sort in time linear in the count, and the
 * search of a sorted one (analysis/ only: the tables of addresses elf.c, aranges.c and data.c build at every
 * open, thousands of entries, where qsort() took most of the time of building them). */
#ifndef FA_KEYED_H
#define FA_KEYED_H

#include <stddef.h>
#include <stdint.h>

/*
 * Sort an array by its elements' keys, keeping the order of elements with equal keys: a radix sort, byte by byte
 * from the lowest, over the bytes in which the keys differ (an ELF's addresses: two or three); an array already
 * in order is left as it is.
 * base: (in, out) the array.  n: how many elements.  size: the size of one (at least 8).
 * Returns 0; FF_ERR_NOMEM (base unchanged).
 */
int fa_keyed_sort(void *base, size_t n, size_t size);

/*
 * In an array sorted by key, how many elements have a key at or below key: the index of the last of them plus
 * one, 0 when there is none.
 * base: (in) the array.  n, size: as for fa_keyed_sort().  key: (in) the key.
 */
size_t fa_keyed_upper(const void *base, size_t n, size_t size, uint64_t key);

#endif
