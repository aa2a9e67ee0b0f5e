/* flags.c: the command-line parser of flags.h. */
#include "flags.h"
#include "../oci/platform.h"
#include "../util/util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void flags_begin(struct flags_it *it, const struct cmd_flags *c, int argc, char **argv)
{
    /* the arguments are gathered at the front of argv, over words already
     * read (there is always room: each took one): nothing to free */
    *it = (struct flags_it){.c = c, .argc = argc, .argv = argv, .i = 1, .args = argv + 1};
}

int flags_error(const struct flags_it *it, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "moat %s: ", it->c->cmd);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\nSee 'moat %s --help'.\n", it->c->cmd);
    va_end(ap);
    return FLAGS_ERROR;
}

static bool help_is_short(const struct cmd_flags *c)
{
    for (const struct flag *f = c->flags; f->name; f++)
        if (f->shrt == 'h')
            return false;
    return true;
}

static const struct flag *by_long(const struct cmd_flags *c, const char *name, size_t len)
{
    for (const struct flag *f = c->flags; f->name; f++)
        if (strlen(f->name) == len && strncmp(f->name, name, len) == 0)
            return f;
    return NULL;
}

static const struct flag *by_short(const struct cmd_flags *c, char ch)
{
    for (const struct flag *f = c->flags; f->name; f++)
        if (f->shrt == ch)
            return f;
    return NULL;
}

static bool parse_bool(const char *v, bool *out)
{
    static const char *const yes[] = {"true", "1", "t", "T", "TRUE", "True"};
    static const char *const no[] = {"false", "0", "f", "F", "FALSE", "False"};
    for (size_t k = 0; k < ARRAY_SIZE(yes); k++) {
        if (strcmp(v, yes[k]) == 0)
            return *out = true, true;
        if (strcmp(v, no[k]) == 0)
            return *out = false, true;
    }
    return false;
}

/* a value for f: inline (after = or in the bundle), or the next word */
static int take_value(struct flags_it *it, const struct flag *f, const char *inline_val)
{
    if (!f->arg) {
        bool b;
        if (inline_val && !parse_bool(inline_val, &b))
            return flags_error(it, "invalid argument \"%s\" for \"%s\": not true or false",
                               inline_val, it->seen);
        it->val = inline_val && !b ? "false" : "true";
        return f->id;
    }
    if (inline_val) {
        it->val = inline_val;
        return f->id;
    }
    if (it->i >= it->argc)
        return flags_error(it, "flag needs an argument: %s", it->seen);
    it->val = it->argv[it->i++];
    return f->id;
}

static int long_flag(struct flags_it *it, const char *a)
{
    const char *name = a + 2, *eq = strchr(name, '=');
    size_t len = eq ? (size_t)(eq - name) : strlen(name);
    if (len == 4 && strncmp(name, "help", 4) == 0 && !by_long(it->c, "help", 4)) {
        flags_help(it->c);
        return FLAGS_HELP;
    }
    const struct flag *f = by_long(it->c, name, len);
    if (!f)
        return flags_error(it, "unknown flag: --%.*s", (int)len, name);
    static char seen[80];
    snprintf(seen, sizeof(seen), "--%.*s", (int)len, name);
    it->seen = seen;
    return take_value(it, f, eq ? eq + 1 : NULL);
}

/* the next of a bundle: -it, -t5, -s KILL */
static int short_flag(struct flags_it *it)
{
    char ch = *it->short_rest++;
    static char seen[3] = "-?";
    seen[1] = ch;
    it->seen = seen;
    if (ch == 'h' && help_is_short(it->c)) {
        flags_help(it->c);
        return FLAGS_HELP;
    }
    const struct flag *f = by_short(it->c, ch);
    if (!f)
        return flags_error(it, "unknown shorthand flag: '%c' in -%c", ch, ch);
    const char *rest = it->short_rest;
    if (f->arg && *rest) { /* -t5: the rest is the value */
        it->short_rest = NULL;
        return take_value(it, f, rest[0] == '=' ? rest + 1 : rest);
    }
    if (*rest == '=') { /* -d=false: a switch's value, as pflag takes it */
        it->short_rest = NULL;
        return take_value(it, f, rest + 1);
    }
    if (!*rest)
        it->short_rest = NULL;
    return take_value(it, f, NULL);
}

