// Drives a Ticketry server with Intercom's official Node SDK (intercom-client) and prints
// what it saw as JSON, for tests/test_node_sdk.py to check.
// Usage: node workflow.js <sdk dir> <base url> <token> <admin id>
const path = require("path");
const [sdkDir, baseUrl, token, adminId] = process.argv.slice(2);
const { IntercomClient } = require(path.join(sdkDir, "node_modules", "intercom-client"));

async function main() {
  const client = new IntercomClient({ token, baseUrl, maxRetries: 0 });
  const out = {};
  out.me = (await client.admins.identify()).id;
  const type = await client.ticketTypes.create({ name: "Node bug", description: "from node", category: "Customer" });
  const attr = await client.ticketTypes.attributes.create({
    ticket_type_id: type.id, name: "Priority", description: "How urgent", data_type: "list", list_items: "Low,High",
  });
  const high = attr.input_options.list_options.find((o) => o.label === "High");
  const contact = await client.contacts.create({ email: "node@example.com", name: "Noddy" });
  const created = [];
  for (let i = 0; i < 5; i++) {
    // ticket_attributes is missing from the SDK's types but passes through to the body.
    created.push(await client.tickets.create({
      ticket_type_id: type.id, contacts: [{ id: contact.id }],
      ticket_attributes: { _default_title_: `Node ticket ${i}`, Priority: high.id },
    }));
  }
  out.created = created.map((t) => t.ticket_id);
  out.stateType = typeof created[0].ticket_state;
  const reply = await client.tickets.reply({
    ticket_id: created[0].id,
    body: { message_type: "comment", type: "admin", admin_id: adminId, body: "Hello from Node" },
  });
  out.replyBody = reply.body;
  const states = await client.ticketStates.listTicketStates();
  const inProgress = states.data.find((s) => s.category === "in_progress");
  const updated = await client.tickets.update({ ticket_id: created[0].id, ticket_state_id: inProgress.id,
    admin_id: Number(adminId), assignee_id: String(adminId) });
  out.updatedState = updated.ticket_state.category;
  out.assignee = updated.admin_assignee_id;
  const tag = await client.tags.create({ name: "node" });
  const tagged = await client.tags.tagTicket({ ticket_id: created[0].id, id: tag.id, admin_id: adminId });
  out.tagged = tagged.name;
  await client.tags.untagTicket({ ticket_id: created[0].id, tag_id: tag.id, admin_id: adminId });
  // The Node pager follows pages.next and stops when it is absent: it must end.
  const seen = [];
  const page = await client.tickets.search({
    query: { field: "ticket_type_id", operator: "=", value: type.id }, pagination: { per_page: 2 },
  });
  for await (const ticket of page) seen.push(ticket.id);
  out.searched = seen;
  const deleted = await client.tickets.deleteTicket({ ticket_id: created[4].id });
  out.deleted = deleted.deleted;
  try {
    await client.tickets.get({ ticket_id: created[4].id });
    out.afterDelete = "found";
  } catch (err) {
    out.afterDelete = err.statusCode;
    out.afterDeleteCode = err.body && err.body.errors && err.body.errors[0].code;
  }
  console.log(JSON.stringify(out));
}

main().catch((err) => {
  console.error(err && err.body ? JSON.stringify(err.body) : err);
  process.exit(1);
});
