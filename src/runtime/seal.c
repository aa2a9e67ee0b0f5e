/* seal.c: when the runtime protects its binary (see seal.h). */
#include "seal.h"
#include "../kernel/selfexe.h"
#include "../util/util.h"

#include <errno.h>

static char **restart_argv;

void seal_set_argv(char **argv)
{
    restart_argv = argv;
}

bool seal_exe_reachable(const struct spec *s)
{
    const struct spec_linux *l = &s->linux_;
    if (!l->ns[NS_USER].want)
        return true;
    if (l->ns[NS_USER].path)
        return true; /* unknown mapping: be safe */
    int64_t owner = selfexe_owner();
    for (size_t i = 0; i < l->n_uid_mappings; i++)
        if (owner >= l->uid_mappings[i].host &&
            owner < (int64_t)l->uid_mappings[i].host + l->uid_mappings[i].size)
            return true;
    return false;
}

/* selfexe_protect also takes the marker of its own re-exec out of the
 * environment (hooks and the container would inherit it otherwise): it
 * is called even when the binary is protected already */
static int protect(merr_t *err)
{
    if (!restart_argv && !selfexe_is_protected())
        return err_set(err, EPERM,
                       "this container's root could write the moat binary, and this process "
                       "cannot re-execute itself from a read-only view of it (CVE-2019-5736): "
                       "refusing to enter it");
    return selfexe_protect(restart_argv, err); /* a re-exec does not return */
}

int seal_protect_now(merr_t *err)
{
    return protect(err);
}

int seal_for_exec(const struct spec *s, merr_t *err)
{
    return seal_exe_reachable(s) ? protect(err) : 0;
}

int seal_for_create(const struct spec *s, merr_t *err)
{
    /* A container joining a pid namespace with CAP_SYS_PTRACE (and no user
     * namespace) would see any init there that has not exec'd yet. */
    const struct spec_ns *pid = &s->linux_.ns[NS_PID];
    if (pid->path && spec_host_ptrace(s, &s->process)) {
        int found = selfexe_unsealed_in_pidns(pid->path, err);
        if (found < 0)
            return err_wrap(err, "linux.namespaces: pid");
        if (found > 0)
            return err_set(err, EPERM,
                           "linux.namespaces: pid: \"%s\" holds a container init that has not "
                           "started (pid %d); a process with CAP_SYS_PTRACE and no user namespace "
                           "could reach the moat binary through it (CVE-2019-5736): start that "
                           "container first",
                           pid->path, found);
    }
    /* The init is non-dumpable from the moment a process of the container
     * could see it, which closes /proc/<pid>/exe to everyone without
     * CAP_SYS_PTRACE in the host's user namespace; in a pid namespace of
     * the container's own, nothing else can come next to it. */
    if (!(pid->want && !pid->path) && seal_exe_reachable(s))
        return protect(err);
    return 0;
}
