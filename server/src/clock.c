/* SPDX-License-Identifier: Apache-2.0 */
/* The server's clock (clock.h). */
#include <stdatomic.h>
#include <time.h>

#include "clock.h"

static atomic_bool s_test;
static _Atomic int64_t s_now;

int64_t srv_now(void)
{
	return atomic_load(&s_test) ? atomic_load(&s_now) : (int64_t)time(NULL);
}

void srv_clock_test(void)
{
	atomic_store(&s_now, (int64_t)time(NULL));
	atomic_store(&s_test, true);
}

bool srv_clock_is_test(void)
{
	return atomic_load(&s_test);
}

int srv_clock_set(int64_t t)
{
	int64_t was = atomic_load(&s_now);

	if (!atomic_load(&s_test))
		return -1;
	while (t >= was)
		if (atomic_compare_exchange_weak(&s_now, &was, t))
			return 0;
	return -1;
}
