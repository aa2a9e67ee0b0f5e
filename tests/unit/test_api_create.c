/* test_api_create: Docker API create bodies into run_opts
 * (src/daemon/api_create.c) and the restricted caller's policy
 * (src/daemon/policy.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "daemon/api_create.h"
#include "daemon/policy.h"
#include "util/util.h"
#include "api_bodies.h"

#include <string.h>

static int translate(const char *body, const char *name, struct run_opts *o, merr_t *err)
{
    json_t *j = json_loads(body, 0, NULL);
    assert_non_null(j);
    run_opts_init(o);
    int r = api_create_opts(j, name, "1.41", o, err);
    json_decref(j);
    return r;
}

static const struct api_body *find(const char *what)
{
    for (size_t i = 0; i < ARRAY_SIZE(api_bodies); i++)
        if (!strcmp(api_bodies[i].what, what))
            return &api_bodies[i];
    fail_msg("no body %s", what);
    return NULL;
}

static void all_real_bodies(void **state)
{
    (void)state;
    for (size_t i = 0; i < ARRAY_SIZE(api_bodies); i++) {
        struct run_opts o;
        merr_t err = MERR_INIT;
        int r = translate(api_bodies[i].json, api_bodies[i].name, &o, &err);
        if (r != 0)
            fail_msg("%s: %s", api_bodies[i].what, err.msg);
        err_clear(&err);
        run_opts_free(&o);
    }
}

static void docker28_ports(void **state)
{
    (void)state;
    struct run_opts o;
    merr_t err = MERR_INIT;
    assert_int_equal(translate(find("docker28 run -d -p 8080:80 -p 127.0.0.1:8081:80/udp")->json,
                               "web", &o, &err),
                     0);
    assert_string_equal(o.name, "web");
    assert_string_equal(o.image, "bb");
    assert_int_equal(strv_len(o.cmd), 4);
    assert_null(o.entrypoint);
    json_t *b = json_object_get(o.port_bindings, "80/udp");
    assert_string_equal(json_string_value(json_object_get(json_array_get(b, 0), "HostIp")),
                        "127.0.0.1");
    assert_string_equal(json_string_value(json_object_get(json_array_get(b, 0), "HostPort")),
                        "8081");
    assert_non_null(json_object_get(o.exposed, "80/tcp"));
    /* Docker's "not given" zeros stay not given */
    assert_null(json_object_get(o.hc, "NetworkMode"));
    assert_null(json_object_get(o.hc, "Dns"));
    assert_null(o.restart);
    assert_null(o.endpoint);
    run_opts_free(&o);
}

static void docker28_many(void **state)
{
    (void)state;
    struct run_opts o;
    merr_t err = MERR_INIT;
    assert_int_equal(translate(find("docker28 (many flags)")->json, "full", &o, &err), 0);
    assert_string_equal(o.workdir, "/tmp");
    assert_string_equal(o.user, "1000:1000");
    assert_string_equal(o.hostname, "hh");
    assert_string_equal(o.domainname, "dd");
    assert_string_equal(o.stop_signal, "SIGINT");
    assert_int_equal(o.stop_timeout, 5);
    assert_string_equal(o.health_cmd, "true");
    assert_int_equal(o.health_interval, 5000000000LL);
    assert_int_equal(o.health_retries, 3);
    assert_int_equal(o.po.memory, 64 << 20);
    assert_int_equal(o.memory_swap, 128 << 20);
    assert_int_equal(o.memory_reservation, 32 << 20);
    assert_true(o.cpus > 1.49 && o.cpus < 1.51);
    assert_int_equal(o.cpu_shares, 512);
    assert_string_equal(o.cpuset_cpus, "0-1");
    assert_int_equal(o.po.pids, 100);
    assert_true(o.read_only);
    assert_true(o.init);
    assert_string_equal(o.restart, "on-failure:3");
    assert_int_equal(o.shm_size, 128 << 20);
    assert_int_equal(o.oom_score_adj, 100);
    assert_string_equal(o.entrypoint, "/bin/sh");
    assert_string_equal(o.cmd[0], "-c");
    assert_string_equal(o.env[0], "A=1");
    assert_string_equal(o.ulimits[0], "nofile=1024:2048");
    assert_string_equal(o.sysctls[0], "net.ipv4.ip_forward=1");
    assert_string_equal(json_string_value(json_object_get(o.hc, "NetworkMode")), "mnet");
    assert_string_equal(
        json_string_value(json_array_get(json_object_get(o.endpoint, "Aliases"), 0)), "al");
    assert_true(o.po.cap_drop == ~0ULL);
    assert_true(o.po.cap_add != 0);
    assert_true(o.storage_size > 0);
    /* -v vol1:/data:ro, -v /srv:/srv, --mount type=volume,source=v2 */
    assert_int_equal(o.nmounts, 3);
    assert_true(o.mounts[0].volume && o.mounts[0].ro);
    assert_false(o.mounts[1].volume);
    assert_string_equal(o.mounts[2].src, "v2");
    run_opts_free(&o);
}

