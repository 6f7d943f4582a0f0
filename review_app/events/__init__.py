"""Events (editions), their roles and everything the committee configures."""
