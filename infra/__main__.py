"""Pulumi entry point (Pulumi.yaml: main: infra/). The program itself lives in infra.program."""

from infra.program import main

main()
