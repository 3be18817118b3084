/* SPDX-License-Identifier: Apache-2.0 */
/* faultline release sign | verify and faultline keys generate | public: MCUboot-format release images signed with
 * ED25519, offline (docs/OTA.md); release upload and keys add | list | remove go to the server (remote.c). sign takes imgtool's options by imgtool's names and writes the bytes imgtool
 * writes; verify says what is wrong with an image that fails. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "fo/image.h"
#include "fo/key.h"

#define IMAGE_MAX (64u * 1024u * 1024u) /* larger than any Cortex-M slot */
#define KEY_FILE_MAX 16384
#define VERIFY_KEYS 16

static const char k_release_usage[] =
	"usage: faultline release sign --key KEY.pem --version V -H HEADER_SIZE -S SLOT_SIZE INPUT -o OUTPUT\n"
	"                              [--security-counter N|auto] [--pad-header] [--align 1|2|4|8|16|32]\n"
	"                              [--max-align 8|16|32] [--max-sectors N] [--pad] [--confirm]\n"
	"                              [-L|--load-addr ADDR] [-R|--erased-val 0|0xff]\n"
	"       faultline release verify --key PUBLIC.pem [--key ...] IMAGE\n"
	"       faultline release upload SIGNED.bin [--elf FIRMWARE.elf]   (to the server: --server, --token)\n"
	"  sign writes the MCUboot image imgtool sign writes for the same options (ED25519, SHA-256, key hash);\n"
	"  numbers are decimal or 0x hex. verify checks the hash and the signature and says what is wrong.\n";

static const char k_keys_usage[] = "usage: faultline keys generate -o KEY.pem [--public PUBLIC.pem]\n"
				   "       faultline keys public KEY.pem\n"
				   "       faultline keys add PUBLIC.pem [--name NAME] | keys list | keys remove ID\n"
				   "         (the server's signing keys: --server URL, --token TOKEN)\n"
				   "  generate writes an ED25519 key pair in PEM as imgtool reads it (the private key\n"
				   "  readable by its owner only; the public one beside it: KEY.pub.pem unless given).\n"
				   "  public prints a key file's public key in PEM.\n";

/* A number as imgtool takes one: decimal, or 0x / 0o / 0b with their digits. */
static bool parse_number(const char *text, uint32_t *out)
{
	int base = 10;
	unsigned long long v = 0;
	const char *p = text;

	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X' || p[1] == 'o' || p[1] == 'O' || p[1] == 'b' || p[1] == 'B')) {
		base = p[1] == 'x' || p[1] == 'X' ? 16 : p[1] == 'o' || p[1] == 'O' ? 8 : 2;
		p += 2;
	}
	if (*p == '\0')
		return false;
	for (; *p != '\0'; p++) {
		int d = *p >= '0' && *p <= '9' ? *p - '0' : *p >= 'a' && *p <= 'f' ? *p - 'a' + 10
			: *p >= 'A' && *p <= 'F' ? *p - 'A' + 10 : 99;

		if (d >= base || (v = v * (unsigned)base + (unsigned)d) > UINT32_MAX)
			return false;
	}
	*out = (uint32_t)v;
	return true;
}

/* Read a key file: 0, or 1 with the reason printed. */
static int read_key(const char *cmd, const char *path, struct fo_key *out)
{
	size_t len;
	char why[256];
	uint8_t *text = cli_read_file(cmd, path, KEY_FILE_MAX, &len);
	int rc;

	if (text == NULL)
		return 1;
	rc = fo_key_read(out, (const char *)text, len, why, sizeof(why));
	memset(text, 0, len);
	free(text);
	if (rc != 0) {
		fprintf(stderr, "faultline %s: %s: %s\n", cmd, path, why);
		return 1;
	}
	return 0;
}

static void print_hex(const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		printf("%02x", b[i]);
}

