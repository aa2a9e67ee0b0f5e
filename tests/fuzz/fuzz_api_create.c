/* fuzz_api_create: a Docker API create body, as any client of the API
 * daemon may send, through api_create_opts and the restricted caller's
 * policy. The input is the JSON body. */
#include "daemon/api_create.h"
#include "daemon/policy.h"
#include "util/util.h"

#include <stdint.h>
#include <string.h>

static bool owns(const char *kind, const char *name, void *ctx)
{
    (void)ctx;
    return strlen(kind) && name && name[0] == 'm';
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *j = json_loadb((const char *)data, size, 0, NULL);
    struct run_opts o;
    merr_t err = MERR_INIT;
    run_opts_init(&o);
    if (j && api_create_opts(j, "fz", "1.41", &o, &err) == 0) {
        /* a translation is whole: the image is there */
        if (!o.image || !*o.image)
            __builtin_trap();
        api_policy_create(&o, owns, NULL, &err);
    } else if (j && !err.msg) {
        __builtin_trap(); /* a refusal says why */
    }
    err_clear(&err);
    run_opts_free(&o);
    json_decref(j);
    return 0;
}
