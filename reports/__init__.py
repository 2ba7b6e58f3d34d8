"""The LaTeX/PDF report: derivations, figures, one verdict per claim, provenance."""