static int sign(int argc, char **argv)
{
	struct fo_sign_options o = {.erased = 0xff};
	const char *key_path = NULL, *version = NULL, *counter = NULL, *input = NULL, *output = NULL;
	bool have_header = false, have_slot = false;
	struct fo_key key;
	uint8_t *bin = NULL, *img = NULL;
	size_t len, img_len;
	char why[512], text[FO_VERSION_TEXT];
	int rc = 2;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		uint32_t *number = NULL;

		if (strcmp(a, "--pad-header") == 0) {
			o.pad_header = true;
			continue;
		}
		if (strcmp(a, "--pad") == 0 || strcmp(a, "--confirm") == 0) {
			o.pad = true;
			o.confirm = o.confirm || strcmp(a, "--confirm") == 0;
			continue;
		}
		if (a[0] != '-') {
			if (input != NULL)
				goto usage;
			input = a;
			continue;
		}
		if (v == NULL)
			goto usage;
		i++;
		if (strcmp(a, "--key") == 0 || strcmp(a, "-k") == 0)
			key_path = v;
		else if (strcmp(a, "--version") == 0 || strcmp(a, "-v") == 0)
			version = v;
		else if (strcmp(a, "--security-counter") == 0 || strcmp(a, "-s") == 0)
			counter = v;
		else if (strcmp(a, "-o") == 0)
			output = v;
		else if (strcmp(a, "--header-size") == 0 || strcmp(a, "-H") == 0)
			number = &o.header_size, have_header = true;
		else if (strcmp(a, "--slot-size") == 0 || strcmp(a, "-S") == 0)
			number = &o.slot_size, have_slot = true;
		else if (strcmp(a, "--align") == 0)
			number = &o.align;
		else if (strcmp(a, "--max-align") == 0)
			number = &o.max_align;
		else if (strcmp(a, "--max-sectors") == 0 || strcmp(a, "-M") == 0)
			number = &o.max_sectors;
		else if (strcmp(a, "--load-addr") == 0 || strcmp(a, "-L") == 0)
			number = &o.load_addr;
		else if (strcmp(a, "--erased-val") == 0 || strcmp(a, "-R") == 0) {
			if (strcmp(v, "0") != 0 && strcmp(v, "0xff") != 0) {
				fprintf(stderr, "faultline release sign: --erased-val is 0 or 0xff, not %s\n", v);
				return 2;
			}
			o.erased = strcmp(v, "0") == 0 ? 0 : 0xff;
		} else
			goto usage;
		if (number != NULL && !parse_number(v, number)) {
			fprintf(stderr, "faultline release sign: %s %s: not a number (decimal, or 0x hex)\n", a, v);
			return 2;
		}
	}
	if (key_path == NULL || version == NULL || input == NULL || output == NULL || !have_header || !have_slot)
		goto usage;
	if (fo_version_parse(&o.version, version, why, sizeof(why)) != 0) {
		fprintf(stderr, "faultline release sign: --version: %s\n", why);
		return 2;
	}
	if (counter != NULL) {
		o.has_security_counter = true;
		if (strcmp(counter, "auto") == 0)
			o.security_counter = fo_security_counter_auto(&o.version);
		else if (!parse_number(counter, &o.security_counter)) {
			fprintf(stderr, "faultline release sign: --security-counter %s: a number up to 4294967295, or auto\n",
				counter);
			return 2;
		}
	}
	if (read_key("release sign", key_path, &key) != 0)
		return 1;
	rc = 1;
	if (!key.has_private) {
		fprintf(stderr, "faultline release sign: %s is a public key: signing takes the private key\n", key_path);
		goto done;
	}
	if ((bin = cli_read_file("release sign", input, IMAGE_MAX, &len)) == NULL)
		goto done;
	if (fo_image_sign(&img, &img_len, &o, &key, bin, len, why, sizeof(why)) != 0) {
		fprintf(stderr, "faultline release sign: %s: %s\n", input, why);
		goto done;
	}
	if (cli_write_file("release sign", output, img, img_len, 0644, false) != 0)
		goto done;
	fo_version_text(text, &o.version);
	printf("%s: version %s, %zu bytes of firmware, %zu bytes signed%s\n", output, text, len, img_len,
	       o.confirm ? " (padded to the slot, confirmed)" : o.pad ? " (padded to the slot)" : "");
	rc = 0;
done:
	fo_key_wipe(&key);
	free(bin);
	free(img);
	return rc;
usage:
	fputs(k_release_usage, stderr);
	return 2;
}

