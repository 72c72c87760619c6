/**
 * Personal data redaction for crash reports, applied to every string before
 * storage: e-mail addresses, phone numbers (Japanese and international forms)
 * and 15-digit device identifiers (IMEI). Reports are for diagnosis; none of
 * these helps diagnose a crash and all of them identify a person or a device.
 */

const EMAIL = /[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})+/g;
// IMEI: exactly 15 digits, optionally grouped as 2-6-6-1 or 8-6-1 with spaces or dashes.
const IMEI = /(?<![\d.])(?:\d{15}|\d{2}[- ]\d{6}[- ]\d{6}[- ]\d|\d{8}[- ]\d{6}[- ]\d)(?![\d.])/g;
// International: +CC then 6-14 more digits, optionally separated by spaces, dashes, dots or (0).
const PHONE_INTL = /(?<![\w+])\+\d{1,3}(?:[ .-]?\(0\))?(?:[ .-]?\d){6,14}(?!\d)/g;
// Japanese domestic: 0 then 9 or 10 digits in total, optionally hyphenated or spaced
// (03-1234-5678, 090-1234-5678, 0120-123-456, 09012345678) or with the area code in brackets.
const PHONE_JP = /(?<![\w.])(?:0\d{1,4}[- ]\d{1,4}[- ]\d{3,4}|\(0\d{1,4}\)\s?\d{1,4}[- ]\d{3,4}|0[5-9]0\d{8}|0\d{9})(?![\w.])/g;

export const REDACTED = {
	email: '[email]',
	phone: '[phone]',
	device: '[device-id]'
} as const;

/** One string with personal data replaced by placeholders. IMEI first: it is also a run of digits. */
export function redactText(s: string): string {
	return s.replace(EMAIL, REDACTED.email).replace(IMEI, REDACTED.device).replace(PHONE_INTL, REDACTED.phone).replace(PHONE_JP, (m) => (isJapanesePhone(m) ? REDACTED.phone : m));
}

function isJapanesePhone(m: string): boolean {
	const digits = m.replace(/\D/g, '');
	return digits.length === 10 || digits.length === 11;
}

/** Every string in a JSON value (keys included) redacted; other values as they are. */
export function redactDeep<T>(v: T): T {
	if (typeof v === 'string') return redactText(v) as T;
	if (Array.isArray(v)) return v.map(redactDeep) as T;
	// fromEntries defines own properties, so a "__proto__" key stays a key.
	if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [redactText(k), redactDeep(x)])) as T;
	return v;
}
