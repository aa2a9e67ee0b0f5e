/* fuzz_imgconfig: an image config (rootfs.diff_ids, and the Entrypoint,
 * Cmd, Env, User, WorkingDir, StopSignal and Healthcheck a container
 * record takes; the Healthcheck also with --health-* flags over it). */
#include "engine/ctr_config.h"
#include "oci/healthcfg.h"
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
    /* the merge with flags, and the monitor's reading of the result */
    o.health_cmd = "true";
    o.health_interval = (int64_t)size * 1000;
    rec = ctr_record(NULL, &o, "0123456789abcdef0123456789abcdef", "name",
                     "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", c,
                     layers, 0, &err);
    err_clear(&err);
    struct health_cfg hc;
    if (health_cfg_from_json(json_object_get(json_object_get(c, "config"), "Healthcheck"), "hc",
                             &hc, &err) == 0)
        health_cfg_free(&hc);
    err_clear(&err);
    json_decref(rec);
    json_decref(layers);
    err_clear(&err);
    run_opts_free(&o);
    json_decref(c);
    return 0;
}
