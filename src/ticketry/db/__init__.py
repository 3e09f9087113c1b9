"""Storage: connections and transactions, compiled statements, migrations."""
