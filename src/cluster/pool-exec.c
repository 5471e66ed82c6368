/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pool-exec.h"
#include "pool-plan.h"
#include "shared/json-util.h"
#include "shared/string-util.h"
#include "shared/strv.h"
#include "snapshot.h"

#define LABEL_POOL       "kubernetes.azure.com/agentpool"
#define WAIT_TIMEOUT_DEF 3600

/* ---- running commands ----------------------------------------------------------------------- */

static void journal_attempt(const ClusterAttempt *a, void *userdata)
{
        PoolExec *p = userdata;
        json_object *e, *argv;

        if (!p->step)
                return;
        e = json_object_new_object();
        argv = json_object_new_array();
        if (!e || !argv || json_add(e, "argv", argv) < 0) {
                json_object_put(e);
                return;
        }
        for (size_t i = 0; a->argv[i]; i++)
                (void) json_append_str(argv, a->argv[i]);
        if (json_add(e, "status", a->status < 0 ? NULL : json_object_new_int(a->status)) < 0 ||
            json_add_int(e, "attempt", a->attempt) < 0 ||
            json_add(e, "seconds", json_object_new_double(a->seconds)) < 0 ||
            json_add_bool(e, "timed_out", a->timed_out) < 0 ||
            json_add_bool(e, "transient", a->transient) < 0 || json_add_str(e, "error", a->err) < 0) {
                json_object_put(e);
                return;
        }
        (void) exec_journal_command(p->step, e);
        exec_log(p->step, a->status == 0 ? LOG_LEVEL_INFO : LOG_LEVEL_WARNING, "%s%s: exit %d%s%s",
                 a->argv[0], a->attempt > 1 ? " (again)" : "", a->status, a->err ? ": " : "",
                 strempty(a->err));
}

/* Runs argv (a JSON array: the program's name, "az" or "kubectl", then its arguments). Returns 0
 * with stdout parsed as JSON in *ret when ret is given, else -errno with *ret_error. */
static int run_argv(PoolExec *p, json_object *argv, json_object **ret, char **ret_error)
{
        _cleanup_free_ const char **args = NULL;
        _cleanup_free_ char *out = NULL;
        const char *prog = json_object_get_string(json_array_at(argv, 0));
        ClusterTool tool;
        size_t n = json_array_len(argv);
        int r;

        if (streq_ptr(prog, "az"))
                tool = CLUSTER_TOOL_AZ;
        else if (streq_ptr(prog, "kubectl"))
                tool = CLUSTER_TOOL_KUBECTL;
        else
                return -EBADMSG;
        args = calloc(n, sizeof(char *));
        if (!args)
                return -ENOMEM;
        for (size_t i = 1; i < n; i++) {
                args[i - 1] = json_object_get_string(json_array_at(argv, i));
                if (!json_object_is_type(json_array_at(argv, i), json_type_string))
                        return -EBADMSG;
        }
        if (ret)
                return cluster_run_json(&p->tools, tool, args, ret, ret_error);
        r = cluster_run(&p->tools, tool, args, &out, ret_error);
        return r;
}

/* Builds and runs a command from a NULL-terminated list of strings. */
static int runv(PoolExec *p, json_object **ret, char **ret_error, const char *first, ...)
{
        _cleanup_json_ json_object *a = json_object_new_array();
        va_list ap;
        int r;

        if (!a)
                return -ENOMEM;
        va_start(ap, first);
        r = json_append_strv(a, first, ap);
        va_end(ap);
        return r < 0 ? r : run_argv(p, a, ret, ret_error);
}

static const char *rg_of(json_object *plan)
{
        return json_get_str(json_get(plan, "cluster"), "resource_group");
}

static const char *cluster_of(json_object *plan)
{
        return json_get_str(json_get(plan, "cluster"), "name");
}

