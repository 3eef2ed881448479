"""Aduan: complaints about public services, handled on time.

The use cases are the modules of this package, one per job and named as its function
(`functions/<job>/app.py` calls `aduan/<job>.py`); `aduan.domain` holds the pure rules,
`aduan.doors` what every handler shares, `aduan.aws` the only code that speaks to AWS.
Imports point down only (docs/architecture.md, "The map").
"""
