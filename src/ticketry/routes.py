"""Every API route, gathered from the domain packages."""

from ticketry.admins.routes import routes as admin_routes
from ticketry.teams.routes import routes as team_routes

routes = [
    *admin_routes,
    *team_routes,
]
