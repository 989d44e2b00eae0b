"""Engines that run `pipeline.run.extract_partition` over partitions of pages.

Every engine takes an iterator of partitions (lists of loaded pages) and
yields, as they finish, the list of `Result`s of each: small JSON lines, never
spaCy Docs (pickling Docs back is what makes `nlp.pipe(n_process=2)` slower
than one process). The caller puts them back in input order. Only a few
partitions are in flight at a time, so memory does not grow with the batch.

- `run_pool`: N local processes. Each holds one spaCy pipeline: forked from
  the caller's (built once, shared copy-on-write) where the platform forks
  and the caller runs no other thread, else built once per worker.
- `run_dask`: Dask tasks on a dask.distributed cluster (a LocalCluster of N
  worker processes when no scheduler address is given). Each worker process
  builds the pipeline once (`pipeline.nlp.shared_nlp`). Workers need
  profilex installed and, with `--models DIR`, that folder at the same path;
  pages are read by the caller and sent with the task, so workers need no
  access to the input files.
"""
from __future__ import annotations

import multiprocessing
import os
import signal
import threading
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from typing import Iterator, Optional

from spacy.language import Language

# The pipeline of this worker process (inherited through fork, or built once).
_WORKER_NLP: Optional[Language] = None
# One page at a time per process: a worker with several threads shares one pipeline.
_NLP_LOCK = threading.Lock()


class EngineError(Exception):
    """The engine could not start (e.g. no Dask scheduler at the address given)."""


def _die_with_parent() -> None:
    """Linux: a worker gets SIGTERM when the batch process is killed (no orphans)."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _init_worker(models_dir: Optional[str], parent: int) -> None:
    global _WORKER_NLP
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the batch process handles Ctrl-C
    _die_with_parent()
    if os.getppid() != parent:
        os._exit(1)
    if _WORKER_NLP is None:
        from pipeline.nlp import build_nlp

        _WORKER_NLP = build_nlp(models_dir)


def _pool_task(items: list, rules: str) -> list:
    global _WORKER_NLP
    from pipeline.nlp import renewed
    from pipeline.run import extract_partition

    _WORKER_NLP = renewed(_WORKER_NLP)  # a fresh pipeline once its vocabulary outgrew its budget
    return extract_partition(_WORKER_NLP, items, rules)


def run_pool(partitions: Iterator[list], *, workers: int, nlp: Optional[Language],
             models_dir: Optional[str], rules: str) -> Iterator[list]:
    """Run partitions on `workers` local processes; yield each one's results as it finishes."""
    global _WORKER_NLP
    # Fork shares the pipeline already built; forking a process that runs
    # other threads can deadlock the children, so such a process spawns.
    forkable = "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1
    context = multiprocessing.get_context("fork" if forkable else "spawn")
    if context.get_start_method() == "fork":
        _WORKER_NLP = nlp  # the children start with it: nothing to build
    executor = ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_init_worker,
                                   initargs=(models_dir, os.getpid()))
    try:
        pending: set = set()
        window = 2 * workers
        for part in partitions:
            pending.add(executor.submit(_pool_task, part, rules))
            if len(pending) >= window:
                finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in finished:
                    yield future.result()
        while pending:
            finished, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in finished:
                yield future.result()
    finally:
        executor.shutdown(wait=True, cancel_futures=True)
        _WORKER_NLP = None


def _dask_task(items: list, models_dir: Optional[str], rules: str) -> list:
    global _WORKER_NLP
    from pipeline.nlp import renewed, shared_nlp
    from pipeline.run import extract_partition

    with _NLP_LOCK:
        if _WORKER_NLP is not None:  # an in-process cluster shares the batch's pipeline
            _WORKER_NLP = renewed(_WORKER_NLP)
        nlp = _WORKER_NLP if _WORKER_NLP is not None else shared_nlp(models_dir)
        return extract_partition(nlp, items, rules)


def run_dask(partitions: Iterator[list], *, workers: int, scheduler: Optional[str],
             nlp: Optional[Language], models_dir: Optional[str], rules: str,
             processes: bool = True) -> Iterator[list]:
    """Run partitions as Dask tasks; yield each one's results as it finishes.

    `scheduler`: address of an existing cluster's scheduler ("tcp://host:8786");
    None starts a LocalCluster of `workers` single-threaded workers
    (`processes=False`: threads in this process, sharing `nlp`).
    """
    global _WORKER_NLP
    import logging

    from dask.distributed import Client, LocalCluster, as_completed

    quiet = logging.getLogger("distributed")
    level = quiet.level
    quiet.setLevel(logging.ERROR)  # the cluster's chatter is not the batch's output
    cluster = None
    try:
        if scheduler:
            client = Client(scheduler, timeout="20s")
        else:
            cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=processes,
                                   dashboard_address=None, silence_logs=logging.ERROR)
            client = Client(cluster)
    except (OSError, TimeoutError, ValueError) as err:
        if cluster is not None:
            cluster.close()
        quiet.setLevel(level)
        raise EngineError(f"cannot reach the Dask scheduler {scheduler or '(local)'}: {err}") from None
    if not processes and not scheduler:
        _WORKER_NLP = nlp  # the workers are threads of this process
    models = str(models_dir) if models_dir is not None else None
    try:
        window = 2 * max(1, sum(client.nthreads().values()))
        running = as_completed()
        in_flight = 0
        parts = iter(partitions)
        for part in parts:
            running.add(client.submit(_dask_task, part, models, rules, pure=False))
            in_flight += 1
            if in_flight >= window:
                break
        for future in running:
            results = future.result()
            future.release()
            in_flight -= 1
            yield results
            part = next(parts, None)
            if part is not None:
                running.add(client.submit(_dask_task, part, models, rules, pure=False))
                in_flight += 1
    finally:
        _WORKER_NLP = None
        client.close()
        if cluster is not None:
            cluster.close()
        quiet.setLevel(level)
