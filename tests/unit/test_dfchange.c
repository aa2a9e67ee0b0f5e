/* test_dfchange.c: the Dockerfile instructions of commit -c and import -c
 * (src/engine/dockerfile_change.h): Docker's forms, and untrusted strings
 * refused whole. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "engine/dockerfile_change.h"
#include "util/util.h"

#include <stdlib.h>
#include <string.h>

/* cfg (JSON text) with the changes applied, as compact JSON; NULL and
 * *msg on an error */
static char *apply(const char *cfg, char **changes, size_t n, char **msg)
{
    json_t *c = json_loads(cfg, 0, NULL);
    assert_non_null(c);
    cleanup_free char *before = json_dumps(c, JSON_COMPACT | JSON_SORT_KEYS);
    merr_t e = MERR_INIT;
    int r = dfc_apply(c, changes, n, &e);
    assert_true((r < 0) == (e.msg != NULL));
    char *out = json_dumps(c, JSON_COMPACT | JSON_SORT_KEYS);
    if (r < 0) {
        /* all or nothing: the config is as it was */
        assert_string_equal(out, before);
        free(out);
        out = NULL;
    }
    *msg = e.msg;
    json_decref(c);
    return out;
}

static void ok(const char *cfg, const char *change, const char *want)
{
    char *msg;
    char *ch[] = {(char *)change};
    char *got = apply(cfg, ch, 1, &msg);
    if (!got || strcmp(got, want))
        fail_msg("%s: got %s (%s), want %s", change, got ? got : "error", msg ? msg : "", want);
    free(got);
}

static void refused(const char *change, const char *want)
{
    char *msg = NULL;
    char *ch[] = {(char *)change};
    char *got = apply("{\"User\":\"u\"}", ch, 1, &msg);
    if (got || !msg || !strstr(msg, want))
        fail_msg("%.60s: got \"%s\", want \"%s\"", change, msg ? msg : got, want);
    free(msg);
}

static void test_forms(void **state)
{
    (void)state;
    ok("{}", "CMD [\"a\", \"b c\"]", "{\"Cmd\":[\"a\",\"b c\"]}");
    ok("{}", "cmd echo $HOME  ", "{\"Cmd\":[\"/bin/sh\",\"-c\",\"echo $HOME\"]}");
    /* not a JSON array of strings: the shell form, as Docker does */
    ok("{}", "CMD [\"a\", 1]", "{\"Cmd\":[\"/bin/sh\",\"-c\",\"[\\\"a\\\", 1]\"]}");
    /* ENTRYPOINT resets a Cmd no CMD of the list set */
    ok("{\"Cmd\":[\"x\"]}", "ENTRYPOINT [\"e\"]", "{\"Cmd\":null,\"Entrypoint\":[\"e\"]}");
    ok("{}", "ENV A=1 B=\"two words\" C='q' D=a\\ b",
       "{\"Env\":[\"A=1\",\"B=two words\",\"C=q\",\"D=a b\"]}");
    ok("{\"Env\":[\"A=0\",\"P=/bin\"]}", "ENV A 1 2", "{\"Env\":[\"A=1 2\",\"P=/bin\"]}");
    ok("{}", "LABEL a=b \"c d\"=e", "{\"Labels\":{\"a\":\"b\",\"c d\":\"e\"}}");
    ok("{}", "EXPOSE 80 53/UDP 1000-1001/tcp",
       "{\"ExposedPorts\":{\"1000/tcp\":{},\"1001/tcp\":{},\"53/udp\":{},\"80/tcp\":{}}}");
    ok("{}", "VOLUME [\"/a\", \"/b\"]", "{\"Volumes\":{\"/a\":{},\"/b\":{}}}");
    ok("{}", "VOLUME /a /b", "{\"Volumes\":{\"/a\":{},\"/b\":{}}}");
    ok("{}", "USER 1000:1000", "{\"User\":\"1000:1000\"}");
    ok("{}", "STOPSIGNAL SIGINT", "{\"StopSignal\":\"SIGINT\"}");
    ok("{\"WorkingDir\":\"/a/b\"}", "WORKDIR ../c/./d/", "{\"WorkingDir\":\"/a/c/d\"}");
    ok("{}", "WORKDIR /../x", "{\"WorkingDir\":\"/x\"}");
    ok("{}", "WORKDIR rel", "{\"WorkingDir\":\"/rel\"}");
}

