"""Every route: the API's, gathered from the domain packages, then the browser pages'."""

from ticketry.admins.routes import routes as admin_routes
from ticketry.companies.routes import routes as company_routes
from ticketry.contacts.routes import routes as contact_routes
from ticketry.conversations.routes import routes as conversation_routes
from ticketry.jobs.routes import routes as job_routes
from ticketry.links.routes import routes as link_routes
from ticketry.tags.routes import routes as tag_routes
from ticketry.teams.routes import routes as team_routes
from ticketry.ticket_states.routes import routes as ticket_state_routes
from ticketry.ticket_types.routes import routes as ticket_type_routes
from ticketry.tickets.routes import routes as ticket_routes
from ticketry.web.routes import routes as web_routes
from ticketry.webhooks.routes import routes as webhook_routes

routes = [
    *admin_routes,
    *team_routes,
    *contact_routes,
    *company_routes,
    *tag_routes,
    *ticket_type_routes,
    *ticket_state_routes,
    *ticket_routes,
    *conversation_routes,
    *link_routes,
    *job_routes,
    *webhook_routes,
    *web_routes,
]
