"""`pip install --no-build-isolation .` offline (no index, no downloads) with Debian's setuptools and wheel: the
installed package carries its own catalog and answers as the build tree's does."""
import json
import os
import subprocess
import sys
from pathlib import Path

import waferscope as ws
from conftest import ROOT


def test_pip_install_offline_into_a_folder(tmp_path):
    build = Path(ws.__file__).resolve().parents[2]  # the build tree under test: its objects are reused
    env = {**os.environ, "WAFERSCOPE_BUILD_DIR": str(build), "PIP_NO_INDEX": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    env.pop("PYTHONPATH", None)
    target = tmp_path / "site"
    done = subprocess.run([sys.executable, "-m", "pip", "install", "--no-build-isolation", "--no-deps", "--quiet",
                           "--target", str(target), str(ROOT)], env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert (target / "waferscope" / "catalog" / "chips.toml").exists()
    probe = ("import json, waferscope as ws; print(json.dumps([ws.catalog_dir(), "
             "ws.perf(model='llama-3.1-8b', hardware='cs-3', concurrency=8).to_dict('records')]))")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "WAFERSCOPE_CATALOG")}
    env["PYTHONPATH"] = str(target)
    done = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=False,
                          cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    catalog, rows = json.loads(done.stdout)
    assert Path(catalog) == target / "waferscope" / "catalog"
    assert rows == ws.perf(model="llama-3.1-8b", hardware="cs-3", concurrency=8).to_dict("records")
