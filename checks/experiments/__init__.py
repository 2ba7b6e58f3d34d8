"""Reproductions of the paper's experiments (THEORY.md C12: Figure 1, C13: Figure 2).

* :mod:`checks.experiments.figure1`: Figure 1 at the paper's scale (streaming PCA, d = 4), run
  through the sweep store, with the empirical optimal delay per momentum
  (:mod:`checks.experiments.optimal_delay`), the table beside E1 and the paper's values
  (:mod:`checks.experiments.figure1_table`); claim C12's check is ``checks.claims.c12_figure1``.
* :mod:`checks.experiments.figure2`: a CPU-sized analogue of Figure 2, an MLP in NumPy
  (:mod:`checks.experiments.mlp`) on scikit-learn's bundled digits, trained by Async-MSGD behind
  a simulated parameter server; claim C13's check is ``checks.claims.c13_figure2``.
* :mod:`checks.experiments.common`: scales, provenance and the raw-results JSON files.

The ``asyncmsgd figure1`` / ``figure2`` commands and the checks share these modules, and the
checks read the commands' raw-results files when they exist instead of recomputing.
"""
