"""The performance harness: ``python -m benchmarks run`` (see benchmarks/README.md).

Each figure is measured against a baseline taken in the same run, so the
ratio holds on a noisy machine. Nothing here is imported by panel_tui.
"""
