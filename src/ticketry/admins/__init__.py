"""Admins (teammates): `GET /me`, `GET /admins`, `GET /admins/{id}`."""
