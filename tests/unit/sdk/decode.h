/* SPDX-License-Identifier: Apache-2.0 */
/* Test-side reading of what the SDK wrote, with libcbor (an encoder independent of the SDK's) and the analysis
 * library's chunk parser: each side checks the other. */
#ifndef FL_TEST_DECODE_H
#define FL_TEST_DECODE_H

#include <cbor.h>
#include <stddef.h>
#include <stdint.h>

/* Decode a whole message; fails the test unless it is exactly one well-formed CBOR map. Caller frees with
 * cbor_decref(). */
cbor_item_t *decode_message(const uint8_t *msg, size_t len);

/* The value under integer key `key` in map, or NULL. */
cbor_item_t *map_get(cbor_item_t *map, uint64_t key);

/* The unsigned integer under key; fails the test when absent or not a uint. */
uint64_t map_uint(cbor_item_t *map, uint64_t key);

/* The saved coredump's message in a storage image, found through its v1 header (docs/FORMAT.md §9).
 * out_len: its length. Returns a pointer into storage, or NULL when the header is not valid. */
const uint8_t *stored_message_in(const uint8_t *storage, size_t size, size_t *out_len);


/*
 * Drain every chunk the SDK has at this MTU, reassemble each message with the analysis library's parser, check
 * its CRC trailer, and hand it to `each` (may be NULL). Returns the number of messages. Fails the test on any
 * inconsistency (a chunk over the MTU, a wrong offset, a wrong CRC).
 */
size_t drain_messages(size_t mtu, void (*each)(const uint8_t *msg, size_t len, void *ctx), void *ctx);

/*
 * The values of a heartbeat (docs/FORMAT.md §8.4), decoded here from its payload's bstr as LEB128 (independently
 * of the SDK's writer): out[0] = B, out[1..B] the built-ins, then the application's. Fails the test unless msg is
 * one CBOR map of type 3 whose values are whole, minimal LEB128 numbers, and the format library's decoder (the
 * server's) accepts it and reads the same values. Returns how many (at most max).
 */
size_t heartbeat_values(const uint8_t *msg, size_t len, uint64_t *out, size_t max);

/*
 * The section `name` of this test program's ELF file (/proc/self/exe), read with a small ELF64 reader: up to cap
 * bytes of it into out, its sh_flags into *out_flags. Returns its size, or -1 when the program has no such section.
 */
long self_section(const char *name, void *out, size_t cap, uint64_t *out_flags);

/* Messages collected by drain_all(), in the order sent. */
struct drained {
	size_t n;
	uint8_t *msg[16];
	size_t len[16];
};

/* drain_messages() into d (copies); free with drained_free(). Returns d->n. */
size_t drain_all(size_t mtu, struct drained *d);
void drained_free(struct drained *d);

#endif
