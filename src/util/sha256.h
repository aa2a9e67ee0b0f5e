/* sha256.h: SHA-256 (FIPS 180-4), for cache keys on the hot path without
 * loading a crypto library. */
#ifndef MOAT_SHA256_H
#define MOAT_SHA256_H

#include <stddef.h>
#include <stdint.h>

struct sha256 {
    uint32_t h[8];
    uint64_t len;
    uint8_t buf[64];
    size_t n;
};

void sha256_init(struct sha256 *s);
void sha256_update(struct sha256 *s, const void *data, size_t len);
void sha256_final(struct sha256 *s, uint8_t out[32]);
/* finish h as an OCI digest: "sha256:" and 64 hex digits (72 bytes with
 * the NUL) */
void sha256_digest(struct sha256 *h, char out[72]);
/* hex digest of data (65 bytes with the NUL) */
void sha256_hex(const void *data, size_t len, char out[65]);

#endif
