"""Spread ws.perf calls over a Dask LocalCluster (Debian's python3-distributed).

    PYTHONPATH=build/python python3 python/examples/dask_perf.py

Each call releases the GIL while the C++ library computes, so threads of one process run calls at once; with
processes=True each worker process loads its own copy of the catalog on its first call. The answers are the ones
serial calls give (python/tests/test_dask.py checks that).
"""
import pandas as pd
from dask.distributed import Client, LocalCluster

import waferscope as ws


def perf_over_hardware(client, hardware, **fields):
    """One ws.perf per hardware name, run on the cluster; the rows in the order given, as one DataFrame."""
    futures = client.map(lambda name: ws.perf(hardware=name, **fields), hardware, pure=False)
    return pd.concat(client.gather(futures), ignore_index=True)


if __name__ == "__main__":
    with LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None) as cluster, \
            Client(cluster) as client:
        table = perf_over_hardware(client, ["cs-3", "gb300-nvl72", "dgx-b300", "groq-lpx"],
                                   model="llama-3.1-70b", concurrency=8, isl=8000, osl=1000)
        print(table[["hardware", "devices", "tpot_s", "tokens_per_s_per_user"]].to_string(index=False))
