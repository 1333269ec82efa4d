"""The Python package against the CLI's own --format json (the contract: equal field by field), its errors (a
ValueError naming the field), config= dicts, and the function per command made from the request layer's table."""
import inspect
import json
import keyword
import math

import pandas as pd
import pytest

import waferscope as ws
from conftest import ROOT


def assert_same(got, want, where="answer"):
    """`got` (the package's answer) equals `want` (the CLI's JSON) field by field: rows as DataFrames with the JSON
    keys as columns in order, objects as dicts with the same keys; JSON null (a NaN in the library) may be NaN."""
    if isinstance(want, list) and want and all(isinstance(row, dict) for row in want):
        assert isinstance(got, pd.DataFrame), f"{where}: expected a DataFrame, got {type(got).__name__}"
        assert list(got.columns) == list(want[0].keys()), where
        assert len(got) == len(want), where
        for i, (row, expected) in enumerate(zip(got.to_dict("records"), want)):
            for key, value in expected.items():
                assert_same(row[key], value, f"{where}[{i}].{key}")
    elif isinstance(want, dict):
        assert isinstance(got, dict), f"{where}: expected a dict, got {type(got).__name__}"
        assert list(got) == list(want), where
        for key, value in want.items():
            assert_same(got[key], value, f"{where}.{key}")
    elif want is None:
        assert got is None or (isinstance(got, float) and math.isnan(got)), f"{where}: {got!r} for null"
    else:
        assert got == want, f"{where}: {got!r} != {want!r}"
        assert isinstance(got, str) == isinstance(want, str), f"{where}: {got!r} vs {want!r}"


PERF_CASES = [
    dict(model="llama-3.1-8b", hardware="cs-3", concurrency=8),
    dict(model="llama-3.1-70b", hardware="gb300-nvl72", concurrency=64, isl="8k", osl=1000),
    dict(model="gpt-oss-120b", hardware="dgx-b300", concurrency=32, weight_dtype="mxfp4", kv_dtype="fp8"),
    dict(model="llama-3.1-70b", hardware="groq-lpx", concurrency=4, isl=2048),
    dict(model="deepseek-v3", hardware="cs-3", concurrency=16, pp=20),
]


@pytest.mark.parametrize("fields", PERF_CASES, ids=lambda f: f"{f['model']}@{f['hardware']}")
def test_perf_equals_cli_json(cli, fields):
    got = ws.perf(**fields)
    assert isinstance(got, pd.DataFrame) and len(got) == 1
    assert_same(got, cli("perf", **fields))


def test_perf_explain_is_a_dict_of_tables_equal_to_cli_json(cli):
    fields = dict(model="llama-3.1-8b", hardware="dgx-h100", concurrency=8, explain=True)
    got = ws.perf(**fields)
    assert list(got) == ["result", "explain", "bounds"]
    assert all(isinstance(table, pd.DataFrame) for table in got.values())
    assert_same(got, cli("perf", **fields))


@pytest.mark.parametrize("command, fields", [
    ("chips", {}),
    ("footprint", dict(model="gpt-oss-120b")),
    ("deploy", dict(model="llama-3.1-70b", hardware="cs-3")),
    ("cost", dict(model="gpt-oss-120b", hardware="cs-3")),
    ("frontier", dict(model="llama-3.1-8b", hardware=["cs-3", "dgx-b300"], max_concurrency=64)),
    ("disagg", dict(model="llama-3.1-70b", prefill="dgx-b300", decode="cs-3")),
])
def test_other_commands_equal_cli_json(cli, command, fields):
    assert_same(getattr(ws, command)(**fields), cli(command, **fields), command)


def test_published_worked_example():
    """The source's worked example (README, the calculator page's defaults): gpt-oss-120b at 96.3k average input and
    250 concurrent needs 42 CS-3 and costs 0.193 USD per million tokens by the public calculator's rule."""
    rows = ws.cost(model="gpt-oss-120b", hardware="cs-3", isl=96300, concurrency=250).set_index("rule")
    assert list(rows.index) == ["physical", "calculator"]
    assert rows.loc["calculator", "systems"] == 42
    assert rows.loc["calculator", "usd_per_mtok"] == pytest.approx(0.193, abs=0.0005)


@pytest.mark.parametrize("fields, field, says", [
    (dict(model="llama-3.1-8b", hardware="cs-3", concurrency=0), "concurrency", "[1, 1000000]"),
    (dict(model="llama-3.1-8b", hardware="cs-3", concurrency=2.5), "concurrency", "whole number"),
    (dict(model="llama-3.1-8b", hardware="cs-3", concurrency="eight"), "concurrency", "whole number"),
    (dict(model="llama-3.1-8b", hardware="cs-3", concurrency=float("nan")), "concurrency", "finite"),
    (dict(model="lama-3.1-8b", hardware="cs-3"), "model", "llama-3.1-8b"),
    (dict(model="llama-3.1-8b", hardware="cs-9"), "hardware", "unknown"),
    (dict(model="llama-3.1-8b", hardware="cs-3", isl="1e12"), "isl", "10000000"),
    (dict(model="llama-3.1-8b", hardware="cs-3", concurency=8), "concurency", "unknown field"),
    (dict(hardware="cs-3"), "model", "missing"),
    (dict(model="llama-3.1-8b", hardware="cs-3", tp=0), "tp", "[1, 4096]"),
    (dict(model="llama-3.1-8b", hardware="cs-3", kv_dtype="fp7"), "kv_dtype", "fp7"),
])
def test_bad_input_raises_value_error_naming_the_field(fields, field, says):
    with pytest.raises(ValueError) as raised:
        ws.perf(**fields)
    assert isinstance(raised.value, ws.InputError)
    assert raised.value.field == field, str(raised.value)
    assert str(raised.value).startswith(field + ": ")
    assert says in str(raised.value)


