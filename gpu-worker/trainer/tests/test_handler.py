"""The pure parts of the RunPod handler (the RunPod glue cannot run here)."""

from __future__ import annotations

import os
import sys
import tempfile
import threading
import io
import json
import unittest
import urllib.error
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

sys.path.insert(
    0,
    os.path.join(
        os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "runpod"
    ),
)

import handler  # noqa: E402

from trainer import safetensors  # noqa: E402


class HandlerTest(unittest.TestCase):
    def test_job_spec_from_runpod_input(self) -> None:
        spec = handler.build_job_spec(
            {
                "job_id": "j",
                "dataset_url": "https://x/d",
                "hyperparameters": {"epochs": 1},
                "gpu_config": {"type": "H100", "count": 1},
            },
            "/out",
        )
        self.assertEqual(
            spec,
            {
                "job_id": "j",
                "dataset_url": "https://x/d",
                "hyperparameters": {"epochs": 1},
                "output_dir": "/out",
            },
        )
        with self.assertRaisesRegex(handler.InputError, "dataset_url"):
            handler.build_job_spec({"job_id": "j", "hyperparameters": {}}, "/out")

    def test_events_fold_into_the_contract_output(self) -> None:
        state = handler.OutputState()
        events: list[dict[str, Any]] = [
            {"type": "stage", "stage": "training"},
            {
                "type": "progress",
                "progress": 50,
                "current_epoch": 1,
                "current_step": 2,
                "total_steps": 4,
            },
            {
                "type": "metric",
                "epoch": 0.5,
                "step": 2,
                "training_loss": 5.0,
                "learning_rate": 0.001,
            },
            {
                "type": "artifact",
                "files": {"adapter_model.safetensors": "/o/a"},
                "metadata": {"r": 8},
            },
        ]
        streamed = [p for p in (state.apply(e) for e in events) if p is not None]
        self.assertEqual(
            streamed, [{"epoch": 0.5, "step": 2, "training_loss": 5.0, "learning_rate": 0.001}]
        )
        self.assertEqual(state.output["stage"], "training")
        self.assertEqual(state.output["current_step"], 2)
        self.assertEqual(state.files, {"adapter_model.safetensors": "/o/a"})
        state.apply({"type": "error", "code": "nan_loss", "message": "m"})
        self.assertEqual(state.error, {"error": "m", "error_code": "nan_loss"})

    def test_uploads_only_files_asked_for_and_written(self) -> None:
        plan = handler.upload_plan(
            {"adapter_model.safetensors": "/o/a", "training_log.jsonl": "/o/l"},
            {"adapter_model.safetensors": "https://s/a?sig=1", "missing.bin": "https://s/m"},
        )
        self.assertEqual(plan, [("adapter_model.safetensors", "/o/a", "https://s/a?sig=1")])
        self.assertEqual(handler.upload_plan({"a": "/a"}, None), [])
        self.assertEqual(
            handler.object_key(
                "https://p.supabase.co/storage/v1/object/upload/sign/lora-models/u/a%20b/x.bin"
                "?token=secret"
            ),
            "lora-models/u/a b/x.bin",
        )

    def test_failures_carry_their_code_in_the_message(self) -> None:
        # runpod-python keeps only a yielded error's message: the code rides on it.
        self.assertEqual(
            handler.failure("Lower the learning rate", "nan_loss"),
            {"error": "Lower the learning rate [error_code=nan_loss]", "error_code": "nan_loss"},
        )

    def test_put_file_sends_the_bytes(self) -> None:
        sent: list[Any] = []

        class Response:
            def __enter__(self) -> "Response":
                return self

            def __exit__(self, *_: object) -> None:
                return None

        def opener(request: Any, timeout: float) -> Response:
            sent.append(request)
            return Response()

        with tempfile.NamedTemporaryFile(delete=False) as f:
            f.write(b"abc")
        try:
            handler.put_file(f.name, "https://s/a?sig=1", opener)
        finally:
            os.unlink(f.name)
        self.assertEqual(sent[0].get_method(), "PUT")
        self.assertEqual(sent[0].data, b"abc")

    def test_put_file_gives_up_at_once_on_a_refused_url(self) -> None:
        calls: list[Any] = []

        def opener(request: Any, timeout: float) -> Any:
            calls.append(request)
            headers: Any = {}
            raise urllib.error.HTTPError(request.full_url, 400, "InvalidJWT", headers, None)

        with tempfile.NamedTemporaryFile(delete=False) as f:
            f.write(b"abc")
        try:
            with self.assertRaises(handler.UploadRefused):
                handler.put_file(f.name, "https://s/a?token=old", opener)
        finally:
            os.unlink(f.name)
        self.assertEqual(len(calls), 1)

    REFRESH = {"url": "https://api/functions/v1/worker-upload-urls", "token": "tok"}
    OWN = {"adapter_model.safetensors": "https://s/own?token=old"}

    def _refresh(self, answer: Any) -> tuple[Any, list[Any]]:
        """refreshed_upload_urls with an opener that answers `answer` (bytes or an exception)
        to every request, and no back-off sleeps."""
        calls: list[Any] = []

        class Response(io.BytesIO):
            def __enter__(self) -> "Response":
                return self

            def __exit__(self, *_: object) -> None:
                return None

        def opener(request: Any, timeout: float) -> Any:
            calls.append(request)
            if isinstance(answer, Exception):
                raise answer
            return Response(answer)

        sleep = handler.time.sleep
        handler.time.sleep = lambda _: None
        try:
            urls = handler.refreshed_upload_urls(
                {"upload_urls": self.OWN, "upload_urls_refresh": self.REFRESH}, opener
            )
        finally:
            handler.time.sleep = sleep
        return urls, calls

    def test_fresh_upload_urls_replace_the_jobs_own(self) -> None:
        fresh = {"adapter_model.safetensors": "https://s/fresh?token=new"}
        body = json.dumps({"success": True, "data": {"upload_urls": fresh}}).encode()
        urls, calls = self._refresh(body)
        self.assertEqual(urls, fresh)
        self.assertEqual(calls[0].get_method(), "POST")
        self.assertEqual(calls[0].full_url, self.REFRESH["url"])
        self.assertEqual(calls[0].get_header("Authorization"), "Bearer tok")

    def test_without_a_refresh_the_jobs_own_urls_are_used(self) -> None:
        self.assertEqual(handler.refreshed_upload_urls({"upload_urls": self.OWN}), self.OWN)

    def test_a_refused_or_unreachable_refresh_falls_back_to_the_jobs_own_urls(self) -> None:
        expired = urllib.error.HTTPError(
            self.REFRESH["url"], 401, "Unauthorized", {}, io.BytesIO(b'{"error": "expired"}')
        )
        urls, calls = self._refresh(expired)
        self.assertEqual((urls, len(calls)), (self.OWN, 1))
        urls, calls = self._refresh(urllib.error.URLError("connection refused"))
        self.assertEqual((urls, len(calls)), (self.OWN, handler.UPLOAD_ATTEMPTS))

    def test_a_superseded_attempt_uploads_nothing(self) -> None:
        gone = urllib.error.HTTPError(
            self.REFRESH["url"],
            409,
            "Conflict",
            {},
            io.BytesIO(b'{"error": "Attempt 1 of the job no longer counts"}'),
        )
        with self.assertRaisesRegex(handler.AttemptSuperseded, "no longer counts"):
            self._refresh(gone)

    def test_bad_input_yields_an_error(self) -> None:
        self.assertEqual(
            list(handler.handler({"input": "nope"})),
            [
                {
                    "error": "input must be an object [error_code=invalid_job]",
                    "error_code": "invalid_job",
                }
            ],
        )


