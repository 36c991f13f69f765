// The @bacnet-js/client side of bench/CertLsp.Bacnet.Bench: Who-Is until every device answered, ReadPropertyMultiple
// of the four identity properties of each, then AtomicReadFile of each device's CSR file until end of file.
// Prints one JSON object of timings. Requests run 32 at a time: its invoke ids are one byte shared by all peers, and
// a request whose answer is lost while its id is reused never settles (its request manager drops it), so each
// request is also bounded by a 5 s guard here and counted as missing.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
const require = createRequire(new URL('../tests/interop-bacnet/package.json', import.meta.url));
const BACnet = require('@bacnet-js/client').default;

const argv = Object.fromEntries(process.argv.slice(2).reduce((a, v, i, all) =>
    (i % 2 ? a : [...a, [all[i].replace(/^--/, ''), all[i + 1]]]), []));
const expect = Number(argv.expect);
const client = new BACnet({ interface: argv.bind, port: 47808, broadcastAddress: argv.broadcast, apduTimeout: 3000 });
await new Promise((r) => client.on('listening', r));

async function pool(items, limit, work) {
  let next = 0;
  const guard = () => new Promise((_, reject) => setTimeout(() => reject(new Error('guard')), 5000).unref());
  await Promise.all(Array.from({ length: limit }, async () => {
    while (next < items.length) {
      const item = items[next++];
      try { await Promise.race([work(item), guard()]); } catch { /* counted as missing */ }
    }
  }));
}

const found = new Map();
let t = performance.now();
await new Promise((resolve) => {
  client.on('iAm', (m) => { found.set(m.payload.deviceId, m.header.sender.address); if (found.size >= expect) resolve(); });
  client.whoIs();
  setTimeout(resolve, 5000);
});
const discovery = (performance.now() - t) / 1000;
process.stderr.write(`discovery ${found.size} in ${discovery}\n`);
// The identity and CSR phases use the site's full device list (--devices FILE), as CertLsp's do, so a device
// the discovery phase missed still counts in the comparison.
const devices = JSON.parse(readFileSync(argv.devices, 'utf8'));

t = performance.now();
let identityOk = 0;
await pool(devices, 32, async ([id, address]) => {
  try {
    const r = await client.readPropertyMultiple({ address },
        [{ objectId: { type: 8, instance: id }, properties: [77, 121, 70, 372].map((p) => ({ id: p, index: 0xffffffff })) }]);
    if (r.values[0].values.filter((v) => v.value.length === 1 && typeof v.value[0].value === 'string').length === 4) identityOk++;
  } catch { /* counted as missing */ }
});
const identity = (performance.now() - t) / 1000;
process.stderr.write(`identity ${identityOk} in ${identity}\n`);

t = performance.now();
let csrOk = 0;
await pool(devices, 32, async ([, address]) => {
  try {
    const parts = [];
    let position = 0;
    for (;;) {
      const r = await client.readFile({ address }, { type: 10, instance: 1 }, position, 1400);
      parts.push(r.buffer);
      position += r.buffer.length;
      if (r.endOfFile || r.buffer.length === 0) break;
    }
    if (Buffer.concat(parts).toString('ascii').startsWith('-----BEGIN CERTIFICATE REQUEST-----')) csrOk++;
  } catch { /* counted as missing */ }
});
const csr = (performance.now() - t) / 1000;
client.close();
process.stdout.write(JSON.stringify({ found: found.size, total: devices.length, discovery, identity, identityOk, csr, csrOk }) + '\n');
