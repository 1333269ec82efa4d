"""The documented Dask example (python/examples/dask_perf.py): ws.perf spread over a LocalCluster gives the numbers
serial calls give, in the order asked."""
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import distributed  # Debian: python3-distributed
import pandas as pd

import waferscope as ws
from conftest import ROOT


def load_example():
    spec = importlib.util.spec_from_file_location("dask_perf", ROOT / "python/examples/dask_perf.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_perf_over_a_local_cluster_equals_serial_calls():
    example = load_example()
    hardware = ["cs-3", "gb300-nvl72", "dgx-b300", "groq-lpx", "dgx-h100", "mi355x-8"]
    fields = dict(model="llama-3.1-70b", concurrency=8, isl=8000, osl=1000)
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        spread = example.perf_over_hardware(client, hardware, **fields)
    serial = pd.concat([ws.perf(hardware=name, **fields) for name in hardware], ignore_index=True)
    assert list(spread["hardware"]) == list(serial["hardware"]) and len(spread) == len(hardware)
    pd.testing.assert_frame_equal(spread, serial)


def test_the_example_runs_as_documented():
    """`PYTHONPATH=build/python python3 python/examples/dask_perf.py` prints one line per hardware name."""
    env = {**os.environ, "PYTHONPATH": str(Path(ws.__file__).resolve().parents[1])}
    done = subprocess.run([sys.executable, str(ROOT / "python/examples/dask_perf.py")], capture_output=True, text=True,
                          check=False, timeout=120, env=env)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert lines[0].split() == ["hardware", "devices", "tpot_s", "tokens_per_s_per_user"]
    assert [line.split()[0] for line in lines[1:]] == ["cs-3", "gb300-nvl72", "dgx-b300", "groq-lpx"]
