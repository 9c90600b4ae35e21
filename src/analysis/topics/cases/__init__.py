"""Topic: case aggregates (counts, rates, flows, composition) and the views of notebook 02."""
