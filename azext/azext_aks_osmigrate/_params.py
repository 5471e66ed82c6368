# SPDX-License-Identifier: MIT
"""The arguments of az aks osmigrate."""
from knack.arguments import CLIArgumentType


def load_arguments(self, _):
    strategy = CLIArgumentType(
        options_list=["--strategy"],
        help="Node pools: ossku-update (AKS reimages the pool in place) or bluegreen (a new Azure Linux "
        "pool, drain, delete the old one). Disks: inplace or reimage.",
    )
    with self.argument_context("aks osmigrate") as c:
        c.argument("resource_group_name", options_list=["--resource-group", "-g"],
                   help="The cluster's resource group.")
        c.argument("cluster_name", options_list=["--name", "-n"], help="The cluster's name.")
        c.argument("snapshot", options_list=["--snapshot"],
                   help="A saved cluster snapshot (azlmigrate nodepool snapshot) instead of the live cluster.")
        c.argument("disk", options_list=["--disk"],
                   help="A node's disk image or block device instead of a cluster (disk migration).")
        c.argument("pools", options_list=["--nodepool", "--pool"], nargs="+",
                   help="The node pools to migrate (default: every Ubuntu Linux pool).")
        c.argument("strategy", strategy)
        c.argument("state_dir", options_list=["--state-dir"],
                   help="The run's state directory (plan, journal, checkpoints, logs).")
        c.argument("plan_file", options_list=["--plan"], help="A plan file written by 'az aks osmigrate plan'.")
        c.argument("output_file", options_list=["--output-file", "-f"],
                   help="Also write the result to this file.")
        c.argument("confirm_delete", options_list=["--confirm-delete"], action="store_true",
                   help="Allow the point of no return: deleting the old node pools (bluegreen).")
        c.argument("overrides", options_list=["--override"], nargs="+",
                   help="Finding keys to override although they inhibit the migration.")
        c.argument("target", options_list=["--target"],
                   help="Disk migration: the Azure Linux root tarball the disk becomes.")
        c.argument("to", options_list=["--to"], help="Rollback: the checkpoint to return to (default: the first).")
        c.argument("report_format", options_list=["--format"], arg_type=None,
                   help="report: json (default), md or html.")
        c.argument("soak", options_list=["--soak"], type=int,
                   help="bluegreen: seconds to wait before the old pool is deleted (default 300).")
        c.argument("poll_interval", options_list=["--poll-interval"], type=int,
                   help="Seconds between two looks at a pool being provisioned (default 15).")
        c.argument("wait_timeout", options_list=["--wait-timeout"], type=int,
                   help="Give up waiting for a pool after this many seconds (default 3600).")
        c.argument("drain_batch", options_list=["--drain-batch"], type=int,
                   help="bluegreen: nodes drained at a time (default 1).")
        c.argument("drain_timeout", options_list=["--drain-timeout"], type=int,
                   help="bluegreen: seconds a node's drain may take (default 600).")
        c.argument("dry_run", options_list=["--dry-run"], action="store_true",
                   help="apply: only print the steps and their commands (returns the plan).")
