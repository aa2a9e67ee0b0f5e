/* docs.c: the man pages and the bash completion, made from the flag tables
 * (`moat __docs man DIR`, `moat __docs bash`, and `moat __docs install`,
 * which meson install runs). */
#include "cli.h"
#include "flags.h"
#include "../util/fs.h"
#include "../util/log.h"
#include "../util/util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* roff: a backslash doubled, a dash escaped, a leading dot guarded */
static void roff(FILE *f, const char *s)
{
    if (*s == '.' || *s == '\'')
        fputs("\\&", f);
    for (; *s; s++) {
        if (*s == '\\')
            fputs("\\e", f);
        else if (*s == '-')
            fputs("\\-", f);
        else
            fputc(*s, f);
    }
}

/* "image inspect" -> "moat-image-inspect" */
static char *page_name(const char *cmd)
{
    char *n = xasprintf("moat-%s", cmd);
    for (char *p = n; *p; p++)
        if (*p == ' ')
            *p = '-';
    return n;
}

static void man_page(FILE *f, const struct cmd_flags *c)
{
    cleanup_free char *name = page_name(c->cmd);
    fprintf(f, ".TH \"%s\" 1 \"\" \"moat\" \"moat manual\"\n.SH NAME\n", name);
    roff(f, name);
    fputs(" \\- ", f);
    roff(f, c->summary);
    fprintf(f, "\n.SH SYNOPSIS\n\\fBmoat %s\\fR ", c->cmd);
    roff(f, c->usage);
    fputs("\n.SH DESCRIPTION\n", f);
    roff(f, c->summary);
    fputs(".\n.SH OPTIONS\n", f);
    for (const struct flag *fl = c->flags; fl->name; fl++) {
        fputs(".TP\n", f);
        if (fl->shrt)
            fprintf(f, "\\fB\\-%c\\fR, ", fl->shrt);
        fputs("\\fB\\-\\-", f);
        roff(f, fl->name);
        fputs("\\fR", f);
        if (fl->arg)
            fprintf(f, " \\fI%s\\fR", fl->arg);
        fputc('\n', f);
        roff(f, fl->help);
        fputc('\n', f);
    }
    fputs(".TP\n\\fB\\-\\-help\\fR\nPrint the usage and these options.\n", f);
    fputs(".SH EXIT STATUS\n125 when moat itself fails (a bad flag too); 126 when the command "
          "cannot be run; 127 when it is not found; otherwise the container's own.\n"
          ".SH SEE ALSO\n\\fBmoat\\fR(1)\n",
          f);
}

/* moat(1): the commands, each with its page */
static void man_index(FILE *f)
{
    fputs(".TH \"moat\" 1 \"\" \"moat\" \"moat manual\"\n.SH NAME\nmoat \\- a secure-by-default "
          "container engine and runtime\n.SH SYNOPSIS\n\\fBmoat\\fR [\\-\\-root DIR] COMMAND "
          "[OPTIONS] [ARG...]\n.SH COMMANDS\n",
          f);
    for (size_t i = 0; cli_tables[i]; i++) {
        cleanup_free char *name = page_name(cli_tables[i]->cmd);
        fprintf(f, ".TP\n\\fB%s\\fR(1)\n", name);
        roff(f, cli_tables[i]->summary);
        fputc('\n', f);
    }
}

static void bash(FILE *f);

/* path written by fn(f, ctx); 1 after a message */
static int write_with(const char *path, void (*fn)(FILE *, const void *), const void *ctx)
{
    FILE *f = fopen(path, "we");
    if (!f) {
        log_error("%s: %s", path, strerror(errno));
        return 1;
    }
    fn(f, ctx);
    if (fclose(f) != 0) {
        log_error("%s: %s", path, strerror(errno));
        return 1;
    }
    return 0;
}

static void index_to(FILE *f, const void *ctx)
{
    (void)ctx;
    man_index(f);
}

static void page_to(FILE *f, const void *ctx)
{
    man_page(f, ctx);
}

static void bash_to(FILE *f, const void *ctx)
{
    (void)ctx;
    bash(f);
}

