// Preloaded with `node --require`: resolves every `*.test` name to 127.0.0.1, as a DNS record
// (a wildcard `*.moderation.example` pointing at the moderation host) would. Nothing else changes.
'use strict';
const dns = require('dns');
const lookup = dns.lookup;
dns.lookup = function (hostname, options, callback) {
  if (typeof options === 'function') {
    callback = options;
    options = {};
  }
  if (/\.test$/i.test(hostname)) {
    const all = typeof options === 'object' && options && options.all;
    const answer = all ? [[{address: '127.0.0.1', family: 4}]] : ['127.0.0.1', 4];
    return process.nextTick(callback, null, ...answer);
  }
  return lookup.call(dns, hostname, options, callback);
};
