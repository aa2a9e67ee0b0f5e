/* fuzz_darchive: a docker-archive's manifest.json (what `moat load`
 * checks before it stores anything). */
#include "oci/imgjson.h"
#include "util/util.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *j = json_loadb((const char *)data, size, 0, NULL);
    if (!j)
        return 0;
    struct img_darchive *v;
    size_t n;
    merr_t err = MERR_INIT;
    if (img_darchive_check(j, &v, &n, &err) == 0) {
        for (size_t i = 0; i < n; i++)
            if (!v[i].config || strv_len((char **)v[i].layers) != v[i].nlayers)
                __builtin_trap();
        img_darchive_free(v, n);
    }
    err_clear(&err);
    json_decref(j);
    return 0;
}