static int write_man(const char *dir)
{
    merr_t err = MERR_INIT;
    if (mkdir_p(dir, 0755, &err) < 0) {
        log_error("%s", err.msg);
        err_clear(&err);
        return 1;
    }
    cleanup_free char *index = xasprintf("%s/moat.1", dir);
    if (write_with(index, index_to, NULL) != 0)
        return 1;
    for (size_t i = 0; cli_tables[i]; i++) {
        cleanup_free char *name = page_name(cli_tables[i]->cmd);
        cleanup_free char *path = xasprintf("%s/%s.1", dir, name);
        if (write_with(path, page_to, cli_tables[i]) != 0)
            return 1;
    }
    return 0;
}

/* the completion: commands, sub-commands of image, volume and network, the flags
 * of each, and container names where a container is wanted */
static void bash(FILE *f)
{
    fputs("# bash completion for moat (made by `moat __docs bash` from its flag tables)\n"
          "_moat() {\n"
          "    local cur=${COMP_WORDS[COMP_CWORD]} cmd= i w flags=\n"
          "    for ((i = 1; i < COMP_CWORD; i++)); do\n"
          "        w=${COMP_WORDS[i]}\n"
          "        [[ $w == -* ]] && continue\n"
          "        if [[ -z $cmd ]]; then cmd=$w\n"
          "        elif [[ $cmd == image || $cmd == volume || $cmd == network ]]; then cmd=\"$cmd "
          "$w\"; break\n"
          "        else break; fi\n"
          "    done\n"
          "    case $cmd in\n",
          f);
    fputs("    '') COMPREPLY=($(compgen -W \"", f);
    for (size_t i = 0; cli_tables[i]; i++)
        if (!strchr(cli_tables[i]->cmd, ' '))
            fprintf(f, "%s ", cli_tables[i]->cmd);
    fputs("image volume network\" -- \"$cur\")); return ;;\n", f);
    fputs("    image) COMPREPLY=($(compgen -W \"inspect ls load prune pull rm save tag import\" "
          "-- \"$cur\")); return ;;\n"
          "    volume) COMPREPLY=($(compgen -W \"create inspect ls prune rm\" -- \"$cur\")); "
          "return ;;\n"
          "    network) COMPREPLY=($(compgen -W \"create inspect ls prune rm\" -- \"$cur\")); "
          "return ;;\n",
          f);
    for (size_t i = 0; cli_tables[i]; i++) {
        fprintf(f, "    '%s') flags=\"", cli_tables[i]->cmd);
        for (const struct flag *fl = cli_tables[i]->flags; fl->name; fl++) {
            fprintf(f, "--%s ", fl->name);
            if (fl->shrt)
                fprintf(f, "-%c ", fl->shrt);
        }
        fputs("--help\" ;;\n", f);
    }
    fputs("    esac\n"
          "    if [[ $cur == -* ]]; then\n"
          "        COMPREPLY=($(compgen -W \"$flags\" -- \"$cur\"))\n"
          "    else\n"
          "        COMPREPLY=($(compgen -W \"$(moat ps -a --format '{{.Names}}' 2>/dev/null)\" "
          "-- \"$cur\"))\n"
          "    fi\n"
          "}\n"
          "complete -F _moat moat\n",
          f);
}

/* where meson install puts them: $MESON_INSTALL_DESTDIR_PREFIX/share */
static int install(void)
{
    const char *prefix = getenv("MESON_INSTALL_DESTDIR_PREFIX");
    if (!prefix || prefix[0] != '/') {
        log_error(
            "__docs install: MESON_INSTALL_DESTDIR_PREFIX is not set (meson install sets it)");
        return 1;
    }
    cleanup_free char *man = xasprintf("%s/share/man/man1", prefix);
    cleanup_free char *comp = xasprintf("%s/share/bash-completion/completions", prefix);
    merr_t err = MERR_INIT;
    if (write_man(man) != 0 || mkdir_p(comp, 0755, &err) < 0) {
        if (err.msg)
            log_error("%s", err.msg);
        err_clear(&err);
        return 1;
    }
    cleanup_free char *path = xasprintf("%s/moat", comp);
    return write_with(path, bash_to, NULL);
}

int cli_docs(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "man") == 0)
        return write_man(argv[2]);
    if (argc == 2 && strcmp(argv[1], "bash") == 0) {
        bash(stdout);
        return 0;
    }
    if (argc == 2 && strcmp(argv[1], "install") == 0)
        return install();
    log_error("usage: moat __docs man DIR | bash | install");
    return 125;
}
