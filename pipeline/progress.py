"""How far a batch is: a bar on a terminal, plain log lines otherwise.

`Progress` is the `progress(total=, done=, failed=)` callback of
`pipeline.run.run_batch`. On a TTY it redraws one line (pages done,
pages/s, ETA, failures) at most ten times a second; elsewhere (a log file,
CI) it writes a plain line every `every` seconds and one at the end.
"""
from __future__ import annotations

import sys
import time
from typing import Optional, TextIO

BAR_WIDTH = 24


def format_duration(seconds: float) -> str:
    seconds = max(0, int(round(seconds)))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def status_line(total: int, done: int, failed: int, elapsed: float, *, bar: bool) -> str:
    """`[#####...] 120/400 pages  35.2 pages/s  ETA 0:08  1 failed`."""
    rate = done / elapsed if elapsed > 0 else 0.0
    eta = format_duration((total - done) / rate) if rate > 0 and done < total else ("0:00" if done >= total else "?")
    parts = []
    if bar:
        filled = int(BAR_WIDTH * done / total) if total else BAR_WIDTH
        parts.append("[" + "#" * filled + "." * (BAR_WIDTH - filled) + "]")
    parts.append(f"{done}/{total} pages")
    parts.append(f"{rate:.1f} pages/s")
    parts.append(f"ETA {eta}")
    parts.append(f"{failed} failed")
    return "  ".join(parts)


class Progress:
    def __init__(self, stream: Optional[TextIO] = None, *, tty: Optional[bool] = None,
                 every: float = 5.0, clock=time.monotonic):
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty() if tty is None else tty
        self.every = every if not self.tty else 0.1
        self.clock = clock
        self.start: Optional[float] = None
        self.last_shown = float("-inf")
        self.state = (0, 0, 0)

    def __call__(self, *, total: int, done: int, failed: int) -> None:
        now = self.clock()
        if self.start is None:
            self.start = self.last_shown = now
        self.state = (total, done, failed)
        if done < total and now - self.last_shown < self.every:
            return
        if done == 0 and not self.tty:
            return
        self.last_shown = now
        line = status_line(total, done, failed, now - self.start, bar=self.tty)
        if self.tty:
            self.stream.write("\r\x1b[K" + line + ("\n" if done >= total else ""))
        else:
            self.stream.write(line + "\n")
        self.stream.flush()

    def close(self) -> None:
        """End the bar's line if the run stopped before the last page."""
        total, done, _ = self.state
        if self.tty and self.start is not None and done < total:
            self.stream.write("\n")
            self.stream.flush()
