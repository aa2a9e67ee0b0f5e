/* run_check.c: checks of run/create options (see run_check.h). */
#include "run_check.h"
#include "../oci/capname.h"

#include <string.h>
#include <strings.h>

#define NAME_CHARS "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-"

bool run_name_ok(const char *n)
{
    return strspn(n, NAME_CHARS) == strlen(n) && n[0] && n[0] != '.' && n[0] != '-' &&
           strlen(n) <= 128;
}

bool run_cpuset_ok(const char *v)
{
    return *v && strspn(v, "0123456789,-") == strlen(v);
}

bool run_annotation_ok(const char *kv)
{
    return strchr(kv, '=') && kv[0] != '=' && strncmp(kv, "run.moat.", 9) != 0;
}

bool run_pids_ok(int64_t n)
{
    return n == -1 || (n >= 1 && n <= 4194304);
}

bool run_ns_mode_ok(char which, const char *v)
{
    return !strcmp(v, "host") || !strcmp(v, "private") || !*v ||
           (which == 'i' && (!strcmp(v, "shareable") || !strcmp(v, "none"))) ||
           (which != 'u' && !strncmp(v, "container:", 10) && v[10]);
}

int run_security_opt(struct run_opts *o, const char *v, const char *flag, merr_t *err)
{
    if (strncmp(v, "seccomp=", 8) == 0 || strncmp(v, "seccomp:", 8) == 0) {
        o->po.seccomp = v + 8; /* read (once) and checked at create */
    } else if (strcmp(v, "no-new-privileges") == 0 || strcmp(v, "no-new-privileges=true") == 0 ||
               strcmp(v, "no-new-privileges:true") == 0) {
        /* always on */
    } else if (strcmp(v, "landlock=unconfined") == 0 || strcmp(v, "landlock=off") == 0) {
        o->po.no_landlock = true;
    } else if (strcmp(v, "allow-sensitive-mounts") == 0) {
        o->allow_sensitive = true;
    } else if (strncmp(v, "apparmor=", 9) == 0 || strncmp(v, "apparmor:", 9) == 0) {
        const char *prof = v + 9;
        if (!*prof || strspn(prof, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                   "0123456789_.-/") != strlen(prof))
            return err_set(err, 0, "%s %s: not a profile name", flag, v);
        /* whether this host has AppArmor: the engine's create decides */
        o->apparmor = prof;
    } else {
        return err_set(err, 0,
                       "%s \"%s\": expected seccomp=FILE|unconfined, no-new-privileges, "
                       "landlock=unconfined, apparmor=PROFILE|unconfined or "
                       "allow-sensitive-mounts",
                       flag, v);
    }
    return 0;
}

int run_cap(struct run_opts *o, bool add, const char *v)
{
    int cap;
    uint64_t bits;
    if (strcasecmp(v, "ALL") == 0)
        bits = ~0ULL; /* for add: the engine keeps what this kernel has */
    else if ((cap = cap_from_name(v, 1)) < 0)
        return -1;
    else
        bits = 1ULL << cap;
    if (add)
        o->po.cap_add |= bits;
    else
        o->po.cap_drop |= bits;
    return 0;
}