/* az aks nodepool show: 0 and the pool; -ENOENT when there is no such pool; -errno. */
static int pool_show(PoolExec *p, json_object *plan, const char *pool, json_object **ret, char **ret_error)
{
        _cleanup_free_ char *err = NULL;
        int r;

        r = runv(p, ret, &err, "az", "aks", "nodepool", "show", "-g", rg_of(plan), "--cluster-name",
                 cluster_of(plan), "-n", pool, "-o", "json", NULL);
        if (r == -EPROTO && err &&
            (strstr(err, "ResourceNotFound") || strstr(err, "NotFound") || strstr(err, "not found")))
                return -ENOENT;
        if (r < 0 && ret_error)
                *ret_error = TAKE_PTR(err);
        return r;
}

/* The nodes of a pool (kubectl get nodes -l agentpool=POOL), as a List's items (borrowed from
 * *ret_list, which the caller puts). */
static int pool_nodes_now(PoolExec *p, const char *pool, json_object **ret_list, char **ret_error)
{
        _cleanup_free_ char *sel = NULL;

        if (asprintf(&sel, LABEL_POOL "=%s", pool) < 0)
                return -ENOMEM;
        return runv(p, ret_list, ret_error, "kubectl", "get", "nodes", "-l", sel, "-o", "json", NULL);
}

static bool node_ready(json_object *n)
{
        json_object *conds = json_get(json_get(n, "status"), "conditions");

        for (size_t i = 0; i < json_array_len(conds); i++) {
                json_object *c = json_array_at(conds, i);
                if (streq_ptr(json_get_str(c, "type"), "Ready"))
                        return streq_ptr(json_get_str(c, "status"), "True");
        }
        return false;
}

static bool node_azure_linux(json_object *n)
{
        json_object *info = json_get(json_get(n, "status"), "nodeInfo");
        const char *os = json_get_str(info, "osImage"), *kernel = json_get_str(info, "kernelVersion");

        return (os && (strstr(os, "Azure Linux") || strstr(os, "CBL-Mariner"))) ||
               (kernel && strstr(kernel, ".azl"));
}

static void sleep_s(unsigned s)
{
        struct timespec ts = { .tv_sec = s };

        while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
                ;
}

static unsigned poll_sec(json_object *plan)
{
        int64_t v = json_get_int(json_get(plan, "parameters"), "poll_sec", 15);
        return v < 0 || v > 3600 ? 15 : (unsigned) v;
}

static unsigned wait_timeout(json_object *plan)
{
        int64_t v = json_get_int(json_get(plan, "parameters"), "wait_timeout_sec", WAIT_TIMEOUT_DEF);
        return v <= 0 || v > 7 * 86400 ? WAIT_TIMEOUT_DEF : (unsigned) v;
}

/* Waits until pool is provisioned (Succeeded) and has want Ready nodes (0: any count, at least
 * one), and when azl is set, every node runs Azure Linux. */
static int wait_pool(PoolExec *p, StepContext *c, const char *pool, int64_t want, bool azl)
{
        time_t deadline = time(NULL) + wait_timeout(c->plan);
        unsigned poll = poll_sec(c->plan);
        _cleanup_free_ char *last = NULL;

        for (;;) {
                _cleanup_json_ json_object *po = NULL, *list = NULL;
                _cleanup_free_ char *err = NULL;
                const char *state;
                size_t ready = 0, total, azlinux = 0;
                int r;

                r = pool_show(p, c->plan, pool, &po, &err);
                if (r < 0)
                        return exec_step_error(c, r, "az aks nodepool show %s failed: %s", pool,
                                               err ?: strerror(-r));
                state = json_get_str(po, "provisioningState");
                if (streq_ptr(state, "Failed") || streq_ptr(state, "Canceled"))
                        return exec_step_error(c, -EIO, "pool %s: provisioning state %s", pool, state);
                if (streq_ptr(state, "Succeeded")) {
                        r = pool_nodes_now(p, pool, &list, &err);
                        if (r < 0)
                                return exec_step_error(c, r, "kubectl get nodes of %s failed: %s", pool,
                                                       err ?: strerror(-r));
                        total = json_array_len(json_get(list, "items"));
                        for (size_t i = 0; i < total; i++) {
                                json_object *n = json_array_at(json_get(list, "items"), i);
                                ready += node_ready(n);
                                azlinux += node_azure_linux(n);
                        }
                        if (total > 0 && ready == total && (want <= 0 || (int64_t) total == want) &&
                            (!azl || azlinux == total)) {
                                exec_log(c, LOG_LEVEL_INFO, "pool %s: %zu node(s) Ready%s", pool, total,
                                         azl ? ", all Azure Linux" : "");
                                return 0;
                        }
                        free(last);
                        if (asprintf(&last,
                                     "%zu of %zu node(s) Ready, %zu on Azure Linux, %" PRIi64 " wanted",
                                     ready, total, azlinux, want) < 0)
                                last = NULL;
                } else {
                        free(last);
                        if (asprintf(&last, "provisioning state %s", strempty(state)) < 0)
                                last = NULL;
                }
                if (time(NULL) >= deadline)
                        return exec_step_error(c, -ETIMEDOUT, "pool %s not ready after %u s: %s", pool,
                                               wait_timeout(c->plan), strempty(last));
                sleep_s(poll);
        }
}

