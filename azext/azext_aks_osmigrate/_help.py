# SPDX-License-Identifier: MIT
"""Help texts."""
from knack.help_files import helps

helps["aks osmigrate"] = """
type: group
short-summary: Move AKS nodes and node pools from Ubuntu to Azure Linux, with checkpoints and rollback.
long-summary: >
    A front end to the azlmigrate binary (found as $AZLMIGRATE_BIN or on PATH). Node pools: analyze
    a cluster, plan an OS SKU update or a blue-green pool swap, apply it with a checkpoint before every
    change, roll back. Disks: analyze and plan an Ubuntu node disk.
"""

helps["aks osmigrate analyze"] = """
type: command
short-summary: The migration report of a cluster's node pools (or of a node disk), without changing anything.
examples:
  - name: Analyze the Ubuntu pools of a cluster.
    text: az aks osmigrate analyze -g MyResourceGroup -n MyCluster
  - name: Analyze from a saved snapshot, for a blue-green swap.
    text: az aks osmigrate analyze --snapshot cluster.json --strategy bluegreen
"""

helps["aks osmigrate plan"] = """
type: command
short-summary: Plan the migration (the plan JSON, with every step's commands and checkpoints).
examples:
  - name: Plan a blue-green swap of one pool and save it.
    text: az aks osmigrate plan -g MyResourceGroup -n MyCluster --nodepool userpool --strategy bluegreen -f plan.json
"""

helps["aks osmigrate apply"] = """
type: command
short-summary: Run a plan, with a checkpoint before every step that changes the cluster.
long-summary: Deleting an old pool (bluegreen) is the point of no return and runs only with --confirm-delete.
examples:
  - name: Apply a saved plan.
    text: az aks osmigrate apply --plan plan.json --state-dir ./run --confirm-delete
"""

helps["aks osmigrate status"] = """
type: command
short-summary: Where a run stands (its journal).
"""

helps["aks osmigrate resume"] = """
type: command
short-summary: Go on with an interrupted, failed or stopped run from its last checkpoint.
"""

helps["aks osmigrate rollback"] = """
type: command
short-summary: Return to a checkpoint (by default, the state before the run).
"""

helps["aks osmigrate report"] = """
type: command
short-summary: The migration report of a plan, as JSON (default), Markdown or HTML.
"""
