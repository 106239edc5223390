"""Oppi Games: everything true of Oppi's wire, and nothing else."""
