// ocpp-rpc (strict mode) as the benchmarked CSMS: `node bench-csms.js <port> <subprotocol>`.
// Answers Heartbeat and MeterValues; prints {"port": N} once listening.
'use strict';
const { RPCServer } = require('ocpp-rpc');

const [portText, protocol] = process.argv.slice(2);
const server = new RPCServer({ protocols: [protocol], strictMode: true });
server.auth((accept) => accept());
server.on('client', (client) => {
  client.handle('Heartbeat', () => ({ currentTime: new Date().toISOString() }));
  client.handle('MeterValues', () => ({}));
});
server.listen(Number(portText), '127.0.0.1').then((http) => {
  process.stdout.write(JSON.stringify({ port: http.address().port }) + '\n');
});
