/* platform.c: OCI platforms (see platform.h). */
#include "platform.h"

#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>

const char *platform_host(void)
{
    static char buf[80];
    if (!buf[0]) {
        struct utsname u;
        uname(&u);
        const char *arch = strcmp(u.machine, "x86_64") == 0    ? "amd64"
                           : strcmp(u.machine, "aarch64") == 0 ? "arm64"
                                                               : u.machine;
        snprintf(buf, sizeof(buf), "linux/%s", arch);
    }
    return buf;
}

int platform_check(const char *spec, merr_t *err)
{
    const char *mine = platform_host(), *arch = mine + 6;
    if (strcmp(spec, mine) == 0 || strcmp(spec, "linux") == 0 || strcmp(spec, arch) == 0)
        return 0;
    return err_set(err, 0,
                   "--platform \"%s\": this host runs %s containers (moat does not emulate other "
                   "platforms)",
                   spec, mine);
}
