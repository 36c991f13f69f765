// Shared helpers of the interop scripts: argument parsing and the pieces of @bacnet-js/client they use.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
export const BACnet = require('@bacnet-js/client').default;
export const enums = require('@bacnet-js/client');
// Encoders the package does not export from its index: needed to build AtomicReadFile/AtomicWriteFile ACKs.
export const npdu = require('@bacnet-js/client/dist/lib/npdu.js');
export const apdu = require('@bacnet-js/client/dist/lib/apdu.js');
export const services = require('@bacnet-js/client/dist/lib/services/index.js');

export function args() {
  const out = {};
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i += 2) out[argv[i].replace(/^--/, '')] = argv[i + 1];
  for (const key of ['bind', 'broadcast']) {
    if (!out[key]) throw new Error(`--${key} is required (never defaulted)`);
    if (!out[key].startsWith('127.')) throw new Error(`--${key} ${out[key]}: loopback only`);
  }
  return out;
}

export const ARRAY_ALL = 0xffffffff;
export const OBJECT = { device: 8, file: 10, networkPort: 56 };
export const PROP = {
  objectName: 77, vendorName: 121, modelName: 70, serialNumber: 372, objectList: 76, fileSize: 42,
  networkType: 427, macAddress: 423, csrFile: 509, issuerFiles: 511, operationalFile: 4194306,
};
export const TAG = { unsigned: 2, octetString: 6, characterString: 7, enumerated: 9, objectId: 12 };

// A device's answers to ReadProperty and ReadPropertyMultiple from one function read(objectId, propertyId, index) that returns
// { value: [...] } or { error: [errorClass, errorCode] }.
export function serveReads(device, read) {
  device.on('readProperty', (msg) => {
    const to = { address: msg.header.sender.address };
    const { objectId, property } = msg.payload;
    const r = read(objectId, property.id, property.index);
    if (r.error) device.errorResponse(to, enums.ConfirmedServiceChoice.READ_PROPERTY, msg.invokeId, ...r.error);
    else device.readPropertyResponse(to, msg.invokeId, objectId, property, r.value);
  });
  device.on('readPropertyMultiple', (msg) => {
    const to = { address: msg.header.sender.address };
    const values = msg.payload.properties.map((spec) => ({
      objectId: spec.objectId,
      values: spec.properties.map((p) => {
        const r = read(spec.objectId, p.id, p.index);
        const value = r.error ? [{ value: { type: 'BacnetError', errorClass: r.error[0], errorCode: r.error[1] } }] : r.value;
        return { property: { id: p.id, index: p.index ?? ARRAY_ALL }, value };
      }),
    }));
    device.readPropertyMultipleResponse(to, msg.invokeId, values);
  });
}

// Sends a ComplexACK whose service data encode(buffer) writes (AtomicReadFile/AtomicWriteFile ACKs, which the package does not send).
export function sendComplexAck(device, receiver, service, invokeId, encode) {
  const buffer = { buffer: Buffer.alloc(1482), offset: 4 };
  npdu.encode(buffer, enums.NpduControlPriority.NORMAL_MESSAGE, receiver);
  apdu.encodeComplexAck(buffer, enums.PduType.COMPLEX_ACK, service, invokeId);
  encode(buffer);
  device.sendBvlc(receiver, buffer);
}