static int64_t pool_count(json_object *plan, const char *pool)
{
        json_object *pools = json_get(plan, "pools");

        for (size_t i = 0; i < json_array_len(pools); i++)
                if (streq_ptr(json_get_str(json_array_at(pools, i), "name"), pool))
                        return json_get_int(json_array_at(pools, i), "count", 0);
        return 0;
}

static const char *target_sku(json_object *plan)
{
        return json_get_str(json_get(plan, "parameters"), "target_os_sku") ?: "AzureLinux";
}

/* Runs every command of the plan's step, in order. */
static int run_step_commands(PoolExec *p, StepContext *c)
{
        json_object *cmds = json_get(c->step, "commands");

        for (size_t i = 0; i < json_array_len(cmds); i++) {
                _cleanup_free_ char *err = NULL;
                json_object *argv = json_array_at(cmds, i);
                int r = run_argv(p, argv, NULL, &err);
                if (r < 0)
                        return exec_step_error(c, r, "'%s %s %s%s%s' failed: %s",
                                               strempty(json_object_get_string(json_array_at(argv, 0))),
                                               strempty(json_object_get_string(json_array_at(argv, 1))),
                                               strempty(json_object_get_string(json_array_at(argv, 2))),
                                               json_array_len(argv) > 3 ? " " : "",
                                               strempty(json_object_get_string(json_array_at(argv, 3))),
                                               err ?: strerror(-r));
        }
        return 0;
}

/* ---- the steps ------------------------------------------------------------------------------ */

static PoolExec *begin(StepContext *c)
{
        PoolExec *p = c->userdata;

        p->step = c;
        return p;
}

