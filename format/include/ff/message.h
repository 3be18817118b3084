/* SPDX-License-Identifier: Apache-2.0 */
/* A message (docs/FORMAT.md §7, §8) decoded from untrusted bytes into plain C: the envelope, and the payload of a
 * coredump, a reboot event or a heartbeat. Every field is checked; an error names the field. */
#ifndef FF_MESSAGE_H
#define FF_MESSAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ff/error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define FF_MSG_COREDUMP 1u
#define FF_MSG_REBOOT 2u
#define FF_MSG_HEARTBEAT 3u

#define FF_REGS_MAX 34u    /* the longest register layout (AArch64) */
#define FF_FAULT_WORDS 5u  /* CFSR, HFSR, MMFAR, BFAR, SHCSR */
#define FF_FP_WORDS 33u    /* s0-s31, FPSCR */
#define FF_REGIONS_MAX 256u
#define FF_RTOS_TASKS_MAX 256u
#define FF_NOTES_MAX 512u

/* Coredump flags (docs/FORMAT.md §8.1). */
#define FF_FLAG_TRUNCATED 0x1u
#define FF_FLAG_FRAME_UNRELIABLE 0x2u
#define FF_FLAG_FP_CONTEXT 0x4u

/* Register indices of the Cortex-M layout (arch 40, os 0). */
enum ff_cm_reg {
	FF_CM_R0 = 0,
	FF_CM_R12 = 12,
	FF_CM_SP = 13,
	FF_CM_LR = 14,
	FF_CM_PC = 15,
	FF_CM_XPSR = 16,
	FF_CM_MSP = 17,
	FF_CM_PSP = 18,
	FF_CM_EXC_RETURN = 19,
	FF_CM_NREGS = 20,
};

struct ff_region {
	uint64_t addr;
	uint32_t encoding;   /* 0 raw; others are not decodable by this version */
	const uint8_t *data; /* points into the ff_message's bytes (a copy made by ff_message_parse) */
	size_t len;
};

/* The RTOS of a coredump (docs/FORMAT.md §8.1 `rtos`). */
#define FF_RTOS_FREERTOS 1u

/* One task the device's RTOS port described. */
struct ff_rtos_task {
	uint64_t tcb;        /* its control block's address */
	uint64_t high_water; /* bytes of its stack never used, when has_high_water */
	bool has_high_water;
};

struct ff_coredump {
	uint16_t reason;
	uint32_t flags;
	uint64_t regs[FF_REGS_MAX];
	size_t nregs;     /* words in the layout this decoder knows (extra words ignored) */
	unsigned word;    /* register word size, 4 or 8 */
	uint32_t fault[FF_FAULT_WORDS];
	bool has_fault;
	uint32_t fpregs[FF_FP_WORDS];
	bool has_fpregs;
	uint64_t stack_lo, stack_hi;
	bool has_stack;
	struct ff_region *regions; /* owned by the ff_message (freed by ff_message_free) */
	size_t nregions;
	uint64_t site_pc, site_lr;
	bool has_site;
	uint64_t code;
	bool has_code;
	uint64_t uptime_ms;
	bool has_uptime;
	uint64_t signal[3]; /* signo, si_code, si_addr */
	bool has_signal;
	bool has_rtos;
	uint32_t rtos_kind;            /* FF_RTOS_*, or another the decoder does not know */
	uint64_t rtos_found;           /* tasks the port found (more than ntasks: its list was cut) */
	struct ff_rtos_task *tasks;    /* owned by the ff_message (freed by ff_message_free); the crashing context's
					* task first */
	size_t ntasks;
	uint64_t rtos_overflow;        /* the task an RTOS's stack overflow hook named, when has_rtos_overflow */
	bool has_rtos_overflow;
};

struct ff_reboot {
	uint16_t reason;
	uint64_t reset_cause;
	bool has_reset_cause;
	uint64_t site_pc, site_lr;
	bool has_site;
	bool coredump;
	uint64_t ended_boot_id;
	bool has_ended_boot_id;
};

