"""A stand-in for a RunPod Serverless queue endpoint that runs the real ``handler.py``.

RunPod cannot be reached from the project's machines, so the tests of the RunPod path run the
real handler (``gpu-worker/runpod/handler.py``, its ``handler`` generator, which runs the real
trainer) behind this server. It implements RunPod's documented contract for a generator handler
registered with ``return_aggregate_stream: True`` — and nothing of BrightRun's own contract:

- every route needs ``Authorization: Bearer <key>`` (401 otherwise);
- ``POST /run`` ``{input, policy?}`` → ``{id, status: "IN_QUEUE"}``; jobs wait in a queue for a
  free worker (``--workers``, default 1);
- ``GET /status/{id}`` → ``{id, status, delayTime, executionTime, output?, error?}``: while the job
  runs, ``output`` is the handler's last ``progress_update`` value; when it completes, ``output``
  is the LIST of everything the generator yielded; a failed job carries ``error`` only;
- ``GET /stream/{id}`` → ``{status, stream: [{output: item}, …]}`` with the items yielded since the
  previous call;
- ``POST /cancel/{id}`` → ``{id, status: "CANCELLED"}``; the running generator is closed at its
  next item (RunPod stops the worker's job; the handler's ``finally`` stops the trainer);
- ``policy.executionTimeout`` (ms; default 600 000, RunPod's endpoint default) ends a job that
  runs longer as ``TIMED_OUT``;
- ``GET /health`` → ``{jobs: {...}, workers: {...}}``.

What a generator yields follows runpod-python's worker loop (``rp_job.handle_job``): a yielded
dict with a truthy ``error`` ends the job ``FAILED`` with ``str(error)`` as its error and drops
the aggregated output; an exception raised by the handler fails it with
``"handler: <exception> \\ntraceback: …"``; otherwise the job is ``COMPLETED``.

Two extras exist for tests only and are not RunPod's: ``GET /_standin/requests/{id}`` returns
the ``/run`` body as received, and ``--keep-work DIR`` keeps each job's working folder (the
trainer's output) in ``DIR/<id>`` instead of deleting it, so a test can compare the uploaded
files with what the trainer wrote.

Start: ``RUNPOD_STANDIN_KEY=<key> python3 server.py [--port 0]``; it prints one JSON line
``{"url": …}`` when it listens, and exits (stopping its process group: the trainers) when its
stdin closes.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
import time
import traceback
import types
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Iterator

sys.path.insert(
    0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "runpod")
)

import handler as worker  # noqa: E402  (the real gpu-worker/runpod/handler.py)

FINAL = ("COMPLETED", "FAILED", "CANCELLED", "TIMED_OUT")
DEFAULT_EXECUTION_TIMEOUT_MS = 600_000
MAX_BODY = 10 * 1024 * 1024


class Stopped(Exception):
    """Raised into the handler when its job has ended (cancel, timeout)."""


class Job:
    def __init__(self, body: dict[str, Any]) -> None:
        self.id = f"{uuid.uuid4()}-u1"
        self.body = body
        self.status = "IN_QUEUE"
        self.progress: Any = None
        self.aggregate: list[Any] = []
        self.pending: list[Any] = []
        self.error: str | None = None
        self.created = time.time()
        self.started: float | None = None
        self.finished: float | None = None

    def view(self) -> dict[str, Any]:
        now = time.time()
        started = self.started or now
        answer: dict[str, Any] = {
            "id": self.id,
            "status": self.status,
            "delayTime": round((started - self.created) * 1000),
        }
        if self.started is not None:
            answer["executionTime"] = round(((self.finished or now) - self.started) * 1000)
        if self.status == "IN_PROGRESS" and self.progress is not None:
            answer["output"] = self.progress
        elif self.status == "COMPLETED":
            answer["output"] = self.aggregate
        if self.error is not None:
            answer["error"] = self.error
        return answer


class Endpoint:
    def __init__(self, workers: int, keep_work: str | None) -> None:
        self.jobs: dict[str, Job] = {}
        self.queue: list[Job] = []
        self.lock = threading.Condition()
        self.running = 0
        self.workers = workers
        self.current = threading.local()
        if keep_work is not None:
            self._keep_work(keep_work)
        for _ in range(workers):
            threading.Thread(target=self._work, daemon=True).start()

    def _keep_work(self, root: str) -> None:
        """Replaces the handler's temporary folders with kept ones, one per RunPod job id."""
        current = self.current

        class Kept:
            def __init__(self, prefix: str = "") -> None:
                self.path = os.path.join(root, current.job_id)

            def __enter__(self) -> str:
                os.makedirs(self.path, exist_ok=True)
                return self.path

            def __exit__(self, *_: object) -> None:
                return None

        kept = types.SimpleNamespace(TemporaryDirectory=Kept)
        setattr(worker, "tempfile", kept)  # the handler looks tempfile up at call time

    def submit(self, body: dict[str, Any]) -> Job:
        job = Job(body)
        with self.lock:
            self.jobs[job.id] = job
            self.queue.append(job)
            self.lock.notify()
        return job

    def cancel(self, job: Job) -> None:
        with self.lock:
            if job.status not in FINAL:
                self._finish(job, "CANCELLED")

    def _finish(self, job: Job, status: str, error: str | None = None) -> None:
        # Callers hold the lock. The first final status wins.
        if job.status in FINAL:
            return
        job.status = status
        job.error = error
        job.finished = time.time()
        if status != "COMPLETED":
            job.aggregate = []

    def _work(self) -> None:
        while True:
            with self.lock:
                while not self.queue:
                    self.lock.wait()
                job = self.queue.pop(0)
                if job.status in FINAL:
                    continue
                job.status = "IN_PROGRESS"
                job.started = time.time()
                self.running += 1
            try:
                self._run(job)
            finally:
                with self.lock:
                    self.running -= 1

    def _run(self, job: Job) -> None:
        policy = job.body.get("policy") or {}
        timeout_ms = policy.get("executionTimeout") or DEFAULT_EXECUTION_TIMEOUT_MS

        def timed_out() -> None:
            with self.lock:
                self._finish(job, "TIMED_OUT")

        timer = threading.Timer(timeout_ms / 1000, timed_out)
        timer.daemon = True
        timer.start()

        def progress_update(update: Any) -> None:
            with self.lock:
                if job.status in FINAL:
                    # Cancelled or timed out while the handler yields nothing (it reports progress
                    # between metric points): stop it now rather than at its next item.
                    raise Stopped()
                job.progress = update

        self.current.job_id = job.id
        items: Iterator[Any] = worker.handler(
            {"id": job.id, "input": job.body["input"]}, progress_update
        )
        try:
            for item in items:
                with self.lock:
                    if job.status in FINAL:
                        break  # cancelled or timed out: stop the handler
                    if isinstance(item, dict) and item.get("error"):
                        self._finish(job, "FAILED", str(item["error"]))
                        break
                    job.pending.append(item)
                    job.aggregate.append(item)
            with self.lock:
                self._finish(job, "COMPLETED")
        except Exception as exc:  # noqa: BLE001 (any handler failure fails the job, as on RunPod)
            with self.lock:
                self._finish(job, "FAILED", f"handler: {exc} \ntraceback: {traceback.format_exc()}")
        finally:
            timer.cancel()
            close = getattr(items, "close", None)
            if close is not None:
                close()  # GeneratorExit in the handler: its finally stops the trainer

    def health(self) -> dict[str, Any]:
        with self.lock:
            count = {s: 0 for s in ("COMPLETED", "FAILED", "IN_PROGRESS", "IN_QUEUE")}
            for job in self.jobs.values():
                if job.status in count:
                    count[job.status] += 1
            return {
                "jobs": {
                    "completed": count["COMPLETED"],
                    "failed": count["FAILED"],
                    "inProgress": count["IN_PROGRESS"],
                    "inQueue": count["IN_QUEUE"],
                    "retried": 0,
                },
                "workers": {"idle": self.workers - self.running, "running": self.running},
            }


