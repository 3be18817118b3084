/* SPDX-License-Identifier: Apache-2.0 */
/* Ground truth (truth.h): the rules of docs/HEALTH.md applied to what got through, in the order it arrived. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "truth.h"
#include "uplink.h"

#define GAP_MAX_S (30u * 24u * 3600u) /* an interval counts at most this (the server's SRV_HEALTH_GAP_MAX) */
#define UNEXPECTED_MIN 0x8000u

static void *grow(void *items, size_t n, size_t *cap, size_t size)
{
	if (n < *cap)
		return items;
	*cap = *cap != 0 ? 2 * *cap : 4096;
	items = *cap < SIM_TRUTH_NONE ? realloc(items, *cap * size) : NULL;
	if (items == NULL) {
		fprintf(stderr, "fleetsim: out of memory for the ground truth\n");
		exit(1);
	}
	return items;
}

int sim_truth_init(struct sim_truth *t, size_t ngroups, uint32_t ndevices)
{
	memset(t, 0, sizeof(*t));
	t->groups = calloc(ngroups, sizeof(*t->groups));
	t->until = calloc((size_t)ndevices + 1, sizeof(*t->until));
	for (uint32_t i = 0; t->until != NULL && i <= ndevices; i++)
		t->until[i].boot = SIM_TRUTH_NONE;
	t->ngroups = ngroups;
	t->ndevices = ndevices;
	return t->groups != NULL && t->until != NULL ? 0 : -1;
}

void sim_truth_free(struct sim_truth *t)
{
	free(t->boots);
	free(t->waits);
	free(t->until);
	free(t->groups);
	memset(t, 0, sizeof(*t));
}

uint32_t sim_truth_boot(struct sim_truth *t, uint32_t device, uint32_t boot_id, uint16_t g)
{
	t->boots = grow(t->boots, t->nboots, &t->cap, sizeof(*t->boots));
	t->boots[t->nboots] = (struct sim_boot){.device = device, .boot_id = boot_id, .group = g,
						.waiting = SIM_TRUTH_NONE, .waiting_last = SIM_TRUTH_NONE};
	t->groups[g].boots++;
	return (uint32_t)t->nboots++;
}

/*
 * Count a heartbeat of boot b (its identity known) as the server does (its store's count()): the boot is placed by
 * its least delayed heartbeat; the heartbeat's interval is its uptime's growth (capped at 30 days), placed to end at
 * anchor + uptime (never before the heartbeat before it), and cut where its device already counted another boot's
 * seconds. A heartbeat below the latest one adds nothing; one more than 30 days past it is not counted.
 */
static void count(struct sim_truth *t, struct sim_boot *b, uint32_t uptime_s, int64_t received)
{
	struct sim_until *u = &t->until[b->device];
	uint32_t self = (uint32_t)(b - t->boots), seconds;
	int64_t start = received - uptime_s, at, others;

	if (b->heartbeat && uptime_s > b->last_uptime_s && uptime_s - b->last_uptime_s > GAP_MAX_S)
		return; /* an uptime jump: kept, not counted */
	if (!b->has_anchor || start < b->anchor)
		b->anchor = start;
	b->has_anchor = true;
	if (b->heartbeat && uptime_s <= b->last_uptime_s)
		return; /* late: the interval across it was counted (in-order links never make one) */
	seconds = uptime_s - (b->heartbeat ? b->last_uptime_s : 0);
	seconds = seconds < GAP_MAX_S ? seconds : GAP_MAX_S;
	at = b->anchor + uptime_s;
	if (b->heartbeat && at < b->last_at)
		at = b->last_at;
	/* Another boot of the device counted these seconds: cut. The boot's own earlier places are no overlap (an
	 * anchor that moved earlier places an interval's start before the place of the heartbeat before it). */
	others = u->boot == self ? u->others : u->at;
	if (others > at - (int64_t)seconds) {
		uint32_t cut = others >= at ? seconds : (uint32_t)(others - (at - (int64_t)seconds));

		seconds -= cut;
		t->groups[b->group].overlap_s += cut;
	}
	if (u->boot != self && at > u->at) {
		u->others = u->at > u->others ? u->at : u->others;
		u->boot = self;
		u->at = at;
	} else if (u->boot != self) {
		u->others = at > u->others ? at : u->others;
	} else if (at > u->at) {
		u->at = at;
	}
	b->exposure_s += seconds;
	b->last_uptime_s = uptime_s;
	b->last_at = at;
	b->heartbeat = true;
}

