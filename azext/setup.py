#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The az CLI extension "aks-osmigrate": az aks osmigrate, a front end to the azlmigrate binary."""
from setuptools import setup

VERSION = "0.1.0"

setup(
    name="aks_osmigrate",
    version=VERSION,
    description="az aks osmigrate: move AKS nodes and node pools from Ubuntu to Azure Linux (azlmigrate)",
    license="MIT",
    packages=["azext_aks_osmigrate"],
    package_data={"azext_aks_osmigrate": ["azext_metadata.json"]},
    python_requires=">=3.7",
)
