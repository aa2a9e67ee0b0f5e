/* fuzz_manifest: image manifests and indexes as a registry or an archive
 * sends them (what load, the store and moat-fetch check). */
#include "oci/imgjson.h"
#include "oci/ref.h"
#include "util/util.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct img_manifest m;
    json_t *keep = NULL;
    merr_t err = MERR_INIT;
    if (img_manifest_parse((const char *)data, size, "manifest", &m, &keep, &err) == 0) {
        const struct img_desc *d = img_index_pick(&m);
        if (d && !digest_valid(d->digest))
            __builtin_trap();
        for (size_t i = 0; i < m.nlayers; i++)
            if (!digest_valid(m.layers[i].digest))
                __builtin_trap();
        if (!m.index && !digest_valid(m.config.digest))
            __builtin_trap();
        img_manifest_free(&m);
        json_decref(keep);
    }
    err_clear(&err);
    return 0;
}
