/* spec.h: the OCI runtime-spec 1.1 configuration as plain C structs.
 *
 * spec_parse() validates config.json into these structs; every error names
 * the JSON path and the reason. Strings point into the parsed JSON tree,
 * which lives as long as the struct (spec_free releases both). */
#ifndef MOAT_SPEC_H
#define MOAT_SPEC_H

#include "../util/err.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct json_t;

/* An optional value: has == false means "not given". */
#define OPT(...)                                                                                   \
    struct {                                                                                       \
        bool has;                                                                                  \
        __VA_ARGS__ v;                                                                             \
    }

enum cap_set {
    CAPSET_BOUNDING,
    CAPSET_EFFECTIVE,
    CAPSET_INHERITABLE,
    CAPSET_PERMITTED,
    CAPSET_AMBIENT,
    CAPSET_N
};

struct spec_caps {
    bool has[CAPSET_N];
    uint64_t set[CAPSET_N];
};

struct spec_rlimit {
    int type; /* RLIMIT_* */
    uint64_t soft, hard;
};

struct spec_user {
    uint32_t uid, gid;
    OPT(uint32_t) umask;
    uint32_t *gids;
    size_t ngids;
};

struct spec_sched {
    bool has;
    int policy;
    int32_t nice, priority;
    uint64_t flags, runtime, deadline, period;
};

/* process.landlock, the shape proposed for the runtime-spec (PR #1111,
 * carried in #1241), plus "scoped" (Landlock ABI 6). Access rights are
 * the kernel's LANDLOCK_ACCESS_* bits. */
struct spec_landlock_path {
    uint64_t allowed;
    char **paths;
};
struct spec_landlock_port {
    uint64_t allowed;
    uint64_t *ports;
    size_t nports;
};
struct spec_landlock {
    uint64_t handled_fs, handled_net, scoped;
    struct spec_landlock_path *paths;
    size_t npaths;
    struct spec_landlock_port *ports;
    size_t nports;
    bool disable_best_effort;
};

struct spec_process {
    bool terminal;
    OPT(struct { unsigned height, width; }) console_size;
    const char *cwd;
    char **args; /* NULL-terminated */
    char **env;  /* NULL-terminated */
    struct spec_user user;
    bool has_caps;
    struct spec_caps caps;
    struct spec_rlimit *rlimits;
    size_t nrlimits;
    bool no_new_privileges;
    const char *apparmor_profile;
    const char *selinux_label;
    OPT(int) oom_score_adj;
    struct spec_sched sched;
    OPT(struct { int klass, prio; }) io_priority;
    const char *cpu_affinity_initial, *cpu_affinity_final;
    struct spec_landlock *landlock; /* NULL: none */
};

struct spec_idmap {
    uint32_t container, host, size;
};

/* Mount options decoded. flags are MS_* for the legacy meaning, attr_* the
 * MOUNT_ATTR_* equivalents used with the new mount API. */
enum { PROPAGATION_NONE = 0 };
struct spec_mount {
    const char *destination, *type, *source;
    char **options; /* raw, NULL-terminated */
    bool bind, rbind;
    unsigned long flags;     /* MS_RDONLY, MS_NOSUID, ... set */
    unsigned long clear;     /* flags explicitly cleared (rw, suid, dev, exec...) */
    unsigned long rec_flags; /* recursive variants (rro, rnosuid, ...) */
    unsigned long rec_clear;
    unsigned long propagation; /* MS_SHARED|MS_REC etc, 0 = none */
    bool idmap, ridmap, tmpcopyup, copy_symlink;
    char *data; /* comma-separated filesystem options */
    struct spec_idmap *uid_mappings, *gid_mappings;
    size_t n_uid_mappings, n_gid_mappings;
};

enum ns_kind { NS_PID, NS_NET, NS_MNT, NS_IPC, NS_UTS, NS_USER, NS_CGROUP, NS_TIME, NS_N };

struct spec_ns {
    bool want; /* listed in the config */
    const char *path;
};

struct spec_device {
    char type; /* c, b, u, p */
    const char *path;
    int64_t major, minor;
    OPT(uint32_t) mode;
    OPT(uint32_t) uid;
    OPT(uint32_t) gid;
};

struct spec_dev_rule {
    bool allow;
    char type;            /* a, c, b */
    int64_t major, minor; /* -1 = wildcard */
    char access[4];
};

struct spec_throttle {
    int64_t major, minor;
    uint64_t rate;
};

struct spec_weight_dev {
    int64_t major, minor;
    OPT(uint16_t) weight;
    OPT(uint16_t) leaf_weight;
};

struct spec_hugepage {
    const char *page_size;
    uint64_t limit;
};

struct spec_kv {
    const char *key, *value;
};

struct spec_net_prio {
    const char *name;
    uint32_t priority;
};