class Uploads(BaseHTTPRequestHandler):
    """Stands in for the storage's signed upload URLs: records each PUT body by path."""

    received: dict[str, bytes] = {}

    def do_PUT(self) -> None:  # noqa: N802 (the name http.server calls)
        length = int(self.headers["Content-Length"])
        Uploads.received[self.path.split("?")[0]] = self.rfile.read(length)
        self.send_response(200)
        self.end_headers()

    def log_message(self, *_: Any) -> None:
        return None


class HandlerRunTest(unittest.TestCase):
    """The whole handler with the real trainer, as a RunPod worker would run it."""

    def test_streams_points_then_uploads_and_returns_the_output(self) -> None:
        server = ThreadingHTTPServer(("127.0.0.1", 0), Uploads)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_address[1]}"
        fixture = os.path.join(
            handler.WORKER_DIR, "..", "test", "fixtures", "gpu", "pairs-20.jsonl"
        )
        job = {
            "id": "runpod-1",
            "input": {
                "job_id": "j",
                "dataset_url": "file://" + os.path.abspath(fixture),
                "hyperparameters": {"epochs": 1, "batch_size": 4, "lora_rank": 4},
                "upload_urls": {
                    "adapter_model.safetensors": (
                        f"{base}/storage/v1/object/upload/sign/b/u/a/adapter?token=x"
                    )
                },
            },
        }
        updates: list[dict[str, Any]] = []
        try:
            items = list(handler.handler(job, updates.append))
        finally:
            server.shutdown()
            server.server_close()
        final = items[-1]
        points = items[:-1]
        self.assertEqual(final["stage"], "completed", final)
        # The points are the other items; the final output does not repeat them.
        self.assertEqual(final["metrics"], [])
        self.assertEqual([p["step"] for p in points], list(range(1, len(points) + 1)))
        self.assertEqual(final["model_files"], {"adapter_model.safetensors": "b/u/a/adapter"})
        uploaded = Uploads.received["/storage/v1/object/upload/sign/b/u/a/adapter"]
        tensors, _ = safetensors.parse(uploaded)
        self.assertEqual(len(tensors), 8)
        self.assertEqual(
            len(uploaded),
            final["model_metadata"]["files"]["adapter_model.safetensors"]["size"],
        )
        self.assertIn("training", [u["stage"] for u in updates])


if __name__ == "__main__":
    unittest.main()
