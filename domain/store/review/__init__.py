"""The review desk's SQL: the queue and decisions, claims, context, desk numbers, audit log."""
