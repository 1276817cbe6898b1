"""Downloading the dataset over HTTP: success, retry of transient failures, clear failure."""

from __future__ import annotations

import threading
import unittest
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from trainer.download import download
from trainer.errors import TrainerError


class Handler(BaseHTTPRequestHandler):
    failures_left = 0
    requests = 0

    def do_GET(self) -> None:  # noqa: N802 (the name http.server calls)
        Handler.requests += 1
        if self.path == "/missing":
            self.send_error(404)
        elif Handler.failures_left > 0:
            Handler.failures_left -= 1
            self.send_error(503)
        else:
            body = b'{"messages": []}\n'
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    def log_message(self, *_: Any) -> None:
        return None


class DownloadTest(unittest.TestCase):
    def setUp(self) -> None:
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        Handler.requests = 0

    def tearDown(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def test_retries_a_transient_failure(self) -> None:
        Handler.failures_left = 1
        self.assertEqual(download(f"{self.base}/data.jsonl", backoff_s=0.01), b'{"messages": []}\n')
        self.assertEqual(Handler.requests, 2)

    def test_a_missing_object_fails_at_once_with_a_retry_message(self) -> None:
        with self.assertRaises(TrainerError) as caught:
            download(f"{self.base}/missing", backoff_s=0.01)
        self.assertEqual(Handler.requests, 1, "a 404 does not change on retry")
        self.assertEqual(caught.exception.code, "download_failed")
        self.assertEqual(
            caught.exception.message,
            "Could not download the dataset: HTTP 404 Not Found; retry the job",
        )

    def test_gives_up_after_three_attempts(self) -> None:
        Handler.failures_left = 5
        with self.assertRaises(TrainerError):
            download(f"{self.base}/data.jsonl", backoff_s=0.01)
        self.assertEqual(Handler.requests, 3)


if __name__ == "__main__":
    unittest.main()
