#include "seccomp.h"
#include "../util/fs.h"
#include "../util/fs.h"
#include "../util/log.h"
#include "../util/sha256.h"
#include "../util/unixsock.h"
#include "../util/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>

static uint32_t action_with_errno(uint32_t action, bool has, uint32_t errno_ret, uint32_t dflt)
{
    if (action == SCMP_ACT_ERRNO(0))
        return SCMP_ACT_ERRNO(has ? errno_ret : dflt);
    if (action == SCMP_ACT_TRACE(0))
        return SCMP_ACT_TRACE(has ? errno_ret : dflt);
    return action;
}

static bool has_dup_index(const struct spec_seccomp_rule *r)
{
    for (size_t i = 0; i < r->nargs; i++)
        for (size_t j = i + 1; j < r->nargs; j++)
            if (r->args[i].index == r->args[j].index)
                return true;
    return false;
}

static int add_rule(scmp_filter_ctx ctx, uint32_t act, int nr, const struct spec_seccomp_arg *args,
                    size_t nargs)
{
    struct scmp_arg_cmp cmp[6];
    for (size_t i = 0; i < nargs && i < 6; i++) {
        cmp[i].arg = args[i].index;
        cmp[i].op = (enum scmp_compare)args[i].op;
        cmp[i].datum_a = args[i].value;
        cmp[i].datum_b = args[i].value_two;
    }
    return seccomp_rule_add_array(ctx, act, nr, (unsigned)nargs, cmp);
}

int seccomp_compile(const struct spec_seccomp *s, struct seccomp_prog *out, merr_t *err)
{
    memset(out, 0, sizeof(*out));
    uint32_t def = action_with_errno(s->default_action, s->default_errno_ret.has,
                                     s->default_errno_ret.v, EPERM);
    scmp_filter_ctx ctx = seccomp_init(def);
    if (!ctx)
        return err_set(err, 0, "linux.seccomp.defaultAction: libseccomp rejected it");
    int r = 0;
    seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
    /* a binary tree of syscall numbers instead of a chain of compares */
    seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
    for (size_t i = 0; i < s->narches; i++) {
        r = seccomp_arch_add(ctx, s->arches[i]);
        if (r < 0 && r != -EEXIST) {
            err_set(err, -r, "linux.seccomp.architectures[%zu]: add", i);
            goto fail;
        }
    }
    for (size_t i = 0; i < s->nrules; i++) {
        const struct spec_seccomp_rule *rule = &s->rules[i];
        uint32_t act =
            action_with_errno(rule->action, rule->errno_ret.has, rule->errno_ret.v, EPERM);
        if (act == def)
            continue; /* libseccomp refuses rules equal to the default */
        if (rule->action == SCMP_ACT_NOTIFY)
            out->notify = true;
        for (size_t n = 0; rule->names[n]; n++) {
            int nr = seccomp_syscall_resolve_name(rule->names[n]);
            if (nr == __NR_SCMP_ERROR) {
                log_debug("seccomp: unknown system call \"%s\" ignored", rule->names[n]);
                continue;
            }
            if (has_dup_index(rule)) {
                /* several conditions on one argument: each is its own rule (OR) */
                for (size_t a = 0; a < rule->nargs && r >= 0; a++)
                    r = add_rule(ctx, act, nr, &rule->args[a], 1);
            } else {
                r = add_rule(ctx, act, nr, rule->args, rule->nargs);
            }
            if (r < 0) {
                err_set(err, -r, "linux.seccomp.syscalls[%zu]: add rule for \"%s\"", i,
                        rule->names[n]);
                goto fail;
            }
        }
    }
    if (s->default_action == SCMP_ACT_NOTIFY)
        out->notify = true;
    /* export the program to memory through a memfd */
    int fd = memfd_create("moat-seccomp", MFD_CLOEXEC);
    if (fd < 0) {
        err_sys(err, "linux.seccomp: memfd_create");
        goto fail;
    }
    r = seccomp_export_bpf(ctx, fd);
    if (r < 0) {
        close(fd);
        err_set(err, -r, "linux.seccomp: export BPF");
        goto fail;
    }
    off_t size = lseek(fd, 0, SEEK_END);
    if (size <= 0 || size % (off_t)sizeof(struct sock_filter) != 0 ||
        size / (off_t)sizeof(struct sock_filter) > 65535) {
        close(fd);
        err_set(err, 0, "linux.seccomp: filter too large (%lld bytes)", (long long)size);
        goto fail;
    }
    out->filter = xmalloc((size_t)size);
    if (pread(fd, out->filter, (size_t)size, 0) != size) {
        close(fd);
        err_sys(err, "linux.seccomp: read BPF");
        goto fail;
    }
    close(fd);
    out->len = (unsigned short)(size / (off_t)sizeof(struct sock_filter));
    out->flags = s->flags;
    seccomp_release(ctx);
    return 0;
fail:
    seccomp_release(ctx);
    seccomp_prog_free(out);
    return -1;
}

