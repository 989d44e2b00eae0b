"""The command line as a user meets it: help, exit codes, error lines."""
import json
import os
import subprocess
import sys
from pathlib import Path


from pipeline.cli import build_parser, command_modules

REPO = Path(__file__).resolve().parent.parent


def profilex(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "pipeline", *args], capture_output=True, text=True,
                          cwd=cwd or REPO)


def test_every_command_has_help_with_an_example():
    parser = build_parser()
    for module in command_modules():
        sub = parser._subparsers._group_actions[0].choices[module.NAME]
        text = sub.format_help()
        assert "Example:" in text and module.EXAMPLE in text, module.NAME


def test_top_level_help_lists_run():
    result = profilex("--help")
    assert result.returncode == 0 and "run" in result.stdout and "Example" in result.stdout


def test_no_command_is_a_usage_error():
    assert profilex().returncode == 2


def test_unknown_flag_is_a_usage_error(tmp_path):
    assert profilex("run", "--no-such-flag").returncode == 2


def test_folder_without_inputs_is_a_usage_error(tmp_path):
    (tmp_path / "in").mkdir()
    result = profilex("run", str(tmp_path / "in"), "--out", str(tmp_path / "out"))
    assert result.returncode == 2 and "no input files" in result.stderr


def test_unwritable_output_is_a_usage_error(tmp_path):
    page = tmp_path / "a.txt"
    page.write_text("Erie, PA\n\nErie is a city.\n")
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    result = profilex("run", str(page), "--out", str(blocker / "out"))
    assert result.returncode == 2 and "cannot write" in result.stderr
    assert "Traceback" not in result.stderr


BAD_INPUTS = {
    "empty.txt": (b"", "empty"),
    "blank.txt": (b" \n\t\r\n", "empty"),
    "nul.txt": (b"Erie\x00PA", "binary"),
    "image.txt": (bytes(range(256)) * 4, "binary"),
    "big.txt": (b"Erie, PA\n" + b"x" * 5000, "too_large"),
}
GOOD_INPUTS = {
    "latin1.txt": "Caf\u00e9 city, PA\n\nThe police arrested 4 men in 2019.\n".encode("cp1252"),
    "utf16.txt": "\ufeffErie, PA\n\nThe police arrested 4 men in 2019.\n".encode("utf-16"),
    "bom.txt": "\ufeffErie, PA\r\n\r\nPolice arrested 9 men in June 2018.\r\n".encode(),
    "page.html": b"<h1>Erie, PA</h1><p>Police arrested 9 men in June 2018.</p>",
}


def test_a_mixed_folder_gives_one_record_or_error_per_file_and_exit_1(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for name, (data, _) in BAD_INPUTS.items():
        (folder / name).write_bytes(data)
    for name, data in GOOD_INPUTS.items():
        (folder / name).write_bytes(data)
    out = tmp_path / "out"
    result = profilex("run", str(folder), "--out", str(out), "--max-bytes", "2000")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    records = [json.loads(line) for line in (out / "records.jsonl").read_text().splitlines()]
    errors = [json.loads(line) for line in (out / "errors.jsonl").read_text().splitlines()]
    by_name = {Path(e["source"]).name: e for e in errors}
    assert {n: e["error"] for n, e in by_name.items()} == {n: code for n, (_, code) in BAD_INPUTS.items()}
    assert all(e["message"] for e in errors)
    assert sorted(Path(r["source"]["path"]).name for r in records) == sorted(GOOD_INPUTS)
    encodings = {Path(r["source"]["path"]).name: r["source"]["encoding"] for r in records}
    assert encodings["utf16.txt"] == "utf-16" and encodings["latin1.txt"] not in ("utf-8", "utf-16")
    # Records are in input order (sorted folder walk) and name the path as given.
    assert [r["source"]["path"] for r in records] == sorted(r["source"]["path"] for r in records)
    assert all(r["source"]["path"].startswith(str(folder)) for r in records)


def test_all_good_inputs_exit_0_and_replace_earlier_outputs(tmp_path):
    page = tmp_path / "a.txt"
    page.write_text("Erie, PA\n\nErie is a city of about 95,000 people.\n")
    out = tmp_path / "out"
    assert profilex("run", str(page), "--out", str(out)).returncode == 0
    first = (out / "records.jsonl").read_text()
    assert profilex("run", str(page), "--out", str(out)).returncode == 0
    assert (out / "records.jsonl").read_text() == first
    assert (out / "errors.jsonl").read_text() == ""
    assert not [p for p in os.listdir(out) if p.endswith(".tmp")]


def test_bad_rule_file_fails_at_start_up_naming_file_and_line(tmp_path):
    import shutil

    models = tmp_path / "models"
    shutil.copytree(REPO / "models", models)
    patterns = sorted(models.rglob("*.jsonl"))
    assert patterns, "models/ holds no pattern file"
    target = patterns[0]
    lines = target.read_text().splitlines()
    lines.insert(0, '{"id": "broken", "label": "X", "pattern": [{"NOT_AN_ATTR": "x"}]}')
    target.write_text("\n".join(lines) + "\n")
    page = tmp_path / "a.txt"
    page.write_text("Erie, PA\n")
    result = profilex("run", str(page), "--out", str(tmp_path / "out"), "--models", str(models))
    assert result.returncode == 2
    assert f"{target}:1" in result.stderr