/* The boot's identity arrived: it counts its waiting heartbeats, in the order they came (their uptimes'). */
static void identify(struct sim_truth *t, struct sim_boot *b)
{
	if (b->identity)
		return;
	b->identity = true;
	for (uint32_t w = b->waiting; w != SIM_TRUTH_NONE; w = t->waits[w].next)
		count(t, b, t->waits[w].uptime_s, t->waits[w].received);
	b->waiting = b->waiting_last = SIM_TRUTH_NONE;
}

static void wait_for_identity(struct sim_truth *t, struct sim_boot *b, uint32_t uptime_s, int64_t received)
{
	uint32_t w = (uint32_t)t->nwaits;

	t->waits = grow(t->waits, t->nwaits, &t->cap_waits, sizeof(*t->waits));
	t->waits[t->nwaits++] = (struct sim_wait){uptime_s, SIM_TRUTH_NONE, received};
	if (b->waiting_last != SIM_TRUTH_NONE)
		t->waits[b->waiting_last].next = w;
	else
		b->waiting = w;
	b->waiting_last = w;
}

void sim_truth_delivered(struct sim_truth *t, const struct sim_msg *m, int64_t received)
{
	struct sim_boot *b = &t->boots[m->boot];

	/* A reboot event's or full heartbeat's identity is taken as it arrives; a coredump's by a worker, which is
	 * taken to be before the device's next step of messages (docs/HEALTH.md, The fleet simulator). */
	if (m->identity)
		identify(t, b);
	switch (m->type) {
	case SIM_MSG_HEARTBEAT:
		if (b->identity)
			count(t, b, m->uptime_s, received);
		else
			wait_for_identity(t, b, m->uptime_s, received);
		break;
	case SIM_MSG_COREDUMP:
		t->groups[b->group].coredumps++;
		break;
	case SIM_MSG_REBOOT:
		if (m->reason < UNEXPECTED_MIN)
			t->groups[b->group].expected_reboots++;
		else if (m->ended != SIM_NO_BOOT && t->boots[m->ended].identity)
			t->groups[t->boots[m->ended].group].unexpected_reboots++; /* against the boot that ended */
		else
			t->groups[b->group].unexpected_reboots++; /* that boot unknown: the event's own firmware */
		break;
	default:
		break;
	}
}

void sim_truth_heartbeat_answer(struct sim_truth *t, const char *outcome)
{
	if (strcmp(outcome, "counted") == 0)
		t->hb_counted++;
	else if (strcmp(outcome, "waiting") == 0)
		t->hb_waiting++;
	else
		t->hb_duplicate++;
}

void sim_truth_finish(struct sim_truth *t)
{
	/* a device counts once per version it ran: one bit per device and version */
	size_t words = ((size_t)t->ndevices + 63) / 64;
	uint64_t *seen = calloc(words * t->ngroups + 1, sizeof(*seen));

	if (seen == NULL) {
		fprintf(stderr, "fleetsim: out of memory\n");
		exit(1);
	}
	for (size_t g = 0; g < t->ngroups; g++)
		t->groups[g].devices = t->groups[g].exposure_s = 0;
	for (size_t i = 0; i < t->nboots; i++) {
		const struct sim_boot *b = &t->boots[i];
		uint64_t *word = &seen[b->group * words + b->device / 64], bit = (uint64_t)1 << (b->device % 64);

		if (!b->heartbeat)
			continue;
		t->groups[b->group].exposure_s += b->exposure_s;
		if ((*word & bit) == 0) {
			*word |= bit;
			t->groups[b->group].devices++;
		}
	}
	free(seen);
}
