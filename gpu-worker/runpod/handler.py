"""RunPod Serverless handler: runs the trainer for one job and streams its metric points.

Deployed as the worker's entry point (``python -u handler.py``) with the ``runpod`` package
installed. The cluster contract (architecture.md §5) maps onto RunPod like this:
- every metric point is yielded, so ``GET /stream/{id}`` returns them as they happen;
- the stage and progress are sent with ``runpod.serverless.progress_update`` so ``GET /status``
  shows them while the job runs;
- the last item yielded is the full output ``{stage, progress, …, model_files, model_metadata}``
  (with ``return_aggregate_stream`` RunPod's final ``output`` is the list of yielded items, and
  this is its last element); a failure yields ``{"error": message, "error_code": code}``.
Files are PUT to the pre-signed URLs in ``input.upload_urls`` (name → URL) when given; a worker's
local paths mean nothing to the backend, so a file without an upload URL is not listed.

The pure parts (spec building, event folding, upload planning) are unit-tested in
``trainer/tests/test_handler.py``; the RunPod glue cannot run on the project's machines.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any, Callable, Iterator

WORKER_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
UPLOAD_ATTEMPTS = 3


class InputError(ValueError):
    """The job input is unusable; the message names the field."""


def build_job_spec(job_input: Any, output_dir: str) -> dict[str, Any]:
    """The trainer's job spec from RunPod's ``input`` (the body of ``POST /run``)."""
    if not isinstance(job_input, dict):
        raise InputError("input must be an object")
    for name in ("job_id", "dataset_url"):
        if not isinstance(job_input.get(name), str) or not job_input[name]:
            raise InputError(f"input.{name} must be a non-empty string")
    if not isinstance(job_input.get("hyperparameters"), dict):
        raise InputError("input.hyperparameters must be an object")
    spec: dict[str, Any] = {
        "job_id": job_input["job_id"],
        "dataset_url": job_input["dataset_url"],
        "hyperparameters": job_input["hyperparameters"],
        "output_dir": output_dir,
    }
    if isinstance(job_input.get("debug"), dict):
        spec["debug"] = job_input["debug"]  # honoured only where BRIGHTRUN_TRAINER_DEBUG=1
    return spec


class OutputState:
    """Folds trainer events into the contract's ``output`` object."""

    def __init__(self) -> None:
        self.output: dict[str, Any] = {
            "stage": "initializing",
            "progress": 0,
            "current_epoch": 0,
            "current_step": 0,
            "total_steps": 0,
            "metrics": [],
            "model_files": {},
            "model_metadata": {},
        }
        self.files: dict[str, str] = {}
        self.error: dict[str, str] | None = None
        self.cancelled = False

    def apply(self, event: dict[str, Any]) -> dict[str, Any] | None:
        """Returns the metric point when the event is one (the item to stream)."""
        kind = event.get("type")
        if kind == "stage":
            self.output["stage"] = event["stage"]
            self.cancelled = event["stage"] == "cancelled"
        elif kind == "progress":
            for key in ("progress", "current_epoch", "current_step", "total_steps"):
                self.output[key] = event[key]
        elif kind == "metric":
            point = {k: v for k, v in event.items() if k != "type"}
            self.output["metrics"].append(point)
            return point
        elif kind == "artifact":
            self.files = dict(event["files"])
            self.output["model_metadata"] = event["metadata"]
        elif kind == "error":
            self.error = {"error": event["message"], "error_code": event["code"]}
        return None


def parse_event(line: str) -> dict[str, Any] | None:
    line = line.strip()
    if not line.startswith("{"):
        return None
    try:
        value = json.loads(line)
    except json.JSONDecodeError:
        return None
    return value if isinstance(value, dict) and isinstance(value.get("type"), str) else None


def object_url(signed_url: str) -> str:
    """Where an uploaded file lives: the signed URL without its signature (query string)."""
    parts = urllib.parse.urlsplit(signed_url)
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


def upload_plan(files: dict[str, str], upload_urls: Any) -> list[tuple[str, str, str]]:
    """(name, local path, signed URL) for every file the backend asked for and the trainer wrote."""
    if not isinstance(upload_urls, dict):
        return []
    return [
        (name, files[name], url)
        for name, url in sorted(upload_urls.items())
        if name in files and isinstance(url, str)
    ]


def put_file(path: str, url: str, opener: Callable[..., Any] = urllib.request.urlopen) -> None:
    """PUTs one file, retrying transient failures; signed URLs accept a plain PUT of the bytes."""
    with open(path, "rb") as f:
        data = f.read()
    for attempt in range(1, UPLOAD_ATTEMPTS + 1):
        request = urllib.request.Request(url, data=data, method="PUT")
        request.add_header("Content-Type", "application/octet-stream")
        request.add_header("Content-Length", str(len(data)))
        try:
            with opener(request, timeout=300):
                return
        except (urllib.error.URLError, OSError):
            if attempt == UPLOAD_ATTEMPTS:
                raise
            time.sleep(2**attempt)


def _run_trainer(spec_path: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": WORKER_DIR, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(
        [sys.executable, "-m", "trainer", "--job", spec_path],
        cwd=WORKER_DIR,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )


def handler(
    job: dict[str, Any], progress: Callable[[dict[str, Any]], None] | None = None
) -> Iterator[dict[str, Any]]:
    """Yields each metric point, then the final output (or an error)."""
    job_input = job.get("input")
    with tempfile.TemporaryDirectory(prefix="brightrun-") as work:
        try:
            spec = build_job_spec(job_input, os.path.join(work, "output"))
        except InputError as exc:
            yield {"error": str(exc), "error_code": "invalid_job"}
            return
        spec_path = os.path.join(work, "job.json")
        with open(spec_path, "w", encoding="utf-8") as f:
            json.dump(spec, f)
        state = OutputState()
        process = _run_trainer(spec_path)
        try:
            assert process.stdout is not None
            for line in process.stdout:
                event = parse_event(line)
                if event is None:
                    continue
                point = state.apply(event)
                if point is not None:
                    yield point
                elif progress is not None and event["type"] in ("stage", "progress"):
                    progress({k: v for k, v in state.output.items() if k != "metrics"})
            code = process.wait()
        finally:
            # RunPod closes the generator when the job is cancelled: stop the trainer cleanly.
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
        if state.error is not None:
            yield state.error
            return
        if state.cancelled or code != 0:
            yield {
                "error": f"The trainer stopped unexpectedly (exit code {code}); retry the job",
                "error_code": "worker_exit",
            }
            return
        try:
            for name, path, url in upload_plan(state.files, job_input.get("upload_urls")):
                put_file(path, url)
                state.output["model_files"][name] = object_url(url)
        except (urllib.error.URLError, OSError) as exc:
            yield {
                "error": f"Could not upload the trained files: {exc}; retry the job",
                "error_code": "upload_failed",
            }
            return
        yield state.output


def _start() -> None:
    import runpod  # type: ignore[import-not-found]  # present on RunPod workers only

    def run(job: dict[str, Any]) -> Iterator[dict[str, Any]]:
        yield from handler(job, lambda update: runpod.serverless.progress_update(job, update))

    runpod.serverless.start({"handler": run, "return_aggregate_stream": True})


if __name__ == "__main__":
    _start()
