/* Unit tests for the config.json parser: valid input is decoded exactly,
 * and every invalid input is rejected with the JSON path and the reason. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <seccomp.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>

#include "oci/spec.h"
#include "util/util.h"

#define BASE_PROCESS "\"process\":{\"cwd\":\"/\",\"args\":[\"sh\"]}"
#define CFG(...) "{\"ociVersion\":\"1.1.0\",\"root\":{\"path\":\"rootfs\"}," __VA_ARGS__ "}"

static struct spec *parse_ok(const char *json)
{
    struct spec *s = NULL;
    merr_t err = MERR_INIT;
    int r = spec_parse(json, strlen(json), "config.json", &s, &err);
    if (r < 0)
        fail_msg("unexpected error: %s", err.msg);
    err_clear(&err);
    return s;
}

/* Parses `json`, expects failure and a message containing `want`. */
static void parse_bad(const char *json, const char *want)
{
    struct spec *s = NULL;
    merr_t err = MERR_INIT;
    int r = spec_parse(json, strlen(json), "config.json", &s, &err);
    if (r == 0) {
        spec_free(s);
        fail_msg("accepted invalid config, wanted error containing \"%s\"", want);
    }
    assert_non_null(err.msg);
    if (!strstr(err.msg, want))
        fail_msg("error \"%s\" does not contain \"%s\"", err.msg, want);
    err_clear(&err);
}

static void test_minimal(void **state)
{
    (void)state;
    struct spec *s = parse_ok(CFG(BASE_PROCESS));
    assert_string_equal(s->oci_version, "1.1.0");
    assert_string_equal(s->root_path, "rootfs");
    assert_false(s->root_readonly);
    assert_true(s->has_process);
    assert_string_equal(s->process.args[0], "sh");
    assert_null(s->process.args[1]);
    assert_string_equal(s->process.cwd, "/");
    assert_false(s->has_linux);
    spec_free(s);
}

static void test_unknown_fields_ignored(void **state)
{
    (void)state;
    struct spec *s =
        parse_ok(CFG(BASE_PROCESS ",\"unknown\":{\"x\":1},\"annotations\":{\"org.x\":\"\"}"));
    assert_int_equal(s->nannotations, 1);
    assert_string_equal(s->annotations[0].key, "org.x");
    spec_free(s);
}

static void test_top_level_errors(void **state)
{
    (void)state;
    parse_bad("{", "config.json: invalid JSON at line");
    parse_bad("[1]", "must be a JSON object");
    parse_bad("{\"root\":{\"path\":\"r\"}}", "ociVersion: is required");
    parse_bad("{\"ociVersion\":\"invalid\",\"root\":{\"path\":\"r\"}}",
              "ociVersion: unsupported version \"invalid\"");
    parse_bad("{\"ociVersion\":\"2.0.0\",\"root\":{\"path\":\"r\"}}", "ociVersion");
    parse_bad("{\"ociVersion\":\"1.0.2\"}", "root: is required");
    parse_bad("{\"ociVersion\":\"1.0.2\",\"root\":{}}", "root.path: is required");
    parse_bad("{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":7}}", "root.path: must be a string");
    parse_bad(CFG("\"process\":{\"args\":[\"sh\"]}"), "process.cwd: is required");
    parse_bad(CFG("\"process\":{\"cwd\":\"rel\",\"args\":[\"sh\"]}"),
              "process.cwd: must be an absolute path");
    parse_bad(CFG("\"process\":{\"cwd\":\"/\",\"args\":[\"sh\", 3]}"),
              "process.args[1]: must be a string");
    parse_bad(CFG("\"process\":{\"cwd\":\"/\",\"env\":[\"NOEQUALS\"]}"),
              "process.env[0]: must have the form KEY=VALUE");
    parse_bad(CFG(BASE_PROCESS ",\"hostname\":\"h\""), "hostname: requires a new UTS namespace");
}

