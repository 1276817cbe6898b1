"""Unit tests of the trainer: ``/usr/bin/python3 -m unittest discover -s trainer/tests -t .``
from gpu-worker/ (test/gpu/python-unittest.test.ts runs them in the gpu tier)."""
