/* fwctl: drives moat's firewall (src/net/fw.h, src/kernel/net/nft.h) for
 * the integration tests, until moat-net's `firewall` request does.
 *   fwctl print < state.json   the text of moat's tables
 *   fwctl apply < state.json   apply it (one transaction)
 *   fwctl flush                delete moat's tables
 *   fwctl apply-text < text    apply a text as it is (nft_apply's own tests)
 * The state is the JSON of moat-net's `firewall` request. Errors: one line
 * on stderr, exit 1; usage: exit 2. Not installed. */
#include "kernel/net/nft.h"
#include "net/fw.h"
#include "util/util.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

static int fail(merr_t *e)
{
    fprintf(stderr, "fwctl: %s\n", e->msg);
    err_clear(e);
    return 1;
}

static int apply_text(merr_t *e)
{
    struct sbuf b = {0};
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof(buf), stdin)) > 0)
        sbuf_add(&b, buf, n);
    cleanup_free char *text = sbuf_steal(&b);
    return nft_apply(text, e) < 0 ? fail(e) : 0;
}

int main(int argc, char **argv)
{
    merr_t e = MERR_INIT;
    if (argc == 2 && !strcmp(argv[1], "flush"))
        return nft_remove(&e) < 0 ? fail(&e) : 0;
    if (argc == 2 && !strcmp(argv[1], "apply-text"))
        return apply_text(&e);
    if (argc != 2 || (strcmp(argv[1], "print") && strcmp(argv[1], "apply"))) {
        fprintf(stderr, "usage: fwctl print|apply < state.json, fwctl apply-text < text, "
                        "fwctl flush\n");
        return 2;
    }
    json_error_t je;
    json_t *req = json_loadf(stdin, JSON_REJECT_DUPLICATES, &je);
    if (!req) {
        fprintf(stderr, "fwctl: the state: line %d: %s\n", je.line, je.text);
        return 1;
    }
    struct fw_state st;
    int r = fw_state_parse(req, &st, &e);
    json_decref(req);
    if (r < 0)
        return fail(&e);
    char *text = fw_ruleset(&st);
    fw_state_free(&st);
    if (!strcmp(argv[1], "print"))
        fputs(text, stdout);
    else
        r = nft_apply(text, &e);
    free(text);
    return r < 0 ? fail(&e) : 0;
}