static void test_caps(void **state)
{
    (void)state;
    struct spec *s = parse_ok(CFG("\"process\":{\"cwd\":\"/\",\"capabilities\":{\"bounding\":["
                                  "\"CAP_CHOWN\",\"CAP_SYS_ADMIN\"],\"ambient\":[]}}"));
    assert_true(s->process.has_caps);
    assert_true(s->process.caps.has[CAPSET_BOUNDING]);
    assert_int_equal(s->process.caps.set[CAPSET_BOUNDING], (1ULL << 0) | (1ULL << 21));
    assert_true(s->process.caps.has[CAPSET_AMBIENT]);
    assert_int_equal(s->process.caps.set[CAPSET_AMBIENT], 0);
    assert_false(s->process.caps.has[CAPSET_EFFECTIVE]);
    spec_free(s);
    parse_bad(CFG("\"process\":{\"cwd\":\"/\",\"capabilities\":{\"bounding\":[\"CAP_CHOWN\","
                  "\"CAP_TEST\"]}}"),
              "process.capabilities.bounding[1]: unknown capability \"CAP_TEST\"");
    /* names are exact: no lower case, no missing prefix in config.json */
    parse_bad(CFG("\"process\":{\"cwd\":\"/\",\"capabilities\":{\"permitted\":[\"chown\"]}}"),
              "unknown capability");
}

static void test_rlimits_user(void **state)
{
    (void)state;
    struct spec *s = parse_ok(
        CFG("\"process\":{\"cwd\":\"/\",\"user\":{\"uid\":1000,\"gid\":100,\"umask\":18,"
            "\"additionalGids\":[5,6]},\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"soft\":10,"
            "\"hard\":20}],\"oomScoreAdj\":-5,\"noNewPrivileges\":true}"));
    assert_int_equal(s->process.user.uid, 1000);
    assert_int_equal(s->process.user.gid, 100);
    assert_true(s->process.user.umask.has);
    assert_int_equal(s->process.user.umask.v, 18);
    assert_int_equal(s->process.user.ngids, 2);
    assert_int_equal(s->process.user.gids[1], 6);
    assert_int_equal(s->process.nrlimits, 1);
    assert_int_equal(s->process.rlimits[0].type, RLIMIT_NOFILE);
    assert_int_equal(s->process.rlimits[0].soft, 10);
    assert_true(s->process.oom_score_adj.has);
    assert_int_equal(s->process.oom_score_adj.v, -5);
    assert_true(s->process.no_new_privileges);
    spec_free(s);
    parse_bad(CFG("\"process\":{\"cwd\":\"/\",\"rlimits\":[{\"type\":\"RLIMIT_TEST\",\"soft\":1,"
                  "\"hard\":1}]}"),
              "process.rlimits[0].type: unknown rlimit \"RLIMIT_TEST\"");
    parse_bad(CFG("\"process\":{\"cwd\":\"/\",\"rlimits\":[{\"type\":\"RLIMIT_CORE\",\"soft\":5,"
                  "\"hard\":1}]}"),
              "process.rlimits[0]: soft limit 5 is above hard limit 1");
    parse_bad(CFG("\"process\":{\"cwd\":\"/\",\"rlimits\":[{\"type\":\"RLIMIT_CORE\"},{\"type\":"
                  "\"RLIMIT_CORE\"}]}"),
              "process.rlimits[1].type: duplicate rlimit");
    parse_bad(CFG("\"process\":{\"cwd\":\"/\",\"user\":{\"uid\":-1}}"),
              "process.user.uid: must be between 0 and 4294967295");
    parse_bad(CFG("\"process\":{\"cwd\":\"/\",\"oomScoreAdj\":1001}"),
              "process.oomScoreAdj: must be between -1000 and 1000");
}

