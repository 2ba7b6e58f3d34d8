"""Asynchronous adaptive block methods (the second paper, D1-D4): update rules, problems with
exact gradients, block choice, the batched stale-read simulation, a real lock-free multi-process
run and the replay of its measured delays in the simulator."""
