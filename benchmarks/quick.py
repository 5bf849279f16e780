"""Every benchmark's quick mode in one run (about a minute and a half here): each target a ratio
measured in this run, printed beside its target; exits 1 if any is missed. Timings on a shared
machine are noisy, so this is `make bench-quick`, not part of `make test`.

    python benchmarks/quick.py

Benchmarks with a quick check: indicators (hypervolume and IGD+ against moocore), exact_front
(the exact front against per-weight L-BFGS-B and Newton loops at n = 100,000), construction
(``Problem(...)`` against one XᵀX at n = 100,000, d = 200), front_quality (the weighted sum against
SMS-EMOA at n = 1,000, one seed), epoch (one epoch against its two products at n = 200,000),
chunked (Dask-chunked fronts equal to in-memory ones within 1e-8 of the span, n = 50,000),
synthetic_family (exact against both loops in three cells of the family), adult (the weighted
sum's 20 points against the L-BFGS-B penalty path on all of Adult, all converged),
adult_mgda_chebyshev (MGDA within 2× the weighted sum, every point converged, all of Adult),
mlp_epoch (one epoch of 32 MLPs [64, 64] against its products at n = 10,000) and pareto_set
(pareto-set's training time against one MLP's, 200 steps; not its HV, which needs 1,000). The two
on all of Adult take about 35 s of the total. sweep_scaling's --quick runs on its own (its speed-up
needs the full 200 runs, 25 s or more); fairlearn, the synthetic family's race, hv-grad/EPO,
mini-batches and LibMOON have no quick check; ``libmoon_side_by_side.py --quick`` (seed 0, one
epoch, about 95 s) needs LibMOON's own environment (benchmarks/README.md section 11) and is run
by hand.
"""

from __future__ import annotations

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import _common  # noqa: E402
import adult  # noqa: E402
import adult_mgda_chebyshev  # noqa: E402
import chunked  # noqa: E402
import construction  # noqa: E402
import epoch  # noqa: E402
import exact_front  # noqa: E402
import front_quality  # noqa: E402
import indicators  # noqa: E402
import mlp_epoch  # noqa: E402
import pareto_set  # noqa: E402
import synthetic_family  # noqa: E402

QUICK = {"indicators": indicators.quick, "exact_front": exact_front.quick,
         "construction": construction.quick, "front_quality": front_quality.quick,
         "epoch": epoch.quick, "chunked": chunked.quick,
         "synthetic_family": synthetic_family.quick, "adult": adult.quick,
         "adult_mgda_chebyshev": adult_mgda_chebyshev.quick, "mlp_epoch": mlp_epoch.quick,
         "pareto_set": pareto_set.quick}


def main() -> int:
    _common.RECORD = False  # the checks' reduced runs are not the recorded tables
    print(_common.machine())
    t0 = time.perf_counter()
    missed, seconds = [], {}
    for name, quick in QUICK.items():
        t = time.perf_counter()
        if not quick():
            missed.append(name)
        seconds[name] = time.perf_counter() - t
    print(f"{len(QUICK) - len(missed)} of {len(QUICK)} benchmarks met every target "
          f"({time.perf_counter() - t0:.0f} s)" + (f"; missed: {', '.join(missed)}" if missed else ""))
    print("seconds: " + ", ".join(f"{k} {v:.1f}" for k, v in seconds.items()))
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
