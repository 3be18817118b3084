/* SPDX-License-Identifier: Apache-2.0 */
/* DWARF type DIEs through libdw, for the analysis library's readers of data (data.c, vars.c): qualifiers and
 * typedefs stripped, sizes, array bounds, struct and union members, and a type spelled in C as GDB prints it.
 * The ELF is untrusted: every walk is bounded (a chain of typedefs that loops, types nested without end, a struct
 * with millions of members end in an error, never in a loop or a stack overflow). */
#ifndef FA_DWTYPE_H
#define FA_DWTYPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <elfutils/libdw.h>

#include "ff/error.h"

/* What these functions return, besides 0 and the FF_ERR_* errors, when the answer is "void" or "no size": not an
 * error of the ELF (a pointer to void, an extern array of unknown bound, a struct only declared). */
#define FA_DWTYPE_VOID 1    /* the type is void: no DW_AT_type */
#define FA_DWTYPE_NO_SIZE 2 /* the type has no size: incomplete (a declaration, an array of unknown bound) or a
			     * function type */

/* Bounds on walks of untrusted DWARF. */
#define FA_DWTYPE_MAX_CHAIN 32      /* typedefs and qualifiers followed from one type to what they name */
#define FA_DWTYPE_MAX_DEPTH 16      /* types nested in a type: pointers, arrays, parameters, array elements */
#define FA_DWTYPE_MAX_DIMS 8        /* dimensions of one array type */
#define FA_DWTYPE_MAX_MEMBERS 16384 /* members of one struct or union (with its other children) */
#define FA_DWTYPE_MAX_PARAMS 64     /* parameters of one function type spelled */

/* An array dimension whose bound DWARF does not give (`extern int a[];`, a flexible array member, a VLA). */
#define FA_DWTYPE_COUNT_UNKNOWN UINT64_MAX

/*
 * The type a DIE has: its DW_AT_type, followed through DW_AT_abstract_origin and DW_AT_specification (a variable's
 * declaration or abstract instance carries the type).
 * out: (out) the type's DIE, when this returns 0 (as referenced: typedefs and qualifiers not stripped).
 * die: (in) a variable, member, parameter, typedef, pointer... DIE.
 * Returns 0; FA_DWTYPE_VOID when it has no DW_AT_type (void); FF_ERR_MALFORMED when DW_AT_type does not
 * reference a DIE.
 */
int fa_dwtype_of(Dwarf_Die *out, Dwarf_Die *die);

/*
 * A type with its typedefs and qualifiers (const, volatile, restrict, _Atomic) stripped: what it is made of.
 * out: (out) the underlying type, when this returns 0; may be the same object as type.
 * type: (in) a type DIE.
 * Returns 0; FA_DWTYPE_VOID when it names void (`typedef void v;`, `const void`); FF_ERR_MALFORMED when a
 * reference does not resolve or the chain is longer than FA_DWTYPE_MAX_CHAIN (a cycle of typedefs).
 */
int fa_dwtype_strip(Dwarf_Die *out, Dwarf_Die *type);

/*
 * A type's size in bytes: DW_AT_byte_size; for an array, its element's size times the count of every dimension;
 * for a pointer or reference without DW_AT_byte_size, the unit's address size. Typedefs and qualifiers are
 * stripped first.
 * out: (out) the size, when this returns 0 (0 for a struct with no members or an array of 0 elements).
 * type: (in) a type DIE.
 * Returns 0; FA_DWTYPE_VOID; FA_DWTYPE_NO_SIZE (a declaration, an array of unknown bound or of elements with no
 * size, a function type, a type DWARF gives no size); FF_ERR_MALFORMED (a broken reference, a chain or nesting past
 * the bounds above, a product past 64 bits).
 */
int fa_dwtype_size(uint64_t *out, Dwarf_Die *type);

/* An array type's dimensions, outermost first: `int a[3][4]` has dims 2, count {3, 4}. GCC writes one
 * DW_TAG_array_type with a DW_TAG_subrange_type per dimension; an array of arrays through a typedef is an array
 * of one dimension whose element type is an array. */
