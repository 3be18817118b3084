/* SPDX-License-Identifier: Apache-2.0 */
/* A simulated device's life (device.h): power-on, heartbeats, sensor readings, crashes, hangs and planned reboots,
 * as a firmware would do them with the SDK, in simulated time. */
#define _POSIX_C_SOURCE 200809L
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "device.h"
#include "faultline/capture.h"
#include "faultline/faultline.h"
#include "rng.h"
#include "state.h"
#include "truth.h"
#include "uplink.h"

#define TICK_MS (15 * 60 * 1000) /* the application reads its sensors every 15 minutes */
#define HOUR_MS (3600.0 * 1000.0)
#define RESET_RAW_SOFTWARE 0x10000000u /* a reset-status register's bits: what the hardware says */
#define RESET_RAW_WATCHDOG 0x20000000u
#define BATTERY_FULL_MV 4150
#define BATTERY_LOW_MV 3450
#define STACK_WORDS 64 /* the crashed code's stack, 512 bytes on a 64-bit host */

/* The memory a crash captures as its stack: the same for every device, filled anew at each crash. */
static uintptr_t s_stack[STACK_WORDS];

static void die_rc(const struct sim_device *d, const char *call, int rc)
{
	fprintf(stderr, "fleetsim: %s: %s returned %d\n", d->serial, call, rc);
	exit(1);
}

size_t sim_device_memory(void)
{
	return sim_state_size() + SIM_EVENT_BUF + SIM_STORAGE_SIZE;
}

int sim_device_init(struct sim_device *d, uint32_t index, uint16_t g, const struct sim_params *p, uint8_t *memory)
{
	memset(d, 0, sizeof(*d));
	if ((size_t)snprintf(d->serial, sizeof(d->serial), "%s%06u", p->prefix, index) >= sizeof(d->serial))
		return -1;
	d->index = index;
	d->group = g;
	d->rng = sim_rng_stream(p->seed, index);
	d->sdk = memory;
	d->events = memory + sim_state_size();
	memcpy(d->sdk, sim_state_pristine(), sim_state_size());
	d->hw.storage = d->events + SIM_EVENT_BUF;
	memset(d->hw.storage, 0xff, SIM_STORAGE_SIZE); /* erased flash */
	d->hw.serial = d->serial;
	d->hw.sw_version = p->groups[g].version;
	d->hw.hw_version = p->hw_version;
	d->hw.reset_cause = FL_REASON_POWER_ON;
	d->boot = SIM_NO_BOOT;
	d->next_boot = p->start_ms + (int64_t)(sim_rng_uniform(&d->rng) * (double)p->interval_ms);
	d->next_tick = d->next_heartbeat = d->next_crash = d->next_reboot = SIM_NEVER;
	d->hw.now_ms = d->next_boot;
	d->battery_mv = BATTERY_LOW_MV + (int32_t)sim_rng_below(&d->rng, BATTERY_FULL_MV - BATTERY_LOW_MV);
	d->temperature_home = -5 + (int32_t)sim_rng_below(&d->rng, 36); /* a basement, or a roof: -5..30 C */
	d->temperature_c = d->temperature_home;
	sim_port_readable(s_stack, sizeof(s_stack));
	return 0;
}

/* Hand every chunk the SDK has to the link, the radio on while it sends: 20 ms to wake and 40 us a byte. */
static void send(struct sim_device *d, struct sim_link *link)
{
	size_t bytes;

	if (!fl_chunk_has_data())
		return;
	fl_metric_timer_start(FL_METRIC_radio_on_ms);
	bytes = sim_link_pump(link, &d->rng);
	d->hw.now_ms += 20 + (int64_t)(bytes / 25);
	fl_metric_timer_stop(FL_METRIC_radio_on_ms);
	fl_metric_add(FL_METRIC_tx_packets, (uint32_t)(1 + bytes / 64));
}

/* The application's sensors: the battery drains (faster while the radio works) and is recharged when low; the
 * temperature wanders about the place's own; packets of its own trickle out. */
