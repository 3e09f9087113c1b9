"""The test kit: the /ticketry/ control API (reset, snapshots, faults, the request log)
that makes a Ticketry server the Intercom integration tests run against."""
