/* SPDX-License-Identifier: Apache-2.0 */
/* The message envelope: who sent it and which firmware, ahead of every payload (a compact heartbeat leaves the
 * firmware out: its boot said it before). */
#include "faultline/port.h"
#include "message_private.h"

#define MESSAGE_VERSION 1u

/* The ELF e_machine and OS of the firmware, from the compiler's target. */
#if defined(__arm__) || defined(__thumb__)
#define ARCH 40u
#elif defined(__x86_64__)
#define ARCH 62u
#elif defined(__aarch64__)
#define ARCH 183u
#elif defined(__riscv)
#define ARCH 243u
#else
#error "faultline: unknown target architecture (add its ELF e_machine here and to docs/FORMAT.md)"
#endif
#if defined(__unix__) || defined(__APPLE__)
#define OS 1u
#else
#define OS 0u
#endif

static uint32_t s_boot_id;

void fl_message_boot(uint32_t boot_id)
{
	s_boot_id = boot_id;
}

void fl_message_begin(struct fl_sink *s, unsigned type, uint32_t dropped, bool identity)
{
	struct fl_device_info info = {NULL, NULL, NULL};
	const uint8_t *build_id = NULL;
	size_t build_id_len = 0;
	bool hw = false;

	identity = identity || !FL_HEARTBEAT_ENABLED; /* (without heartbeats every envelope is the full one) */
	if (identity) {
		build_id_len = fl_port_build_id(&build_id);
		fl_port_device_info(&info);
		hw = info.hw_version != NULL && info.hw_version[0] != '\0';
	}
	fl_cbor_map(s, 4u + (identity ? 3u + (OS != 0) + hw : 0u) + (dropped != 0));
	fl_cbor_key_uint(s, FL_KEY_VERSION, MESSAGE_VERSION);
	fl_cbor_key_uint(s, FL_KEY_TYPE, type);
	if (identity) {
		fl_cbor_key_uint(s, FL_KEY_ARCH, ARCH);
		if (OS != 0) {
			fl_cbor_key_uint(s, FL_KEY_OS, OS);
		}
		fl_cbor_uint(s, FL_KEY_BUILD_ID);
		fl_cbor_bytes(s, build_id, build_id_len);
		fl_cbor_uint(s, FL_KEY_SW_VERSION);
		fl_cbor_text(s, info.sw_version != NULL ? info.sw_version : "");
		if (hw) {
			fl_cbor_uint(s, FL_KEY_HW_VERSION);
			fl_cbor_text(s, info.hw_version);
		}
	}
	fl_cbor_key_uint(s, FL_KEY_BOOT_ID, s_boot_id);
	if (dropped != 0) {
		fl_cbor_key_uint(s, FL_KEY_DROPPED, dropped);
	}
	fl_cbor_uint(s, FL_KEY_PAYLOAD);
}
