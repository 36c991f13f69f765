// @bacnet-js/client as a SMALL BACnet/SC-capable DEVICE (issue 13): Max APDU --max-apdu (1476, 1024, 480 or 206), --segmentation none
// (the default) or receive with --max-segments N (default 4), announced as such in its I-Am and its Device object; one Network
// Port (secure-connect) with the certificate properties, stream File objects 1 (CSR, read-only), 2 and 3 (issuers), 4 (operational).
// Command := 9 (generate-csr-file) makes a P-256 key with Node's crypto and writes its PKCS#10 CSR (DER built here, PEM in File 1);
// ReinitializeDevice ACTIVATE_CHANGES checks the operational certificate (the pending key, signed by an installed issuer, in its
// validity period) with Node's X509Certificate, else error device/invalid-configuration-data; Command := 1 discards.
// Like a device with a buffer of Max APDU octets, it drops larger APDUs and never sends an answer larger than its own or the
// requester's Max APDU (it aborts instead: it never transmits segments). Without segmentation it aborts segmented requests
// (segmentation-not-supported); with receive it reassembles them with the library's own segmentation (SegmentACKs per window) and
// aborts one that goes beyond Max_Segments_Accepted (buffer-overflow), as 135 5.4.5.2 lets a server do.
// Prints "ready" once listening; then one line per event: "dropped N", "aborted ...", "reassembled N segments", "activated",
// "refused ..." (stdout);
// "VIOLATION ..." on stderr if it ever had to send something larger than it may. Runs until killed.
import crypto from 'node:crypto';
import { BACnet, args, serveReads, sendComplexAck, npdu, apdu, services, enums, OBJECT, PROP, TAG, ARRAY_ALL } from './common.mjs';

const a = args();
const instance = Number(a.instance ?? 4343);
const port = Number(a.port ?? 47808);
const maxApdu = Number(a['max-apdu'] ?? 480);
const APDU_LENGTHS = [50, 128, 206, 480, 1024, 1476];
if (!APDU_LENGTHS.includes(maxApdu)) throw new Error(`--max-apdu ${maxApdu}: one of ${APDU_LENGTHS.join(', ')}`);
const SEGMENTATION = { receive: 2, none: 3 };     // BACnetSegmentation: segmented-both 0, -transmit 1, -receive 2, no-segmentation 3
const segmentation = a.segmentation ?? 'none';
if (!(segmentation in SEGMENTATION)) throw new Error(
    `--segmentation ${segmentation}: none or receive (this device never transmits segments)`);
const receivesSegments = segmentation === 'receive';
if (a['max-segments'] !== undefined && !receivesSegments) throw new Error('--max-segments needs --segmentation receive');
const maxSegments = receivesSegments ? Number(a['max-segments'] ?? 4) : null;
if (receivesSegments && !(Number.isInteger(maxSegments) && maxSegments >= 2 && maxSegments <= 255)) throw new Error(
    `--max-segments ${a['max-segments']}: 2..255`);
const name = a.name ?? `SmallJsDevice${instance}`;
const device = new BACnet({ interface: a.bind, port, broadcastAddress: a.broadcast });
const listener = new BACnet({ interface: a.broadcast, port, broadcastAddress: a.broadcast, reuseAddr: true });
const say = (line) => process.stdout.write(`${line}\n`);

const PROP_MAX_APDU = 62, PROP_SEGMENTATION = 107, PROP_MAX_SEGMENTS = 167, PROP_SEGMENT_TIMEOUT = 10, PROP_COMMAND = 417,
    PROP_CHANGES_PENDING = 416;
const GENERATE_CSR = 9, DISCARD = 1, ACTIVATE_CHANGES = 7;
const ABORT_BUFFER_OVERFLOW = 1, ABORT_SEGMENTATION_NOT_SUPPORTED = 4;

const files = new Map([[1, Buffer.alloc(0)], [2, Buffer.alloc(0)], [3, Buffer.alloc(0)], [4, Buffer.alloc(0)]]);
let active = null;          // the files as activated, kept while changes are pending
let activeKey = null;       // SPKI DER of the activated key
let pendingKey = null;
let changesPending = false;
const key = (o) => `${o.type}:${o.instance}`;
const objects = { [key({ type: OBJECT.device, instance })]: 'device', '56:1': 'port', '10:1': 'file', '10:2': 'file', '10:3': 'file',
    '10:4': 'file' };
const fileId = (i) => ({ type: TAG.objectId, value: { type: OBJECT.file, instance: i } });

