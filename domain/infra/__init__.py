"""Infrastructure every job shares: Redis keys and URL, circuit breaker, secrets, wiring."""
