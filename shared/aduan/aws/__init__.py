"""Adapters: the only modules that speak to AWS."""
