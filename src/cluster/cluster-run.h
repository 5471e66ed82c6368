/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>

#include <json-c/json.h>

#include "shared/macro.h"

/* The one place that runs `az` and `kubectl`: with a timeout, retrying what the cloud calls
 * transient (throttling, internal errors, connection trouble) with exponential backoff, and
 * telling a recorder about every attempt (the journal keeps them). Only JSON output is parsed. */

typedef enum ClusterTool {
        CLUSTER_TOOL_AZ,
        CLUSTER_TOOL_KUBECTL,
        _CLUSTER_TOOL_MAX,
} ClusterTool;

/* One attempt of one command, as the recorder sees it. */
typedef struct ClusterAttempt {
        char *const *argv; /* the program as run, then its arguments */
        unsigned attempt;  /* 1-based */
        int status;        /* exit status, 128 + signal, or -1 when it could not run */
        bool timed_out;
        bool transient;  /* the failure is one that is retried */
        double seconds;  /* wall time of the attempt */
        const char *err; /* the first line of its stderr, or NULL */
} ClusterAttempt;

typedef struct ClusterTools {
        const char *az;       /* the az program: a name looked up in PATH, or a path (NULL: "az") */
        const char *kubectl;  /* likewise (NULL: "kubectl") */
        unsigned timeout_sec; /* per attempt (0: 600) */
        unsigned attempts;    /* at most, per command (0: 5) */
        unsigned backoff_ms;  /* the first delay after a transient failure, doubling, at most 30 s
                               * (0: 1000); a "Retry-After: N" in the error is honoured up to 30 s */
        void (*record)(const ClusterAttempt *a, void *userdata); /* may be NULL */
        void *userdata;
} ClusterTools;

/* Whether a failed command's stderr says the failure is transient: throttling (TooManyRequests,
 * 429), a server-side error (InternalServerError, ServiceUnavailable, 5xx), or a connection
 * problem (timeouts, refused or reset connections, TLS handshake timeouts). */
bool cluster_error_is_transient(const char *err) _pure_;

/* Runs tool with args (NULL-terminated, without the program), retrying transient failures.
 * Returns 0 with its stdout in *ret_out (caller frees; may be NULL when not wanted); -ENOENT when
 * the program is not found; -ETIMEDOUT when the last attempt timed out; -EPROTO when it failed,
 * with the first lines of its stderr in *ret_error (caller frees; may be NULL); or -errno. */
int cluster_run(const ClusterTools *t, ClusterTool tool, const char *const *args, char **ret_out,
                char **ret_error);

/* As cluster_run(), and parses stdout as one JSON document: -EBADMSG when it is not JSON (with
 * *ret_error saying so). */
int cluster_run_json(const ClusterTools *t, ClusterTool tool, const char *const *args, json_object **ret,
                     char **ret_error);

/* Says why in *ret_error (when ret_error is given and says nothing yet; caller frees) and returns
 * r: the error convention of the cluster code. */
int cluster_error(char **ret_error, int r, const char *fmt, ...) _printf_(3, 4);

/* The program of a tool ("az", "kubectl" or what ClusterTools names). */
const char *cluster_tool_program(const ClusterTools *t, ClusterTool tool);
