#include "apparmor.h"
#include "lsm.h"
#include "../util/fs.h"
#include "../util/util.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

char *apparmor_profile_text(const char *name)
{
    return xasprintf(
        "#include <tunables/global>\n"
        "\n"
        "profile %s flags=(attach_disconnected,mediate_deleted) {\n"
        "  #include <abstractions/base>\n"
        "\n"
        "  network inet,\n"
        "  network inet6,\n"
        "  network unix,\n"
        "  network netlink,\n"
        "  deny network raw,\n"
        "  deny network packet,\n"
        "  capability,\n"
        "  file,\n"
        "  umount,\n"
        "\n"
        "  # no mounts, no new roots\n"
        "  deny mount,\n"
        "  deny pivot_root,\n"
        "\n"
        "  # /proc: no writes outside the process' own directories\n"
        "  deny @{PROC}/* w,\n"
        "  deny @{PROC}/{[^1-9],[^1-9][^0-9],[^1-9s][^0-9y][^0-9s],[^1-9][^0-9][^0-9][^0-9/]*}/** "
        "w,\n"
        "  deny @{PROC}/sys/[^k]** w,\n"
        "  deny @{PROC}/sys/kernel/{?,??,[^s][^h][^m]**} w,\n"
        "  deny @{PROC}/sysrq-trigger rwklx,\n"
        "  deny @{PROC}/kcore rwklx,\n"
        "  deny @{PROC}/kallsyms rwklx,\n"
        "\n"
        "  # /sys: read-only except the container's cgroups\n"
        "  deny /sys/[^f]*/** wklx,\n"
        "  deny /sys/f[^s]*/** wklx,\n"
        "  deny /sys/fs/[^c]*/** wklx,\n"
        "  deny /sys/fs/c[^g]*/** wklx,\n"
        "  deny /sys/fs/cg[^r]*/** wklx,\n"
        "  deny /sys/firmware/** rwklx,\n"
        "  deny /sys/kernel/security/** rwklx,\n"
        "  deny /sys/kernel/debug/** rwklx,\n"
        "\n"
        "  # signals and ptrace only among the container's own processes\n"
        "  signal (receive) peer=unconfined,\n"
        "  signal (send,receive) peer=%s,\n"
        "  ptrace (trace,read,tracedby,readby) peer=%s,\n"
        "}\n",
        name, name, name);
}

static bool loaded(const char *name)
{
    char *text = NULL;
    if (read_file_at(AT_FDCWD, "/sys/kernel/security/apparmor/profiles", &text, NULL, NULL) < 0)
        return false;
    size_t nl = strlen(name);
    bool found = false;
    for (char *l = text; l && *l && !found;) {
        found = strncmp(l, name, nl) == 0 && l[nl] == ' ';
        l = strchr(l, '\n');
        if (l)
            l++;
    }
    free(text);
    return found;
}

int apparmor_ensure_loaded(const char *name, merr_t *err)
{
    if (strcmp(name, APPARMOR_DEFAULT_PROFILE) != 0 || !lsm_apparmor_enabled() || loaded(name))
        return 0;
    cleanup_free char *text = apparmor_profile_text(name);
    int p[2];
    if (pipe2(p, O_CLOEXEC) < 0)
        return err_sys(err, "process.apparmorProfile: pipe");
    pid_t c = fork();
    if (c == 0) {
        dup2(p[0], 0);
        execlp("apparmor_parser", "apparmor_parser", "-Kr", (char *)NULL);
        _exit(127);
    }
    close(p[0]);
    (void)write_all(p[1], text, strlen(text));
    close(p[1]);
    int st = 0;
    if (c < 0 || waitpid(c, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
        return err_set(err, 0,
                       "process.apparmorProfile: loading \"%s\" with apparmor_parser failed%s",
                       name, WIFEXITED(st) && WEXITSTATUS(st) == 127 ? " (not installed)" : "");
    return 0;
}
