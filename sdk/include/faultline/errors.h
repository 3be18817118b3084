/* SPDX-License-Identifier: Apache-2.0 */
/* Return codes of the SDK: 0 is success, these are negative. */
#ifndef FAULTLINE_ERRORS_H
#define FAULTLINE_ERRORS_H

#define FL_OK 0
#define FL_ERR_INVALID_ARG (-1) /* an argument is outside what the function documents */
#define FL_ERR_NO_DATA (-2)     /* nothing to send / nothing saved */
#define FL_ERR_NO_SPACE (-3)    /* a buffer, queue or table is full */
#define FL_ERR_IO (-4)          /* the storage port returned an error */
#define FL_ERR_STATE (-5)       /* fl_init() has not run, storage is unusable, or the feature is off */
#define FL_ERR_MISMATCH (-6)    /* bytes are not what they must be: an image whose SHA-256 is not its own */

#endif
