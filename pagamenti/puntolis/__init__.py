"""PuntoLIS: the consumer's QR code and the adapter for LIS top-up notifications."""
