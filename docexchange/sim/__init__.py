"""Simulation: scenarios, the working-day calendar, adoption and workload, the runner."""
