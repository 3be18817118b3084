/* SPDX-License-Identifier: Apache-2.0 */
/* Ground truth (truth.h): the rules of docs/HEALTH.md applied to what got through. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "uplink.h"
#include "truth.h"

#define GAP_MAX_S (30u * 24u * 3600u) /* an interval counts at most this (the server's SRV_HEALTH_GAP_MAX) */
#define UNEXPECTED_MIN 0x8000u

int sim_truth_init(struct sim_truth *t, size_t ngroups)
{
	memset(t, 0, sizeof(*t));
	t->groups = calloc(ngroups, sizeof(*t->groups));
	t->ngroups = ngroups;
	return t->groups != NULL ? 0 : -1;
}

void sim_truth_free(struct sim_truth *t)
{
	free(t->boots);
	free(t->groups);
	memset(t, 0, sizeof(*t));
}

uint32_t sim_truth_boot(struct sim_truth *t, uint32_t device, uint16_t g)
{
	if (t->nboots == t->cap) {
		size_t cap = t->cap != 0 ? 2 * t->cap : 4096;
		struct sim_boot *b = realloc(t->boots, cap * sizeof(*b));

		if (b == NULL || cap >= SIM_NO_BOOT) {
			fprintf(stderr, "fleetsim: out of memory for %zu boots\n", cap);
			exit(1);
		}
		t->boots = b;
		t->cap = cap;
	}
	t->boots[t->nboots] = (struct sim_boot){.device = device, .group = g};
	t->groups[g].boots++;
	return (uint32_t)t->nboots++;
}

void sim_truth_delivered(struct sim_truth *t, const struct sim_msg *m)
{
	struct sim_boot *b = &t->boots[m->boot];

	if (m->identity)
		b->identity = true;
	switch (m->type) {
	case SIM_MSG_HEARTBEAT:
		/* Heartbeats of a boot get through in the order it made them: each one is a step from the one before
		 * (the server counts a heartbeat that waited for its identity in the same order). */
		if (!b->heartbeat || m->uptime_s > b->last_uptime_s) {
			uint32_t step = m->uptime_s - (b->heartbeat ? b->last_uptime_s : 0);

			b->exposure_s += step < GAP_MAX_S ? step : GAP_MAX_S;
			b->last_uptime_s = m->uptime_s;
			b->heartbeat = true;
		}
		break;
	case SIM_MSG_COREDUMP:
		t->groups[b->group].coredumps++;
		break;
	case SIM_MSG_REBOOT:
		if (m->reason < UNEXPECTED_MIN) {
			t->groups[b->group].expected_reboots++;
			break;
		}
		/* Against the boot that ended, when the server knows that boot's firmware; else the event's own. */
		if (m->ended != SIM_NO_BOOT && t->boots[m->ended].identity)
			t->groups[t->boots[m->ended].group].unexpected_reboots++;
		else
			t->groups[b->group].unexpected_reboots++;
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

void sim_truth_finish(struct sim_truth *t, uint32_t ndevices)
{
	/* a device counts once per version it ran: one bit per device and version */
	size_t words = ((size_t)ndevices + 63) / 64;
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

		if (!b->identity || !b->heartbeat)
			continue;
		t->groups[b->group].exposure_s += b->exposure_s;
		if ((*word & bit) == 0) {
			*word |= bit;
			t->groups[b->group].devices++;
		}
	}
	free(seen);
	t->finished = true;
}
