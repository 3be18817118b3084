/* SPDX-License-Identifier: Apache-2.0 */
/* Reboot reasons: the record that crosses a reset, and the reboot event sent at every boot. */
#include <stddef.h>

#include "cbor_private.h"
#include "crc32_private.h"
#include "event_private.h"
#include "faultline/faultline.h"
#include "faultline/port.h"
#include "message_private.h"
#include "reboot_private.h"

#define RECORD_MAGIC 0x42524c46u /* "FLRB" */

/* Reboot event payload keys (docs/FORMAT.md §8.2). */
enum { KEY_REASON = 1, KEY_RESET_CAUSE = 2, KEY_SITE = 3, KEY_COREDUMP = 4, KEY_ENDED_BOOT_ID = 5 };

struct reboot_record {
	uint32_t magic;
	uint32_t boot_id; /* of the boot that owns the record */
	uintptr_t pc, lr; /* where the reason was recorded */
	uint16_t reason;  /* 0: none yet */
	uint8_t coredump; /* 1: this boot saved a coredump */
	uint8_t reserved;
	uint32_t check; /* CRC-32 of the fields above */
};

static struct reboot_record s_record FL_NOINIT;

static uint32_t record_check(const struct reboot_record *r)
{
	return fl_crc32_update(0, r, offsetof(struct reboot_record, check));
}

static bool record_valid(void)
{
	return s_record.magic == RECORD_MAGIC && s_record.check == record_check(&s_record);
}

static void record_start(uint32_t boot_id)
{
	s_record = (struct reboot_record){.magic = RECORD_MAGIC, .boot_id = boot_id};
	s_record.check = record_check(&s_record);
}

void fl_reboot_record(uint16_t reason, uintptr_t pc, uintptr_t lr, bool coredump)
{
	if (!record_valid())
		record_start(0); /* before fl_init(), or RAM was corrupted */
	if (s_record.reason == FL_REASON_UNKNOWN ||
	    (fl_reason_is_expected(s_record.reason) && !fl_reason_is_expected(reason))) {
		s_record.reason = reason;
		s_record.pc = pc;
		s_record.lr = lr;
	}
	if (coredump)
		s_record.coredump = 1;
	s_record.check = record_check(&s_record);
}

void fl_reboot_mark(uint16_t reason)
{
	fl_port_lock();
	fl_reboot_record(reason, (uintptr_t)FL_RETURN_ADDRESS(), 0, false);
	fl_port_unlock();
}

void fl_reboot(uint16_t reason)
{
	fl_reboot_record(reason, (uintptr_t)FL_RETURN_ADDRESS(), 0, false);
	fl_port_reboot();
}

void fl_reboot_boot(uint32_t boot_id, uint16_t *out_reason, uint32_t *out_raw, bool *out_coredump)
{
	uint8_t payload[FL_EVENT_PAYLOAD_MAX];
	struct fl_window_sink w;
	uint32_t raw = 0;
	uint16_t hw = fl_port_reset_cause(&raw);
	bool valid = record_valid(), marked = valid && s_record.reason != FL_REASON_UNKNOWN;
	uint16_t reason = marked ? s_record.reason : hw;
	bool site = marked && s_record.pc != 0, coredump = valid && s_record.coredump;

	fl_window_init(&w, 0, payload, sizeof(payload));
	fl_cbor_map(&w.base, 1u + (raw != 0) + site + coredump + valid);
	fl_cbor_key_uint(&w.base, KEY_REASON, reason);
	if (raw != 0) {
		fl_cbor_key_uint(&w.base, KEY_RESET_CAUSE, raw);
	}
	if (site) {
		fl_cbor_key_pair(&w.base, KEY_SITE, s_record.pc, s_record.lr);
	}
	if (coredump) {
		fl_cbor_key_uint(&w.base, KEY_COREDUMP, 1);
	}
	if (valid) {
		fl_cbor_key_uint(&w.base, KEY_ENDED_BOOT_ID, s_record.boot_id);
	}
	/* At most 39 bytes with 64-bit addresses, which config.h's minimum FL_EVENT_PAYLOAD_MAX holds. */
	fl_event_push(FL_MSG_REBOOT, payload, w.base.pos);
	record_start(boot_id);
	*out_reason = reason;
	*out_raw = raw;
	*out_coredump = coredump;
}