static void test_variables(void **state)
{
    (void)state;
    const char *cfg = "{\"Env\":[\"PATH=/bin\",\"E=\"]}";
    ok(cfg, "ENV PATH=$PATH:/x", "{\"Env\":[\"PATH=/bin:/x\",\"E=\"]}");
    /* single quotes and backslashes keep a '$'; defaults and alternatives */
    ok(cfg, "LABEL a=${PATH}b c='$PATH' d=\\$PATH e=${NO:-def} f=${PATH:+set} g=${E:-empty} h=$",
       "{\"Env\":[\"PATH=/bin\",\"E=\"],\"Labels\":{\"a\":\"/binb\",\"c\":\"$PATH\","
       "\"d\":\"$PATH\",\"e\":\"def\",\"f\":\"set\",\"g\":\"empty\",\"h\":\"$\"}}");
    /* the Env before the instruction, as Docker does */
    ok(cfg, "ENV PATH=/new Q=$PATH", "{\"Env\":[\"PATH=/new\",\"E=\",\"Q=/bin\"]}");
    ok(cfg, "USER ${U:-nobody}", "{\"Env\":[\"PATH=/bin\",\"E=\"],\"User\":\"nobody\"}");
    ok(cfg, "WORKDIR \"$PATH/a b\"",
       "{\"Env\":[\"PATH=/bin\",\"E=\"],\"WorkingDir\":\"/bin/a b\"}");
    /* never in CMD */
    ok("{}", "CMD echo $HOME", "{\"Cmd\":[\"/bin/sh\",\"-c\",\"echo $HOME\"]}");
    /* an unset variable leaves no argument */
    char *msg = NULL;
    char *ch[] = {"WORKDIR $NOPE"};
    assert_null(apply(cfg, ch, 1, &msg));
    assert_non_null(strstr(msg, "exactly one argument"));
    free(msg);
    /* bounded: a large value used many times */
    struct sbuf b = {0};
    sbuf_puts(&b, "{\"Env\":[\"BIG=");
    for (int i = 0; i < 60000; i++)
        sbuf_puts(&b, "x");
    sbuf_puts(&b, "\"]}");
    char *bomb[] = {
        "LABEL a=$BIG$BIG$BIG$BIG$BIG$BIG$BIG$BIG$BIG$BIG$BIG$BIG$BIG$BIG$BIG$BIG$BIG$BIG"
        "$BIG$BIG b=$BIG$BIG$BIG$BIG$BIG$BIG$BIG$BIG$BIG$BIG$BIG$BIG$BIG$BIG$BIG$BIG"};
    assert_null(apply(b.buf, bomb, 1, &msg));
    assert_non_null(strstr(msg, "expands to more than"));
    free(msg);
    free(b.buf);
}

static void test_order(void **state)
{
    (void)state;
    /* a CMD before the ENTRYPOINT stays */
    char *ch[] = {"CMD [\"c\"]", "ENTRYPOINT [\"e\"]", "WORKDIR /a", "WORKDIR b"};
    char *msg;
    char *got = apply("{}", ch, 4, &msg);
    assert_non_null(got);
    assert_string_equal(got, "{\"Cmd\":[\"c\"],\"Entrypoint\":[\"e\"],\"WorkingDir\":\"/a/b\"}");
    free(got);
    /* one bad change: none applied */
    char *bad[] = {"USER x", "EXPOSE 0"};
    got = apply("{}", bad, 2, &msg);
    assert_null(got);
    assert_non_null(strstr(msg, "EXPOSE 0"));
    free(msg);
}

static void test_refused(void **state)
{
    (void)state;
    refused("RUN rm -rf /", "RUN is not a valid change command");
    refused("FROM scratch", "FROM is not a valid change command");
    refused("ONBUILD RUN x", "ONBUILD is not supported");
    refused("HEALTHCHECK NONE", "HEALTHCHECK is not supported");
    refused("", "an empty instruction");
    refused("   ", "an empty instruction");
    refused("EXPOSE 65536", "invalid port");
    refused("EXPOSE 0", "invalid port");
    refused("EXPOSE 9-3", "invalid port");
    refused("EXPOSE -1", "invalid port");
    refused("EXPOSE 80/icmp", "not tcp, udp or sctp");
    refused("EXPOSE", "needs at least one port");
    refused("ENV", "needs at least one argument");
    refused("ENV A", "needs a value");
    refused("ENV A=1 B", "\"B\": not KEY=VALUE");
    refused("ENV =1", "not KEY=VALUE");
    refused("ENV A=\"open", "unterminated quote");
    refused("USER a b", "exactly one argument");
    refused("WORKDIR", "exactly one argument");
    refused("STOPSIGNAL SIGNOPE", "invalid signal");
    refused("VOLUME [\"\"]", "an empty path");
    refused("CMD a\nRUN b", "one line");
    refused("USER \xff", "not UTF-8");
    /* bounded: length, words, ports */
    struct sbuf b = {0};
    sbuf_puts(&b, "ENV ");
    for (int i = 0; i < DFC_MAX_WORDS + 1; i++)
        sbuf_puts(&b, "a=b ");
    refused(b.buf, "more than 4096 words");
    free(b.buf);
    char *big = xmalloc(DFC_MAX_LEN + 16);
    memset(big, 'x', DFC_MAX_LEN + 15);
    memcpy(big, "CMD ", 4);
    big[DFC_MAX_LEN + 15] = 0;
    refused(big, "at most");
    free(big);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_forms),
        cmocka_unit_test(test_variables),
        cmocka_unit_test(test_order),
        cmocka_unit_test(test_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
