"""What a seeded workspace is made of: teammates, teams, tags, ticket types with their
custom attributes, custom states, and the word lists tickets are written from.

The words are picked so that text search has both kinds of case: common words ("fails",
"invoice") match a large share of tickets, error codes and order numbers match a handful,
and the rare words in `RARE` appear in roughly one ticket in ten thousand each.
"""

from __future__ import annotations

from dataclasses import dataclass

ADMINS = (
    ("Maya Patel", "Support lead"),
    ("Lucas Moreau", "Support engineer"),
    ("Aiko Tanaka", "Support engineer"),
    ("Omar Haddad", "Billing specialist"),
    ("Sofia Rossi", "Customer success manager"),
    ("Jonas Weber", "Support engineer"),
    ("Priya Nair", "Solutions engineer"),
    ("Daniel Okafor", "Site reliability engineer"),
    ("Elena Petrova", "Account manager"),
    ("Tom Becker", "Support engineer"),
)
ADMIN_DOMAIN = "ticketry-seed.example"

# (team name, indexes into ADMINS of its members)
TEAMS = (
    ("Tier 1 Support", (0, 1, 2, 5, 9)),
    ("Billing", (3, 4, 8)),
    ("Engineering", (6, 7, 1)),
)

TAGS = (
    "vip", "bug", "refund", "churn-risk", "enterprise", "mobile", "api", "sso", "gdpr",
    "feature-request", "outage", "duplicate", "onboarding", "security", "performance",
    "integration", "invoice", "escalated", "follow-up", "beta",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class AttributeSpec:
    name: str
    data_type: str  # string | list | integer | decimal | boolean | datetime
    values: str  # how generate.py fills it (see generate._value)
    options: tuple[str, ...] = ()
    multiple: bool = False
    fill: float = 0.85  # share of tickets that carry a value


@dataclass(frozen=True, slots=True)
class TypeSpec:
    name: str
    category: str
    description: str
    icon: str
    weight: float  # share of seeded tickets
    titles: str  # key into TITLES
    attributes: tuple[AttributeSpec, ...]


TYPES = (
    TypeSpec(
        "Bug report", "Customer", "Something in the product does not work", "🐞", 0.40, "bug",
        (
            AttributeSpec("Severity", "list", "skewed",
                          ("Low", "Medium", "High", "Critical", "Blocker")),
            AttributeSpec("Platforms", "list", "skewed",
                          ("Web", "iOS", "Android", "Desktop", "API", "Browser extension"),
                          multiple=True),
            AttributeSpec("Error code", "string", "error_code", fill=0.5),
            AttributeSpec("Affected users", "integer", "heavy_tail"),
            AttributeSpec("Hours lost", "decimal", "hours"),
            AttributeSpec("Reproducible", "boolean", "mostly_true"),
            AttributeSpec("First seen", "datetime", "before_created"),
        ),
    ),
    TypeSpec(
        "Billing question", "Customer", "Invoices, payments, refunds and plans", "💳", 0.30,
        "billing",
        (
            AttributeSpec("Plan", "list", "skewed", ("Free", "Starter", "Pro", "Enterprise")),
            AttributeSpec("Invoice number", "string", "invoice"),
            AttributeSpec("Seats", "integer", "seats"),
            AttributeSpec("Amount", "decimal", "money"),
            AttributeSpec("Refund requested", "boolean", "rarely_true"),
            AttributeSpec("Due date", "datetime", "after_created"),
        ),
    ),
    TypeSpec(
        "Account review", "Back-office", "Internal reviews of customer accounts", "🗂️", 0.15,
        "review",
        (
            AttributeSpec("Risk level", "list", "skewed", ("Low", "Medium", "High", "Critical")),
            AttributeSpec("Account owner", "string", "owner"),
            AttributeSpec("Seats", "integer", "seats"),
            AttributeSpec("Annual revenue", "decimal", "revenue"),
            AttributeSpec("Escalated", "boolean", "rarely_true"),
            AttributeSpec("Review due", "datetime", "after_created"),
        ),
    ),
    TypeSpec(
        "Incident", "Tracker", "Service incidents that affect many customers", "🚨", 0.15,
        "incident",
        (
            AttributeSpec("Component", "list", "skewed",
                          ("API", "Web app", "Mobile apps", "Billing", "Integrations", "Auth")),
            AttributeSpec("Status page URL", "string", "status_url", fill=0.6),
            AttributeSpec("Customers affected", "integer", "heavy_tail"),
            AttributeSpec("Impact score", "decimal", "score"),
            AttributeSpec("Postmortem done", "boolean", "mostly_true"),
            AttributeSpec("Started at", "datetime", "before_created"),
        ),
    ),
)  # fmt: skip

# (category, internal label, external label, names of the types it applies to)
CUSTOM_STATES = (
    ("in_progress", "Investigating", "We are looking into it", ("Bug report", "Incident")),
    ("waiting_on_customer", "Awaiting payment", "Waiting on your payment", ("Billing question",)),
)

FIRST_NAMES = (
    "James", "Mary", "Wei", "Fatima", "Carlos", "Anna", "Noah", "Olivia", "Liam", "Emma",
    "Mateo", "Chloe", "Arjun", "Yuki", "Ahmed", "Lena", "Ivan", "Sara", "Kwame", "Ines",
    "Hugo", "Mia", "Ravi", "Zoe", "Felix", "Nora", "Diego", "Leila", "Oscar", "Hana",
)  # fmt: skip
LAST_NAMES = (
    "Smith", "Garcia", "Chen", "Khan", "Silva", "Novak", "Brown", "Muller", "Kim", "Lopez",
    "Ito", "Ali", "Ivanova", "Dubois", "Mensah", "Costa", "Nguyen", "Jensen", "Rossi", "Sato",
    "Kowalski", "Haddad", "Okoro", "Larsen", "Fischer", "Moreno", "Singh", "Walsh", "Berg", "Park",
)  # fmt: skip
EMAIL_DOMAINS = (
    "acme.io", "globex.com", "initech.co", "umbrella.org", "hooli.com", "stark.dev",
    "wayne.co", "wonka.shop", "cyberdyne.ai", "tyrell.net", "gmail.com", "outlook.com",
)  # fmt: skip
COMPANIES = (
    "Acme", "Globex", "Initech", "Umbrella", "Hooli", "Stark Industries", "Wayne Enterprises",
    "Wonka", "Cyberdyne", "Tyrell", "Soylent", "Massive Dynamic", "Vandelay", "Pied Piper",
)  # fmt: skip

FEATURES = (
    "Checkout", "Login", "Search", "Dashboard", "Export", "Password reset", "File upload",
    "Notifications", "Calendar sync", "Reports", "Team invites", "Two-factor login",
    "Single sign-on", "Webhooks", "CSV import", "Mobile app", "Billing page", "Chat widget",
)  # fmt: skip
PLATFORMS = (
    "Safari", "Chrome", "Firefox", "Edge", "iOS 17", "Android 14", "Windows", "macOS",
    "iPad", "Linux",
)  # fmt: skip
SYMPTOMS = (
    "fails", "times out", "shows a blank page", "crashes", "is very slow", "returns an error",
    "loops forever", "logs me out", "freezes", "shows stale data",
)  # fmt: skip
ACTIONS = (
    "saving a draft", "uploading a photo", "exporting to CSV", "inviting a teammate",
    "changing my password", "paying with PayPal", "switching workspaces", "opening a report",
    "connecting Slack", "adding a card",
)  # fmt: skip
RELEASES = ("release 4.2", "the March update", "version 7.1", "last week's update", "v2024.11")
DOCUMENTS = ("Invoice PDF", "Receipt", "Credit note", "Quote", "Billing statement")
BILLING_FIELDS = ("VAT number", "company address", "PO number", "tax ID", "billing email")
PLANS = ("Starter", "Pro", "Enterprise", "Team")
RISKS = ("unusual usage", "late payments", "a seat downgrade", "low engagement", "fraud signals")
COMPONENTS = ("API", "Web app", "Mobile apps", "Billing", "Integrations", "Auth", "Webhooks")
REGIONS = ("EU", "US East", "US West", "Asia Pacific", "Australia")
# Each rare word appears in about one ticket in ten thousand.
RARE_RATE = 1e-4
RARE = (
    "quokka", "zeppelin", "kerfuffle", "xylophone", "zugzwang", "bamboozle", "flummox",
    "gobbledygook", "skedaddle", "wombat", "nincompoop", "brouhaha", "hullabaloo",
    "snollygoster", "lollygag", "cattywampus", "widdershins", "discombobulate",
)  # fmt: skip

# Title templates per type; `{x}` names a word list above (see generate._fill).
TITLES = {
    "bug": (
        "{feature} fails on {platform}",
        "{feature} {symptom} after {release}",
        "Error {code} when {action}",
        "{feature} {symptom} on {platform}",
        "Cannot finish {action} on {platform}",
        "{feature} broken since {release}",
        "App crashes when {action}",
    ),
    "billing": (
        "{document} missing {billing_field}",
        "Charged twice for the {plan} plan",
        "Refund request for order {order}",
        "Card declined at checkout",
        "Cannot update {billing_field}",
        "Wrong currency on {document}",
        "Discount code not applied to order {order}",
        "Upgrade to {plan} not reflected on {document}",
    ),
    "review": (
        "Review {company} account for {risk}",
        "{company}: seat count mismatch",
        "Renewal prep for {company}",
        "Data export request from {company}",
        "GDPR deletion request for {company}",
    ),
    "incident": (
        "{component} outage in {region}",
        "Elevated {code} errors on {component}",
        "Degraded performance: {component} in {region}",
        "Webhook deliveries delayed in {region}",
    ),
}
SENTENCES = (
    "Customer reports that {feature} {symptom} on {platform}.",
    "It started after {release}.",
    "Steps to reproduce: log in, then try {action}.",
    "Seen by several users in {region}.",
    "The error code shown is {code}.",
    "They are on the {plan} plan and need this fixed before the renewal.",
    "Workaround: retry after clearing the cache.",
    "Account: {company}.",
    "Happens every time when {action}.",
    "Order {order} is affected.",
)
USER_COMMENTS = (
    "Any update on this? It is still happening on {platform}.",
    "Thanks, that worked!",
    "I attached a screenshot of error {code}.",
    "This is blocking our team, please help.",
    "It happens again when {action}.",
)
ADMIN_COMMENTS = (
    "Thanks for reporting this, we are looking into it.",
    "Could you tell us which version of {platform} you use?",
    "This is fixed in {release}. Please try again.",
    "We have refunded order {order}.",
    "I have passed this on to our engineers.",
)
NOTES = (
    "Reproduced on staging. Related to {code}.",
    "Escalating to engineering.",
    "Customer is on the {plan} plan.",
    "Checked the logs for {component}: nothing unusual.",
    "Duplicate of an older ticket, keeping this one open for the customer.",
)
