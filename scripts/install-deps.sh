#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Install the Debian packages listed in scripts/deps.txt that are not installed yet.
# As root it runs apt-get (update first); otherwise it prints the exact command and fails.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
list="$here/deps.txt"

missing=""
for pkg in $(sed 's/#.*//' "$list"); do
	status=$(dpkg-query -W -f '${db:Status-Status}' "$pkg" 2>/dev/null || true)
	[ "$status" = installed ] || missing="$missing $pkg"
done
[ -z "$missing" ] && exit 0

cmd="apt-get install -y --no-install-recommends$missing"
if [ "$(id -u)" -ne 0 ]; then
	echo "faultline needs these Debian packages:$missing" >&2
	echo "run:  sudo apt-get update && sudo $cmd" >&2
	exit 1
fi
echo "installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# shellcheck disable=SC2086
$cmd