// ---- PKCS#10 with Node's crypto (RFC 2986): CertificationRequestInfo signed with ECDSA P-256 / SHA-256 ----
const derLength = (n) => {
  if (n < 128) return Buffer.from([n]);
  const bytes = [];
  for (let v = n; v > 0; v >>= 8) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
};
const der = (tag, ...parts) => { const body = Buffer.concat(parts); return Buffer.concat(
    [Buffer.from([tag]), derLength(body.length), body]); };
const seq = (...parts) => der(0x30, ...parts);
const oid = (hex) => der(0x06, Buffer.from(hex, 'hex'));
function makeCsr() {
  const { publicKey, privateKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const subject = seq(der(0x31, seq(oid('550403'), der(0x0c, Buffer.from(name, 'utf8')))));   // CN
  const info = seq(der(0x02, Buffer.from([0])), subject, spki, Buffer.from([0xa0, 0x00]));    // version 0, no attributes
  const signature = crypto.sign('sha256', info, privateKey);                                    // DER ECDSA-Sig-Value
  const csr = seq(info, seq(oid('2a8648ce3d040302')), der(0x03, Buffer.from([0]), signature));   // ecdsa-with-SHA256
  const pem =
      `-----BEGIN CERTIFICATE REQUEST-----\n${csr.toString('base64').match(/.{1,64}/g).join('\n')}\n-----END CERTIFICATE REQUEST-----\n`;
  return { spki, pem };
}

function beginChanges() {
  if (!active) active = new Map([...files].filter(([f]) => f !== 1));
  changesPending = true;
}

function discard() {
  if (active) for (const [f, content] of active) files.set(f, content);
  active = null;
  pendingKey = null;
  changesPending = false;
}

function activate() {
  if (!changesPending) return null;
  let cert;
  try { cert = new crypto.X509Certificate(files.get(4)); } catch { return 'no operational certificate'; }
  const certKey = cert.publicKey.export({ type: 'spki', format: 'der' });
  const expected = pendingKey ?? activeKey;
  if (!expected || !certKey.equals(expected)) return 'not the device key';
  const now = new Date();
  if (now < new Date(cert.validFrom) || now > new Date(cert.validTo)) return 'outside its validity period';
  const issuers = [2, 3].map((f) => files.get(f)).filter((b) => b.length > 0).flatMap((b) =>
      { try { return [new crypto.X509Certificate(b)]; } catch { return []; } });
  if (!issuers.some((i) => cert.checkIssued(i) && cert.verify(i.publicKey))) return 'not signed by an installed issuer';
  if (pendingKey) { activeKey = pendingKey; pendingKey = null; }
  active = null;
  changesPending = false;
  return null;
}

function read(objectId, id, index) {
  const kind = objects[key(objectId)];
  if (!kind) return { error: [1, 31] };
  const str = (v) => [{ type: TAG.characterString, value: v }];
  const uns = (v) => [{ type: TAG.unsigned, value: v }];
  const enm = (v) => [{ type: TAG.enumerated, value: v }];
  if (kind === 'device') {
    switch (id) {
      case PROP.objectName: return { value: str(name) };
      case PROP.vendorName: return { value: str('bacnet-js') };
      case PROP.modelName: return { value: str('peer-small-device') };
      case PROP.serialNumber: return { value: str(`JS-${instance}`) };
      case PROP_MAX_APDU: return { value: uns(maxApdu) };
      case PROP_SEGMENTATION: return { value: enm(SEGMENTATION[segmentation]) };
      // Required where segmentation is supported (135 12.11.17, 12.11.18); absent (unknown-property) where it is not.
      case PROP_MAX_SEGMENTS: if (receivesSegments) return { value: uns(maxSegments) }; break;
      case PROP_SEGMENT_TIMEOUT: if (receivesSegments) return { value: uns(2000) }; break;
      case PROP.objectList: {
        const list = Object.keys(objects).map((k) => ({ type: TAG.objectId,
            value: { type: Number(k.split(':')[0]), instance: Number(k.split(':')[1]) } }));
        if (index === undefined || index === ARRAY_ALL) return { value: list };
        if (index === 0) return { value: uns(list.length) };
        return index <= list.length ? { value: [list[index - 1]] } : { error: [2, 42] };
      }
    }
  } else if (kind === 'port') {
    switch (id) {
      case PROP.objectName: return { value: str('SC') };
      case PROP.networkType: return { value: enm(11) };
      case PROP.macAddress: return { value: [{ type: TAG.octetString, value: [0x02, 0xce, 0, 0, instance >> 8 & 0xff, instance & 0xff] }] };
      case PROP.csrFile: return { value: [fileId(1)] };
      case PROP.issuerFiles: return { value: [fileId(2), fileId(3)] };
      case PROP.operationalFile: return { value: [fileId(4)] };
      case PROP_COMMAND: return { value: enm(0) };
      case PROP_CHANGES_PENDING: return { value: [{ type: 1, value: changesPending }] };
    }
  } else if (id === PROP.fileSize) {
    return { value: uns(files.get(objectId.instance).length) };
  }
  return { error: [2, 32] };
}

// ---- the limits of a device with a buffer of maxApdu octets ----
const requesterMax = new Map();   // invoke id -> the Max APDU the request said it accepts
function abort(receiver, invokeId, reason) {
  const buffer = { buffer: Buffer.alloc(64), offset: 4 };
  npdu.encode(buffer, enums.NpduControlPriority.NORMAL_MESSAGE, receiver);
  apdu.encodeAbort(buffer, enums.PduType.ABORT | 1, invokeId, reason);   // sent by the server
  sendBvlc(receiver, buffer);
}
// A segmented request is reassembled by the library (_processSegment: SegmentACK at the first segment and at each window's end,
// negative SegmentACK out of order), which then hands the whole request to _handlePdu again: that second pass is let through.
let receiving = null;                                          // the segmented request being received: { invokeId, segments }
let handingOver = false;
function forgetSegments() { receiving = null; device._segmentStore = []; device._lastSequenceNumber = 0; }
const handlePdu = device._handlePdu.bind(device);
device._handlePdu = (buffer, offset, length, header) => {
  const type = buffer[offset];
  if (type >> 4 === 0 && handingOver) {                         // the request the library reassembled from its segments
    say(`reassembled ${receiving.segments} segments`);
    requesterMax.set(buffer[offset + 2], APDU_LENGTHS[buffer[offset + 1] & 0x0f] ?? 50);
    receiving = null;
  } else if (type >> 4 === 0) {                                 // a confirmed request
    if (length > maxApdu) { say(`dropped ${length}`); return; } // beyond the buffer: never seen
    const invokeId = buffer[offset + 2];
    if (type & 0x08) {
      const to = { address: header.sender.address };
      if (!receivesSegments) { say('aborted a segmented request'); abort(to, invokeId, ABORT_SEGMENTATION_NOT_SUPPORTED); return; }
      const sequence = buffer[offset + 3];
      if (sequence === 0) { forgetSegments(); receiving = { invokeId, segments: 0 }; }
      if (receiving?.invokeId !== invokeId) return;            // a segment of no request being received
      if (sequence >= maxSegments) {
        say(`aborted a request of more than ${maxSegments} segments`);
        forgetSegments();
        abort(to, invokeId, ABORT_BUFFER_OVERFLOW);
        return;
      }
      receiving.segments = Math.max(receiving.segments, sequence + 1);
      handingOver = true;
      try { handlePdu(buffer, offset, length, header); } finally { handingOver = false; }
      return;
    }
    requesterMax.set(invokeId, APDU_LENGTHS[buffer[offset + 1] & 0x0f] ?? 50);
  }
  handlePdu(buffer, offset, length, header);
};
const sendBvlc = device.sendBvlc.bind(device);
device.sendBvlc = (receiver, buffer) => {
  const control = buffer.buffer[5];
  let start = 6;                                               // BVLC 4 + NPDU version and control
  if (control & 0x20) start += 3 + buffer.buffer[start + 2];  // DNET, DLEN, DADR
  if (control & 0x08) start += 3 + buffer.buffer[start + 2];  // SNET, SLEN, SADR
  if (control & 0x20) start += 1;                              // hop count
  const length = buffer.offset - start;
  if (buffer.buffer[start] >> 4 === 3) {                       // a ComplexACK: at most its own and the requester's Max APDU
    const invokeId = buffer.buffer[start + 1];
    const limit = Math.min(maxApdu, requesterMax.get(invokeId) ?? 1476);
    if (length > limit) { say(`aborted an answer of ${length} octets (limit ${limit})`); abort(receiver, invokeId,
        ABORT_SEGMENTATION_NOT_SUPPORTED); return; }
  }
  if (length > maxApdu) process.stderr.write(`VIOLATION: an APDU of ${length} octets\n`);
  sendBvlc(receiver, buffer);
};

const ack = (receiver, service, invokeId, encode) => sendComplexAck(device, receiver, service, invokeId, encode);
const S = enums.ConfirmedServiceChoice;

listener.on('whoIs', (msg) => {
  const { lowLimit, highLimit } = msg.payload;
  if (lowLimit !== undefined && (instance < lowLimit || instance > highLimit)) return;
  const receiver = { address: msg.header.sender.address };
  const buffer = { buffer: Buffer.alloc(64), offset: 4 };
  npdu.encode(buffer, enums.NpduControlPriority.NORMAL_MESSAGE, receiver);
  apdu.encodeUnconfirmedServiceRequest(buffer, enums.PduType.UNCONFIRMED_REQUEST, enums.UnconfirmedServiceChoice.I_AM);
  services.IAm.encode(buffer, instance, maxApdu, SEGMENTATION[segmentation], 260);   // its real Max APDU, not the library's 1482
  device.sendBvlc(receiver, buffer);
});

serveReads(device, read);

device.on('writeProperty', (msg) => {
  const to = { address: msg.header.sender.address };
  const { objectId, value } = msg.payload;
  const id = value.property.id;
  const v = value.value[0]?.value;
  const ok = () => device.simpleAckResponse(to, S.WRITE_PROPERTY, msg.invokeId);
  const error = (c, code) => device.errorResponse(to, S.WRITE_PROPERTY, msg.invokeId, c, code);
  if (objectId.type === OBJECT.file && objectId.instance > 1 && files.has(objectId.instance) && id === PROP.fileSize && v === 0) {
    beginChanges();
    files.set(objectId.instance, Buffer.alloc(0));
    return ok();
  }
  if (objects[key(objectId)] === 'port' && id === PROP_COMMAND) {
    if (v === GENERATE_CSR) {
      beginChanges();
      const csr = makeCsr();
      pendingKey = csr.spki;
      files.set(1, Buffer.from(csr.pem, 'ascii'));
      return ok();
    }
    if (v === DISCARD) { discard(); return ok(); }
    if (v === 0) return ok();
    return error(2, 37);
  }
  return error(2, 40);
});

device.on('atomicReadFile', (msg) => {
  const to = { address: msg.header.sender.address };
  const { objectId, position, count } = msg.payload;
  const content = files.get(objectId.instance);
  if (!content) return device.errorResponse(to, S.ATOMIC_READ_FILE, msg.invokeId, 1, 31);
  if (position < 0 || position > content.length) return device.errorResponse(to, S.ATOMIC_READ_FILE, msg.invokeId, 5, 11);
  const chunk = content.subarray(position, position + count);
  ack(to, S.ATOMIC_READ_FILE, msg.invokeId, (b) =>
    services.AtomicReadFile.encodeAcknowledge(b, true, position + chunk.length >= content.length, position, 1, [Array.from(chunk)],
        [chunk.length]));
});

device.on('atomicWriteFile', (msg) => {
  const to = { address: msg.header.sender.address };
  const { objectId, position, blocks } = msg.payload;
  const content = files.get(objectId.instance);
  if (!content || objectId.instance === 1) return device.errorResponse(to, S.ATOMIC_WRITE_FILE, msg.invokeId, 5, 5);
  if (position < 0 || position > content.length) return device.errorResponse(to, S.ATOMIC_WRITE_FILE, msg.invokeId, 5, 11);
  beginChanges();
  const data = Buffer.from(blocks[0]);
  const updated = Buffer.alloc(Math.max(content.length, position + data.length));
  content.copy(updated);
  data.copy(updated, position);
  files.set(objectId.instance, updated);
  ack(to, S.ATOMIC_WRITE_FILE, msg.invokeId, (b) => services.AtomicWriteFile.encodeAcknowledge(b, true, position));
});

device.on('reinitializeDevice', (msg) => {
  const to = { address: msg.header.sender.address };
  if (msg.payload.state !== ACTIVATE_CHANGES) return device.errorResponse(to, S.REINITIALIZE_DEVICE, msg.invokeId, 5, 0);  // services/other
  const problem = activate();
  if (problem) { say(`refused: ${problem}`); return device.errorResponse(to, S.REINITIALIZE_DEVICE, msg.invokeId, 0, 46); }
  say('activated');
  device.simpleAckResponse(to, S.REINITIALIZE_DEVICE, msg.invokeId);
});

let listening = 0;
for (const c of [device, listener]) c.on('listening', () => { if (++listening === 2) say('ready'); });
process.on('SIGTERM', () => { device.close(); listener.close(); process.exit(0); });
