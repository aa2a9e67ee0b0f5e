/* logfile.h: a container's output on disk, written by its monitor and
 * read by `moat logs`.
 *
 * Files: containers/ID/log.N, N = 1, 2, 3, ... (the highest is the one
 * being written). When the next record would take the file past
 * max-size, the writer deletes log.(N+1-max-file) and starts log.(N+1):
 * at most max-file files of at most max-size bytes each. Files are never
 * renamed, so a reader needs no lock: a file that has a successor never
 * changes again.
 *
 * A file is the 8 bytes "MOATLOG1" and then records, little-endian:
 *
 *   u8 stream (1 stdout, 2 stderr) | i64 time (ns since the epoch) |
 *   u32 n | n bytes of output, as written | u32 n
 *
 * 17 bytes per record, nothing escaped. The length at the end lets a
 * reader walk back from the end of a file. The monitor writes a record per
 * batch of complete lines (and a line longer than 16 KiB, or one cut by
 * the end of its stream, as a record of its own), so a record always ends
 * a line: `--tail N` counts newlines from the end, a record that does not
 * end in one counting as a line too (Docker's partial messages). */
#ifndef MOAT_LOGFILE_H
#define MOAT_LOGFILE_H

#include "../util/err.h"
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* the cap when no --log-opt says otherwise: 3 files of 10 MiB */
#define LOG_DEFAULT_MAX_SIZE (10LL << 20)
#define LOG_DEFAULT_MAX_FILE 3
#define LOG_MIN_MAX_SIZE 1024LL
#define LOG_MAX_MAX_FILE 100

struct log_limits {
    bool none;        /* --log-driver none: nothing is kept */
    int64_t max_size; /* bytes per file; -1: one file, no limit */
    int max_file;     /* files kept */
};

void log_limits_init(struct log_limits *l);
/* --log-driver: local (moat's format), json-file (accepted for Docker's
 * sake: the same format), none. */
int log_parse_driver(const char *driver, struct log_limits *l, merr_t *err);
/* --log-opt max-size=SIZE (at least 1k, or -1) | max-file=N (1 to 100). */
int log_parse_opt(const char *kv, struct log_limits *l, merr_t *err);
/* HostConfig.LogConfig as Docker shows it: {Type, Config{max-size,
 * max-file}}, with the values in force. */
json_t *log_config_json(const struct log_limits *l);
/* ... and back (the defaults for a record without one). */
void log_limits_from_json(json_t *log_config, struct log_limits *l);

/* ---- the writer (the monitor) ---- */

struct log_writer {
    int dirfd, fd;
    uint64_t seq; /* log.seq is open */
    int64_t size; /* its size: where the next record goes */
    struct log_limits lim;
};

/* Open the newest log.N of the container directory dirfd for appending
 * (cutting off a record that a killed monitor left half written), or
 * start log.1. */
int logw_open(int dirfd, const struct log_limits *l, struct log_writer *w, merr_t *err);
/* Append output of stream 1 (stdout) or 2 (stderr) as one record (or a
 * few, when it is larger than a file may be), rotating first when the
 * file would grow past max-size. A failed write leaves no partial record. */
int logw_write(struct log_writer *w, int stream, const char *data, size_t len);
void logw_close(struct log_writer *w);

/* ---- the reader (`moat logs`) ---- */

struct log_rec {
    int stream;       /* 1 stdout, 2 stderr */
    int64_t ns;       /* when the monitor wrote it */
    const char *data; /* valid until the next logr_next */
    size_t len;
};

struct log_reader {
    int dirfd, fd;
    uint64_t seq; /* log.seq is fd (0: none yet) */
    off_t off;    /* the next record in it (0: the file header is not checked yet) */
    size_t skip;  /* what --tail leaves out of the record at off */
    char *buf;
    size_t cap;
    char *damage; /* a damaged file found by logr_open, said by logr_next */
};

/* Position a reader: at the start of the oldest file (tail < 0), or at
 * the start of the last `tail` lines, found by reading back from the end
 * of the newest file (and the ones before it, as far as needed). */
int logr_open(int dirfd, int64_t tail, struct log_reader *r, merr_t *err);
/* The next record: 1; 0 when there is none yet (the writer may add more:
 * call again to follow, across rotation); -1 and err when a file is
 * damaged (the reader then goes on with the next file). */
int logr_next(struct log_reader *r, struct log_rec *rec, merr_t *err);
void logr_close(struct log_reader *r);

#endif
