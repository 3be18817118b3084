/* SPDX-License-Identifier: Apache-2.0 */
/* A message (docs/FORMAT.md §7, §8) decoded from untrusted bytes into plain C: the envelope, and the payload of a
 * coredump or a reboot event. Every field is checked; an error names the field. */
#ifndef FA_MESSAGE_H
#define FA_MESSAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fa/error.h"

#define FA_MSG_COREDUMP 1u
#define FA_MSG_REBOOT 2u

#define FA_REGS_MAX 34u    /* the longest register layout (AArch64) */
#define FA_FAULT_WORDS 5u  /* CFSR, HFSR, MMFAR, BFAR, SHCSR */
#define FA_FP_WORDS 33u    /* s0-s31, FPSCR */
#define FA_REGIONS_MAX 256u
#define FA_NOTES_MAX 512u

/* Coredump flags (docs/FORMAT.md §8.1). */
#define FA_FLAG_TRUNCATED 0x1u
#define FA_FLAG_FRAME_UNRELIABLE 0x2u
#define FA_FLAG_FP_CONTEXT 0x4u

/* Register indices of the Cortex-M layout (arch 40, os 0). */
enum fa_cm_reg {
	FA_CM_R0 = 0,
	FA_CM_R12 = 12,
	FA_CM_SP = 13,
	FA_CM_LR = 14,
	FA_CM_PC = 15,
	FA_CM_XPSR = 16,
	FA_CM_MSP = 17,
	FA_CM_PSP = 18,
	FA_CM_EXC_RETURN = 19,
	FA_CM_NREGS = 20,
};

struct fa_region {
	uint64_t addr;
	uint32_t encoding;   /* 0 raw; others are not decodable by this version */
	const uint8_t *data; /* points into the message's own copy */
	size_t len;
};

struct fa_coredump {
	uint16_t reason;
	uint32_t flags;
	uint64_t regs[FA_REGS_MAX];
	size_t nregs;     /* words in the layout this decoder knows (extra words ignored) */
	unsigned word;    /* register word size, 4 or 8 */
	uint32_t fault[FA_FAULT_WORDS];
	bool has_fault;
	uint32_t fpregs[FA_FP_WORDS];
	bool has_fpregs;
	uint64_t stack_lo, stack_hi;
	bool has_stack;
	struct fa_region *regions; /* owned by the message */
	size_t nregions;
	uint64_t site_pc, site_lr;
	bool has_site;
	uint64_t code;
	bool has_code;
	uint64_t uptime_ms;
	bool has_uptime;
	uint64_t signal[3]; /* signo, si_code, si_addr */
	bool has_signal;
};

struct fa_reboot {
	uint16_t reason;
	uint64_t reset_cause;
	bool has_reset_cause;
	uint64_t site_pc, site_lr;
	bool has_site;
	bool coredump;
	uint64_t ended_boot_id;
	bool has_ended_boot_id;
};

struct fa_message {
	unsigned version;
	unsigned type; /* FA_MSG_*; another value is kept as "unknown type", with no payload decoded */
	uint16_t arch; /* ELF e_machine */
	unsigned os;   /* 0 bare metal, 1 POSIX */
	uint8_t build_id[64];
	size_t build_id_len;
	char sw_version[65];
	char hw_version[65];
	uint32_t boot_id;
	uint64_t dropped;
	struct fa_coredump core; /* type FA_MSG_COREDUMP */
	struct fa_reboot reboot; /* type FA_MSG_REBOOT */
	char notes[FA_NOTES_MAX]; /* what was dropped while decoding (a region of an unknown encoding...) */
	uint8_t *bytes;           /* the message's own copy of its bytes (regions point here) */
	size_t len;
};

/*
 * Decode one message. out: filled; free it with fa_message_free() whether or not this succeeds.
 * msg/len: the message bytes (copied).  err: optional.
 * Returns 0, FA_ERR_MALFORMED (err names the field), FA_ERR_UNSUPPORTED (a message version this decoder does not
 * know, or a register layout it does not know), FA_ERR_TOO_LARGE (above FA_MESSAGE_MAX), FA_ERR_NOMEM.
 */
int fa_message_parse(struct fa_message *out, const uint8_t *msg, size_t len, struct fa_error *err);

/* Release what fa_message_parse() allocated; out may be zeroed or parsed. */
void fa_message_free(struct fa_message *m);

/* The v1 register count of an (arch, os) layout and its word size; 0 when the layout is unknown. */
size_t fa_layout_regs(uint16_t arch, unsigned os, unsigned *out_word);

/* The name of register word i in the (arch, os) layout ("r0", "rip", "x29"...); NULL past the layout. */
const char *fa_reg_name(uint16_t arch, unsigned os, size_t i);

/* Find `len` bytes at `addr` in the captured regions. Returns a pointer into the message or NULL when not all of
 * them were captured. */
const uint8_t *fa_coredump_memory(const struct fa_coredump *c, uint64_t addr, size_t len);

#endif
