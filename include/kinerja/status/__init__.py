"""The collection status of a reporting year, read from the warehouse (below the reports: notify,
the status board, the review page and the CLI use it).

- `collection`: per agency and report: belum masuk / ditolak / valid / terlambat.
- `spm`: the SPM inputs the warehouse holds and the achievement computed from them.
- `summary`: both as text (`kinerja status`, task logs) and JSON (`kinerja status --json`).
"""
