"""The browser's routes: the inbox at `/`, sign-in, the portal at `/portal`, static files."""

from starlette.routing import Route

from ticketry.inbox import signin
from ticketry.inbox.conversation_routes import routes as conversation_routes
from ticketry.inbox.people import routes as people_routes
from ticketry.inbox.routes import routes as inbox_routes
from ticketry.inbox.settings import routes as settings_routes
from ticketry.inbox.ticket_actions import routes as ticket_action_routes
from ticketry.portal.routes import routes as portal_routes
from ticketry.web import pages

routes = [
    Route("/signin", signin.signin_page, methods=["GET"]),
    Route("/signin", signin.signin, methods=["POST"]),
    Route("/signout", signin.signout, methods=["POST"]),
    Route("/static/{name}", pages.static, methods=["GET"]),
    *inbox_routes,
    *ticket_action_routes,
    *conversation_routes,
    *people_routes,
    *settings_routes,
    *portal_routes,
]
