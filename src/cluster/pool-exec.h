/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>

#include <json-c/json.h>

#include "cluster-run.h"
#include "exec/executor.h"

/* Running a node-pool plan through the executor (cluster mode): the implementation of each step
 * kind of the ossku-update and bluegreen strategies, and the record checkpoints (what rollback
 * restores: a pool's OS SKU, whether the new pool existed, the nodes' cordon flags). Every
 * command goes through the driver (cluster-run.h) and into the journal (exec_journal_command). */

typedef struct PoolExec {
        ClusterTools tools;
        const char *plans_dir; /* for preflight's fresh plan */
        bool confirm_delete;   /* the user confirmed the point of no return (deleting old pools) */
        StepContext *step;     /* the running step, for the journal; NULL outside a step */
        ExecRecordOps ops;     /* pool_exec_record_ops() */
} PoolExec;

/* Registers the implementation of every step of plan (by the step's kind). Returns 0, -ENOMEM,
 * or -EOPNOTSUPP when a step's kind is unknown. */
int pool_exec_register(Executor *e, json_object *plan);

/* The record checkpoint operations; userdata is a PoolExec. */
const ExecRecordOps *pool_exec_record_ops(PoolExec *p);
