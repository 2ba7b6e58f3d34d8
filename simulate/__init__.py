"""Batched, reproducible simulation of Async-MSGD (eq. (5)) for streaming PCA."""
