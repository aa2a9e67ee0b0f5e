/* Unit tests for the setup plan: which steps, in which order, for which
 * config. Pure: no privileges needed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/plan.h"
#include "oci/spec.h"

#define BASE                                                                                       \
    "{\"ociVersion\":\"1.1.0\",\"root\":{\"path\":\"rootfs\",\"readonly\":true},"                  \
    "\"process\":{\"cwd\":\"/\",\"args\":[\"sh\"]%s},"                                             \
    "\"mounts\":[{\"destination\":\"/proc\",\"type\":\"proc\",\"source\":\"proc\"},"               \
    "{\"destination\":\"/data\",\"type\":\"bind\",\"source\":\"/srv\",\"options\":[\"rbind\"]},"   \
    "{\"destination\":\"/sys\",\"type\":\"sysfs\",\"source\":\"sysfs\"},"                          \
    "{\"destination\":\"/sys/fs/cgroup\",\"type\":\"cgroup\",\"source\":\"cgroup\"}],"             \
    "\"linux\":{\"maskedPaths\":[\"/proc/kcore\"],\"readonlyPaths\":[\"/proc/sys\"]%s}}"

static struct spec *parse(const char *proc_extra, const char *linux_extra)
{
    char buf[4096];
    snprintf(buf, sizeof(buf), BASE, proc_extra, linux_extra);
    struct spec *s = NULL;
    merr_t err = MERR_INIT;
    if (spec_parse(buf, strlen(buf), "config.json", &s, &err) < 0)
        fail_msg("parse: %s", err.msg);
    return s;
}

/* index of the first step of kind k, or -1 */
static int find(const struct plan *p, enum step_kind k)
{
    for (size_t i = 0; i < p->n; i++)
        if (p->steps[i].kind == k)
            return (int)i;
    return -1;
}

static void build(const struct spec *s, struct plan *p)
{
    struct plan_opts o = {0};
    merr_t err = MERR_INIT;
    assert_int_equal(plan_build(s, &o, p, &err), 0);
}

#define NS_ALL                                                                                     \
    ",\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"mount\"},{\"type\":\"network\"},{\"type\":"   \
    "\"ipc\"},{\"type\":\"uts\"}]"

static void test_order(void **state)
{
    (void)state;
    /* (the last argument closes "linux" to add a prestart hook) */
    struct spec *s = parse(",\"noNewPrivileges\":true",
                           NS_ALL ",\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\"}},"
                                  "\"hooks\":{\"prestart\":[{\"path\":\"/bin/true\"}]");
    struct plan p;
    build(s, &p);
    int rootfs = find(&p, STEP_ROOTFS), mount = find(&p, STEP_MOUNT),
        hooks = find(&p, STEP_HOOKS_RUNTIME), pivot = find(&p, STEP_PIVOT_ROOT),
        mask = find(&p, STEP_MASK), ro = find(&p, STEP_READONLY),
        rootro = find(&p, STEP_ROOT_READONLY), wait = find(&p, STEP_WAIT_START),
        opencwd = find(&p, STEP_OPEN_CWD), nnp = find(&p, STEP_NO_NEW_PRIVS),
        user = find(&p, STEP_USER), caps = find(&p, STEP_CAPS), cwd = find(&p, STEP_CWD),
        sc = find(&p, STEP_SECCOMP), ex = find(&p, STEP_EXEC);
    assert_true(find(&p, STEP_ROOT_PRIVATE) < rootfs);
    assert_true(rootfs < mount && mount < hooks && hooks < pivot);
    /* masks and read-only paths after the filesystems they cover */
    assert_true(pivot < mask && mask < ro && ro < rootro);
    /* cwd resolved before seccomp, entered after the user switch */
    assert_true(opencwd < sc && user < cwd);
    /* with no_new_privs: seccomp as late as possible; everything is set up
     * before the init waits for start (as runc) */
    assert_true(nnp < user && user < caps && caps < cwd && cwd < sc && sc < wait && wait < ex);
    assert_int_equal(find(&p, STEP_SECCOMP_EARLY), -1);
    assert_int_equal(ex, (int)p.n - 1);
    assert_int_equal(find(&p, STEP_SETUID_ROOT), -1);
    /* the handover (state recorded) after all the setup the host sees,
     * before the user switch and any seccomp filter (it talks to the
     * runtime) */
    int hand = find(&p, STEP_HANDOVER);
    assert_true(find(&p, STEP_CLOSE_FDS) < hand && hand < nnp && hand < user && hand < sc);
    assert_true(mask < hand && rootro < hand && hooks < hand);
    /* one mount step per config mount, in order */
    size_t k = 0;
    for (size_t i = 0; i < p.n; i++)
        if (p.steps[i].kind == STEP_MOUNT)
            assert_int_equal(p.steps[i].idx, k++);
    assert_int_equal(k, 4);
    assert_int_equal(p.mount_kinds[0], MK_FS);
    assert_int_equal(p.mount_kinds[1], MK_BIND);
    assert_int_equal(p.mount_kinds[2], MK_FS);
    assert_int_equal(p.mount_kinds[3], MK_CGROUP);
    assert_int_equal(p.clone_flags,
                     CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS);
    assert_false(p.need_stage1);
    plan_free(&p);
    spec_free(s);
}

