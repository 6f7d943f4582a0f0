"""Personal data (DSGVO): a person's export and account deletion, the retention run, the site admin's audit log."""