/* preflight: inhibitors overridden, and the pools as the plan recorded them. */
static int step_check(StepContext *c)
{
        PoolExec *p = begin(c);
        json_object *inh = json_get(c->plan, "inhibitors"), *want = json_get(c->plan, "pools");
        _cleanup_json_ json_object *snap = NULL, *fresh = NULL;
        _cleanup_strv_free_ char **names = NULL;
        _cleanup_free_ char *err = NULL;
        json_object *par = json_get(c->plan, "parameters"), *got;
        int r;

        for (size_t i = 0; i < json_array_len(inh); i++) {
                const char *k = json_object_get_string(json_array_at(inh, i));
                if (!strv_contains(c->overrides, k))
                        return exec_step_error(c, -EPERM,
                                               "the plan is inhibited by %s; resolve it or override it with "
                                               "--override %s",
                                               strempty(k), strempty(k));
                exec_finding(c, "exec.inhibitor.overridden", "high", "inhibitor %s overridden by the user",
                             k);
        }
        r = cluster_snapshot_take(&p->tools, rg_of(c->plan), cluster_of(c->plan), &snap, &err);
        if (r < 0)
                return exec_step_error(c, r, "cannot take a fresh snapshot: %s", err ?: strerror(-r));
        for (size_t i = 0; i < json_array_len(want); i++)
                if (strv_extend(&names, json_get_str(json_array_at(want, i), "name")) < 0)
                        return -ENOMEM;
        {
                PoolPlanOptions o = { .plans_dir = p->plans_dir,
                                      .strategy = json_get_str(c->plan, "strategy"),
                                      .target_sku = json_get_str(par, "target_os_sku"),
                                      .pools = names,
                                      .drain_timeout_sec =
                                              (unsigned) json_get_int(par, "drain_timeout_sec", 0),
                                      .drain_batch = (unsigned) json_get_int(par, "drain_batch", 0),
                                      .soak_sec = (unsigned) json_get_int(par, "soak_sec", 0) };
                r = pool_plan_build(snap, &o, &fresh, &err);
                if (r < 0)
                        return exec_step_error(c, r, "the cluster cannot be planned as it is now: %s",
                                               err ?: strerror(-r));
        }
        got = json_get(fresh, "pools");
        for (size_t i = 0; i < json_array_len(want); i++) {
                json_object *a = json_array_at(want, i), *b = json_array_at(got, i);
                if (!b || !json_object_equal(a, b))
                        return exec_step_error(
                                c, -ESTALE,
                                "pool %s changed since the plan was made (its profile or nodes "
                                "differ): plan again",
                                strempty(json_get_str(a, "name")));
        }
        exec_log(c, LOG_LEVEL_INFO, "the %zu pool(s) are as the plan recorded them", json_array_len(want));
        return 0;
}

static int step_update_sku(StepContext *c)
{
        PoolExec *p = begin(c);
        const char *pool = json_get_str(c->step, "pool");
        _cleanup_json_ json_object *po = NULL;
        _cleanup_free_ char *err = NULL;
        int r;

        r = pool_show(p, c->plan, pool, &po, &err);
        if (r < 0)
                return exec_step_error(c, r, "pool %s: %s", strempty(pool), err ?: strerror(-r));
        if (streq_ptr(json_get_str(po, "osSku"), target_sku(c->plan))) {
                exec_log(c, LOG_LEVEL_INFO, "pool %s runs %s already", pool, target_sku(c->plan));
                return 0;
        }
        return run_step_commands(p, c);
}

static int step_wait(StepContext *c)
{
        PoolExec *p = begin(c);
        const char *pool = json_get_str(c->step, "new_pool") ?: json_get_str(c->step, "pool");

        return wait_pool(p, c, pool, pool_count(c->plan, json_get_str(c->step, "pool")), false);
}

static int step_verify(StepContext *c)
{
        PoolExec *p = begin(c);
        const char *pool = json_get_str(c->step, "new_pool") ?: json_get_str(c->step, "pool");
        _cleanup_json_ json_object *pods = NULL, *nodes = NULL;
        _cleanup_strv_free_ char **names = NULL, **bad = NULL;
        _cleanup_free_ char *err = NULL, *list = NULL;
        int r;

        if (streq_ptr(json_get_str(c->step, "kind"), "soak")) {
                unsigned s = (unsigned) json_get_int(json_get(c->plan, "parameters"), "soak_sec", 0);
                exec_log(c, LOG_LEVEL_INFO, "soaking %u s", s);
                sleep_s(s);
        }
        r = wait_pool(p, c, pool, pool_count(c->plan, json_get_str(c->step, "pool")), true);
        if (r < 0)
                return r;
        r = pool_nodes_now(p, pool, &nodes, &err);
        if (r < 0)
                return exec_step_error(c, r, "kubectl get nodes failed: %s", err ?: strerror(-r));
        for (size_t i = 0; i < json_array_len(json_get(nodes, "items")); i++)
                if (strv_extend(&names, json_get_str(json_get(json_array_at(json_get(nodes, "items"), i),
                                                              "metadata"),
                                                     "name")) < 0)
                        return -ENOMEM;
        r = runv(p, &pods, &err, "kubectl", "get", "pods", "-A", "-o", "json", NULL);
        if (r < 0)
                return exec_step_error(c, r, "kubectl get pods failed: %s", err ?: strerror(-r));
        for (size_t i = 0; i < json_array_len(json_get(pods, "items")); i++) {
                json_object *pod = json_array_at(json_get(pods, "items"), i),
                            *md = json_get(pod, "metadata");
                const char *phase = json_get_str(json_get(pod, "status"), "phase");
                _cleanup_free_ char *id = NULL;
                if (!strv_contains(names, json_get_str(json_get(pod, "spec"), "nodeName")) ||
                    streq_ptr(phase, "Running") || streq_ptr(phase, "Succeeded"))
                        continue;
                if (asprintf(&id, "%s/%s (%s)", strempty(json_get_str(md, "namespace")),
                             strempty(json_get_str(md, "name")), strempty(phase)) < 0 ||
                    strv_extend(&bad, id) < 0)
                        return -ENOMEM;
        }
        if (bad) {
                list = strv_join(bad, ", ");
                return exec_step_error(c, -EIO, "pods on pool %s are not running: %s", pool, strempty(list));
        }
        exec_log(c, LOG_LEVEL_INFO, "pool %s: %zu node(s) on Azure Linux, Ready, their pods running", pool,
                 strv_length(names));
        return 0;
}

