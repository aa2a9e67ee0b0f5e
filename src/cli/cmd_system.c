/* cmd_system.c: version --format, info, and the system group (info, df,
 * prune). */
#include "cli.h"
#include "flags.h"
#include "tmpl.h"
#include "../engine/engine.h"
#include "../util/log.h"
#include "../util/util.h"

#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>

#ifndef MOAT_VERSION
#define MOAT_VERSION "0.0.0"
#endif

enum { F_FORMAT = 1 };

/* one object as --format says ("json": on one line, as Docker) */
static int print_formatted(json_t *o, const char *format)
{
    if (strcmp(format, "json") == 0)
        format = "{{json .}}";
    merr_t err = MERR_INIT;
    char *out = tmpl_render(format, o, &err);
    if (!out) {
        log_error("template parsing error: %s", err.msg);
        err_clear(&err);
        return EXIT_ENGINE;
    }
    printf("%s\n", out);
    free(out);
    return 0;
}

static int on_format(struct flags_it *it, int f, void *ctx)
{
    if (f == F_FORMAT)
        *(const char **)ctx = it->val;
    return 0;
}

const struct cmd_flags version_flags = {
    "version",
    "[OPTIONS]",
    "Show the moat version information",
    (const struct flag[]){
        {"format", 'f', "string", "Format output using a custom template: 'json', or a Go template",
         F_FORMAT},
        {0},
    },
    true,
    0,
    0};

int engine_version(const struct global *g, int argc, char **argv)
{
    (void)g;
    const char *format = NULL;
    struct flags_it it;
    flags_begin(&it, &version_flags, argc, argv);
    int r = flags_parse(&it, on_format, &format);
    if (r != FLAGS_DONE)
        return r;
    if (!format) { /* runc's lines, which its users read */
        printf("moat version %s\nspec: 1.1.0\n", MOAT_VERSION);
        return 0;
    }
    json_t *o =
        json_pack("{s:{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:{s:s}},s:o}", "Client", "Version",
                  MOAT_VERSION, "ApiVersion", SYS_API_VERSION, "DefaultAPIVersion", SYS_API_VERSION,
                  "GitCommit", "", "Os", "linux", "Arch", sys_goarch(), "BuildTime", "", "Context",
                  "default", "Platform", "Name", "moat", "Server", sys_version());
    r = print_formatted(o, format);
    json_decref(o);
    return r;
}

const struct cmd_flags info_flags = {
    "info",
    "[OPTIONS]",
    "Display system-wide information",
    (const struct flag[]){
        {"format", 'f', "string", "Format output using a custom template: 'json', or a Go template",
         F_FORMAT},
        {0},
    },
    true,
    0,
    0};

static const char *str(json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k)) ?: "";
}

static long long num(json_t *o, const char *k)
{
    return (long long)json_integer_value(json_object_get(o, k));
}

static void print_info(json_t *o)
{
    char mem[32];
    human_bytes((uint64_t)num(o, "MemTotal"), true, mem, sizeof(mem));
    printf("Client:\n Version:    %s\n Context:    default\n\nServer:\n", MOAT_VERSION);
    printf(" Containers: %lld\n  Running: %lld\n  Paused: %lld\n  Stopped: %lld\n",
           num(o, "Containers"), num(o, "ContainersRunning"), num(o, "ContainersPaused"),
           num(o, "ContainersStopped"));
    printf(" Images: %lld\n Server Version: %s\n Storage Driver: %s\n", num(o, "Images"),
           str(o, "ServerVersion"), str(o, "Driver"));
    json_t *ds = json_object_get(o, "DriverStatus");
    for (size_t i = 0; i < json_array_size(ds); i++)
        printf("  %s: %s\n", json_string_value(json_array_get(json_array_get(ds, i), 0)) ?: "",
               json_string_value(json_array_get(json_array_get(ds, i), 1)) ?: "");
    printf(" Logging Driver: %s\n Cgroup Driver: %s\n Cgroup Version: %s\n",
           str(o, "LoggingDriver"), str(o, "CgroupDriver"), str(o, "CgroupVersion"));
    printf(" Runtimes: moat\n Default Runtime: %s\n Init Binary: %s\n Security Options:\n",
           str(o, "DefaultRuntime"), str(o, "InitBinary"));
    json_t *so = json_object_get(o, "SecurityOptions");
    for (size_t i = 0; i < json_array_size(so); i++) {
        const char *v = json_string_value(json_array_get(so, i)) ?: "";
        printf("  %s\n", strncmp(v, "name=", 5) == 0 ? v + 5 : v);
    }
    printf(" Kernel Version: %s\n Operating System: %s\n OSType: %s\n Architecture: %s\n",
           str(o, "KernelVersion"), str(o, "OperatingSystem"), str(o, "OSType"),
           str(o, "Architecture"));
    printf(" CPUs: %lld\n Total Memory: %s\n Name: %s\n Docker Root Dir: %s\n", num(o, "NCPU"), mem,
           str(o, "Name"), str(o, "DockerRootDir"));
    json_t *mo = json_object_get(o, "Moat");
    printf(" Moat:\n  Runtime Root: %s\n  Writable Layer Limit: %s\n  Landlock ABI: %lld\n",
           str(mo, "RuntimeRoot"), str(mo, "WritableLayer"), num(mo, "LandlockABI"));
}

int engine_info(const struct global *g, int argc, char **argv)
{
    const char *format = NULL;
    struct flags_it it;
    flags_begin(&it, &info_flags, argc, argv);
    int r = flags_parse(&it, on_format, &format);
    if (r != FLAGS_DONE)
        return r;
    struct store s;
    if (cli_store(g, &s) < 0)
        return EXIT_ENGINE;
    json_t *o = sys_info(&s);
    store_close(&s);
    if (format) {
        r = print_formatted(o, format);
    } else {
        print_info(o);
        r = 0;
    }
    json_decref(o);
    return r;
}

/* `system info|df|prune` */
int engine_system(const struct global *g, int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0) {
        printf("\nUsage:  moat system COMMAND\n\nManage moat: df, events, info, prune\n");
        return argc < 2 ? EXIT_ENGINE : 0;
    }
    if (strcmp(argv[1], "info") == 0)
        return engine_info(g, argc - 1, argv + 1);
    if (strcmp(argv[1], "df") == 0)
        return engine_system_df(g, argc - 1, argv + 1);
    if (strcmp(argv[1], "prune") == 0)
        return engine_system_prune(g, argc - 1, argv + 1);
    if (strcmp(argv[1], "events") == 0)
        return engine_events(g, argc - 1, argv + 1);
    log_error("system: unknown command \"%s\" (df, events, info, prune)", argv[1]);
    return EXIT_ENGINE;
}
