/* test_vm_config.c: a container's config turned into its VM sandbox's
 * (runtime/handler/vm_config.h). */
#include "runtime/handler/vm_config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

static const struct vm_paths paths = {
    .skeleton = "/var/lib/moat/vm/root",
    .kernel = "/var/lib/moat/vm/vmlinux",
    .initrd = "/var/lib/moat/vm/initrd-x.cpio",
    .exe = "/usr/local/bin/moat",
    .ld_cache = "/etc/ld.so.cache",
    .rootfs = "/b/rootfs",
    .host_cpus = 2,
};

static json_t *cfg(const char *mounts)
{
    char *text = NULL;
    if (asprintf(&text,
                 "{\"ociVersion\":\"1.0.2\",\"hostname\":\"h1\","
                 "\"annotations\":{\"run.oci.handler\":\"vm\"},"
                 "\"root\":{\"path\":\"rootfs\"},"
                 "\"process\":{\"args\":[\"sh\"],\"env\":[\"A=b\"],\"cwd\":\"/\","
                 "\"user\":{\"uid\":1000,\"gid\":1000},\"capabilities\":{\"bounding\":[]},"
                 "\"landlock\":{}},"
                 "\"mounts\":%s,"
                 "\"linux\":{\"resources\":{\"memory\":{\"limit\":1073741824},"
                 "\"cpu\":{\"quota\":150000,\"period\":100000}}}}",
                 mounts) < 0)
        fail();
    json_error_t je;
    json_t *j = json_loads(text, 0, &je);
    free(text);
    assert_non_null(j);
    return j;
}

static json_t *mount_at(json_t *out, const char *dst)
{
    json_t *m;
    size_t i;
    json_array_foreach(json_object_get(out, "mounts"), i, m)
    {
        if (!strcmp(json_string_value(json_object_get(m, "destination")), dst))
            return m;
    }
    return NULL;
}

static json_t *spec_of(json_t *out)
{
    json_t *env = json_object_get(json_object_get(out, "process"), "env"), *e;
    size_t i;
    json_array_foreach(env, i, e)
    {
        const char *s = json_string_value(e);
        if (!strncmp(s, VM_SPEC_ENV "=", strlen(VM_SPEC_ENV) + 1))
            return json_loads(s + strlen(VM_SPEC_ENV) + 1, 0, NULL);
    }
    return NULL;
}

static void test_sandbox(void **state)
{
    (void)state;
    json_t *c = cfg("[{\"destination\":\"/proc\",\"type\":\"proc\",\"source\":\"proc\"},"
                    "{\"destination\":\"/dev/shm\",\"type\":\"tmpfs\",\"source\":\"shm\"},"
                    "{\"destination\":\"/data\",\"type\":\"bind\",\"source\":\"/v/x\","
                    "\"options\":[\"rbind\",\"rw\"]}]");
    assert_true(vm_wanted(c));
    merr_t err = MERR_INIT;
    json_t *out = vm_sandbox_config(c, &paths, &err);
    assert_non_null(out);
    /* the root is the skeleton, read-only; the image is shared at /rootfs */
    json_t *root = json_object_get(out, "root");
    assert_string_equal(json_string_value(json_object_get(root, "path")), paths.skeleton);
    assert_true(json_is_true(json_object_get(root, "readonly")));
    json_t *r = mount_at(out, "/rootfs");
    assert_non_null(r);
    assert_string_equal(json_string_value(json_object_get(r, "source")), "/b/rootfs");
    /* the container's bind under the share, never a device's way in */
    json_t *d = mount_at(out, "/rootfs/data");
    assert_non_null(d);
    char *opts = json_dumps(json_object_get(d, "options"), JSON_COMPACT);
    assert_string_equal(opts, "[\"rbind\",\"rw\",\"nodev\",\"nosuid\"]");
    free(opts);
    /* its kernel file systems are the guest's: not on the host side */
    assert_null(mount_at(out, "/rootfs/proc"));
    assert_null(mount_at(out, "/dev/shm"));
    assert_null(mount_at(out, "/rootfs/dev/shm"));
    /* the process is the supervisor, as the sandbox's root, no Landlock
     * of the container's (its own instead) */
    json_t *p = json_object_get(out, "process");
    assert_string_equal(json_string_value(json_array_get(json_object_get(p, "args"), 0)),
                        "/moat-vmm");
    assert_int_equal(json_integer_value(json_object_get(json_object_get(p, "user"), "uid")), 0);
    assert_true(json_is_true(json_object_get(p, "noNewPrivileges")));
    assert_non_null(json_object_get(p, "landlock"));
    /* the guest gets the process, the hostname, the kernel mounts */
    json_t *spec = spec_of(out);
    assert_non_null(spec);
    json_t *g = json_object_get(spec, "guest");
    assert_string_equal(json_string_value(json_object_get(g, "hostname")), "h1");
    json_t *gp = json_object_get(g, "process");
    assert_int_equal(json_integer_value(json_object_get(json_object_get(gp, "user"), "uid")), 1000);
    assert_null(json_object_get(gp, "landlock"));
    assert_int_equal(json_array_size(json_object_get(g, "mounts")), 2);
    /* 1 GiB less QEMU's share; 1.5 CPUs: 2 */
    assert_int_equal(json_integer_value(json_object_get(spec, "memory_mib")), 1024 - 192);
    assert_int_equal(json_integer_value(json_object_get(spec, "cpus")), 2);
    assert_string_equal(json_string_value(json_object_get(spec, "accel")), "tcg");
    json_decref(spec);
    json_decref(out);
    json_decref(c);
}

static void test_refused(void **state)
{
    (void)state;
    json_t *c = cfg("[{\"destination\":\"/x\",\"type\":\"overlay\",\"source\":\"o\"}]");
    merr_t err = MERR_INIT;
    assert_null(vm_sandbox_config(c, &paths, &err));
    assert_non_null(strstr(err.msg, "mounts[0]"));
    assert_non_null(strstr(err.msg, "overlay"));
    err_clear(&err);
    json_decref(c);
    c = cfg("[]");
    json_object_del(c, "annotations");
    assert_false(vm_wanted(c));
    json_decref(c);
}

static void test_size(void **state)
{
    (void)state;
    json_t *c = cfg("[]");
    unsigned mib, cpus;
    json_object_del(json_object_get(c, "linux"), "resources");
    vm_size(c, 2, &mib, &cpus);
    assert_int_equal(mib, 256);
    assert_int_equal(cpus, 1);
    json_object_set_new(json_object_get(c, "linux"), "resources",
                        json_pack("{s:{s:I},s:{s:I,s:I}}", "memory", "limit",
                                  (json_int_t)200 * 1024 * 1024, "cpu", "quota", (json_int_t)800000,
                                  "period", (json_int_t)100000));
    vm_size(c, 2, &mib, &cpus);
    assert_int_equal(mib, 128); /* at least */
    assert_int_equal(cpus, 2);  /* at most the host's */
    json_decref(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sandbox),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_size),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