static int step_add_pool(StepContext *c)
{
        PoolExec *p = begin(c);
        const char *pool = json_get_str(c->step, "new_pool");
        _cleanup_json_ json_object *po = NULL;
        int r;

        r = pool_show(p, c->plan, pool, &po, NULL);
        if (r == 0)
                return exec_step_error(
                        c, -EEXIST, "a pool named %s exists already (not created by this run): plan again",
                        strempty(pool));
        return run_step_commands(p, c);
}

static int step_run_commands(StepContext *c)
{
        return run_step_commands(begin(c), c);
}

/* Waits until pool is gone. */
static int wait_gone(PoolExec *p, json_object *plan, const char *pool, char **ret_error)
{
        time_t deadline = time(NULL) + wait_timeout(plan);

        for (;;) {
                int r = pool_show(p, plan, pool, NULL, NULL);
                if (r == -ENOENT)
                        return 0;
                if (time(NULL) >= deadline)
                        return cluster_error(ret_error, -ETIMEDOUT, "pool %s still exists after %u s", pool,
                                             wait_timeout(plan));
                sleep_s(poll_sec(plan));
        }
}

static int step_delete(StepContext *c)
{
        PoolExec *p = begin(c);
        const char *pool = json_get_str(c->step, "pool");
        _cleanup_free_ char *err = NULL;
        int r;

        if (!p->confirm_delete)
                return exec_step_error(
                        c, -EPERM,
                        "deleting pool %s is the point of no return: after checking the new pool, "
                        "run 'azlmigrate nodepool resume --confirm-delete --state-dir %s'",
                        strempty(pool), c->state_dir);
        r = pool_show(p, c->plan, pool, NULL, NULL);
        if (r == -ENOENT) {
                exec_log(c, LOG_LEVEL_INFO, "pool %s is gone already", pool);
                return 0;
        }
        r = run_step_commands(p, c);
        if (r < 0)
                return r;
        r = wait_gone(p, c->plan, pool, &err);
        return r < 0 ? exec_step_error(c, r, "%s", err ?: strerror(-r)) : 0;
}

static const struct {
        const char *kind;
        ExecStepFn run;
} kinds[] = {
        { "check", step_check },           { "update-os-sku", step_update_sku },
        { "wait-provisioned", step_wait }, { "wait-ready", step_wait },
        { "verify-nodes", step_verify },   { "soak", step_verify },
        { "add-pool", step_add_pool },     { "cordon", step_run_commands },
        { "drain", step_run_commands },    { "delete-pool", step_delete },
};

/* Every step runs through here: the implementation of its kind, and the journal's command log
 * bound to it for exactly as long as it runs. */
