"""pagoPA reconciliation: flussi di rendicontazione (FdR) matched against our receipts."""