void seccomp_prog_free(struct seccomp_prog *p)
{
    free(p->filter);
    p->filter = NULL;
    p->len = 0;
}

int seccomp_install(const struct seccomp_prog *p, merr_t *err)
{
    struct sock_fprog prog = {p->len, p->filter};
    unsigned flags = p->flags;
    if (p->notify)
        flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
    long r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);
    if (r < 0 && errno == EINVAL && (flags & SECCOMP_FILTER_FLAG_SPEC_ALLOW)) {
        flags &= ~SECCOMP_FILTER_FLAG_SPEC_ALLOW;
        r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);
    }
    if (r < 0)
        return err_sys(err, "linux.seccomp: load filter");
    return p->notify ? (int)r : 0;
}

int seccomp_send_listener(const char *path, int fd, const char *state_json, merr_t *err)
{
    int s = unix_connect(path, "linux.seccomp.listenerPath", err);
    if (s < 0)
        return -1;
    int r = unix_send_fd(s, fd, state_json, err);
    close(s);
    return r < 0 ? err_wrap(err, "linux.seccomp.listenerPath") : 0;
}

int seccomp_compile_cached(const struct spec_seccomp *s, const char *key_text, int cache_dirfd,
                           struct seccomp_prog *out, merr_t *err)
{
    if (cache_dirfd < 0 || !key_text)
        return seccomp_compile(s, out, err);
    const struct scmp_version *v = seccomp_version();
    struct sbuf key = {0};
    sbuf_printf(&key, "moat-seccomp-2|%u.%u.%u|%u|", v ? v->major : 0, v ? v->minor : 0,
                v ? v->micro : 0, (unsigned)seccomp_arch_native());
    sbuf_puts(&key, key_text);
    char hex[65];
    sha256_hex(key.buf, key.len, hex);
    free(key.buf);
    char name[80];
    snprintf(name, sizeof(name), "%s.bpf", hex);
    memset(out, 0, sizeof(*out));
    int fd = openat(cache_dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    struct stat st;
    if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
        st.st_size % (off_t)sizeof(struct sock_filter) == 0 &&
        st.st_size / (off_t)sizeof(struct sock_filter) <= 65535) {
        out->filter = xmalloc((size_t)st.st_size);
        if (read_all(fd, out->filter, (size_t)st.st_size) == st.st_size) {
            close(fd);
            out->len = (unsigned short)(st.st_size / (off_t)sizeof(struct sock_filter));
            out->flags = s->flags;
            out->notify = s->default_action == SCMP_ACT_NOTIFY;
            for (size_t i = 0; i < s->nrules; i++)
                if (s->rules[i].action == SCMP_ACT_NOTIFY)
                    out->notify = true;
            return 0;
        }
        seccomp_prog_free(out);
    }
    if (fd >= 0)
        close(fd);
    if (seccomp_compile(s, out, err) < 0)
        return -1;
    merr_t ignore = MERR_INIT;
    if (atomic_write_at(cache_dirfd, name, (const char *)out->filter,
                        (size_t)out->len * sizeof(struct sock_filter), 0600, &ignore) < 0)
        log_debug("seccomp cache: %s", ignore.msg);
    err_clear(&ignore);
    return 0;
}
