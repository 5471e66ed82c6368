/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cluster-run.h"
#include "exec/run.h"
#include "shared/string-util.h"
#include "shared/strv.h"

#define OUTPUT_MAX  (512u * 1024 * 1024) /* a snapshot of a large cluster is big; never unbounded */
#define ERROR_MAX   (64u * 1024)
#define BACKOFF_CAP 30000u

const char *cluster_tool_program(const ClusterTools *t, ClusterTool tool)
{
        if (tool == CLUSTER_TOOL_AZ)
                return t && !isempty(t->az) ? t->az : "az";
        return t && !isempty(t->kubectl) ? t->kubectl : "kubectl";
}

bool cluster_error_is_transient(const char *err)
{
        static const char *const marks[] = {
                "TooManyRequests",
                "Too Many Requests",
                "(429)",
                "status code 429",
                "InternalServerError",
                "ServiceUnavailable",
                "Service Unavailable",
                "GatewayTimeout",
                "(502)",
                "(503)",
                "(504)",
                "Unable to connect to the server",
                "TLS handshake timeout",
                "i/o timeout",
                "connection refused",
                "connection reset by peer",
                "Connection aborted",
                "Read timed out",
                "the server is currently unable to handle the request",
                "etcdserver: request timed out",
        };

        if (!err)
                return false;
        for (size_t i = 0; i < ELEMENTSOF(marks); i++)
                if (strstr(err, marks[i]))
                        return true;
        return false;
}

static double now_s(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

static void sleep_ms(unsigned ms)
{
        struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long) (ms % 1000) * 1000000L };

        while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
                ;
}

/* "Retry-After: N" (seconds) in an error, or 0. */
static unsigned retry_after_ms(const char *err)
{
        const char *p = err ? strstr(err, "Retry-After:") : NULL;
        unsigned long v;
        char *end;

        if (!p)
                return 0;
        p += strlen("Retry-After:");
        while (*p == ' ')
                p++;
        errno = 0;
        v = strtoul(p, &end, 10);
        if (errno != 0 || end == p || v > BACKOFF_CAP / 1000)
                return v > BACKOFF_CAP / 1000 ? BACKOFF_CAP : 0;
        return (unsigned) v * 1000;
}

/* The first lines of a command's stderr (at most 4, 1000 bytes), without trailing space. */
static char *error_lines(const char *err)
{
        size_t n = 0, lines = 0;
        char *s;

        if (isempty(err))
                return NULL;
        while (err[n] && n < 1000) {
                if (err[n] == '\n' && ++lines == 4)
                        break;
                n++;
        }
        s = strndup(err, n);
        if (!s)
                return NULL;
        for (size_t k = strlen(s); k > 0 && strchr(" \t\r\n", s[k - 1]); k--)
                s[k - 1] = 0;
        return s;
}

int cluster_run(const ClusterTools *t, ClusterTool tool, const char *const *args, char **ret_out,
                char **ret_error)
{
        _cleanup_strv_free_ char **argv = NULL;
        unsigned attempts = t && t->attempts ? t->attempts : 5;
        unsigned delay = t && t->backoff_ms ? t->backoff_ms : 1000;
        RunOptions o = {
                .capture_stdout = true,
                .capture_stderr = true,
                .capture_max = OUTPUT_MAX,
                .search_path = true,
                .timeout_sec = t && t->timeout_sec ? t->timeout_sec : 600,
        };
        int r = -EIO;

        if (ret_error)
                *ret_error = NULL;
        if (strv_extend(&argv, cluster_tool_program(t, tool)) < 0)
                return -ENOMEM;
        for (size_t i = 0; args && args[i]; i++)
                if (strv_extend(&argv, args[i]) < 0)
                        return -ENOMEM;

        for (unsigned attempt = 1; attempt <= attempts; attempt++) {
                _cleanup_free_ char *first = NULL;
                RunResult res = {};
                double t0 = now_s();
                bool transient;

                r = run_command(argv, &o, &res);
                if (r < 0) {
                        ClusterAttempt a = { .argv = argv,
                                             .attempt = attempt,
                                             .status = -1,
                                             .seconds = now_s() - t0,
                                             .err = strerror(-r) };
                        if (t && t->record)
                                t->record(&a, t->userdata);
                        return r;
                }
                first = error_lines(res.err);
                transient = res.timed_out || (res.status != 0 && cluster_error_is_transient(res.err));
                {
                        ClusterAttempt a = { .argv = argv,
                                             .attempt = attempt,
                                             .status = res.status,
                                             .timed_out = res.timed_out,
                                             .transient = transient,
                                             .seconds = now_s() - t0,
                                             .err = res.status != 0 ? first : NULL };
                        if (t && t->record)
                                t->record(&a, t->userdata);
                }
                if (res.status == 0 && !res.timed_out) {
                        if (ret_out)
                                *ret_out = TAKE_PTR(res.out);
                        run_result_done(&res);
                        return 0;
                }
                r = res.timed_out ? -ETIMEDOUT : -EPROTO;
                if (!transient || attempt == attempts) {
                        if (ret_error)
                                *ret_error = TAKE_PTR(first);
                        run_result_done(&res);
                        return r;
                }
                {
                        unsigned ra = retry_after_ms(res.err);
                        sleep_ms(ra > delay ? ra : delay);
                }
                delay = delay >= BACKOFF_CAP / 2 ? BACKOFF_CAP : delay * 2;
                run_result_done(&res);
        }
        return r;
}

int cluster_run_json(const ClusterTools *t, ClusterTool tool, const char *const *args, json_object **ret,
                     char **ret_error)
{
        _cleanup_free_ char *out = NULL;
        json_tokener *tok;
        json_object *o;
        int r;

        r = cluster_run(t, tool, args, &out, ret_error);
        if (r < 0)
                return r;
        tok = json_tokener_new_ex(64);
        if (!tok)
                return -ENOMEM;
        o = json_tokener_parse_ex(tok, out ? out : "", (int) strlen(out ? out : ""));
        if (!o || json_tokener_get_error(tok) != json_tokener_success) {
                json_tokener_free(tok);
                json_object_put(o);
                if (ret_error &&
                    asprintf(ret_error, "%s printed no JSON document", cluster_tool_program(t, tool)) < 0)
                        *ret_error = NULL;
                return -EBADMSG;
        }
        json_tokener_free(tok);
        *ret = o;
        return 0;
}

int cluster_error(char **ret_error, int r, const char *fmt, ...)
{
        va_list ap;

        if (ret_error && !*ret_error) {
                va_start(ap, fmt);
                if (vasprintf(ret_error, fmt, ap) < 0)
                        *ret_error = NULL;
                va_end(ap);
        }
        return r;
}