static void test_namespaces_maps(void **state)
{
    (void)state;
    struct spec *s = parse_ok(
        CFG("\"linux\":{\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"network\",\"path\":"
            "\"/run/netns/x\"},{\"type\":\"user\"}],\"uidMappings\":[{\"containerID\":0,"
            "\"hostID\":100000,\"size\":65536}],\"gidMappings\":[{\"containerID\":0,\"hostID\":"
            "100000,\"size\":65536}]}"));
    assert_true(s->linux_.ns[NS_PID].want);
    assert_null(s->linux_.ns[NS_PID].path);
    assert_string_equal(s->linux_.ns[NS_NET].path, "/run/netns/x");
    assert_false(s->linux_.ns[NS_MNT].want);
    assert_int_equal(s->linux_.n_uid_mappings, 1);
    assert_int_equal(s->linux_.uid_mappings[0].host, 100000);
    spec_free(s);
    parse_bad(CFG("\"linux\":{\"namespaces\":[{\"type\":\"foo\"}]}"),
              "linux.namespaces[0].type: unknown namespace type \"foo\"");
    parse_bad(CFG("\"linux\":{\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"pid\"}]}"),
              "linux.namespaces[1].type: duplicate namespace");
    parse_bad(CFG("\"linux\":{\"namespaces\":[{\"type\":\"pid\",\"path\":\"rel\"}]}"),
              "linux.namespaces[0].path: must be an absolute path");
    parse_bad(CFG("\"linux\":{\"namespaces\":[{\"type\":\"user\"}],\"uidMappings\":[{"
                  "\"containerID\":0,\"hostID\":1,\"size\":0}]}"),
              "linux.uidMappings[0].size: must be greater than zero");
    parse_bad(CFG("\"linux\":{\"namespaces\":[{\"type\":\"user\"}]}"),
              "a new user namespace needs both uidMappings and gidMappings");
    parse_bad(CFG("\"linux\":{\"uidMappings\":[{\"containerID\":0,\"hostID\":1,\"size\":1}]}"),
              "there is no user namespace");
    parse_bad(CFG("\"linux\":{\"namespaces\":[{\"type\":\"user\"}],\"uidMappings\":[{"
                  "\"containerID\":0,\"hostID\":1,\"size\":10},{\"containerID\":5,\"hostID\":"
                  "100,\"size\":10}],\"gidMappings\":[]}"),
              "linux.uidMappings[1]: containerID range overlaps");
}

static void test_mounts(void **state)
{
    (void)state;
    struct spec *s = parse_ok(
        CFG("\"mounts\":[{\"destination\":\"/dev\",\"type\":\"tmpfs\",\"source\":\"tmpfs\","
            "\"options\":[\"nosuid\",\"strictatime\",\"mode=755\",\"size=65536k\"]},"
            "{\"destination\":\"/data\",\"source\":\"/srv\",\"options\":[\"rbind\",\"ro\","
            "\"rprivate\",\"x-foo\"]},{\"destination\":\"/b\",\"type\":\"bind\",\"source\":"
            "\"/srv\",\"options\":[\"rro\",\"rw\"]}]"));
    assert_int_equal(s->nmounts, 3);
    struct spec_mount *m = &s->mounts[0];
    assert_false(m->bind);
    assert_int_equal(m->flags, MS_NOSUID | MS_STRICTATIME);
    assert_string_equal(m->data, "mode=755,size=65536k");
    m = &s->mounts[1];
    assert_true(m->bind && m->rbind);
    assert_int_equal(m->flags, MS_RDONLY);
    assert_int_equal(m->propagation, MS_PRIVATE | MS_REC);
    assert_null(m->data); /* x-* never reaches the kernel */
    m = &s->mounts[2];
    assert_true(m->bind && !m->rbind);
    assert_int_equal(m->rec_flags, MS_RDONLY);
    assert_int_equal(m->clear, MS_RDONLY);
    spec_free(s);
    parse_bad(CFG("\"mounts\":[{\"type\":\"tmpfs\"}]"), "mounts[0].destination: is required");
    parse_bad(CFG("\"mounts\":[{\"destination\":\"rel\",\"type\":\"tmpfs\"}]"),
              "mounts[0].destination: must be an absolute path");
    parse_bad(CFG("\"mounts\":[{\"destination\":\"/x\",\"options\":[\"bind\"]}]"),
              "mounts[0].source: is required for a bind mount");
    parse_bad(CFG("\"mounts\":[{\"destination\":\"/x\"}]"),
              "mounts[0].type: is required unless the mount is a bind mount");
    parse_bad(CFG("\"mounts\":[{\"destination\":\"/x\",\"type\":\"tmpfs\",\"options\":["
                  "\"idmap\"]}]"),
              "idmap is only supported on bind mounts");
}

