"""The customer portal: contacts follow and answer their shared tickets, and open new ones."""
