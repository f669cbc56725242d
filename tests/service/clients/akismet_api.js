// Drives akismet-api (npm), unchanged, as a Node site would: key in the host name.
// Usage: node --require ./resolve.js akismet_api.js KEY HOST BLOG '{"benign": ..., "spam": ...}'
'use strict';
const {AkismetClient} = require('akismet-api');

async function main() {
  const [key, host, blog, textsJson] = process.argv.slice(2);
  const texts = JSON.parse(textsJson);
  const client = new AkismetClient({key, blog, host});
  const out = {};
  out.verified = await client.verifyKey();
  out.ham = await client.checkSpam({
    ip: '203.0.113.7', content: texts.benign, name: 'Jt', email: 'jt@example.com',
    type: 'comment', permalink: `${blog}/2026/russia-china`,
  });
  out.spam = await client.checkSpam({ip: '203.0.113.8', content: texts.spam, type: 'comment'});
  out.honeypot = await client.checkSpam({
    ip: '203.0.113.9', content: texts.benign, honeypot: 'filled in by a bot',
  });
  await client.submitSpam({ip: '203.0.113.7', content: texts.benign});
  await client.submitHam({ip: '203.0.113.8', content: texts.spam});
  const stranger = new AkismetClient({key: 'cmk-notakey', blog, host});
  out.wrongKeyVerified = await stranger.verifyKey();
  try {
    await stranger.checkSpam({ip: '203.0.113.7', content: texts.benign});
  } catch (error) {
    out.wrongKeyError = error.message;
  }
  console.log(JSON.stringify(out));
}

main().catch(error => {
  console.error(error.stack);
  process.exit(1);
});