struct spec_resources {
    struct spec_dev_rule *devices;
    size_t ndevices;
    bool has_devices;
    struct {
        OPT(int64_t) limit;
        OPT(int64_t) reservation;
        OPT(int64_t) swap;
        OPT(int64_t) kernel;
        OPT(int64_t) kernel_tcp;
        OPT(uint64_t) swappiness;
        OPT(bool) disable_oom_killer;
        OPT(bool) use_hierarchy;
        OPT(bool) check_before_update;
    } memory;
    struct {
        OPT(uint64_t) shares;
        OPT(int64_t) quota;
        OPT(uint64_t) burst;
        OPT(uint64_t) period;
        OPT(int64_t) realtime_runtime;
        OPT(uint64_t) realtime_period;
        const char *cpus, *mems;
        OPT(int64_t) idle;
    } cpu;
    OPT(int64_t) pids_limit;
    struct {
        OPT(uint16_t) weight;
        OPT(uint16_t) leaf_weight;
        struct spec_weight_dev *weight_device;
        size_t nweight_device;
        struct spec_throttle *throttle[4]; /* read bps, write bps, read iops, write iops */
        size_t nthrottle[4];
    } blkio;
    struct spec_hugepage *hugepages;
    size_t nhugepages;
    struct {
        OPT(uint32_t) class_id;
        struct spec_net_prio *priorities;
        size_t npriorities;
    } network;
    struct spec_kv *unified;
    size_t nunified;
    struct spec_kv *rdma; /* name -> "hca_handle=N hca_object=M" */
    size_t nrdma;
};

enum { THROTTLE_READ_BPS, THROTTLE_WRITE_BPS, THROTTLE_READ_IOPS, THROTTLE_WRITE_IOPS };

struct spec_seccomp_arg {
    unsigned index;
    uint64_t value, value_two;
    int op; /* enum scmp_compare */
};

struct spec_seccomp_rule {
    char **names;
    uint32_t action; /* SCMP_ACT_* without errno */
    OPT(uint32_t) errno_ret;
    struct spec_seccomp_arg *args;
    size_t nargs;
};

struct spec_seccomp {
    uint32_t default_action;
    OPT(uint32_t) default_errno_ret;
    uint32_t *arches; /* SCMP_ARCH_* */
    size_t narches;
    unsigned flags; /* SECCOMP_FILTER_FLAG_* */
    const char *listener_path, *listener_metadata;
    struct spec_seccomp_rule *rules;
    size_t nrules;
};

struct spec_hook {
    const char *path;
    char **args;
    char **env;
    OPT(int) timeout;
};

enum hook_kind {
    HOOK_PRESTART,
    HOOK_CREATE_RUNTIME,
    HOOK_CREATE_CONTAINER,
    HOOK_START_CONTAINER,
    HOOK_POSTSTART,
    HOOK_POSTSTOP,
    HOOK_N
};

struct spec_linux {
    struct spec_ns ns[NS_N];
    struct spec_idmap *uid_mappings, *gid_mappings;
    size_t n_uid_mappings, n_gid_mappings;
    struct spec_kv *sysctl;
    size_t nsysctl;
    bool has_resources;
    struct spec_resources resources;
    const char *cgroups_path;
    unsigned long rootfs_propagation; /* MS_* | MS_REC, 0 = default */
    char **masked_paths, **readonly_paths;
    const char *mount_label;
    struct spec_device *devices;
    size_t ndevices;
    struct spec_seccomp *seccomp; /* NULL = no filter */
    OPT(struct { unsigned long domain; }) personality;
    struct {
        bool has;
        int64_t secs;
        uint32_t nanosecs;
    } time_offsets[2]; /* monotonic, boottime */
    bool has_intel_rdt;
};

struct spec {
    struct json_t *json; /* owns every string below */
    const char *oci_version;
    const char *root_path;
    bool root_readonly;
    const char *hostname, *domainname;
    bool has_process;
    struct spec_process process;
    struct spec_mount *mounts;
    size_t nmounts;
    struct spec_hook *hooks[HOOK_N];
    size_t nhooks[HOOK_N];
    struct spec_kv *annotations;
    size_t nannotations;
    bool has_linux;
    struct spec_linux linux_;
};

/* Parse config.json text. `file` names the source in error messages. */
int spec_parse(const char *text, size_t len, const char *file, struct spec **out, merr_t *err);
int spec_load(const char *path, struct spec **out, merr_t *err);
/* Read a file of the caller's (config.json, --process, --resources): a
 * regular file of at most 16 MiB (JLOAD_MAX), NUL-terminated. A FIFO or a
 * device is refused, and cannot hold up the open. */
int spec_read_file(const char *path, char **text, size_t *len, merr_t *err);
void spec_free(struct spec *s);

/* Parse a process object (exec --process). */
int spec_parse_process_json(const char *text, size_t len, const char *file, struct spec_process *p,
                            struct json_t **keep, merr_t *err);
/* Parse a resources object (update --resources). */
int spec_parse_resources_json(const char *text, size_t len, const char *file,
                              struct spec_resources *r, struct json_t **keep, merr_t *err);
void spec_process_free(struct spec_process *p);
/* Could process p of the container hold CAP_SYS_PTRACE in the host's user
 * namespace (no user namespace of the container's own, and the capability
 * in any of its sets)? */
bool spec_host_ptrace(const struct spec *s, const struct spec_process *p);
void spec_resources_free(struct spec_resources *r);

/* Landlock access names: "read_file" -> bit; 0 if unknown. kind: 0 fs,
 * 1 network, 2 scope. */
uint64_t landlock_access_bit(int kind, const char *name);

/* Names and values shared with other modules. */
const char *ns_kind_name(enum ns_kind k);
int ns_kind_clone_flag(enum ns_kind k);
const char *hook_kind_name(enum hook_kind k);
int rlimit_from_name(const char *name);
/* "rshared" -> MS_SHARED|MS_REC; 0 if unknown */
unsigned long spec_propagation_from_name(const char *name);

#endif
