"""Publishing decisions to sites: the Redis stream and channel per site, and signed webhooks."""