static void read_sensors(struct sim_device *d)
{
	int32_t pull = d->temperature_home > d->temperature_c ? 1 : d->temperature_home < d->temperature_c ? -1 : 0;

	d->battery_mv -= 1 + (int32_t)sim_rng_below(&d->rng, 3);
	if (d->battery_mv < BATTERY_LOW_MV)
		d->battery_mv = BATTERY_FULL_MV;
	if (sim_rng_chance(&d->rng, 0.3))
		d->temperature_c += sim_rng_chance(&d->rng, 0.6) ? pull : (sim_rng_chance(&d->rng, 0.5) ? 1 : -1);
	fl_metric_set(FL_METRIC_battery_mv, (uint32_t)d->battery_mv);
	fl_metric_set_signed(FL_METRIC_temperature_c, d->temperature_c);
	fl_metric_add(FL_METRIC_tx_packets, sim_rng_below(&d->rng, 4));
}

static int64_t after(struct sim_device *d, double mean_ms)
{
	double wait;

	if (mean_ms <= 0)
		return SIM_NEVER;
	wait = sim_rng_exponential(&d->rng, mean_ms);
	return wait < 1e15 ? d->hw.now_ms + 1 + (int64_t)wait : SIM_NEVER;
}

/* A boot: fl_init() as a firmware's main() calls it, then what the SDK queued (a saved coredump, then the reboot
 * event) announced to the link and sent. */
static void boot(struct sim_device *d, const struct sim_params *p, struct sim_link *link, struct sim_truth *truth)
{
	const struct sim_group *g = &p->groups[d->group];
	struct fl_init_params params = {d->events, SIM_EVENT_BUF};
	struct fl_boot_info info;
	uint32_t ended = d->boot;
	int rc;

	d->hw.boot_ms = d->hw.now_ms;
	rc = fl_init(&params, &info);
	if (rc != 0)
		die_rc(d, "fl_init()", rc);
	d->boot = sim_truth_boot(truth, d->index, d->hw.boot_id, d->group);
	if (info.storage == FL_STORAGE_UNREAD) {
		struct sim_msg dump = {.device = d->index, .boot = ended, .type = SIM_MSG_COREDUMP};

		sim_link_expect(link, &dump);
	}
	struct sim_msg reboot = {.device = d->index, .boot = d->boot, .ended = ended, .reason = info.reason,
				 .type = SIM_MSG_REBOOT};

	sim_link_expect(link, &reboot);
	d->next_boot = SIM_NEVER;
	d->next_heartbeat = d->hw.now_ms + p->interval_ms;
	d->next_tick = d->hw.now_ms + TICK_MS;
	d->next_crash = after(d, g->crashes_per_1000h > 0 ? 1000.0 * HOUR_MS / g->crashes_per_1000h : 0);
	d->next_reboot = after(d, g->reboots_per_day > 0 ? 24.0 * HOUR_MS / g->reboots_per_day : 0);
	read_sensors(d);
	send(d, link);
}

static void heartbeat(struct sim_device *d, const struct sim_params *p, struct sim_link *link,
		      struct sim_truth *truth, bool scheduled)
{
	struct sim_msg hb = {.device = d->index, .boot = d->boot, .type = SIM_MSG_HEARTBEAT,
			     .uptime_s = (uint32_t)((d->hw.now_ms - d->hw.boot_ms) / 1000)};
	int rc = scheduled && p->poll ? fl_metrics_poll() : fl_metrics_heartbeat();

	if (rc != (scheduled && p->poll ? 1 : 0))
		die_rc(d, scheduled && p->poll ? "fl_metrics_poll() at its time" : "fl_metrics_heartbeat()", rc);
	truth->groups[d->group].heartbeats_made++;
	if (scheduled) /* an interval after this one, as fl_metrics_poll() counts it */
		d->next_heartbeat = d->hw.now_ms + p->interval_ms;
	sim_link_expect(link, &hb);
	send(d, link);
}