def test_infeasible_is_a_value_error():
    with pytest.raises(ValueError) as raised:
        ws.perf(model="llama-3.1-405b", hardware="cs-3", pp=1)
    assert type(raised.value) is ws.InfeasibleError
    assert "does not fit" in str(raised.value) and "short by" in str(raised.value)


def test_config_dict_is_accepted_like_the_api():
    """config= takes a pasted config.json as the API does; the numbers equal the catalog model built from the same file."""
    config = json.loads((ROOT / "catalog/models/meta-llama/Llama-3.1-8B/config.json").read_text())
    from_config = ws.perf(config=config, hardware="cs-3", concurrency=8)
    from_catalog = ws.perf(model="llama-3.1-8b", hardware="cs-3", concurrency=8)
    numbers = [c for c in from_catalog.columns if pd.api.types.is_numeric_dtype(from_catalog[c])]
    assert len(numbers) > 5
    pd.testing.assert_frame_equal(from_config[numbers], from_catalog[numbers])
    with pytest.raises(ValueError) as raised:
        ws.perf(config=config, model="llama-3.1-8b", hardware="cs-3")
    assert raised.value.field == "model"
    with pytest.raises(ValueError) as raised:
        ws.perf(config={**config, "num_key_value_heads": 0.4}, hardware="cs-3")
    assert raised.value.field.startswith("config")


def test_numpy_and_pandas_values_are_taken_as_json():
    import numpy as np
    plain = ws.perf(model="llama-3.1-8b", hardware="cs-3", concurrency=8, isl=2048)
    pd.testing.assert_frame_equal(ws.perf(model="llama-3.1-8b", hardware="cs-3", concurrency=np.int64(8),
                                          isl=np.float64(2048)), plain)
    frontier = ws.frontier(model="llama-3.1-8b", hardware=pd.Series(["cs-3"]), max_concurrency=np.int32(16))
    assert len(frontier) > 0


def test_one_function_per_command_with_the_api_fields_as_keywords():
    listed = ws.commands()
    assert "perf" in listed and "simulate" in listed and len(listed) >= 25
    for name, command in listed.items():
        function = getattr(ws, name)
        assert function.__name__ == name and function.__module__ == "waferscope"
        parameters = inspect.signature(function).parameters
        assert list(parameters) == [f["name"] for f in command["fields"]]
        for f in command["fields"]:
            assert f["name"].isidentifier() and not keyword.iskeyword(f["name"]), f["name"]
            assert parameters[f["name"]].kind is inspect.Parameter.KEYWORD_ONLY
            assert f["name"] in function.__doc__
    assert "config" in inspect.signature(ws.perf).parameters
    with pytest.raises(TypeError):
        ws.perf("llama-3.1-8b")


def test_listings_and_the_catalog_folder(tmp_path):
    assert "cs-3" in set(ws.systems()["name"])
    assert "bf16" in ws.precisions()
    default = ws.catalog_dir()
    broken = tmp_path / "catalog"
    broken.mkdir()
    with pytest.raises(ValueError) as raised:
        ws.set_catalog(broken)
    assert raised.value.field.startswith(str(broken / "")) and ".toml" in raised.value.field  # names the file
    assert ws.catalog_dir() == default  # a folder that fails to load is not taken
    ws.set_catalog(default)
    assert len(ws.chips()) > 10


def test_simulate_writes_the_requests_its_latency_cdf_is_drawn_from(tmp_path):
    summary = ws.simulate(model="llama-3.1-8b", hardware="cs-3", workload="1k-1k", rate=20, duration=5,
                          out=str(tmp_path))
    requests = pd.read_csv(tmp_path / "requests.csv")
    assert len(summary) == 1 and len(requests) > 50
    assert (tmp_path / "summary.json").exists()
    assert_same(summary, json.loads((tmp_path / "summary.json").read_text()))


def test_frontier_disaggregated_points_on_gpus_and_colocated_only():
    points = ws.frontier(model="gpt-oss-120b", hardware="dgx-h100", max_concurrency=64, all_points=True)
    twins = points[points["prefill_devices"] > 0]
    assert len(twins) > 0
    assert (twins["devices"] > twins["prefill_devices"]).all()  # the decode devices are counted too
    colocated = ws.frontier(model="gpt-oss-120b", hardware="dgx-h100", max_concurrency=64, all_points=True,
                            colocated_only=True)
    assert (colocated["prefill_devices"] == 0).all()
    assert len(colocated) == len(points) - len(twins)
