/* keyseq.h: Docker's detach keys: a short sequence of bytes that, read on
 * the terminal, detaches the client from a container (or an exec) that
 * runs on. "ctrl-p,ctrl-q" is the default. Shared by the engine's attach
 * and the runtime's relay of an exec's stdin. */
#ifndef MOAT_KEYSEQ_H
#define MOAT_KEYSEQ_H

#include "err.h"
#include <stdbool.h>
#include <stddef.h>

#define KEYSEQ_MAX 16

struct keyseq {
    unsigned char keys[KEYSEQ_MAX];
    size_t n;       /* 0: none */
    size_t matched; /* how many of them the input has shown so far */
};

/* "ctrl-p,ctrl-q" (the default, for NULL): each a ctrl-X (X a-z, @, [,
 * \, ], ^, _) or a single character; "" none. */
int keyseq_parse(const char *spec, struct keyseq *k, merr_t *err);

/* The n bytes of in, as they go on to the container: out gets what
 * passes (room for n + KEYSEQ_MAX bytes), bytes that may begin the keys
 * wait for the next call. Returns how many bytes out holds; *done is set
 * when the whole sequence was read (what came after it is dropped). */
size_t keyseq_filter(struct keyseq *k, const unsigned char *in, size_t n, unsigned char *out,
                     bool *done);

/* At the end of the input: the bytes held back as a beginning of the keys
 * (they were input after all) into out (room for KEYSEQ_MAX); how many. */
size_t keyseq_flush(struct keyseq *k, unsigned char *out);

#endif
