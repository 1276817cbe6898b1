"""RunPod Serverless handler: runs the trainer for one job and streams its metric points.

Deployed as the worker's entry point (``python -u handler.py``) with the ``runpod`` package
installed. The cluster contract (architecture.md §5) maps onto RunPod like this:
- every metric point is yielded, so ``GET /stream/{id}`` returns them as they happen;
- the stage and progress are sent with ``runpod.serverless.progress_update`` so ``GET /status``
  shows them while the job runs;
- the last item yielded is the final output ``{stage, progress, …, model_files, model_metadata}``
  with an empty ``metrics`` list: with ``return_aggregate_stream`` RunPod's final ``output`` is the
  list of every yielded item, so the points are already there once (the backend's GPU cluster
  client folds the list back into one output);
- a failure yields ``{"error": message, "error_code": code}``. RunPod ends the job FAILED and
  keeps only the message (runpod-python turns a yielded ``error`` into the job's error string),
  so the message ends with ``[error_code=<code>]``, which the backend parses and strips: the
  code decides whether the job is worth another attempt.
A worker's disk is gone when the job ends, so files are PUT to signed upload URLs: fresh ones
fetched just before uploading from ``input.upload_urls_refresh`` (``{url, token}``: hosted Supabase
signs upload URLs for two hours, which a long job outlives), else those in ``input.upload_urls``
(name → URL) the job came with. ``model_files`` names each uploaded object by its storage
key ``<bucket>/<path>`` (taken from the URL, without host or signature): the backend checks the
key is the one it signed and reads the object back to verify it. A file without an upload URL is
not uploaded and not listed.

Everything but ``_start`` runs without the ``runpod`` package: the unit tests
(``trainer/tests/test_handler.py``) and the RunPod stand-in (``gpu-worker/runpod-standin/``, which
runs ``handler`` the way runpod-python does) import this module directly.
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


SIGNED_UPLOAD_ROUTE = "/object/upload/sign/"


def object_key(signed_url: str) -> str:
    """The uploaded object's storage key, ``<bucket>/<path>``, from its signed upload URL
    (Supabase Storage's ``…/storage/v1/object/upload/sign/<bucket>/<path>?token=…``). It names
    the object without granting access to it, unlike the URL."""
    path = urllib.parse.urlsplit(signed_url).path
    at = path.find(SIGNED_UPLOAD_ROUTE)
    key = path[at + len(SIGNED_UPLOAD_ROUTE) :] if at >= 0 else path.lstrip("/")
    return urllib.parse.unquote(key)


def failure(message: str, code: str) -> dict[str, str]:
    """What the handler yields when the job fails (see the module's docstring for the mark)."""
    return {"error": f"{message} [error_code={code}]", "error_code": code}


def upload_plan(files: dict[str, str], upload_urls: Any) -> list[tuple[str, str, str]]:
    """(name, local path, signed URL) for every file the backend asked for and the trainer wrote."""
    if not isinstance(upload_urls, dict):
        return []
    return [
        (name, files[name], url)
        for name, url in sorted(upload_urls.items())
        if name in files and isinstance(url, str)
    ]


class UploadRefused(Exception):
    """The storage refused an upload for good (an expired or invalid signed URL, a size limit)."""


class AttemptSuperseded(Exception):
    """The backend no longer counts this attempt (the job ended, was cancelled or retried)."""


def _log(message: str) -> None:
    print(f"brightrun handler: {message}", file=sys.stderr, flush=True)


def _answer_error(exc: urllib.error.HTTPError) -> str:
    try:
        body = json.loads(exc.read())
        return str(body.get("error") or exc.reason)
    except (ValueError, OSError, AttributeError):
        return str(exc.reason)


def refreshed_upload_urls(
    job_input: dict[str, Any], opener: Callable[..., Any] = urllib.request.urlopen
) -> Any:
    """Fresh upload URLs from ``input.upload_urls_refresh``, or the job's own ``upload_urls``
    when there is no refresh or it cannot answer (they may still be valid). Raises
    AttemptSuperseded when the backend says this attempt's files are no longer wanted."""
    original = job_input.get("upload_urls")
    refresh = job_input.get("upload_urls_refresh")
    if not isinstance(refresh, dict):
        return original
    url, token = refresh.get("url"), refresh.get("token")
    if not isinstance(url, str) or not isinstance(token, str):
        return original
    for attempt in range(1, UPLOAD_ATTEMPTS + 1):
        request = urllib.request.Request(url, data=b"{}", method="POST")
        request.add_header("Authorization", f"Bearer {token}")
        request.add_header("Content-Type", "application/json")
        try:
            with opener(request, timeout=60) as response:
                body = json.loads(response.read())
            data = body.get("data") if isinstance(body, dict) else None
            urls = data.get("upload_urls") if isinstance(data, dict) else None
            if isinstance(urls, dict):
                return urls
            _log("the upload URL refresh answered without upload_urls; using the job's own")
            return original
        except urllib.error.HTTPError as exc:
            if exc.code == 409:
                raise AttemptSuperseded(_answer_error(exc)) from exc
            if 400 <= exc.code < 500 and exc.code not in (408, 429):
                _log(
                    f"the upload URL refresh refused the token (HTTP {exc.code}: "
                    f"{_answer_error(exc)}); using the job's own URLs"
                )
                return original
        except (urllib.error.URLError, OSError, ValueError) as exc:
            if attempt == UPLOAD_ATTEMPTS:
                _log(f"could not reach the upload URL refresh ({exc}); using the job's own URLs")
                return original
        if attempt < UPLOAD_ATTEMPTS:
            time.sleep(2**attempt)
    _log("the upload URL refresh kept failing; using the job's own URLs")
    return original


def put_file(path: str, url: str, opener: Callable[..., Any] = urllib.request.urlopen) -> None:
    """PUTs one file, retrying transient failures; signed URLs accept a plain PUT of the bytes.

    Signed upload URLs never overwrite, so a 409 on a retry means an earlier try landed (its
    answer was lost); the backend verifies the object's sha256 either way."""
    with open(path, "rb") as f:
        data = f.read()
    for attempt in range(1, UPLOAD_ATTEMPTS + 1):
        request = urllib.request.Request(url, data=data, method="PUT")
        request.add_header("Content-Type", "application/octet-stream")
        request.add_header("Content-Length", str(len(data)))
        try:
            with opener(request, timeout=300):
                return
        except urllib.error.HTTPError as exc:
            if exc.code == 409 and attempt > 1:
                return
            if 400 <= exc.code < 500 and exc.code not in (408, 429):
                raise UploadRefused(f"HTTP {exc.code} {exc.reason}") from exc
            if attempt == UPLOAD_ATTEMPTS:
                raise
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
            yield failure(str(exc), "invalid_job")
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
            yield failure(state.error["error"], state.error["error_code"])
            return
        if state.cancelled or code != 0:
            yield failure(
                f"The trainer stopped unexpectedly (exit code {code}); retry the job", "worker_exit"
            )
            return
        try:
            upload_urls = refreshed_upload_urls(job_input)
        except AttemptSuperseded as exc:
            yield failure(
                f"The backend no longer wants this attempt's files ({exc}); nothing was uploaded",
                "attempt_superseded",
            )
            return
        name = ""
        try:
            for name, path, url in upload_plan(state.files, upload_urls):
                put_file(path, url)
                state.output["model_files"][name] = object_key(url)
        except UploadRefused as exc:
            yield failure(
                f"The storage refused the upload of {name} ({exc}); its signed URL may have "
                "expired (hosted Supabase signs upload URLs for 2 hours) and no fresh one could "
                "be fetched",
                "upload_refused",
            )
            return
        except (urllib.error.URLError, OSError) as exc:
            yield failure(
                f"Could not upload the trained files: {exc}; retry the job", "upload_failed"
            )
            return
        # The points were yielded one by one already; the aggregated output holds them once.
        yield {**state.output, "metrics": []}


def _start() -> None:
    import runpod  # type: ignore[import-not-found]  # present on RunPod workers only

    def run(job: dict[str, Any]) -> Iterator[dict[str, Any]]:
        yield from handler(job, lambda update: runpod.serverless.progress_update(job, update))

    runpod.serverless.start({"handler": run, "return_aggregate_stream": True})


if __name__ == "__main__":
    _start()