struct fa_dwtype_array {
	Dwarf_Die element;                    /* the element type, as referenced (not stripped) */
	uint64_t element_size;                /* its size in bytes (fa_dwtype_size()) */
	size_t ndims;                         /* 1..FA_DWTYPE_MAX_DIMS */
	int64_t lower[FA_DWTYPE_MAX_DIMS];    /* each dimension's first index: 0 in C (DW_AT_lower_bound) */
	uint64_t count[FA_DWTYPE_MAX_DIMS];   /* each dimension's count (DW_AT_count, or upper - lower + 1); only
					       * count[0] can be FA_DWTYPE_COUNT_UNKNOWN */
	uint64_t stride[FA_DWTYPE_MAX_DIMS];  /* bytes from one index of that dimension to the next */
};

/*
 * The dimensions and element of an array type.
 * out: (out) filled when this returns 0.
 * type: (in) a type DIE: an array, or a typedef or qualified type naming one.
 * Returns 0; FF_ERR_UNSUPPORTED when it is not an array type; FA_DWTYPE_NO_SIZE when its element has no size;
 * FF_ERR_MALFORMED (no dimension, more than FA_DWTYPE_MAX_DIMS, an inner dimension of unknown bound, a stride past
 * 64 bits, a broken reference); FA_DWTYPE_VOID (an array of void).
 */
int fa_dwtype_array(struct fa_dwtype_array *out, Dwarf_Die *type);

/* A member of a struct or union. Byte offsets are from the start of the struct; a union's members are all at 0. */
struct fa_dwtype_member {
	Dwarf_Die die;       /* the DW_TAG_member DIE; its type is fa_dwtype_of(&die) */
	const char *name;    /* owned by libdw (valid while the handle is open); NULL for an anonymous struct or union
			      * member, whose members are its container's */
	uint64_t offset;     /* byte offset (DW_AT_data_member_location, a constant or DW_OP_plus_uconst) of the
			      * member; of a bitfield, of the byte holding its first bit */
	unsigned bit_offset; /* bitfields: the first bit inside that byte, 0..7, counted from the least significant
			      * bit (little-endian: DW_AT_data_bit_offset, or DWARF 2/3's DW_AT_bit_offset converted) */
	unsigned bit_size;   /* bitfields: DW_AT_bit_size; 0 for a member that is not a bitfield */
};

/* Called for each member; returns 0 to go on, anything else stops the walk (and is what fa_dwtype_members()
 * returns). */
typedef int fa_dwtype_member_fn(const struct fa_dwtype_member *m, void *ctx);

/*
 * Call fn for each member of a struct, union or class type, in DWARF order (for C, declaration order).
 * type: (in) a type DIE: a struct, union or class, or a typedef or qualified type naming one.
 * fn: (in) the callback; m is valid during the call only.
 * ctx: (in) passed to fn.
 * Returns 0 after the last member; what fn returned when it stopped the walk; FF_ERR_UNSUPPORTED when type is not
 * a struct, union or class; FF_ERR_MALFORMED (a member whose offset is not a constant or DW_OP_plus_uconst, or
 * whose bitfield attributes do not fit in the struct; a broken reference); FF_ERR_TOO_LARGE (more than
 * FA_DWTYPE_MAX_MEMBERS children).
 */
int fa_dwtype_members(Dwarf_Die *type, fa_dwtype_member_fn *fn, void *ctx);

/*
 * A type spelled in C as GDB prints it (`whatis`): `struct ring *`, `const char *`, `uint32_t` (a typedef by its
 * name), `int [4]`, `char *[3]`, `int (*)[4]`, `void (*)(int)`, `int (void)`, `enum mode`, `char * const`,
 * `struct {...}` for an anonymous struct, `int []` for an unknown bound.
 * out: (out) cap bytes of room: the spelling, NUL-terminated (when this fails: a "?" spelling, or empty for cap 1).
 * cap: (in) at least 1.
 * type: (in) a type DIE, or NULL for void.
 * Returns 0; FF_ERR_TOO_LARGE when the spelling does not fit in cap (out then is "?"); FF_ERR_MALFORMED (a broken
 * reference, a chain or nesting past the bounds, more than FA_DWTYPE_MAX_PARAMS parameters).
 */
int fa_dwtype_name(char *out, size_t cap, Dwarf_Die *type);

#endif
