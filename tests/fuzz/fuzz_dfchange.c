/* fuzz_dfchange: the Dockerfile instructions of commit -c and import -c
 * (src/engine/dockerfile_change.c), which an API client will send: the
 * input is split at NUL bytes into several changes, applied to a config
 * like an image's; any bytes give a config or an error that says why,
 * never a crash, a leak or a hang, and an error leaves the config whole. */
#include "engine/dockerfile_change.h"
#include "util/util.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const char config[] =
    "{\"Cmd\":[\"sh\"],\"Env\":[\"PATH=/bin\",\"A=1\"],\"WorkingDir\":\"/w\","
    "\"Labels\":{\"k\":\"v\"},\"ExposedPorts\":{\"80/tcp\":{}}}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = xmalloc(size + 1);
    memcpy(text, data, size);
    text[size] = 0;
    char *changes[16];
    size_t n = 0;
    for (char *p = text; n < 16 && p <= text + size; p += strlen(p) + 1)
        changes[n++] = p;
    json_t *cfg = json_loads(config, 0, NULL);
    merr_t err = MERR_INIT;
    int r = dfc_apply(cfg, changes, n, &err);
    if (r < 0) {
        if (!err.msg)
            __builtin_trap(); /* a failure always says why */
        json_t *orig = json_loads(config, 0, NULL);
        if (!json_equal(orig, cfg))
            __builtin_trap(); /* and changes nothing */
        json_decref(orig);
    } else if (err.msg) {
        __builtin_trap();
    }
    err_clear(&err);
    json_decref(cfg);
    free(text);
    return 0;
}
