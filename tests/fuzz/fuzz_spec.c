/* fuzz_spec: config.json as the runtime reads it (spec_parse), the setup
 * plan built from it, its seccomp filter, and the same bytes as an exec
 * --process and an update --resources document. */
#include "runtime/plan.h"
#include "oci/spec.h"
#include "kernel/seccomp.h"
#include "util/util.h"

#include <jansson.h>
#include <stdint.h>
#include <string.h>

static void plan_all(const struct spec *s, bool rootless)
{
    struct plan p = {0};
    struct plan_opts o = {.rootless = rootless, .no_pivot = rootless};
    merr_t err = MERR_INIT;
    if (plan_build(s, &o, &p, &err) == 0)
        for (size_t i = 0; i < p.n; i++)
            free(step_describe(s, &p, &p.steps[i]));
    plan_free(&p);
    err_clear(&err);
    plan_build_exec(s, &p);
    plan_free(&p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    struct spec *s = NULL;
    merr_t err = MERR_INIT;
    if (spec_parse(text, size, "config.json", &s, &err) == 0) {
        plan_all(s, false);
        plan_all(s, true);
        if (s->linux_.seccomp) {
            struct seccomp_prog prog = {0};
            if (seccomp_compile(s->linux_.seccomp, &prog, &err) == 0)
                seccomp_prog_free(&prog);
        }
        spec_free(s);
    }
    err_clear(&err);
    struct spec_process p = {0};
    json_t *keep = NULL;
    if (spec_parse_process_json(text, size, "process.json", &p, &keep, &err) == 0) {
        spec_process_free(&p);
        json_decref(keep);
    }
    err_clear(&err);
    struct spec_resources r = {0};
    if (spec_parse_resources_json(text, size, "resources", &r, &keep, &err) == 0) {
        spec_resources_free(&r);
        json_decref(keep);
    }
    err_clear(&err);
    return 0;
}
