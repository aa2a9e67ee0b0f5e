/* fuzz_tmpl: --format templates (src/cli/tmpl.c) over a record shaped
 * like Docker's: any text gives an output or an error, never a crash,
 * a leak or a hang. */
#include "cli/tmpl.h"
#include "util/util.h"

#include <stdint.h>
#include <stdlib.h>

static const char record[] =
    "{\"Id\":\"abc\",\"Name\":\"/web\",\"State\":{\"Status\":\"running\",\"Running\":true,"
    "\"ExitCode\":0,\"Health\":null},\"Config\":{\"Cmd\":[\"sleep\",\"100\"],\"Env\":[\"A=1\"],"
    "\"Labels\":{\"k\":\"v\",\"a\":\"b\"}},\"Size\":1.5}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static json_t *dot;
    if (!dot)
        dot = json_loads(record, 0, NULL);
    char *t = xstrndup((const char *)data, size);
    merr_t err = MERR_INIT;
    char *out = tmpl_render(t, dot, &err);
    if (!out && !err.msg)
        __builtin_trap(); /* a failure always says why */
    free(out);
    err_clear(&err);
    free(t);
    return 0;
}
