"""`ticketry seed`: a realistic workspace with up to millions of tickets, fast, for search
and load benchmarks (setup through the services, bulk rows straight into the tables)."""
