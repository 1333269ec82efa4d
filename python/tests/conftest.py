"""Shared by the Python tests: the package under test (PYTHONPATH=build/python, as `make test` sets it) and the CLI
binary of the same build, whose --format json every answer is compared with."""
import json
import os
import subprocess
from pathlib import Path

import pytest

import waferscope as ws

ROOT = Path(__file__).resolve().parents[2]


def cli_binary():
    env = os.environ.get("WAFERSCOPE_BIN")
    # build/python/waferscope/__init__.py -> build/waferscope
    return Path(env) if env else Path(ws.__file__).resolve().parents[2] / "waferscope"


def cli_args(fields):
    """The CLI's flags for API fields: --name-with-dashes, lists comma-joined, flags bare."""
    args = []
    for name, value in fields.items():
        flag = "--" + name.replace("_", "-")
        if value is True:
            args.append(flag)
        elif isinstance(value, (list, tuple)):
            args += [flag, ",".join(str(v) for v in value)]
        else:
            args += [flag, str(value)]
    return args


@pytest.fixture(scope="session")
def cli():
    binary = cli_binary()
    if not binary.exists():
        pytest.fail(f"no CLI at {binary}: build it (make build) or set WAFERSCOPE_BIN")

    def run(command, **fields):
        done = subprocess.run([str(binary), command, *cli_args(fields), "--format", "json"], capture_output=True,
                              text=True, check=False)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    return run
