"""The local stack: runs template.yaml against moto server (docs/local-stack.md)."""
