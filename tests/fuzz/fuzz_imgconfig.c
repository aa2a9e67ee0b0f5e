/* fuzz_imgconfig: an image config (rootfs.diff_ids, and the Entrypoint,
 * Cmd, Env, User, WorkingDir and StopSignal a container record takes). */
#include "engine/ctr_config.h"
#include "oci/imgjson.h"
#include "util/util.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *c = json_loadb((const char *)data, size, 0, NULL);
    if (!c)
        return 0;
    char **ids = NULL;
    merr_t err = MERR_INIT;
    if (img_config_diff_ids(c, "config", (size_t)-1, &ids, &err) == 0)
        strv_free(ids);
    err_clear(&err);
    struct run_opts o;
    run_opts_init(&o);
    o.image = "img";
    json_t *layers = json_array();
    json_t *rec =
        ctr_record(NULL, &o, "0123456789abcdef0123456789abcdef", "name",
                   "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", c,
                   layers, 0, &err);
    json_decref(rec);
    json_decref(layers);
    err_clear(&err);
    run_opts_free(&o);
    json_decref(c);
    return 0;
}
