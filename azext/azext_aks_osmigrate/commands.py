# SPDX-License-Identifier: MIT
"""The command table: az aks osmigrate ..."""


def load_command_table(self, _):
    with self.command_group("aks osmigrate", is_preview=True) as g:
        g.custom_command("analyze", "osmigrate_analyze")
        g.custom_command("plan", "osmigrate_plan")
        g.custom_command("apply", "osmigrate_apply")
        g.custom_command("status", "osmigrate_status")
        g.custom_command("resume", "osmigrate_resume")
        g.custom_command("rollback", "osmigrate_rollback")
        g.custom_command("report", "osmigrate_report")
