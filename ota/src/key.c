/* SPDX-License-Identifier: Apache-2.0 */
/* ED25519 keys in PEM (fo/key.h). The DER of each form is fixed for ED25519 (RFC 8410): a key in another form is
 * refused by name rather than parsed by a general ASN.1 reader. */
#define _GNU_SOURCE /* memmem */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fo/key.h"

/* RFC 8410: SubjectPublicKeyInfo { AlgorithmIdentifier { id-Ed25519 }, BIT STRING { key } } */
static const uint8_t k_spki_prefix[12] = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};
/* RFC 8410: OneAsymmetricKey { version 0, AlgorithmIdentifier { id-Ed25519 }, OCTET STRING { OCTET STRING seed } } */
static const uint8_t k_pkcs8_prefix[16] = {0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06,
					   0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20};
/* the algorithm's OID, to tell "another algorithm" from "not a key" */
static const uint8_t k_ed25519_oid[5] = {0x06, 0x03, 0x2b, 0x65, 0x70};

#define DER_MAX 128 /* larger than any ED25519 key file's DER; a bigger one is some other key */

int fo_key_generate(struct fo_key *out)
{
	memset(out, 0, sizeof(*out));
	if (sodium_init() < 0)
		return -1;
	crypto_sign_keypair(out->pk, out->sk);
	out->has_private = true;
	return 0;
}

void fo_key_spki(uint8_t out[FO_KEY_SPKI_LEN], const uint8_t pk[32])
{
	memcpy(out, k_spki_prefix, sizeof(k_spki_prefix));
	memcpy(out + sizeof(k_spki_prefix), pk, 32);
}

void fo_key_hash(uint8_t out[32], const uint8_t pk[32])
{
	uint8_t spki[FO_KEY_SPKI_LEN];

	fo_key_spki(spki, pk);
	crypto_hash_sha256(out, spki, sizeof(spki));
}

void fo_key_wipe(struct fo_key *key)
{
	sodium_memzero(key->sk, sizeof(key->sk));
	key->has_private = false;
}

static bool has_bytes(const uint8_t *der, size_t len, const uint8_t *what, size_t n)
{
	for (size_t i = 0; i + n <= len; i++)
		if (memcmp(der + i, what, n) == 0)
			return true;
	return false;
}

/* The base64 between "-----BEGIN label-----" and "-----END label-----" decoded. Returns its length, or -1. */
static int pem_body(uint8_t *der, const char *text, size_t len, const char *label, char *why, size_t cap)
{
	char begin[48], end[48];
	const char *b, *e, *body;
	size_t n;

	snprintf(begin, sizeof(begin), "-----BEGIN %s-----", label);
	snprintf(end, sizeof(end), "-----END %s-----", label);
	if ((b = memmem(text, len, begin, strlen(begin))) == NULL)
		return -1;
	body = b + strlen(begin);
	if ((e = memmem(body, len - (size_t)(body - text), end, strlen(end))) == NULL) {
		snprintf(why, cap, "the PEM block \"%s\" has no \"%s\" line", begin, end);
		return -2;
	}
	if (sodium_base642bin(der, DER_MAX, body, (size_t)(e - body), " \t\r\n", &n, NULL,
			      sodium_base64_VARIANT_ORIGINAL) != 0) {
		snprintf(why, cap, "the PEM block \"%s\" is not base64, or holds more than %d bytes: not an ED25519 key",
			 label, DER_MAX);
		return -2;
	}
	return (int)n;
}

