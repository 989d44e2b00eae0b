"""The progress line: a bar on a terminal, sparse plain lines elsewhere, nothing with --quiet."""
import io
import subprocess
import sys
from pathlib import Path

from pipeline.progress import Progress, format_duration, status_line

REPO = Path(__file__).resolve().parent.parent


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def test_status_line_gives_pages_rate_eta_and_failures():
    line = status_line(400, 100, 2, 10.0, bar=False)
    assert line == "100/400 pages  10.0 pages/s  ETA 0:30  2 failed"
    assert status_line(400, 100, 0, 10.0, bar=True).startswith("[######" + "." * 18 + "]")
    assert "ETA ?" in status_line(10, 0, 0, 0.0, bar=False)
    assert "ETA 0:00" in status_line(10, 10, 0, 2.0, bar=False)


def test_durations_read_as_clock_times():
    assert format_duration(5) == "0:05"
    assert format_duration(125) == "2:05"
    assert format_duration(3725) == "1:02:05"


def test_plain_lines_are_spaced_out_and_the_last_one_always_shown():
    stream, clock = io.StringIO(), Clock()
    progress = Progress(stream, tty=False, every=5.0, clock=clock)
    progress(total=100, done=0, failed=0)
    for done in range(1, 101):
        clock.now += 0.1
        progress(total=100, done=done, failed=done // 50)
    lines = stream.getvalue().splitlines()
    assert len(lines) == 2  # one at 5 s, one at the end
    assert lines[-1].startswith("100/100 pages") and lines[-1].endswith("2 failed")
    assert "\r" not in stream.getvalue()


def test_terminal_bar_redraws_one_line():
    stream, clock = io.StringIO(), Clock()
    progress = Progress(stream, tty=True, clock=clock)
    progress(total=3, done=0, failed=0)
    for done in (1, 2, 3):
        clock.now += 1
        progress(total=3, done=done, failed=0)
    text = stream.getvalue()
    assert text.count("\r") == 3 and text.endswith("3/3 pages  1.0 pages/s  ETA 0:00  0 failed\n")


def test_quiet_run_prints_nothing_and_a_normal_run_says_what_it_kept(tmp_path):
    page = tmp_path / "a.txt"
    page.write_text("Erie, PA\n\nErie is a city of about 95,000 people.\n")
    cmd = [sys.executable, "-m", "pipeline", "run", str(page), "--out", str(tmp_path / "out")]
    quiet = subprocess.run(cmd + ["--quiet"], cwd=REPO, capture_output=True, text=True)
    assert quiet.returncode == 0 and quiet.stderr == "" and quiet.stdout == ""
    again = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True)
    assert again.returncode == 0 and "1 unchanged" in again.stderr and "0 extracted" in again.stderr


def test_scheduler_without_the_dask_engine_is_a_usage_error(tmp_path):
    page = tmp_path / "a.txt"
    page.write_text("Erie, PA\n")
    result = subprocess.run([sys.executable, "-m", "pipeline", "run", str(page), "--out", str(tmp_path / "o"),
                             "--scheduler", "tcp://127.0.0.1:1"], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 2 and "--engine dask" in result.stderr
