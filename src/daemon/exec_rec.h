/* exec_rec.h: the daemon's exec instances, store/execs/ID.json:
 * {ID, ContainerID, Owner, Config {Cmd, Env, User, WorkingDir, Tty,
 * AttachStdin, AttachStdout, AttachStderr}, Running, ExitCode, Pid}. */
#ifndef MOAT_DAEMON_EXEC_REC_H
#define MOAT_DAEMON_EXEC_REC_H

#include "api.h"

/* The instance of the path's id if the caller may see it and its container
 * exists (its full id to cid); else NULL, answered 404. */
json_t *exec_load(struct api_ctx *x, char cid[65]);
int exec_save(struct store *s, json_t *rec);

/* The terminal of a running exec with Tty: a datagram socket bound at
 * store/execs/ID.sock (the runtime reads sizes from it), or -1; its
 * name is removed by exec_resize_close. */
int exec_resize_open(struct store *s, const char *id);
void exec_resize_close(struct store *s, const char *id, int fd);
/* Send rows and cols to it: 0, or -1 when no such terminal listens. */
int exec_resize_send(struct store *s, const char *id, unsigned rows, unsigned cols);

#endif