int fo_key_read(struct fo_key *out, const char *text, size_t len, char *why, size_t cap)
{
	uint8_t der[DER_MAX];
	int n, rc = -1;

	memset(out, 0, sizeof(*out));
	if (sodium_init() < 0) {
		snprintf(why, cap, "libsodium did not start");
		return -1;
	}
	if (memmem(text, len, "-----BEGIN ENCRYPTED PRIVATE KEY-----", 37) != NULL) {
		snprintf(why, cap, "the private key is encrypted with a password: faultline reads unencrypted keys "
				   "(imgtool keygen without --password)");
		return -1;
	}
	if ((n = pem_body(der, text, len, "PRIVATE KEY", why, cap)) >= 0) {
		if ((size_t)n != sizeof(k_pkcs8_prefix) + 32 || memcmp(der, k_pkcs8_prefix, sizeof(k_pkcs8_prefix)) != 0) {
			snprintf(why, cap, "%s", has_bytes(der, (size_t)n, k_ed25519_oid, sizeof(k_ed25519_oid))
							 ? "the ED25519 private key is not in the PKCS#8 form imgtool writes"
							 : "the private key is not an ED25519 key (imgtool keygen -t ed25519)");
			goto done;
		}
		crypto_sign_seed_keypair(out->pk, out->sk, der + sizeof(k_pkcs8_prefix));
		out->has_private = true;
		rc = 0;
	} else if (n == -1 && (n = pem_body(der, text, len, "PUBLIC KEY", why, cap)) >= 0) {
		if ((size_t)n != FO_KEY_SPKI_LEN || memcmp(der, k_spki_prefix, sizeof(k_spki_prefix)) != 0) {
			snprintf(why, cap, "%s", has_bytes(der, (size_t)n, k_ed25519_oid, sizeof(k_ed25519_oid))
							 ? "the ED25519 public key is not in the SubjectPublicKeyInfo form"
							 : "the public key is not an ED25519 key");
			goto done;
		}
		memcpy(out->pk, der + sizeof(k_spki_prefix), 32);
		rc = 0;
	} else if (n == -1) {
		const char *other = memmem(text, len, "-----BEGIN ", 11);
		int label = 0;

		while (other != NULL && label < 40 && (size_t)(other - text) + 11 + (size_t)label < len &&
		       other[11 + label] >= ' ' && other[11 + label] != '-' && other[11 + label] <= '~')
			label++;
		if (other != NULL)
			snprintf(why, cap, "a PEM \"%.*s\" block, not an ED25519 key (PRIVATE KEY or PUBLIC KEY)", label,
				 other + 11);
		else
			snprintf(why, cap, "not a PEM key: no \"-----BEGIN PRIVATE KEY-----\" or \"-----BEGIN PUBLIC "
					   "KEY-----\" line");
	}
done:
	sodium_memzero(der, sizeof(der));
	return rc;
}

/* label's PEM block of der, lines of 64 characters, as OpenSSL and Python's cryptography write it. */
static char *pem_text(const char *label, const uint8_t *der, size_t len)
{
	size_t b64 = sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_ORIGINAL), cap = b64 + b64 / 64 + 96, n;
	char *text = malloc(cap), *flat = malloc(b64);

	if (text == NULL || flat == NULL) {
		free(text);
		free(flat);
		return NULL;
	}
	sodium_bin2base64(flat, b64, der, len, sodium_base64_VARIANT_ORIGINAL);
	n = (size_t)snprintf(text, cap, "-----BEGIN %s-----\n", label);
	for (size_t at = 0, left = strlen(flat); left > 0;) {
		size_t line = left < 64 ? left : 64;

		memcpy(text + n, flat + at, line);
		n += line;
		text[n++] = '\n';
		at += line;
		left -= line;
	}
	snprintf(text + n, cap - n, "-----END %s-----\n", label);
	sodium_memzero(flat, b64);
	free(flat);
	return text;
}

char *fo_key_pem(const struct fo_key *key, bool private_key)
{
	uint8_t der[sizeof(k_pkcs8_prefix) + 32];
	char *text;

	if (!private_key || !key->has_private) {
		fo_key_spki(der, key->pk);
		return pem_text("PUBLIC KEY", der, FO_KEY_SPKI_LEN);
	}
	memcpy(der, k_pkcs8_prefix, sizeof(k_pkcs8_prefix));
	memcpy(der + sizeof(k_pkcs8_prefix), key->sk, 32); /* libsodium's secret key begins with the seed */
	text = pem_text("PRIVATE KEY", der, sizeof(der));
	sodium_memzero(der, sizeof(der));
	return text;
}

void fo_key_pem_free(char *pem)
{
	if (pem == NULL)
		return;
	sodium_memzero(pem, strlen(pem));
	free(pem);
}
