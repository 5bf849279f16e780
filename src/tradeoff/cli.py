"""The `tradeoff` command."""

from __future__ import annotations

import argparse
import sys


def _seed_blog(args) -> int:
    from .studies import seed_blog

    seed_blog.run(args.out, n=args.n, seed=args.seed, epochs=args.epochs)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tradeoff",
        description="Multi-objective training: accuracy, constraints and fairness as separate "
                    "objectives, and the Pareto front between them.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    p = sub.add_parser("seed-blog", help="reproduce the loss-function post (MSE, MAE, MSE capped at 120)",
                       description="Train the post's three runs for 15 epochs, print its tables, "
                                   "write epochs.csv and figures.")
    p.add_argument("--out", default="results/seed_blog", help="output folder (default: %(default)s)")
    p.add_argument("--n", type=int, default=200, help="number of data points (default: %(default)s)")
    p.add_argument("--seed", type=int, default=0, help="data seed (default: %(default)s)")
    p.add_argument("--epochs", type=int, default=15, help="epochs per run (default: %(default)s)")
    p.set_defaults(func=_seed_blog)
    return parser


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (ValueError, TypeError) as err:
        print(f"tradeoff: error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
