/* SPDX-License-Identifier: Apache-2.0 */
/* FL_ASSERT and fatal errors: note what is coming, then have the port capture the calling context. */
#include "coredump_private.h"
#include "faultline/assert.h"
#include "faultline/port.h"
#include "faultline/reboot.h"

void fl_assert_failed(void *caller_lr)
{
	fl_coredump_set_pending(FL_REASON_ASSERT, 0, (uintptr_t)FL_RETURN_ADDRESS(), (uintptr_t)caller_lr);
	fl_port_capture_now();
}

void fl_fatal_error_at(uint32_t code, void *caller_lr)
{
	fl_coredump_set_pending(FL_REASON_FATAL_ERROR, code, (uintptr_t)FL_RETURN_ADDRESS(),
				(uintptr_t)caller_lr);
	fl_port_capture_now();
}
