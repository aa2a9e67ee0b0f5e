/* util.h: small helpers shared by every layer: allocation that cannot fail
 * silently, cleanup attributes, string vectors. */
#ifndef MOAT_UTIL_H
#define MOAT_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define UNUSED __attribute__((unused))

static inline void cleanup_freep(void *p)
{
    free(*(void **)p);
}
static inline void cleanup_closep(const int *fd)
{
    if (*fd >= 0)
        close(*fd);
}
#define cleanup_free __attribute__((cleanup(cleanup_freep)))
#define cleanup_close __attribute__((cleanup(cleanup_closep)))
/* an fd held only for what it holds (a lock) until the scope ends */
#define cleanup_close_held __attribute__((cleanup(cleanup_closep), unused))

/* Memory exhaustion aborts: there is no sensible recovery in a runtime. */
void *xmalloc(size_t n);
void *xzalloc(size_t n);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* The current time, RFC 3339 in UTC with nanoseconds, into buf (>= 40). */
/* RFC 3339 in UTC with nanoseconds: 2026-11-25T15:24:41.123456789Z */
void utc_rfc3339(int64_t sec, long nsec, char *buf, size_t size);
void utc_now_rfc3339(char *buf, size_t size);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Close an fd, keeping errno, and mark it closed. */
void close_fd(int *fd);

/* NULL-terminated string vectors. */
size_t strv_len(char *const *v);
void strv_free(char **v);
/* Append a copy of s. */
void strv_push(char ***v, const char *s);
bool strv_contains(char *const *v, const char *s);

/* Parse a decimal integer with full-string and range checks. */
int parse_u64(const char *s, uint64_t *out);
int parse_i64(const char *s, int64_t *out);
/* "64m", "1g", "512k", "1024" -> bytes; "max" or "-1" -> -1 */
int parse_size(const char *s, int64_t *out);

/* The time since an RFC 3339 time as Docker prints it ("5 seconds",
 * "2 weeks"), with " ago" when ago is set; "N/A" when it does not parse. */
void human_since(const char *rfc3339, bool ago, char *out, size_t n);
/* A size as Docker prints it: decimal units ("4.26MB", image sizes) or
 * binary ones ("2.45MiB", memory). */
void human_bytes(uint64_t b, bool binary, char *out, size_t n);
/* Dynamic string builder. */
struct sbuf {
    char *buf;
    size_t len, cap;
};
void sbuf_add(struct sbuf *b, const char *s, size_t n);
void sbuf_puts(struct sbuf *b, const char *s);
/* s, or its first max bytes (not splitting a UTF-8 sequence) and "...":
 * a value quoted from the input in a message can be megabytes. */
void sbuf_add_cut(struct sbuf *b, const char *s, size_t max);
void sbuf_printf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Append s as a JSON string literal (quoted and escaped). */
void sbuf_json_str(struct sbuf *b, const char *s);
char *sbuf_steal(struct sbuf *b);

#endif