/* Docker's words for a wrong number of arguments */
static int count_error(const struct flags_it *it, const char *how, int n)
{
    const struct cmd_flags *c = it->c;
    if (n == 0)
        fprintf(stderr, "moat %s: accepts no arguments", c->cmd);
    else
        fprintf(stderr, "moat %s: requires %s %d argument%s", c->cmd, how, n, n == 1 ? "" : "s");
    fprintf(stderr, "\nSee 'moat %s --help'.\n\nUsage:  moat %s %s\n\n%s\n", c->cmd, c->cmd,
            c->usage, c->summary);
    return FLAGS_ARGS;
}

static int check_count(struct flags_it *it)
{
    const struct cmd_flags *c = it->c;
    int n = (int)it->nargs;
    const char *how = c->max_args == c->min_args ? "exactly" : NULL;
    if (n < c->min_args)
        return count_error(it, how ? how : "at least", c->min_args);
    if (c->max_args >= 0 && n > c->max_args)
        return count_error(it, how ? how : "at most", c->max_args);
    return FLAGS_DONE;
}

static int next_flag(struct flags_it *it)
{
    if (it->short_rest)
        return short_flag(it);
    while (it->i < it->argc) {
        char *a = it->argv[it->i++];
        if (it->ended || a[0] != '-' || a[1] == 0) { /* an argument ("-" too) */
            it->args[it->nargs++] = a;
            it->ended = it->ended || !it->c->interspersed;
            continue;
        }
        if (strcmp(a, "--") == 0) {
            it->ended = true;
            continue;
        }
        if (a[1] == '-')
            return long_flag(it, a);
        it->short_rest = a + 1;
        return short_flag(it);
    }
    it->args[it->nargs] = NULL; /* a vector: argv[argc] at the furthest */
    return check_count(it);
}

int flags_next(struct flags_it *it)
{
    int f;
    while ((f = next_flag(it)) == FLAG_PLATFORM_ID) {
        merr_t e = MERR_INIT;
        if (platform_check(it->val, &e) < 0) {
            flags_error(it, "%s", e.msg);
            err_clear(&e);
            return FLAGS_ERROR;
        }
    }
    return f;
}

bool flags_bool(const struct flags_it *it)
{
    return strcmp(it->val, "true") == 0;
}

int flags_int(const struct flags_it *it, int64_t min, int64_t max, int64_t *out)
{
    if (parse_i64(it->val, out) < 0 || *out < min || *out > max) {
        flags_error(it, "invalid argument \"%s\" for \"%s\": a whole number from %lld to %lld",
                    it->val, it->seen, (long long)min, (long long)max);
        return -1;
    }
    return 0;
}

void flags_help(const struct cmd_flags *c)
{
    printf("\nUsage:  moat %s %s\n\n%s\n", c->cmd, c->usage, c->summary);
    size_t w = 0;
    for (const struct flag *f = c->flags; f->name; f++) {
        size_t l = strlen(f->name) + (f->arg ? strlen(f->arg) + 1 : 0);
        w = l > w ? l : w;
    }
    if (c->flags[0].name)
        printf("\nOptions:\n");
    for (const struct flag *f = c->flags; f->name; f++) {
        char head[128];
        snprintf(head, sizeof(head), "%s%s%s", f->name, f->arg ? " " : "", f->arg ? f->arg : "");
        if (f->shrt)
            printf("  -%c, --%-*s   %s\n", f->shrt, (int)w, head, f->help);
        else
            printf("      --%-*s   %s\n", (int)w, head, f->help);
    }
    printf("      --%-*s   %s\n", (int)w, "help", "Print this help");
}

int flags_exit(int r)
{
    return r == FLAGS_HELP ? 0 : r == FLAGS_ARGS ? 1 : EXIT_ENGINE;
}

int flags_parse(struct flags_it *it, int (*on)(struct flags_it *, int, void *), void *ctx)
{
    int f;
    while ((f = flags_next(it)) > 0)
        if (on && on(it, f, ctx) < 0)
            return EXIT_ENGINE;
    return f == FLAGS_DONE ? FLAGS_DONE : flags_exit(f);
}

bool flags_confirm(const char *warning)
{
    fprintf(stderr, "%s\nAre you sure you want to continue? [y/N] ", warning);
    fflush(stderr);
    char line[64];
    if (!fgets(line, sizeof(line), stdin))
        return false;
    return line[0] == 'y' || line[0] == 'Y';
}
