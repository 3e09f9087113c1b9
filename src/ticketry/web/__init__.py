"""What the browser inbox and the customer portal share: sessions, CSRF, pages."""