/* A heartbeat's built-in values (docs/FORMAT.md §8.4), at their fixed positions. */
enum ff_hb_builtin {
	FF_HB_UPTIME_S = 0,
	FF_HB_UNEXPECTED_REBOOTS = 1,
	FF_HB_COREDUMPS = 2,
	FF_HB_CHUNKS = 3,
	FF_HB_CHUNK_BYTES = 4,
	FF_HB_EVENTS_DROPPED = 5,
	FF_HB_STORAGE = 6,
	FF_HB_BUILTINS = 7, /* how many this decoder knows: a v1 heartbeat has at least these */
};
#define FF_HB_VALUES_MAX 256u  /* application values in one heartbeat */
#define FF_HB_BYTES_MAX 4096u  /* of its values bstr */

struct ff_heartbeat {
	uint64_t builtin[FF_HB_BUILTINS]; /* indexed by enum ff_hb_builtin; built-ins past these are skipped */
	uint64_t values[FF_HB_VALUES_MAX]; /* the application's values as sent (LEB128-decoded; signed gauges still
					   * zigzag-encoded: ff/metrics.h interprets them by the build's key table) */
	size_t nvalues; /* 0..FF_HB_VALUES_MAX */
};

struct ff_message {
	unsigned version;
	unsigned type; /* FF_MSG_*; another value is kept as "unknown type", with no payload decoded */
	uint16_t arch; /* ELF e_machine */
	unsigned os;   /* 0 bare metal, 1 POSIX */
	uint8_t build_id[64];
	size_t build_id_len;
	char sw_version[65];
	char hw_version[65];
	uint32_t boot_id;
	uint64_t dropped;
	bool compact;            /* a heartbeat without the firmware identity (arch, os, build_id, sw_version and
				  * hw_version are then all zero / empty): its boot's identity applies (§8.4). Always
				  * false for other types, which must carry the identity */
	struct ff_coredump core; /* type FF_MSG_COREDUMP */
	struct ff_reboot reboot; /* type FF_MSG_REBOOT */
	struct ff_heartbeat heartbeat; /* type FF_MSG_HEARTBEAT */
	char notes[FF_NOTES_MAX]; /* what was dropped while decoding (a region of an unknown encoding...) */
	uint8_t *bytes;           /* the captured regions' data, copied out of the message (regions point here); the
				   * message's own bytes are not kept */
	size_t len;               /* the message's length in bytes */
};

/*
 * Decode one message, checking every field.
 * out: (out) filled; free it with ff_message_free() whether or not this succeeds.
 * msg, len: (in) the message bytes, read during the call only: what out needs of them (the captured regions'
 *           data) is copied into out.
 * err: (out, optional) names the field and the problem.
 * Returns 0; FF_ERR_MALFORMED; FF_ERR_UNSUPPORTED (a message version or register layout this decoder does not
 * know); FF_ERR_TOO_LARGE (above FF_MESSAGE_MAX); FF_ERR_NOMEM.
 */
int ff_message_parse(struct ff_message *out, const uint8_t *msg, size_t len, struct ff_error *err);

/*
 * Release what ff_message_parse() allocated.
 * m: (in/out) zeroed or parsed; zeroed again.
 */
void ff_message_free(struct ff_message *m);

/*
 * The v1 register count of a register layout (§8.1).
 * arch, os: (in) the layout's envelope values.
 * out_word: (out) its word size in bytes, 4 or 8.
 * Returns the count; 0 when the layout is unknown (out_word then untouched).
 */
size_t ff_layout_regs(uint16_t arch, unsigned os, unsigned *out_word);

/*
 * The name of a register of a layout.
 * arch, os: (in) the layout.  i: (in) the word's index.
 * Returns a static string ("r0", "rip", "x29"...); NULL past the layout or for an unknown one.
 */
const char *ff_reg_name(uint16_t arch, unsigned os, size_t i);

/*
 * Captured memory.
 * c: (in) a parsed coredump.  addr, len: (in) the bytes wanted.
 * Returns a pointer to them in c's regions (valid as long as its ff_message); NULL when not all were captured.
 */
const uint8_t *ff_coredump_memory(const struct ff_coredump *c, uint64_t addr, size_t len);

#ifdef __cplusplus
}
#endif
#endif
