"""Symbolic theory of Async-MSGD for streaming PCA (THEORY.md claims C1-C11, and E1).

Pure SymPy/mpmath/NumPy, no I/O. The modules are named after the mathematics they hold:
``problem`` (Sigma, A1), ``distributions`` (alpha, phi, C_d; A2), ``ode`` (C3), ``ou`` (C4, C8),
``phases`` (T1-T3: C9, C7, C5), ``complexity`` (N1-N3: C5, C6, C9, C10), ``delays`` (the delay
conditions), ``tightness`` (C1), ``momentum`` (C2), ``compare`` (derived vs printed), and E1's
``linearise``, ``delayed_heavy_ball``, ``random_delays``, ``stability``, ``second_order``. The
claims themselves (statements, derivations as records, checks, verdicts) are in
``checks/claims/``.
"""