static void compose(void **state)
{
    (void)state;
    struct run_opts o;
    merr_t err = MERR_INIT;
    assert_int_equal(translate(find("docker-compose 1.29.2 up")->json, "mproj_web_1", &o, &err), 0);
    /* Volumes /data and /site are the binds' targets: no anonymous ones */
    assert_int_equal(o.nmounts, 2);
    assert_string_equal(o.tmpfs[0], "/run");
    assert_string_equal(o.restart, "unless-stopped");
    assert_non_null(o.health_test);
    assert_string_equal(o.health_test[0], "CMD");
    assert_true(o.init);
    assert_string_equal(
        json_string_value(json_array_get(json_object_get(o.endpoint, "Aliases"), 0)), "web");
    assert_null(json_object_get(o.endpoint, "IPAMConfig"));
    run_opts_free(&o);
    /* docker-py: Entrypoint of two words, a bare Env name dropped */
    assert_int_equal(translate(find("python3-docker 5.0.3 (compose-like)")->json, "x", &o, &err),
                     0);
    assert_int_equal(strv_len(o.entry_argv), 2);
    assert_int_equal(strv_len(o.env), 1);
    assert_string_equal(o.ulimits[0], "nofile=100:200");
    assert_int_equal(o.nmounts, 2); /* the bind of mproj_data and the volume mvol */
    assert_string_equal(o.tmpfs[1], "/t:size=1048576");
    run_opts_free(&o);
}

struct bad {
    const char *body, *msg;
};

static void bad_values(void **state)
{
    (void)state;
    static const struct bad cases[] = {
        {"{}", "Image: the image"},
        {"[]", "must be a JSON object"},
        {"{\"Image\":1}", "Image: must be a string"},
        {"{\"Image\":\"bb\",\"HostConfig\":{\"Memory\":1000}}",
         "HostConfig.Memory: must be a number of bytes >= 6 MiB"},
        {"{\"Image\":\"bb\",\"HostConfig\":{\"Memory\":\"1g\"}}",
         "HostConfig.Memory: must be an integer"},
        {"{\"Image\":\"bb\",\"HostConfig\":{\"PidsLimit\":-5}}", "HostConfig.PidsLimit"},
        {"{\"Image\":\"bb\",\"HostConfig\":{\"CapAdd\":[\"NOPE\"]}}",
         "HostConfig.CapAdd: unknown capability"},
        {"{\"Image\":\"bb\",\"HostConfig\":{\"SecurityOpt\":[\"label=disable\"]}}",
         "HostConfig.SecurityOpt \"label=disable\""},
        {"{\"Image\":\"bb\",\"HostConfig\":{\"DeviceRequests\":[{\"Count\":-1}]}}",
         "HostConfig.DeviceRequests: not supported"},
        {"{\"Image\":\"bb\",\"HostConfig\":{\"MaskedPaths\":[]}}", NULL},
        {"{\"Image\":\"bb\",\"HostConfig\":{\"ReadonlyPaths\":[\"/x\"]}}",
         "HostConfig.ReadonlyPaths: not supported"},
        {"{\"Image\":\"bb\",\"HostConfig\":{\"RestartPolicy\":{\"Name\":\"sometimes\"}}}",
         "HostConfig.RestartPolicy"},
        {"{\"Image\":\"bb\",\"HostConfig\":{\"AutoRemove\":true,\"RestartPolicy\":{\"Name\":"
         "\"always\"}}}",
         "HostConfig.AutoRemove: conflicts"},
        {"{\"Image\":\"bb\",\"WorkingDir\":\"rel\"}", "WorkingDir: \"rel\": must be an absolute"},
        {"{\"Image\":\"bb\",\"HostConfig\":{\"Mounts\":[{\"Type\":\"bind\",\"Source\":\"/x\","
         "\"Target\":\"/y\",\"BindOptions\":{\"Propagation\":\"rshared\"}}]}}",
         "HostConfig.Mounts.BindOptions.Propagation"},
        {"{\"Image\":\"bb\",\"HostConfig\":{\"UsernsMode\":\"weird\"}}", "HostConfig.UsernsMode"},
        {"{\"Image\":\"bb\",\"HostConfig\":{\"PidMode\":\"container:\"}}", "HostConfig.PidMode"},
        {"{\"Image\":\"bb\",\"HostConfig\":{\"Sysctls\":{\"kernel.panic\":\"1\"}}}",
         "HostConfig.Sysctls"},
        {"{\"Image\":\"bb\",\"Healthcheck\":{\"Test\":[\"CMD\",\"x\"],\"Interval\":-1}}",
         "Healthcheck"},
        {"{\"Image\":\"bb\",\"NetworkingConfig\":{\"EndpointsConfig\":{\"a\":{},\"b\":{}}}}",
         "NetworkingConfig.EndpointsConfig: one network"},
        {"{\"Image\":\"bb\",\"NetworkingConfig\":{\"EndpointsConfig\":{\"n\":{\"IPAMConfig\":{"
         "\"IPv6Address\":\"::1\"}}}},\"HostConfig\":{\"NetworkMode\":\"n\"}}",
         "no IPv6"},
        {"{\"Image\":\"bb\",\"HostConfig\":{\"PortBindings\":{\"80/tcp\":[{\"HostPort\":\"x\"}]}}}",
         "HostConfig.PortBindings"},
        {"{\"Image\":\"bb\",\"StopSignal\":\"SIGNOPE\"}", "StopSignal"},
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        struct run_opts o;
        merr_t err = MERR_INIT;
        json_t *j = json_loads(cases[i].body, 0, NULL);
        assert_non_null(j);
        run_opts_init(&o);
        int r = api_create_opts(j, "n", NULL, &o, &err);
        if (!cases[i].msg) {
            if (r != 0)
                fail_msg("%s: %s", cases[i].body, err.msg);
        } else if (r == 0 || !err.msg || !strstr(err.msg, cases[i].msg)) {
            fail_msg("%s: got \"%s\", want \"%s\"", cases[i].body, err.msg ? err.msg : "success",
                     cases[i].msg);
        }
        err_clear(&err);
        json_decref(j);
        run_opts_free(&o);
    }
}

