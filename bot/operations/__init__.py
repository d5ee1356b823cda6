"""Running Pacer as a service: health, readiness, metrics, log context."""
