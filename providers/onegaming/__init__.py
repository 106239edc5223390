"""1Gaming (1G / UG): everything true of 1G's wire, and nothing else."""
