"""Topic: the migration atlas views of notebook 01."""
