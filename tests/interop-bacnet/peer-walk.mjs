// @bacnet-js/client as a CLIENT walking every object and property of one simulated device: Object_List, then for each
// object its Property_List, every property in it (and the four it leaves out) by ReadProperty, the length of each array,
// and ReadPropertyMultiple with ALL, REQUIRED and OPTIONAL. Prints one JSON object with what it saw; every error the
// device answered is listed in "errors" (the test decides which 135 allows).
// Quirk: its readProperty leaves the property identifier out of the request when it is above 4194303 (its
// ASN1_MAX_PROPERTY_ID), so a device rightly rejects it (missing-required-parameter); those properties (the secure-connect
// ones, 4194304 and up) are read with a one-property ReadPropertyMultiple instead, which encodes them.
import { BACnet, args, OBJECT, PROP } from './common.mjs';

const a = args();
const client = new BACnet({ interface: a.bind, port: Number(a.port ?? 47808), broadcastAddress: a.broadcast, apduTimeout: 3000 });
const target = { address: a.device };
const device = { type: OBJECT.device, instance: Number(a.instance) };
const SPECIAL = { all: 8, required: 105, optional: 80 };
const ARRAYS = new Set([PROP.objectList, 371, PROP.issuerFiles, 406]);
const name = (o) => `${o.type}:${o.instance}`;
const result = { objects: [], errors: [] };

async function read(obj, property, arrayIndex) {
  if (property > 4194303) return readByRpm(obj, property, arrayIndex);
  try {
    const options = arrayIndex === undefined ? {} : { arrayIndex };
    return (await client.readProperty(target, obj, property, options)).values;
  } catch (e) {
    result.errors.push({ object: name(obj), property, arrayIndex, message: String(e && e.message || e) });
    return null;
  }
}

async function readByRpm(obj, property, arrayIndex) {
  try {
    const rpm = await client.readPropertyMultiple(target,
        [{ objectId: obj, properties: [{ id: property, index: arrayIndex ?? 0xffffffff }] }]);
    const values = rpm.values[0].values[0].value;
    const error = values.find((x) => x && x.value && typeof x.value === 'object' && 'errorClass' in x.value);
    if (!error) return values;
    result.errors.push({ object: name(obj), property, arrayIndex,
        message: `Class:${error.value.errorClass} - Code:${error.value.errorCode}` });
  } catch (e) {
    result.errors.push({ object: name(obj), property, arrayIndex, message: String(e && e.message || e) });
  }
  return null;
}

async function special(obj, id) {
  try {
    const rpm = await client.readPropertyMultiple(target, [{ objectId: obj, properties: [{ id, index: 0xffffffff }] }]);
    const entries = rpm.values[0].values;
    for (const v of entries) {
      const error = v.value.find((x) => x && x.value && typeof x.value === 'object' && 'errorClass' in x.value);
      if (error) result.errors.push({ object: name(obj), property: v.id, special: id,
          message: `Class:${error.value.errorClass} - Code:${error.value.errorCode}` });
    }
    return entries.map((v) => v.id);
  } catch (e) {
    result.errors.push({ object: name(obj), property: id, special: id, message: String(e && e.message || e) });
    return null;
  }
}

try {
  await new Promise((resolve) => client.on('listening', resolve));
  const list = await read(device, PROP.objectList);
  for (const entry of list ?? []) {
    const obj = entry.value;
    const propertyList = ((await read(obj, 371)) ?? []).map((v) => v.value);
    const seen = { object: name(obj), propertyList, read: {}, lengths: {} };
    for (const property of [75, 77, 79, 371, ...propertyList]) {
      const values = await read(obj, property);
      if (values) seen.read[property] = values.length;
      if (ARRAYS.has(property)) {
        const length = await read(obj, property, 0);
        if (length) seen.lengths[property] = length[0].value;
      }
    }
    for (const [key, id] of Object.entries(SPECIAL)) seen[key] = await special(obj, id);
    result.objects.push(seen);
  }
} catch (e) {
  result.error = String(e && e.stack || e);
} finally {
  client.close();
}
process.stdout.write(JSON.stringify(result) + '\n');