static void test_seccomp_without_nnp_is_early(void **state)
{
    (void)state;
    struct spec *s = parse("", NS_ALL ",\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\"}");
    struct plan p;
    build(s, &p);
    /* loading a filter without no_new_privs needs CAP_SYS_ADMIN: before
     * the capabilities are dropped */
    assert_true(find(&p, STEP_SECCOMP_EARLY) >= 0);
    assert_true(find(&p, STEP_SECCOMP_EARLY) < find(&p, STEP_USER));
    assert_true(find(&p, STEP_HANDOVER) < find(&p, STEP_SECCOMP_EARLY));
    assert_int_equal(find(&p, STEP_SECCOMP), -1);
    assert_int_equal(find(&p, STEP_NO_NEW_PRIVS), -1);
    /* no hooks: no round trip to the runtime for them */
    assert_int_equal(find(&p, STEP_HOOKS_RUNTIME), -1);
    plan_free(&p);
    spec_free(s);
}

static void test_userns(void **state)
{
    (void)state;
    struct spec *s =
        parse("", ",\"namespaces\":[{\"type\":\"user\"},{\"type\":\"mount\"},{\"type\":\"pid\"}],"
                  "\"uidMappings\":[{\"containerID\":0,\"hostID\":1000,\"size\":1}],"
                  "\"gidMappings\":[{\"containerID\":0,\"hostID\":1000,\"size\":1}]");
    struct plan p;
    build(s, &p);
    assert_int_equal(p.steps[0].kind, STEP_SETUID_ROOT);
    assert_true(p.userns_new);
    assert_true(p.clone_flags & CLONE_NEWUSER);
    /* sysfs needs a network namespace the user namespace owns: bind the host's */
    assert_int_equal(p.mount_kinds[2], MK_HOSTBIND);
    plan_free(&p);
    spec_free(s);
}

/* a user namespace joined by path: the init still becomes its root (setns
 * keeps the host's ids, which it does not map) */
static void test_joined_userns(void **state)
{
    (void)state;
    struct spec *s =
        parse("", ",\"namespaces\":[{\"type\":\"user\",\"path\":\"/proc/1/ns/user\"},"
                  "{\"type\":\"mount\"},{\"type\":\"ipc\",\"path\":\"/proc/1/ns/ipc\"}]");
    struct plan p;
    build(s, &p);
    assert_false(p.userns_new);
    assert_true(p.userns);
    assert_int_equal(p.steps[0].kind, STEP_SETUID_ROOT);
    plan_free(&p);
    spec_free(s);
}

