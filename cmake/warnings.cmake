# SPDX-License-Identifier: Apache-2.0
# The warning set every faultline target builds with, host and firmware alike.
set(FL_WARNINGS
  -Wall -Wextra -Werror
  -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wpointer-arith
  -Wformat=2 -Wundef -Wvla)
