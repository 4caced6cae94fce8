// The CSMS benchmark's load generator (benchmarks/bench_csms.py): one process, N WebSocket
// stations, each keeping exactly one CALL outstanding (OCPP-J 4.1.1) in a closed loop.
//
//   node loadgen.js load <url> <subprotocol> <stations> <seconds> <heartbeat|metervalues> [deflate]
//     -> {"ready": N} once every station is connected (before the first call), then
//        {"calls": n, "seconds": s, "rate": r, "p50_ms": .., "p99_ms": .., "errors": e,
//         "calls_total": answers including the warm-up}
//   node loadgen.js idle <url> <subprotocol> <stations> [deflate]
//     -> prints {"connected": n} once all are open, then holds them until stdin closes
'use strict';
const WebSocket = require('ws');

const [mode, url, protocol, nText, a, b, c] = process.argv.slice(2);
const n = Number(nText);

function payload(kind, id) {
  if (kind === 'metervalues') {
    return JSON.stringify([2, id, 'MeterValues', {
      connectorId: 1,
      meterValue: [{ timestamp: new Date().toISOString(),
                     sampledValue: [{ value: '1234.5', measurand: 'Energy.Active.Import.Register', unit: 'Wh' }] }],
    }]);
  }
  return JSON.stringify([2, id, 'Heartbeat', {}]);
}

function open(i, deflate) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${url}/LG${i}`, [protocol], { perMessageDeflate: deflate });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

async function openAll(deflate) {
  const sockets = [];
  const batch = 200;
  for (let i = 0; i < n; i += batch) {
    const group = [];
    for (let j = i; j < Math.min(n, i + batch); j++) group.push(open(j, deflate));
    sockets.push(...await Promise.all(group));
  }
  return sockets;
}

async function load(seconds, kind, deflate) {
  const sockets = await openAll(deflate);
  process.stdout.write(JSON.stringify({ ready: sockets.length }) + '\n');
  const latencies = [];
  let calls = 0;
  let total = 0;
  let errors = 0;
  let running = true;
  let warm = true;
  sockets.forEach((ws, i) => {
    let seq = 0;
    let sent = 0n;
    const next = () => {
      if (!running) return;
      seq += 1;
      sent = process.hrtime.bigint();
      ws.send(payload(kind, `${i}-${seq}`));
    };
    ws.on('message', (data) => {
      const msg = JSON.parse(data.toString());
      if (msg[0] !== 3) errors += 1;
      total += 1;
      if (!warm) {
        calls += 1;
        if (calls % 4 === 0 || latencies.length < 100000) {
          latencies.push(Number(process.hrtime.bigint() - sent) / 1e6);
        }
      }
      next();
    });
    next();
  });
  await new Promise((r) => setTimeout(r, Math.min(1000, seconds * 250)));  // warm-up
  warm = false;
  const start = process.hrtime.bigint();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  running = false;
  const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
  const done = calls;
  latencies.sort((x, y) => x - y);
  const q = (p) => latencies.length ? latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] : null;
  process.stdout.write(JSON.stringify({
    calls: done, seconds: elapsed, rate: done / elapsed, p50_ms: q(0.5), p99_ms: q(0.99), errors,
    calls_total: total,
  }) + '\n');
  for (const ws of sockets) ws.terminate();
  process.exit(0);
}

async function idle(deflate) {
  const sockets = await openAll(deflate);
  process.stdout.write(JSON.stringify({ connected: sockets.length }) + '\n');
  process.stdin.resume();
  process.stdin.on('end', () => { for (const ws of sockets) ws.terminate(); process.exit(0); });
}

if (mode === 'load') load(Number(a), b, c === 'deflate');
else if (mode === 'idle') idle(a === 'deflate');
else { process.stderr.write('usage: see the header of loadgen.js\n'); process.exit(2); }
