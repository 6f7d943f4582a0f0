"""The mail outbox: rows written in the caller's transaction, sent afterwards by a worker."""
