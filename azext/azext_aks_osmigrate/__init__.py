# SPDX-License-Identifier: MIT
"""az aks osmigrate: the az CLI front end of azlmigrate.

Every command runs the azlmigrate binary with JSON in and out (never its human text), turns its
NDJSON progress events into az's progress indicator, and returns JSON for az's --output formats.
"""
from azure.cli.core import AzCommandsLoader

from azext_aks_osmigrate._help import helps  # noqa: F401  (registers the help texts)


class OsMigrateCommandsLoader(AzCommandsLoader):
    def __init__(self, cli_ctx=None):
        from azure.cli.core.commands import CliCommandType

        custom = CliCommandType(operations_tmpl="azext_aks_osmigrate.custom#{}")
        super().__init__(cli_ctx=cli_ctx, custom_command_type=custom)

    def load_command_table(self, args):
        from azext_aks_osmigrate.commands import load_command_table

        load_command_table(self, args)
        return self.command_table

    def load_arguments(self, command):
        from azext_aks_osmigrate._params import load_arguments

        load_arguments(self, command)


COMMAND_LOADER_CLS = OsMigrateCommandsLoader
