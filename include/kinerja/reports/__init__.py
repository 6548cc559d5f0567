"""Report computations (SPM, LPPD, LKPJ) and renderers."""