static int verify(int argc, char **argv)
{
	const char *paths[VERIFY_KEYS], *image = NULL;
	uint8_t keys[VERIFY_KEYS][32], *bytes;
	size_t nkeys = 0, len, which = 0;
	struct fo_image img;
	char why[512], text[FO_VERSION_TEXT];
	int rc;

	for (int i = 1; i < argc; i++) {
		if ((strcmp(argv[i], "--key") == 0 || strcmp(argv[i], "-k") == 0) && i + 1 < argc) {
			struct fo_key key;

			if (nkeys == VERIFY_KEYS) {
				fprintf(stderr, "faultline release verify: at most %d keys\n", VERIFY_KEYS);
				return 2;
			}
			if (read_key("release verify", argv[++i], &key) != 0)
				return 1;
			paths[nkeys] = argv[i];
			memcpy(keys[nkeys++], key.pk, 32);
			fo_key_wipe(&key);
		} else if (argv[i][0] != '-' && image == NULL) {
			image = argv[i];
		} else {
			fputs(k_release_usage, stderr);
			return 2;
		}
	}
	if (image == NULL || nkeys == 0) {
		fputs(k_release_usage, stderr);
		return 2;
	}
	if ((bytes = cli_read_file("release verify", image, IMAGE_MAX, &len)) == NULL)
		return 1;
	if ((rc = fo_image_parse(&img, bytes, len, why, sizeof(why))) == 0)
		rc = fo_image_check(&which, &img, bytes, (const uint8_t(*)[32])keys, nkeys, why, sizeof(why));
	if (rc != 0) {
		printf("%s: bad: %s\n", image, why);
		free(bytes);
		return 1;
	}
	fo_version_text(text, &img.version);
	printf("%s: good\n  version           %s\n", image, text);
	if (img.has_security_counter)
		printf("  security counter  %lu\n", (unsigned long)img.security_counter);
	else
		printf("  security counter  none\n");
	printf("  image             %lu bytes after a 0x%x-byte header area", (unsigned long)img.img_size, img.hdr_size);
	if (img.flags & FO_IMAGE_F_RAM_LOAD)
		printf(", loaded at 0x%08lx", (unsigned long)img.load_addr);
	printf("\n  SHA-256           ");
	print_hex(img.sha256, 32);
	printf("\n  signed by         %s (key hash ", paths[which]);
	{
		uint8_t hash[32];

		fo_key_hash(hash, keys[which]);
		print_hex(hash, 32);
	}
	printf(")\n");
	if (len > img.tlv_end)
		printf("  after it          %zu bytes of padding and trailer (a slot of 0x%zx bytes)\n", len - img.tlv_end,
		       len);
	free(bytes);
	return 0;
}

int cli_release(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "sign") == 0)
		return sign(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "verify") == 0)
		return verify(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "upload") == 0)
		return cli_remote(argc, argv);
	fputs(k_release_usage, argc >= 2 && strcmp(argv[1], "--help") == 0 ? stdout : stderr);
	return argc >= 2 && strcmp(argv[1], "--help") == 0 ? 0 : 2;
}

static int generate(int argc, char **argv)
{
	const char *out = NULL, *pub = NULL;
	char pub_path[4096], *pem = NULL;
	uint8_t hash[32];
	struct fo_key key;
	int rc = 1;

	for (int i = 1; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "-o") == 0)
			out = argv[i + 1];
		else if (strcmp(argv[i], "--public") == 0)
			pub = argv[i + 1];
		else
			out = NULL, i = argc;
	}
	if (out == NULL || argc % 2 == 0) {
		fputs(k_keys_usage, stderr);
		return 2;
	}
	if (pub == NULL) {
		size_t n = strlen(out);

		if (n > 4 && strcmp(out + n - 4, ".pem") == 0)
			n -= 4;
		if (snprintf(pub_path, sizeof(pub_path), "%.*s.pub.pem", (int)n, out) >= (int)sizeof(pub_path)) {
			fprintf(stderr, "faultline keys generate: %s: the path is too long\n", out);
			return 2;
		}
		pub = pub_path;
	}
	if (fo_key_generate(&key) != 0) {
		fprintf(stderr, "faultline keys generate: libsodium did not start\n");
		return 1;
	}
	if ((pem = fo_key_pem(&key, true)) == NULL ||
	    cli_write_file("keys generate", out, pem, strlen(pem), 0600, true) != 0)
		goto done;
	fo_key_pem_free(pem);
	if ((pem = fo_key_pem(&key, false)) == NULL || cli_write_file("keys generate", pub, pem, strlen(pem), 0644, true) != 0) {
		unlink(out); /* not half a pair */
		goto done;
	}
	fo_key_hash(hash, key.pk);
	printf("wrote the private key to %s (keep it secret: it signs releases) and the public key to %s\nkey hash ", out,
	       pub);
	print_hex(hash, 32);
	printf("\n");
	rc = 0;
done:
	fo_key_pem_free(pem);
	fo_key_wipe(&key);
	return rc;
}

int cli_keys(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "generate") == 0)
		return generate(argc - 1, argv + 1);
	if (argc == 3 && strcmp(argv[1], "public") == 0) {
		struct fo_key key;
		char *pem;

		if (read_key("keys public", argv[2], &key) != 0)
			return 1;
		pem = fo_key_pem(&key, false);
		fo_key_wipe(&key);
		if (pem == NULL)
			return 1;
		fputs(pem, stdout);
		free(pem);
		return 0;
	}
	if (argc >= 2 && (strcmp(argv[1], "add") == 0 || strcmp(argv[1], "list") == 0 || strcmp(argv[1], "remove") == 0))
		return cli_remote(argc, argv);
	fputs(k_keys_usage, argc >= 2 && strcmp(argv[1], "--help") == 0 ? stdout : stderr);
	return argc >= 2 && strcmp(argv[1], "--help") == 0 ? 0 : 2;
}
