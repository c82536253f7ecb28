"""pagoPA: notice numbers, the gateway interface (GPD client and sandbox), avviso PDF."""