def make_server(port: int, key: str, endpoint: Endpoint) -> ThreadingHTTPServer:
    class Routes(BaseHTTPRequestHandler):
        def _send(self, status: int, body: Any) -> None:
            data = json.dumps(body).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _route(self, method: str) -> None:
            if self.headers.get("Authorization") != f"Bearer {key}":
                self._send(401, {"error": "Unauthorized"})
                return
            parts = [p for p in self.path.split("?")[0].split("/") if p]
            if method == "POST" and parts == ["run"]:
                self._run()
                return
            if method == "GET" and parts == ["health"]:
                self._send(200, endpoint.health())
                return
            if len(parts) == 2 or (len(parts) == 3 and parts[0] == "_standin"):
                job = endpoint.jobs.get(parts[-1])
                if job is None:
                    self._send(404, {"error": "job not found"})
                    return
                route = (method, "/".join(parts[:-1]))
                if route == ("GET", "status"):
                    with endpoint.lock:
                        self._send(200, job.view())
                    return
                if route == ("GET", "stream"):
                    with endpoint.lock:
                        items, job.pending = job.pending, []
                        status = job.status
                    self._send(200, {"status": status, "stream": [{"output": i} for i in items]})
                    return
                if route == ("POST", "cancel"):
                    endpoint.cancel(job)
                    self._send(200, {"id": job.id, "status": job.status})
                    return
                if route == ("GET", "_standin/requests"):
                    self._send(200, job.body)
                    return
            self._send(404, {"error": "not found"})

        def _run(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY:
                self._send(413, {"error": "request body too large"})
                return
            try:
                body = json.loads(self.rfile.read(length) or b"null")
            except json.JSONDecodeError:
                self._send(400, {"error": "body is not JSON"})
                return
            if not isinstance(body, dict) or not isinstance(body.get("input"), dict):
                self._send(400, {"error": "input is required"})
                return
            job = endpoint.submit(body)
            self._send(200, {"id": job.id, "status": job.status})

        def do_GET(self) -> None:  # noqa: N802 (the name http.server calls)
            self._route("GET")

        def do_POST(self) -> None:  # noqa: N802
            self._route("POST")

        def log_message(self, *_: Any) -> None:
            return None

    return ThreadingHTTPServer(("127.0.0.1", port), Routes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--keep-work", default=None)
    args = parser.parse_args()
    key = os.environ.get("RUNPOD_STANDIN_KEY", "")
    if not key:
        sys.exit("RUNPOD_STANDIN_KEY must be set (the bearer key clients must send)")
    server = make_server(args.port, key, Endpoint(args.workers, args.keep_work))
    print(json.dumps({"url": f"http://127.0.0.1:{server.server_address[1]}"}), flush=True)

    def lifeline() -> None:
        sys.stdin.read()  # returns when the parent closes our stdin or dies
        if os.getpgid(0) == os.getpid():
            os.killpg(0, signal.SIGTERM)  # the trainers are in this process group
        os._exit(0)

    threading.Thread(target=lifeline, daemon=True).start()
    server.serve_forever()


if __name__ == "__main__":
    main()
