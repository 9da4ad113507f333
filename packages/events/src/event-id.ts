// A default event id is a UUIDv7 (RFC 9562): its first 48 bits are the Unix time in milliseconds
// at which the publisher made it. Readers use that time to find an event by its id near when it
// was made, without an index entry per event; an id of any other form has no time.

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

/** When a UUIDv7 id was made (ms since the epoch), by the publisher's clock; undefined for another id. */
export const idTimeOf = (id: string): number | undefined =>
  UUID_V7.test(id) ? Number.parseInt(id.slice(0, 8) + id.slice(9, 13), 16) : undefined;
