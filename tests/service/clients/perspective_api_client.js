// Drives perspective-api-client (npm), unchanged. It hard-codes Google's URL, so the test sets
// HTTPS_PROXY to our server, as a site routing the client through a proxy would.
// Usage: node perspective_api_client.js KEY TEXT '["toxicity", "insult"]' [languages-json]
'use strict';
const Perspective = require('perspective-api-client');

async function main() {
  const [apiKey, text, attributesJson] = process.argv.slice(2);
  const perspective = new Perspective({apiKey});
  try {
    const result = await perspective.analyze(text, {attributes: JSON.parse(attributesJson)});
    console.log(JSON.stringify({result}));
  } catch (error) {
    const data = error.response ? error.response.data : null;
    console.log(JSON.stringify({error: error.name, message: error.message, data}));
  }
}

main().catch(error => {
  console.error(error.stack);
  process.exit(1);
});
