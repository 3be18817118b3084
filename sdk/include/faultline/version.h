/* SPDX-License-Identifier: Apache-2.0 */
/* faultline's version: the one place it is written. The SDK, the host tools and CMake all read it from here. */
#ifndef FAULTLINE_VERSION_H
#define FAULTLINE_VERSION_H

#define FL_VERSION_MAJOR 0
#define FL_VERSION_MINOR 1
#define FL_VERSION_PATCH 0

#define FL_VERSION_STR_(x) #x
#define FL_VERSION_STR(x) FL_VERSION_STR_(x)
/* "MAJOR.MINOR.PATCH", e.g. "0.1.0". */
#define FL_VERSION_STRING                                                                          \
	FL_VERSION_STR(FL_VERSION_MAJOR) "." FL_VERSION_STR(FL_VERSION_MINOR) "." FL_VERSION_STR(FL_VERSION_PATCH)

#endif
