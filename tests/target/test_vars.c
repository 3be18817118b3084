/* SPDX-License-Identifier: Apache-2.0 */
/* On-target crash scenarios for the variables of a report (docs/ANALYSIS.md, Variables): functions whose arguments
 * and locals cover what faultline reads from DWARF (structs, arrays, enums, bools, chars, floats, bitfields, a
 * union, pointers to globals and to functions, char buffers and strings, nested blocks, a value that lives only in
 * a register, a local optimized out, an entry value and a synthetic pointer at -O2), each ending in a bus fault.
 * Command line: the scenario's name. Boot 1 crashes; boot 2 sends the dump as serial lines, as test_faults.c does.
 * tests/target/gdb-vars.sh compares faultline's variables with GDB's on the exported core; test_vars.c (unit)
 * checks them against what this file sets. */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "board.h"
#include "faultline/cortex_m.h"
#include "faultline/faultline.h"
#include "faultline/port.h"


enum mode { MODE_IDLE, MODE_RUN, MODE_FAULT = 7 };
enum flags { FLAG_A = 1, FLAG_B = 2, FLAG_C = 8 };

struct ring {
	uint32_t head;
	uint32_t tail;
	char buf[16];
};

struct point {
	int16_t x, y;
};

struct bits {
	unsigned ready : 1;
	unsigned level : 3;
	int delta : 5;
	uint8_t tag;
};

union word {
	uint32_t u;
	uint8_t b[4];
};

struct sensor {
	const char *label;
	enum mode mode;
	struct point at;
	uint16_t samples[6];
	bool enabled;
	void (*on_fault)(uint32_t);
	struct ring *ring;
};

static uint8_t s_events[256];
static volatile uint32_t s_sink;
static struct ring s_ring = {3, 7, "abc"};              /* registered with the dump: captured */
static struct ring s_other = {1, 2, "not in the dump"}; /* not registered: RAM the dump does not hold */
static struct sensor s_sensor;                          /* registered */
static const char k_label[] = "pressure";               /* flash: read from the ELF */

__attribute__((noinline)) static void crash(uint32_t v)
{
	*(volatile uint32_t *)0xfffffff0u = v;
}

void hostile_names(void (*crash_fn)(uint32_t)); /* tests/target/hostile_names.c: names of markup */

/* Structs by pointer and by value, an enum, a char, a bool; locals of every kind, kept in memory (volatile) so
 * that every optimization level has them. */
__attribute__((noinline)) static void inspect(struct sensor *s, struct point where, enum mode m, char tag, bool armed)
{
	volatile struct bits bits = {1, 5, -3, 0x5a};
	volatile union word w = {.u = 0x41424344u};
	volatile int32_t hist[12] = {5, -1};
	volatile uint8_t grid[2][3] = {{1, 2, 3}, {4, 5, 6}};
	volatile char name[16] = "pump";
	volatile enum flags fl = (enum flags)(FLAG_A | FLAG_C);
	volatile enum mode unknown_mode = (enum mode)5;
	volatile float ratio = 0.75f;
	volatile double scale = -2.5;
	volatile uint64_t big = 0x123456789abcdefull;
	volatile int8_t small = -7;
	struct ring *volatile ring = &s_ring;
	volatile uint32_t *volatile tail = &s_ring.tail;
	const char *volatile label = k_label;
	const char *volatile missing = s_other.buf;

	crash(s->samples[0] + (uint32_t)where.x + m + (uint8_t)tag + armed);
	s_sink = bits.level + w.b[0] + (uint32_t)hist[1] + grid[1][2] + (uint8_t)name[0] + fl + unknown_mode +
		 (uint32_t)ratio + (uint32_t)scale + (uint32_t)big + (uint32_t)small + ring->head + *tail +
		 (uint8_t)label[0] + (uint8_t)missing[0];
}

__attribute__((noinline)) static void structs(void)
{
	static const struct point k_where = {-12, 34};

	s_sensor.label = k_label;
	s_sensor.mode = MODE_RUN;
	s_sensor.at.x = 100;
	s_sensor.at.y = -200;
	for (unsigned i = 0; i < 6; i++)
		s_sensor.samples[i] = (uint16_t)(i < 2 ? 7u : 0u);
	s_sensor.enabled = true;
	s_sensor.on_fault = crash;
	s_sensor.ring = &s_ring;
	inspect(&s_sensor, k_where, MODE_FAULT, 'q', true);
	s_sink++;
}

/* At -O2: a is dead once stored, so at the call its location is its entry value (DW_OP_entry_value(r0)), which
 * the caller's call site records (k, kept in a callee-saved register across the call); b lives only in a
 * callee-saved register across the call. */
__attribute__((noinline)) static void entry_leaf(uint32_t a, uint32_t b)
{
	s_sink = a;
	crash(b * 2u);
	s_sink += b;
}

