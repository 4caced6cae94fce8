// ocpp-rpc (strict mode) as the station: `node station.js <subprotocol> <endpoint> <identity>`.
// Boots, sends a Heartbeat, answers Reset, waits for one CSMS call, prints JSON lines, exits.
'use strict';
const { RPCClient } = require('ocpp-rpc');

const [protocol, endpoint, identity] = process.argv.slice(2);
const out = (obj) => process.stdout.write(JSON.stringify(obj) + '\n');

async function main() {
  const client = new RPCClient({
    endpoint, identity, protocols: [protocol], strictMode: true, reconnect: false,
  });
  let resetDone;
  const reset = new Promise((resolve) => { resetDone = resolve; });
  client.handle('Reset', ({ params }) => {
    out({ event: 'reset', params });
    setTimeout(resetDone, 50);
    return { status: 'Accepted' };
  });
  await client.connect();
  out({ event: 'open', protocol: client.protocol });
  const boot = protocol === 'ocpp1.6'
    ? { chargePointVendor: 'Vendor', chargePointModel: 'M1' }
    : { chargingStation: { vendorName: 'Vendor', model: 'M1' }, reason: 'PowerUp' };
  out({ event: 'boot', result: await client.call('BootNotification', boot) });
  out({ event: 'heartbeat', result: await client.call('Heartbeat', {}) });
  try {
    await client.call('DataTransfer', { vendorId: 'X' });
  } catch (err) {
    out({ event: 'datatransfer', error: err.rpcErrorCode || String(err) });
  }
  await reset;
  await client.close({ code: 1000 });
  out({ event: 'closed' });
}

main().catch((err) => { out({ event: 'error', error: String(err) }); process.exit(1); });
