/* flags.h: one table per command: it parses the command line, prints
 * `moat CMD --help`, and is what the man pages and completion are made
 * from. Parsing is Docker's (pflag's): exact long names only (never a
 * prefix), --flag=v and --flag v, bundled short switches (-it), -sVALUE,
 * a lone "--" ends the flags. A bad flag is exit 125 with Docker's words. */
#ifndef MOAT_CLI_FLAGS_H
#define MOAT_CLI_FLAGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Docker's exit codes: the CLI or the engine failed; the command could not
 * be run; it was not found */
#define EXIT_ENGINE 125
#define EXIT_CANNOT_RUN 126
#define EXIT_NOT_FOUND 127

struct flag {
    const char *name; /* long name, without "--" */
    char shrt;        /* short name, 0 for none */
    const char *arg;  /* what the value is ("string", "int", "list", ...); NULL: a switch */
    const char *help;
    int id; /* what flags_next returns for it */
};

struct cmd_flags {
    const char *cmd;          /* "stop", "volume prune" */
    const char *usage;        /* after "moat CMD ": "[OPTIONS] CONTAINER [CONTAINER...]" */
    const char *summary;      /* one line */
    const struct flag *flags; /* ends with {0} */
    bool interspersed;        /* flags may come after arguments (not run, exec) */
    int min_args, max_args;   /* max -1: any number */
};

struct flags_it {
    const struct cmd_flags *c;
    int argc;
    char **argv;
    int i;                  /* next argv index */
    const char *short_rest; /* what is left of a bundle: -it */
    const char *val;        /* the value of the flag just returned (a switch: "true"/"false") */
    const char *seen;       /* how it was written, for messages: "--timeout" */
    char **args;            /* the arguments (not flags), in order */
    size_t nargs;
    bool ended; /* "--" seen, or the first argument of a non-interspersed command */
};

/* --platform, one flag for every command that has Docker's: the parser
 * itself takes this host's platform (moat runs no other, so there is
 * nothing more to do) and refuses any other; a command never sees it. */
#define FLAG_PLATFORM_ID 0x7fff
#define PLATFORM_FLAG                                                                              \
    {                                                                                              \
        "platform", 0, "string", "Set platform (this host's only: moat does not emulate)",         \
            FLAG_PLATFORM_ID                                                                       \
    }

enum { FLAGS_DONE = -1, FLAGS_HELP = -2, FLAGS_ERROR = -3, FLAGS_ARGS = -4 };

/* argv[0] is the command's name; parsing starts at argv[1] */
void flags_begin(struct flags_it *it, const struct cmd_flags *c, int argc, char **argv);
/* The id of the next flag (its value in it->val); FLAGS_DONE when there
 * are no more (then the count of arguments has been checked), FLAGS_HELP
 * when --help was printed, FLAGS_ERROR when a message was printed,
 * FLAGS_ARGS when the count of arguments was wrong (Docker exits 1 then,
 * 125 for a bad flag). */
int flags_next(struct flags_it *it);

/* A switch's value ("--rm=false" is false) */
bool flags_bool(const struct flags_it *it);
/* it->val as an integer in [min, max]; prints Docker's message on error */
int flags_int(const struct flags_it *it, int64_t min, int64_t max, int64_t *out);
/* Print a usage error of the command (exit 125 follows): "moat CMD: msg" */
int flags_error(const struct flags_it *it, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* All the flags: on(it, id, ctx) for each (NULL: the table has none that
 * need it; on returns -1 after printing an error). FLAGS_DONE when the
 * command is to go on; otherwise its exit status (0 after --help). */
int flags_parse(struct flags_it *it, int (*on)(struct flags_it *, int, void *), void *ctx);
/* Docker's question before a prune: true for y or Y */
bool flags_confirm(const char *warning);

/* `moat CMD --help` */
void flags_help(const struct cmd_flags *c);

/* FLAGS_DONE/FLAGS_HELP/FLAGS_ERROR as the command's exit status */
int flags_exit(int r);

/* every command's table (commands.c): --help, the man pages and the
 * bash completion are made from them */
extern const struct cmd_flags start_flags;
extern const struct cmd_flags attach_flags;
extern const struct cmd_flags container_prune_flags;
extern const struct cmd_flags stop_flags;
extern const struct cmd_flags restart_flags;
extern const struct cmd_flags kill_flags;
extern const struct cmd_flags rm_flags;
extern const struct cmd_flags wait_flags;
extern const struct cmd_flags ps_flags;
extern const struct cmd_flags logs_flags;
extern const struct cmd_flags inspect_flags;
extern const struct cmd_flags exec_flags;
extern const struct cmd_flags top_flags;
extern const struct cmd_flags port_flags;
extern const struct cmd_flags stats_flags;
extern const struct cmd_flags cp_flags;
extern const struct cmd_flags images_flags;
extern const struct cmd_flags tag_flags;
extern const struct cmd_flags rmi_flags;
extern const struct cmd_flags image_inspect_flags;
extern const struct cmd_flags image_prune_flags;
extern const struct cmd_flags load_flags;
extern const struct cmd_flags save_flags;
extern const struct cmd_flags import_flags;
extern const struct cmd_flags pull_flags;
extern const struct cmd_flags login_flags;
extern const struct cmd_flags logout_flags;
extern const struct cmd_flags run_flags;
extern const struct cmd_flags create_flags;
extern const struct cmd_flags vol_create_flags;
extern const struct cmd_flags vol_ls_flags;
extern const struct cmd_flags vol_inspect_flags;
extern const struct cmd_flags vol_rm_flags;
extern const struct cmd_flags vol_prune_flags;
extern const struct cmd_flags net_create_flags;
extern const struct cmd_flags net_ls_flags;
extern const struct cmd_flags net_inspect_flags;
extern const struct cmd_flags net_rm_flags;
extern const struct cmd_flags net_prune_flags;
extern const struct cmd_flags net_reload_flags;
extern const struct cmd_flags net_connect_flags;
extern const struct cmd_flags net_disconnect_flags;
extern const struct cmd_flags rename_flags;
extern const struct cmd_flags pause_flags;
extern const struct cmd_flags unpause_flags;
extern const struct cmd_flags version_flags;
extern const struct cmd_flags info_flags;
extern const struct cmd_flags system_df_flags;
extern const struct cmd_flags system_prune_flags;
extern const struct cmd_flags history_flags;
extern const struct cmd_flags diff_flags;
extern const struct cmd_flags export_flags;
extern const struct cmd_flags commit_flags;
extern const struct cmd_flags events_flags;
extern const struct cmd_flags update_flags;
/* the tables above, NULL-terminated */
extern const struct cmd_flags *const cli_tables[];

#endif
