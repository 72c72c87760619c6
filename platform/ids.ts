const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids from outside (URLs, bodies, job payloads) are checked with this before they reach SQL. */
export const isUuid = (v: unknown): v is string => typeof v === 'string' && UUID.test(v);
