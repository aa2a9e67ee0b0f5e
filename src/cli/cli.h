/* cli.h: runc-compatible command line: global flags, then a command. */
#ifndef MOAT_CLI_H
#define MOAT_CLI_H

#include "../util/err.h"
#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct global {
    char *root;
    const char *store; /* the engine's store (--root of an engine command) */
    const char *log;
    const char *log_format;
    bool debug;
    bool systemd_cgroup;
    char **argv; /* the original argv (for a protective re-exec) */
};

int cli_main(int argc, char **argv, bool runtime_only);
/* docs.c: `moat __docs man DIR | bash | install` */
int cli_docs(int argc, char **argv);

/* Print "moat: <msg>" (and log it), return exit status 1. */
int cli_fail(merr_t *err);
/* Report an unknown or malformed flag of `cmd`. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Open --root (creating it when `create`). */
int cli_root(const struct global *g, bool create, merr_t *err);
/* --root of a command on an existing container: no root, no container */
int cli_root_for(const struct global *g, const char *id, merr_t *err);
/* Open the engine's store (--root); prints the error and returns -1. */
struct store;
int cli_store(const struct global *g, struct store *s);
/* fn on each container that args[0..n) name (a name, an id or a unique
 * id prefix), in order, with its full id; a failure is said and the rest
 * go on. 0, or `fail` (the command's exit status) if any failed. */
typedef int (*cli_ctr_fn)(struct store *s, const char *id, const char *arg, void *ctx, merr_t *err);
int cli_each_ctr(const struct global *g, char *const *args, size_t n, cli_ctr_fn fn, void *ctx,
                 int fail);
/* A prune's report, as Docker prints it: "TITLE:", a line per removed
 * object (prefix before each), then the space reclaimed. */
typedef struct json_t json_t;
void cli_print_pruned(const char *title, json_t *deleted, const char *prefix, uint64_t freed);
/* --output PATH: a new file beside it (mkostemp: never a name someone
 * could have put a link at), renamed over it by cli_out_finish when the
 * command succeeded, else removed; what was at PATH stays until then. */
int cli_out_open(const char *path, char **tmp, merr_t *err);
int cli_out_finish(int fd, const char *path, char *tmp, bool ok, merr_t *err);
/* Exactly `n` positional arguments after the flags. */
int cli_want_args(const char *cmd, int argc, char **argv, int optind_, int n, const char *what);
/* --env-file: its K=V lines onto env (blank and # lines skipped); prints
 * the error */
int env_file_read(const char *path, char ***env);
/* inspect's output: each object of the array all as the --format
 * template says, a line each; or all of it as JSON (no format, "json").
 * 0, or 125 after a message on a bad template. */
int cli_print_objects(json_t *all, const char *format);
struct flags_it;
/* A command of a group (`moat volume ls`): its flags, what it does with
 * the store, and the checks it makes before the store is opened
 * (FLAGS_DONE, or the exit status; may be NULL); ctx: the group's flags. */
struct cli_sub {
    const char *name, *alias;
    const struct cmd_flags *flags;
    int (*fn)(struct store *s, struct flags_it *it, const void *ctx);
    int (*check)(struct flags_it *it, const void *ctx);
};
/* `moat GROUP SUB ARGS`: help, SUB found among subs[0..n), its flags into
 * ctx through on_flag, its checks, then fn on the store; the exit status.
 * Bad input is refused before the store is opened: nothing is made. */
int cli_group(const struct global *g, const char *group, const char *title,
              const struct cli_sub *subs, size_t n, int argc, char **argv,
              int (*on_flag)(struct flags_it *, int, void *), void *ctx);
/* `inspect` of args[0..n) by one engine lookup: the objects found printed
 * (cli_print_objects), an error said for each one not found; non-zero if
 * any was not. */
int cli_inspect_each(struct store *s, char **args, size_t n,
                     json_t *(*lookup)(struct store *s, const char *what, merr_t *err),
                     const char *format);