static void test_seccomp(void **state)
{
    (void)state;
    struct spec *s = parse_ok(
        CFG("\"linux\":{\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":38,"
            "\"architectures\":[\"SCMP_ARCH_X86_64\",\"SCMP_ARCH_X86\"],\"flags\":["
            "\"SECCOMP_FILTER_FLAG_LOG\"],\"syscalls\":[{\"names\":[\"read\",\"write\"],"
            "\"action\":\"SCMP_ACT_ALLOW\"},{\"names\":[\"personality\"],\"action\":"
            "\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,\"value\":8,\"op\":\"SCMP_CMP_EQ\"}]},"
            "{\"names\":[\"mount\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":1}]}}"));
    struct spec_seccomp *sc = s->linux_.seccomp;
    assert_non_null(sc);
    assert_int_equal(sc->default_action, SCMP_ACT_ERRNO(0));
    assert_true(sc->default_errno_ret.has);
    assert_int_equal(sc->default_errno_ret.v, 38);
    assert_int_equal(sc->narches, 2);
    assert_int_equal(sc->arches[0], SCMP_ARCH_X86_64);
    assert_int_equal(sc->nrules, 3);
    assert_int_equal(sc->rules[1].nargs, 1);
    assert_int_equal(sc->rules[1].args[0].op, SCMP_CMP_EQ);
    assert_int_equal(sc->rules[1].args[0].value, 8);
    assert_true(sc->rules[2].errno_ret.has);
    spec_free(s);
    parse_bad(CFG("\"linux\":{\"seccomp\":{\"defaultAction\":\"SCMP_ACT_FOO\"}}"),
              "linux.seccomp.defaultAction: unknown seccomp action \"SCMP_ACT_FOO\"");
    parse_bad(CFG("\"linux\":{\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{"
                  "\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\"},{\"names\":[\"x\"],"
                  "\"action\":\"SCMP_ACT_FOO\"}]}}"),
              "linux.seccomp.syscalls[1].action: unknown seccomp action");
    parse_bad(CFG("\"linux\":{\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{"
                  "\"names\":[\"read\"],\"action\":\"SCMP_ACT_ERRNO\",\"args\":[{\"index\":6,"
                  "\"value\":1,\"op\":\"SCMP_CMP_EQ\"}]}]}}"),
              "linux.seccomp.syscalls[0].args[0].index: must be between 0 and 5");
    parse_bad(CFG("\"linux\":{\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"architectures\":"
                  "[\"SCMP_ARCH_Z80\"]}}"),
              "linux.seccomp.architectures[0]: unknown architecture");
    parse_bad(CFG("\"linux\":{\"seccomp\":{\"defaultAction\":\"SCMP_ACT_NOTIFY\"}}"),
              "linux.seccomp.listenerPath: is required when SCMP_ACT_NOTIFY is used");
}

static void test_resources(void **state)
{
    (void)state;
    struct spec *s = parse_ok(
        CFG("\"linux\":{\"resources\":{\"memory\":{\"limit\":67108864,\"swap\":-1},\"cpu\":{"
            "\"quota\":50000,\"period\":100000,\"cpus\":\"0-1\"},\"pids\":{\"limit\":10},"
            "\"devices\":[{\"allow\":false,\"access\":\"rwm\"},{\"allow\":true,\"type\":\"c\","
            "\"major\":1,\"minor\":3,\"access\":\"rw\"}],\"unified\":{\"memory.high\":\"max\"}}}"));
    struct spec_resources *r = &s->linux_.resources;
    assert_true(s->linux_.has_resources);
    assert_true(r->memory.limit.has);
    assert_int_equal(r->memory.limit.v, 67108864);
    assert_int_equal(r->memory.swap.v, -1);
    assert_false(r->memory.reservation.has);
    assert_int_equal(r->cpu.quota.v, 50000);
    assert_string_equal(r->cpu.cpus, "0-1");
    assert_int_equal(r->pids_limit.v, 10);
    assert_int_equal(r->ndevices, 2);
    assert_int_equal(r->devices[0].type, 'a');
    assert_int_equal(r->devices[0].major, -1);
    assert_int_equal(r->devices[1].minor, 3);
    assert_string_equal(r->devices[1].access, "rw");
    assert_int_equal(r->nunified, 1);
    spec_free(s);
    parse_bad(CFG("\"linux\":{\"resources\":{\"unified\":{\"../../etc/x\":\"1\"}}}"),
              "linux.resources.unified.../../etc/x: is not a cgroup v2 controller file name");
    parse_bad(CFG("\"linux\":{\"resources\":{\"devices\":[{\"allow\":true,\"access\":\"rwx\"}]}}"),
              "linux.resources.devices[0].access: must be a combination of r, w and m");
    parse_bad(CFG("\"linux\":{\"resources\":{\"memory\":{\"swappiness\":101}}}"),
              "linux.resources.memory.swappiness: must be between 0 and 100");
    parse_bad(CFG("\"linux\":{\"resources\":{\"memory\":{\"limit\":\"1g\"}}}"),
              "linux.resources.memory.limit: must be an integer, not a string");
    parse_bad(CFG("\"linux\":{\"resources\":{\"blockIO\":{\"weight\":5}}}"),
              "linux.resources.blockIO.weight: must be between 10 and 1000");
    parse_bad(CFG("\"linux\":{\"resources\":{\"hugepageLimits\":[{\"pageSize\":\"2XB\"}]}}"),
              "linux.resources.hugepageLimits[0].pageSize: must look like 2MB");
    parse_bad(CFG("\"linux\":{\"cgroupsPath\":\"/a/../../b\"}"),
              "linux.cgroupsPath: must not contain \"..\"");
}