static int step_dispatch(StepContext *c)
{
        PoolExec *p = c->userdata;
        const char *kind = json_get_str(c->step, "kind");
        int r = -EOPNOTSUPP;

        for (size_t k = 0; k < ELEMENTSOF(kinds); k++)
                if (streq_ptr(kinds[k].kind, kind)) {
                        r = kinds[k].run(c);
                        break;
                }
        p->step = NULL;
        return r;
}

int pool_exec_register(Executor *e, json_object *plan)
{
        json_object *steps = json_get(plan, "steps");

        for (size_t i = 0; i < json_array_len(steps); i++) {
                json_object *s = json_array_at(steps, i);
                const char *kind = json_get_str(s, "kind");
                size_t k;
                int r;

                for (k = 0; k < ELEMENTSOF(kinds); k++)
                        if (streq_ptr(kinds[k].kind, kind))
                                break;
                if (k == ELEMENTSOF(kinds))
                        return -EOPNOTSUPP;
                r = executor_register_step(e, json_get_str(s, "id"), step_dispatch);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* ---- records -------------------------------------------------------------------------------- */

/* The cordon flags of the pool's nodes: {"node": true|false}. */
static int cordon_flags(PoolExec *p, const char *pool, json_object **ret, char **ret_error)
{
        _cleanup_json_ json_object *list = NULL, *flags = json_object_new_object();
        int r;

        if (!flags)
                return -ENOMEM;
        r = pool_nodes_now(p, pool, &list, ret_error);
        if (r < 0)
                return r;
        for (size_t i = 0; i < json_array_len(json_get(list, "items")); i++) {
                json_object *n = json_array_at(json_get(list, "items"), i);
                const char *name = json_get_str(json_get(n, "metadata"), "name");
                if (name && json_add_bool(flags, name,
                                          json_get_bool(json_get(n, "spec"), "unschedulable", false)) < 0)
                        return -ENOMEM;
        }
        *ret = TAKE_PTR(flags);
        return 0;
}

static int record(void *userdata, json_object *plan, json_object *step, const char *path, char **ret_error)
{
        PoolExec *p = userdata;
        _cleanup_json_ json_object *rec = json_object_new_object(), *po = NULL, *flags = NULL;
        const char *kind = json_get_str(step, "kind"), *pool = json_get_str(step, "pool"),
                   *new_pool = json_get_str(step, "new_pool");
        int r;

        p->step = NULL; /* between steps: the journal's checkpoint, not a step, owns these commands */
        if (!rec || json_add_str(rec, "kind", kind) < 0 || json_add_str(rec, "pool", pool) < 0)
                return -ENOMEM;
        if (streq_ptr(kind, "update-os-sku") || streq_ptr(kind, "delete-pool")) {
                r = pool_show(p, plan, pool, &po, ret_error);
                if (r == -ENOENT && streq_ptr(kind, "delete-pool")) {
                        /* Deleted by an earlier attempt that was cut off: the step only finishes. */
                        if (json_add_bool(rec, "gone", true) < 0)
                                return -ENOMEM;
                } else if (r < 0)
                        return r == -ENOENT ? cluster_error(ret_error, r, "pool %s does not exist", pool)
                                            : r;
                else if (json_add_str(rec, "os_sku", json_get_str(po, "osSku")) < 0 ||
                         json_add(rec, "profile", json_object_get(po)) < 0)
                        return -ENOMEM;
        } else if (streq_ptr(kind, "add-pool")) {
                r = pool_show(p, plan, new_pool, NULL, ret_error);
                if (r < 0 && r != -ENOENT)
                        return r;
                if (json_add_str(rec, "new_pool", new_pool) < 0 || json_add_bool(rec, "existed", r == 0) < 0)
                        return -ENOMEM;
        } else if (streq_ptr(kind, "cordon") || streq_ptr(kind, "drain")) {
                r = cordon_flags(p, pool, &flags, ret_error);
                if (r < 0)
                        return r;
                if (json_add(rec, "unschedulable", TAKE_PTR(flags)) < 0)
                        return -ENOMEM;
        } else
                return cluster_error(ret_error, -EOPNOTSUPP, "no record for a step of kind %s",
                                     strempty(kind));
        r = json_dump_file(rec, path);
        return r < 0 ? cluster_error(ret_error, r, "cannot write %s: %s", path, strerror(-r)) : 0;
}

static int restore(void *userdata, json_object *plan, json_object *step, const char *path, bool rerun,
                   char **ret_error)
{
        PoolExec *p = userdata;
        _cleanup_json_ json_object *rec = NULL, *po = NULL, *now = NULL;
        const char *kind, *pool;
        int r;

        p->step = NULL;
        r = json_parse_file(path, 1u << 20, &rec);
        if (r < 0)
                return cluster_error(ret_error, r, "cannot read the record %s: %s", path, strerror(-r));
        kind = json_get_str(rec, "kind");
        pool = json_get_str(rec, "pool");
        if (streq_ptr(kind, "update-os-sku")) {
                const char *sku = json_get_str(rec, "os_sku");
                r = pool_show(p, plan, pool, &po, ret_error);
                if (r < 0)
                        return r;
                if (sku && !streq_ptr(json_get_str(po, "osSku"), sku)) {
                        /* AKS reimages every node again: the price of going back. */
                        r = runv(p, NULL, ret_error, "az", "aks", "nodepool", "update", "-g", rg_of(plan),
                                 "--cluster-name", cluster_of(plan), "-n", pool, "--os-sku", sku, "-o",
                                 "json", NULL);
                        if (r < 0)
                                return r;
                }
                return 0;
        }
        if (streq_ptr(kind, "add-pool")) {
                const char *np = json_get_str(rec, "new_pool");
                if (json_get_bool(rec, "existed", true))
                        return 0;
                r = pool_show(p, plan, np, NULL, ret_error);
                if (r == -ENOENT)
                        return 0;
                if (r < 0)
                        return r;
                r = runv(p, NULL, ret_error, "az", "aks", "nodepool", "delete", "-g", rg_of(plan),
                         "--cluster-name", cluster_of(plan), "-n", np, "--yes", "--no-wait", NULL);
                if (r == -EPROTO && ret_error && *ret_error && strstr(*ret_error, "NotFound"))
                        return 0;
                return r < 0 ? r : wait_gone(p, plan, np, ret_error);
        }
        if (streq_ptr(kind, "cordon") || streq_ptr(kind, "drain")) {
                json_object *was = json_get(rec, "unschedulable");
                r = cordon_flags(p, pool, &now, ret_error);
                if (r < 0)
                        return r;
                json_object_object_foreach(now, node, cordoned) {
                        json_object *before = json_get(was, node);
                        if (!before || json_object_get_boolean(before) == json_object_get_boolean(cordoned))
                                continue;
                        r = runv(p, NULL, ret_error, "kubectl",
                                 json_object_get_boolean(before) ? "cordon" : "uncordon", node, NULL);
                        if (r < 0)
                                return r;
                }
                return 0;
        }
        if (streq_ptr(kind, "delete-pool")) {
                r = pool_show(p, plan, pool, NULL, ret_error);
                if (r == -ENOENT && rerun)
                        return 0; /* the delete ran: rerunning the step finds the pool gone and finishes */
                if (r == -ENOENT)
                        return cluster_error(
                                ret_error, -EOPNOTSUPP,
                                "pool %s was deleted (the point of no return): nothing brings it back; its "
                                "profile is in %s",
                                pool, path);
                return r < 0 ? r : 0;
        }
        (void) step;
        return cluster_error(ret_error, -EBADMSG, "%s is not a record azlmigrate wrote", path);
}

const ExecRecordOps *pool_exec_record_ops(PoolExec *p)
{
        p->ops = (ExecRecordOps){ .record = record, .restore = restore, .userdata = p };
        p->tools.record = journal_attempt;
        p->tools.userdata = p;
        return &p->ops;
}
