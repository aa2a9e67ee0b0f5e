/* fuzz_manifest: image manifests and indexes as a registry or an archive
 * sends them (what load, the store and moat-fetch check), and the same
 * bytes as the index.json of the layout moat-fetch leaves for a pull. */
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
    json_t *ix = json_loadb((const char *)data, size, 0, NULL);
    const char *man, *rd;
    if (img_pulled_index_check(ix, &man, &rd, &err) == 0 &&
        (!digest_valid(man) || (rd && !digest_valid(rd))))
        __builtin_trap();
    json_decref(ix);
    err_clear(&err);
    return 0;
}