static void test_devices_hooks(void **state)
{
    (void)state;
    struct spec *s = parse_ok(CFG(
        "\"linux\":{\"devices\":[{\"type\":\"c\",\"path\":\"/dev/fuse\",\"major\":10,"
        "\"minor\":229,\"fileMode\":438},{\"type\":\"p\",\"path\":\"/dev/fifo\"}]},"
        "\"hooks\":{\"prestart\":[{\"path\":\"/bin/true\",\"args\":[\"true\"],\"timeout\":5}]}"));
    assert_int_equal(s->linux_.ndevices, 2);
    assert_int_equal(s->linux_.devices[0].type, 'c');
    assert_int_equal(s->linux_.devices[0].minor, 229);
    assert_int_equal(s->linux_.devices[0].mode.v, 0666);
    assert_false(s->linux_.devices[0].uid.has);
    assert_int_equal(s->nhooks[HOOK_PRESTART], 1);
    assert_int_equal(s->hooks[HOOK_PRESTART][0].timeout.v, 5);
    spec_free(s);
    parse_bad(CFG("\"linux\":{\"devices\":[{\"type\":\"x\",\"path\":\"/dev/a\"}]}"),
              "linux.devices[0].type: must be one of c, b, u, p");
    parse_bad(CFG("\"linux\":{\"devices\":[{\"type\":\"c\",\"path\":\"/dev/a\"}]}"),
              "linux.devices[0].major: is required");
    parse_bad(CFG("\"linux\":{\"devices\":[{\"type\":\"c\",\"path\":\"/etc/a\",\"major\":1,"
                  "\"minor\":1}]}"),
              "linux.devices[0].path: must be below /dev");
    parse_bad(CFG("\"hooks\":{\"poststop\":[{\"path\":\"/bin/true\",\"timeout\":0}]}"),
              "hooks.poststop[0].timeout: must be greater than zero");
    parse_bad(CFG("\"hooks\":{\"prestart\":[{\"path\":\"true\"}]}"),
              "hooks.prestart[0].path: must be an absolute path");
}

/* what the input cannot carry into a message: megabytes, NUL bytes, numbers
 * jansson cannot hold (its own message would not name the field) */
