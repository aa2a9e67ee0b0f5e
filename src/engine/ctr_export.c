/* ctr_export.c: see ctr_export.h. */
#include "ctr_export.h"
#include "ctr_root.h"
#include "tarwrite.h"

#include <stdbool.h>

int ctr_export(struct store *s, const char *what, int fd, merr_t *err)
{
    struct ctr_root r;
    if (ctr_root_open(s, what, CTR_ROOT_FS, &r, err) < 0)
        return -1;
    struct tarw w;
    int ret = tarw_open(&w, fd, r.base, false, err);
    if (ret == 0) {
        ret = tarw_tree(&w, r.fd, "", err);
        if (tarw_close(&w, ret == 0, err) < 0)
            ret = -1;
    }
    if (ret < 0)
        err_wrap(err, "export %s", what);
    ctr_root_close(&r);
    return ret;
}
