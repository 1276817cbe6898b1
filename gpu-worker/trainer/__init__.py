"""BrightRun's LoRA trainer: one job spec in, JSON-lines events out, adapter files on disk.

Run it as ``python -m trainer --job job.json`` from ``gpu-worker/`` (architecture.md §6).
"""
