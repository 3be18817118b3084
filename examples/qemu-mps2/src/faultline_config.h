/* SPDX-License-Identifier: Apache-2.0 */
/* This firmware's faultline settings (the SDK includes it first: -DFL_CONFIG_HEADER="faultline_config.h"). */
#ifndef FAULTLINE_CONFIG_APP_H
#define FAULTLINE_CONFIG_APP_H

#define FL_COREDUMP_STACK_MAX 1024 /* bytes of the interrupted stack kept in a dump: enough for the backtrace */
#define FL_PORT_HAS_REGIONS 1      /* fl_port_coredump_regions(): the command line and the sample ring */

#endif