static void test_bad_input_named(void **state)
{
    (void)state;
    parse_bad(CFG("\"process\":{\"cwd\":\"/\",\"args\":[\"a\\u0000b\"]}"),
              "config.json: process.args[0]: contains a NUL byte");
    parse_bad(CFG("\"process\":{\"cwd\":\"/\",\"args\":[\"a\",\"b\"],"
                  "\"env\":[\"A=1\",\"B=\\u0000\"]}"),
              "config.json: process.env[1]: contains a NUL byte");
    parse_bad(CFG("\"linux\":{\"sysctl\":{\"a\":\"1\",\"b\\u0000\":\"1\"}}"),
              "config.json: linux.sysctl: an object key contains a NUL byte");
    parse_bad(CFG("\"process\":{\"cwd\":\"/\",\"user\":{\"uid\":99999999999999999999}}"),
              "config.json: process.user.uid: integer out of range");
    parse_bad(CFG("\"linux\":{\"uidMappings\":[{\"size\":1},{\"size\":-99999999999999999999}]}"),
              "config.json: linux.uidMappings[1].size: integer out of range");
    parse_bad(CFG("\"linux\":{\"resources\":{\"cpu\":{\"quota\": 1e999}}}"),
              "config.json: linux.resources.cpu.quota: number out of range");
    /* a value or key quoted in a message is cut to 64 bytes */
    struct sbuf b = {0};
#define PRE "{\"ociVersion\":\"1.1.0\",\"root\":{\"path\":\"rootfs\"},"
    sbuf_puts(&b, PRE "\"process\":{\"cwd\":\"");
    for (int i = 0; i < 100000; i++)
        sbuf_puts(&b, "abcdefghij");
    sbuf_puts(&b, "\"}}");
    char *want = xasprintf("config.json: process.cwd: must be an absolute path (\"%.64s...\")",
                           b.buf + strlen(PRE "\"process\":{\"cwd\":\""));
    struct spec *s = NULL;
    merr_t err = MERR_INIT;
    assert_int_equal(spec_parse(b.buf, b.len, "config.json", &s, &err), -1);
    assert_string_equal(err.msg, want);
    err_clear(&err);
    free(want);
    free(b.buf);
    b = (struct sbuf){0};
    sbuf_puts(&b, PRE "\"annotations\":{\"a");
    for (int i = 0; i < 100000; i++)
        sbuf_puts(&b, "\xc3\xa9"); /* 2 bytes: 64 is inside one, the cut keeps 63 */
    sbuf_puts(&b, "\":1}}");
    assert_int_equal(spec_parse(b.buf, b.len, "config.json", &s, &err), -1);
    struct sbuf w = {0};
    sbuf_puts(&w, "config.json: annotations.a");
    for (int i = 0; i < 31; i++)
        sbuf_puts(&w, "\xc3\xa9");
    sbuf_puts(&w, "...: must be a string, not an integer");
    want = sbuf_steal(&w);
#undef PRE
    assert_string_equal(err.msg, want);
    err_clear(&err);
    free(want);
    free(b.buf);
    parse_bad(CFG("\"linux\":{\"devices\":[{\"type\":\"c\",\"path\":\"/dev/../etc/a\","
                  "\"major\":1,\"minor\":1}]}"),
              "linux.devices[0].path: must be below /dev (\"/dev/../etc/a\")");
    parse_bad(CFG("\"linux\":{\"devices\":[{\"type\":\"c\",\"path\":\"/dev/a/..\","
                  "\"major\":1,\"minor\":1}]}"),
              "linux.devices[0].path: must be below /dev");
}

static void test_process_json(void **state)
{
    (void)state;
    struct spec_process p = {0};
    json_t *keep = NULL;
    merr_t err = MERR_INIT;
    const char *j = "{\"cwd\":\"/tmp\",\"args\":[\"ls\"],\"terminal\":true}";
    assert_int_equal(spec_parse_process_json(j, strlen(j), "process.json", &p, &keep, &err), 0);
    assert_true(p.terminal);
    assert_string_equal(p.cwd, "/tmp");
    spec_process_free(&p);
    json_decref(keep);
    j = "{\"args\":[\"ls\"]}";
    assert_int_equal(spec_parse_process_json(j, strlen(j), "process.json", &p, &keep, &err), -1);
    assert_string_equal(err.msg, "process.json: cwd: is required");
    err_clear(&err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_minimal),          cmocka_unit_test(test_unknown_fields_ignored),
        cmocka_unit_test(test_top_level_errors), cmocka_unit_test(test_caps),
        cmocka_unit_test(test_rlimits_user),     cmocka_unit_test(test_namespaces_maps),
        cmocka_unit_test(test_mounts),           cmocka_unit_test(test_seccomp),
        cmocka_unit_test(test_resources),        cmocka_unit_test(test_devices_hooks),
        cmocka_unit_test(test_process_json),     cmocka_unit_test(test_bad_input_named),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
