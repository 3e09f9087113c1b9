// Drives a conversation from first message to ticket, tracker and background job with
// Intercom's official Node SDK (intercom-client), and prints what it saw as JSON for
// tests/test_node_sdk_lifecycle.py to check. Calls the SDK lacks (2.16: tracker links,
// change_type) go out with plain fetch, as an SDK user would send them.
// Usage: node lifecycle.js <sdk dir> <base url> <token> <admin id>
const path = require("path");
const [sdkDir, baseUrl, token, adminId] = process.argv.slice(2);
const { IntercomClient, Intercom } = require(path.join(sdkDir, "node_modules", "intercom-client"));

// Every request sent, with its Intercom-Version and the answer's status and body, for the
// test to check against the OpenAPI file of that version. A retry (the SDK retries 5xx
// twice by default) would show up here as a repeated request.
const trace = [];
async function tracingFetch(url, init = {}) {
  const response = await fetch(url, init);
  trace.push({
    method: init.method || "GET", path: new URL(url).pathname,
    version: new Headers(init.headers).get("intercom-version"),
    status: response.status, body: await response.clone().text(),
  });
  return response;
}

// Intercom-Version 2.16 endpoints the SDK (generated from 2.14) has no method for.
async function raw(method, route, body) {
  const response = await tracingFetch(`${baseUrl}${route}`, {
    method,
    headers: {
      Authorization: `Bearer ${token}`, "Intercom-Version": "2.16", Accept: "application/json",
      ...(body === undefined ? {} : { "Content-Type": "application/json" }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  trace.at(-1).viaFetch = true;
  const json = await response.json();
  if (!response.ok) throw new Error(`${method} ${route} -> ${response.status} ${JSON.stringify(json)}`);
  return json;
}

// What a rejected call looks like to SDK code: the error class and what it carries.
async function failure(call) {
  try {
    await call();
    return { thrown: false };
  } catch (err) {
    return {
      thrown: true,
      cls: err.constructor.name,
      isIntercomNotFound: err instanceof Intercom.NotFoundError,
      isIntercomBadRequest: err instanceof Intercom.BadRequestError,
      status: err.statusCode,
      code: err.body && err.body.errors && err.body.errors[0].code,
    };
  }
}

const partTypes = (parts) => parts.map((p) => p.part_type);
const linked = (o) => ({
  total: o.linked_objects.total_count,
  data: o.linked_objects.data.map((l) => ({ type: l.type, id: l.id, category: l.category })),
});

async function main() {
  const client = new IntercomClient({ token, baseUrl, fetch: tracingFetch });
  const admin = { type: "admin", admin_id: adminId };
  const out = {};
  const contact = await client.contacts.create({ email: "lifecycle@example.com", name: "Lifa" });
  out.contactId = contact.id;

  // A contact writes in; an admin answers, assigns it to themself and closes it.
  const message = await client.conversations.create({
    from: { type: "user", id: contact.id }, body: "My invoice is wrong",
  });
  out.message = { type: message.type, body: message.body };
  const cid = message.conversation_id;
  out.conversationId = cid;
  const replied = await client.conversations.reply({
    conversation_id: cid, body: { ...admin, message_type: "comment", body: "Looking into it" },
  });
  out.afterAdminReply = { parts: partTypes(replied.conversation_parts.conversation_parts), state: replied.state };
  const assigned = await client.conversations.manage({
    conversation_id: cid, body: { ...admin, message_type: "assignment", assignee_id: adminId },
  });
  out.assigned = {
    assignee: assigned.admin_assignee_id,
    assignedTo: assigned.conversation_parts.conversation_parts.at(-1).assigned_to,
  };
  const closed = await client.conversations.manage({
    conversation_id: cid, body: { ...admin, message_type: "close", body: "Fixed, I think" },
  });
  out.closed = { open: closed.open, state: closed.state };

  // The contact answers the closed conversation, which reopens it.
  const reopened = await client.conversations.reply({
    conversation_id: cid,
    body: { type: "user", message_type: "comment", intercom_user_id: contact.id, body: "Still wrong" },
  });
  out.reopened = {
    open: reopened.open, state: reopened.state, last: reopened.conversation_parts.conversation_parts.at(-1),
  };

  const vip = await client.tags.create({ name: "vip" });
  const billing = await client.tags.create({ name: "billing" });
  for (const tag of [vip, billing]) {
    await client.tags.tagConversation({ conversation_id: cid, id: tag.id, admin_id: adminId });
  }
  const untagged = await client.tags.untagConversation({ conversation_id: cid, tag_id: vip.id, admin_id: adminId });
  out.untagged = untagged.name;
  const found = await client.conversations.find({ conversation_id: cid });
  out.found = {
    id: found.id, open: found.open, state: found.state, assignee: found.admin_assignee_id,
    parts: partTypes(found.conversation_parts.conversation_parts),
    tags: found.tags.tags.map((t) => t.name),
    source: { type: found.source.type, body: found.source.body, author: found.source.author.id },
  };

  // Two more conversations, then every conversation, one page at a time.
  const writeIn = async (body) =>
    (await client.conversations.create({ from: { type: "user", id: contact.id }, body })).conversation_id;
  const other = await writeIn("Checkout fails");
  const third = await writeIn("And again");
  out.others = [other, third];
  const listed = [];
  const page = await client.conversations.list({ per_page: 1 });
  out.firstPageSize = page.data.length;
  for await (const conversation of page) listed.push(conversation.id);
  out.listed = listed;

  // Convert the first conversation to a Customer ticket: it keeps its id and history.
  const billingType = await client.ticketTypes.create({ name: "Billing", description: "money", category: "Customer" });
  const refundType = await client.ticketTypes.create({
    name: "Refund", description: "money back", category: "Customer",
  });
  const trackerType = await client.ticketTypes.create({ name: "Outage", description: "many hit", category: "Tracker" });
  out.types = { billing: billingType.id, refund: refundType.id, tracker: trackerType.id };
  out.convertRefused = await failure(() =>
    client.conversations.convertToTicket({ conversation_id: Number(other), ticket_type_id: trackerType.id }));
  const converted = await client.conversations.convertToTicket({
    conversation_id: Number(cid), ticket_type_id: billingType.id,
  });
  out.converted = {
    id: converted.id, type: converted.type, category: converted.category, typeId: converted.ticket_type.id,
    state: converted.ticket_state.category, contacts: converted.contacts.contacts.map((c) => c.id),
    parts: partTypes(converted.ticket_parts.ticket_parts),
  };
  out.conversationAfterConvert = (await client.conversations.find({ conversation_id: cid })).id;

  // 2.16 with fetch: a tracker gathers the converted ticket and the other conversation.
  const tracker = await raw("POST", "/tickets", {
    ticket_type_id: trackerType.id, contacts: [{ id: contact.id }],
    ticket_attributes: { _default_title_: "Invoices are wrong" },
  });
  out.trackerId = tracker.id;
  const linkedTicket = await raw("POST", `/tickets/${tracker.id}/linked_conversations`, { conversation_id: cid });
  const linkedConversation = await raw("POST", `/tickets/${tracker.id}/linked_conversations`, {
    conversation_id: other,
  });
  out.linkAnswers = [
    { type: linkedTicket.type, id: linkedTicket.id, linked: linked(linkedTicket) },
    { type: linkedConversation.type, id: linkedConversation.id, linked: linked(linkedConversation) },
  ];
  out.trackerLinks = linked(await raw("GET", `/tickets/${tracker.id}`));
  out.ticketLinks = linked(await client.tickets.get({ ticket_id: cid }));
  out.conversationLinks = linked(await client.conversations.find({ conversation_id: other }));

  // 2.16 with fetch: the converted ticket becomes a Refund ticket, in that type's in-progress state.
  const refund = await raw("GET", `/ticket_types/${refundType.id}`);
  const inProgress = refund.ticket_states.data.find((s) => s.category === "in_progress");
  const changed = await raw("POST", `/tickets/${cid}/change_type`, {
    ticket_type_id: refundType.id, ticket_state_id: inProgress.id,
  });
  out.changed = {
    id: changed.id, typeId: changed.ticket_type.id, stateId: changed.ticket_state.id,
    state: changed.ticket_state.category, newParts: partTypes(changed.ticket_parts.ticket_parts.slice(-2)),
    linked: linked(changed),
  };
  out.refundInProgress = inProgress.id;
  const afterChange = await client.tickets.get({ ticket_id: cid });
  out.afterChange = {
    typeId: afterChange.ticket_type.id, state: afterChange.ticket_state.category,
    parts: partTypes(afterChange.ticket_parts.ticket_parts), linked: linked(afterChange),
  };

  // A ticket made in the background: poll the job until it is done, then read the ticket.
  const job = await client.tickets.enqueueCreateTicket({
    ticket_type_id: billingType.id, contacts: [{ id: contact.id }],
    ticket_attributes: { _default_title_: "Queued from Node" },
  });
  out.job = { type: job.type, status: job.status, resourceType: job.resource_type };
  let status = job;
  const polls = [];
  for (let i = 0; i < 200 && status.status === "pending"; i++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    status = await client.jobs.status({ job_id: job.id });
    polls.push(status.status);
  }
  out.jobDone = {
    id: status.id, status: status.status, resourceType: status.resource_type,
    resourceId: status.resource_id, resourceUrl: status.resource_url, polls: polls.length,
  };
  const made = await client.tickets.get({ ticket_id: status.resource_id });
  out.made = {
    id: made.id, typeId: made.ticket_type.id, title: made.ticket_attributes._default_title_,
    state: made.ticket_state.category, contacts: made.contacts.contacts.map((c) => c.id),
  };

  out.findUnknown = await failure(() => client.conversations.find({ conversation_id: "999999999" }));
  out.jobUnknown = await failure(() => client.jobs.status({ job_id: "999999999" }));
  out.trace = trace;
  console.log(JSON.stringify(out));
}

main().catch((err) => {
  console.error(err && err.body ? JSON.stringify(err.body) : err);
  process.exit(1);
});