static bool owns_mine(const char *kind, const char *name, void *ctx)
{
    (void)kind;
    (void)ctx;
    return strncmp(name, "mine", 4) == 0;
}

static bool owns_all(const char *kind, const char *name, void *ctx)
{
    (void)kind;
    (void)name;
    (void)ctx;
    return true;
}

static void policy(void **state)
{
    (void)state;
    static const struct bad cases[] = {
        {"\"HostConfig\":{\"Privileged\":true}", "HostConfig.Privileged is not allowed"},
        {"\"HostConfig\":{\"UsernsMode\":\"host\"}", "HostConfig.UsernsMode host"},
        {"\"HostConfig\":{\"NetworkMode\":\"host\"}", "HostConfig.NetworkMode host"},
        {"\"HostConfig\":{\"PidMode\":\"host\"}", "HostConfig.PidMode host"},
        {"\"HostConfig\":{\"IpcMode\":\"host\"}", "HostConfig.IpcMode host"},
        {"\"HostConfig\":{\"UTSMode\":\"host\"}", "HostConfig.UTSMode host"},
        {"\"HostConfig\":{\"PidMode\":\"container:other\"}", "HostConfig.PidMode: no such"},
        {"\"HostConfig\":{\"PidMode\":\"container:mine1\"}", NULL},
        {"\"HostConfig\":{\"NetworkMode\":\"container:other\"}", "HostConfig.NetworkMode: no such"},
        {"\"HostConfig\":{\"NetworkMode\":\"othernet\"}",
         "HostConfig.NetworkMode: no such network"},
        {"\"HostConfig\":{\"NetworkMode\":\"minenet\"}", NULL},
        {"\"HostConfig\":{\"NetworkMode\":\"bridge\"}", NULL},
        {"\"HostConfig\":{\"NetworkMode\":\"none\"}", NULL},
        {"\"HostConfig\":{\"VolumesFrom\":[\"other:ro\"]}", "HostConfig.VolumesFrom: no such"},
        {"\"HostConfig\":{\"Links\":[\"other:o\"]}", "HostConfig.Links: no such"},
        {"\"HostConfig\":{\"CapAdd\":[\"SYS_ADMIN\"]}", "HostConfig.CapAdd"},
        {"\"HostConfig\":{\"CapAdd\":[\"ALL\"]}", "HostConfig.CapAdd"},
        {"\"HostConfig\":{\"CapDrop\":[\"ALL\"]}", NULL},
        {"\"HostConfig\":{\"Devices\":[{\"PathOnHost\":\"/dev/fuse\"}]}", "HostConfig.Devices"},
        {"\"HostConfig\":{\"DeviceCgroupRules\":[\"c 1:3 rwm\"]}", "HostConfig.DeviceCgroupRules"},
        {"\"HostConfig\":{\"SecurityOpt\":[\"seccomp=unconfined\"]}", "seccomp="},
        {"\"HostConfig\":{\"SecurityOpt\":[\"seccomp=/etc/shadow\"]}", "seccomp="},
        {"\"HostConfig\":{\"SecurityOpt\":[\"apparmor=unconfined\"]}", "apparmor="},
        {"\"HostConfig\":{\"SecurityOpt\":[\"apparmor=someprofile\"]}", "apparmor="},
        {"\"HostConfig\":{\"PidsLimit\":-1}", "HostConfig.PidsLimit without a limit"},
        {"\"HostConfig\":{\"PidsLimit\":500}", NULL},
        {"\"HostConfig\":{\"SecurityOpt\":[\"landlock=unconfined\"]}", "landlock"},
        {"\"HostConfig\":{\"SecurityOpt\":[\"allow-sensitive-mounts\"]}", "allow-sensitive"},
        {"\"HostConfig\":{\"SecurityOpt\":[\"no-new-privileges\"]}", NULL},
        {"\"HostConfig\":{\"Binds\":[\"/etc:/x\"]}", "a bind of a host path"},
        {"\"HostConfig\":{\"Mounts\":[{\"Type\":\"bind\",\"Source\":\"/\",\"Target\":\"/h\"}]}",
         "a bind of a host path"},
        {"\"HostConfig\":{\"Binds\":[\"othervol:/x\"]}", "no such volume: othervol"},
        {"\"HostConfig\":{\"Mounts\":[{\"Type\":\"volume\",\"Source\":\"othervol\",\"Target\":"
         "\"/h\"}]}",
         "no such volume"},
        {"\"HostConfig\":{\"Binds\":[\"minevol:/x\"]},\"Volumes\":{\"/anon\":{}}", NULL},
        {"\"HostConfig\":{\"Sysctls\":{\"net.ipv4.ip_forward\":\"1\"}}", "HostConfig.Sysctls"},
        {"\"HostConfig\":{\"OomScoreAdj\":-500}", "HostConfig.OomScoreAdj"},
        {"\"HostConfig\":{\"OomScoreAdj\":500}", NULL},
        {"\"HostConfig\":{\"CgroupParent\":\"/x\"}", "HostConfig.CgroupParent"},
        {"\"HostConfig\":{\"Runtime\":\"runc\"}", "HostConfig.Runtime"},
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        struct run_opts o;
        merr_t err = MERR_INIT;
        char *body = xasprintf("{\"Image\":\"bb\",%s}", cases[i].body);
        if (translate(body, NULL, &o, &err) != 0)
            fail_msg("%s: %s", body, err.msg);
        int r = api_policy_create(&o, owns_mine, NULL, &err);
        if (!cases[i].msg) {
            if (r != 0)
                fail_msg("%s: %s", body, err.msg);
        } else if (r == 0 || !strstr(err.msg, cases[i].msg)) {
            fail_msg("%s: got \"%s\", want \"%s\"", body, err.msg ? err.msg : "allowed",
                     cases[i].msg);
        }
        err_clear(&err);
        free(body);
        run_opts_free(&o);
    }
    /* what compose sends for a project of its own is allowed, but its
     * bind of ./site */
    struct run_opts o;
    merr_t err = MERR_INIT;
    assert_int_equal(translate(find("docker-compose 1.29.2 up")->json, "x", &o, &err), 0);
    assert_int_equal(api_policy_create(&o, owns_all, NULL, &err), -1);
    assert_non_null(strstr(err.msg, "a bind of a host path"));
    err_clear(&err);
    run_opts_free(&o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(all_real_bodies), cmocka_unit_test(docker28_ports),
        cmocka_unit_test(docker28_many),   cmocka_unit_test(compose),
        cmocka_unit_test(bad_values),      cmocka_unit_test(policy),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
