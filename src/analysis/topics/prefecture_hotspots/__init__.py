"""Prefecture atlas: hot spots of the postings per child at the prefecture level (issue 12)."""
