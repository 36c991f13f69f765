// @bacnet-js/client as a DEVICE that CertLsp's client talks to: answers Who-Is (a second socket on the broadcast
// address hears it), ReadProperty, ReadPropertyMultiple, WriteProperty File_Size, AtomicReadFile, AtomicWriteFile.
// Prints "ready" once listening; runs until killed.
import { BACnet, args, serveReads, sendComplexAck, services, enums, OBJECT, PROP, TAG } from './common.mjs';

const a = args();
const instance = Number(a.instance ?? 4242);
const port = Number(a.port ?? 47808);
const device = new BACnet({ interface: a.bind, port, broadcastAddress: a.broadcast });
const listener = new BACnet({ interface: a.broadcast, port, broadcastAddress: a.broadcast, reuseAddr: true });

const files = new Map([[1, Buffer.from('-----BEGIN CERTIFICATE REQUEST-----\nMIIBpeer\n-----END CERTIFICATE REQUEST-----\n')],
    [2, Buffer.alloc(0)]]);
const key = (o) => `${o.type}:${o.instance}`;
const objects = { [key({ type: OBJECT.device, instance })]: 'device', '56:1': 'port', '10:1': 'file', '10:2': 'file' };

function read(objectId, id) {
  const kind = objects[key(objectId)];
  if (!kind) return { error: [1, 31] };
  const str = (v) => [{ type: TAG.characterString, value: v }];
  if (kind === 'device') {
    switch (id) {
      case PROP.objectName: return { value: str('BacnetJsDevice') };
      case PROP.vendorName: return { value: str('bacnet-js') };
      case PROP.modelName: return { value: str('peer-device') };
      case PROP.serialNumber: return { value: str('JS-0001') };
      case PROP.objectList: return { value: Object.keys(objects).map((k) =>
          ({ type: TAG.objectId, value: { type: Number(k.split(':')[0]), instance: Number(k.split(':')[1]) } })) };
    }
  } else if (kind === 'port') {
    switch (id) {
      case PROP.objectName: return { value: str('BIP') };
      case PROP.networkType: return { value: [{ type: TAG.enumerated, value: 5 }] };
      case PROP.macAddress: return { value: [{ type: TAG.octetString, value: [127, 0, 2, 10, port >> 8, port & 0xff] }] };
    }
  } else if (id === PROP.fileSize) {
    return { value: [{ type: TAG.unsigned, value: files.get(objectId.instance).length }] };
  }
  return { error: [2, 32] };
}

const ack = (receiver, service, invokeId, encode) => sendComplexAck(device, receiver, service, invokeId, encode);

listener.on('whoIs', (msg) => {
  const { lowLimit, highLimit } = msg.payload;
  if (lowLimit !== undefined && (instance < lowLimit || instance > highLimit)) return;
  device.iAmResponse({ address: msg.header.sender.address }, instance, enums.Segmentation.NO_SEGMENTATION, 260);
});

serveReads(device, read);

device.on('writeProperty', (msg) => {
  const to = { address: msg.header.sender.address };
  const { objectId, value } = msg.payload;
  if (objectId.type === OBJECT.file && files.has(objectId.instance) && value.property.id === PROP.fileSize && value.value[0].value === 0) {
    files.set(objectId.instance, Buffer.alloc(0));
    device.simpleAckResponse(to, enums.ConfirmedServiceChoice.WRITE_PROPERTY, msg.invokeId);
  } else {
    device.errorResponse(to, enums.ConfirmedServiceChoice.WRITE_PROPERTY, msg.invokeId, 2, 40);
  }
});

device.on('atomicReadFile', (msg) => {
  const to = { address: msg.header.sender.address };
  const { objectId, position, count } = msg.payload;
  const content = files.get(objectId.instance);
  if (!content) return device.errorResponse(to, enums.ConfirmedServiceChoice.ATOMIC_READ_FILE, msg.invokeId, 1, 31);
  const chunk = content.subarray(position, position + count);
  ack(to, enums.ConfirmedServiceChoice.ATOMIC_READ_FILE, msg.invokeId, (b) =>
    services.AtomicReadFile.encodeAcknowledge(b, true, position + chunk.length >= content.length, position, 1, [Array.from(chunk)],
        [chunk.length]));
});

device.on('atomicWriteFile', (msg) => {
  const to = { address: msg.header.sender.address };
  const { objectId, position, blocks } = msg.payload;
  const content = files.get(objectId.instance);
  if (!content || objectId.instance === 1) return device.errorResponse(to, enums.ConfirmedServiceChoice.ATOMIC_WRITE_FILE, msg.invokeId, 5,
      5);
  const data = Buffer.from(blocks[0]);
  const updated = Buffer.alloc(Math.max(content.length, position + data.length));
  content.copy(updated);
  data.copy(updated, position);
  files.set(objectId.instance, updated);
  ack(to, enums.ConfirmedServiceChoice.ATOMIC_WRITE_FILE, msg.invokeId, (b) =>
      services.AtomicWriteFile.encodeAcknowledge(b, true, position));
});

let listening = 0;
for (const c of [device, listener]) c.on('listening', () => { if (++listening === 2) process.stdout.write('ready\n'); });
process.on('SIGTERM', () => { device.close(); listener.close(); process.exit(0); });
