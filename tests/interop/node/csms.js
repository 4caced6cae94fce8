// ocpp-rpc (strict mode) as the CSMS: `node csms.js <subprotocol>`.
// Prints {"port": N} once listening, then one JSON line per event; exits on stdin EOF.
'use strict';
const { RPCServer, createRPCError } = require('ocpp-rpc');

const protocol = process.argv[2];
const now = '2024-01-01T00:00:00Z';
const out = (obj) => process.stdout.write(JSON.stringify(obj) + '\n');

const server = new RPCServer({ protocols: [protocol], strictMode: true });
server.auth((accept, reject, handshake) => accept({ identity: handshake.identity }));
server.on('client', (client) => {
  out({ event: 'client', identity: client.identity, protocol: client.protocol });
  client.handle('BootNotification', async ({ params }) => {
    out({ event: 'boot', params });
    setTimeout(async () => {
      const reset = protocol === 'ocpp1.6' ? { type: 'Soft' } : { type: 'Immediate' };
      try {
        out({ event: 'reset', result: await client.call('Reset', reset) });
      } catch (err) {
        out({ event: 'reset', error: String(err) });
      }
      try {
        out({ event: 'clearcache', result: await client.call('ClearCache', {}) });
      } catch (err) {
        out({ event: 'clearcache', error: err.rpcErrorCode || String(err) });
      }
    }, 10);
    return protocol === 'ocpp1.6'
      ? { status: 'Accepted', interval: 300, currentTime: now }
      : { status: 'Accepted', interval: 300, currentTime: now };
  });
  client.handle('Heartbeat', () => ({ currentTime: now }));
  client.handle('Authorize', () => ({ idTagInfo: { status: 'Accepted' } }));
  client.handle(({ method }) => {
    throw createRPCError('NotImplemented', `${method} not handled`);
  });
  client.on('close', ({ code }) => out({ event: 'close', code }));
});

server.listen(0, '127.0.0.1').then((http) => {
  out({ port: http.address().port });
});
process.stdin.resume();
process.stdin.on('end', async () => {
  await server.close({ force: true });
  process.exit(0);
});
