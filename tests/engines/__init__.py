"""Small micrograd-style engines for testing the audit: one correct, the rest with planted bugs."""
