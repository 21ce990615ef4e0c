"""`make bench`: floor, peer and ours side by side on one machine (see README.md)."""
