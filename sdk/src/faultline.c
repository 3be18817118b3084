/* SPDX-License-Identifier: Apache-2.0 */
/* fl_init(): bring every module up for this boot; and which messages the chunker sends first. */
#include <stddef.h>

#include "chunk_private.h"
#include "coredump_private.h"
#include "event_private.h"
#include "faultline/faultline.h"
#include "faultline/port.h"
#include "message_private.h"
#include "metrics_private.h"
#include "reboot_private.h"
#include "storage_private.h"

/* The saved coredump first (it is the most valuable, and its storage must be free before the next crash), then
 * the queued events, oldest first. */
const struct fl_chunk_source *const fl_chunk_sources[] = {&fl_storage_source, &fl_event_source, NULL};

int fl_init(const struct fl_init_params *params, struct fl_boot_info *out)
{
	struct fl_boot_info info = {0};
	uint32_t boot_id;
	int storage, rc = 0;
	bool coredump;

	if (params == NULL || params->event_buf == NULL || params->event_buf_size < FL_EVENT_BUF_MIN)
		return FL_ERR_INVALID_ARG;
	boot_id = fl_port_boot_id();
	fl_message_boot(boot_id);
	fl_event_init(params->event_buf, params->event_buf_size);
	fl_chunk_boot(boot_id);
	fl_coredump_boot();
	storage = fl_storage_boot();
	if (storage < 0) {
		rc = storage;
		storage = FL_STORAGE_FAILED;
	}
	fl_reboot_boot(boot_id, &info.reason, &info.reset_cause, &coredump);
	/* Last: the heartbeat's counts restart here (the reboot event was just queued into an empty ring: nothing
	 * was dropped to count). */
	fl_metrics_boot(!fl_reason_is_expected(info.reason), coredump);
	info.storage = storage;
	if (out != NULL)
		*out = info;
	return rc;
}
