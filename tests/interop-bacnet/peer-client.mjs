// @bacnet-js/client as a CLIENT against CertLsp's simulator: Who-Is, ReadProperty, ReadPropertyMultiple,
// WriteProperty File_Size := 0, AtomicWriteFile, AtomicReadFile. Prints one JSON object with what it saw.
import { BACnet, args, OBJECT, PROP, TAG, ARRAY_ALL } from './common.mjs';

const a = args();
const expect = Number(a.expect ?? 1);
const client = new BACnet({ interface: a.bind, port: Number(a.port ?? 47808), broadcastAddress: a.broadcast, apduTimeout: 3000 });
const result = { devices: [] };
try {
  await new Promise((resolve) => client.on('listening', resolve));
  const found = new Map();
  const enough = new Promise((resolve) => {
    client.on('iAm', (msg) => {
      found.set(msg.payload.deviceId, msg.header.sender.address);
      if (found.size >= expect) resolve();
    });
  });
  client.whoIs();
  await Promise.race([enough, new Promise((r) => setTimeout(r, 3000))]);
  result.devices = [...found.entries()].map(([id, address]) => ({ id, address })).sort((x, y) => x.id - y.id);

  const target = { address: a.device };
  const device = { type: OBJECT.device, instance: Number(a.instance) };
  const name = await client.readProperty(target, device, PROP.objectName);
  result.objectName = name.values[0].value;

  const rpm = await client.readPropertyMultiple(target, [
    { objectId: device, properties: [PROP.objectName, PROP.vendorName, PROP.modelName, PROP.serialNumber].map((id) =>
        ({ id, index: ARRAY_ALL })) },
    { objectId: { type: OBJECT.networkPort, instance: 2 },
        properties: [PROP.networkType, PROP.csrFile, PROP.operationalFile].map((id) => ({ id, index: ARRAY_ALL })) },
  ]);
  result.rpm = rpm.values.map((o) => ({
    object: `${o.objectId.type}:${o.objectId.instance}`,
    values: o.values.map((v) => ({ id: v.id, value: v.value.map((x) =>
        (typeof x.value === 'object' ? x.value.instance ?? x.value : x.value)) })),
  }));

  const file = { type: OBJECT.file, instance: 2 };
  const content = Array.from({ length: 1000 }, (_, i) => (i * 7) & 0xff);
  await client.writeProperty(target, file, PROP.fileSize, [{ type: TAG.unsigned, value: 0 }], {});
  const written = await client.writeFile(target, file, 0, [content]);
  result.writtenAt = written.position;
  const read = await client.readFile(target, file, 0, 1400);
  result.readBack = { endOfFile: read.endOfFile, same: Buffer.compare(Buffer.from(read.buffer), Buffer.from(content)) === 0,
      length: read.buffer.length };

  try {
    await client.readProperty(target, device, 58);
    result.unknownProperty = 'no error';
  } catch (e) {
    result.unknownProperty = e.message;
  }
} catch (e) {
  result.error = String(e && e.stack || e);
} finally {
  client.close();
}
process.stdout.write(JSON.stringify(result) + '\n');
