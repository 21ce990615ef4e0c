"""Naive peers: the same endpoint as a team might first write it, for comparison."""
