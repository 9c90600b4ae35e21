"""Room of the postings placed below the province: placement account, prefecture and county
counts per measure (step ``topics.placement``)."""
