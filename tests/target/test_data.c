/* SPDX-License-Identifier: Apache-2.0 */
/* Globals of many kinds, for the addresses-in-words tests (tests/target/data-names.sh): GDB gives the address of
 * each expression of tests/target/data-names.txt in this image's ELF, and faultline must name that address with
 * that expression. Run with "mpu_global", boot 1 writes into a global an MPU region protects (MemManage,
 * DACCVIOL, MMFAR in the global) with registers pointing into other globals; boot 2 sends the dump. */
#include <stdint.h>
#include <string.h>

#include "board.h"
#include "faultline/cortex_m.h"
#include "faultline/faultline.h"


struct ring {
	uint32_t head, tail;
	uint8_t buf[64];
};

struct channel {
	int16_t offset; /* then 2 bytes of padding */
	float gain;
};

struct config {
	char name[16];
	struct channel channels[4];
	unsigned count;
};

union word {
	uint32_t word;
	uint8_t bytes[4];
};

struct packet {
	uint8_t kind;
	union { /* anonymous: its members are the packet's */
		uint32_t u;
		float f;
	};
	struct {
		uint16_t lo, hi;
	} half;
};

struct flags {
	unsigned a : 3;
	unsigned b : 5;
	int c : 12;
	uint8_t after;
};

struct padded {
	uint8_t tag;
	uint32_t value;
	uint8_t tail; /* then 3 bytes of padding to the struct's alignment */
};

enum mode { MODE_OFF, MODE_ON, MODE_AUTO };

struct entry {
	uint16_t id;
	const char *label;
};

/* The global the MPU protects: 64 bytes on a 64-byte boundary, one MPU region. */
struct guarded {
	uint32_t head;
	uint8_t buf[60];
};

/* Kept by the compiler though nothing but k_keep refers to them. */
#define USED __attribute__((used))

USED struct ring g_ring;
USED struct config g_cfg = {.name = "cfg", .count = 4};
USED struct config g_cfgs[2];
USED union word g_word;
USED struct packet g_packet;
USED struct flags g_flags;
USED struct padded g_padded;
USED struct padded g_paddeds[3];
USED enum mode g_mode = MODE_AUTO;
USED int16_t g_grid[3][4][2];
USED uint8_t g_big[1024];
USED const char *g_names[4] = {"zero", "one", "two", "three"};
USED void (*g_handlers[3])(int);
USED struct ring *g_ring_ptr = &g_ring;
USED static struct ring s_rx;
USED static uint32_t s_counts[8];
USED const struct entry k_table[3] = {{1, "one"}, {2, "two"}, {3, "three"}}; /* in flash */
USED const uint32_t k_crc_table[16] = {0x00000000u, 0x1db71064u, 0x3b6e20c8u, 0x26d930acu};
USED struct guarded g_guarded __attribute__((aligned(64)));
/* Dropped by --gc-sections: its DWARF stays, at address 0, where it must name nothing. */
struct ring g_dropped;

/* What main() refers to, so that --gc-sections keeps the globals above: an array of pointers too. */
static const void *const k_keep[] = {&g_ring,    &g_cfg,      g_cfgs,   &g_word,     &g_packet,   &g_flags,
				     &g_padded,  g_paddeds,   &g_mode,  g_grid,      g_big,       g_names,
				     g_handlers, &g_ring_ptr, &s_rx,    s_counts,    k_table,     k_crc_table,
				     &g_guarded};

static uint8_t s_events[256];

/* A function with statics of its own. */
__attribute__((noinline)) uint32_t data_tick(void);
__attribute__((noinline)) uint32_t data_tick(void)
{
	static uint32_t counter;
	static volatile struct ring history;

	history.buf[counter % 64] = (uint8_t)counter;
	counter++;
	return counter + history.head + s_rx.head + s_counts[counter % 8];
}

/* Store into dst while keep (r1 at the fault) points into another global: noipa keeps both arguments where the
 * calling convention puts them. */
__attribute__((noipa)) void data_poke(volatile uint8_t *dst, float *keep);
__attribute__((noipa)) void data_poke(volatile uint8_t *dst, float *keep)
{
	*dst = 0x5a;
	__asm__ volatile("" ::"r"(keep));
}

/* A no-access MPU region over g_guarded; MemManage faults go to its handler (fl_cm_configure). */
static void protect_guarded(void)
{
	*(volatile uint32_t *)0xe000ed98u = 0;                       /* MPU_RNR: region 0 */
	*(volatile uint32_t *)0xe000ed9cu = (uint32_t)&g_guarded; /* MPU_RBAR */
	/* MPU_RASR: XN, AP = no access, SIZE = log2(64) - 1, ENABLE */
	*(volatile uint32_t *)0xe000eda0u = 1u << 28 | 5u << 1 | 1u;
	*(volatile uint32_t *)0xe000ed94u = 1u << 2 | 1u; /* MPU_CTRL: PRIVDEFENA | ENABLE */
	__asm__ volatile("dsb\n isb" ::: "memory");
}

int main(void)
{
	struct fl_init_params params = {s_events, sizeof(s_events)};
	struct fl_boot_info info;
	int rc = fl_init(&params, &info);

	BOARD_CHECK(rc == 0);
	__asm__ volatile("" ::"r"(k_keep));
	board_printf("#T:boot count=%u tick=%lu\n", board_boot_count(), (unsigned long)data_tick());
	if (strcmp(board_cmdline(), "mpu_global") != 0) {
		board_printf("unknown scenario '%s'\n", board_cmdline());
		board_exit(2);
	}
	if (board_boot_count() == 1) {
		fl_cm_configure(FL_CM_FAULT_HANDLERS);
		protect_guarded();
		data_poke(&g_guarded.buf[52], &g_cfg.channels[2].gain);
		board_puts("the scenario did not crash\n");
		board_exit(4);
	}
	BOARD_CHECK(info.storage == FL_STORAGE_UNREAD);
	board_send_all();
	BOARD_CHECK(!fl_coredump_pending());
	return 0;
}
