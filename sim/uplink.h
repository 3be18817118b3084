/* SPDX-License-Identifier: Apache-2.0 */
/* The lossy link of a step: every chunk the SDK of a device hands over is lost with a probability, or put into
 * that device's batch (docs/FORMAT.md §5), with what the simulator knows of it: which message, whether the
 * message got through whole. After the batches are sent, the server's results are checked against that. */
#ifndef SIM_UPLINK_H
#define SIM_UPLINK_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct sim_truth;

#define SIM_NO_BOOT UINT32_MAX /* a reboot event's ended boot when the device's first boot started */

/* Message types (docs/FORMAT.md §7). */
enum { SIM_MSG_COREDUMP = 1, SIM_MSG_REBOOT = 2, SIM_MSG_HEARTBEAT = 3 };

/* A message the SDK queued, as the simulator knows it. */
struct sim_msg {
	uint32_t device;
	uint32_t boot;      /* the truth record (truth.h) of the boot that created it (a coredump: the boot that crashed) */
	uint32_t ended;     /* a reboot event: the record of the boot that ended, SIM_NO_BOOT for the first boot */
	uint32_t uptime_s;  /* a heartbeat: its built-in uptime_s */
	uint16_t reason;    /* a reboot event: its reason */
	uint8_t type;       /* SIM_MSG_* */
	uint8_t identity;   /* it carries the firmware identity (all but a compact heartbeat): set from its bytes */
	uint16_t chunks;    /* how many chunks it was cut into, and how many of them were lost */
	uint16_t lost;
};

/* A chunk that was sent: its message, and whether it is that message's last chunk. */
struct sim_sent {
	uint32_t msg;
	uint32_t last;
};

/* One device's chunks of the step: one request. */
struct sim_batch {
	const char *serial;
	size_t at, len;      /* its records in sim_link.bytes */
	size_t sent0, nsent; /* its chunks in sim_link.sent */
};

struct sim_link {
	double loss;          /* probability that a chunk is lost */
	uint32_t mtu;         /* chunk size the devices use, bytes */
	int64_t received;     /* the server's clock while the step's batches arrive, Unix seconds */
	uint8_t *bytes;       /* the step's batches, back to back */
	size_t len, cap;
	struct sim_batch *batches;
	size_t nbatches, cap_batches;
	struct sim_msg *msgs; /* the step's messages, in the order the devices sent them */
	size_t nmsgs, cap_msgs, started;
	struct sim_sent *sent;
	size_t nsent, cap_sent;
	/* since the start */
	uint64_t chunks, chunks_lost, chunk_bytes, messages, messages_lost, requests;
	uint64_t disagreements; /* results that are not what the simulator knows got through */
};

/* A link that loses each chunk with probability loss and carries chunks of mtu bytes. */
void sim_link_init(struct sim_link *l, double loss, uint32_t mtu);
void sim_link_free(struct sim_link *l);

/* Start a step whose batches the server receives at its second `received`: no batches, no messages. */
void sim_link_step(struct sim_link *l, int64_t received);

/* The device that sends from now on (its serial lives as long as the run). */
void sim_link_device(struct sim_link *l, const char *serial);

/* The SDK has queued message m (copied); its chunks will follow in the order messages were announced. */
void sim_link_expect(struct sim_link *l, const struct sim_msg *m);

/*
 * Take every chunk the SDK has (fl_chunk_next() until it has none), each lost with the link's probability drawn
 * from rng, the others put into the device's batch. Every announced message must have been sent whole, and nothing
 * else: otherwise the program exits with a message. Returns the bytes taken (lost ones included).
 */
size_t sim_link_pump(struct sim_link *l, uint64_t *rng);

/*
 * The server's results for batch b (the JSON array "results"): each message that got through whole must have
 * been answered "complete" at its last chunk ("duplicate" when again), and no other; those messages go to truth.
 * A disagreement is counted (and the first ones printed). Returns 0, or -1 when results is not one result per
 * chunk sent.
 */
int sim_link_results(struct sim_link *l, size_t b, const json_t *results, struct sim_truth *truth);

/* Without a server: every message that got through whole goes to truth. */
void sim_link_deliver_all(struct sim_link *l, struct sim_truth *truth);

#endif
