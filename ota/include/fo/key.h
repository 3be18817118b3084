/* SPDX-License-Identifier: Apache-2.0 */
/* ED25519 signing keys in the PEM files imgtool reads and writes (docs/OTA.md, Keys): a private key as PKCS#8
 * ("BEGIN PRIVATE KEY", unencrypted, as `imgtool keygen -t ed25519` writes it), a public key as SubjectPublicKeyInfo
 * ("BEGIN PUBLIC KEY", as `imgtool getpub --encoding pem`). libsodium does the cryptography. */
#ifndef FO_KEY_H
#define FO_KEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define FO_KEY_SPKI_LEN 44 /* an ED25519 SubjectPublicKeyInfo: 12 bytes of DER, then the 32-byte key */

/* A key: the public half always; the private one (libsodium's 64-byte form: seed, then public key) when
 * has_private. Wipe one that has it with fo_key_wipe. */
struct fo_key {
	uint8_t pk[32];
	uint8_t sk[64];
	bool has_private;
};

/*
 * A new key pair from libsodium's random source. out: (out) the key, has_private set. Returns 0, or -1 when
 * libsodium cannot start.
 */
int fo_key_generate(struct fo_key *out);

/*
 * Read a PEM key file's text: a private key (out->has_private) or a public one. out: (out) the key. text, len: the
 * file's bytes (hostile: any). why: (out) what is wrong, cap bytes. Returns 0, or -1 (not PEM, an encrypted key, a
 * key that is not ED25519, DER that is not the exact form).
 */
int fo_key_read(struct fo_key *out, const char *text, size_t len, char *why, size_t cap);

/*
 * The key's PEM text: its private key (PKCS#8) when private and key has one, else its public key. Returns it,
 * NUL-terminated, malloc'd: the caller frees it (wiping a private one: fo_key_pem_free). NULL on no memory.
 */
char *fo_key_pem(const struct fo_key *key, bool private_key);

/* Free what fo_key_pem returned, zeroing it first (NULL: nothing). */
void fo_key_pem_free(char *pem);

/* out: (out) the public key's SubjectPublicKeyInfo DER (what imgtool hashes and getpub prints). */
void fo_key_spki(uint8_t out[FO_KEY_SPKI_LEN], const uint8_t pk[32]);

/* out: (out) SHA-256 of the public key's SubjectPublicKeyInfo: the KEYHASH TLV of the images it signs. */
void fo_key_hash(uint8_t out[32], const uint8_t pk[32]);

/* Zero the key's private half (has_private cleared). */
void fo_key_wipe(struct fo_key *key);

#ifdef __cplusplus
}
#endif
#endif