/* The crashed code's registers in the host's layout (docs/FORMAT.md §8.1), its stack pointer into s_stack. */
static size_t crash_registers(struct sim_device *d, uintptr_t *regs, uintptr_t *out_sp)
{
#if defined(__x86_64__)
	enum { NREGS = 18, SP = 7, PC = 16 };
#elif defined(__aarch64__)
	enum { NREGS = 34, SP = 31, PC = 32 };
#elif defined(__arm__)
	enum { NREGS = 17, SP = 13, PC = 15 };
#else
#error "fleetsim: no register layout for this host (docs/FORMAT.md §8.1)"
#endif
	for (size_t i = 0; i < NREGS; i++)
		regs[i] = (uintptr_t)sim_rng_next(&d->rng);
	for (size_t i = 0; i < STACK_WORDS; i++)
		s_stack[i] = (uintptr_t)sim_rng_next(&d->rng);
	regs[SP] = (uintptr_t)&s_stack[8];
	regs[PC] = (uintptr_t)crash_registers + 16u * sim_rng_below(&d->rng, 4); /* one of four crash sites */
	*out_sp = regs[SP];
	return NREGS;
}

/* A crash: a fatal signal whose handler saves a coredump and resets the device, or a hang that the hardware
 * watchdog ends. Then the device boots again. */
static void crash(struct sim_device *d, const struct sim_params *p, struct sim_link *link, struct sim_truth *truth)
{
	struct sim_version_truth *v = &truth->groups[d->group];

	v->crashes++;
	if (sim_rng_chance(&d->rng, p->coredump_share)) {
		uintptr_t regs[34], sig[3] = {SIGSEGV, SEGV_MAPERR, 0};
		struct fl_capture c = {.reason = FL_REASON_FATAL_SIGNAL, .regs = regs, .signal = sig};

		c.nregs = crash_registers(d, regs, &c.sp);
		c.stack_lo = (uintptr_t)s_stack;
		c.stack_hi = (uintptr_t)(s_stack + STACK_WORDS);
		sig[2] = (uintptr_t)sim_rng_below(&d->rng, 4096);
		if (fl_coredump_save(&c) == 0)
			v->coredumps_saved++;
		d->hw.reset_cause = FL_REASON_SOFTWARE_RESET; /* the fault handler's reset */
		d->hw.reset_raw = RESET_RAW_SOFTWARE;
	} else {
		d->hw.reset_cause = FL_REASON_WATCHDOG;
		d->hw.reset_raw = RESET_RAW_WATCHDOG;
	}
	boot(d, p, link, truth);
}

/* A planned reboot (an update check, a nightly restart): a last heartbeat if asked, the reason marked, the reset. */
static void planned_reboot(struct sim_device *d, const struct sim_params *p, struct sim_link *link,
			   struct sim_truth *truth)
{
	if (p->last_heartbeat)
		heartbeat(d, p, link, truth, false);
	truth->groups[d->group].planned_reboots++;
	fl_reboot_mark(FL_REASON_SOFTWARE_RESET);
	d->hw.reset_cause = FL_REASON_SOFTWARE_RESET;
	d->hw.reset_raw = RESET_RAW_SOFTWARE;
	boot(d, p, link, truth);
}

void sim_device_run(struct sim_device *d, const struct sim_params *p, int64_t until, struct sim_link *link,
		    struct sim_truth *truth)
{
	sim_link_device(link, d->serial);
	for (;;) {
		int64_t at = d->next_boot;

		at = d->next_crash < at ? d->next_crash : at;
		at = d->next_reboot < at ? d->next_reboot : at;
		at = d->next_heartbeat < at ? d->next_heartbeat : at;
		at = d->next_tick < at ? d->next_tick : at;
		if (at > until)
			break;
		if (at > d->hw.now_ms) /* (an event due while the radio was on runs when it is off) */
			d->hw.now_ms = at;
		if (at == d->next_boot) {
			boot(d, p, link, truth);
		} else if (at == d->next_crash) {
			crash(d, p, link, truth);
		} else if (at == d->next_reboot) {
			planned_reboot(d, p, link, truth);
		} else if (at == d->next_heartbeat) {
			heartbeat(d, p, link, truth, true);
		} else {
			read_sensors(d);
			d->next_tick = at + TICK_MS;
		}
	}
}
