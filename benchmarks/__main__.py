"""``python -m benchmarks run [--sizes 60,10000,100000] [--out FILE] [--quick] [--cache DIR]
[--figures GROUPS] [--postgres | --pg-url URL]``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from benchmarks.common import OUT


def _sizes(text: str) -> list[int]:
    try:
        sizes = [int(part.replace("_", "")) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"sizes are numbers separated by commas: {text}") from None
    if not sizes or any(size < 60 for size in sizes):
        raise argparse.ArgumentTypeError("each size is at least 60 disputes")
    return sizes


def _groups(text: str) -> tuple[str, ...]:
    from benchmarks.runner import GROUPS

    names = tuple(part.strip() for part in text.split(",") if part.strip())
    unknown = [name for name in names if name not in GROUPS]
    if not names or unknown:
        raise argparse.ArgumentTypeError(
            f"figures are some of {', '.join(GROUPS)} separated by commas: {text}"
        )
    return names


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="measure every figure and print the table")
    run.add_argument("--sizes", type=_sizes, default=[60, 10_000, 100_000], help="store sizes")
    run.add_argument("--out", type=Path, default=OUT / "results.json", help="the JSON results")
    run.add_argument("--cache", type=Path, default=OUT, help="where stores and bytecode are kept")
    run.add_argument("--quick", action="store_true", help="few samples: checks the harness works")
    run.add_argument(
        "--figures",
        type=_groups,
        default=None,
        help="only these groups, e.g. paint,interaction,reads,headless,memory (the queue's "
        "figures: what a 1,000,000 run needs most; writes copy the store, verify reads it all)",
    )
    where = run.add_mutually_exclusive_group()
    where.add_argument(
        "--postgres",
        action="store_const",
        const="start",
        help="every figure on PostgreSQL too, in a throwaway cluster (.ci/pg-cluster)",
    )
    where.add_argument(
        "--pg-url", dest="postgres", help="every figure on PostgreSQL too, on this server"
    )
    args = parser.parse_args(argv)
    from benchmarks import runner

    groups = args.figures or runner.GROUPS
    runner.run(args.sizes, args.out, args.cache.resolve(), args.quick, args.postgres, groups)
    return 0


if __name__ == "__main__":
    sys.exit(main())
