#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Made this folder's MCUboot vectors once, with a copy of MCUboot's imgtool (not a Debian package; see README.md).
# Usage: make-vectors.sh IMGTOOL FAULTLINE   (IMGTOOL: a command that runs imgtool; FAULTLINE: the faultline CLI)
# Keys and inputs are made only when missing: running it again signs the same inputs again (ED25519 signatures are
# deterministic, so the vectors come out the same).
set -eu
imgtool=$1
faultline=$2
cd "$(dirname "$0")"
[ -f test-key.pem ] || $imgtool keygen -k test-key.pem -t ed25519
[ -f other-key.pem ] || $imgtool keygen -k other-key.pem -t ed25519
# a key of another algorithm, which faultline refuses by name
[ -f ecdsa-p256-key.pem ] || $imgtool keygen -k ecdsa-p256-key.pem -t ecdsa-p256
$imgtool getpub -k test-key.pem --encoding pem > test-key.pub.pem
$imgtool getpub -k other-key.pem --encoding pem > other-key.pub.pem
# a key faultline generated, read by imgtool: its public key as imgtool prints it, and a vector it signed
[ -f faultline-key.pem ] || $faultline keys generate -o faultline-key.pem
$imgtool getpub -k faultline-key.pem --encoding pem > faultline-key.imgtool-pub.pem
[ -f fw-1000.bin ] || head -c 1000 /dev/urandom > fw-1000.bin
[ -f fw-20000.bin ] || head -c 20000 /dev/urandom > fw-20000.bin
[ -f fw-zero-header.bin ] || { head -c 256 /dev/zero; head -c 1000 /dev/urandom; } > fw-zero-header.bin
grep -v '^#' vectors.txt | while read -r name input key options; do
	# shellcheck disable=SC2086 # the options are words
	$imgtool sign --key "$key" $options "$input" "$name.signed.bin" > /dev/null
	$imgtool verify -k "$key" "$name.signed.bin" > /dev/null
	echo "$name: $(wc -c < "$name.signed.bin") bytes"
done
