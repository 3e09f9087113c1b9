// Creates a contact with Intercom's official Node SDK (intercom-client) and its default
// retries, for tests/test_node_sdk_retries.py: the server answers the first attempts with
// injected 503s. Prints the created contact as JSON.
// Usage: node retry.js <sdk dir> <base url> <token>
const path = require("path");
const [sdkDir, baseUrl, token] = process.argv.slice(2);
const { IntercomClient } = require(path.join(sdkDir, "node_modules", "intercom-client"));

async function main() {
  const client = new IntercomClient({ token, baseUrl }); // default maxRetries: 2
  const contact = await client.contacts.create({ email: "retry@example.com" });
  process.stdout.write(JSON.stringify({ id: contact.id, email: contact.email }));
}

main().catch((err) => {
  process.stderr.write(String(err && err.stack ? err.stack : err));
  process.exit(1);
});