struct spec;

/* commands */
int cmd_create(const struct global *g, int argc, char **argv);
int cmd_run(const struct global *g, int argc, char **argv);
int cmd_start(const struct global *g, int argc, char **argv);
int cmd_state(const struct global *g, int argc, char **argv);
int cmd_list(const struct global *g, int argc, char **argv);
int cmd_kill(const struct global *g, int argc, char **argv);
int cmd_delete(const struct global *g, int argc, char **argv);
int cmd_pause(const struct global *g, int argc, char **argv);
int cmd_resume(const struct global *g, int argc, char **argv);
int cmd_ps(const struct global *g, int argc, char **argv);
int cmd_exec(const struct global *g, int argc, char **argv);
int cmd_update(const struct global *g, int argc, char **argv);
int cmd_features(const struct global *g, int argc, char **argv);
int cmd_spec(const struct global *g, int argc, char **argv);
int cmd_checkpoint(const struct global *g, int argc, char **argv);
/* engine */
int cmd_images(const struct global *g, int argc, char **argv);
int cmd_image(const struct global *g, int argc, char **argv);
int cmd_tag(const struct global *g, int argc, char **argv);
int cmd_rmi(const struct global *g, int argc, char **argv);
int cmd_load(const struct global *g, int argc, char **argv);
int cmd_save(const struct global *g, int argc, char **argv);
int cmd_import(const struct global *g, int argc, char **argv);
int cmd_pull(const struct global *g, int argc, char **argv);
int cmd_login(const struct global *g, int argc, char **argv);
int cmd_logout(const struct global *g, int argc, char **argv);
int engine_run(const struct global *g, int argc, char **argv);
int engine_create(const struct global *g, int argc, char **argv);
int engine_start(const struct global *g, int argc, char **argv);
int engine_stop(const struct global *g, int argc, char **argv);
int engine_kill(const struct global *g, int argc, char **argv);
int engine_rm(const struct global *g, int argc, char **argv);
int engine_wait(const struct global *g, int argc, char **argv);
int engine_ps(const struct global *g, int argc, char **argv);
int engine_logs(const struct global *g, int argc, char **argv);
int engine_inspect(const struct global *g, int argc, char **argv);
int engine_exec(const struct global *g, int argc, char **argv);
int engine_attach(const struct global *g, int argc, char **argv);
int engine_restart(const struct global *g, int argc, char **argv);
int engine_top(const struct global *g, int argc, char **argv);
int engine_port(const struct global *g, int argc, char **argv);
int engine_stats(const struct global *g, int argc, char **argv);
int engine_cp(const struct global *g, int argc, char **argv);
int engine_volume(const struct global *g, int argc, char **argv);
int engine_network(const struct global *g, int argc, char **argv);
int engine_container_prune(const struct global *g, int argc, char **argv);
int engine_rename(const struct global *g, int argc, char **argv);
int engine_pause(const struct global *g, int argc, char **argv);
int engine_unpause(const struct global *g, int argc, char **argv);
int engine_version(const struct global *g, int argc, char **argv);
int engine_info(const struct global *g, int argc, char **argv);
int engine_system(const struct global *g, int argc, char **argv);
int engine_system_df(const struct global *g, int argc, char **argv);
int engine_system_prune(const struct global *g, int argc, char **argv);
int engine_history(const struct global *g, int argc, char **argv);
int engine_diff(const struct global *g, int argc, char **argv);
int engine_export(const struct global *g, int argc, char **argv);
int engine_commit(const struct global *g, int argc, char **argv);
int engine_events(const struct global *g, int argc, char **argv);
int engine_update(const struct global *g, int argc, char **argv);

/* cmd_run_flags.c: run/create flags; the index of IMAGE, 0 after --help,
 * -1 on a usage error, -2 on a wrong count of arguments (reported) */
struct run_opts;
int cli_parse_run(int argc, char **argv, struct run_opts *o, bool run);

#endif