static void test_joins_and_cgroupns(void **state)
{
    (void)state;
    struct spec *s = parse("", ",\"namespaces\":[{\"type\":\"mount\"},{\"type\":\"network\","
                               "\"path\":\"/run/netns/x\"},{\"type\":\"cgroup\"}]");
    struct plan p;
    build(s, &p);
    assert_true(p.need_stage1);
    assert_false(p.clone_flags & CLONE_NEWNET);
    /* the cgroup namespace is unshared by the init after it joined its cgroup */
    assert_false(p.clone_flags & CLONE_NEWCGROUP);
    assert_true(find(&p, STEP_UNSHARE_CGROUPNS) >= 0);
    assert_true(find(&p, STEP_UNSHARE_CGROUPNS) < find(&p, STEP_ROOTFS));
    /* a joined network namespace is someone else's: its lo is left alone */
    assert_int_equal(find(&p, STEP_LOOPBACK), -1);
    plan_free(&p);
    spec_free(s);
}

/* a network namespace of its own gets lo up, early (before anything
 * may drop the capability) */
static void test_loopback(void **state)
{
    (void)state;
    struct spec *s = parse("", NS_ALL);
    struct plan p;
    build(s, &p);
    assert_true(find(&p, STEP_LOOPBACK) >= 0);
    assert_true(find(&p, STEP_LOOPBACK) < find(&p, STEP_ROOTFS));
    plan_free(&p);
    spec_free(s);
    s = parse("", ",\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"mount\"}]");
    build(s, &p);
    assert_int_equal(find(&p, STEP_LOOPBACK), -1);
    plan_free(&p);
    spec_free(s);
}

static void test_no_mount_namespace(void **state)
{
    (void)state;
    struct spec *s = parse("", ",\"namespaces\":[{\"type\":\"pid\"}]");
    struct plan p;
    build(s, &p);
    assert_int_equal(find(&p, STEP_ROOTFS), -1);
    assert_int_equal(find(&p, STEP_MOUNT), -1);
    assert_int_equal(find(&p, STEP_PIVOT_ROOT), -1);
    assert_true(find(&p, STEP_CHROOT) >= 0);
    assert_int_equal(find(&p, STEP_MASK), -1);
    plan_free(&p);
    spec_free(s);
}

static void test_exec_plan(void **state)
{
    (void)state;
    struct spec *s = parse(",\"terminal\":true,\"noNewPrivileges\":true",
                           NS_ALL ",\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\"}");
    struct plan p;
    plan_build_exec(s, &p);
    assert_int_equal(p.steps[0].kind, STEP_CONSOLE);
    assert_int_equal(find(&p, STEP_MOUNT), -1);
    assert_int_equal(find(&p, STEP_WAIT_START), -1);
    assert_int_equal(find(&p, STEP_HANDOVER), -1);
    assert_true(find(&p, STEP_CLOSE_FDS) < find(&p, STEP_OPEN_CWD));
    assert_true(find(&p, STEP_USER) < find(&p, STEP_SECCOMP));
    assert_int_equal(p.steps[p.n - 1].kind, STEP_EXEC);
    plan_free(&p);
    spec_free(s);
}

static void test_describe(void **state)
{
    (void)state;
    struct spec *s = parse("", NS_ALL);
    struct plan p;
    build(s, &p);
    int m = find(&p, STEP_MOUNT);
    char *d = step_describe(s, &p, &p.steps[m + 1]);
    assert_string_equal(d, "mount[1] /data type=bind source=/srv (bind)");
    free(d);
    plan_free(&p);
    spec_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_order),
        cmocka_unit_test(test_seccomp_without_nnp_is_early),
        cmocka_unit_test(test_userns),
        cmocka_unit_test(test_joined_userns),
        cmocka_unit_test(test_joins_and_cgroupns),
        cmocka_unit_test(test_no_mount_namespace),
        cmocka_unit_test(test_loopback),
        cmocka_unit_test(test_exec_plan),
        cmocka_unit_test(test_describe),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