__attribute__((noinline)) static void entry(void)
{
	uint32_t k = s_sink * 3u + 5u;

	entry_leaf(k, 21);
	s_sink = k;
}

/* At -O2, seen is dead after its store: optimized out at the crash; twice is computable from n's entry value. */
__attribute__((noinline)) static uint32_t optimized(uint32_t n)
{
	uint32_t seen = s_sink, twice = n * 2u;

	s_sink = seen + twice;
	crash(n);
	return n + 1;
}

/* At -O2, counter lives in a register and bump() is inlined: p points at no memory (DW_OP_implicit_pointer). */
static inline __attribute__((always_inline)) void bump(int *p)
{
	*p += 1;
	crash((uint32_t)*p);
}

__attribute__((noinline)) static void synthetic(int start)
{
	int counter = start;

	bump(&counter);
	s_sink = (uint32_t)counter;
}

/* Char buffers: strings with repeats and escapes, a pointer into flash, one into RAM the dump lacks. */
__attribute__((noinline)) static void strings(const char *label, const char *missing)
{
	volatile char line[24] = "temp=21.5\n";
	volatile char tabs[8] = "a\tb\"c\\";
	volatile char full[4] = {'a', 'b', 'c', 'd'};
	volatile uint8_t raw[20];

	for (unsigned i = 0; i < sizeof(raw); i++)
		raw[i] = (uint8_t)(i < 3 ? 0xff : 'z');
	crash((uint32_t)(uint8_t)label[0] + (uint32_t)(uint8_t)missing[0]);
	s_sink = (uint8_t)line[0] + (uint8_t)tabs[0] + (uint8_t)full[0] + raw[0];
}

/* Nested blocks: the innermost block's locals come first; a name shadowed in an inner block (on purpose). */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wshadow"
__attribute__((noinline)) static void blocks(uint32_t depth)
{
	volatile uint32_t outer = depth * 10u;

	for (volatile uint32_t i = 0; i < 2; i++) {
		volatile uint32_t outer_shadow = outer + i;

		if (i == 1) {
			volatile uint32_t outer = 77; /* shadows the function's */

			crash(outer + outer_shadow);
		}
	}
	s_sink = outer;
}
#pragma GCC diagnostic pop

#if defined(__ARM_FP)
/* With the FPU: frame 0's float argument in s0, the caller's double in memory. */
__attribute__((noinline)) static void float_leaf(float ratio, uint32_t n)
{
	*(volatile uint32_t *)0xfffffff0u = (uint32_t)(ratio * 4.0f) + n;
}

__attribute__((noinline)) static void floats(void)
{
	volatile double scale = 1.25;

	float_leaf((float)scale * 0.5f, 3);
	s_sink++;
}
#endif

static void run(const char *name)
{
	static const struct {
		const char *name;
		void (*fn)(void);
	} k_scenarios[] = {{"structs", structs}, {"entry", entry}};

	fl_cm_configure(FL_CM_FAULT_HANDLERS);
	board_puts("#T:expect bfar=fffffff0\n");
	for (size_t i = 0; i < sizeof(k_scenarios) / sizeof(k_scenarios[0]); i++)
		if (strcmp(name, k_scenarios[i].name) == 0)
			k_scenarios[i].fn();
	if (strcmp(name, "optimized") == 0)
		s_sink = optimized(s_sink + 9u);
	else if (strcmp(name, "synthetic") == 0)
		synthetic((int)s_sink + 41);
	else if (strcmp(name, "strings") == 0)
		strings(k_label, s_other.buf);
	else if (strcmp(name, "blocks") == 0)
		blocks(s_sink + 4u);
	else if (strcmp(name, "hostile") == 0)
		hostile_names(crash);
#if defined(__ARM_FP)
	else if (strcmp(name, "floats") == 0)
		floats();
#endif
	board_printf("unknown scenario '%s', or it did not crash\n", name);
	board_exit(2);
}

int main(void)
{
	struct fl_init_params params = {s_events, sizeof(s_events)};
	struct fl_boot_info info;
	int rc = fl_init(&params, &info);

	BOARD_CHECK(rc == 0);
	BOARD_CHECK(fl_coredump_add_region(&s_ring, sizeof(s_ring)) == 0);
	BOARD_CHECK(fl_coredump_add_region(&s_sensor, sizeof(s_sensor)) == 0);
	if (board_boot_count() == 1) {
		BOARD_CHECK(info.storage == FL_STORAGE_EMPTY);
		run(board_cmdline());
	}
	BOARD_CHECK(info.storage == FL_STORAGE_UNREAD);
	board_send_all();
	BOARD_CHECK(!fl_coredump_pending());
	return 0;
}
