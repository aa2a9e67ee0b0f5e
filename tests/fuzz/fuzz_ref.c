/* fuzz_ref: image references as users, archives (RepoTags, index.json
 * annotations) and registries give them. */
#include "oci/imgjson.h"
#include "oci/ref.h"
#include "util/util.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = xstrndup((const char *)data, size);
    struct ref r;
    merr_t err = MERR_INIT;
    if (ref_parse(s, &r, &err) == 0) {
        char *full = ref_string(&r);
        char *fam = ref_familiar(full);
        /* what is printed parses back to the same reference */
        struct ref again;
        if (ref_parse(fam, &again, &err) != 0)
            __builtin_trap();
        char *full2 = ref_string(&again);
        if (strcmp(full, full2) != 0)
            __builtin_trap();
        free(full2);
        ref_free(&again);
        free(fam);
        free(full);
        ref_free(&r);
    }
    err_clear(&err);
    free(image_name_full(s, &err));
    err_clear(&err);
    if (digest_valid(s) && strlen(digest_hex(s)) != 64)
        __builtin_trap();
    free(s);
    return 0;
}
