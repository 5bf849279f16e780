"""The step loops under every gradient solver: ``descent`` (the problem in standardised parameters,
backtracking), ``newton`` (batched Newton and L-BFGS), ``first_order`` (the set loop of epo and
hv-grad), ``stochastic`` (the mini-batch loop), ``setup`` (anchors, normalisation, budgets, the
augmented Lagrangian) and ``directions`` (the set rules solvers register). No module here imports a
solver."""
