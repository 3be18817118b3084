/* SPDX-License-Identifier: Apache-2.0 */
/* What the demo firmware's modules share: its version, the stack guard's size, its own fatal error codes. */
#ifndef APP_H
#define APP_H

#ifndef APP_VERSION
#define APP_VERSION "1.0.0"
#endif

#define APP_STACK_GUARD 256u /* bytes of MPU no-access guard at the bottom of the main stack */

/* Codes for FL_FATAL_ERROR(): the application's own failures, carried in the coredump. */
#define APP_ERR_UNEXPECTED_IRQ 0x1001u
#define APP_ERR_WATCHDOG 0x1002u /* the main loop stopped checking in */

/* The device's serial, from the command line (fl_port_mps2.c); the string must live as long as the program. */
void app_set_serial(const char *serial);

#endif
